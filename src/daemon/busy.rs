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

    /// What the 1:1 agenda says of it while it fails.
    pub(super) fn problem(&self) -> Option<String> {
        let error = self.error.as_deref()?;
        Some(format!(
            "the busy calendar {} cannot be read ({error}); {}",
            self.name,
            if self.dropped {
                "its events no longer count"
            } else {
                "its last good events still count"
            }
        ))
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

/// Polls every busy calendar at once, each for at most `limit` (a hanging one keeps its
/// last good events and says so, and holds nothing up for longer); whether any of their
/// events changed.
pub(super) async fn poll_all(
    busy: &mut [Busy],
    exec: &str,
    now: DateTime<Utc>,
    full: bool,
    (max_age, limit): (TimeDelta, std::time::Duration),
) -> bool {
    let polls = busy.iter_mut().map(|b| async move {
        let poll = Poll {
            now,
            full: full || b.snapshot.is_none(),
            executive: Some(exec),
        };
        let read = match tokio::time::timeout(limit, b.source.poll(poll)).await {
            Ok(r) => r.map_err(|e| e.to_string()),
            Err(_) => Err(format!("no answer within {} s", limit.as_secs())),
        };
        b.take(read, exec, now, max_age)
    });
    futures_util::future::join_all(polls)
        .await
        .into_iter()
        .any(|changed| changed)
}

impl Busy {
    /// Takes one poll's result; whether its events changed.
    fn take(
        &mut self,
        read: Result<Option<Snapshot>, String>,
        exec: &str,
        now: DateTime<Utc>,
        max_age: TimeDelta,
    ) -> bool {
        match read {
            Ok(read) => {
                if self.error.take().is_some() || self.dropped {
                    tracing::info!(calendar = %self.name, "busy calendar read again");
                }
                self.last_good = Some(now);
                self.dropped = false;
                let Some(s) = read else { return false };
                let mut s = busy::anonymize(s, exec);
                // Known by their iCalendar UIDs, as the primary's copies are.
                let aliases = self.source.aliases();
                for e in &mut s.events {
                    if let Some(u) = aliases.get(&e.uid) {
                        e.uid.clone_from(u);
                    }
                }
                self.snapshot = Some(s);
                true
            }
            Err(said) => {
                if self.error.as_deref() != Some(said.as_str()) {
                    tracing::warn!(calendar = %self.name, error = %said, "a busy calendar could not be read; its last good events still count");
                }
                self.error = Some(said);
                let too_old = self.last_good.is_none_or(|t| now - t > max_age);
                if too_old && self.snapshot.is_some() {
                    tracing::warn!(calendar = %self.name, "a busy calendar failed for longer than busy_max_age: its events no longer count");
                    self.snapshot = None;
                    self.dropped = true;
                    return true;
                }
                false
            }
        }
    }
}

impl Daemon {
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
