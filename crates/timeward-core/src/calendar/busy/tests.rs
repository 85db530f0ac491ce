//! Busy calendars: only time is kept, and a meeting in two calendars counts once.

use std::collections::HashSet;

use super::{anonymize, merge};
use crate::calendar::{ics, Kind};

const EXEC: &str = "dana@acme.example";

fn personal() -> crate::calendar::Snapshot {
    ics::parse(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n\
         BEGIN:VEVENT\r\nUID:own\r\nDTSTART:20261208T140000Z\r\nDTEND:20261208T150000Z\r\n\
         SUMMARY:SECRET yoga\r\nDESCRIPTION:SECRET pass\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:cancelled\r\nDTSTART:20261208T160000Z\r\nDTEND:20261208T170000Z\r\n\
         STATUS:CANCELLED\r\nSUMMARY:SECRET party\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:free\r\nDTSTART:20261208T160000Z\r\nDTEND:20261208T170000Z\r\n\
         TRANSP:TRANSPARENT\r\nSUMMARY:SECRET note\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:declined\r\nDTSTART:20261208T180000Z\r\nDTEND:20261208T190000Z\r\n\
         ORGANIZER:mailto:friend@me.example\r\n\
         ATTENDEE;PARTSTAT=DECLINED:mailto:dana@acme.example\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:invited\r\nDTSTART:20261209T180000Z\r\nDTEND:20261209T190000Z\r\n\
         ORGANIZER:mailto:friend@me.example\r\nSUMMARY:SECRET dinner\r\n\
         ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:dana@acme.example\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:family\r\nDTSTART:20261210T180000Z\r\nDTEND:20261210T190000Z\r\n\
         ORGANIZER:mailto:spouse@me.example\r\nSUMMARY:SECRET recital\r\n\
         ATTENDEE;PARTSTAT=ACCEPTED:mailto:kid@me.example\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:shared@acme.example\r\nDTSTART:20261211T140000Z\r\n\
         DTEND:20261211T150000Z\r\nSUMMARY:Board call\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .expect("parses")
}

#[test]
fn only_busy_time_is_kept_and_nothing_of_its_text() {
    let busy = anonymize(personal(), EXEC);
    let uids: Vec<&str> = busy.events.iter().map(|e| e.uid.as_str()).collect();
    // Own blocks and a shared calendar's events take time; cancelled, free, declined
    // and unanswered ones do not.
    assert_eq!(uids, ["own", "family", "shared@acme.example"]);
    for e in &busy.events {
        assert_eq!(e.public_title(), "a private event");
        assert!(e.title.is_empty() && e.description.is_empty());
        assert!(e.organizer.is_none() && e.attendees.is_empty());
        assert_eq!(e.kind(EXEC), Kind::Busy);
    }
    assert!(!format!("{busy:?}").contains("SECRET"));
}

#[test]
fn a_meeting_in_two_calendars_counts_once() {
    let work = ics::parse(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n\
         BEGIN:VEVENT\r\nUID:shared@acme.example\r\nDTSTART:20261211T140000Z\r\n\
         DTEND:20261211T150000Z\r\nSUMMARY:Board call\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .expect("parses");
    let busy = anonymize(personal(), EXEC);
    let merged = merge(&work, &[("personal", &busy)], &HashSet::new());
    let shared = merged
        .events
        .iter()
        .filter(|e| e.uid == "shared@acme.example")
        .count();
    assert_eq!(shared, 1);
    // The work copy is the one kept, with its title.
    assert_eq!(merged.events[0].title, "Board call");
    assert_eq!(merged.events.len(), 3);
    // Known by another UID (Google's iCalUID for its own event id): the same.
    let aliases: HashSet<String> = ["own".to_string()].into_iter().collect();
    let merged = merge(&work, &[("personal", &busy)], &aliases);
    assert_eq!(merged.events.len(), 2);
    // Two busy calendars with the same meeting: the first one's copy.
    let twice = merge(&work, &[("a", &busy), ("b", &busy)], &HashSet::new());
    assert_eq!(twice.events.len(), 3);
}
