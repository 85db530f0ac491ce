//! Table-driven tests of the decision procedure: each weight, condition and effect on a tiny calendar.
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
        origin: Default::default(),
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

mod kinds;
mod memo;
mod verdicts;
mod weights;
