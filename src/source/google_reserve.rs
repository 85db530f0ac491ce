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

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use google_calendar3::api::{Event, EventAttendee, EventDateTime, EventExtendedProperties};

use super::google::{list_all, write, GoogleError, Hub, Write};
use crate::decide::Reservation;
use crate::rules::Rules;

/// The tag on every hold timeward writes.
pub const TAG: (&str, &str) = ("timeward", "reservation");

/// What a write pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Writes {
    pub inserted: usize,
    pub patched: usize,
    pub deleted: usize,
}

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
        super::google::base32hex(crate::fnv1a(series.as_bytes())),
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
pub struct Holds {
    calendar_id: String,
    timeout: Duration,
    written: BTreeMap<String, Hold>,
}

impl Holds {
    /// Lists the tagged events in the calendar (start, or after a crash).
    pub async fn reconcile(
        hub: &Hub,
        calendar_id: &str,
        timeout: Duration,
    ) -> Result<Holds, GoogleError> {
        let tag = format!("{}={}", TAG.0, TAG.1);
        let (items, _) = list_all(hub, calendar_id, timeout, |c| {
            c.add_private_extended_property(&tag).single_events(false)
        })
        .await?;
        let mut written = BTreeMap::new();
        for e in items {
            if e.status.as_deref() == Some("cancelled") || !is_hold(&e) {
                continue;
            }
            let (Some(id), Some(start), Some(end)) = (
                e.id.clone(),
                e.start.as_ref().and_then(|s| s.date_time),
                e.end.as_ref().and_then(|s| s.date_time),
            ) else {
                continue;
            };
            let with = e
                .attendees
                .iter()
                .flatten()
                .find_map(|a| a.email.clone())
                .unwrap_or_default();
            let series = e.summary.clone().unwrap_or_default();
            written.insert(
                id.clone(),
                Hold {
                    id,
                    series,
                    with,
                    start,
                    end,
                },
            );
        }
        Ok(Holds {
            calendar_id: calendar_id.to_string(),
            timeout,
            written,
        })
    }

    /// Knowing of no hold (before the first reconcile can run): writes that meet an
    /// existing hold (409) turn into patches.
    pub fn unknown(calendar_id: &str, timeout: Duration) -> Holds {
        Holds {
            calendar_id: calendar_id.to_string(),
            timeout,
            written: BTreeMap::new(),
        }
    }

    pub fn written(&self) -> impl Iterator<Item = &Hold> {
        self.written.values()
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
        let mut w = Writes::default();
        for h in desired {
            match self.written.get(&h.id) {
                Some(old) if old == h => {}
                Some(_) => {
                    self.patch(hub, h).await?;
                    w.patched += 1;
                }
                None => {
                    match self.insert(hub, h).await {
                        Ok(()) => w.inserted += 1,
                        // Already there (a crash before we recorded it): make it right.
                        Err(GoogleError::Api { code: 409, .. }) => {
                            self.patch(hub, h).await?;
                            w.patched += 1;
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            self.written.insert(h.id.clone(), h.clone());
        }
        let keep: std::collections::HashSet<&str> = desired.iter().map(|h| h.id.as_str()).collect();
        let gone: Vec<String> = self
            .written
            .values()
            .filter(|h| !keep.contains(h.id.as_str()) && h.start > now)
            .map(|h| h.id.clone())
            .collect();
        for id in gone {
            self.delete(hub, &id).await?;
            self.written.remove(&id);
            w.deleted += 1;
        }
        Ok(w)
    }

    /// The counterpart is invited to the hold and told of its moves: `sendUpdates=all`.
    async fn send(&self, hub: &Hub, w: Write<'_>) -> Result<(), GoogleError> {
        write(hub, &self.calendar_id, self.timeout, "all", w).await
    }

    async fn insert(&self, hub: &Hub, h: &Hold) -> Result<(), GoogleError> {
        self.send(hub, Write::Insert(event_for(h))).await
    }

    async fn patch(&self, hub: &Hub, h: &Hold) -> Result<(), GoogleError> {
        self.send(hub, Write::Patch(event_for(h), &h.id)).await
    }

    async fn delete(&self, hub: &Hub, id: &str) -> Result<(), GoogleError> {
        match self.send(hub, Write::Delete(id)).await {
            // Already gone is what we wanted.
            Ok(())
            | Err(GoogleError::Api {
                code: 404 | 410, ..
            }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
