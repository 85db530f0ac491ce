//! iCalendar (RFC 5545) text to a [`Snapshot`].
//!
//! Pure: takes the bytes, returns values; the shell reads files and URLs. Lines are unfolded
//! on bytes first and only then decoded (a fold may split a multi-octet character, RFC 5545
//! §3.1), so no text is ever cut inside a character. The content lines of each VEVENT are
//! parsed by the `icalendar` crate, on their own and behind a panic guard: one malformed
//! event is reported (with its line) and skipped while the others still count; a file that
//! is not a calendar at all, or is cut off, is an error.
//!
//! Export quirks that mature readers (libical, ical.js, python `icalendar` with
//! `recurring-ical-events`) accept are read the way they read them, each with a warning
//! that names the line: two masters with one UID (one is kept), DTEND before DTSTART,
//! a DATE start with a DATE-TIME end, broken RRULE parts (dropped, the rule kept).

use std::panic::{catch_unwind, AssertUnwindSafe};

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use icalendar::parser::{read_calendar, Component};

use super::tz::resolve_tzid;
use super::{Event, EventTime, Snapshot, Warning};

mod event;
#[cfg(test)]
mod fast_paths_tests;
pub mod itip;
mod lexer;
mod lines;
mod mapped;
mod reuse;
mod rrule_parts;
mod vtimezone;

use event::event_from;
use lines::{is_content_line, starts_with_ci, unfold, Block, Span};
pub use mapped::{content_line, event_of, snapshot_of, ReadEvent};
pub use reuse::Reuse;

/// Why a whole calendar could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IcsError {
    #[error("line {line}: {message}")]
    Malformed { line: usize, message: String },
}

/// What decides between two copies of one event (RFC 5546 §2.1.5): the higher SEQUENCE,
/// then the later LAST-MODIFIED, then the later DTSTAMP, then the later in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(super) struct Revision {
    sequence: i64,
    last_modified: Option<NaiveDateTime>,
    dtstamp: Option<NaiveDateTime>,
}

/// Parses an iCalendar document given as text. See [`parse_bytes`].
pub fn parse(text: &str) -> Result<Snapshot, IcsError> {
    parse_bytes(text.as_bytes())
}

/// Parses an iCalendar document. Floating times stay floating (they are read in the
/// executive's zone later), except in a calendar that names its own zone with
/// `X-WR-TIMEZONE` (Google's exports), where they are read in that zone. Text that is not
/// UTF-8 is read with the unreadable bytes replaced, and a warning.
pub fn parse_bytes(bytes: &[u8]) -> Result<Snapshot, IcsError> {
    read(bytes, Reader::Lexer, 1, None, None)
}

/// [`parse_bytes_on`] that takes each VEVENT whose text the last read through `reuse`
/// had from that read (see [`Reuse`]), and keeps this read's in `reuse`. The snapshot is
/// the one [`parse_bytes`] gives, but for events `reuse` was compacted for (compact the
/// snapshot for the same executive and they are equal; property-tested). A calendar that
/// cannot be read leaves `reuse` as it was.
pub fn parse_bytes_reusing(
    bytes: &[u8],
    threads: usize,
    reuse: &mut Reuse,
) -> Result<Snapshot, IcsError> {
    read(bytes, Reader::Lexer, threads, Some(reuse), None)
}

/// [`parse_bytes`] on up to `threads` threads (the shell passes the machine's core count):
/// a large calendar's events are read in contiguous chunks joined in order, so the result
/// is the same whatever the number of threads.
pub fn parse_bytes_on(bytes: &[u8], threads: usize) -> Result<Snapshot, IcsError> {
    read(bytes, Reader::Lexer, threads, None, None)
}

/// [`parse_bytes_on`] with each event compacted for the executive `exec` (lower-cased) as
/// soon as it is read: the snapshot [`Snapshot::compact`] would make of it, without the
/// full one ever held (a large calendar's descriptions and attendee lists are dropped
/// event by event, so the read needs a fraction of the memory).
pub fn parse_bytes_compacted_on(
    bytes: &[u8],
    threads: usize,
    exec: &str,
) -> Result<Snapshot, IcsError> {
    read(bytes, Reader::Lexer, threads, None, Some(exec))
}

/// Which reader turns a VEVENT's content lines into properties.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// Ours (`lexer.rs`): the one in use.
    Lexer,
    /// The `icalendar` crate's parser, which was in use before: kept to compare against,
    /// in the tests and in the parser benchmark.
    IcalendarCrate,
}

/// For the tests: where framing a UTF-8 calendar from its text (as it is read) differs
/// from framing its unfolded lines (as a file that is not UTF-8 is read).
#[doc(hidden)]
pub fn framings_differ(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).ok()?;
    lines::framings_differ(text)
}

/// [`parse_bytes`] with the chosen reader of content lines.
#[doc(hidden)]
pub fn parse_bytes_with(bytes: &[u8], reader: Reader) -> Result<Snapshot, IcsError> {
    read(bytes, reader, 1, None, None)
}

fn read(
    bytes: &[u8],
    reader: Reader,
    threads: usize,
    mut reuse: Option<&mut Reuse>,
    compact_for: Option<&str>,
) -> Result<Snapshot, IcsError> {
    // Each event is read behind its own guard (below); this one covers the framing. A
    // panic there leaves `reuse` possibly half-made: it is emptied.
    let mut scratch = reuse.as_deref_mut().map(std::mem::take);
    let result = catch_unwind(AssertUnwindSafe(|| {
        read_document(bytes, (reader, compact_for), threads, scratch.as_mut())
    }));
    match result {
        Ok(r) => {
            if let (Some(target), Some(s)) = (reuse, scratch) {
                *target = s;
            }
            r
        }
        Err(_) => Err(internal_error()),
    }
}

fn internal_error() -> IcsError {
    IcsError::Malformed {
        line: 1,
        message: "the calendar could not be read because of an internal error in timeward \
                  (a bug; please report it)"
            .into(),
    }
}

fn read_document(
    bytes: &[u8],
    (reader, compact_for): (Reader, Option<&str>),
    threads: usize,
    reuse: Option<&mut Reuse>,
) -> Result<Snapshot, IcsError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut snapshot = Snapshot::default();
    // A file that is UTF-8 throughout (the usual case) is framed from its text, each
    // component's lines unfolded only as it is read; otherwise its lines are joined as
    // bytes and decoded one by one first.
    let unfolded;
    let lines::Framed {
        spans: blocks,
        props: calendar_props,
    } = match lines::frame_utf8(bytes, threads, &mut snapshot.warnings) {
        Some(framed) => framed?,
        None => {
            unfolded = unfold(bytes, &mut snapshot.warnings);
            lines::frame_lines(&unfolded, &mut snapshot.warnings)?
        }
    };
    let calendar = calendar_props
        .iter()
        .find_map(|(k, v)| {
            k.eq_ignore_ascii_case("X-WR-TIMEZONE")
                .then(|| resolve_tzid(v))
        })
        .flatten();
    let zones = Zones {
        calendar,
        custom: custom_zones(&blocks),
    };
    let zones = &zones;

    let vevents: Vec<&Span<'_>> = blocks
        .iter()
        .filter(|b| b.name.eq_ignore_ascii_case("VEVENT"))
        .collect();
    let mut revisions = Vec::with_capacity(vevents.len());
    snapshot.events.reserve_exact(vevents.len());
    let reads = match reuse {
        Some(reuse) => reuse::read_blocks_reusing(&vevents, zones, (reader, threads), reuse),
        None => read_blocks(&vevents, zones, (reader, compact_for), threads),
    };
    for (block, mut warnings, read) in reads {
        snapshot.warnings.append(&mut warnings);
        match read {
            Ok(Ok(events)) => {
                for (event, revision) in events {
                    snapshot.events.push(event);
                    revisions.push(revision);
                }
            }
            Ok(Err(message)) => snapshot.warnings.push(Warning {
                line: block.line(),
                message: format!("event skipped: {message}"),
            }),
            Err(()) => snapshot.warnings.push(Warning {
                line: block.line(),
                message: "event skipped: reading it failed inside timeward (a bug; please \
                          report it with this line of the file)"
                    .into(),
            }),
        }
    }
    keep_one_copy(&mut snapshot, &revisions);
    // The daemon keeps the snapshot between cycles: no spare capacity.
    snapshot.events.shrink_to_fit();
    Ok(snapshot)
}

/// What reading one block gave: its warnings, and its events, a message why it was
/// skipped, or `Err(())` where reading it panicked.
type BlockRead<'b, 'a> = (
    &'b Span<'a>,
    Vec<Warning>,
    Result<Result<Vec<(Event, Revision)>, String>, ()>,
);

/// Reads the VEVENT blocks, each behind its own panic guard; a large calendar on every
/// core (contiguous chunks joined in order, so the result is the one of a single thread).
fn read_blocks<'b, 'a: 'b>(
    blocks: &[&'b Span<'a>],
    zones: &Zones,
    (reader, compact_for): (Reader, Option<&str>),
    threads: usize,
) -> Vec<BlockRead<'b, 'a>> {
    const PER_THREAD_AT_LEAST: usize = 1024;
    let one = |block: &'b Span<'a>| -> BlockRead<'b, 'a> {
        let mut warnings = Vec::new();
        // The parser is not ours: a bug in it (or in the code below) costs one event, not
        // the calendar. The panic hook of the binary keeps the payload out of the log.
        let read = catch_unwind(AssertUnwindSafe(|| {
            block.read(|block| match reader {
                Reader::Lexer => read_block(block, zones, &mut warnings, compact_for),
                Reader::IcalendarCrate => {
                    read_block_icalendar(block, zones, &mut warnings, compact_for)
                }
            })
        }))
        .map_err(|_| ());
        (block, warnings, read)
    };
    let n = blocks.len();
    let threads = threads.min(n / PER_THREAD_AT_LEAST).max(1);
    if threads == 1 {
        return blocks.iter().map(|b| one(b)).collect();
    }
    let chunk = n.div_ceil(threads);
    std::thread::scope(|scope| {
        let one = &one;
        let handles: Vec<_> = blocks
            .chunks(chunk)
            .skip(1)
            .map(|part| scope.spawn(move || part.iter().map(|b| one(b)).collect::<Vec<_>>()))
            .collect();
        let mut all: Vec<BlockRead<'b, 'a>> =
            blocks[..chunk.min(n)].iter().map(|b| one(b)).collect();
        for h in handles {
            // Each block's panics are caught inside `one`; a thread cannot fail otherwise.
            match h.join() {
                Ok(part) => all.extend(part),
                Err(payload) => std::panic::resume_unwind(payload),
            }
        }
        all
    })
}

/// How TZIDs are read in this calendar.
pub(super) struct Zones {
    /// `X-WR-TIMEZONE`: the zone of the calendar's floating times (Google's exports).
    calendar: Option<Tz>,
    /// TZIDs that are not zone names, resolved through their VTIMEZONE definitions.
    custom: std::collections::HashMap<String, Tz>,
}

impl Zones {
    pub(super) fn resolve(&self, tzid: &str) -> Option<Tz> {
        let name = tzid.trim().trim_matches('"').trim();
        self.custom
            .get(name)
            .copied()
            .or_else(|| resolve_tzid(name))
    }
}

/// The zones of the VTIMEZONE blocks whose TZID is not a zone name (each read behind a
/// panic guard, like events; a definition that cannot be read is left out).
fn custom_zones(blocks: &[Span<'_>]) -> std::collections::HashMap<String, Tz> {
    let mut texts = Vec::new();
    for span in blocks
        .iter()
        .filter(|b| b.name.eq_ignore_ascii_case("VTIMEZONE"))
    {
        let text = span.read(|block| {
            let tzid = block.lines.iter().find_map(|l| {
                starts_with_ci(&l.text, "TZID:").then(|| l.text.get(5..).unwrap_or_default().trim())
            });
            if tzid.is_none_or(|t| resolve_tzid(t).is_some()) {
                return None;
            }
            let mut text = String::new();
            for l in block.lines {
                text.push_str(&l.text);
                text.push_str("\r\n");
            }
            Some(text)
        });
        texts.extend(text);
    }
    if texts.is_empty() {
        return std::collections::HashMap::new();
    }
    catch_unwind(|| {
        let parsed: Vec<_> = texts.iter().filter_map(|t| read_calendar(t).ok()).collect();
        let components: Vec<Component<'_>> = parsed
            .iter()
            .flat_map(|c| c.components.iter().cloned())
            .collect();
        vtimezone::custom_zones(&components, |t| resolve_tzid(t).is_some())
    })
    .unwrap_or_default()
}

fn shorten(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(40).collect()
}

/// Reads one VEVENT block into its events (normally one).
fn read_block(
    block: &Block<'_>,
    zones: &Zones,
    warnings: &mut Vec<Warning>,
    compact_for: Option<&str>,
) -> Result<Vec<(Event, Revision)>, String> {
    let component = lexer::component(block, warnings)?;
    if !component.name.as_str().eq_ignore_ascii_case("VEVENT") {
        return Ok(Vec::new());
    }
    Ok(vec![event_from(
        &component,
        block,
        zones,
        warnings,
        compact_for,
    )?])
}

/// [`read_block`] through the `icalendar` crate's parser.
fn read_block_icalendar(
    block: &Block<'_>,
    zones: &Zones,
    warnings: &mut Vec<Warning>,
    compact_for: Option<&str>,
) -> Result<Vec<(Event, Revision)>, String> {
    let text = block_text(block, warnings);
    let cal = read_calendar(&text).map_err(|_| {
        "its lines are not valid iCalendar content lines (each must be NAME;PARAMS:VALUE)"
            .to_string()
    })?;
    let mut out = Vec::new();
    for component in cal
        .components
        .iter()
        .filter(|c| c.name.as_str().eq_ignore_ascii_case("VEVENT"))
    {
        out.push(event_from(component, block, zones, warnings, compact_for)?);
    }
    Ok(out)
}

/// A block's content lines as text for the `icalendar` parser (lines that are not content
/// lines left out, with a warning; a missing END supplied).
fn block_text(block: &Block<'_>, warnings: &mut Vec<Warning>) -> String {
    let mut text = String::new();
    for l in block.lines {
        if is_content_line(&l.text) {
            text.push_str(&l.text);
            text.push_str("\r\n");
        } else if !l.text.trim().is_empty() {
            warnings.push(Warning {
                line: l.number,
                message: "this line is not an iCalendar content line (NAME:VALUE or \
                          NAME;PARAM=VALUE:VALUE); it is ignored, the rest of the event is read"
                    .into(),
            });
        }
    }
    if block.unclosed {
        text.push_str("END:");
        text.push_str(block.name);
        text.push_str("\r\n");
    }
    text
}

/// Keeps one copy of each event where an export holds two with the same UID and the same
/// RECURRENCE-ID (or none): the newest revision, else the later in the file.
fn keep_one_copy(snapshot: &mut Snapshot, revisions: &[Revision]) {
    use std::collections::HashMap;
    let mut best: HashMap<(&str, Option<EventTime>), usize> =
        HashMap::with_capacity(snapshot.events.len());
    let mut drop = vec![false; snapshot.events.len()];
    let mut dropped = Vec::new();
    for (i, e) in snapshot.events.iter().enumerate() {
        let key = (e.uid.as_str(), e.recurrence_id);
        match best.get(&key).copied() {
            None => {
                best.insert(key, i);
            }
            Some(j) => {
                let (keep, gone) = if revisions[i] >= revisions[j] {
                    (i, j)
                } else {
                    (j, i)
                };
                best.insert(key, keep);
                drop[gone] = true;
                dropped.push((gone, keep));
            }
        }
    }
    if dropped.is_empty() {
        return;
    }
    for (gone, keep) in dropped {
        let (g, k) = (&snapshot.events[gone], &snapshot.events[keep]);
        snapshot.warnings.push(Warning {
            line: g.line,
            message: format!(
                "event {:?} appears twice{}; the copy at line {} is kept (higher SEQUENCE, \
                 later LAST-MODIFIED or DTSTAMP, or later in the file) and this one ignored",
                g.uid,
                if g.recurrence_id.is_some() {
                    " for the same RECURRENCE-ID"
                } else {
                    " without a RECURRENCE-ID"
                },
                k.line
            ),
        });
    }
    let mut i = 0;
    snapshot.events.retain(|_| {
        i += 1;
        !drop[i - 1]
    });
}
