//! Table-driven tests of 1:1 placement (SPEC §4), on New York wall-clock times. Each case
//! is a calendar of busy blocks, a `now`, rules, and the reservations expected, written as
//! "series Mon 2026-12-07 09:00-09:30" in local time.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;

use super::place;
use crate::calendar::tz::local_to_utc;
use crate::calendar::{Event, EventTime, Length, Snapshot, Status};
use crate::decide::{Reservation, Unplaced};
use crate::rules::Rules;

const NY: Tz = Tz::America__New_York;

fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|d| d.and_hms_opt(h, mi, 0))
        .expect("valid test time")
}

fn ny(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    local_to_utc(NY, local(y, mo, d, h, mi))
}

/// A block of the executive's own time (no attendees: busy).
fn busy(uid: &str, at: (i32, u32, u32, u32, u32), minutes: i64) -> Event {
    let (y, mo, d, h, mi) = at;
    Event {
        uid: uid.into(),
        title: uid.into(),
        description: String::new(),
        start: EventTime::Zoned(local(y, mo, d, h, mi), NY),
        length: Length::Exact(TimeDelta::minutes(minutes)),
        recurrence: None,
        recurrence_id: None,
        this_and_future: false,
        organizer: None,
        attendees: Vec::new(),
        status: Status::Confirmed,
        transparent: false,
        private: false,
        line: 0,
    }
}

struct Setup<'a> {
    buffer: &'a str,
    horizon: &'a str,
    hours: &'a str,
    extra: &'a str,
}

const WEEKDAYS: &str = r#"mon = "09:00-17:30"
tue = "09:00-17:30"
wed = "09:00-17:30"
thu = "09:00-17:30"
fri = "09:00-13:00""#;

fn setup(extra: &str) -> Setup<'_> {
    Setup {
        buffer: "0m",
        horizon: "4w",
        hours: WEEKDAYS,
        extra,
    }
}

fn rules(s: &Setup<'_>) -> Rules {
    let text = format!(
        r#"
[executive]
name = "Dana"
email = "dana@acme.example"
timezone = "America/New_York"
assistant = "sam@acme.example"
known_domains = ["acme.example"]
[working_hours]
{}
[limits]
horizon = "{}"
buffer = "{}"
{}
"#,
        s.hours, s.horizon, s.buffer, s.extra
    );
    Rules::parse(&text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn snapshot(events: Vec<Event>) -> Snapshot {
    Snapshot {
        events,
        warnings: Vec::new(),
    }
}

fn show(r: &Reservation) -> String {
    let s = r.start.with_timezone(&NY);
    let e = r.end.with_timezone(&NY);
    format!(
        "{} {} {}-{}",
        r.series,
        s.format("%a %Y-%m-%d"),
        s.format("%H:%M"),
        e.format("%H:%M")
    )
}

fn run(
    s: &Setup<'_>,
    events: Vec<Event>,
    previous: &[Reservation],
    now: DateTime<Utc>,
) -> (Vec<Reservation>, Vec<Unplaced>) {
    place(&snapshot(events), &rules(s), previous, now)
}

fn shown(r: &[Reservation]) -> Vec<String> {
    r.iter().map(show).collect()
}

const SAM_WEEKLY: &str = r#"
[[one_on_ones]]
with = "sam@acme.example"
title = "Sam"
every = "1w"
duration = "30m"
prefer = { days = ["mon"], time = "09:00-10:00" }
"#;

#[test]
fn placement_cases() {
    let monday = ny(2026, 12, 7, 8, 0);
    struct Case<'a> {
        name: &'a str,
        setup: Setup<'a>,
        events: Vec<Event>,
        now: DateTime<Utc>,
        want: &'a [&'a str],
        unplaced: &'a [&'a str],
    }
    let two_series = |first: &'static str, second: &'static str| {
        let one = |name: &str| {
            format!(
                r#"
[[one_on_ones]]
with = "{name}@acme.example"
title = "{name}"
every = "1w"
duration = "30m"
prefer = {{ days = ["mon"], time = "09:00-09:30" }}
"#
            )
        };
        Box::leak(format!("{}{}", one(first), one(second)).into_boxed_str()) as &str
    };
    let cases = vec![
        Case {
            name: "prefer hit every week",
            setup: setup(SAM_WEEKLY),
            events: vec![],
            now: monday,
            want: &[
                "Sam Mon 2026-12-07 09:00-09:30",
                "Sam Mon 2026-12-14 09:00-09:30",
                "Sam Mon 2026-12-21 09:00-09:30",
                "Sam Mon 2026-12-28 09:00-09:30",
            ],
            unplaced: &[],
        },
        Case {
            name: "a slot that starts exactly at now is under way: the first week moves on",
            setup: setup(SAM_WEEKLY),
            events: vec![],
            now: ny(2026, 12, 7, 9, 0),
            want: &[
                "Sam Mon 2026-12-07 09:15-09:45",
                "Sam Mon 2026-12-14 09:00-09:30",
                "Sam Mon 2026-12-21 09:00-09:30",
                "Sam Mon 2026-12-28 09:00-09:30",
            ],
            unplaced: &[],
        },
        Case {
            name: "the usual slot counts the first period's busy time before now, days back",
            setup: setup(SAM_WEEKLY),
            events: vec![busy("standup", (2026, 12, 7, 9, 0), 30)],
            now: ny(2026, 12, 9, 12, 0),
            want: &[
                "Sam Wed 2026-12-09 12:15-12:45",
                "Sam Mon 2026-12-14 09:30-10:00",
                "Sam Mon 2026-12-21 09:30-10:00",
                "Sam Mon 2026-12-28 09:30-10:00",
            ],
            unplaced: &[],
        },
        Case {
            name: "prefer blocked in one week only: that week takes the earliest fallback slot",
            setup: setup(SAM_WEEKLY),
            events: vec![busy("offsite", (2026, 12, 14, 9, 0), 60)],
            now: monday,
            want: &[
                "Sam Mon 2026-12-07 09:00-09:30",
                "Sam Mon 2026-12-14 10:00-10:30",
                "Sam Mon 2026-12-21 09:00-09:30",
                "Sam Mon 2026-12-28 09:00-09:30",
            ],
            unplaced: &[],
        },
        Case {
            name: "prefer partly blocked: the earliest free prefer slot before any fallback",
            setup: setup(SAM_WEEKLY),
            events: vec![busy("standup", (2026, 12, 14, 9, 0), 15)],
            now: monday,
            want: &[
                "Sam Mon 2026-12-07 09:00-09:30",
                "Sam Mon 2026-12-14 09:15-09:45",
                "Sam Mon 2026-12-21 09:00-09:30",
                "Sam Mon 2026-12-28 09:00-09:30",
            ],
            unplaced: &[],
        },
        Case {
            name: "fallback exhausted: the week is unplaced",
            setup: setup(
                r#"
[[one_on_ones]]
with = "sam@acme.example"
title = "Sam"
every = "1w"
duration = "30m"
prefer = { days = ["mon"], time = "09:00-10:00" }
fallback = { days = ["mon", "tue"], time = "09:00-12:00" }
"#,
            ),
            events: vec![
                busy("mon", (2026, 12, 14, 9, 0), 180),
                busy("tue", (2026, 12, 15, 9, 0), 180),
            ],
            now: monday,
            want: &[
                "Sam Mon 2026-12-07 09:00-09:30",
                "Sam Mon 2026-12-21 09:00-09:30",
                "Sam Mon 2026-12-28 09:00-09:30",
            ],
            unplaced: &["Sam 2026-12-14"],
        },
        Case {
            name: "every 1d: each working day, weekends skipped",
            setup: Setup {
                horizon: "1w",
                ..setup(
                    r#"
[[one_on_ones]]
with = "sam@acme.example"
title = "Daily"
every = "1d"
duration = "15m"
prefer = { days = ["mon", "tue", "wed", "thu", "fri"], time = "09:00-09:30" }
"#,
                )
            },
            events: vec![busy("wed", (2026, 12, 9, 9, 0), 30)],
            now: monday,
            want: &[
                "Daily Mon 2026-12-07 09:00-09:15",
                "Daily Tue 2026-12-08 09:00-09:15",
                "Daily Wed 2026-12-09 09:30-09:45",
                "Daily Thu 2026-12-10 09:00-09:15",
                "Daily Fri 2026-12-11 09:00-09:15",
            ],
            unplaced: &[],
        },
        Case {
            name: "every 1d in the evening: today is over, not unplaced",
            setup: Setup {
                horizon: "2d",
                ..setup(
                    r#"
[[one_on_ones]]
with = "sam@acme.example"
title = "Daily"
every = "1d"
duration = "15m"
prefer = { days = ["mon", "tue", "wed", "thu", "fri"], time = "09:00-09:30" }
"#,
                )
            },
            events: vec![],
            now: ny(2026, 12, 7, 18, 0),
            want: &["Daily Tue 2026-12-08 09:00-09:15"],
            unplaced: &[],
        },
        Case {
            name: "every 2w: fortnights counted from a fixed Monday",
            setup: setup(
                r#"
[[one_on_ones]]
with = "lee@acme.example"
title = "Lee"
every = "2w"
duration = "45m"
prefer = { days = ["tue", "wed"], time = "13:00-15:00" }
"#,
            ),
            events: vec![],
            // A Thursday in the second week of the fortnight that began on Monday 2026-12-07.
            now: ny(2026, 12, 17, 8, 0),
            want: &[
                // This fortnight's Tuesday and Wednesday are past: the earliest working
                // time left in it.
                "Lee Thu 2026-12-17 09:00-09:45",
                // The next fortnight starts on Monday 2026-12-21, not a week after now.
                "Lee Tue 2026-12-22 13:00-13:45",
            ],
            unplaced: &[],
        },
        Case {
            name: "buffer kept from busy events",
            setup: Setup {
                buffer: "10m",
                ..setup(SAM_WEEKLY)
            },
            events: vec![busy("early", (2026, 12, 14, 8, 30), 35)],
            now: monday,
            want: &[
                "Sam Mon 2026-12-07 09:00-09:30",
                "Sam Mon 2026-12-14 09:15-09:45",
                "Sam Mon 2026-12-21 09:00-09:30",
                "Sam Mon 2026-12-28 09:00-09:30",
            ],
            unplaced: &[],
        },
        Case {
            name: "focus blocks are not used",
            setup: setup(Box::leak(
                format!("[[focus]]\ndays = [\"mon\"]\ntime = \"08:00-09:30\"\n{SAM_WEEKLY}")
                    .into_boxed_str(),
            )),
            events: vec![],
            now: monday,
            want: &[
                "Sam Mon 2026-12-07 09:30-10:00",
                "Sam Mon 2026-12-14 09:30-10:00",
                "Sam Mon 2026-12-21 09:30-10:00",
                "Sam Mon 2026-12-28 09:30-10:00",
            ],
            unplaced: &[],
        },
        Case {
            name: "working-hour edges: a slot may end at closing time, not after; starts on the quarter hour",
            setup: Setup {
                horizon: "1w",
                hours: "mon = \"09:10-17:30\"\ntue = \"09:00-17:00\"",
                ..setup(
                    r#"
[[one_on_ones]]
with = "a@acme.example"
title = "Late"
every = "1w"
duration = "30m"
prefer = { days = ["mon"], time = "17:00-18:00" }
[[one_on_ones]]
with = "b@acme.example"
title = "Early"
every = "1w"
duration = "45m"
prefer = { days = ["mon"], time = "09:00-10:00" }
[[one_on_ones]]
with = "c@acme.example"
title = "Long"
every = "1w"
duration = "45m"
prefer = { days = ["tue"], time = "16:30-18:00" }
"#,
                )
            },
            events: vec![],
            now: monday,
            want: &[
                "Late Mon 2026-12-07 17:00-17:30",
                "Early Mon 2026-12-07 09:15-10:00",
                // 16:30 + 45m would pass 17:00: the earliest free working-hours slot
                // instead, on the quarter hour, after Early's.
                "Long Mon 2026-12-07 10:00-10:45",
            ],
            unplaced: &[],
        },
        Case {
            name: "a slot that would start before now moves later in the current period only",
            setup: setup(SAM_WEEKLY),
            events: vec![],
            now: ny(2026, 12, 7, 9, 20),
            want: &[
                "Sam Mon 2026-12-07 09:30-10:00",
                "Sam Mon 2026-12-14 09:00-09:30",
                "Sam Mon 2026-12-21 09:00-09:30",
                "Sam Mon 2026-12-28 09:00-09:30",
            ],
            unplaced: &[],
        },
        Case {
            name: "two series want one window: file order decides (A first)",
            setup: Setup {
                horizon: "1w",
                ..setup(two_series("A", "B"))
            },
            events: vec![],
            now: monday,
            want: &["A Mon 2026-12-07 09:00-09:30", "B Mon 2026-12-07 09:30-10:00"],
            unplaced: &[],
        },
        Case {
            name: "two series want one window: file order decides (B first)",
            setup: Setup {
                horizon: "1w",
                ..setup(two_series("B", "A"))
            },
            events: vec![],
            now: monday,
            want: &["B Mon 2026-12-07 09:00-09:30", "A Mon 2026-12-07 09:30-10:00"],
            unplaced: &[],
        },
        Case {
            name: "DST in March: 09:00 stays 09:00 on both sides of 2027-03-14",
            setup: setup(SAM_WEEKLY),
            events: vec![],
            now: ny(2027, 3, 1, 8, 0),
            want: &[
                "Sam Mon 2027-03-01 09:00-09:30",
                "Sam Mon 2027-03-08 09:00-09:30",
                "Sam Mon 2027-03-15 09:00-09:30",
                "Sam Mon 2027-03-22 09:00-09:30",
            ],
            unplaced: &[],
        },
        Case {
            name: "DST in November: 09:00 stays 09:00 on both sides of 2027-11-07",
            setup: setup(SAM_WEEKLY),
            events: vec![],
            now: ny(2027, 11, 1, 8, 0),
            want: &[
                "Sam Mon 2027-11-01 09:00-09:30",
                "Sam Mon 2027-11-08 09:00-09:30",
                "Sam Mon 2027-11-15 09:00-09:30",
                "Sam Mon 2027-11-22 09:00-09:30",
            ],
            unplaced: &[],
        },
    ];
    for c in cases {
        let (got, unplaced) = run(&c.setup, c.events, &[], c.now);
        let mut want: Vec<String> = c.want.iter().map(|s| s.to_string()).collect();
        let mut have = shown(&got);
        // Compare as sets; order is tested separately (by start, then series).
        want.sort();
        have.sort();
        assert_eq!(have, want, "{}", c.name);
        let un: Vec<String> = unplaced
            .iter()
            .map(|u| {
                format!(
                    "{} {}",
                    u.series,
                    u.period_start.with_timezone(&NY).format("%Y-%m-%d")
                )
            })
            .collect();
        assert_eq!(un, c.unplaced, "{}: unplaced {unplaced:#?}", c.name);
    }
}

#[test]
fn wall_clock_holds_across_dst_as_utc_shifts() {
    let (got, _) = run(&setup(SAM_WEEKLY), vec![], &[], ny(2027, 3, 1, 8, 0));
    let utc: Vec<String> = got
        .iter()
        .map(|r| r.start.format("%m-%d %H:%M").to_string())
        .collect();
    // EST is UTC-5 before the change, EDT UTC-4 after.
    assert_eq!(
        utc,
        ["03-01 14:00", "03-08 14:00", "03-15 13:00", "03-22 13:00"]
    );
}

#[test]
fn an_unplaced_period_says_what_blocked_it() {
    let s = setup(
        r#"
[[focus]]
days = ["tue"]
time = "09:00-12:00"
[[one_on_ones]]
with = "sam@acme.example"
title = "Sam"
every = "1w"
duration = "30m"
prefer = { days = ["mon"], time = "09:00-10:00" }
fallback = { days = ["mon", "tue"], time = "09:00-12:00" }
"#,
    );
    let (_, unplaced) = run(
        &s,
        vec![busy("mon", (2026, 12, 14, 9, 0), 180)],
        &[],
        ny(2026, 12, 7, 8, 0),
    );
    assert_eq!(unplaced.len(), 1, "{unplaced:#?}");
    let u = &unplaced[0];
    assert_eq!(u.period_start, ny(2026, 12, 14, 0, 0));
    assert_eq!(u.period_end, ny(2026, 12, 21, 0, 0));
    assert_eq!(
        u.reason,
        "no free 30m slot in mon/tue 09:00-12:00 of the week of 2026-12-14: \
         of its 22 quarter-hour starts, 11 overlap busy events, 11 overlap focus time"
    );
}

#[test]
fn output_is_sorted_by_start_then_series() {
    let s = setup(Box::leak(
        format!(
            "{SAM_WEEKLY}\n[[one_on_ones]]\nwith = \"lee@acme.example\"\ntitle = \"Lee\"\n\
             every = \"1w\"\nduration = \"30m\"\nprefer = {{ days = [\"mon\"], time = \"08:00-09:00\" }}\n"
        )
        .into_boxed_str(),
    ));
    // Lee's window is before working hours: the fallback (working hours) puts Lee at 09:30,
    // after Sam, though Lee's series is later in the file.
    let (got, _) = run(&s, vec![], &[], ny(2026, 12, 7, 8, 0));
    let keys: Vec<(DateTime<Utc>, String)> =
        got.iter().map(|r| (r.start, r.series.clone())).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(
        shown(&got)[..2],
        [
            "Sam Mon 2026-12-07 09:00-09:30",
            "Lee Mon 2026-12-07 09:30-10:00"
        ]
    );
}

#[test]
fn previous_reservations_stay_put() {
    let s = setup(SAM_WEEKLY);
    let now = ny(2026, 12, 7, 8, 0);
    // Run 1: a meeting on the 14th moves that week's 1:1 to 10:00.
    let blocker = busy("offsite", (2026, 12, 14, 9, 0), 60);
    let (first, _) = run(&s, vec![blocker], &[], now);
    assert_eq!(shown(&first)[1], "Sam Mon 2026-12-14 10:00-10:30");

    // Run 2: the meeting was cancelled (09:00 is free again) and an unrelated meeting
    // appeared. Nothing moves: people plan around their 1:1s.
    let unrelated = busy("lunch", (2026, 12, 15, 12, 0), 60);
    let (second, _) = run(&s, vec![unrelated.clone()], &first, now);
    assert_eq!(second, first);

    // Run 3: a new meeting lands on the reserved slot of the 21st: only that one moves.
    let clash = busy("board", (2026, 12, 21, 9, 0), 30);
    let (third, _) = run(&s, vec![unrelated, clash], &second, now);
    let moved: Vec<(String, String)> = shown(&second)
        .into_iter()
        .zip(shown(&third))
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(
        moved,
        [(
            "Sam Mon 2026-12-21 09:00-09:30".to_string(),
            "Sam Mon 2026-12-21 09:30-10:00".to_string()
        )]
    );
}

#[test]
fn a_reservation_already_past_in_the_current_period_is_kept_not_repeated() {
    let s = setup(SAM_WEEKLY);
    let (first, _) = run(&s, vec![], &[], ny(2026, 12, 7, 8, 0));
    // Later that Monday: the 09:00 1:1 has happened; no second one this week.
    let (later, _) = run(&s, vec![], &first, ny(2026, 12, 7, 11, 0));
    assert_eq!(shown(&later)[0], "Sam Mon 2026-12-07 09:00-09:30");
    assert_eq!(later.len(), 4);
}

#[test]
fn previous_reservations_outside_the_windows_are_moved() {
    // The assistant changed prefer from Monday to Tuesday: last run's Monday slots go.
    let s = setup(SAM_WEEKLY);
    let now = ny(2026, 12, 7, 8, 0);
    let (first, _) = run(&s, vec![], &[], now);
    let tuesday = setup(
        r#"
[[one_on_ones]]
with = "sam@acme.example"
title = "Sam"
every = "1w"
duration = "30m"
prefer = { days = ["tue"], time = "09:00-10:00" }
fallback = { days = ["tue"], time = "09:00-17:00" }
"#,
    );
    let (second, _) = run(&tuesday, vec![], &first, now);
    assert!(
        shown(&second).iter().all(|s| s.contains("Tue")),
        "{:?}",
        shown(&second)
    );
}

#[test]
fn no_series_no_work() {
    let (r, u) = run(
        &setup(""),
        vec![busy("x", (2026, 12, 7, 9, 0), 30)],
        &[],
        ny(2026, 12, 7, 8, 0),
    );
    assert!(r.is_empty() && u.is_empty());
}
