//! Table-driven tests of 1:1 placement, on New York wall-clock times. Each case
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
        origin: Default::default(),
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

mod cases;
mod kept;
