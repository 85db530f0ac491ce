//! The suggestions feed: a plan as an iCalendar file the assistant subscribes to.
//!
//! Rendering is pure: [`entries`] turns a plan into the feed's events, [`advance`] carries
//! each event's `SEQUENCE` and `DTSTAMP` over from the previous feed (they rise only when
//! a suggestion changes), and [`render`] writes the calendar with the `icalendar` crate.
//! The same plan and versions give the same bytes, so an unchanged cycle serves the same
//! ETag. Times are written in UTC, so they are right on both sides of a daylight-saving
//! change without a VTIMEZONE. Private events are already "a private event" in the plan:
//! nothing here reads an event's own title or description.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use icalendar::{Calendar, Property};

use crate::brief::Brief;
use crate::decide::Plan;
use crate::rules::{Rules, Verdict};

/// What a feed event stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// A suggestion for one occurrence of a pending request.
    Suggestion {
        verdict: Verdict,
        score: i64,
        delegate_to: Option<std::sync::Arc<str>>,
        /// The source's event id (the JSON `id`), which is also the original's UID.
        event_id: std::sync::Arc<str>,
    },
    /// One occurrence of a held 1:1.
    Reservation,
}

/// One VEVENT of the feed, before versioning. Its texts are shared, so that a cycle
/// that carries an event over copies no text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    pub uid: std::sync::Arc<str>,
    /// Shared: a decision's events (one per occurrence) and the cycles that carry it over
    /// hold one copy.
    pub summary: std::sync::Arc<str>,
    pub description: std::sync::Arc<str>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub what: What,
}

/// The version of one feed event: `sequence` rises, and `changed` (its DTSTAMP) moves,
/// only when what the event says changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    pub sequence: u32,
    pub changed: DateTime<Utc>,
    pub digest: u64,
}

/// Versions by feed UID, kept by the daemon from one cycle to the next.
pub type Versions = BTreeMap<std::sync::Arc<str>, Version>;

/// The feed's events for a plan: each pending request at each of its occurrences, then
/// each reservation (with its agenda, from `briefs`, when it has one), sorted by
/// (start, uid).
pub fn entries(plan: &Plan, rules: &Rules, briefs: &[Brief]) -> Vec<FeedEvent> {
    let each = crate::par::on_two(&plan.decisions, 256, |d| {
        let mut mine = Vec::new();
        suggestions(d, rules, &mut mine);
        mine
    });
    let mut out: Vec<FeedEvent> = each.into_iter().flatten().collect();
    reservations(plan, briefs, &mut out);
    crate::order::sort_by_start(&mut out, |e| e.start, |a, b| a.uid.cmp(&b.uid));
    out
}

/// The feed events last made for each decision, with their digests, by the decision's
/// number (see `decide::decide_reusing`).
#[derive(Default)]
pub struct Made {
    by_number: std::collections::HashMap<u64, Vec<(FeedEvent, u64)>, crate::order::Numbers>,
}

/// [`entries`], taking from `cache` the events of each decision whose number (in `made`,
/// by decision) it holds, with each event's digest beside it (for [`advance_digested`]).
/// A decision's number stands for the decision and the rules it was made with, so its
/// events are the same. The same events as [`entries`] (tested).
pub fn entries_reusing(
    plan: &Plan,
    made: &[u64],
    rules: &Rules,
    briefs: &[Brief],
    cache: &mut Made,
) -> (Vec<FeedEvent>, Vec<u64>) {
    let mut last = std::mem::take(&mut cache.by_number);
    let mine: Vec<Vec<(FeedEvent, u64)>> = plan
        .decisions
        .iter()
        .enumerate()
        .map(|(i, d)| match made.get(i).and_then(|n| last.remove(n)) {
            Some(kept) => kept,
            None => {
                let mut fresh = Vec::new();
                suggestions(d, rules, &mut fresh);
                fresh
                    .into_iter()
                    .map(|e| {
                        let h = digest(&e);
                        (e, h)
                    })
                    .collect()
            }
        })
        .collect();
    let mut rest = Vec::new();
    reservations(plan, briefs, &mut rest);
    let rest: Vec<(FeedEvent, u64)> = rest
        .into_iter()
        .map(|e| {
            let h = digest(&e);
            (e, h)
        })
        .collect();
    // Sorted by reference, and only then copied out in order.
    let mut all: Vec<&(FeedEvent, u64)> = mine.iter().flatten().chain(&rest).collect();
    crate::order::sort_by_start(
        &mut all,
        |(e, _)| e.start,
        |(a, _), (b, _)| a.uid.cmp(&b.uid),
    );
    let out = all.into_iter().cloned().unzip();
    cache.by_number.reserve(mine.len());
    for (&n, kept) in made.iter().zip(mine) {
        cache.by_number.insert(n, kept);
    }
    out
}

/// The feed events of one pending request: one per occurrence.
fn suggestions(d: &crate::decide::Decision, rules: &Rules, out: &mut Vec<FeedEvent>) {
    let label = match (&d.verdict, d.delegate_to.as_deref()) {
        (Verdict::Accept, _) => "Accept".to_string(),
        (Verdict::Decline, _) => "Decline".to_string(),
        (Verdict::Delegate, Some(to)) => format!("Delegate → {}", rules.delegate_name(to)),
        (Verdict::Delegate, None) => "Delegate".to_string(),
    };
    let mut description = format!("Score {}\n", d.score);
    for r in &d.reasons {
        description.push_str(&format!("{:+} {}: {}\n", r.points, r.source, r.detail));
    }
    let id_hash = hash(d.id.as_bytes());
    let summary: std::sync::Arc<str> = format!("{label} · {}", d.title).into();
    let description: std::sync::Arc<str> = description.trim_end().into();
    let event_id: std::sync::Arc<str> = d.id.as_str().into();
    let delegate_to: Option<std::sync::Arc<str>> = d.delegate_to.as_deref().map(Into::into);
    for &(start, end) in &d.occurrences {
        out.push(FeedEvent {
            uid: format!("{id_hash:016x}-{}@suggestion.timeward", Basic(start)).into(),
            summary: summary.clone(),
            description: description.clone(),
            start,
            end,
            what: What::Suggestion {
                verdict: d.verdict.clone(),
                score: d.score,
                delegate_to: delegate_to.clone(),
                event_id: event_id.clone(),
            },
        });
    }
}

/// The feed events of the held 1:1s, each with its agenda when it has one.
fn reservations(plan: &Plan, briefs: &[Brief], out: &mut Vec<FeedEvent>) {
    for r in &plan.reservations {
        let local = r.start.with_timezone(&plan.timezone);
        let mut description = format!(
            "A recurring 1:1 with {} that timeward holds. Requests that overlap it score lower.",
            r.with
        );
        if let Some(b) = briefs
            .iter()
            .find(|b| b.series == r.series && b.start == r.start)
        {
            description.push_str("\n\nAgenda:\n");
            description.push_str(&b.text());
        }
        out.push(FeedEvent {
            uid: format!(
                "{:016x}-{}@reservation.timeward",
                hash(r.series.as_bytes()),
                local.format("%Y%m%d")
            )
            .into(),
            summary: format!("1:1 · {}", r.series).into(),
            description: description.into(),
            start: r.start,
            end: r.end,
            what: What::Reservation,
        });
    }
}

/// The whole feed as RFC 5545 text: CRLF line ends, lines folded at 75 octets.
pub fn render(events: &[FeedEvent], versions: &Versions, name: &str, refresh: TimeDelta) -> String {
    render_tagged(events, versions, name, refresh).0
}

/// [`render`] and the feed's [`tag`], made together: the first half of the events
/// written straight into the feed, the second half beside it on another thread and
/// appended; no second pass to hash it. The same bytes as [`render_reusing`] (tested).
///
/// The feed's buffer is taken at once at a size it cannot outgrow ([`room`]): it is never
/// grown by copying, and the room it does not use is never touched, so it costs no
/// memory while the feed is served.
pub fn render_tagged(
    events: &[FeedEvent],
    versions: &Versions,
    name: &str,
    refresh: TimeDelta,
) -> (String, u64) {
    let head = head(name, refresh);
    let write = |part: &[FeedEvent], out: &mut String| -> Vec<u64> {
        part.iter()
            .map(|e| {
                let v = versions.get(&e.uid).copied().unwrap_or_else(unversioned);
                let (one, h) = text::made(e, v);
                out.push_str(&one);
                h
            })
            .collect()
    };
    let (first, second) = events.split_at(if events.len() >= 256 {
        events.len() / 2
    } else {
        events.len()
    });
    let mut out = String::with_capacity(head.len() + room(events) + END.len());
    let mut tags = Tags::default();
    out.push_str(&head);
    tags.piece(head.as_bytes());
    let (firsts, (later, seconds)) = std::thread::scope(|scope| {
        let write = &write;
        let later = (!second.is_empty()).then(|| {
            scope.spawn(move || {
                let mut text = String::with_capacity(room(second));
                let hashes = write(second, &mut text);
                (text, hashes)
            })
        });
        let firsts = write(first, &mut out);
        // A panic in writing is a bug; surface it as the same panic.
        let second = match later {
            Some(h) => h
                .join()
                .unwrap_or_else(|payload| std::panic::resume_unwind(payload)),
            None => (String::new(), Vec::new()),
        };
        (firsts, second)
    });
    out.push_str(&later);
    for h in firsts.into_iter().chain(seconds) {
        tags.add(h);
    }
    out.push_str(END);
    tags.piece(END.as_bytes());
    (out, tags.done())
}

/// A feed's last line.
const END: &str = "END:VCALENDAR\r\n";

/// A feed's text before its events: the calendar's own properties.
fn head(name: &str, refresh: TimeDelta) -> String {
    let mut cal = Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"));
    cal.append_property(Property::new("PRODID", "-//timeward//suggestions//EN"));
    cal.append_property(Property::new("CALSCALE", "GREGORIAN"));
    cal.name(name);
    cal.ttl(&refresh.max(TimeDelta::minutes(1)));
    let mut whole = cal.done().to_string();
    if whole.ends_with(END) {
        whole.truncate(whole.len() - END.len());
    }
    whole
}

/// The last cycle's feed, and where each of its events' text stands in it, by UID, with
/// the version it was written with (whose digest covers everything the text says): a
/// cycle that changed one suggestion writes one event's text and copies the rest.
#[derive(Debug, Default)]
pub struct Rendered {
    /// The last feed, shared with whoever serves it.
    text: std::sync::Arc<String>,
    /// Each event's version, place in `text` and the hash of its text (for [`tag`]).
    spans: Vec<text::Span>,
    tag: u64,
    /// The feed before the last, to write the next one into once nothing serves it.
    spare: Option<std::sync::Arc<String>>,
}

impl Rendered {
    /// The last feed's [`tag`], made as it was written.
    pub fn tag(&self) -> u64 {
        self.tag
    }
}

/// [`render`], copying from the last cycle's feed (in `cache`) the text of each event
/// whose version is the one it was written with, and keeping this cycle's feed there.
/// `versions` must be [`advance`]'s over `events` (their digests say what each event
/// says). The same bytes as [`render`] (tested).
pub fn render_reusing(
    events: &[FeedEvent],
    versions: &Versions,
    name: &str,
    refresh: TimeDelta,
    cache: &mut Rendered,
) -> std::sync::Arc<String> {
    let head = &head(name, refresh);
    let mut spans = Vec::with_capacity(events.len());
    // The text before the last, when nothing serves it any more: its memory is written
    // again instead of fresh memory being taken (and the system zeroing it) every cycle.
    let mut out = match cache
        .spare
        .take()
        .and_then(|t| std::sync::Arc::try_unwrap(t).ok())
    {
        Some(mut t) => {
            t.clear();
            // Kept while it has room for a feed a little longer than the last. Growing
            // it would take fresh memory (zeroed by the system) and copy its old bytes
            // into it: with a feed that grows a few bytes a cycle, every cycle. Short of
            // room, it is given up and made afresh at the size of one.
            let last = cache.text.len();
            if t.capacity() < last + last / 32 {
                t = String::with_capacity(last + last / 16);
            }
            t
        }
        None => String::with_capacity(
            (cache.text.len() + cache.text.len() / 16).max(head.len() + END.len()),
        ),
    };
    let mut tags = Tags::default();
    out.push_str(head);
    tags.piece(head.as_bytes());
    // The texts the last feed cannot give, made first (on two threads when there are
    // many, as from scratch), each with its hash.
    let mut fresh = text::fresh(events, versions, &cache.spans).into_iter();
    let mut last = text::Finder::new(&cache.spans);
    for e in events {
        let fresh = fresh.next().flatten();
        let from = out.len();
        // `versions` are `advance`'s over these events: each digest is its event's.
        let Some(&v) = versions.get(&e.uid) else {
            // Not versioned: written afresh, and never taken from the cache.
            let (text, h) = fresh.unwrap_or_else(|| text::made(e, unversioned()));
            tags.add(h);
            out.push_str(&text);
            continue;
        };
        let kept = last
            .find(e.start, &e.uid)
            .filter(|was| was.version == v)
            .and_then(|was| Some((cache.text.get(was.range.clone())?, was.hash)));
        let h = match kept {
            Some((text, h)) => {
                out.push_str(text);
                h
            }
            None => {
                let (text, h) = fresh.unwrap_or_else(|| text::made(e, v));
                out.push_str(&text);
                h
            }
        };
        tags.add(h);
        spans.push(text::Span {
            uid: e.uid.clone(),
            start: e.start,
            version: v,
            range: from..out.len(),
            hash: h,
        });
    }
    out.push_str(END);
    tags.piece(END.as_bytes());
    cache.tag = tags.done();
    // Served until the next change: little spare capacity kept with it.
    if out.capacity() > out.len() + out.len() / 8 {
        out.shrink_to_fit();
    }
    let out = std::sync::Arc::new(out);
    cache.spare = Some(std::mem::replace(
        &mut cache.text,
        std::sync::Arc::clone(&out),
    ));
    cache.spans = spans;
    out
}

/// The feed's ETag number, a function of its bytes alone: the hashes of its pieces (the
/// head, each VEVENT's text, the end) hashed in turn. A cycle makes it from the pieces it
/// writes and the hashes it kept for the ones it copies ([`Rendered::tag`]); a daemon
/// that starts serving the last feed from disk makes the same number from the file.
pub fn tag(text: &[u8]) -> u64 {
    const EVENT: &[u8] = b"BEGIN:VEVENT\r\n";
    const END: &[u8] = b"END:VCALENDAR\r\n";
    let mut tags = Tags::default();
    let body = text.strip_suffix(END);
    let (body, end) = match body {
        Some(b) => (b, END),
        None => (text, &b""[..]),
    };
    let mut from = 0;
    let mut at = 0;
    // A piece begins at each line that begins a VEVENT (text never holds one: its line
    // breaks are escaped, and folded lines begin with a space).
    while let Some(i) = find(&body[at..], EVENT) {
        let start = at + i;
        if start > 0 && body[start - 1] == b'\n' {
            tags.piece(&body[from..start]);
            from = start;
        }
        at = start + EVENT.len();
    }
    tags.piece(&body[from..]);
    if !end.is_empty() {
        tags.piece(end);
    }
    tags.done()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// The pieces' hashes, hashed in turn.
#[derive(Default)]
struct Tags(Vec<u8>);

impl Tags {
    fn piece(&mut self, bytes: &[u8]) {
        self.add(hash(bytes));
    }

    fn add(&mut self, h: u64) {
        self.0.extend_from_slice(&h.to_le_bytes());
    }

    fn done(&self) -> u64 {
        hash(&self.0)
    }
}

/// The version of an event `versions` does not name, as `render` has always written it.
fn unversioned() -> Version {
    Version {
        sequence: 0,
        changed: DateTime::<Utc>::UNIX_EPOCH,
        digest: 0,
    }
}

mod text;
mod versions;
use text::room;
pub use text::{digest, digests};
use text::{hash, Basic};
pub use versions::{advance, advance_digested, same_uid};

#[cfg(test)]
mod tests;
