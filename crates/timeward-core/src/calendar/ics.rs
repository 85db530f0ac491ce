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

use chrono::{NaiveDateTime, TimeDelta};
use chrono_tz::Tz;
use icalendar::parser::{read_calendar, Component, Property};
use icalendar::{CalendarDateTime, DatePerhapsTime};

use super::tz::resolve_tzid;
use super::{
    Attendee, Event, EventTime, Length, PartStat, Recurrence, Role, Snapshot, Status, Warning,
};

mod rrule_parts;
mod vtimezone;

/// Why a whole calendar could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IcsError {
    #[error("line {line}: {message}")]
    Malformed { line: usize, message: String },
}

/// One unfolded content line and the (1-based) source line it starts on.
struct Line {
    number: usize,
    text: String,
}

/// A top-level component inside VCALENDAR: its name and its lines, BEGIN and END included.
struct Block<'a> {
    name: &'a str,
    lines: &'a [Line],
    /// Its END line was missing: the block was ended at the next component.
    unclosed: bool,
}

impl Block<'_> {
    fn line(&self) -> usize {
        self.lines.first().map_or(0, |l| l.number)
    }

    /// The source line of the first property called `name` in this block, for messages.
    fn line_of(&self, name: &str) -> usize {
        self.lines
            .iter()
            .find(|l| {
                let t = l.text.as_bytes();
                t.len() > name.len()
                    && t[..name.len()].eq_ignore_ascii_case(name.as_bytes())
                    && matches!(t[name.len()], b':' | b';')
            })
            .map_or_else(|| self.line(), |l| l.number)
    }
}

/// What decides between two copies of one event (RFC 5546 §2.1.5): the higher SEQUENCE,
/// then the later LAST-MODIFIED, then the later DTSTAMP, then the later in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
struct Revision {
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
    // Each event is read behind its own guard (below); this one covers the framing.
    catch_unwind(|| read_document(bytes)).unwrap_or_else(|_| {
        Err(IcsError::Malformed {
            line: 1,
            message: "the calendar could not be read because of an internal error in timeward \
                      (a bug; please report it)"
                .into(),
        })
    })
}

fn read_document(bytes: &[u8]) -> Result<Snapshot, IcsError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut snapshot = Snapshot::default();
    let lines = unfold(bytes, &mut snapshot.warnings);
    let first =
        lines
            .iter()
            .position(|l| !l.text.trim().is_empty())
            .ok_or(IcsError::Malformed {
                line: 1,
                message:
                    "the file is empty; expected an iCalendar file starting with BEGIN:VCALENDAR"
                        .into(),
            })?;
    if !lines[first]
        .text
        .trim()
        .eq_ignore_ascii_case("BEGIN:VCALENDAR")
    {
        return Err(IcsError::Malformed {
            line: lines[first].number,
            message: format!(
                "this is not an iCalendar file: it should start with BEGIN:VCALENDAR, found {:?}",
                shorten(&lines[first].text)
            ),
        });
    }
    if !lines
        .iter()
        .any(|l| l.text.trim().eq_ignore_ascii_case("END:VCALENDAR"))
    {
        return Err(IcsError::Malformed {
            line: lines.last().map_or(1, |l| l.number),
            message: "the file ends before END:VCALENDAR: it was cut off (a partial download?)"
                .into(),
        });
    }

    let (blocks, calendar_props) = split_blocks(&lines, &mut snapshot.warnings)?;
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

    let mut revisions = Vec::new();
    for block in blocks
        .iter()
        .filter(|b| b.name.eq_ignore_ascii_case("VEVENT"))
    {
        let mut warnings = Vec::new();
        // The parser is not ours: a bug in it (or in the code below) costs one event, not
        // the calendar. The panic hook of the binary keeps the payload out of the log.
        let read = catch_unwind(AssertUnwindSafe(|| read_block(block, zones, &mut warnings)));
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
            Err(_) => snapshot.warnings.push(Warning {
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

/// How TZIDs are read in this calendar.
struct Zones {
    /// `X-WR-TIMEZONE`: the zone of the calendar's floating times (Google's exports).
    calendar: Option<Tz>,
    /// TZIDs that are not zone names, resolved through their VTIMEZONE definitions.
    custom: std::collections::HashMap<String, Tz>,
}

impl Zones {
    fn resolve(&self, tzid: &str) -> Option<Tz> {
        let name = tzid.trim().trim_matches('"').trim();
        self.custom
            .get(name)
            .copied()
            .or_else(|| resolve_tzid(name))
    }
}

/// The zones of the VTIMEZONE blocks whose TZID is not a zone name (each read behind a
/// panic guard, like events; a definition that cannot be read is left out).
fn custom_zones(blocks: &[Block<'_>]) -> std::collections::HashMap<String, Tz> {
    let mut texts = Vec::new();
    for block in blocks
        .iter()
        .filter(|b| b.name.eq_ignore_ascii_case("VTIMEZONE"))
    {
        let tzid = block.lines.iter().find_map(|l| {
            starts_with_ci(&l.text, "TZID:").then(|| l.text.get(5..).unwrap_or_default().trim())
        });
        if tzid.is_none_or(|t| resolve_tzid(t).is_some()) {
            continue;
        }
        let mut text = String::new();
        for l in block.lines {
            text.push_str(&l.text);
            text.push_str("\r\n");
        }
        texts.push(text);
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

/// Splits the bytes into content lines, joining folded lines (CRLF, LF or a lone CR, then
/// a space or tab) before decoding, so that a character split by a fold is whole again.
fn unfold(bytes: &[u8], warnings: &mut Vec<Warning>) -> Vec<Line> {
    let mut raw: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut number = 0;
    let mut rest = bytes;
    while !rest.is_empty() {
        number += 1;
        let (line, next) = match memchr::memchr2(b'\r', b'\n', rest) {
            Some(i) => {
                let skip = if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                (&rest[..i], &rest[i + skip..])
            }
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        match (line.first(), raw.last_mut()) {
            (Some(b' ' | b'\t'), Some((_, last))) => last.extend_from_slice(&line[1..]),
            _ => raw.push((number, line.to_vec())),
        }
    }
    raw.into_iter()
        .map(|(number, bytes)| {
            let text = match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => {
                    warnings.push(Warning {
                        line: number,
                        message: "this line is not UTF-8 text: its unreadable characters \
                                  were replaced (save the calendar as UTF-8)"
                            .into(),
                    });
                    String::from_utf8_lossy(e.as_bytes()).into_owned()
                }
            };
            Line { number, text }
        })
        .collect()
}

/// Whether `line` starts with `prefix`, ignoring ASCII case (and never slicing text).
fn starts_with_ci(line: &str, prefix: &str) -> bool {
    line.as_bytes()
        .get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// The calendar's own properties (name, value), such as X-WR-TIMEZONE.
type CalendarProps = Vec<(String, String)>;

/// Splits the lines into the top-level components inside VCALENDAR and the calendar's own
/// properties.
fn split_blocks<'a>(
    lines: &'a [Line],
    warnings: &mut Vec<Warning>,
) -> Result<(Vec<Block<'a>>, CalendarProps), IcsError> {
    let mut blocks = Vec::new();
    let mut props = Vec::new();
    let mut current: Option<(usize, &str, usize)> = None; // first line, name, depth
    for (i, line) in lines.iter().enumerate() {
        let text = line.text.trim_end();
        let begin = starts_with_ci(text, "BEGIN:") && text.len() > 6;
        let end = starts_with_ci(text, "END:") && text.len() > 4;
        let named = |prefix: usize, name: &str| {
            text.get(prefix..)
                .is_some_and(|n| n.trim().eq_ignore_ascii_case(name))
        };
        // A component of the same kind cannot nest (a VEVENT in a VEVENT), and nothing
        // outlives END:VCALENDAR: either means this block lost its END line (a damaged
        // or cut line). It ends here, so that one broken event does not swallow the rest.
        if let Some((first, name, _)) = current {
            if (begin && named(6, name)) || (end && named(4, "VCALENDAR")) {
                warnings.push(Warning {
                    line: lines[first].number,
                    message: format!(
                        "BEGIN:{name} at this line has no END:{name}; read up to line {}",
                        line.number
                    ),
                });
                blocks.push(Block {
                    name,
                    lines: &lines[first..i],
                    unclosed: true,
                });
                current = None;
            }
        }
        match current.as_mut() {
            Some((first, name, depth)) => {
                if begin {
                    *depth += 1;
                } else if end {
                    *depth -= 1;
                    if *depth == 0 {
                        blocks.push(Block {
                            name,
                            lines: &lines[*first..=i],
                            unclosed: false,
                        });
                        current = None;
                    }
                }
            }
            None if begin => {
                let name = text.get(6..).unwrap_or_default().trim();
                if !name.eq_ignore_ascii_case("VCALENDAR") {
                    current = Some((i, name, 1));
                }
            }
            None if end => {}
            None => {
                if let Some((k, v)) = text.split_once(':') {
                    props.push((k.to_string(), v.to_string()));
                }
            }
        }
    }
    if let Some((first, name, _)) = current {
        return Err(IcsError::Malformed {
            line: lines[first].number,
            message: format!(
                "BEGIN:{name} at this line has no END:{name}: the file was cut off or is broken"
            ),
        });
    }
    Ok((blocks, props))
}

fn shorten(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(40).collect()
}

/// Parses one VEVENT block into its events (normally one).
fn read_block(
    block: &Block<'_>,
    zones: &Zones,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<(Event, Revision)>, String> {
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
        out.push(event_from(component, block, zones, warnings)?);
    }
    Ok(out)
}

/// Whether a line has the shape of a content line: a name of letters, digits and dashes,
/// then parameters (quoted values may hold `:` and `;`), then `:` and the value.
fn is_content_line(line: &str) -> bool {
    let bytes = line.as_bytes();
    let name = bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count();
    if name == 0 {
        return false;
    }
    let mut quoted = false;
    for &b in &bytes[name..] {
        match b {
            b'"' => quoted = !quoted,
            b':' if !quoted => return true,
            _ => {}
        }
    }
    false
}

/// Keeps one copy of each event where an export holds two with the same UID and the same
/// RECURRENCE-ID (or none): the newest revision, else the later in the file.
fn keep_one_copy(snapshot: &mut Snapshot, revisions: &[Revision]) {
    use std::collections::HashMap;
    let mut best: HashMap<(&str, Option<EventTime>), usize> = HashMap::new();
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

fn prop<'c>(c: &'c Component<'_>, name: &str) -> Option<&'c Property<'c>> {
    c.properties
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
}

fn props<'c>(c: &'c Component<'_>, name: &'c str) -> impl Iterator<Item = &'c Property<'c>> + 'c {
    c.properties
        .iter()
        .filter(move |p| p.name.as_str().eq_ignore_ascii_case(name))
}

fn param<'p>(p: &'p Property<'_>, key: &str) -> Option<&'p str> {
    p.params
        .iter()
        .find(|x| x.key.as_str().eq_ignore_ascii_case(key))
        .and_then(|x| x.val.as_ref())
        .map(|v| v.as_str().trim_matches('"'))
}

fn text(c: &Component<'_>, name: &str) -> String {
    prop(c, name)
        .map(|p| p.val.as_str().trim().to_string())
        .unwrap_or_default()
}

/// `mailto:Dana@Acme.example` → `dana@acme.example`.
fn address(value: &str) -> String {
    let v = value.trim();
    let v = if starts_with_ci(v, "mailto:") {
        v.get(7..).unwrap_or_default()
    } else {
        v
    };
    v.trim().to_lowercase()
}

/// A UTC or floating date-time such as LAST-MODIFIED, for comparing revisions.
fn stamp(c: &Component<'_>, name: &str) -> Option<NaiveDateTime> {
    let v = text(c, name);
    let v = v.trim_end_matches(['Z', 'z']);
    NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").ok()
}

fn event_from(
    c: &Component<'_>,
    block: &Block<'_>,
    zones: &Zones,
    warnings: &mut Vec<Warning>,
) -> Result<(Event, Revision), String> {
    let line = block.line();
    let mut warn_at = |line: usize, message: String| warnings.push(Warning { line, message });

    #[cfg(debug_assertions)]
    if prop(c, "X-TIMEWARD-TEST-PANIC").is_some() {
        // Fault injection for the tests (debug builds only): a panic whose message carries
        // the event's text, which must never reach the log.
        panic!(
            "injected fault in {:?}: {:?}",
            text(c, "SUMMARY"),
            text(c, "DESCRIPTION")
        );
    }

    let title = text(c, "SUMMARY");
    let uid = match prop(c, "UID").map(|p| p.val.as_str().trim()) {
        Some(uid) if !uid.is_empty() => uid.to_string(),
        _ => {
            warn_at(
                line,
                "event has no UID; gave it one made from its start and title".into(),
            );
            format!(
                "no-uid-{:016x}",
                crate::fnv1a(format!("{}|{title}", text(c, "DTSTART")).as_bytes())
            )
        }
    };
    let who = format!("event {uid:?}");
    let mut warn = |name: &str, message: String| warn_at(block.line_of(name), message);

    let start_prop = prop(c, "DTSTART").ok_or_else(|| format!("{who} has no DTSTART"))?;
    let mut start = time_of(start_prop, zones, &mut |m| warn("DTSTART", m)).ok_or_else(|| {
        format!(
            "{who}: DTSTART {:?} is not a date or date-time",
            start_prop.val.as_str()
        )
    })?;

    let length = if let Some(end_prop) = prop(c, "DTEND") {
        let end = time_of(end_prop, zones, &mut |m| warn("DTEND", m)).ok_or_else(|| {
            format!(
                "{who}: DTEND {:?} is not a date or date-time",
                end_prop.val.as_str()
            )
        })?;
        let (length, read_as) = length_between(&mut start, end);
        if let Some(read_as) = read_as {
            warn("DTEND", format!("{who}: {read_as}"));
        }
        length
    } else if let Some(dur) = prop(c, "DURATION") {
        let d = duration(dur.val.as_str()).ok_or_else(|| {
            format!(
                "{who}: DURATION {:?} is not a duration like PT1H30M",
                dur.val.as_str()
            )
        })?;
        if start.is_date() {
            Length::Days((d.num_seconds() / 86_400).max(1))
        } else if d < TimeDelta::zero() {
            warn(
                "DURATION",
                format!("{who}: DURATION is negative; read as its length without the sign"),
            );
            Length::Exact(-d)
        } else {
            Length::Exact(d)
        }
    } else if start.is_date() {
        Length::Days(1)
    } else {
        Length::Exact(TimeDelta::zero())
    };

    let recurrence = recurrence_of(c, &who, zones, &mut warn);

    let (recurrence_id, this_and_future) = match prop(c, "RECURRENCE-ID") {
        Some(p) => {
            let rid = time_of(p, zones, &mut |m| warn("RECURRENCE-ID", m)).ok_or_else(|| {
                format!(
                    "{who}: RECURRENCE-ID {:?} is not a date or date-time",
                    p.val.as_str()
                )
            })?;
            let range = param(p, "RANGE").is_some_and(|r| r.eq_ignore_ascii_case("THISANDFUTURE"));
            (Some(rid), range)
        }
        None => (None, false),
    };

    let organizer = prop(c, "ORGANIZER")
        .map(|p| address(p.val.as_str()))
        .filter(|a| !a.is_empty());
    let attendees = props(c, "ATTENDEE")
        .map(|p| Attendee {
            email: address(p.val.as_str()),
            partstat: match param(p, "PARTSTAT").map(str::to_ascii_uppercase).as_deref() {
                None | Some("NEEDS-ACTION") => PartStat::NeedsAction,
                Some("ACCEPTED") => PartStat::Accepted,
                Some("TENTATIVE") => PartStat::Tentative,
                Some("DECLINED") => PartStat::Declined,
                Some("DELEGATED") => PartStat::Delegated,
                Some(_) => PartStat::Other,
            },
            role: match param(p, "ROLE").map(str::to_ascii_uppercase).as_deref() {
                Some("CHAIR") => Role::Chair,
                Some("OPT-PARTICIPANT") => Role::Optional,
                Some("NON-PARTICIPANT") => Role::NonParticipant,
                _ => Role::Required,
            },
        })
        .filter(|a| !a.email.is_empty())
        .collect();

    let status = match text(c, "STATUS").to_ascii_uppercase().as_str() {
        "CANCELLED" => Status::Cancelled,
        "TENTATIVE" => Status::Tentative,
        _ => Status::Confirmed,
    };
    let transparent = text(c, "TRANSP").eq_ignore_ascii_case("TRANSPARENT");
    let private = matches!(
        text(c, "CLASS").to_ascii_uppercase().as_str(),
        "PRIVATE" | "CONFIDENTIAL"
    );
    let revision = Revision {
        sequence: text(c, "SEQUENCE").parse().unwrap_or(0),
        last_modified: stamp(c, "LAST-MODIFIED"),
        dtstamp: stamp(c, "DTSTAMP"),
    };

    let event = Event {
        uid,
        title,
        description: text(c, "DESCRIPTION"),
        start,
        length,
        recurrence,
        recurrence_id,
        this_and_future,
        organizer,
        attendees,
        status,
        transparent,
        private,
        line,
    };
    Ok((event, revision))
}

/// The length from `start` to `end`, reading the two quirks that exports write: an end
/// before the start (the ends are swapped) and a DATE with a DATE-TIME (the DATE-TIME's
/// day is taken, so the event is all-day). The second value says what was read, for a
/// warning.
fn length_between(start: &mut EventTime, end: EventTime) -> (Length, Option<String>) {
    match (*start, end) {
        (EventTime::Date(s), EventTime::Date(e)) => {
            if e < s {
                *start = EventTime::Date(e);
                let days = (s - e).num_days().max(1);
                let note = "DTEND is before DTSTART; read with the two swapped";
                (Length::Days(days), Some(note.into()))
            } else {
                (Length::Days((e - s).num_days().max(1)), None)
            }
        }
        (EventTime::Date(s), other) => all_day_between(start, s, other.naive().date()),
        (other, EventTime::Date(e)) => all_day_between(start, other.naive().date(), e),
        _ => {
            // Both read in the same way, so UTC as the floating zone gives their distance.
            let d = end.resolve(Tz::UTC) - start.resolve(Tz::UTC);
            if d < TimeDelta::zero() {
                *start = end;
                let note = "DTEND is before DTSTART; read with the two swapped";
                (Length::Exact(-d), Some(note.into()))
            } else {
                (Length::Exact(d), None)
            }
        }
    }
}

/// A DATE with a DATE-TIME: all-day on the dates they name (in either order).
fn all_day_between(
    start: &mut EventTime,
    a: chrono::NaiveDate,
    b: chrono::NaiveDate,
) -> (Length, Option<String>) {
    let (s, e) = (a.min(b), a.max(b));
    *start = EventTime::Date(s);
    let note = "DTSTART and DTEND mix a DATE and a DATE-TIME; read as an all-day event on the \
                dates they name";
    (Length::Days((e - s).num_days().max(1)), Some(note.into()))
}

/// An RFC 5545 duration such as `PT1H30M`, `-PT15M` or `P1W` (signed).
fn duration(value: &str) -> Option<TimeDelta> {
    let v = value.trim();
    let (sign, v) = match v.as_bytes().first() {
        Some(b'-') => (-1, &v[1..]),
        Some(b'+') => (1, &v[1..]),
        _ => (1, v),
    };
    let d = iso8601::duration(v)
        .ok()
        .and_then(|d| TimeDelta::from_std(d.into()).ok())?;
    Some(d * sign)
}

/// RRULE, RDATE and EXDATE of an event; broken RRULE parts are dropped with a warning.
fn recurrence_of(
    c: &Component<'_>,
    who: &str,
    zones: &Zones,
    warn: &mut impl FnMut(&str, String),
) -> Option<Recurrence> {
    let mut recurrence = Recurrence::default();
    for p in props(c, "RRULE") {
        let (rule, problems) = rrule_parts::sanitize(p.val.as_str());
        for problem in problems {
            warn("RRULE", format!("{who}: {problem}"));
        }
        if let Some(rule) = rule {
            recurrence.rrules.push(rule);
        }
    }
    for name in ["RDATE", "EXDATE"] {
        for p in props(c, name) {
            let period = param(p, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("PERIOD"));
            for value in p.val.as_str().split(',') {
                let value = value.trim();
                if value.is_empty() {
                    continue;
                }
                let (at, until) = match value.split_once('/') {
                    Some((at, until)) => (at, Some(until)),
                    None => (value, None),
                };
                let mut single = p.clone();
                single.val = at.to_string().into();
                if period || until.is_some() {
                    single
                        .params
                        .retain(|x| !x.key.as_str().eq_ignore_ascii_case("VALUE"));
                }
                let Some(t) = time_of(&single, zones, &mut |m| warn(name, m)) else {
                    warn(
                        name,
                        format!("{who}: {name} value {value:?} is not a date; ignored"),
                    );
                    continue;
                };
                match (name, until) {
                    ("RDATE", Some(until)) => match period_length(&single, t, until, zones) {
                        Some(length) => recurrence.periods.push((t, length)),
                        None => {
                            warn(
                                name,
                                format!(
                                    "{who}: RDATE period {value:?} has no readable end; \
                                     it lasts as long as the event"
                                ),
                            );
                            recurrence.rdates.push(t);
                        }
                    },
                    ("RDATE", None) => recurrence.rdates.push(t),
                    _ => recurrence.exdates.push(t),
                }
            }
        }
    }
    let any = !recurrence.rrules.is_empty()
        || !recurrence.rdates.is_empty()
        || !recurrence.periods.is_empty();
    any.then_some(recurrence)
}

/// The length of an RDATE period `start/END` or `start/DURATION`.
fn period_length(
    p: &Property<'_>,
    start: EventTime,
    until: &str,
    zones: &Zones,
) -> Option<TimeDelta> {
    let until = until.trim();
    if until.starts_with(['P', 'p', '+', '-']) {
        return duration(until).filter(|d| *d >= TimeDelta::zero());
    }
    let mut end = p.clone();
    end.val = until.to_string().into();
    let end = time_of(&end, zones, &mut |_| {})?;
    let d = end.resolve(Tz::UTC) - start.resolve(Tz::UTC);
    (d >= TimeDelta::zero()).then_some(d)
}

/// Reads a DTSTART-like property. An unknown TZID is read as floating, with a warning.
fn time_of(p: &Property<'_>, zones: &Zones, warn: &mut impl FnMut(String)) -> Option<EventTime> {
    let owned: icalendar::Property = p.clone().into();
    let value = DatePerhapsTime::from_property(&owned)?;
    Some(match value {
        DatePerhapsTime::Date(d) => EventTime::Date(d),
        DatePerhapsTime::DateTime(CalendarDateTime::Utc(dt)) => EventTime::Utc(dt.naive_utc()),
        DatePerhapsTime::DateTime(CalendarDateTime::Floating(n)) => match zones.calendar {
            Some(tz) => EventTime::Zoned(n, tz),
            None => EventTime::Floating(n),
        },
        DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid }) => {
            match zones.resolve(&tzid) {
                Some(tz) => EventTime::Zoned(date_time, tz),
                None => {
                    warn(format!(
                        "unknown time zone {tzid:?}: its times are read in the executive's time zone"
                    ));
                    EventTime::Floating(date_time)
                }
            }
        }
    })
}
