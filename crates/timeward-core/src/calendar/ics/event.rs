//! One VEVENT's properties into an [`Event`]: times and their zones, ends (swapped and
//! mixed ones read), recurrence (broken RRULE parts dropped), overrides, people, status.
//! Every message names the line of the property it is about.

use chrono::{NaiveDateTime, TimeDelta};
use chrono_tz::Tz;
use icalendar::parser::{Component, Property};
use icalendar::{CalendarDateTime, DatePerhapsTime};

use super::lines::{starts_with_ci, Block};
use super::{rrule_parts, Revision, Zones};
use crate::calendar::{Event, EventTime, Length, Recurrence, Status, Warning};

mod attendees;
use attendees::{attendees_of, kept_attendee};

fn prop<'c>(c: &'c Component<'_>, name: &str) -> Option<&'c Property<'c>> {
    c.properties
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
}

fn props<'c>(c: &'c Component<'_>, name: &'c str) -> impl Iterator<Item = &'c Property<'c>> + 'c {
    c.properties
        .iter()
        .filter(move |p| p.name.as_str().eq_ignore_ascii_case(name))
}

fn param<'p>(p: &'p Property<'_>, key: &str) -> Option<&'p str> {
    p.params
        .iter()
        .find(|x| x.key.as_str().eq_ignore_ascii_case(key))
        .and_then(|x| x.val.as_ref())
        .map(|v| v.as_str().trim_matches('"'))
}

fn text(c: &Component<'_>, name: &str) -> String {
    value(c, name).to_string()
}

/// [`text`] borrowed, for the values only compared or parsed.
fn value<'c>(c: &'c Component<'_>, name: &str) -> &'c str {
    prop(c, name).map_or("", |p| p.val.as_str().trim())
}

/// How messages name an event (`event "uid"`), written only when one is.
struct Who<'a>(&'a str);

impl std::fmt::Display for Who<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "event {:?}", self.0)
    }
}

/// `mailto:Dana@Acme.example` → `dana@acme.example`.
fn address(value: &str) -> String {
    let v = bare_address(value);
    if v.is_ascii() {
        v.to_ascii_lowercase()
    } else {
        v.to_lowercase()
    }
}

/// An address as written, without white space or `mailto:` (its case unchanged).
fn bare_address(value: &str) -> &str {
    let v = value.trim();
    let v = if starts_with_ci(v, "mailto:") {
        v.get(7..).unwrap_or_default()
    } else {
        v
    };
    v.trim()
}

/// A UTC or floating date-time such as LAST-MODIFIED, for comparing revisions.
fn stamp(c: &Component<'_>, name: &str) -> Option<NaiveDateTime> {
    let v = prop(c, name)?.val.as_str().trim();
    let v = v.trim_end_matches(['Z', 'z']);
    // The usual shape read by hand: chrono's format parser costs more than the rest of
    // the event.
    quick_date_time(v.as_bytes()).or_else(|| NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").ok())
}

/// Reads one VEVENT. With `compact_for`, the event comes out as [`Event::compact`] makes
/// it for that executive (the description of an event that is not a request is not even
/// read).
pub(super) fn event_from(
    c: &Component<'_>,
    block: &Block<'_>,
    zones: &Zones,
    warnings: &mut Vec<Warning>,
    compact_for: Option<&str>,
) -> Result<(Event, Revision), String> {
    let line = block.line();
    let mut warn_at = |line: usize, message: String| warnings.push(Warning { line, message });

    #[cfg(debug_assertions)]
    if prop(c, "X-TIMEWARD-TEST-PANIC").is_some() {
        // Fault injection for the tests (debug builds only): a panic whose message carries
        // the event's text, which must never reach the log.
        panic!(
            "injected fault in {:?}: {:?}",
            text(c, "SUMMARY"),
            text(c, "DESCRIPTION")
        );
    }

    let title = text(c, "SUMMARY");
    let uid = match prop(c, "UID").map(|p| p.val.as_str().trim()) {
        Some(uid) if !uid.is_empty() => uid.to_string(),
        _ => {
            warn_at(
                line,
                "event has no UID; gave it one made from its start and title".into(),
            );
            format!(
                "no-uid-{:016x}",
                crate::fnv1a(format!("{}|{title}", text(c, "DTSTART")).as_bytes())
            )
        }
    };
    let who = &Who(&uid);
    let mut warn = |name: &str, message: String| warn_at(block.line_of(name), message);

    let start_prop = prop(c, "DTSTART").ok_or_else(|| format!("{who} has no DTSTART"))?;
    let mut start = time_of(start_prop, zones, &mut |m| warn("DTSTART", m)).ok_or_else(|| {
        format!(
            "{who}: DTSTART {:?} is not a date or date-time",
            start_prop.val.as_str()
        )
    })?;

    let length = length_of(c, &mut start, who, zones, &mut warn)?;

    let recurrence = recurrence_of(c, who, zones, &mut warn);

    let (recurrence_id, this_and_future) = recurrence_id_of(c, who, zones, &mut warn)?;

    let organizer = prop(c, "ORGANIZER")
        .map(|p| address(p.val.as_str()))
        .filter(|a| !a.is_empty());
    let attendees = match compact_for {
        Some(exec) => kept_attendee(c, exec).into_iter().collect(),
        None => attendees_of(c),
    };

    let (status, transparent, private) = flags(c);
    let revision = Revision {
        sequence: value(c, "SEQUENCE").parse().unwrap_or(0),
        last_modified: stamp(c, "LAST-MODIFIED"),
        dtstamp: stamp(c, "DTSTAMP"),
    };

    let mut event = Event {
        uid,
        title,
        description: String::new(),
        start,
        length,
        recurrence,
        recurrence_id,
        this_and_future,
        organizer,
        attendees,
        status,
        transparent,
        private,
        line,
        origin: crate::calendar::Origin::new(),
    };
    match compact_for {
        // The executive's attendee entry (or the first) decides the kind as all of them do.
        Some(exec) if event.kind(exec) != crate::calendar::Kind::Request => event.compact(exec),
        Some(_) => {
            event.attendees = attendees_of(c);
            event.description = text(c, "DESCRIPTION");
        }
        None => event.description = text(c, "DESCRIPTION"),
    }
    Ok((event, revision))
}

/// STATUS, whether TRANSP is TRANSPARENT, and whether CLASS hides the event's text.
fn flags(c: &Component<'_>) -> (Status, bool, bool) {
    let status = value(c, "STATUS");
    let status = if status.eq_ignore_ascii_case("CANCELLED") {
        Status::Cancelled
    } else if status.eq_ignore_ascii_case("TENTATIVE") {
        Status::Tentative
    } else {
        Status::Confirmed
    };
    let transparent = value(c, "TRANSP").eq_ignore_ascii_case("TRANSPARENT");
    let class = value(c, "CLASS");
    let private =
        class.eq_ignore_ascii_case("PRIVATE") || class.eq_ignore_ascii_case("CONFIDENTIAL");
    (status, transparent, private)
}

/// RECURRENCE-ID, and whether it reaches forward (`RANGE=THISANDFUTURE`).
fn recurrence_id_of(
    c: &Component<'_>,
    who: &Who<'_>,
    zones: &Zones,
    warn: &mut impl FnMut(&str, String),
) -> Result<(Option<EventTime>, bool), String> {
    Ok(match prop(c, "RECURRENCE-ID") {
        Some(p) => {
            let rid = time_of(p, zones, &mut |m| warn("RECURRENCE-ID", m)).ok_or_else(|| {
                format!(
                    "{who}: RECURRENCE-ID {:?} is not a date or date-time",
                    p.val.as_str()
                )
            })?;
            let range = param(p, "RANGE").is_some_and(|r| r.eq_ignore_ascii_case("THISANDFUTURE"));
            (Some(rid), range)
        }
        None => (None, false),
    })
}

/// How long each occurrence lasts: DTEND (swapped and mixed ends read, `start` adjusted),
/// else DURATION, else a day for a date and nothing for a date-time.
fn length_of(
    c: &Component<'_>,
    start: &mut EventTime,
    who: &Who<'_>,
    zones: &Zones,
    warn: &mut impl FnMut(&str, String),
) -> Result<Length, String> {
    if let Some(end_prop) = prop(c, "DTEND") {
        let end = time_of(end_prop, zones, &mut |m| warn("DTEND", m)).ok_or_else(|| {
            format!(
                "{who}: DTEND {:?} is not a date or date-time",
                end_prop.val.as_str()
            )
        })?;
        let (length, read_as) = length_between(start, end);
        if let Some(read_as) = read_as {
            warn("DTEND", format!("{who}: {read_as}"));
        }
        Ok(length)
    } else if let Some(dur) = prop(c, "DURATION") {
        let d = duration(dur.val.as_str()).ok_or_else(|| {
            format!(
                "{who}: DURATION {:?} is not a duration like PT1H30M",
                dur.val.as_str()
            )
        })?;
        Ok(if start.is_date() {
            Length::Days((d.num_seconds() / 86_400).max(1))
        } else if d < TimeDelta::zero() {
            warn(
                "DURATION",
                format!("{who}: DURATION is negative; read as its length without the sign"),
            );
            Length::Exact(-d)
        } else {
            Length::Exact(d)
        })
    } else if start.is_date() {
        Ok(Length::Days(1))
    } else {
        Ok(Length::Exact(TimeDelta::zero()))
    }
}

/// The length from `start` to `end`, reading the two quirks that exports write: an end
/// before the start (the ends are swapped) and a DATE with a DATE-TIME (the DATE-TIME's
/// day is taken, so the event is all-day). The second value says what was read, for a
/// warning.
fn length_between(start: &mut EventTime, end: EventTime) -> (Length, Option<String>) {
    match (*start, end) {
        (EventTime::Date(s), EventTime::Date(e)) => {
            if e < s {
                *start = EventTime::Date(e);
                let days = (s - e).num_days().max(1);
                let note = "DTEND is before DTSTART; read with the two swapped";
                (Length::Days(days), Some(note.into()))
            } else {
                (Length::Days((e - s).num_days().max(1)), None)
            }
        }
        (EventTime::Date(s), other) => all_day_between(start, s, other.naive().date()),
        (other, EventTime::Date(e)) => all_day_between(start, other.naive().date(), e),
        _ => {
            // Both read in the same way, so UTC as the floating zone gives their distance.
            let d = end.resolve(Tz::UTC) - start.resolve(Tz::UTC);
            if d < TimeDelta::zero() {
                *start = end;
                let note = "DTEND is before DTSTART; read with the two swapped";
                (Length::Exact(-d), Some(note.into()))
            } else {
                (Length::Exact(d), None)
            }
        }
    }
}

/// A DATE with a DATE-TIME: all-day on the dates they name (in either order).
fn all_day_between(
    start: &mut EventTime,
    a: chrono::NaiveDate,
    b: chrono::NaiveDate,
) -> (Length, Option<String>) {
    let (s, e) = (a.min(b), a.max(b));
    *start = EventTime::Date(s);
    let note = "DTSTART and DTEND mix a DATE and a DATE-TIME; read as an all-day event on the \
                dates they name";
    (Length::Days((e - s).num_days().max(1)), Some(note.into()))
}

/// An RFC 5545 duration such as `PT1H30M`, `-PT15M` or `P1W` (signed).
fn duration(value: &str) -> Option<TimeDelta> {
    let v = value.trim();
    let (sign, v) = match v.as_bytes().first() {
        Some(b'-') => (-1, &v[1..]),
        Some(b'+') => (1, &v[1..]),
        _ => (1, v),
    };
    let d = iso8601::duration(v)
        .ok()
        .and_then(|d| TimeDelta::from_std(d.into()).ok())?;
    Some(d * sign)
}

/// RRULE, RDATE and EXDATE of an event; broken RRULE parts are dropped with a warning.
fn recurrence_of(
    c: &Component<'_>,
    who: &Who<'_>,
    zones: &Zones,
    warn: &mut impl FnMut(&str, String),
) -> Option<Box<Recurrence>> {
    let mut recurrence = Recurrence::default();
    for p in props(c, "RRULE") {
        let (rule, problems) = rrule_parts::sanitize(p.val.as_str());
        for problem in problems {
            warn("RRULE", format!("{who}: {problem}"));
        }
        if let Some(rule) = rule {
            recurrence.rrules.push(rule);
        }
    }
    for name in ["RDATE", "EXDATE"] {
        for p in props(c, name) {
            let period = param(p, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("PERIOD"));
            for value in p.val.as_str().split(',') {
                let value = value.trim();
                if value.is_empty() {
                    continue;
                }
                let (at, until) = match value.split_once('/') {
                    Some((at, until)) => (at, Some(until)),
                    None => (value, None),
                };
                let mut single = p.clone();
                single.val = at.to_string().into();
                if period || until.is_some() {
                    single
                        .params
                        .retain(|x| !x.key.as_str().eq_ignore_ascii_case("VALUE"));
                }
                let Some(t) = time_of(&single, zones, &mut |m| warn(name, m)) else {
                    warn(
                        name,
                        format!("{who}: {name} value {value:?} is not a date; ignored"),
                    );
                    continue;
                };
                match (name, until) {
                    ("RDATE", Some(until)) => match period_length(&single, t, until, zones) {
                        Some(length) => recurrence.periods.push((t, length)),
                        None => {
                            warn(
                                name,
                                format!(
                                    "{who}: RDATE period {value:?} has no readable end; \
                                     it lasts as long as the event"
                                ),
                            );
                            recurrence.rdates.push(t);
                        }
                    },
                    ("RDATE", None) => recurrence.rdates.push(t),
                    _ => recurrence.exdates.push(t),
                }
            }
        }
    }
    let any = !recurrence.rrules.is_empty()
        || !recurrence.rdates.is_empty()
        || !recurrence.periods.is_empty();
    any.then(|| Box::new(recurrence))
}

/// The length of an RDATE period `start/END` or `start/DURATION`.
fn period_length(
    p: &Property<'_>,
    start: EventTime,
    until: &str,
    zones: &Zones,
) -> Option<TimeDelta> {
    let until = until.trim();
    if until.starts_with(['P', 'p', '+', '-']) {
        return duration(until).filter(|d| *d >= TimeDelta::zero());
    }
    let mut end = p.clone();
    end.val = until.to_string().into();
    let end = time_of(&end, zones, &mut |_| {})?;
    let d = end.resolve(Tz::UTC) - start.resolve(Tz::UTC);
    (d >= TimeDelta::zero()).then_some(d)
}

/// Reads a DTSTART-like property. An unknown TZID is read as floating, with a warning.
fn time_of(p: &Property<'_>, zones: &Zones, warn: &mut impl FnMut(String)) -> Option<EventTime> {
    let value = quick_time(p).or_else(|| {
        let owned: icalendar::Property = p.clone().into();
        DatePerhapsTime::from_property(&owned)
    })?;
    Some(match value {
        DatePerhapsTime::Date(d) => EventTime::Date(d),
        DatePerhapsTime::DateTime(CalendarDateTime::Utc(dt)) => EventTime::Utc(dt.naive_utc()),
        DatePerhapsTime::DateTime(CalendarDateTime::Floating(n)) => match zones.calendar {
            Some(tz) => EventTime::Zoned(n, tz),
            None => EventTime::Floating(n),
        },
        DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid }) => {
            match zones.resolve(&tzid) {
                Some(tz) => EventTime::Zoned(date_time, tz),
                None => {
                    warn(format!(
                        "unknown time zone {tzid:?}: its times are read in the executive's time zone"
                    ));
                    EventTime::Floating(date_time)
                }
            }
        }
    })
}

/// Digits at `r` of `v` as a number, if they are all digits.
fn digits(v: &[u8], r: std::ops::Range<usize>) -> Option<u32> {
    v.get(r)?.iter().try_fold(0u32, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

/// `YYYYMMDD`.
fn quick_date(v: &[u8]) -> Option<chrono::NaiveDate> {
    if v.len() != 8 {
        return None;
    }
    let year = i32::try_from(digits(v, 0..4)?).ok()?;
    chrono::NaiveDate::from_ymd_opt(year, digits(v, 4..6)?, digits(v, 6..8)?)
}

/// `YYYYMMDDTHHMMSS`.
fn quick_date_time(v: &[u8]) -> Option<NaiveDateTime> {
    if v.len() != 15 || v[8] != b'T' {
        return None;
    }
    quick_date(&v[..8])?.and_hms_opt(digits(v, 9..11)?, digits(v, 11..13)?, digits(v, 13..15)?)
}

/// What `DatePerhapsTime::from_property` reads, for the shapes every calendar writes
/// (`YYYYMMDD`, `YYYYMMDDTHHMMSS`, with `Z`, with `TZID`, `VALUE=DATE`), without cloning
/// the property into the crate's own type and parsing through chrono's format strings;
/// `None` for anything else, which then goes the crate's way (tested to agree).
pub(super) fn quick_time(p: &Property<'_>) -> Option<DatePerhapsTime> {
    let (mut tzid, mut date) = (None, false);
    for x in &p.params {
        match (x.key.as_str(), x.val.as_ref().map(|v| v.as_str())) {
            ("TZID", Some(v)) if tzid.is_none() => tzid = Some(v),
            ("VALUE", Some("DATE")) if !date => date = true,
            ("VALUE", Some("DATE-TIME" | "PERIOD")) => {}
            _ => return None,
        }
    }
    let v = p.val.as_str().as_bytes();
    if date {
        return quick_date(v).map(DatePerhapsTime::Date);
    }
    Some(match (tzid, v.len()) {
        (Some(tzid), 15) => DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone {
            date_time: quick_date_time(v)?,
            tzid: tzid.to_string(),
        }),
        (None, 15) => DatePerhapsTime::DateTime(CalendarDateTime::Floating(quick_date_time(v)?)),
        (None, 16) if v[15] == b'Z' => {
            DatePerhapsTime::DateTime(CalendarDateTime::Utc(quick_date_time(&v[..15])?.and_utc()))
        }
        (None, 8) => DatePerhapsTime::Date(quick_date(v)?),
        _ => return None,
    })
}
