//! Table-driven tests of SPEC §3: each weight, condition and effect on a tiny calendar.
//! Times are New York wall-clock times in the week of Monday 2026-12-07; `now` is that
//! Monday 08:00.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;

use super::{decide, Decision, Reservation};
use crate::calendar::tz::local_to_utc;
use crate::calendar::{
    Attendee, Event, EventTime, Length, PartStat, Recurrence, Role, Snapshot, Status,
};
use crate::rules::{Rules, Verdict};

const EXEC: &str = "dana@acme.example";
const NY: Tz = Tz::America__New_York;

const BASE_RULES: &str = r#"
[executive]
name = "Dana"
email = "dana@acme.example"
timezone = "America/New_York"
assistant = "sam@acme.example"
known_domains = ["acme.example"]
[working_hours]
mon = "09:00-17:30"
tue = "09:00-17:30"
wed = "09:00-17:30"
thu = "09:00-17:30"
fri = "09:00-13:00"
[limits]
min_notice = "24h"
buffer = "10m"
max_meetings_per_day = 3
max_meeting_hours_per_day = 3
"#;

fn ny(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    let d = NaiveDate::from_ymd_opt(2026, 12, day)
        .and_then(|d| d.and_hms_opt(h, m, 0))
        .expect("valid");
    local_to_utc(NY, d)
}

fn now() -> DateTime<Utc> {
    ny(7, 8, 0)
}

/// An event at New York wall-clock time on December `day`.
fn event(uid: &str, title: &str, day: u32, h: u32, m: u32, minutes: i64) -> Event {
    let start = NaiveDate::from_ymd_opt(2026, 12, day)
        .and_then(|d| d.and_hms_opt(h, m, 0))
        .expect("valid");
    Event {
        uid: uid.into(),
        title: title.into(),
        description: String::new(),
        start: EventTime::Zoned(start, NY),
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

/// A request from `organizer` awaiting the executive.
fn request(
    uid: &str,
    title: &str,
    day: u32,
    h: u32,
    m: u32,
    minutes: i64,
    organizer: &str,
) -> Event {
    let mut e = event(uid, title, day, h, m, minutes);
    e.organizer = Some(organizer.into());
    e.attendees = vec![
        Attendee {
            email: EXEC.into(),
            partstat: PartStat::NeedsAction,
            role: Role::Required,
        },
        Attendee {
            email: organizer.into(),
            partstat: PartStat::Accepted,
            role: Role::Required,
        },
    ];
    e
}

fn rules(extra: &str) -> Rules {
    Rules::parse(&format!("{BASE_RULES}{extra}"), "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn run(events: Vec<Event>, extra: &str) -> Vec<Decision> {
    run_with(events, extra, &[])
}

fn run_with(events: Vec<Event>, extra: &str, held: &[Reservation]) -> Vec<Decision> {
    let snapshot = Snapshot {
        events,
        warnings: Vec::new(),
    };
    decide(&snapshot, &rules(extra), held, now()).decisions
}

fn only(decisions: &[Decision], id: &str) -> Decision {
    decisions
        .iter()
        .find(|d| d.id == id)
        .cloned()
        .unwrap_or_else(|| panic!("no decision for {id}: {decisions:#?}"))
}

/// The non-zero reasons after the base, as (source, points).
fn contributions(d: &Decision) -> Vec<(String, i64)> {
    d.reasons
        .iter()
        .skip(1)
        .filter(|r| r.points != 0)
        .map(|r| (r.source.to_string(), r.points))
        .collect()
}

/// `e` with `n` more accepted colleagues invited.
fn with_guests(mut e: Event, n: usize) -> Event {
    for i in 0..n {
        e.attendees.push(Attendee {
            email: format!("p{i}@acme.example"),
            partstat: PartStat::Accepted,
            role: Role::Required,
        });
    }
    e
}

fn internal(uid: &str, title: &str, day: u32, h: u32, m: u32, minutes: i64) -> Event {
    request(uid, title, day, h, m, minutes, "ops@acme.example")
}

fn busy(uid: &str, title: &str, day: u32, h: u32, m: u32, minutes: i64) -> Event {
    event(uid, title, day, h, m, minutes)
}

#[test]
fn each_weight_contributes_once_with_a_reason() {
    // (case, calendar, extra rules, expected contributions after the base)
    type Case = (
        &'static str,
        Vec<Event>,
        &'static str,
        Vec<(&'static str, i64)>,
    );
    let cases: Vec<Case> = vec![
        (
            "plain internal request",
            vec![internal("r", "Sync", 8, 14, 0, 60)],
            "",
            vec![],
        ),
        (
            "external organiser",
            vec![request("r", "Sync", 8, 14, 0, 60, "x@outside.example")],
            "",
            vec![("external", -10)],
        ),
        (
            "external but in a goal's people",
            vec![request("r", "Sync", 8, 14, 0, 60, "x@vc.example")],
            "[[goals]]\nname = \"Raise\"\nweight = 30\npeople = [\"*@vc.example\"]\n",
            vec![("goal: Raise", 30)],
        ),
        (
            "VIP organiser is not external",
            vec![request("r", "Sync", 8, 14, 0, 60, "chair@board.example")],
            "[people]\nvip = [\"chair@board.example\"]\n",
            vec![("vip", 60)],
        ),
        (
            "VIP attendee",
            vec![{
                let mut e = internal("r", "Sync", 8, 14, 0, 60);
                e.attendees.push(Attendee {
                    email: "chair@board.example".into(),
                    partstat: PartStat::Accepted,
                    role: Role::Required,
                });
                e
            }],
            "[people]\nvip = [\"chair@board.example\"]\n",
            vec![("vip", 20)],
        ),
        (
            "conflict",
            vec![
                internal("r", "Sync", 8, 14, 0, 60),
                busy("b", "Board call", 8, 14, 30, 60),
            ],
            "",
            vec![("conflict", -40)],
        ),
        (
            "focus block",
            vec![internal("r", "Sync", 8, 10, 30, 60)],
            "[[focus]]\ndays = [\"tue\"]\ntime = \"09:00-11:00\"\n",
            vec![("focus", -30)],
        ),
        (
            "focus on another day",
            vec![internal("r", "Sync", 9, 10, 30, 60)],
            "[[focus]]\ndays = [\"tue\"]\ntime = \"09:00-11:00\"\n",
            vec![],
        ),
        (
            "ends after working hours",
            vec![internal("r", "Sync", 8, 17, 0, 60)],
            "",
            vec![("working hours", -50)],
        ),
        (
            "ends exactly at the end of working hours",
            vec![internal("r", "Sync", 8, 16, 30, 60)],
            "",
            vec![],
        ),
        (
            "on a day without working hours",
            vec![internal("r", "Sync", 12, 10, 0, 60)],
            "",
            vec![("working hours", -50)],
        ),
        (
            "short notice",
            vec![internal("r", "Sync", 7, 15, 0, 60)],
            "",
            vec![("notice", -15)],
        ),
        (
            "exactly the notice asked",
            vec![internal("r", "Sync", 8, 8, 0, 60)],
            "",
            vec![("working hours", -50)],
        ),
        (
            "over the meetings per day",
            vec![
                internal("r", "Sync", 8, 16, 0, 30),
                busy("a", "A", 8, 9, 0, 30),
                busy("b", "B", 8, 10, 0, 30),
                busy("c", "C", 8, 11, 0, 30),
            ],
            "",
            vec![("daily limit", -20)],
        ),
        (
            "over the meeting hours per day",
            vec![
                internal("r", "Sync", 8, 15, 0, 60),
                busy("a", "A", 8, 9, 0, 150),
            ],
            "",
            vec![("daily limit", -20)],
        ),
        (
            "all-day busy events block but do not count as meetings",
            vec![internal("r", "Sync", 8, 15, 0, 60), {
                let mut e = busy("ooo", "Out of office", 8, 0, 0, 0);
                e.start = EventTime::Date(NaiveDate::from_ymd_opt(2026, 12, 8).expect("valid"));
                e.length = Length::Days(1);
                e
            }],
            "",
            vec![("conflict", -40)],
        ),
        (
            "buffer after",
            vec![
                internal("r", "Sync", 8, 14, 0, 60),
                busy("b", "B", 8, 13, 0, 60),
            ],
            "",
            vec![("buffer", -5)],
        ),
        (
            "buffer before",
            vec![
                internal("r", "Sync", 8, 14, 0, 60),
                busy("b", "B", 8, 15, 5, 30),
            ],
            "",
            vec![("buffer", -5)],
        ),
        (
            "buffer kept",
            vec![
                internal("r", "Sync", 8, 14, 0, 60),
                busy("b", "B", 8, 15, 10, 30),
            ],
            "",
            vec![],
        ),
        (
            "conflict replaces buffer",
            vec![
                internal("r", "Sync", 8, 14, 0, 60),
                busy("b", "B", 8, 14, 30, 60),
                busy("c", "C", 8, 15, 0, 30),
            ],
            "",
            vec![("conflict", -40)],
        ),
        (
            "large meeting",
            vec![with_guests(internal("r", "Sync", 8, 14, 0, 60), 9)],
            "",
            vec![("large meeting", -10)],
        ),
        (
            "exactly the large meeting size",
            vec![with_guests(internal("r", "Sync", 8, 14, 0, 60), 8)],
            "",
            vec![],
        ),
        (
            "custom weight",
            vec![request("r", "Sync", 8, 14, 0, 60, "x@outside.example")],
            "[weights]\nexternal = -3\n",
            vec![("external", -3)],
        ),
    ];
    for (name, events, extra, want) in cases {
        let d = only(&run(events, extra), "r");
        let want: Vec<(String, i64)> = want.into_iter().map(|(s, p)| (s.to_string(), p)).collect();
        assert_eq!(contributions(&d), want, "{name}: {:#?}", d.reasons);
        assert_eq!(d.reasons[0].source, "base", "{name}");
        assert_eq!(
            d.score,
            d.reasons.iter().map(|r| r.points).sum::<i64>(),
            "{name}"
        );
    }
}

#[test]
fn goals_match_keywords_at_word_boundaries_and_expire() {
    let goal = "[[goals]]\nname = \"Demo day\"\nweight = 25\nkeywords = [\"demo\"]\n";
    let cases: &[(&str, &str, &str, i64)] = &[
        ("keyword in title", "Vendor demo: AcmeCRM", goal, 75),
        ("keyword inside a longer word", "Site demolition review", goal, 50),
        ("keyword in description only", "Sync", goal, 75),
        ("goal ended yesterday", "Vendor demo", "[[goals]]\nname = \"Demo day\"\nweight = 25\nkeywords = [\"demo\"]\nuntil = \"2026-12-06\"\n", 50),
        ("goal ends today", "Vendor demo", "[[goals]]\nname = \"Demo day\"\nweight = 25\nkeywords = [\"demo\"]\nuntil = \"2026-12-07\"\n", 75),
    ];
    for (name, title, extra, score) in cases {
        let mut e = internal("r", title, 8, 14, 0, 60);
        if *name == "keyword in description only" {
            e.description = "We will demo the new dashboard.".into();
        }
        let d = only(&run(vec![e], extra), "r");
        assert_eq!(d.score, *score, "{name}: {:#?}", d.reasons);
    }
}

#[test]
fn conditions_each_select_what_they_say() {
    // Each rule adds -7 when its condition holds; the request is a recurring, external,
    // 4-person, 90-minute meeting on Tuesday 14:00 with the executive optional and no agenda.
    let mut e = request(
        "r",
        "Quarterly pricing review",
        8,
        14,
        0,
        90,
        "x@partner.example",
    );
    e.attendees[0].role = Role::Optional;
    e.attendees.push(Attendee {
        email: "lee@acme.example".into(),
        partstat: PartStat::Accepted,
        role: Role::Required,
    });
    e.attendees.push(Attendee {
        email: "kim@partner.example".into(),
        partstat: PartStat::Accepted,
        role: Role::Required,
    });
    e.recurrence = Some(Recurrence {
        rrules: vec!["FREQ=WEEKLY".into()],
        ..Recurrence::default()
    });
    let cases: &[(&str, bool)] = &[
        ("from = [\"*@partner.example\"]", true),
        ("from = [\"*@acme.example\"]", false),
        ("from = [\"*\"]", true),
        ("attendee = [\"lee@acme.example\"]", true),
        ("attendee = [\"dana@acme.example\"]", false),
        ("title_has = [\"pricing\"]", true),
        ("title_has = [\"price\"]", false),
        ("recurring = true", true),
        ("recurring = false", false),
        ("has_agenda = false", true),
        ("has_agenda = true", false),
        ("exec_optional = true", true),
        ("exec_optional = false", false),
        ("external = true", true),
        ("external = false", false),
        ("attendees_over = 3", true),
        ("attendees_over = 4", false),
        ("duration_over = \"1h\"", true),
        ("duration_over = \"90m\"", false),
        ("days = [\"tue\"]", true),
        ("days = [\"mon\", \"wed\"]", false),
        ("time = \"15:00-16:00\"", true),
        ("time = \"15:30-16:00\"", false),
        ("notice_under = \"2d\"", true),
        ("notice_under = \"1d\"", false),
        ("from = [\"*@partner.example\"], days = [\"tue\"]", true),
        ("from = [\"*@partner.example\"], days = [\"wed\"]", false),
    ];
    for (cond, holds) in cases {
        let extra =
            format!("[[rules]]\nname = \"probe\"\nif = {{ {cond} }}\nthen = {{ points = -7 }}\n");
        let d = only(&run(vec![e.clone()], &extra), "r");
        let hit = d
            .reasons
            .iter()
            .any(|r| r.source == "rule: probe" && r.points == -7);
        assert_eq!(hit, *holds, "{cond}: {:#?}", d.reasons);
    }
}

#[test]
fn verdict_order() {
    let topics =
        "[[delegates]]\nemail = \"cos@acme.example\"\nname = \"CoS\"\ntopics = [\"vendor\"]\n";
    // (case, title, organizer, extra rules, verdict, delegate_to)
    type Case<'a> = (&'a str, &'a str, &'a str, String, Verdict, Option<&'a str>);
    let cases: Vec<Case> = vec![
        ("accept at threshold", "Sync", "ops@acme.example", "[thresholds]\naccept = 50\ndecline = 10\n".into(), Verdict::Accept, None),
        ("assistant in between", "Sync", "ops@acme.example", String::new(), Verdict::Delegate, Some("sam@acme.example")),
        ("decline below", "Sync", "x@outside.example", "[thresholds]\naccept = 90\ndecline = 45\n".into(), Verdict::Decline, None),
        ("topic beats decline", "Vendor pitch", "x@outside.example", format!("[thresholds]\naccept = 90\ndecline = 45\n{topics}"), Verdict::Delegate, Some("cos@acme.example")),
        ("accept beats topic", "Vendor pitch", "ops@acme.example", format!("[thresholds]\naccept = 50\ndecline = 10\n{topics}"), Verdict::Accept, None),
        (
            "first verdict rule wins",
            "Sync",
            "ops@acme.example",
            "[[rules]]\nname = \"a\"\nthen = \"decline\"\n[[rules]]\nname = \"b\"\nthen = \"accept\"\n".into(),
            Verdict::Decline,
            None,
        ),
        (
            "points rules do not stop a later verdict rule",
            "Sync",
            "ops@acme.example",
            "[[rules]]\nname = \"a\"\nthen = { points = 100 }\n[[rules]]\nname = \"b\"\nthen = \"decline\"\n".into(),
            Verdict::Decline,
            None,
        ),
        (
            "a rule that does not match is skipped",
            "Sync",
            "ops@acme.example",
            "[[rules]]\nname = \"a\"\nif = { external = true }\nthen = \"decline\"\n[[rules]]\nname = \"b\"\nthen = \"accept\"\n".into(),
            Verdict::Accept,
            None,
        ),
        ("blocked beats every rule", "Sync", "spam@cold.example", "[people]\nblocked = [\"*@cold.example\"]\n[[rules]]\nname = \"a\"\nthen = \"accept\"\n".into(), Verdict::Decline, None),
        ("blocked beats a VIP score", "Sync", "spam@cold.example", "[people]\nblocked = [\"*@cold.example\"]\nvip = [\"*@cold.example\"]\n".into(), Verdict::Decline, None),
        ("delegate_to rule", "Sync", "ops@acme.example", "[[rules]]\nname = \"a\"\nthen = { delegate_to = \"lee@acme.example\" }\n".into(), Verdict::Delegate, Some("lee@acme.example")),
        ("delegate rule finds the topic's delegate", "Vendor pitch", "ops@acme.example", format!("{topics}[[rules]]\nname = \"a\"\nthen = \"delegate\"\n"), Verdict::Delegate, Some("cos@acme.example")),
        ("delegate rule without a topic goes to the assistant", "Sync", "ops@acme.example", format!("{topics}[[rules]]\nname = \"a\"\nthen = \"delegate\"\n"), Verdict::Delegate, Some("sam@acme.example")),
    ];
    for (name, title, organizer, extra, verdict, to) in cases {
        let d = only(
            &run(vec![request("r", title, 8, 14, 0, 60, organizer)], &extra),
            "r",
        );
        assert_eq!(
            (d.verdict.clone(), d.delegate_to.as_deref()),
            (verdict, to),
            "{name}: {:#?}",
            d.reasons
        );
        let last = d.reasons.last().map(|r| (r.source.as_str(), r.points));
        assert_eq!(
            last,
            Some(("verdict", 0)),
            "{name}: the verdict is explained"
        );
    }
}

#[test]
fn private_events_are_named_a_private_event() {
    let mut dentist = busy("b", "Dentist: root canal", 8, 14, 30, 60);
    dentist.private = true;
    dentist.description = "Dr. Molar".into();
    let d = only(
        &run(vec![internal("r", "Sync", 8, 14, 0, 60), dentist], ""),
        "r",
    );
    let text = format!("{:?}", d.reasons);
    assert!(text.contains("\\\"a private event\\\""), "{text}");
    assert!(
        !text.contains("Dentist") && !text.contains("Molar"),
        "{text}"
    );

    let mut secret = internal("s", "Acquisition talks", 8, 16, 0, 30);
    secret.private = true;
    let d = only(&run(vec![secret], ""), "s");
    assert_eq!(d.title, "a private event");
}

#[test]
fn recurring_requests_are_checked_on_every_occurrence_in_the_horizon() {
    // Weekly on Wednesdays 16:00 from 2026-12-09; only the 2026-12-23 occurrence conflicts,
    // and one on 2027-01-06 is beyond the 4-week horizon (ends 2027-01-04 08:00).
    let mut r = internal("r", "Weekly sync", 9, 16, 0, 30);
    r.recurrence = Some(Recurrence {
        rrules: vec!["FREQ=WEEKLY;BYDAY=WE".into()],
        ..Recurrence::default()
    });
    r.description = "Agenda: numbers".into();
    let clash = busy("b", "Holiday party", 23, 15, 0, 120);
    let d = only(&run(vec![r.clone(), clash], ""), "r");
    assert_eq!(d.occurrences.len(), 4, "{:?}", d.occurrences);
    assert_eq!(contributions(&d), vec![("conflict".to_string(), -40)]);
    assert!(
        d.reasons
            .iter()
            .any(|x| x.detail.contains("1 of 4 occurrences")),
        "{:#?}",
        d.reasons
    );
    // A busy event past the horizon does not count.
    let late = busy("b", "Late clash", 30, 16, 0, 60);
    let mut far = r;
    far.recurrence = Some(Recurrence {
        rrules: vec!["FREQ=WEEKLY;BYDAY=WE;COUNT=3".into()],
        ..Recurrence::default()
    });
    let d = only(&run(vec![far, late], ""), "r");
    assert_eq!(d.occurrences.len(), 3);
    assert_eq!(contributions(&d), vec![]);
}

#[test]
fn what_is_a_request() {
    let mut accepted = internal("a", "Accepted", 8, 14, 0, 60);
    accepted.attendees[0].partstat = PartStat::Accepted;
    let mut cancelled = internal("c", "Cancelled", 8, 14, 0, 60);
    cancelled.status = Status::Cancelled;
    let mut own = internal("o", "Own", 8, 14, 0, 60);
    own.organizer = Some(EXEC.into());
    let past = internal("p", "Past", 4, 14, 0, 60);
    let beyond = internal("f", "Far", 31, 14, 0, 60); // horizon ends 2027-01-04; still inside
    let mut transparent = internal("t", "Transparent invitation", 8, 15, 0, 60);
    transparent.transparent = true;
    let ids: Vec<String> = run(
        vec![accepted, cancelled, own, past, beyond, transparent],
        "",
    )
    .into_iter()
    .map(|d| d.id)
    .collect();
    assert_eq!(ids, vec!["t".to_string(), "f".to_string()]);
}

#[test]
fn reservations_lower_overlapping_requests_and_count_for_daily_limits() {
    let held = [Reservation {
        series: "Dana / Sam weekly".into(),
        with: "sam@acme.example".into(),
        start: ny(8, 14, 0),
        end: ny(8, 14, 30),
    }];
    let d = only(
        &run_with(vec![internal("r", "Sync", 8, 14, 0, 60)], "", &held),
        "r",
    );
    assert_eq!(contributions(&d), vec![("one-on-one".to_string(), -25)]);
    assert!(
        d.reasons[1].detail.contains("Dana / Sam weekly"),
        "{:#?}",
        d.reasons
    );

    let many = [
        Reservation {
            series: "A".into(),
            with: "a@acme.example".into(),
            start: ny(8, 9, 0),
            end: ny(8, 9, 30),
        },
        Reservation {
            series: "B".into(),
            with: "b@acme.example".into(),
            start: ny(8, 10, 0),
            end: ny(8, 10, 30),
        },
        Reservation {
            series: "C".into(),
            with: "c@acme.example".into(),
            start: ny(8, 11, 0),
            end: ny(8, 11, 30),
        },
    ];
    let d = only(
        &run_with(vec![internal("r", "Sync", 8, 15, 0, 30)], "", &many),
        "r",
    );
    assert_eq!(contributions(&d), vec![("daily limit".to_string(), -20)]);
}

#[test]
fn output_is_sorted_and_deterministic() {
    let events = vec![
        internal("b", "Second", 9, 10, 0, 30),
        internal("a", "Same time", 9, 10, 0, 30),
        internal("c", "First", 8, 15, 0, 30),
    ];
    let snapshot = Snapshot {
        events,
        warnings: Vec::new(),
    };
    let r = rules("");
    let one = decide(&snapshot, &r, &[], now());
    let two = decide(&snapshot, &r, &[], now());
    assert_eq!(one.to_json(), two.to_json());
    let ids: Vec<&str> = one.decisions.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, vec!["c", "a", "b"]);
    assert!(
        one.decisions[1]
            .reasons
            .iter()
            .any(|r| r.source == "info" && r.points == 0),
        "overlapping requests are noted"
    );
}

#[test]
fn scoring_on_several_threads_gives_what_one_thread_gives() {
    use crate::demo::{calendar, rules_toml, Shape};
    let shape = Shape {
        events: 2_000,
        requests: 600,
        days: 60,
        request_days: 28,
        recurring_one_in: 10,
    };
    let snapshot = calendar(7, shape, now(), Tz::America__New_York);
    let rules = Rules::parse(&rules_toml(7, 5, 20), "gen.toml").expect("generated rules parse");
    let ctx = super::Context::build(&snapshot, &rules, &[], now(), 1);
    assert!(ctx.requests.len() > 500, "{}", ctx.requests.len());
    let one = super::score_all(&ctx, 1);
    for threads in [2, 3, 7] {
        assert_eq!(super::score_all(&ctx, threads), one, "{threads} threads");
    }
}

#[test]
fn expanding_on_several_threads_gives_what_one_thread_gives() {
    use crate::calendar::expand::expand_on;
    let shape = crate::demo::Shape {
        events: 9_000,
        requests: 900,
        days: 120,
        request_days: 28,
        recurring_one_in: 5,
    };
    let tz = chrono_tz::Tz::America__New_York;
    let mut snapshot = crate::demo::calendar(7, shape, now(), tz);
    // An override and a bad rule, so that skips and warnings are in play too.
    let mut moved = snapshot.events[1].clone();
    moved.recurrence = None;
    moved.recurrence_id = Some(snapshot.events[1].start);
    snapshot.events.push(moved);
    snapshot.events[4000].recurrence = Some(crate::calendar::Recurrence {
        rrules: vec!["FREQ=SOMETIMES".into()],
        ..Default::default()
    });
    let (from, to) = (now() - TimeDelta::days(3), now() + TimeDelta::days(40));
    let one = expand_on(&snapshot.events, tz, from, to, 1);
    assert!(one.0.len() > 1000, "{}", one.0.len());
    assert_eq!(one.1.len(), 1, "{:?}", one.1);
    for threads in [2, 3, 7] {
        assert_eq!(
            expand_on(&snapshot.events, tz, from, to, threads),
            one,
            "{threads} threads"
        );
    }
}

/// SPEC §1, what an event is to the executive, as a table: (case, organiser, the
/// executive's entry, another guest, cancelled, transparent) → kind.
#[test]
fn busy_request_or_other() {
    use crate::calendar::Kind;
    const OTHER: &str = "pat@acme.example";
    type Case<'a> = (
        &'a str,
        Option<&'a str>,
        Option<PartStat>,
        bool,
        bool,
        bool,
        Kind,
    );
    let cases: &[Case<'_>] = &[
        (
            "no attendees: the executive's own block",
            None,
            None,
            false,
            false,
            false,
            Kind::Busy,
        ),
        (
            "organised by the executive",
            Some(EXEC),
            None,
            true,
            false,
            false,
            Kind::Busy,
        ),
        (
            "organised, own entry accepted",
            Some(EXEC),
            Some(PartStat::Accepted),
            true,
            false,
            false,
            Kind::Busy,
        ),
        (
            "organised, own entry needs action: still the organiser's",
            Some(EXEC),
            Some(PartStat::NeedsAction),
            true,
            false,
            false,
            Kind::Busy,
        ),
        (
            "organised, own entry declined: not busy",
            Some(EXEC),
            Some(PartStat::Declined),
            true,
            false,
            false,
            Kind::Other,
        ),
        (
            "organised, declined, transparent",
            Some(EXEC),
            Some(PartStat::Declined),
            true,
            false,
            true,
            Kind::Other,
        ),
        (
            "invited, accepted",
            Some(OTHER),
            Some(PartStat::Accepted),
            true,
            false,
            false,
            Kind::Busy,
        ),
        (
            "invited, tentative",
            Some(OTHER),
            Some(PartStat::Tentative),
            true,
            false,
            false,
            Kind::Busy,
        ),
        (
            "invited, declined",
            Some(OTHER),
            Some(PartStat::Declined),
            true,
            false,
            false,
            Kind::Other,
        ),
        (
            "invited, needs action: a request",
            Some(OTHER),
            Some(PartStat::NeedsAction),
            true,
            false,
            false,
            Kind::Request,
        ),
        (
            "invited, needs action, cancelled",
            Some(OTHER),
            Some(PartStat::NeedsAction),
            true,
            true,
            false,
            Kind::Other,
        ),
        (
            "accepted but transparent",
            Some(OTHER),
            Some(PartStat::Accepted),
            true,
            false,
            true,
            Kind::Other,
        ),
        (
            "someone else's meeting",
            Some(OTHER),
            None,
            true,
            false,
            false,
            Kind::Other,
        ),
        (
            "organised, cancelled",
            Some(EXEC),
            None,
            true,
            true,
            false,
            Kind::Other,
        ),
    ];
    for &(name, organizer, own, guest, cancelled, transparent, want) in cases {
        let mut e = event("k", "k", 8, 10, 0, 30);
        e.organizer = organizer.map(str::to_string);
        if let Some(partstat) = own {
            e.attendees.push(Attendee {
                email: EXEC.into(),
                partstat,
                role: Role::Required,
            });
        }
        if guest {
            e.attendees.push(Attendee {
                email: OTHER.into(),
                partstat: PartStat::Accepted,
                role: Role::Required,
            });
        }
        if cancelled {
            e.status = Status::Cancelled;
        }
        e.transparent = transparent;
        assert_eq!(e.kind(EXEC), want, "{name}");
    }
}
