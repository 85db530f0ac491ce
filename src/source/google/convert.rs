//! Google events written as iCalendar, so that they are read by the same parser and
//! recurrence engine as the .ics source (the two sources decide alike).

use google_calendar3::api::{Event, EventDateTime};
use icalendar::{Component, Property};

/// Google events as one iCalendar document, for the .ics parser.
pub fn to_ics<'a>(events: impl IntoIterator<Item = &'a Event>, exec: &str) -> String {
    let mut cal = icalendar::Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"));
    cal.append_property(Property::new("PRODID", "-//timeward//google//EN"));
    for e in events {
        if let Some(ev) = vevent(e, exec) {
            cal.push(ev);
        }
    }
    cal.done().to_string()
}

fn time(name: &str, t: &EventDateTime) -> Option<Property> {
    if let Some(d) = t.date {
        let mut p = Property::new(name, d.format("%Y%m%d").to_string());
        p.add_parameter("VALUE", "DATE");
        return Some(p);
    }
    let utc = t.date_time?;
    // The client keeps only the instant; the zone is in `time_zone` (recurrences and
    // wall-clock rules need it).
    match t
        .time_zone
        .as_deref()
        .and_then(|z| z.parse::<chrono_tz::Tz>().ok())
    {
        Some(tz) => {
            let local = utc.with_timezone(&tz).naive_local();
            let mut p = Property::new(name, local.format("%Y%m%dT%H%M%S").to_string());
            p.add_parameter("TZID", tz.name());
            Some(p)
        }
        None => Some(Property::new(
            name,
            utc.format("%Y%m%dT%H%M%SZ").to_string(),
        )),
    }
}

fn vevent(e: &Event, exec: &str) -> Option<icalendar::Event> {
    // timeward's own 1:1 holds (reserve mode) are its output, not the calendar's: the
    // placer keeps them as its previous reservations instead.
    if super::reserve::is_hold(e) {
        return None;
    }
    let id = e.id.as_deref()?;
    let mut ev = icalendar::Event::new();
    // An exception carries its series' id as UID, as in iCalendar.
    ev.uid(e.recurring_event_id.as_deref().unwrap_or(id));
    ev.add_property("DTSTAMP", "20000101T000000Z");
    let cancelled = e.status.as_deref() == Some("cancelled");
    match (&e.start, &e.end) {
        (Some(s), Some(end)) => {
            ev.append_property(time("DTSTART", s)?);
            ev.append_property(time("DTEND", end)?);
        }
        // A cancelled instance comes without times: its original start is enough.
        _ if cancelled => {
            let o = e.original_start_time.as_ref()?;
            ev.append_property(time("DTSTART", o)?);
        }
        _ => return None,
    }
    if let Some(o) = &e.original_start_time {
        ev.append_property(time("RECURRENCE-ID", o)?);
    }
    if let Some(s) = &e.summary {
        ev.summary(s);
    }
    if let Some(d) = &e.description {
        ev.description(d);
    }
    for line in e.recurrence.iter().flatten() {
        // "RRULE:FREQ=WEEKLY", "EXDATE;TZID=Europe/Berlin:20261208T100000", …
        if let Some((head, value)) = line.split_once(':') {
            let mut parts = head.split(';');
            let name = parts.next().unwrap_or("");
            let mut p = Property::new(name, value);
            for param in parts {
                if let Some((k, v)) = param.split_once('=') {
                    p.add_parameter(k, v);
                }
            }
            ev.append_multi_property(p);
        }
    }
    if let Some(o) = &e.organizer {
        let email = if o.self_ == Some(true) {
            Some(exec)
        } else {
            o.email.as_deref()
        };
        if let Some(email) = email {
            ev.add_property("ORGANIZER", format!("mailto:{email}"));
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
        let mut p = Property::new("ATTENDEE", format!("mailto:{email}"));
        p.add_parameter(
            "PARTSTAT",
            match a.response_status.as_deref() {
                Some("accepted") => "ACCEPTED",
                Some("tentative") => "TENTATIVE",
                Some("declined") => "DECLINED",
                _ => "NEEDS-ACTION",
            },
        );
        if a.optional == Some(true) {
            p.add_parameter("ROLE", "OPT-PARTICIPANT");
        }
        ev.append_multi_property(p);
    }
    if cancelled {
        ev.add_property("STATUS", "CANCELLED");
    } else if e.status.as_deref() == Some("tentative") {
        ev.add_property("STATUS", "TENTATIVE");
    }
    // Working locations are not meetings; focus time and out-of-office are busy (they
    // are opaque by default, as Google sends them).
    let transparent = e.transparency.as_deref() == Some("transparent")
        || e.event_type.as_deref() == Some("workingLocation");
    if transparent {
        ev.add_property("TRANSP", "TRANSPARENT");
    }
    if matches!(e.visibility.as_deref(), Some("private" | "confidential")) {
        ev.add_property("CLASS", "PRIVATE");
    }
    Some(ev.done())
}
