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

/// Expanding with the series' instants kept between runs gives what expanding afresh
/// gives: as the window moves within a day and across midnight, after a series changes,
/// and for a series so fine-grained that the widened walk stops short (not kept).
#[test]
fn kept_series_expand_as_fresh_ones() {
    use super::{expand_kept, expand_on, RuleCache};
    use crate::demo::{calendar, Shape};
    use chrono::TimeDelta;
    let now = at("2026-12-07T13:00:00Z");
    let shape = Shape {
        events: 600,
        requests: 100,
        days: 60,
        request_days: 28,
        recurring_one_in: 4,
    };
    let tz = Tz::America__New_York;
    let mut snapshot = calendar(3, shape, now, tz);
    let fine = parse(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:fine\r\nDTSTART:20261201T000000Z\r\n\
         DURATION:PT1S\r\nRRULE:FREQ=SECONDLY;INTERVAL=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    snapshot.events.extend(fine.events);
    let series = snapshot
        .events
        .iter()
        .filter(|e| e.recurrence.is_some() && e.recurrence_id.is_none())
        .count();
    assert!(series > 50, "{series}");
    let mut cache = RuleCache::new();
    for (step, minutes) in [0i64, 20, 40, 11 * 60, 11 * 60 + 20, 4 * 24 * 60]
        .into_iter()
        .enumerate()
    {
        let t = now + TimeDelta::minutes(minutes);
        if step == 2 {
            // A series moved by an hour: walked again.
            let e = snapshot
                .events
                .iter_mut()
                .find(|e| e.recurrence.is_some() && e.recurrence_id.is_none())
                .expect("a series");
            e.start = match e.start {
                crate::calendar::EventTime::Zoned(t, z) => {
                    crate::calendar::EventTime::Zoned(t + TimeDelta::hours(1), z)
                }
                other => other,
            };
        }
        let window = (t - TimeDelta::days(3), t + TimeDelta::days(30));
        let kept = expand_kept(&snapshot.events, tz, window, 2, Some(&mut cache));
        let fresh = expand_on(&snapshot.events, tz, window.0, window.1, 2);
        assert!(kept == fresh, "step {step}: the kept expansion differs");
        // The series that reach the window are kept (not the fine-grained one).
        assert!(
            cache.len() >= 50 && cache.len() < series,
            "step {step}: {}",
            cache.len()
        );
    }
}

/// A run that expands only what changed since the last gives what expanding afresh
/// gives, as a calendar file is edited and read again the way the daemon reads it (the
/// unchanged events kept from the last read): a meeting moved, a series' rule broken and
/// mended, overrides added, moved and removed (one reaching forward), events appended and
/// dropped, lines added above everything; the window moving within a day and across
/// midnight. It really expands only the changed events (and the series with overrides).
#[test]
fn runs_expanding_only_the_changed_events_expand_as_fresh_ones() {
    use super::{expand_kept, expand_on, RuleCache};
    use crate::calendar::ics::{parse_bytes_reusing, Reuse};
    use crate::demo::{calendar, to_ics, Shape};
    use chrono::TimeDelta;
    let now = at("2026-12-07T13:00:00Z");
    let shape = Shape {
        events: 2_000,
        requests: 200,
        days: 60,
        request_days: 28,
        recurring_one_in: 5,
    };
    let tz = Tz::America__New_York;
    let generated = to_ics(&calendar(5, shape, now, tz));
    let event = |uid: &str, lines: &str| {
        format!("BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T000000Z\r\n{lines}END:VEVENT\r\n")
    };
    let weekly = "DTSTART;TZID=America/New_York:20261130T100000\r\nDURATION:PT1H\r\n\
                  RRULE:FREQ=WEEKLY;COUNT=12\r\n";
    let special = [
        event("series-a", weekly),
        event(
            "series-b",
            "DTSTART:20261201T150000Z\r\nDURATION:PT30M\r\nRRULE:FREQ=DAILY\r\n",
        ),
        event(
            "series-a",
            "RECURRENCE-ID;TZID=America/New_York:20261207T100000\r\n\
             DTSTART;TZID=America/New_York:20261207T140000\r\nDURATION:PT1H\r\n",
        ),
        event(
            "series-a",
            "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=America/New_York:20261221T100000\r\n\
             DTSTART;TZID=America/New_York:20261221T110000\r\nDURATION:PT1H\r\n",
        ),
        event(
            "broken",
            "DTSTART:20261208T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;BYMONTHDAY=1\r\n",
        ),
    ]
    .concat();
    let base = generated.replacen("END:VCALENDAR", &format!("{special}END:VCALENDAR"), 1);
    let single = generated
        .split("BEGIN:VEVENT")
        .nth(3)
        .and_then(|b| b.split("DTSTART").nth(1))
        .and_then(|d| d.split("\r\n").next())
        .map(|d| format!("DTSTART{d}\r\n"))
        .expect("a generated event");
    let moved_single = "DTSTART;TZID=America/New_York:20261210T093000\r\n".to_string();
    let appended = event("late", "DTSTART:20261209T170000Z\r\nDURATION:PT45M\r\n");
    let new_override = event(
        "series-b",
        "RECURRENCE-ID:20261209T150000Z\r\nDTSTART:20261209T190000Z\r\nDURATION:PT30M\r\n",
    );
    let steps: Vec<(&str, String, i64, bool)> = vec![
        ("as it was", base.clone(), 0, false),
        ("nothing changed, 20 minutes on", base.clone(), 20, true),
        (
            "a meeting moved",
            base.replacen(&single, &moved_single, 1),
            40,
            true,
        ),
        (
            "a rule mended",
            base.replace("BYMONTHDAY=1", "BYDAY=TU"),
            50,
            true,
        ),
        (
            "an override added",
            base.replacen("END:VCALENDAR", &format!("{new_override}END:VCALENDAR"), 1),
            60,
            true,
        ),
        (
            "and moved",
            base.replacen(
                "END:VCALENDAR",
                &format!(
                    "{}END:VCALENDAR",
                    new_override.replace("T190000Z", "T200000Z")
                ),
                1,
            ),
            70,
            true,
        ),
        ("and removed", base.clone(), 80, true),
        (
            "the one reaching forward moved",
            base.replace("20261221T110000", "20261221T120000"),
            90,
            true,
        ),
        (
            "an event appended",
            base.replacen("END:VCALENDAR", &format!("{appended}END:VCALENDAR"), 1),
            100,
            true,
        ),
        (
            "lines above everything",
            base.replacen("BEGIN:VEVENT", "X-A:1\r\nX-B:2\r\nBEGIN:VEVENT", 1),
            110,
            true,
        ),
        ("past midnight", base.clone(), 11 * 60 + 30, false),
    ];
    let mut reuse = Reuse::new();
    let mut cache = RuleCache::new();
    for (what, text, minutes, few) in steps {
        let snapshot = parse_bytes_reusing(text.as_bytes(), 2, &mut reuse)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let t = now + TimeDelta::minutes(minutes);
        let window = (t - TimeDelta::days(3), t + TimeDelta::days(30));
        let kept = expand_kept(&snapshot.events, tz, window, 2, Some(&mut cache));
        let fresh = expand_on(&snapshot.events, tz, window.0, window.1, 2);
        assert!(kept == fresh, "{what}: the expansion differs");
        assert!(
            !fresh.1.is_empty() || what == "a rule mended",
            "{what}: {:?}",
            fresh.1
        );
        let expanded = cache.expanded_last();
        if few {
            assert!(expanded < 12, "{what}: {expanded} events expanded again");
        } else {
            assert_eq!(expanded, snapshot.events.len(), "{what}");
        }
    }
}
