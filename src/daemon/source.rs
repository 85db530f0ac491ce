//! The daemon's side of its source: polling it (the source says whether the calendar
//! changed), keeping the snapshot compacted for the executive, and handing a cycle's
//! output back to the source (reserve mode's holds, the published mirror).

use std::sync::Arc;

use super::Daemon;
use crate::calendar::Snapshot;
use crate::source::{CycleOutput, Poll, SourceError};

impl Daemon {
    /// Reads the source, if it changed (or in full on a fresh start or a reload).
    pub(super) async fn read_source(&mut self) -> Result<(), SourceError> {
        let now = (self.clock)();
        let executive = self.rules.as_ref().map(|r| r.executive.email.clone());
        let full = self.snapshot.is_none() || self.reread;
        let poll = Poll {
            now,
            full,
            executive: executive.as_deref(),
        };
        // The busy calendars are read beside the primary, whatever it does, each for at
        // most 10 s (or the poll interval, if shorter).
        let exec = executive.clone().unwrap_or_default();
        let max_age = chrono::TimeDelta::from_std(self.config.busy_max_age)
            .unwrap_or(chrono::TimeDelta::days(1));
        let limit = self
            .config
            .poll_interval
            .min(std::time::Duration::from_secs(10));
        let started = std::time::Instant::now();
        let (read, busy_changed) = tokio::join!(
            self.source.poll(poll),
            super::busy::poll_all(&mut self.busy, &exec, now, full, (max_age, limit)),
        );
        match read? {
            Some(snapshot) => {
                self.set_snapshot(snapshot);
                self.read_took = Some(started.elapsed());
            }
            None if busy_changed => self.merge_busy(),
            None => {}
        }
        self.source_status.last_read = Some(now);
        Ok(())
    }

    pub(super) fn set_snapshot(&mut self, snap: Snapshot) {
        if !snap.warnings.is_empty() {
            // Warnings name lines and UIDs, never an event's title or description.
            for w in snap.warnings.iter().take(20) {
                tracing::warn!(line = w.line, warning = %w.message, source = %self.source.name(), "calendar warning");
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
        self.primary = Some(Arc::new(snap));
        self.merge_busy();
        self.reread = false;
    }

    /// Whether the kept snapshot was compacted for another executive than the rules now
    /// name (or not at all): then the source must be read again in full.
    pub(super) fn needs_reread(&self) -> bool {
        self.snapshot.is_some()
            && self.rules.as_ref().map(|r| &r.executive.email) != self.compacted_for.as_ref()
    }

    /// After a cycle: what the source takes back. A failure is logged (by the source)
    /// and shown on /healthz; the next cycle tries again.
    pub(super) async fn after_cycle(&mut self, output: &CycleOutput<'_>) {
        self.write_error = self
            .source
            .after_cycle(output)
            .await
            .err()
            .map(|e| e.to_string());
    }
}
