//! iCalendar (RFC 5545) text to a [`Snapshot`].
//!
//! Pure: takes the text, returns values; the shell reads files and URLs. The content lines
//! are parsed by the `icalendar` crate. Each VEVENT is parsed on its own, so one malformed
//! event is reported (with its line) and skipped while the others still count; a file that
//! is not a calendar at all, or is cut off, is an error.

use std::fmt::Write as _;

use chrono::TimeDelta;
use chrono_tz::Tz;
use icalendar::parser::{read_calendar, unfold, Component, Property};
use icalendar::{CalendarDateTime, DatePerhapsTime};

use super::tz::resolve_tzid;
use super::{
    Attendee, Event, EventTime, Length, PartStat, Recurrence, Role, Snapshot, Status, Warning,
};

/// Why a whole calendar could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IcsError {
    #[error("line {line}: {message}")]
    Malformed { line: usize, message: String },
}

/// The calendar's own properties (name, value), such as X-WR-TIMEZONE.
type CalendarProps = Vec<(String, String)>;

/// A block of source lines: where it starts, and its text.
struct Block<'a> {
    line: usize,
    text: String,
    name: &'a str,
}

/// Parses an iCalendar document. Floating times stay floating (they are read in the
/// executive's zone later), except in a calendar that names its own zone with
/// `X-WR-TIMEZONE` (Google's exports), where they are read in that zone.
pub fn parse(text: &str) -> Result<Snapshot, IcsError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();
    let first = lines
        .iter()
        .position(|l| !l.trim().is_empty())
        .ok_or(IcsError::Malformed {
            line: 1,
            message: "the file is empty; expected an iCalendar file starting with BEGIN:VCALENDAR"
                .into(),
        })?;
    if !lines[first].trim().eq_ignore_ascii_case("BEGIN:VCALENDAR") {
        return Err(IcsError::Malformed {
            line: first + 1,
            message: format!(
                "this is not an iCalendar file: it should start with BEGIN:VCALENDAR, found {:?}",
                shorten(lines[first])
            ),
        });
    }
    if !lines
        .iter()
        .any(|l| l.trim().eq_ignore_ascii_case("END:VCALENDAR"))
    {
        return Err(IcsError::Malformed {
            line: lines.len(),
            message: "the file ends before END:VCALENDAR: it was cut off (a partial download?)"
                .into(),
        });
    }

    let (blocks, calendar_props) = split_blocks(&lines)?;
    let mut snapshot = Snapshot::default();
    let calendar_zone = calendar_props
        .iter()
        .find_map(|(k, v)| {
            k.eq_ignore_ascii_case("X-WR-TIMEZONE")
                .then(|| resolve_tzid(v))
        })
        .flatten();

    for block in blocks
        .iter()
        .filter(|b| b.name.eq_ignore_ascii_case("VEVENT"))
    {
        match read_calendar(&unfold(&block.text)) {
            Ok(cal) => {
                for component in cal
                    .components
                    .iter()
                    .filter(|c| c.name.as_str() == "VEVENT")
                {
                    match event_from(component, block.line, calendar_zone) {
                        Ok((event, warnings)) => {
                            snapshot.warnings.extend(warnings);
                            snapshot.events.push(event);
                        }
                        Err(message) => snapshot.warnings.push(Warning {
                            line: block.line,
                            message: format!("event skipped: {message}"),
                        }),
                    }
                }
            }
            Err(_) => snapshot.warnings.push(Warning {
                line: block.line,
                message: "event skipped: its lines are not valid iCalendar content lines \
                          (each must be NAME;PARAMS:VALUE)"
                    .into(),
            }),
        }
    }
    // The daemon keeps the snapshot between cycles: no spare capacity.
    snapshot.events.shrink_to_fit();
    Ok(snapshot)
}

/// Splits the document into its top-level components inside VCALENDAR (with the line each
/// starts on) and the calendar's own properties.
fn split_blocks<'a>(lines: &[&'a str]) -> Result<(Vec<Block<'a>>, CalendarProps), IcsError> {
    let mut blocks = Vec::new();
    let mut props = Vec::new();
    let mut current: Option<(Block<'a>, usize)> = None; // block and nesting depth
    for (i, raw) in lines.iter().enumerate() {
        let trimmed = raw.trim_end();
        let upper_begin = trimmed.len() > 6 && trimmed[..6].eq_ignore_ascii_case("BEGIN:");
        let upper_end = trimmed.len() > 4 && trimmed[..4].eq_ignore_ascii_case("END:");
        match current.as_mut() {
            Some((block, depth)) => {
                block.text.push_str(trimmed);
                block.text.push_str("\r\n");
                if upper_begin {
                    *depth += 1;
                } else if upper_end {
                    *depth -= 1;
                    if *depth == 0 {
                        if let Some((b, _)) = current.take() {
                            blocks.push(b);
                        }
                    }
                }
            }
            None if upper_begin => {
                let name = raw.trim()[6..].trim();
                if name.eq_ignore_ascii_case("VCALENDAR") {
                    continue;
                }
                let mut text = String::new();
                let _ = write!(text, "{trimmed}\r\n");
                current = Some((
                    Block {
                        line: i + 1,
                        text,
                        name,
                    },
                    1,
                ));
            }
            None if upper_end => {}
            None => {
                if let Some((k, v)) = trimmed.split_once(':') {
                    if !k.starts_with([' ', '\t']) {
                        props.push((k.to_string(), v.to_string()));
                    }
                }
            }
        }
    }
    if let Some((block, _)) = current {
        return Err(IcsError::Malformed {
            line: block.line,
            message: format!(
                "BEGIN:{} at this line has no END:{}: the file was cut off or is broken",
                block.name, block.name
            ),
        });
    }
    Ok((blocks, props))
}

fn shorten(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_control()).take(40).collect();
    s
}

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
    prop(c, name)
        .map(|p| p.val.as_str().trim().to_string())
        .unwrap_or_default()
}

/// `mailto:Dana@Acme.example` → `dana@acme.example`.
fn address(value: &str) -> String {
    let v = value.trim();
    let v = if v.len() >= 7 && v[..7].eq_ignore_ascii_case("mailto:") {
        &v[7..]
    } else {
        v
    };
    v.trim().to_lowercase()
}

fn event_from(
    c: &Component<'_>,
    line: usize,
    calendar_zone: Option<Tz>,
) -> Result<(Event, Vec<Warning>), String> {
    let mut warnings = Vec::new();
    let mut warn = |message: String| warnings.push(Warning { line, message });

    let title = text(c, "SUMMARY");
    let uid = match prop(c, "UID").map(|p| p.val.as_str().trim()) {
        Some(uid) if !uid.is_empty() => uid.to_string(),
        _ => {
            warn("event has no UID; gave it one made from its start and title".into());
            format!(
                "no-uid-{:016x}",
                fnv1a(&format!("{}|{title}", text(c, "DTSTART")))
            )
        }
    };
    let who = format!("event {uid:?}");

    let start_prop = prop(c, "DTSTART").ok_or_else(|| format!("{who} has no DTSTART"))?;
    let start = time_of(start_prop, calendar_zone, &mut warn).ok_or_else(|| {
        format!(
            "{who}: DTSTART {:?} is not a date or date-time",
            start_prop.val.as_str()
        )
    })?;

    let length = if let Some(end_prop) = prop(c, "DTEND") {
        let end = time_of(end_prop, calendar_zone, &mut warn).ok_or_else(|| {
            format!(
                "{who}: DTEND {:?} is not a date or date-time",
                end_prop.val.as_str()
            )
        })?;
        match (start, end) {
            (EventTime::Date(s), EventTime::Date(e)) => Length::Days((e - s).num_days().max(1)),
            (EventTime::Date(_), _) | (_, EventTime::Date(_)) => {
                return Err(format!(
                    "{who}: DTSTART and DTEND mix a date and a date-time"
                ))
            }
            _ => {
                // Both read in the same way, so UTC as the floating zone gives their distance.
                let d = end.resolve(Tz::UTC) - start.resolve(Tz::UTC);
                if d < TimeDelta::zero() {
                    return Err(format!("{who} ends before it starts"));
                }
                Length::Exact(d)
            }
        }
    } else if let Some(dur) = prop(c, "DURATION") {
        let d = iso8601::duration(dur.val.as_str().trim())
            .ok()
            .and_then(|d| TimeDelta::from_std(d.into()).ok())
            .ok_or_else(|| {
                format!(
                    "{who}: DURATION {:?} is not a duration like PT1H30M",
                    dur.val.as_str()
                )
            })?;
        if start.is_date() {
            Length::Days((d.num_seconds() / 86_400).max(1))
        } else {
            Length::Exact(d)
        }
    } else if start.is_date() {
        Length::Days(1)
    } else {
        Length::Exact(TimeDelta::zero())
    };

    let mut recurrence = Recurrence::default();
    for p in props(c, "RRULE") {
        recurrence.rrules.push(p.val.as_str().trim().to_string());
    }
    for (name, list) in [
        ("RDATE", &mut recurrence.rdates),
        ("EXDATE", &mut recurrence.exdates),
    ] {
        for p in props(c, name) {
            for value in p.val.as_str().split(',') {
                // A PERIOD ("start/end") counts from its start.
                let value = value.split('/').next().unwrap_or(value).trim();
                if value.is_empty() {
                    continue;
                }
                let mut single = p.clone();
                single.val = value.to_string().into();
                let date_param = single.params.iter().any(|x| {
                    x.key.as_str().eq_ignore_ascii_case("VALUE")
                        && x.val
                            .as_ref()
                            .is_some_and(|v| v.as_str().eq_ignore_ascii_case("PERIOD"))
                });
                if date_param {
                    single
                        .params
                        .retain(|x| !x.key.as_str().eq_ignore_ascii_case("VALUE"));
                }
                match time_of(&single, calendar_zone, &mut warn) {
                    Some(t) => list.push(t),
                    None => warn(format!(
                        "{who}: {name} value {value:?} is not a date; ignored"
                    )),
                }
            }
        }
    }
    let recurrence =
        (!recurrence.rrules.is_empty() || !recurrence.rdates.is_empty()).then_some(recurrence);

    let recurrence_id = match prop(c, "RECURRENCE-ID") {
        Some(p) => Some(time_of(p, calendar_zone, &mut warn).ok_or_else(|| {
            format!(
                "{who}: RECURRENCE-ID {:?} is not a date or date-time",
                p.val.as_str()
            )
        })?),
        None => None,
    };

    let organizer = prop(c, "ORGANIZER")
        .map(|p| address(p.val.as_str()))
        .filter(|a| !a.is_empty());
    let attendees = props(c, "ATTENDEE")
        .map(|p| Attendee {
            email: address(p.val.as_str()),
            partstat: match param(p, "PARTSTAT").map(str::to_ascii_uppercase).as_deref() {
                None | Some("NEEDS-ACTION") => PartStat::NeedsAction,
                Some("ACCEPTED") => PartStat::Accepted,
                Some("TENTATIVE") => PartStat::Tentative,
                Some("DECLINED") => PartStat::Declined,
                Some("DELEGATED") => PartStat::Delegated,
                Some(_) => PartStat::Other,
            },
            role: match param(p, "ROLE").map(str::to_ascii_uppercase).as_deref() {
                Some("CHAIR") => Role::Chair,
                Some("OPT-PARTICIPANT") => Role::Optional,
                Some("NON-PARTICIPANT") => Role::NonParticipant,
                _ => Role::Required,
            },
        })
        .filter(|a| !a.email.is_empty())
        .collect();

    let status = match text(c, "STATUS").to_ascii_uppercase().as_str() {
        "CANCELLED" => Status::Cancelled,
        "TENTATIVE" => Status::Tentative,
        _ => Status::Confirmed,
    };
    let transparent = text(c, "TRANSP").eq_ignore_ascii_case("TRANSPARENT");
    let private = matches!(
        text(c, "CLASS").to_ascii_uppercase().as_str(),
        "PRIVATE" | "CONFIDENTIAL"
    );

    let event = Event {
        uid,
        title,
        description: text(c, "DESCRIPTION"),
        start,
        length,
        recurrence,
        recurrence_id,
        organizer,
        attendees,
        status,
        transparent,
        private,
        line,
    };
    Ok((event, warnings))
}

/// Reads a DTSTART-like property. An unknown TZID is read as floating, with a warning.
fn time_of(
    p: &Property<'_>,
    calendar_zone: Option<Tz>,
    warn: &mut impl FnMut(String),
) -> Option<EventTime> {
    let owned: icalendar::Property = p.clone().into();
    let value = DatePerhapsTime::from_property(&owned)?;
    Some(match value {
        DatePerhapsTime::Date(d) => EventTime::Date(d),
        DatePerhapsTime::DateTime(CalendarDateTime::Utc(dt)) => EventTime::Utc(dt.naive_utc()),
        DatePerhapsTime::DateTime(CalendarDateTime::Floating(n)) => match calendar_zone {
            Some(tz) => EventTime::Zoned(n, tz),
            None => EventTime::Floating(n),
        },
        DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid }) => {
            match resolve_tzid(&tzid) {
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

/// A small stable hash for made-up ids.
fn fnv1a(s: &str) -> u64 {
    crate::fnv1a(s.as_bytes())
}
