//! Expansion tables: old fine-grained series started near the window, with the same
//! instants a walk from DTSTART gives.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::expand;
use crate::calendar::ics::parse;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// The starts of one event with `rule` from `start`, in `[from, to)`.
fn starts(start: &str, rule: &str, from: &str, to: &str) -> Vec<String> {
    let text = format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:{start}\r\nRRULE:{rule}\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let snapshot = parse(&text).unwrap_or_else(|e| panic!("{e}"));
    let (occ, warnings) = expand(&snapshot.events, Tz::UTC, at(from), at(to));
    assert!(warnings.is_empty(), "{warnings:?}");
    occ.iter()
        .map(|o| o.start.format("%F %T").to_string())
        .collect()
}

/// Fine-grained series that began long ago are expanded from near the window, with
/// the same instants as a walk from DTSTART would give (checked by arithmetic).
#[test]
fn old_fine_grained_series_start_near_the_window() {
    let from = "2024-09-09T00:00:00Z";
    let to = "2024-09-09T00:00:05Z";
    // Every second: five instants.
    assert_eq!(
        starts("19970902T090000Z", "FREQ=SECONDLY", from, to),
        (0..5)
            .map(|s| format!("2024-09-09 00:00:0{s}"))
            .collect::<Vec<_>>()
    );
    // Every 7 seconds since 1997: (2024-09-09 - 1997-09-02 09:00) = 851 871 600 s,
    // which is 4 (mod 7), so the instant at or after 00:00:00 is 00:00:03.
    assert_eq!(
        starts("19970902T090000Z", "FREQ=SECONDLY;INTERVAL=7", from, to),
        vec!["2024-09-09 00:00:03"]
    );
    // Beside another rule (the series is their union), each rule starts on its own.
    assert_eq!(
        starts(
            "19970902T090000Z",
            "FREQ=SECONDLY;INTERVAL=7\r\nRRULE:FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=9;BYHOUR=0;BYMINUTE=0;BYSECOND=1",
            from,
            to
        ),
        vec!["2024-09-09 00:00:01", "2024-09-09 00:00:03"]
    );
    // COUNT counts from DTSTART: 691 503 seconds from 2024-09-01 end at 00:05:02
    // on the 9th (8 × 86 400 + 302 = 691 502 is the last offset).
    assert_eq!(
        starts(
            "20240901T000000Z",
            "FREQ=SECONDLY;COUNT=691503",
            "2024-09-09T00:05:00Z",
            "2024-09-09T00:06:00Z"
        ),
        vec![
            "2024-09-09 00:05:00",
            "2024-09-09 00:05:01",
            "2024-09-09 00:05:02"
        ]
    );
    // A COUNT used up long before the window: nothing.
    assert!(starts("19970902T090000Z", "FREQ=MINUTELY;COUNT=100000", from, to).is_empty());
    // BY parts filter the same instants.
    assert_eq!(
        starts(
            "19970902T090000Z",
            "FREQ=MINUTELY;BYDAY=MO;BYHOUR=0;BYMINUTE=0,1",
            "2024-09-09T00:00:00Z",
            "2024-09-16T00:02:00Z"
        ),
        vec![
            "2024-09-09 00:00:00",
            "2024-09-09 00:01:00",
            "2024-09-16 00:00:00",
            "2024-09-16 00:01:00"
        ]
    );
    // Fortnightly since Monday 1900-01-01: 2024-09-09 is 6 506 weeks on (even).
    assert_eq!(
        starts(
            "19000101T100000Z",
            "FREQ=WEEKLY;INTERVAL=2",
            "2024-09-01T00:00:00Z",
            "2024-09-15T00:00:00Z"
        ),
        vec!["2024-09-09 10:00:00"]
    );
}
