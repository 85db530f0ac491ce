//! The Google Calendar source: Google's incremental sync with the `google-calendar3`
//! client. Part of the shell.
//!
//! A full sync pages through `events.list` (2 500 a page, hidden invitations shown,
//! recurring series as masters plus exceptions, a `timeMin` bound) and keeps the
//! `nextSyncToken`; later polls send only the sync token (and page tokens), so an idle
//! poll is one request. A 410 (`fullSyncRequired`) drops the kept events and syncs in full.
//! A cancelled event is deleted; a cancelled *instance* of a series is kept, as the
//! override that removes that instance. A full sync replaces the kept events only when it
//! completes, so a failure midway loses nothing.
//!
//! The events are turned into a [`Snapshot`] by writing them as iCalendar and reading that
//! with the same parser and recurrence engine as the .ics source, so the two sources
//! decide alike (tested across sources).//!
//! The folder: [`client`] (the hub, errors, retries, paging, one write), [`auth`]
//! (service account or installed-app sign-in), [`token`] (the sign-in's token file),
//! [`sync`] (the kept calendar), [`convert`] (events as iCalendar), [`writer`] (the one
//! write algorithm that [`reserve`] and [`publish`] share).

pub mod auth;
pub mod client;
pub mod convert;
pub mod publish;
pub mod reserve;
pub mod respond;
pub mod sync;
pub mod token;
pub mod writer;

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use chrono::TimeDelta;

pub use auth::{connect, sign_in};
pub use client::{hub, GoogleError, Hub, Retrying};
pub use convert::{snapshot, to_ics};
pub use sync::{GoogleCalendar, Polled};
pub use writer::Writes;

use super::{CalendarSource, CycleOutput, Poll, Respond, SourceError};
use crate::calendar::Snapshot;
use crate::config::{redact_url, Google};

/// How long one call to Google may take, retries included.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(30);

/// A Google calendar as the daemon's source, and what it writes back after a cycle.
pub struct GoogleSource {
    config: Google,
    token_file: PathBuf,
    calendar: Option<GoogleCalendar>,
    /// Reserve mode: the holds in the calendar (listed on the first write).
    holds: Option<reserve::Holds>,
    /// `publish_calendar`: what is in that calendar (listed on the first write).
    published: Option<publish::Published>,
}

impl GoogleSource {
    pub fn new(config: Google, token_file: PathBuf) -> GoogleSource {
        GoogleSource {
            config,
            token_file,
            calendar: None,
            holds: None,
            published: None,
        }
    }

    /// `mode = "reserve"`: makes the calendar's 1:1 holds what this cycle placed.
    async fn write_holds(&mut self, cycle: &CycleOutput<'_>) -> Result<(), GoogleError> {
        let Some(cal) = self.calendar.as_ref().filter(|_| self.config.reserve) else {
            return Ok(());
        };
        if self.holds.is_none() {
            let listed = reserve::Holds::reconcile(cal.hub(), cal.calendar_id(), TIMEOUT)
                .await
                .inspect_err(|e| {
                    tracing::warn!(error = %e, "listing the 1:1 holds in Google failed; will retry");
                })?;
            self.holds = Some(listed);
        }
        let Some(holds) = self.holds.as_mut() else {
            return Ok(());
        };
        let desired = reserve::holds(cycle.reservations, cycle.rules);
        logged(
            holds.apply(cal.hub(), &desired, cycle.now).await,
            "1:1 holds written to Google",
            "writing the 1:1 holds to Google failed; will retry",
        )
    }

    /// `publish_calendar`: mirrors this cycle's feed into that calendar.
    async fn publish(&mut self, cycle: &CycleOutput<'_>) -> Result<(), GoogleError> {
        let (Some(cal), Some(target)) = (self.calendar.as_ref(), &self.config.publish_calendar)
        else {
            return Ok(());
        };
        if self.published.is_none() {
            let listed = publish::Published::reconcile(cal.hub(), target, TIMEOUT)
                .await
                .inspect_err(|e| {
                    tracing::warn!(error = %e, "listing the published suggestions failed; will retry");
                })?;
            self.published = Some(listed);
        }
        let Some(published) = self.published.as_mut() else {
            return Ok(());
        };
        logged(
            published.apply(cal.hub(), cycle.feed, cycle.versions).await,
            "suggestions published to the Google calendar",
            "publishing the suggestions to Google failed; will retry",
        )
    }
}

/// A write pass said in the log: what it wrote (when it wrote anything), or why it failed.
fn logged(
    result: Result<Writes, GoogleError>,
    wrote: &'static str,
    failed: &'static str,
) -> Result<(), GoogleError> {
    match result {
        Ok(w) => {
            if w != Writes::default() {
                tracing::info!(
                    inserted = w.inserted,
                    patched = w.patched,
                    deleted = w.deleted,
                    "{wrote}"
                );
            }
            Ok(())
        }
        Err(e) => {
            tracing::warn!(error = %e, "{failed}");
            Err(e)
        }
    }
}

#[async_trait]
impl CalendarSource for GoogleSource {
    fn aliases(&self) -> std::collections::HashMap<String, String> {
        self.calendar
            .as_ref()
            .map(GoogleCalendar::ical_uids)
            .unwrap_or_default()
    }

    fn name(&self) -> String {
        let g = &self.config;
        match &g.api_base_url {
            Some(u) => format!("Google calendar {:?} at {}", g.calendar_id, redact_url(u)),
            None => format!("Google calendar {:?}", g.calendar_id),
        }
    }

    fn kind(&self) -> &'static str {
        "google"
    }

    async fn poll(&mut self, poll: Poll<'_>) -> Result<Option<Snapshot>, SourceError> {
        // Events that ended a week ago are not fetched in a full sync.
        let time_min = poll.now - TimeDelta::days(7);
        let cal = match self.calendar.as_mut() {
            Some(cal) => cal,
            None => self
                .calendar
                .insert(connect(&self.config, &self.token_file, TIMEOUT, time_min).await?),
        };
        cal.set_time_min(time_min);
        let polled = cal.poll().await?;
        if polled == Polled::Changed || poll.full {
            Ok(Some(cal.snapshot(poll.executive.unwrap_or_default())))
        } else {
            Ok(None)
        }
    }

    async fn respond(&mut self, r: &Respond<'_>) -> Result<String, SourceError> {
        let cal = self
            .calendar
            .as_ref()
            .ok_or_else(|| GoogleError::Other("not connected to Google yet".into()))?;
        Ok(respond::respond(cal, r).await?)
    }

    /// Reserve mode's holds, then the published mirror; both are tried, and the first
    /// failure is what /healthz shows.
    async fn after_cycle(&mut self, cycle: &CycleOutput<'_>) -> Result<(), SourceError> {
        let holds = self.write_holds(cycle).await;
        let published = self.publish(cycle).await;
        holds.and(published).map_err(SourceError::from)
    }
}
