//! Time in the executive's zone: the local days an occurrence touches, windows on them,
//! working hours and daily limits.

use chrono::{DateTime, Datelike, NaiveDateTime, NaiveTime, TimeDelta, Utc};

use super::context::Context;
use super::text::{Day, Hm, Put};
use crate::rules::values::{format_duration, weekday_name, Window};

pub(super) type Span = (DateTime<Utc>, DateTime<Utc>);
/// An occurrence in the executive's wall-clock time.
pub(super) type Local = (NaiveDateTime, NaiveDateTime);

/// The local days an occurrence touches, each with the part of the occurrence on it.
pub(super) fn local_days(
    ls: NaiveDateTime,
    le: NaiveDateTime,
) -> impl Iterator<Item = (chrono::NaiveDate, NaiveDateTime, NaiveDateTime)> {
    let le = le.max(ls);
    let first = ls.date();
    let last = if le > ls && le.time() == NaiveTime::MIN {
        le.date() - TimeDelta::days(1)
    } else {
        le.date()
    };
    first
        .iter_days()
        .take_while(move |d| *d <= last)
        .map(move |d| {
            let day_start = d.and_time(NaiveTime::MIN);
            let day_end = day_start + TimeDelta::days(1);
            (d, ls.max(day_start), le.min(day_end))
        })
}

pub(super) fn at(day: chrono::NaiveDate, minutes: u32) -> NaiveDateTime {
    day.and_time(NaiveTime::MIN) + TimeDelta::minutes(i64::from(minutes))
}

pub(super) fn window_overlaps(
    day: chrono::NaiveDate,
    w: Window,
    ls: NaiveDateTime,
    le: NaiveDateTime,
) -> bool {
    if ls == le {
        return ls >= at(day, w.start) && ls < at(day, w.end);
    }
    ls < at(day, w.end) && le > at(day, w.start)
}

pub(super) fn outside_hours(
    ctx: &Context<'_>,
    s: NaiveDateTime,
    e: NaiveDateTime,
) -> Option<String> {
    local_days(s, e).find_map(|(day, ls, le)| {
        let name = weekday_name(day.weekday());
        match ctx.rules.hours_on(day.weekday()) {
            None => Some(line!(
                Day(day),
                " ",
                Hm(ls),
                "-",
                Hm(le),
                " is on ",
                name,
                ", which has no working hours"
            )),
            Some(w) if ls < at(day, w.start) || le > at(day, w.end) => Some(sentence!(
                "{} {}-{} is outside working hours ({name} {w})",
                Day(day),
                Hm(ls),
                Hm(le)
            )),
            Some(_) => None,
        }
    })
}

pub(super) fn over_daily_limit(
    ctx: &Context<'_>,
    day: chrono::NaiveDate,
    minutes: i64,
) -> Option<String> {
    let limits = &ctx.rules.limits;
    let load = ctx.load.get(&day).copied().unwrap_or_default();
    let label = Day(day);
    if let Some(max) = limits.max_meetings_per_day {
        if load.meetings + 1 > max {
            return Some(sentence!(
                "{label} would have {} meetings, more than {max}",
                load.meetings + 1
            ));
        }
    }
    if let Some(max) = limits.max_meeting_minutes_per_day {
        let total = load.minutes + minutes;
        if total > max {
            return Some(sentence!(
                "{label} would have {} of meetings, more than {}",
                format_duration(TimeDelta::minutes(total)),
                format_duration(TimeDelta::minutes(max))
            ));
        }
    }
    None
}
