//! One Google calendar kept in sync: a full sync, then incremental polls with the sync
//! token; a 410 syncs in full again, and a failure midway loses nothing.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, Utc};
use google_calendar3::api::Event;

use super::client::{list_all, GoogleError, Hub};
use super::convert::component;
use crate::calendar::ics::{event_of, snapshot_of, ReadEvent};
use crate::calendar::{Snapshot, Warning};

/// What a poll found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polled {
    Unchanged,
    Changed,
}

/// One Google calendar, kept in sync.
pub struct GoogleCalendar {
    hub: Hub,
    calendar_id: String,
    timeout: Duration,
    /// The lower bound of a full sync: events that ended before it are not fetched.
    time_min: DateTime<Utc>,
    sync_token: Option<String>,
    events: BTreeMap<String, Event>,
    /// Each kept event as the calendar model reads it, by id, made when a snapshot
    /// first needs it and dropped when a poll changes the event: a poll that changed one
    /// event maps one event. `None`: not a calendar event (a hold of timeward's own).
    read: HashMap<String, Option<Result<ReadEvent, String>>>,
    /// The executive's address `read` was made with (`self` is mapped to it).
    read_for: String,
}

impl GoogleCalendar {
    pub fn new(hub: Hub, calendar_id: &str, timeout: Duration, time_min: DateTime<Utc>) -> Self {
        GoogleCalendar {
            hub,
            calendar_id: calendar_id.to_string(),
            timeout,
            time_min,
            sync_token: None,
            events: BTreeMap::new(),
            read: HashMap::new(),
            read_for: String::new(),
        }
    }

    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// One kept event (a series master for a recurring one).
    pub fn event(&self, id: &str) -> Option<&Event> {
        self.events.get(id)
    }

    /// The iCalendar UID of each kept event, by the id its events carry in a snapshot
    /// (a series' own id for its moved instances): how other calendars know them.
    pub fn ical_uids(&self) -> std::collections::HashMap<String, String> {
        self.events
            .values()
            .filter_map(|e| {
                let id = e.recurring_event_id.as_deref().or(e.id.as_deref())?;
                Some((id.to_string(), e.i_cal_uid.clone()?))
            })
            .collect()
    }

    pub fn calendar_id(&self) -> &str {
        &self.calendar_id
    }

    pub fn sync_token(&self) -> Option<&str> {
        self.sync_token.as_deref()
    }

    /// The ids of the kept events that are not cancelled, sorted.
    pub fn ids(&self) -> Vec<String> {
        self.events
            .iter()
            .filter(|(_, e)| e.status.as_deref() != Some("cancelled"))
            .map(|(id, _)| id.clone())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Moves the lower bound of the next full sync (the daemon keeps it a little behind now).
    pub fn set_time_min(&mut self, t: DateTime<Utc>) {
        self.time_min = t;
    }

    /// One poll: incremental when a sync token is held, else a full sync; a 410 turns
    /// an incremental poll into a full sync.
    pub async fn poll(&mut self) -> Result<Polled, GoogleError> {
        let Some(token) = self.sync_token.clone() else {
            return self.full_sync().await;
        };
        match self.incremental(&token).await {
            Err(e) if e.is_full_sync_required() => {
                tracing::info!("Google asked for a full sync (410)");
                self.sync_token = None;
                self.full_sync().await
            }
            other => other,
        }
    }

    async fn full_sync(&mut self) -> Result<Polled, GoogleError> {
        let time_min = self.time_min;
        let (items, token) = list_all(&self.hub, &self.calendar_id, self.timeout, |c| {
            c.show_hidden_invitations(true)
                .single_events(false)
                .time_min(time_min)
        })
        .await?;
        // Replaced only now: a failure midway kept the last good events.
        let mut fresh: BTreeMap<String, Event> = BTreeMap::new();
        for e in items {
            apply(&mut fresh, e);
        }
        self.events = fresh;
        self.read.clear();
        self.sync_token = token;
        Ok(Polled::Changed)
    }

    async fn incremental(&mut self, token: &str) -> Result<Polled, GoogleError> {
        // Only the sync token (and the page token): Google refuses timeMin and the other
        // filters with it.
        let (items, next) = list_all(&self.hub, &self.calendar_id, self.timeout, |c| {
            c.sync_token(token)
                .show_hidden_invitations(true)
                .single_events(false)
        })
        .await?;
        // Applied only when the last page arrived: a failure midway changes nothing.
        let changed = !items.is_empty();
        for e in items {
            if let Some(id) = &e.id {
                self.read.remove(id);
            }
            apply(&mut self.events, e);
        }
        if changed {
            // A cancelled series takes its exceptions with it.
            let events = &self.events;
            self.read.retain(|id, _| events.contains_key(id));
        }
        if next.is_some() {
            self.sync_token = next;
        }
        Ok(if changed {
            Polled::Changed
        } else {
            Polled::Unchanged
        })
    }

    /// The kept events as the calendar model sees them. `exec` is the executive's
    /// address in the rules: Google marks the calendar's owner with `self`, whatever
    /// address the rules use.
    pub fn snapshot(&mut self, exec: &str) -> Snapshot {
        if self.read_for != exec {
            self.read.clear();
            self.read_for = exec.to_string();
        }
        for (id, e) in &self.events {
            if !self.read.contains_key(id) {
                let r = component(e, exec).map(|c| event_of(&c));
                self.read.insert(id.clone(), r);
            }
        }
        let mut skipped = Vec::new();
        let mut read = Vec::with_capacity(self.events.len());
        for id in self.events.keys() {
            match self.read.get(id) {
                Some(Some(Ok(r))) => read.push(r),
                Some(Some(Err(message))) => skipped.push(Warning {
                    line: 0,
                    message: format!("Google event {id:?} skipped: {message}"),
                }),
                _ => {}
            }
        }
        let mut snapshot = snapshot_of(read);
        snapshot.warnings.extend(skipped);
        snapshot
    }
}

/// Applies one item of a list: a cancelled event goes; a cancelled instance of a series
/// stays, as the override that removes the instance; anything else is kept as sent.
fn apply(events: &mut BTreeMap<String, Event>, e: Event) {
    let Some(id) = e.id.clone() else { return };
    let cancelled = e.status.as_deref() == Some("cancelled");
    if cancelled && e.recurring_event_id.is_none() {
        events.remove(&id);
        // Its exceptions go with it.
        events.retain(|_, x| x.recurring_event_id.as_deref() != Some(id.as_str()));
    } else {
        events.insert(id, e);
    }
}
