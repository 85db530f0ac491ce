//! One feed event's text, written by the `icalendar` crate, and what it says as a number.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use icalendar::{Component, EventLike, EventStatus};

use super::{FeedEvent, Version, Versions, What};

/// When most of the events are not in the last feed (`spans`, by UID, with the version
/// each was written with), as for a feed from scratch: for each event, its text and that
/// text's hash when the last feed does not hold it at its version, or `None`, made on
/// two threads (`par::on_two`; the same texts). Otherwise nothing: the few that are
/// needed are made as the feed is written, without looking each event up twice.
pub(super) fn fresh(
    events: &[FeedEvent],
    versions: &Versions,
    spans: &[Span],
) -> Vec<Option<(String, u64)>> {
    if spans.len() >= events.len() / 2 {
        return Vec::new();
    }
    let by_uid: HashMap<&str, &Span> = spans.iter().map(|s| (&*s.uid, s)).collect();
    let one = |e: &FeedEvent| -> Option<(String, u64)> {
        let v = match versions.get(&e.uid) {
            Some(v) if by_uid.get(&*e.uid).is_some_and(|s| s.version == *v) => return None,
            Some(v) => *v,
            None => super::unversioned(),
        };
        Some(made(e, v))
    };
    crate::par::on_two(events, 256, one)
}

/// Where one event's text stands in the last feed, at which version, and its hash.
#[derive(Debug)]
pub(super) struct Span {
    pub(super) uid: std::sync::Arc<str>,
    pub(super) start: DateTime<Utc>,
    pub(super) version: Version,
    pub(super) range: std::ops::Range<usize>,
    pub(super) hash: u64,
}

/// Finds the last feed's spans for this feed's events in turn. Both are in feed order
/// (by start, then UID), so one walk through both finds every event the last feed holds
/// at the same start, without a map of UIDs. An event out of that order is not found,
/// and its text is made afresh (the same text: only the time is lost).
pub(super) struct Finder<'a> {
    spans: &'a [Span],
    next: usize,
}

impl<'a> Finder<'a> {
    pub(super) fn new(spans: &'a [Span]) -> Finder<'a> {
        Finder { spans, next: 0 }
    }

    pub(super) fn find(&mut self, start: DateTime<Utc>, uid: &str) -> Option<&'a Span> {
        while let Some(s) = self.spans.get(self.next) {
            match (s.start, &*s.uid).cmp(&(start, uid)) {
                std::cmp::Ordering::Less => self.next += 1,
                std::cmp::Ordering::Equal => {
                    self.next += 1;
                    return Some(s);
                }
                std::cmp::Ordering::Greater => return None,
            }
        }
        None
    }
}

/// More than the text of `events` can take: each text value escaped doubles at most and
/// folding adds 3 octets per 75, plus the fixed properties (times, version, status,
/// categories, timeward's own).
pub(super) fn room(events: &[FeedEvent]) -> usize {
    events
        .iter()
        .map(|e| {
            let values = e.uid.len()
                + e.summary.len()
                + e.description.len()
                + match &e.what {
                    What::Suggestion {
                        event_id,
                        delegate_to,
                        ..
                    } => 2 * event_id.len() + delegate_to.as_ref().map_or(0, |d| d.len()),
                    What::Reservation => 0,
                };
            2 * values * 26 / 25 + 1024
        })
        .sum()
}

/// One event's text at version `v`, and its hash.
pub(super) fn made(e: &FeedEvent, v: Version) -> (String, u64) {
    let text = event_text(e, v);
    let h = hash(text.as_bytes());
    (text, h)
}

/// One feed event as the `icalendar` crate writes it inside a calendar.
pub(super) fn event_text(e: &FeedEvent, v: Version) -> String {
    let mut ev = icalendar::Event::new();
    ev.uid(&e.uid)
        .summary(&e.summary)
        .description(&e.description)
        .starts(e.start)
        .ends(e.end)
        .timestamp(v.changed)
        .sequence(v.sequence)
        .status(EventStatus::Tentative)
        .add_property("TRANSP", "TRANSPARENT");
    match &e.what {
        What::Suggestion {
            verdict,
            score,
            delegate_to,
            event_id,
        } => {
            ev.categories(["timeward", verdict.as_str()])
                .add_property("X-TIMEWARD-VERDICT", verdict.as_str())
                .add_property("X-TIMEWARD-SCORE", score.to_string())
                .add_property("X-TIMEWARD-EVENT-ID", &**event_id)
                .add_property("RELATED-TO", &**event_id);
            if let Some(to) = delegate_to {
                ev.add_property("X-TIMEWARD-DELEGATE-TO", &**to);
            }
        }
        What::Reservation => {
            ev.categories(["timeward", "reservation"]);
        }
    }
    Component::to_string(&ev.done())
}

/// What a feed event says, as a number: its version moves when this does.
pub fn digest(e: &FeedEvent) -> u64 {
    use std::fmt::Write as _;
    // The hash of the text `digest_text` makes, written straight into the hash.
    let mut h = crate::Fnv::default();
    // Writing into a hash cannot fail.
    let _ = write!(
        h,
        "{}\u{0}{}\u{0}{}\u{0}{}\u{0}",
        e.summary,
        e.description,
        e.start.timestamp(),
        e.end.timestamp()
    );
    let _ = match &e.what {
        What::Suggestion {
            verdict,
            score,
            delegate_to,
            event_id,
        } => write!(
            h,
            "s|{}|{score}|{}|{event_id}",
            verdict.as_str(),
            delegate_to.as_deref().unwrap_or("")
        ),
        What::Reservation => h.write_str("r"),
    };
    h.0
}

/// What [`digest`] hashes: the event's text and what it suggests, in one string.
#[cfg(test)]
fn digest_text(e: &FeedEvent) -> String {
    let what = match &e.what {
        What::Suggestion {
            verdict,
            score,
            delegate_to,
            event_id,
        } => format!(
            "s|{}|{score}|{}|{event_id}",
            verdict.as_str(),
            delegate_to.as_deref().unwrap_or("")
        ),
        What::Reservation => "r".to_string(),
    };
    let text = format!(
        "{}\u{0}{}\u{0}{}\u{0}{}\u{0}{what}",
        e.summary,
        e.description,
        e.start.timestamp(),
        e.end.timestamp()
    );
    text
}

/// [`digest`] of each event (on two threads when there are many).
pub fn digests(events: &[FeedEvent]) -> Vec<u64> {
    crate::par::on_two(events, 512, digest)
}

/// UIDs and digests must not change between runs or Rust versions.
pub(super) fn hash(bytes: &[u8]) -> u64 {
    crate::fnv1a(bytes)
}

/// An instant as iCalendar's basic UTC form, `%Y%m%dT%H%M%SZ`, without chrono's format
/// parser (one per feed event).
pub(super) struct Basic(pub(super) chrono::DateTime<chrono::Utc>);

impl std::fmt::Display for Basic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use chrono::{Datelike, Timelike};
        let t = self.0;
        if !(0..=9999).contains(&t.year()) {
            return write!(f, "{}", t.format("%Y%m%dT%H%M%SZ"));
        }
        write!(
            f,
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

#[cfg(test)]
mod tests {
    /// The digest hashed piece by piece is the hash of its text made whole (digests are
    /// stored: they must not change).
    #[test]
    fn a_digest_is_the_hash_of_its_text() {
        use crate::feed::{FeedEvent, What};
        use chrono::TimeZone;
        let at = chrono::Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap();
        let mut events = Vec::new();
        for (summary, description) in [
            ("", ""),
            ("Budget ü", "Score 5\n€ reasons"),
            ("a\u{0}b", "x"),
        ] {
            for what in [
                What::Reservation,
                What::Suggestion {
                    verdict: crate::rules::Verdict::Accept,
                    score: -42,
                    delegate_to: None,
                    event_id: "e1".into(),
                },
                What::Suggestion {
                    verdict: crate::rules::Verdict::Delegate,
                    score: 7,
                    delegate_to: Some("sam@acme.example".into()),
                    event_id: "e2".into(),
                },
            ] {
                events.push(FeedEvent {
                    uid: "u".into(),
                    summary: summary.into(),
                    description: description.into(),
                    start: at,
                    end: at + chrono::TimeDelta::minutes(30),
                    what,
                });
            }
        }
        for e in &events {
            assert_eq!(
                super::digest(e),
                super::hash(super::digest_text(e).as_bytes())
            );
        }
        // And they differ where the events do.
        let all: std::collections::HashSet<u64> = events.iter().map(super::digest).collect();
        assert_eq!(all.len(), events.len());
    }

    #[test]
    fn basic_is_chrono_s_format() {
        use chrono::TimeZone;
        for (y, mo, d, h, mi, s) in [
            (2026, 12, 2, 9, 5, 7),
            (1, 1, 1, 0, 0, 0),
            (9999, 12, 31, 23, 59, 59),
            (10000, 1, 1, 0, 0, 0),
        ] {
            let t = chrono::Utc
                .with_ymd_and_hms(y, mo, d, h, mi, s)
                .single()
                .expect("valid");
            assert_eq!(
                super::Basic(t).to_string(),
                t.format("%Y%m%dT%H%M%SZ").to_string()
            );
        }
    }

    /// The walk finds every event the last feed holds at its start, with events added
    /// (before, between and after the others) and dropped, and nothing it does not hold.
    #[test]
    fn the_walk_finds_each_kept_event_as_events_come_and_go() {
        use chrono::TimeZone;
        let at = |h| chrono::Utc.with_ymd_and_hms(2026, 12, 2, h, 0, 0).unwrap();
        let version = crate::feed::Version {
            sequence: 0,
            changed: at(0),
            digest: 0,
        };
        let span = |h, uid: &str| super::Span {
            uid: uid.into(),
            start: at(h),
            version,
            range: 0..0,
            hash: 0,
        };
        // Two events at 10 (in UID order), one each at 9, 11 and 12.
        let last = [
            span(9, "a"),
            span(10, "b"),
            span(10, "c"),
            span(11, "d"),
            span(12, "e"),
        ];
        // Now: one added first, "b" dropped, one added between "c" and "d" (at d's start,
        // before it by UID), "d" moved to 13 (a new UID there), "e" kept, one added last.
        let now = [
            (8, "new1", false),
            (9, "a", true),
            (10, "c", true),
            (11, "ca", false),
            (12, "e", true),
            (13, "d", false),
            (14, "new2", false),
        ];
        let mut finder = super::Finder::new(&last);
        for (h, uid, held) in now {
            let found = finder.find(at(h), uid);
            assert_eq!(found.is_some(), held, "{uid}");
            if let Some(s) = found {
                assert_eq!((&*s.uid, s.start), (uid, at(h)));
            }
        }
    }
}
