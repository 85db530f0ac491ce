//! `mode = "reserve"`: the 1:1 reservations written into the executive's Google calendar
//! as events. Part of the shell.
//!
//! Each hold has an id chosen here, derived from its series and its period (base32hex, as
//! Google requires), and carries `extendedProperties.private.timeward = "reservation"`.
//! So writing is idempotent: an insert that meets a 409 finds its own hold; a hold that
//! moves inside its period keeps its id and is patched, not duplicated; a reservation
//! that is gone is deleted. On start, [`Holds::reconcile`] lists the tagged events, so
//! a crash between a write and the store's record leaves nothing to duplicate. Only
//! differences are written: an unchanged plan writes nothing.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use google_calendar3::api::{Event, EventAttendee, EventDateTime, EventExtendedProperties};

use super::client::{base32hex, GoogleError, Hub};
pub use super::writer::Writes;
use super::writer::{Mirror, SendUpdates};
use crate::decide::Reservation;
use crate::rules::Rules;

/// The tag on every hold timeward writes.
pub const TAG: (&str, &str) = ("timeward", "reservation");

/// One hold as it should be in the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    pub id: String,
    pub series: String,
    pub with: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The holds for a plan's reservations. The id is the series and the start of the
/// reservation's period (periods counted from Monday 1970-01-05, as `slots` counts them).
pub fn holds(reservations: &[Reservation], rules: &Rules) -> Vec<Hold> {
    let tz = rules.executive.timezone;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 5).unwrap_or(NaiveDate::MIN);
    reservations
        .iter()
        .map(|r| {
            let days = rules
                .one_on_ones
                .iter()
                .find(|o| o.title == r.series)
                .map_or(7, |o| i64::from(o.every.days.max(1)));
            let local = r.start.with_timezone(&tz).date_naive();
            let period = (local - epoch).num_days().div_euclid(days);
            let period_start = epoch + chrono::TimeDelta::days(period * days);
            Hold {
                id: hold_id(&r.series, period_start),
                series: r.series.clone(),
                with: r.with.clone(),
                start: r.start,
                end: r.end,
            }
        })
        .collect()
}

/// base32hex (0-9, a-v) of a hash of the series, then the period's date: 21 characters,
/// within what Google accepts for client-chosen ids.
pub fn hold_id(series: &str, period_start: NaiveDate) -> String {
    format!(
        "{}{}",
        base32hex(crate::fnv1a(series.as_bytes())),
        period_start.format("%Y%m%d")
    )
}

fn when(t: DateTime<Utc>) -> EventDateTime {
    EventDateTime {
        date_time: Some(t),
        ..EventDateTime::default()
    }
}

fn event_for(h: &Hold) -> Event {
    Event {
        id: Some(h.id.clone()),
        summary: Some(h.series.clone()),
        description: Some("A recurring 1:1 that timeward holds for the executive.".into()),
        start: Some(when(h.start)),
        end: Some(when(h.end)),
        attendees: Some(vec![EventAttendee {
            email: Some(h.with.clone()),
            ..EventAttendee::default()
        }]),
        extended_properties: Some(EventExtendedProperties {
            private: Some([(TAG.0.to_string(), TAG.1.to_string())].into()),
            shared: None,
        }),
        ..Event::default()
    }
}

/// Whether a Google event is one of timeward's holds.
pub fn is_hold(e: &Event) -> bool {
    e.extended_properties
        .as_ref()
        .and_then(|x| x.private.as_ref())
        .and_then(|p| p.get(TAG.0))
        .is_some_and(|v| v == TAG.1)
}

/// The holds that are in the calendar, by id, with what was last written.
pub struct Holds(Mirror<Hold>);

/// The counterpart is invited to the hold and told of its moves: `sendUpdates=all`.
const SEND_UPDATES: SendUpdates = SendUpdates::All;

impl Holds {
    /// Lists the tagged events in the calendar (start, or after a crash).
    pub async fn reconcile(
        hub: &Hub,
        calendar_id: &str,
        timeout: Duration,
    ) -> Result<Holds, GoogleError> {
        let tag = format!("{}={}", TAG.0, TAG.1);
        let mirror = Mirror::reconcile(
            hub,
            calendar_id,
            timeout,
            SEND_UPDATES,
            |c| c.add_private_extended_property(&tag).single_events(false),
            read_hold,
        )
        .await?;
        Ok(Holds(mirror))
    }

    /// Knowing of no hold (before the first reconcile can run): writes that meet an
    /// existing hold (409) turn into patches.
    pub fn unknown(calendar_id: &str, timeout: Duration) -> Holds {
        Holds(Mirror::unknown(calendar_id, timeout, SEND_UPDATES))
    }

    pub fn written(&self) -> impl Iterator<Item = &Hold> {
        self.0.written().map(|(_, h)| h)
    }

    /// Makes the calendar's holds what `desired` says: inserts the new, patches the
    /// moved, deletes the gone (only those not yet begun: past holds are history). The
    /// counterpart is invited (`sendUpdates = "all"`).
    pub async fn apply(
        &mut self,
        hub: &Hub,
        desired: &[Hold],
        now: DateTime<Utc>,
    ) -> Result<Writes, GoogleError> {
        let desired = desired
            .iter()
            .map(|h| (h.id.clone(), h.clone(), event_for(h)))
            .collect();
        self.0.apply(hub, desired, |h| h.start > now).await
    }
}

/// One of timeward's holds as Google lists it.
fn read_hold(e: Event) -> Option<(String, Hold)> {
    if !is_hold(&e) {
        return None;
    }
    let id = e.id.clone()?;
    let start = e.start.as_ref().and_then(|s| s.date_time)?;
    let end = e.end.as_ref().and_then(|s| s.date_time)?;
    let with = e
        .attendees
        .iter()
        .flatten()
        .find_map(|a| a.email.clone())
        .unwrap_or_default();
    let series = e.summary.clone().unwrap_or_default();
    Some((
        id.clone(),
        Hold {
            id,
            series,
            with,
            start,
            end,
        },
    ))
}
