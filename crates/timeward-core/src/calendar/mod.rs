//! The calendar as timeward sees it: events, their times and time zones, recurrence
//! expansion into occurrences, and the interval index that answers "what overlaps this?".
//!
//! Pure core: no I/O, no clock. Everything is handed in as values (`now`, the window, the
//! zone that floating times are read in) and returned as values.

pub mod busy;
pub mod expand;
pub mod ics;
pub mod index;
pub mod kinds;
pub mod tz;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use chrono_tz::Tz;

pub use expand::{expand, Occurrence};
pub use index::IntervalIndex;

/// A start or end time as the source wrote it. Floating times and dates only become
/// instants once the zone they are read in is known (the executive's, or UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventTime {
    /// `...Z`: an instant.
    Utc(NaiveDateTime),
    /// `TZID=...`: wall-clock time in a known zone.
    Zoned(NaiveDateTime, Tz),
    /// No zone at all: wall-clock time wherever the reader is.
    Floating(NaiveDateTime),
    /// `VALUE=DATE`: an all-day date.
    Date(NaiveDate),
}

impl EventTime {
    /// The zone whose wall clock this time follows, with floating times and dates read in
    /// `floating`.
    pub fn zone(&self, floating: Tz) -> Tz {
        match self {
            EventTime::Utc(_) => Tz::UTC,
            EventTime::Zoned(_, tz) => *tz,
            EventTime::Floating(_) | EventTime::Date(_) => floating,
        }
    }

    /// The wall-clock reading (midnight for a date).
    pub fn naive(&self) -> NaiveDateTime {
        match self {
            EventTime::Utc(n) | EventTime::Zoned(n, _) | EventTime::Floating(n) => *n,
            EventTime::Date(d) => d.and_time(chrono::NaiveTime::MIN),
        }
    }

    pub fn is_date(&self) -> bool {
        matches!(self, EventTime::Date(_))
    }

    /// The instant, with floating times and dates read in `floating`.
    pub fn resolve(&self, floating: Tz) -> DateTime<Utc> {
        match self {
            EventTime::Utc(n) => n.and_utc(),
            _ => tz::local_to_utc(self.zone(floating), self.naive()),
        }
    }
}

/// How long each occurrence lasts. All-day events last whole days of wall-clock time, so a
/// day that is 23 hours long (daylight saving) is still one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    Exact(TimeDelta),
    Days(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartStat {
    NeedsAction,
    Accepted,
    Tentative,
    Declined,
    Delegated,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Chair,
    Required,
    Optional,
    NonParticipant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Confirmed,
    Tentative,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    /// Lower-cased address, without `mailto:`.
    pub email: String,
    pub partstat: PartStat,
    pub role: Role,
}

/// Recurrence as written: RRULE lines, RDATEs and EXDATEs. Expanded by `expand`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recurrence {
    pub rrules: Vec<String>,
    pub rdates: Vec<EventTime>,
    /// `RDATE;VALUE=PERIOD`: occurrences with a length of their own (start, length).
    pub periods: Vec<(EventTime, TimeDelta)>,
    pub exdates: Vec<EventTime>,
}

/// One VEVENT (or one Google event): a single event, a recurring master, or an override
/// of one instance of a master (`recurrence_id` set, same `uid`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub uid: String,
    pub title: String,
    pub description: String,
    pub start: EventTime,
    pub length: Length,
    /// Boxed: one event in ten or so recurs, and every event would carry its room.
    pub recurrence: Option<Box<Recurrence>>,
    pub recurrence_id: Option<EventTime>,
    /// `RECURRENCE-ID;RANGE=THISANDFUTURE`: this override's shift and properties apply to
    /// its instance and every later one of the series.
    pub this_and_future: bool,
    /// Lower-cased address of the organiser, if any.
    pub organizer: Option<String>,
    pub attendees: Vec<Attendee>,
    pub status: Status,
    pub transparent: bool,
    /// `CLASS:PRIVATE` or `CONFIDENTIAL`: its title and description are never shown.
    pub private: bool,
    /// Where the event begins in its source (1-based line), for messages; 0 if unknown.
    pub line: usize,
    /// Which reading made it (see [`Origin`]): not part of what the event is.
    pub origin: Origin,
}

/// Which reading made an event: the reader gives every event it reads a new number, and
/// an event kept from one reading to the next (the file reader's reuse of unchanged
/// VEVENTs, the Google source's kept events) keeps its number. Two events with the same
/// number are the same reading of the same source text, so what was worked out from one
/// (its occurrences, its kind) holds for the other. Code that changes an event's UID,
/// times, recurrence, status or people after it was read gives it a new number
/// ([`Origin::new`]), unless every copy a run sees is changed the same way (a busy
/// calendar's events are made anonymous as they are read); events made by hand have
/// none ([`Origin::default`]), and nothing is kept for them.
///
/// It says where an event came from, not what it is: two events compare equal whatever
/// their origins, and its debug form shows no number.
#[derive(Clone, Copy, Default)]
pub struct Origin(u64);

static ORIGINS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Origin {
    /// A number no event of this process has had.
    pub fn new() -> Origin {
        Origin(ORIGINS.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }

    /// The number, if the event has one.
    pub(crate) fn number(self) -> Option<std::num::NonZeroU64> {
        std::num::NonZeroU64::new(self.0)
    }
}

impl PartialEq for Origin {
    fn eq(&self, _: &Origin) -> bool {
        true
    }
}

impl Eq for Origin {}

impl std::fmt::Debug for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Origin")
    }
}

/// What an event is to the executive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Blocks the executive's time.
    Busy,
    /// Awaits the executive's answer.
    Request,
    /// Neither (declined, cancelled, transparent, someone else's).
    Other,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Busy => "busy",
            Kind::Request => "request",
            Kind::Other => "other",
        }
    }
}

impl Event {
    /// What [`Snapshot::compact`] does to each event.
    pub fn compact(&mut self, exec: &str) {
        if self.kind(exec) == Kind::Request {
            return;
        }
        self.description = String::new();
        let keep = self
            .attendees
            .iter()
            .position(|a| a.email == exec)
            .unwrap_or(0);
        if self.attendees.len() > 1 {
            let one = self.attendees.swap_remove(keep);
            self.attendees = vec![one];
        }
        self.attendees.shrink_to_fit();
    }

    pub fn is_all_day(&self) -> bool {
        self.start.is_date()
    }

    pub fn is_recurring(&self) -> bool {
        self.recurrence.is_some() || self.recurrence_id.is_some()
    }

    /// Whether `other` is the same reading of the same source text (see [`Origin`]): then
    /// it is this event, but for where it stands in its source (`line`).
    pub fn same_reading(&self, other: &Event) -> bool {
        let same = self.origin.number().is_some() && self.origin.number() == other.origin.number();
        debug_assert!(
            !same
                || Event {
                    line: other.line,
                    ..self.clone()
                } == *other,
            "an event changed after it was read kept its origin"
        );
        same
    }

    /// The title to show anyone: a private event is only ever "a private event".
    pub fn public_title(&self) -> &str {
        if self.private {
            "a private event"
        } else {
            &self.title
        }
    }

    /// The executive's own attendee entry, if the executive is invited.
    pub fn attendee(&self, email: &str) -> Option<&Attendee> {
        self.attendees.iter().find(|a| a.email == email)
    }

    /// Busy, request or neither, for the executive whose lower-cased address is
    /// `exec`.
    pub fn kind(&self, exec: &str) -> Kind {
        self.kind_why(exec).0
    }

    /// [`Event::kind`], with why (what `timeward agenda` shows).
    pub fn kind_why(&self, exec: &str) -> (Kind, Why) {
        if self.status == Status::Cancelled {
            return (Kind::Other, Why::Cancelled);
        }
        let organised_by_exec = self.organizer.as_deref() == Some(exec);
        match self.attendee(exec) {
            Some(a) if a.partstat == PartStat::NeedsAction && !organised_by_exec => {
                (Kind::Request, Why::AwaitsAnswer)
            }
            _ if self.transparent => (Kind::Other, Why::Transparent),
            // Google lets an organiser answer "No": their own declined entry is not busy.
            Some(a) if a.partstat == PartStat::Declined => (Kind::Other, Why::Declined),
            _ if organised_by_exec => (Kind::Busy, Why::Organised),
            Some(a) if a.partstat == PartStat::Accepted => (Kind::Busy, Why::Accepted),
            Some(a) if a.partstat == PartStat::Tentative => (Kind::Busy, Why::Tentative),
            Some(_) => (Kind::Other, Why::Delegated),
            // Not invited: an event with no attendees is the executive's own block; one
            // with attendees that do not include the executive is someone else's.
            None if self.attendees.is_empty() => (Kind::Busy, Why::NoAttendees),
            None => (Kind::Other, Why::NotInvited),
        }
    }
}

/// Why an event is busy, a request or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    Cancelled,
    AwaitsAnswer,
    Transparent,
    Declined,
    Organised,
    Accepted,
    Tentative,
    /// Delegated, or another answer than yes, maybe or no.
    Delegated,
    NoAttendees,
    NotInvited,
}

impl Why {
    pub fn as_str(self) -> &'static str {
        match self {
            Why::Cancelled => "cancelled",
            Why::AwaitsAnswer => "awaits the executive's answer",
            Why::Transparent => "marked free (transparent)",
            Why::Declined => "declined",
            Why::Organised => "organised by the executive",
            Why::Accepted => "accepted",
            Why::Tentative => "tentatively accepted",
            Why::Delegated => "delegated or answered otherwise",
            Why::NoAttendees => "no attendees: the executive's own block",
            Why::NotInvited => "the executive is not invited",
        }
    }
}

/// Everything a source read: the events, and what it had to skip, with why.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub events: Vec<Event>,
    pub warnings: Vec<Warning>,
}

impl Snapshot {
    /// Drops what deciding never reads, for a snapshot kept in memory between runs: of an
    /// event that is not a request to `exec` (lower-cased), the description and every
    /// attendee but the executive's own entry (or, if the executive is not invited, one
    /// other, so that the event stays someone else's). What `decide` and `slots::place`
    /// return is the same before and after (tested), as long as `exec` is unchanged.
    pub fn compact(&mut self, exec: &str) {
        for e in &mut self.events {
            e.compact(exec);
        }
    }
}

/// Something in the source that was skipped or read with a guess; the rest still counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// 1-based line in the source, 0 if the source has no lines.
    pub line: usize,
    pub message: String,
}
