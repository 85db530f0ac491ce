//! iTIP (RFC 5546) messages for the executive's answer to an invitation read from an
//! iCalendar file: the `METHOD:REPLY` to the organiser and, for a delegation, the
//! `METHOD:REQUEST` that forwards the invitation to the delegate (§3.2.2.3, §4.2.5).
//!
//! Pure: the calendar's bytes in, the messages' text out. The properties that identify
//! the invitation (UID, SEQUENCE, RECURRENCE-ID, ORGANIZER, DTSTART, the executive's own
//! ATTENDEE parameters) are copied as the calendar wrote them, with the VTIMEZONE
//! definitions they refer to, so the organiser's calendar matches the answer to its
//! invitation. A series whose master awaits the answer is answered as a whole (no
//! RECURRENCE-ID), together with each moved instance that also awaits it; an instance
//! that alone awaits it is answered with its RECURRENCE-ID.

use std::panic::{catch_unwind, AssertUnwindSafe};

use chrono::{DateTime, Utc};
use icalendar::parser::read_calendar;
use icalendar::{Calendar, CalendarComponent, Component, Event, Property};

use super::lines::{is_content_line, split_blocks, unfold, Block};
use super::{block_text, Warning};

/// The answer, as the executive's ATTENDEE's PARTSTAT says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Accepted,
    Tentative,
    Declined,
    /// `PARTSTAT=DELEGATED;DELEGATED-TO=` this address.
    DelegatedTo(String),
}

impl Answer {
    fn partstat(&self) -> &'static str {
        match self {
            Answer::Accepted => "ACCEPTED",
            Answer::Tentative => "TENTATIVE",
            Answer::Declined => "DECLINED",
            Answer::DelegatedTo(_) => "DELEGATED",
        }
    }
}

/// What to answer.
#[derive(Debug, Clone, Copy)]
pub struct Answering<'a> {
    pub uid: &'a str,
    /// The executive's address (without `mailto:`).
    pub executive: &'a str,
    pub answer: &'a Answer,
    /// A note to the organiser (`COMMENT`).
    pub note: Option<&'a str>,
    /// The messages' DTSTAMP.
    pub now: DateTime<Utc>,
}

/// The messages for one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Messages {
    /// The organiser's address (without `mailto:`): where the reply goes.
    pub organizer: String,
    /// The event's title, for the mail's subject; `None` for a private event.
    pub summary: Option<String>,
    /// `METHOD:REPLY`, for the organiser.
    pub reply: String,
    /// `METHOD:REQUEST`, for the delegate (a delegation only).
    pub request: Option<String>,
}

/// Why no answer can be written. Says nothing of the event's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ItipError {
    #[error("the calendar has no invitation {0:?} awaiting the executive's answer (answered, cancelled or gone)")]
    NotWaiting(String),
    #[error("the invitation names no organiser to answer to")]
    NoOrganizer,
    #[error("the calendar could not be read for the answer: {0}")]
    Unreadable(String),
}

/// The REPLY (and, for a delegation, the REQUEST to the delegate) for `a`.
pub fn answer(bytes: &[u8], a: &Answering<'_>) -> Result<Messages, ItipError> {
    catch_unwind(AssertUnwindSafe(|| build(bytes, a))).unwrap_or_else(|_| {
        Err(ItipError::Unreadable(
            "an internal error in timeward (a bug; please report it)".into(),
        ))
    })
}

/// One copy of the invitation in the calendar.
struct Found {
    event: Event,
    /// The RECURRENCE-ID as written (value and TZID), empty for the master.
    instance: String,
    sequence: i64,
}

fn build(bytes: &[u8], a: &Answering<'_>) -> Result<Messages, ItipError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut warnings: Vec<Warning> = Vec::new();
    let lines = unfold(bytes, &mut warnings);
    let (blocks, _) =
        split_blocks(&lines, &mut warnings).map_err(|e| ItipError::Unreadable(e.to_string()))?;
    let copies = copies_of(&blocks, a.uid, &mut warnings);
    let executive = a.executive.trim().to_ascii_lowercase();
    let waiting: Vec<&Found> = copies
        .iter()
        .filter(|c| !is(&c.event, "STATUS", "CANCELLED"))
        .filter(|c| {
            attendee(&c.event, &executive).is_some_and(|p| {
                param(p, "PARTSTAT").is_none_or(|s| s.eq_ignore_ascii_case("NEEDS-ACTION"))
            })
        })
        .collect();
    let first = waiting
        .first()
        .ok_or_else(|| ItipError::NotWaiting(a.uid.to_string()))?;
    let organizer = prop(&first.event, "ORGANIZER")
        .map(|p| address(p.value()))
        .filter(|o| o.contains('@'))
        .ok_or(ItipError::NoOrganizer)?;
    let private = is(&first.event, "CLASS", "PRIVATE") || is(&first.event, "CLASS", "CONFIDENTIAL");
    let summary = prop(&first.event, "SUMMARY")
        .filter(|_| !private)
        .map(|p| p.value().to_string());

    let replies: Vec<Event> = waiting
        .iter()
        .map(|c| reply_event(&c.event, &executive, a, private))
        .collect();
    let reply = write("REPLY", &replies, &blocks);
    let request = match a.answer {
        Answer::DelegatedTo(to) => {
            let to = address(to);
            let forwarded: Vec<Event> = waiting
                .iter()
                .map(|c| delegated_event(&c.event, &executive, &to, a.now))
                .collect();
            Some(write("REQUEST", &forwarded, &blocks))
        }
        _ => None,
    };
    Ok(Messages {
        organizer,
        summary,
        reply,
        request,
    })
}

/// Every copy of the event `uid` in the calendar, one per RECURRENCE-ID (the one with the
/// highest SEQUENCE, else the later in the file).
fn copies_of(blocks: &[Block<'_>], uid: &str, warnings: &mut Vec<Warning>) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    for block in blocks
        .iter()
        .filter(|b| b.name.eq_ignore_ascii_case("VEVENT"))
    {
        let text = block_text(block, warnings);
        let Ok(cal) = read_calendar(&text) else {
            continue;
        };
        for component in cal.components {
            if !component.name.as_str().eq_ignore_ascii_case("VEVENT") {
                continue;
            }
            let CalendarComponent::Event(event) = CalendarComponent::from(component) else {
                continue;
            };
            if prop(&event, "UID").is_none_or(|p| p.value().trim() != uid.trim()) {
                continue;
            }
            let instance = prop(&event, "RECURRENCE-ID")
                .map(|p| format!("{}|{}", param(p, "TZID").unwrap_or(""), p.value().trim()))
                .unwrap_or_default();
            let sequence = prop(&event, "SEQUENCE")
                .and_then(|p| p.value().trim().parse().ok())
                .unwrap_or(0);
            let copy = Found {
                event,
                instance,
                sequence,
            };
            match out.iter_mut().find(|c| c.instance == copy.instance) {
                Some(c) if copy.sequence >= c.sequence => *c = copy,
                Some(_) => {}
                None => out.push(copy),
            }
        }
    }
    // The master first: it speaks for the series.
    out.sort_by_key(|c| !c.instance.is_empty());
    out
}

/// The REPLY's VEVENT for one copy: what identifies the invitation, the executive's
/// ATTENDEE with the answer, the note.
fn reply_event(e: &Event, executive: &str, a: &Answering<'_>, private: bool) -> Event {
    let mut r = Event::new();
    r.append_property(Property::new("DTSTAMP", stamp(a.now)));
    let mut copied = vec![
        "UID",
        "ORGANIZER",
        "SEQUENCE",
        "RECURRENCE-ID",
        "DTSTART",
        "DTEND",
        "DURATION",
    ];
    if !private {
        copied.push("SUMMARY");
    }
    for name in copied {
        if let Some(p) = prop(e, name) {
            r.append_property(renamed(p, name));
        }
    }
    let mut me = Property::new("ATTENDEE", format!("mailto:{executive}"));
    if let Some(cn) = attendee(e, executive).and_then(|p| param(p, "CN")) {
        me.add_parameter("CN", cn);
    }
    me.add_parameter("PARTSTAT", a.answer.partstat());
    if let Answer::DelegatedTo(to) = a.answer {
        me.add_parameter("DELEGATED-TO", &format!("mailto:{}", address(to)));
    }
    r.append_multi_property(me);
    if let Some(note) = a.note.map(str::trim).filter(|n| !n.is_empty()) {
        r.append_multi_property(Property::new("COMMENT", note));
    }
    r
}

/// The invitation as forwarded to the delegate: the executive's ATTENDEE delegated, the
/// delegate's added (RSVP, DELEGATED-FROM), alarms left out.
fn delegated_event(e: &Event, executive: &str, to: &str, now: DateTime<Utc>) -> Event {
    let mut r = Event::new();
    for (name, p) in e.properties() {
        if !name.eq_ignore_ascii_case("DTSTAMP") {
            r.append_property(p.clone());
        }
    }
    r.append_property(Property::new("DTSTAMP", stamp(now)));
    let mut role = None;
    for (name, list) in e.multi_properties() {
        let attendees = name.eq_ignore_ascii_case("ATTENDEE");
        for p in list {
            if !attendees {
                r.append_multi_property(p.clone());
                continue;
            }
            let who = address(p.value());
            if who == to {
                continue;
            }
            if who != executive {
                r.append_multi_property(p.clone());
                continue;
            }
            role = param(p, "ROLE").map(str::to_string);
            let mut me = Property::new("ATTENDEE", format!("mailto:{executive}"));
            for (k, v) in p.params() {
                if !["PARTSTAT", "RSVP", "DELEGATED-TO"]
                    .iter()
                    .any(|x| k.eq_ignore_ascii_case(x))
                {
                    me.add_parameter(k, v.value());
                }
            }
            me.add_parameter("PARTSTAT", "DELEGATED");
            me.add_parameter("DELEGATED-TO", &format!("mailto:{to}"));
            r.append_multi_property(me);
        }
    }
    let mut delegate = Property::new("ATTENDEE", format!("mailto:{to}"));
    delegate.add_parameter("ROLE", role.as_deref().unwrap_or("REQ-PARTICIPANT"));
    delegate.add_parameter("PARTSTAT", "NEEDS-ACTION");
    delegate.add_parameter("RSVP", "TRUE");
    delegate.add_parameter("DELEGATED-FROM", &format!("mailto:{executive}"));
    r.append_multi_property(delegate);
    r
}

/// A calendar of `method` with `events`, and the VTIMEZONEs their TZIDs name.
fn write(method: &str, events: &[Event], blocks: &[Block<'_>]) -> String {
    let mut cal = Calendar::empty();
    cal.append_property(Property::new("PRODID", "-//timeward//timeward//EN"));
    cal.append_property(Property::new("VERSION", "2.0"));
    cal.append_property(Property::new("METHOD", method));
    let mut tzids: Vec<String> = Vec::new();
    for e in events {
        for p in e
            .properties()
            .values()
            .chain(e.multi_properties().values().flatten())
        {
            if let Some(t) = param(p, "TZID") {
                if !tzids.iter().any(|x| x == t) {
                    tzids.push(t.to_string());
                }
            }
        }
    }
    // The zones as the calendar defines them, line for line (written by hand: the
    // crate's writer would give them a DTSTAMP and UID of their own).
    let mut zones = String::new();
    for block in blocks
        .iter()
        .filter(|b| b.name.eq_ignore_ascii_case("VTIMEZONE"))
    {
        let named = block.lines.iter().any(|l| {
            l.text.split_once(':').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case("TZID") && tzids.iter().any(|t| t == v.trim())
            })
        });
        if !named || block.unclosed {
            continue;
        }
        for l in block.lines {
            if is_content_line(&l.text) {
                fold_into(&mut zones, l.text.trim_end());
            }
        }
    }
    for e in events {
        cal.push(e.clone());
    }
    let text = cal.to_string();
    let head = format!("METHOD:{method}\r\n");
    match text.find(&head) {
        Some(at) => {
            let at = at + head.len();
            format!("{}{zones}{}", &text[..at], &text[at..])
        }
        None => text,
    }
}

/// Appends `line` folded at 75 octets (RFC 5545 §3.1), never inside a character.
fn fold_into(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// An address without `mailto:`, lower-cased.
fn address(v: &str) -> String {
    let v = v.trim();
    let v = match v.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("mailto:") => &v[7..],
        _ => v,
    };
    v.trim().to_ascii_lowercase()
}

fn prop<'e>(e: &'e Event, name: &str) -> Option<&'e Property> {
    e.properties()
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, p)| p)
}

/// `p` under its canonical (upper-case) name.
fn renamed(p: &Property, name: &str) -> Property {
    let mut out = Property::new(name, p.value());
    for (k, v) in p.params() {
        out.add_parameter(k, v.value());
    }
    out
}

fn is(e: &Event, name: &str, value: &str) -> bool {
    prop(e, name).is_some_and(|p| p.value().trim().eq_ignore_ascii_case(value))
}

fn attendee<'e>(e: &'e Event, executive: &str) -> Option<&'e Property> {
    e.multi_properties()
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("ATTENDEE"))
        .flat_map(|(_, v)| v)
        .find(|p| address(p.value()) == executive)
}

fn param<'p>(p: &'p Property, name: &str) -> Option<&'p str> {
    p.params()
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.value())
}

#[cfg(test)]
mod tests;
