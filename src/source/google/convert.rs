//! Google events as the iCalendar properties they stand for, read by the same event
//! reader and recurrence engine as the .ics source (the two sources decide alike): each
//! API field is mapped onto a property ([`component`]), with no iCalendar text written
//! and parsed again. [`to_ics`] writes those properties as text, which the tests read
//! through the .ics reader to hold the direct reading equal to it.

use google_calendar3::api::{Event, EventDateTime};
use icalendar::parser::{Component as Parsed, Parameter, ParseString, Property as Prop};
use icalendar::{Component, Property};

/// A property with owned values.
fn prop(name: &str, val: String, params: &[(&str, &str)]) -> Prop<'static> {
    Prop {
        name: ParseString::from(name.to_string()),
        val: ParseString::from(val),
        params: params
            .iter()
            .map(|(k, v)| Parameter {
                key: ParseString::from((*k).to_string()),
                val: Some(ParseString::from((*v).to_string())),
            })
            .collect(),
    }
}

/// A start, end or original start as a property: a DATE, a local time with its TZID, or
/// UTC.
fn time_prop(name: &str, t: &EventDateTime) -> Option<Prop<'static>> {
    if let Some(d) = t.date {
        return Some(prop(
            name,
            d.format("%Y%m%d").to_string(),
            &[("VALUE", "DATE")],
        ));
    }
    let utc = t.date_time?;
    // The client keeps only the instant; the zone is in `time_zone` (recurrences and
    // wall-clock rules need it).
    Some(
        match t
            .time_zone
            .as_deref()
            .and_then(|z| z.parse::<chrono_tz::Tz>().ok())
        {
            Some(tz) => {
                let local = utc.with_timezone(&tz).naive_local();
                prop(
                    name,
                    local.format("%Y%m%dT%H%M%S").to_string(),
                    &[("TZID", tz.name())],
                )
            }
            None => prop(name, utc.format("%Y%m%dT%H%M%SZ").to_string(), &[]),
        },
    )
}

/// One Google event as the VEVENT it stands for (`None` for timeward's own holds and for
/// an event without an id or times).
pub fn component(e: &Event, exec: &str) -> Option<Parsed<'static>> {
    if super::reserve::is_hold(e) {
        return None;
    }
    let id = e.id.as_deref()?;
    let mut p = Vec::with_capacity(12 + e.attendees.as_ref().map_or(0, Vec::len));
    // An exception carries its series' id as UID, as in iCalendar.
    p.push(prop(
        "UID",
        e.recurring_event_id.as_deref().unwrap_or(id).to_string(),
        &[],
    ));
    p.push(prop("DTSTAMP", "20000101T000000Z".to_string(), &[]));
    let cancelled = e.status.as_deref() == Some("cancelled");
    match (&e.start, &e.end) {
        (Some(s), Some(end)) => {
            p.push(time_prop("DTSTART", s)?);
            p.push(time_prop("DTEND", end)?);
        }
        // A cancelled instance comes without times: its original start is enough.
        _ if cancelled => p.push(time_prop("DTSTART", e.original_start_time.as_ref()?)?),
        _ => return None,
    }
    if let Some(o) = &e.original_start_time {
        p.push(time_prop("RECURRENCE-ID", o)?);
    }
    if let Some(s) = &e.summary {
        p.push(prop("SUMMARY", s.clone(), &[]));
    }
    if let Some(d) = &e.description {
        p.push(prop("DESCRIPTION", d.clone(), &[]));
    }
    // "RRULE:FREQ=WEEKLY", "EXDATE;TZID=Europe/Berlin:20261208T100000", …: content
    // lines already.
    for line in e.recurrence.iter().flatten() {
        if let Some(q) = crate::calendar::ics::content_line(line) {
            p.push(Prop {
                name: q.name.into_owned(),
                val: q.val.into_owned(),
                params: q
                    .params
                    .into_iter()
                    .map(|x| Parameter {
                        key: x.key.into_owned(),
                        val: x.val.map(ParseString::into_owned),
                    })
                    .collect(),
            });
        }
    }
    if let Some(o) = &e.organizer {
        let email = if o.self_ == Some(true) {
            Some(exec)
        } else {
            o.email.as_deref()
        };
        if let Some(email) = email {
            p.push(prop("ORGANIZER", format!("mailto:{email}"), &[]));
        }
    }
    for a in e.attendees.iter().flatten() {
        let email = if a.self_ == Some(true) {
            exec
        } else {
            match a.email.as_deref() {
                Some(m) => m,
                None => continue,
            }
        };
        let mut params = vec![("PARTSTAT", partstat(a.response_status.as_deref()))];
        if a.optional == Some(true) {
            params.push(("ROLE", "OPT-PARTICIPANT"));
        }
        p.push(prop("ATTENDEE", format!("mailto:{email}"), &params));
    }
    if let Some(status) = status(e) {
        p.push(prop("STATUS", status.to_string(), &[]));
    }
    if transparent(e) {
        p.push(prop("TRANSP", "TRANSPARENT".to_string(), &[]));
    }
    if private(e) {
        p.push(prop("CLASS", "PRIVATE".to_string(), &[]));
    }
    Some(Parsed {
        name: ParseString::from("VEVENT".to_string()),
        properties: p,
        components: Vec::new(),
    })
}

/// Google events as the calendar model reads them, each mapped afresh (the kept calendar
/// keeps each event's reading between polls instead: `GoogleCalendar::snapshot`).
pub fn snapshot<'a>(
    events: impl IntoIterator<Item = &'a Event>,
    exec: &str,
) -> crate::calendar::Snapshot {
    let mut skipped = Vec::new();
    let read: Vec<crate::calendar::ics::ReadEvent> = events
        .into_iter()
        .filter_map(|e| component(e, exec))
        .filter_map(|c| match crate::calendar::ics::event_of(&c) {
            Ok(r) => Some(r),
            Err(message) => {
                skipped.push(crate::calendar::Warning {
                    line: 0,
                    message: format!("Google event skipped: {message}"),
                });
                None
            }
        })
        .collect();
    let mut s = crate::calendar::ics::snapshot_of(&read);
    s.warnings.extend(skipped);
    s
}

fn partstat(response: Option<&str>) -> &'static str {
    match response {
        Some("accepted") => "ACCEPTED",
        Some("tentative") => "TENTATIVE",
        Some("declined") => "DECLINED",
        _ => "NEEDS-ACTION",
    }
}

fn status(e: &Event) -> Option<&'static str> {
    match e.status.as_deref() {
        Some("cancelled") => Some("CANCELLED"),
        Some("tentative") => Some("TENTATIVE"),
        _ => None,
    }
}

/// Working locations are not meetings; focus time and out-of-office are busy (they are
/// opaque by default, as Google sends them).
fn transparent(e: &Event) -> bool {
    e.transparency.as_deref() == Some("transparent")
        || e.event_type.as_deref() == Some("workingLocation")
}

fn private(e: &Event) -> bool {
    matches!(e.visibility.as_deref(), Some("private" | "confidential"))
}

/// Google events as one iCalendar document: what [`component`] maps them to, written as
/// text (the tests read it through the .ics reader and compare with the direct reading).
pub fn to_ics<'a>(events: impl IntoIterator<Item = &'a Event>, exec: &str) -> String {
    let mut cal = icalendar::Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"));
    cal.append_property(Property::new("PRODID", "-//timeward//google//EN"));
    for c in events.into_iter().filter_map(|e| component(e, exec)) {
        let mut ev = icalendar::Event::new();
        for p in &c.properties {
            let mut q = Property::new(p.name.as_str(), p.val.as_str());
            for x in &p.params {
                if let Some(v) = &x.val {
                    q.add_parameter(x.key.as_str(), v.as_str());
                }
            }
            // Those that repeat as multi-properties (the writer keeps one of each other
            // name, and writes a UID and DTSTAMP of its own when they are not single).
            if matches!(p.name.as_str(), "ATTENDEE" | "EXDATE" | "RDATE" | "RRULE") {
                ev.append_multi_property(q);
            } else {
                ev.append_property(q);
            }
        }
        cal.push(ev.done());
    }
    cal.done().to_string()
}
