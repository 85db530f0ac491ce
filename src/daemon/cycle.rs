//! One cycle: decide on a blocking thread, record it in the store, write the feed and
//! decisions atomically, then swap what the server serves; and `/api/decisions/ID`.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, TimeDelta, Utc};
use hyper::body::Bytes;
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
        // The read this cycle follows, if any (logged only when the cycle is done).
        let read_took = self.read_took.take();
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
        // Taken: a cycle that stops on a bug starts the next one afresh.
        let mut kept = self.kept.take();
        // Files that could not be written are written by this cycle, changed or not.
        let previous_feed = previous_feed.filter(|_| !self.unwritten);
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
                    kept.as_deref_mut(),
                );
                (done, kept)
            })
        })
        .await
        .map_err(|e| CycleError::Stopped(crate::panic::join_error("the cycle", &e)))
        .and_then(|(r, kept)| {
            // What a failed cycle kept is as good as the last one's.
            self.kept = kept;
            r
        });
        let served = started.elapsed();
        match work {
            Ok((done, files)) => {
                // The feed is served as soon as the store holds the cycle; its files (and
                // the store's flush) follow.
                self.serve(&done, snapshot_for_desk, Arc::clone(&rules_for_writes));
                match self.write_files(files).await {
                    Ok(()) => {
                        let times = (started, read_took, served);
                        self.finished(done, now, times, &rules_for_writes).await
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "the cycle's files could not be written (or the store not flushed); its feed is served, and the next cycle writes them again");
                        self.cycle_error = Some(e.to_string());
                        self.failed();
                    }
                }
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

impl Daemon {
    /// Writes a cycle's files off the async threads; a failure makes the next cycle write
    /// them again, changed or not.
    async fn write_files(&mut self, files: Files) -> Result<(), CycleError> {
        let dir = self.config.state_dir.clone();
        let span = tracing::Span::current();
        let mut files = files;
        let store = self.store.clone();
        let written = tokio::task::spawn_blocking(move || {
            span.in_scope(|| (Ready::write_files(&dir, &store, &mut files), files))
        })
        .await
        .map_err(|e| CycleError::Stopped(crate::panic::join_error("the cycle", &e)))
        .and_then(|(r, files)| {
            if let Some(kept) = self.kept.as_deref_mut() {
                files.hand_back(kept);
            }
            r
        });
        self.unwritten = written.is_err();
        written
    }

    /// A cycle done: logged, reported on /healthz, its output handed to the source.
    /// `times`: when the cycle started, how long the read it follows took (if it follows
    /// one), and how long until its feed was served.
    async fn finished(
        &mut self,
        done: CycleDone,
        now: DateTime<Utc>,
        (started, read_took, served): (Instant, Option<Duration>, Duration),
        rules: &Rules,
    ) {
        let took = started.elapsed();
        let report = CycleReport {
            at: now,
            duration_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
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
            read_ms = read_took.map(|d| tracing::field::display(Millis(d))),
            served_ms = %Millis(served),
            ms = %Millis(took),
            "cycle done"
        );
        self.last_cycle = Some(report);
        self.cycle_error = None;
        self.failures = 0;
        self.schedule();
        self.after_cycle(&crate::source::CycleOutput {
            now,
            rules,
            reservations: &done.held,
            feed: &done.entries,
            versions: &done.versions,
        })
        .await;
    }

    /// Swaps what the server serves for a cycle's feed, calendar and agendas.
    fn serve(&self, done: &CycleDone, snapshot: Arc<Snapshot>, rules: Arc<Rules>) {
        let mut served = (*self.shared.current()).clone();
        served.feed = Some(done.feed.clone());
        served.calendar = Some((snapshot, rules));
        served.briefs = Some(done.briefs.clone());
        self.shared.publish(served);
    }
}

/// Why a cycle failed. Nothing that is served changed, unless the store had recorded the
/// cycle: then its feed is served, and only its files failed (written again next cycle).
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
    pub(super) feed: FeedBody,
    pub(super) briefs: Bytes,
    pub(super) held: Vec<crate::decide::Reservation>,
    pub(super) entries: Vec<crate::feed::FeedEvent>,
    pub(super) versions: Arc<crate::feed::Versions>,
    pub(super) feed_changed: bool,
    pub(super) decisions: usize,
    pub(super) reservations: usize,
    pub(super) unplaced: usize,
    pub(super) changes: crate::store::CycleChanges,
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
    pub(super) snapshot: &'a Arc<Snapshot>,
    pub(super) rules: &'a Rules,
    pub(super) now: DateTime<Utc>,
    /// The feed's refresh interval.
    pub(super) refresh: TimeDelta,
    pub(super) previous_feed: Option<FeedBody>,
    pub(super) problems: &'a [String],
}

/// One cycle's work, off the async threads: decide, record in the store, render; the
/// files are written by [`Ready::write_files`].
pub(super) fn run_cycle(
    store: &Store,
    dir: &Path,
    input: Input<'_>,
    kept: Option<&mut super::Kept>,
) -> Result<(CycleDone, Files), CycleError> {
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
    let mut kept = kept;
    let (plan, made) = match kept.as_deref_mut() {
        Some(k) => crate::suggest_reusing(snapshot, rules, &previous, now, &mut k.memo),
        None => (crate::suggest(snapshot, rules, &previous, now), Vec::new()),
    };
    let briefs = briefs(store, &plan, rules, snapshot, problems, now)?;
    let (entries, digests) = match kept.as_deref_mut() {
        Some(k) => crate::feed::entries_reusing(&plan, &made, rules, &briefs, &mut k.events),
        None => {
            let entries = crate::feed::entries(&plan, rules, &briefs);
            let digests = crate::feed::digests(&entries);
            (entries, digests)
        }
    };
    let versions = Arc::new(crate::feed::advance_digested(
        &*store.last_versions()?,
        &entries,
        &digests,
        now,
    ));
    let name = feed_name(rules);
    // The feed is rendered while the store records the cycle: neither reads what the
    // other makes, and the feed is served only once both are done (every read of the
    // store then sees the cycle; it is flushed beside the files, before the cycle counts
    // as done).
    let ((bytes, tag, json), changes) = std::thread::scope(|scope| {
        let recording = scope.spawn(|| store.record_numbered(&plan, &made, &versions, now));
        let rendered = render(&entries, &versions, &name, refresh, kept);
        (rendered, joined(recording))
    });
    let changes = changes?;
    // The same tag and length: the same bytes (the tag hashes every piece of them).
    let unchanged = previous_feed
        .as_ref()
        .filter(|f| f.tag == tag && f.bytes.len() == bytes.len() && state.feed_path().is_file());
    let (feed, feed_file) = match unchanged {
        // The same bytes: the same ETag and Last-Modified, and no write.
        Some(f) => (f.clone(), None),
        None => {
            let body = FeedBody::tagged(bytes.clone(), tag, SystemTime::now());
            (body, Some(bytes))
        }
    };
    let briefs_json = crate::brief::to_json(&briefs, rules.executive.timezone);
    let briefs = Bytes::from(briefs_json);
    Ok((
        CycleDone {
            briefs: briefs.clone(),
            feed_changed: unchanged.is_none(),
            feed,
            held: plan.reservations.clone(),
            entries,
            versions,
            decisions: plan.decisions.len(),
            reservations: plan.reservations.len(),
            unplaced: plan.unplaced.len(),
            changes,
        },
        Files {
            feed: feed_file,
            plan,
            made,
            json,
            briefs,
        },
    ))
}

/// The feed's name: timeward and whose calendar it guards.
fn feed_name(rules: &Rules) -> String {
    let who = if rules.executive.name.is_empty() {
        &rules.executive.email
    } else {
        &rules.executive.name
    };
    format!("timeward · {who}")
}

/// The feed's bytes and tag; with `kept`, copied from the last feed where it can be, and
/// the decisions' JSON taken out of `kept` for the files.
fn render(
    entries: &[crate::feed::FeedEvent],
    versions: &crate::feed::Versions,
    name: &str,
    refresh: TimeDelta,
    kept: Option<&mut super::Kept>,
) -> (Bytes, u64, Option<crate::decide::JsonMade>) {
    match kept {
        Some(k) => {
            let text =
                crate::feed::render_reusing(entries, versions, name, refresh, &mut k.rendered);
            // The text the feed cache keeps is the one served: shared, not copied.
            let bytes = Bytes::from_owner(Shared(text));
            (bytes, k.rendered.tag(), Some(std::mem::take(&mut k.json)))
        }
        None => {
            // Made at its size: no spare capacity kept with it until the next change.
            let (text, tag) = crate::feed::render_tagged(entries, versions, name, refresh);
            (Bytes::from(text), tag, None)
        }
    }
}

/// The feed's text as its cache keeps it, served as bytes without a copy.
struct Shared(Arc<String>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// A cycle's files, to be written once its feed is served: the feed (when it changed),
/// `decisions.json` (which `/api/decisions` serves; made from the plan only then) and the
/// 1:1 agendas.
pub struct Files {
    feed: Option<Bytes>,
    plan: crate::decide::Plan,
    made: Vec<u64>,
    /// With `incremental`: each decision's JSON as last written (see [`super::Kept`]).
    json: Option<crate::decide::JsonMade>,
    briefs: Bytes,
}

impl Files {
    /// Gives what an incremental cycle lent its files back to what it keeps: the plan
    /// (whose decisions the next cycle carries over) and the decisions' JSON.
    pub fn hand_back(self, kept: &mut super::Kept) {
        if let Some(json) = self.json {
            kept.json = json;
        }
        kept.memo.give_back(self.plan);
    }
}

/// A cycle decided and recorded in the store, whose feed can be served at once; its
/// files are written after ([`Ready::write_files`]).
pub struct Ready {
    pub feed: FeedBody,
    pub files: Files,
}

impl Ready {
    /// Writes a cycle's files into the state directory, each atomically, and makes the
    /// store's record of the cycle durable beside them.
    pub fn write_files(dir: &Path, store: &Store, files: &mut Files) -> Result<(), CycleError> {
        let state = StateDir::at(dir);
        // With `incremental`, from each decision's JSON as last made; otherwise written
        // into the file as it is made (never held whole).
        let reused = files
            .json
            .as_mut()
            .map(|cache| files.plan.to_json_reusing(&files.made, cache));
        let (feed, briefs, plan) = (files.feed.as_ref(), &files.briefs, &files.plan);
        let feed_error = |source| CycleError::Write {
            path: state.feed_path(),
            source,
        };
        let briefs_error = |source| CycleError::Write {
            path: state.briefs_path(),
            source,
        };
        // The store's flush, the feed (then the agendas) and `decisions.json` side by
        // side: each waits on its own fsync.
        let (flushed, feed_and_briefs, decisions) = std::thread::scope(|scope| {
            let flushed = scope.spawn(|| store.flush());
            let feed_and_briefs = scope.spawn(|| {
                if let Some(feed) = feed {
                    state.write_feed(feed).map_err(feed_error)?;
                }
                state.write_briefs(briefs).map_err(briefs_error)
            });
            let decisions = match &reused {
                Some(json) => state.write_decisions(json.as_bytes()),
                None => state.write_decisions_with(|out| plan.write_json(out)),
            };
            (joined(flushed), joined(feed_and_briefs), decisions)
        });
        flushed?;
        feed_and_briefs?;
        decisions.map_err(|source| CycleError::Write {
            path: state.decisions_path(),
            source,
        })
    }
}

/// A duration in the log: milliseconds to two decimals (`5.07`).
struct Millis(Duration);

impl std::fmt::Display for Millis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2}", self.0.as_secs_f64() * 1000.0)
    }
}

/// What a scoped thread returned. Flushing, recording or writing a file does not panic;
/// if one did, the same panic goes on here.
fn joined<T>(thread: std::thread::ScopedJoinHandle<'_, T>) -> T {
    thread
        .join()
        .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
}
