//! Each event's kind for the executive (busy, a request, neither), worked out for the
//! events a run looks at, and kept between runs by the event's reading ([`Origin`]):
//! an event read the same way again is not looked at again.
//!
//! [`Origin`]: super::Origin

use super::expand::Occurrence;
use super::{Event, Kind};

/// The kinds of the last run's events for one executive, by the event's place: the
/// reading each was worked out for (its origin's number) and the kind.
#[derive(Default)]
pub struct KindCache {
    exec: String,
    by_event: Vec<(u64, Kind)>,
}

/// The kind of each event with an occurrence in `occurrences` (by event; the others
/// are [`Kind::Other`]: nothing looks at them). With `cache`, an event of the reading
/// the cache holds at its place takes its kind from there (the same kind: an event's
/// reading stands for what it says); the others are worked out and kept.
pub fn kinds_of(
    events: &[Event],
    occurrences: &[Occurrence],
    exec: &str,
    cache: Option<&mut KindCache>,
) -> Vec<Kind> {
    let mut kinds = vec![Kind::Other; events.len()];
    let mut known = vec![false; events.len()];
    let mut cache = cache;
    if let Some(c) = cache.as_deref_mut() {
        if c.exec != exec {
            c.exec = exec.to_string();
            c.by_event.clear();
        }
        // What stands at a place may be another event now: the reading says.
        c.by_event.resize(events.len(), (0, Kind::Other));
    }
    for o in occurrences {
        let i = o.event;
        if known[i] {
            continue;
        }
        known[i] = true;
        kinds[i] = match cache.as_deref_mut() {
            Some(c) => c.kind(i, &events[i], exec),
            None => events[i].kind(exec),
        };
    }
    kinds
}

impl KindCache {
    /// The kind of `event`, standing at place `i`: kept when the cache holds its reading
    /// there, else worked out and kept.
    fn kind(&mut self, i: usize, event: &Event, exec: &str) -> Kind {
        let reading = event.origin.number().map_or(0, std::num::NonZeroU64::get);
        match self.by_event[i] {
            (was, kind) if reading != 0 && was == reading => kind,
            _ => {
                let kind = event.kind(exec);
                self.by_event[i] = (reading, kind);
                kind
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{kinds_of, KindCache};
    use crate::calendar::{Kind, Origin};

    /// Kept kinds are the kinds worked out afresh, run after run, as events change their
    /// answer (with a new reading), move places, and the executive changes; and an event
    /// kept at its place with its reading is not looked at again.
    #[test]
    fn kept_kinds_are_the_kinds_worked_out_afresh() {
        let exec = "dana@acme.example";
        let text = |partstat: &str, uid: &str| {
            format!(
                "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:20261202T090000Z\r\nDTEND:20261202T100000Z\r\nORGANIZER:mailto:lee@acme.example\r\nATTENDEE;PARTSTAT={partstat}:mailto:{exec}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            )
        };
        let read = |partstat: &str, uid: &str| {
            let snap =
                crate::calendar::ics::parse_bytes(text(partstat, uid).as_bytes()).expect("parses");
            snap.events.into_iter().next().expect("one event")
        };
        let a = read("NEEDS-ACTION", "a");
        let b = read("ACCEPTED", "b");
        let c = read("DECLINED", "c");
        let mut cache = KindCache::default();
        use chrono::TimeZone;
        let from = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let to = chrono::Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        let mut check = |events: &[crate::calendar::Event], who: &str| {
            let (occurrences, _) =
                crate::calendar::expand::expand(events, chrono_tz::UTC, from, to);
            let kept = kinds_of(events, &occurrences, who, Some(&mut cache));
            let fresh = kinds_of(events, &occurrences, who, None);
            assert_eq!(kept, fresh);
            kept
        };
        assert_eq!(
            check(&[a.clone(), b.clone(), c.clone()], exec),
            [Kind::Request, Kind::Busy, Kind::Other]
        );
        // "a" answered (a new reading), "b" and "c" swap places, one more at the end.
        let answered = read("ACCEPTED", "a");
        let d = read("TENTATIVE", "d");
        assert_eq!(
            check(&[answered, c.clone(), b.clone(), d.clone()], exec),
            [Kind::Busy, Kind::Other, Kind::Busy, Kind::Busy]
        );
        // Someone else's view of the same events.
        assert_eq!(
            check(&[a.clone(), b.clone()], "sam@acme.example"),
            [Kind::Other, Kind::Other]
        );
        // Kept at its place with its reading: taken from the cache, whatever the event
        // now says (which an event of the same reading cannot do; here it shows that the
        // kind was not worked out again).
        let mut forged = b.clone();
        forged.attendees.clear();
        forged.organizer = None;
        forged.transparent = true;
        let (occurrences, _) =
            crate::calendar::expand::expand(std::slice::from_ref(&b), chrono_tz::UTC, from, to);
        let mut cache = KindCache::default();
        let mut kept = |e: &crate::calendar::Event| {
            kinds_of(
                std::slice::from_ref(e),
                &occurrences,
                exec,
                Some(&mut cache),
            )
        };
        assert_eq!(kept(&b), [Kind::Busy]);
        assert_eq!(kept(&forged), [Kind::Busy]);
        // An event made by hand has no reading: never taken from the cache.
        forged.origin = Origin::default();
        assert_eq!(kept(&forged), [Kind::Other]);
    }
}
