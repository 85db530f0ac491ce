//! The placement table: each case a calendar, a series and where its 1:1s land.

use super::*;

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
