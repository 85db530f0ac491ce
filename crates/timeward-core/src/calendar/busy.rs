//! Calendars that only contribute busy time (the executive's personal calendar, a board
//! seat's, the family's): their events are made anonymous as they are read — no title,
//! no description, no people, "a private event" wherever they are named — and merged
//! after the primary calendar's, each meeting counted once.

use std::collections::HashSet;

use super::{Event, Kind, Snapshot, Warning, Why};

/// The busy time of `snapshot` for `exec`: every event that blocks the executive's time
/// (their own, accepted or tentative, or in a calendar shared with them without them as
/// an attendee), stripped of everything but its times and UID. Cancelled, free,
/// declined, delegated and still unanswered events are left out: they take no time.
pub fn anonymize(snapshot: Snapshot, exec: &str) -> Snapshot {
    let events = snapshot
        .events
        .into_iter()
        .filter(|e| {
            matches!(
                e.kind_why(exec),
                (Kind::Busy, _) | (Kind::Other, Why::NotInvited)
            )
        })
        .map(|e| Event {
            title: String::new(),
            description: String::new(),
            organizer: None,
            attendees: Vec::new(),
            private: true,
            ..e
        })
        .collect();
    Snapshot {
        events,
        warnings: snapshot.warnings,
    }
}

/// The primary calendar with the busy calendars' events after it. A busy event whose UID
/// the primary has (or one of `aliases`: other UIDs the primary's events are known by,
/// such as Google's iCalUID), or an earlier busy calendar has, is the same meeting and
/// is left out. The busy calendars' warnings are kept, each saying which calendar.
pub fn merge(
    primary: &Snapshot,
    busy: &[(&str, &Snapshot)],
    aliases: &HashSet<String>,
) -> Snapshot {
    let mut seen: HashSet<&str> = primary.events.iter().map(|e| e.uid.as_str()).collect();
    seen.extend(aliases.iter().map(String::as_str));
    let mut out = primary.clone();
    for (name, snap) in busy {
        let mut mine: HashSet<&str> = HashSet::new();
        for e in &snap.events {
            // Overrides share their master's UID: a UID is "taken" only by another
            // calendar, not by this one's own copies.
            if seen.contains(e.uid.as_str()) {
                continue;
            }
            mine.insert(e.uid.as_str());
            out.events.push(e.clone());
        }
        out.warnings.extend(snap.warnings.iter().map(|w| Warning {
            line: w.line,
            message: format!("busy calendar {name}: {}", w.message),
        }));
        seen.extend(mine);
    }
    out
}

#[cfg(test)]
mod tests;
