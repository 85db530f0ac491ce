//! One cycle: decide on a blocking thread, record it in the store, write the feed and
//! decisions atomically, then swap what the server serves; and `/api/decisions/ID`.

use std::path::Path;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use chrono::{DateTime, TimeDelta, Utc};
use hyper::body::Bytes;
use serde::Serialize;
use tracing::Instrument as _;

use super::{CycleReport, Daemon};
use crate::calendar::Snapshot;
use crate::rules::Rules;
use crate::server::FeedBody;
use crate::state_dir::StateDir;
use crate::store::{Store, StoreError};

impl Daemon {
    /// Decides, records and publishes one cycle with the current rules and calendar.
    pub(super) async fn cycle(&mut self) {
        let (Some(rules), Some(snapshot)) = (self.rules.clone(), self.snapshot.clone()) else {
            // No good rules yet (the file was invalid from the start): keep serving the
            // last run's feed and wait for a fix.
            self.schedule();
            self.publish_health();
            return;
        };
        let now = (self.clock)();
        // The span follows the future across its awaits (an entered guard would not).
        let span = tracing::info_span!("cycle", at = %now.to_rfc3339());
        self.cycle_at(rules, snapshot, now).instrument(span).await;
    }

    async fn cycle_at(&mut self, rules: Arc<Rules>, snapshot: Arc<Snapshot>, now: DateTime<Utc>) {
        let started = Instant::now();
        let store = self.store.clone();
        let dir = self.config.state_dir.clone();
        let refresh =
            TimeDelta::from_std(self.config.poll_interval).unwrap_or(TimeDelta::minutes(1));
        let previous_feed = self.shared.current().feed.clone();
        let rules_for_writes = Arc::clone(&rules);
        // A rules file that does not load (the rules in force are the last good ones).
        let problems: Vec<String> = self
            .rules_error
            .as_deref()
            .and_then(rules_problem)
            .into_iter()
            .chain(self.busy.iter().filter_map(super::busy::Busy::problem))
            .collect();
        let snapshot_for_desk = Arc::clone(&snapshot);
        let span = tracing::Span::current();
        let mut rendered = std::mem::take(&mut self.rendered);
        let work = tokio::task::spawn_blocking(move || {
            span.in_scope(|| {
                let done = run_cycle(
                    &store,
                    &dir,
                    Input {
                        snapshot: &snapshot,
                        rules: &rules,
                        now,
                        refresh,
                        previous_feed,
                        problems: &problems,
                    },
                    rendered.as_mut(),
                );
                (done, rendered)
            })
        })
        .await
        .map_err(|e| CycleError::Stopped(crate::panic::join_error("the cycle", &e)))
        .and_then(|(r, rendered)| {
            // A failed cycle's feed texts are as good as the last one's.
            self.rendered = rendered;
            r
        });
        match work {
            Ok(done) => {
                let report = CycleReport {
                    at: now,
                    duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                    decisions: done.decisions,
                    reservations: done.reservations,
                    unplaced: done.unplaced,
                    changed: done.changes.changed,
                    new: done.changes.new,
                    gone: done.changes.gone,
                };
                tracing::info!(
                    decisions = report.decisions,
                    reservations = report.reservations,
                    unplaced = report.unplaced,
                    changed = report.changed,
                    new = report.new,
                    gone = report.gone,
                    feed_changed = done.feed_changed,
                    ms = report.duration_ms,
                    "cycle done"
                );
                let mut served = (*self.shared.current()).clone();
                served.feed = Some(done.feed);
                served.calendar = Some((snapshot_for_desk, Arc::clone(&rules_for_writes)));
                served.briefs = Some(done.briefs);
                self.shared.publish(served);
                self.last_cycle = Some(report);
                self.cycle_error = None;
                self.failures = 0;
                self.schedule();
                self.after_cycle(&crate::source::CycleOutput {
                    now,
                    rules: &rules_for_writes,
                    reservations: &done.held,
                    feed: &done.entries,
                    versions: &done.versions,
                })
                .await;
            }
            Err(e) => {
                tracing::error!(error = %e, "the cycle failed; the last good feed keeps being served");
                self.cycle_error = Some(e.to_string());
                self.failed();
            }
        }
        self.publish_health();
    }
}

/// Why a cycle failed. Nothing that is served changed.
#[derive(Debug, thiserror::Error)]
pub enum CycleError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{}: {source}", path.display())]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Calendar(#[from] crate::source::ics::FileError),
    /// The blocking task stopped on a bug (said without the panic's message).
    #[error("{0}")]
    Stopped(String),
}

pub(super) struct CycleDone {
    feed: FeedBody,
    briefs: Bytes,
    held: Vec<crate::decide::Reservation>,
    entries: Vec<crate::feed::FeedEvent>,
    versions: crate::feed::Versions,
    feed_changed: bool,
    decisions: usize,
    reservations: usize,
    unplaced: usize,
    changes: crate::store::CycleChanges,
}

/// What [`cycle_from_file`] did.
#[derive(Debug, Clone, Copy)]
pub struct CycleSummary {
    pub events: usize,
    pub decisions: usize,
    pub reservations: usize,
    pub feed_bytes: usize,
    pub feed_changed: bool,
}

/// The 1:1 agenda's line for a rules file that does not load: its first error (the
/// place, the key, what is wrong).
pub fn rules_problem(error: &str) -> Option<String> {
    let first = error.lines().next()?.trim();
    let more = error
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.trim().is_empty())
        .count()
        .saturating_sub(1);
    Some(match more {
        0 => format!("the rules edit does not load: {first}"),
        n => format!("the rules edit does not load: {first} (and {n} more)"),
    })
}

/// One whole cycle as the daemon runs it for a file source — read and parse the
/// calendar, place, decide, record in the store, write the feed — for benchmarks and tools.
/// `problems` go first on the 1:1 agendas.
pub fn cycle_from_file(
    store: &Store,
    dir: &Path,
    calendar: &Path,
    rules: &Rules,
    now: DateTime<Utc>,
    previous_feed: Option<FeedBody>,
    problems: &[String],
) -> Result<(CycleSummary, FeedBody), CycleError> {
    cycle_from(
        store,
        dir,
        calendar,
        rules,
        now,
        previous_feed,
        problems,
        None,
    )
}

/// What one cycle keeps for the next, as the daemon keeps it: the calendar's events by
/// their text, and the feed's events as written.
#[derive(Default)]
pub struct Caches {
    pub reuse: crate::calendar::ics::Reuse,
    pub rendered: crate::feed::Rendered,
}

/// [`cycle_from_file`] as the daemon runs it after the first cycle with `incremental`:
/// only the events whose text changed are read, only the feed events that changed are
/// written again (for benchmarks and the tests that hold it equal to a cycle from
/// scratch).
#[allow(clippy::too_many_arguments)]
pub fn cycle_from_file_reusing(
    store: &Store,
    dir: &Path,
    calendar: &Path,
    rules: &Rules,
    now: DateTime<Utc>,
    previous_feed: Option<FeedBody>,
    problems: &[String],
    caches: &mut Caches,
) -> Result<(CycleSummary, FeedBody), CycleError> {
    cycle_from(
        store,
        dir,
        calendar,
        rules,
        now,
        previous_feed,
        problems,
        Some(caches),
    )
}

#[allow(clippy::too_many_arguments)]
fn cycle_from(
    store: &Store,
    dir: &Path,
    calendar: &Path,
    rules: &Rules,
    now: DateTime<Utc>,
    previous_feed: Option<FeedBody>,
    problems: &[String],
    caches: Option<&mut Caches>,
) -> Result<(CycleSummary, FeedBody), CycleError> {
    let exec = &rules.executive.email;
    let (mut snapshot, rendered) = match caches {
        Some(c) => {
            let s = crate::source::ics::load_reusing(calendar, &mut c.reuse)?;
            c.reuse.compact(exec);
            (s, Some(&mut c.rendered))
        }
        None => (crate::source::ics::load(calendar)?, None),
    };
    snapshot.compact(exec);
    let done = run_cycle(
        store,
        dir,
        Input {
            snapshot: &snapshot,
            rules,
            now,
            refresh: TimeDelta::minutes(1),
            previous_feed,
            problems,
        },
        rendered,
    )?;
    Ok((
        CycleSummary {
            events: snapshot.events.len(),
            decisions: done.decisions,
            reservations: done.reservations,
            feed_bytes: done.feed.bytes.len(),
            feed_changed: done.feed_changed,
        },
        done.feed,
    ))
}

/// The 1:1 agendas (only read from the store when a series has one): the problems handed
/// in, the calendar's warnings, and the verdict changes on record.
fn briefs(
    store: &Store,
    plan: &crate::decide::Plan,
    rules: &Rules,
    snapshot: &Snapshot,
    problems: &[String],
    now: DateTime<Utc>,
) -> Result<Vec<crate::brief::Brief>, StoreError> {
    if !crate::brief::wanted(rules) {
        return Ok(Vec::new());
    }
    let mut problems = problems.to_vec();
    if !snapshot.warnings.is_empty() {
        problems.push(format!(
            "the calendar has {} event(s) or line(s) timeward skipped or guessed at (the desk's Health page, or the log, names their lines)",
            snapshot.warnings.len()
        ));
    }
    let changes = store.verdict_changes(plan, now)?;
    Ok(crate::brief::briefs(plan, rules, &changes, &problems))
}

/// What one cycle works on. `problems` are what the 1:1 agenda says first (a rules file
/// that does not load).
pub(super) struct Input<'a> {
    snapshot: &'a Snapshot,
    rules: &'a Rules,
    now: DateTime<Utc>,
    /// The feed's refresh interval.
    refresh: TimeDelta,
    previous_feed: Option<FeedBody>,
    problems: &'a [String],
}

/// One cycle's work, off the async threads: decide, record, write.
pub(super) fn run_cycle(
    store: &Store,
    dir: &Path,
    input: Input<'_>,
    rendered: Option<&mut crate::feed::Rendered>,
) -> Result<CycleDone, CycleError> {
    let Input {
        snapshot,
        rules,
        now,
        refresh,
        previous_feed,
        problems,
    } = input;
    let state = StateDir::at(dir);
    let previous = store.reservations()?;
    let plan = crate::suggest(snapshot, rules, &previous, now);
    let briefs = briefs(store, &plan, rules, snapshot, problems, now)?;
    let entries = crate::feed::entries(&plan, rules, &briefs);
    let versions = crate::feed::advance(&store.versions()?, &entries, now);
    let who = if rules.executive.name.is_empty() {
        &rules.executive.email
    } else {
        &rules.executive.name
    };
    let name = format!("timeward · {who}");
    let text = match rendered {
        Some(cache) => crate::feed::render_reusing(&entries, &versions, &name, refresh, cache),
        None => crate::feed::render(&entries, &versions, &name, refresh),
    };
    let json = plan.to_json();
    let changes = store.record_cycle(&plan, &versions, now)?;
    let mut text = text;
    text.shrink_to_fit();
    let bytes = Bytes::from(text);
    let unchanged = previous_feed
        .as_ref()
        .filter(|f| f.bytes == bytes && state.feed_path().is_file());
    let feed = match unchanged {
        // The same bytes: the same ETag and Last-Modified, and no write.
        Some(f) => f.clone(),
        None => {
            state
                .write_feed(&bytes)
                .map_err(|source| CycleError::Write {
                    path: state.feed_path(),
                    source,
                })?;
            FeedBody::new(bytes, SystemTime::now())
        }
    };
    // Served from the file by /api/decisions, not held in memory.
    state
        .write_decisions(json.as_bytes())
        .map_err(|source| CycleError::Write {
            path: state.decisions_path(),
            source,
        })?;
    let briefs_json = crate::brief::to_json(&briefs, rules.executive.timezone);
    state
        .write_briefs(briefs_json.as_bytes())
        .map_err(|source| CycleError::Write {
            path: state.briefs_path(),
            source,
        })?;
    Ok(CycleDone {
        briefs: Bytes::from(briefs_json),
        feed_changed: unchanged.is_none(),
        feed,
        held: plan.reservations.clone(),
        entries,
        versions,
        decisions: plan.decisions.len(),
        reservations: plan.reservations.len(),
        unplaced: plan.unplaced.len(),
        changes,
    })
}

/// `/api/decisions/ID`: the stored decision with its history.
pub(super) fn decision_json(store: &Store, id: &str) -> Option<Bytes> {
    // An answered request leaves the pending list; its history and actions stay on record.
    let decision = store.decision(id).ok()?;
    let history = store.history(id).ok()?;
    let actions = store.actions(id).ok()?;
    if decision.is_none() && history.is_empty() && actions.is_empty() {
        return None;
    }
    #[derive(Serialize)]
    struct One {
        /// `null` once the request no longer waits for an answer.
        decision: Option<crate::store::StoredDecision>,
        history: Vec<crate::store::HistoryEntry>,
        /// Every answer sent (or tried) from the desk.
        actions: Vec<crate::store::actions::ActionRecord>,
    }
    serde_json::to_vec_pretty(&One {
        decision,
        history,
        actions,
    })
    .ok()
    .map(Bytes::from)
}
