//! The demo source: the bundled one-week calendar (`config/demo.ics`) moved by whole
//! weeks so that its Monday is the first Monday on or after today, so a fresh clone's
//! daemon always has requests ahead of it to decide.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};

use crate::calendar::{ics, EventTime, Snapshot};

const DEMO: &str = include_str!("../../config/demo.ics");

/// The Monday the bundled calendar was written for.
fn demo_monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or(NaiveDate::MIN)
}

/// The demo calendar as seen at `now` (read in New York, the demo's zone).
pub fn snapshot(now: DateTime<Utc>) -> Snapshot {
    let today = now
        .with_timezone(&chrono_tz::Tz::America__New_York)
        .date_naive();
    let ahead = (7 - i64::from(today.weekday().num_days_from_monday())) % 7;
    let monday = today + TimeDelta::days(ahead);
    let weeks = (monday - demo_monday()).num_days().div_euclid(7);
    // The bundled file is tested to parse (tests/agenda.rs and the README command).
    let mut snap = ics::parse(DEMO).unwrap_or_default();
    let by = TimeDelta::weeks(weeks);
    for e in &mut snap.events {
        shift(&mut e.start, by);
        if let Some(r) = e.recurrence_id.as_mut() {
            shift(r, by);
        }
        if let Some(rec) = e.recurrence.as_mut() {
            rec.rdates.iter_mut().for_each(|t| shift(t, by));
            rec.periods.iter_mut().for_each(|(t, _)| shift(t, by));
            rec.exdates.iter_mut().for_each(|t| shift(t, by));
        }
    }
    snap
}

fn shift(t: &mut EventTime, by: TimeDelta) {
    *t = match *t {
        EventTime::Utc(n) => EventTime::Utc(n + by),
        EventTime::Zoned(n, tz) => EventTime::Zoned(n + by, tz),
        EventTime::Floating(n) => EventTime::Floating(n + by),
        EventTime::Date(d) => EventTime::Date(d + by),
    };
}

/// The demo as a daemon's source: generated again when the week turns.
#[derive(Default)]
pub struct DemoSource {
    week: Option<i64>,
}

#[async_trait::async_trait]
impl super::CalendarSource for DemoSource {
    fn name(&self) -> String {
        "the bundled demo calendar".into()
    }

    fn kind(&self) -> &'static str {
        "demo"
    }

    async fn poll(
        &mut self,
        poll: super::Poll<'_>,
    ) -> Result<Option<Snapshot>, super::SourceError> {
        let week = poll.now.timestamp().div_euclid(7 * 86_400);
        if !poll.full && self.week == Some(week) {
            return Ok(None);
        }
        self.week = Some(week);
        Ok(Some(snapshot(poll.now)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_demo_week_starts_on_the_next_monday() {
        // A Wednesday: the demo moves to the Monday after.
        let now = Utc
            .with_ymd_and_hms(2027, 2, 10, 15, 0, 0)
            .single()
            .expect("valid");
        let s = snapshot(now);
        assert!(!s.events.is_empty());
        let first = s
            .events
            .iter()
            .map(|e| e.start.resolve(chrono_tz::Tz::America__New_York))
            .min()
            .expect("events");
        assert!(first > now, "{first} is after {now}");
        let monday = Utc
            .with_ymd_and_hms(2027, 2, 15, 0, 0, 0)
            .single()
            .expect("valid");
        assert!(first >= monday - TimeDelta::days(7), "{first}");
    }
}
