//! The busy calendars beside the primary source: each polled on its own (an unchanged one
//! costs one conditional request), made anonymous as it is read, merged after the
//! primary's events. A failing one keeps its last good events, is shown on /healthz as
//! stale with why, never holds the others up, and after `busy_max_age` without a good
//! read its events are dropped with a warning.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::Daemon;
use crate::calendar::{busy, Snapshot};
use crate::config::BusyCalendar;
use crate::source::{CalendarSource, Poll};

/// One busy calendar and what was last read from it.
pub(super) struct Busy {
    pub(super) name: String,
    source: Box<dyn CalendarSource>,
    /// Anonymous already.
    snapshot: Option<Snapshot>,
    last_good: Option<DateTime<Utc>>,
    error: Option<String>,
    dropped: bool,
}

/// A busy calendar on /healthz.
#[derive(Serialize)]
pub(super) struct BusyHealth<'a> {
    name: &'a str,
    kind: &'static str,
    ok: bool,
    /// Its last good events are in use although the last read failed.
    stale: bool,
    /// It failed for longer than `busy_max_age`: its events no longer count.
    dropped: bool,
    error: Option<&'a str>,
    last_good_read: Option<DateTime<Utc>>,
    events: usize,
}

impl Busy {
    pub(super) fn open(entry: &BusyCalendar, config: &crate::config::Config) -> Busy {
        Busy {
            name: entry.name(),
            source: crate::source::open_busy(entry, config),
            snapshot: None,
            last_good: None,
            error: None,
            dropped: false,
        }
    }

    pub(super) fn ok(&self) -> bool {
        self.error.is_none()
    }

    pub(super) fn health(&self) -> BusyHealth<'_> {
        BusyHealth {
            name: &self.name,
            kind: self.source.kind(),
            ok: self.error.is_none(),
            stale: self.error.is_some() && self.snapshot.is_some(),
            dropped: self.dropped,
            error: self.error.as_deref(),
            last_good_read: self.last_good,
            events: self.snapshot.as_ref().map_or(0, |s| s.events.len()),
        }
    }
}

impl Daemon {
    /// Polls every busy calendar; whether any of their events changed.
    pub(super) async fn poll_busy(&mut self, now: DateTime<Utc>, full: bool) -> bool {
        let exec = self
            .rules
            .as_ref()
            .map(|r| r.executive.email.clone())
            .unwrap_or_default();
        let max_age = TimeDelta::from_std(self.config.busy_max_age).unwrap_or(TimeDelta::days(1));
        let mut changed = false;
        for b in &mut self.busy {
            let poll = Poll {
                now,
                full: full || b.snapshot.is_none(),
                executive: Some(&exec),
            };
            match b.source.poll(poll).await {
                Ok(read) => {
                    if b.error.take().is_some() || b.dropped {
                        tracing::info!(calendar = %b.name, "busy calendar read again");
                    }
                    b.last_good = Some(now);
                    b.dropped = false;
                    if let Some(s) = read {
                        let mut s = busy::anonymize(s, &exec);
                        // Known by their iCalendar UIDs, as the primary's copies are.
                        let aliases = b.source.aliases();
                        for e in &mut s.events {
                            if let Some(u) = aliases.get(&e.uid) {
                                e.uid.clone_from(u);
                            }
                        }
                        b.snapshot = Some(s);
                        changed = true;
                    }
                }
                Err(e) => {
                    let said = e.to_string();
                    if b.error.as_deref() != Some(said.as_str()) {
                        tracing::warn!(calendar = %b.name, error = %said, "a busy calendar could not be read; its last good events still count");
                    }
                    b.error = Some(said);
                    let too_old = b.last_good.is_none_or(|t| now - t > max_age);
                    if too_old && b.snapshot.is_some() {
                        tracing::warn!(calendar = %b.name, "a busy calendar failed for longer than busy_max_age: its events no longer count");
                        b.snapshot = None;
                        b.dropped = true;
                        changed = true;
                    }
                }
            }
        }
        changed
    }

    /// The snapshot the cycle decides on: the primary's, with the busy time after it.
    pub(super) fn merge_busy(&mut self) {
        let Some(primary) = self.primary.clone() else {
            return;
        };
        let read: Vec<(&str, &Snapshot)> = self
            .busy
            .iter()
            .filter_map(|b| b.snapshot.as_ref().map(|s| (b.name.as_str(), s)))
            .collect();
        self.snapshot = Some(if read.is_empty() {
            primary
        } else {
            let aliases: HashSet<String> = self.source.aliases().into_values().collect();
            Arc::new(busy::merge(&primary, &read, &aliases))
        });
    }
}
