//! The daemon's source: reading it when it changed (a file's time, a URL's conditional
//! GET, Google's incremental sync), and after a cycle writing what the source takes back
//! (reserve mode's 1:1 holds, the published mirror).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, TimeDelta, Utc};

use super::Daemon;
use crate::calendar::Snapshot;
use crate::config::Source;
use crate::rules::Rules;
use crate::source::url::{Cursor, Fetched};

impl Daemon {
    pub(super) async fn read_source(&mut self) -> Result<(), String> {
        let now = (self.clock)();
        match self.config.source.clone() {
            Source::Demo => {
                let week = now.timestamp().div_euclid(7 * 86_400);
                if self.snapshot.is_none() || self.reread || self.source.demo_week != Some(week) {
                    self.set_snapshot(crate::source::demo::snapshot(now));
                    self.source.demo_week = Some(week);
                }
            }
            Source::File(path) => {
                let meta = std::fs::metadata(&path)
                    .map_err(|e| format!("{}: cannot read the calendar: {e}", path.display()))?;
                let stamp = (
                    meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    meta.len(),
                );
                if self.snapshot.is_none() || self.reread || self.source.stamp != Some(stamp) {
                    let p = path.clone();
                    let snap = tokio::task::spawn_blocking(move || crate::source::ics::load(&p))
                        .await
                        .map_err(|e| crate::panic::join_error("reading the calendar", &e))?
                        .map_err(|e| e.to_string())?;
                    self.set_snapshot(snap);
                    self.source.stamp = Some(stamp);
                }
            }
            Source::Google(g) => {
                // Events that ended a week ago are not fetched in a full sync.
                let time_min = now - TimeDelta::days(7);
                if self.google.is_none() {
                    let token = self
                        .config
                        .state_dir
                        .join(crate::source::google_token::FILE);
                    let cal = crate::source::google::connect(
                        &g,
                        &token,
                        Duration::from_secs(30),
                        time_min,
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                    self.google = Some(cal);
                }
                let exec = self
                    .rules
                    .as_ref()
                    .map(|r| r.executive.email.clone())
                    .unwrap_or_default();
                let Some(cal) = self.google.as_mut() else {
                    return Err("the Google client is not set up".into());
                };
                cal.set_time_min(time_min);
                let polled = cal.poll().await.map_err(|e| e.to_string())?;
                if polled == crate::source::google::Polled::Changed
                    || self.snapshot.is_none()
                    || self.reread
                {
                    let snap = cal.snapshot(&exec);
                    self.set_snapshot(snap);
                }
            }
            Source::Url(url) => {
                let Some(fetcher) = &self.fetcher else {
                    return Err("no HTTP client could be built".into());
                };
                // Without a snapshot in memory (a fresh start), fetch unconditionally.
                let cursor = if self.snapshot.is_some() && !self.reread {
                    self.source.cursor.clone()
                } else {
                    Cursor::default()
                };
                match fetcher.fetch(&url, &cursor).await? {
                    Fetched::Unchanged => {}
                    Fetched::Changed(snap, next) => {
                        self.set_snapshot(snap);
                        if let Ok(text) = serde_json::to_string(&(&next.etag, &next.last_modified))
                        {
                            let _ = self.store.set_meta("source_cursor", &text);
                        }
                        self.source.cursor = next;
                    }
                }
            }
        }
        self.source.last_read = Some(now);
        Ok(())
    }

    pub(super) fn set_snapshot(&mut self, snap: Snapshot) {
        if !snap.warnings.is_empty() {
            // Warnings name lines and UIDs, never an event's title or description.
            for w in snap.warnings.iter().take(20) {
                tracing::warn!(line = w.line, warning = %w.message, source = %self.source_name(), "calendar warning");
            }
        }
        tracing::info!(
            events = snap.events.len(),
            warnings = snap.warnings.len(),
            "calendar read"
        );
        let mut snap = snap;
        // Kept until the next read: only what deciding uses (for this executive).
        self.compacted_for = self.rules.as_ref().map(|r| r.executive.email.clone());
        if let Some(exec) = &self.compacted_for {
            snap.compact(exec);
        }
        self.snapshot = Some(Arc::new(snap));
        self.snapshot_new = true;
        self.reread = false;
    }

    /// Whether the kept snapshot was compacted for another executive than the rules now
    /// name (or not at all): then the source must be read again in full.
    pub(super) fn needs_reread(&self) -> bool {
        self.snapshot.is_some()
            && self.rules.as_ref().map(|r| &r.executive.email) != self.compacted_for.as_ref()
    }

    /// `mode = "reserve"`: makes the Google calendar's 1:1 holds what this cycle placed.
    /// A failure is logged and shown on /healthz; the next cycle tries again.
    pub(super) async fn write_holds(
        &mut self,
        reservations: &[crate::decide::Reservation],
        rules: &Rules,
        now: DateTime<Utc>,
    ) {
        let Source::Google(g) = &self.config.source else {
            return;
        };
        if !g.reserve {
            return;
        }
        let Some(cal) = self.google.as_ref() else {
            return;
        };
        use crate::source::google_reserve::{holds, Holds};
        let timeout = Duration::from_secs(30);
        if self.holds.is_none() {
            match Holds::reconcile(cal.hub(), cal.calendar_id(), timeout).await {
                Ok(h) => self.holds = Some(h),
                Err(e) => {
                    tracing::warn!(error = %e, "listing the 1:1 holds in Google failed; will retry");
                    self.write_error = Some(e.to_string());
                    return;
                }
            }
        }
        let Some(written) = self.holds.as_mut() else {
            return;
        };
        match written
            .apply(cal.hub(), &holds(reservations, rules), now)
            .await
        {
            Ok(w) => {
                if w != crate::source::google_reserve::Writes::default() {
                    tracing::info!(
                        inserted = w.inserted,
                        patched = w.patched,
                        deleted = w.deleted,
                        "1:1 holds written to Google"
                    );
                }
                self.write_error = None;
            }
            Err(e) => {
                tracing::warn!(error = %e, "writing the 1:1 holds to Google failed; will retry");
                self.write_error = Some(e.to_string());
            }
        }
    }

    /// `publish_calendar`: mirrors this cycle's feed into that Google calendar.
    pub(super) async fn publish(
        &mut self,
        entries: &[crate::feed::FeedEvent],
        versions: &crate::feed::Versions,
    ) {
        let Source::Google(g) = &self.config.source else {
            return;
        };
        let Some(target) = g.publish_calendar.clone() else {
            return;
        };
        let Some(cal) = self.google.as_ref() else {
            return;
        };
        use crate::source::google_publish::Published;
        let timeout = Duration::from_secs(30);
        if self.published.is_none() {
            match Published::reconcile(cal.hub(), &target, timeout).await {
                Ok(p) => self.published = Some(p),
                Err(e) => {
                    tracing::warn!(error = %e, "listing the published suggestions failed; will retry");
                    self.write_error = Some(e.to_string());
                    return;
                }
            }
        }
        let Some(published) = self.published.as_mut() else {
            return;
        };
        match published.apply(cal.hub(), entries, versions).await {
            Ok(w) => {
                if w != crate::source::google_reserve::Writes::default() {
                    tracing::info!(
                        inserted = w.inserted,
                        patched = w.patched,
                        deleted = w.deleted,
                        "suggestions published to the Google calendar"
                    );
                }
                if !g.reserve {
                    self.write_error = None;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "publishing the suggestions to Google failed; will retry");
                self.write_error = Some(e.to_string());
            }
        }
    }
}
