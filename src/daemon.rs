//! `timeward run`: the long-running service. Part of the shell.
//!
//! [`run`] is handed its environment — the validated config, a bound listener, a clock and
//! a channel of signals — so that tests drive it as systemd does. Each cycle reads the
//! source (a conditional GET for a URL, the modification time for a file), places the 1:1
//! reservations (keeping the stored ones where still free), decides, records the cycle in
//! the store in one transaction, and writes the feed atomically; only then does the server
//! start serving the new feed. A failed cycle changes nothing that is served: it is
//! logged, reported on `/healthz`, and retried with backoff. An invalid rules edit leaves
//! the last good rules in force.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, TimeDelta, Utc};
use hyper::body::Bytes;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use crate::calendar::Snapshot;
use crate::config::{redact_url, Config, Source};
use crate::feed::http::{self, FeedBody, Served, Shared};
use crate::rules::Rules;
use crate::source::url::{Cursor, Fetched, Fetcher};
use crate::store::{Store, StoredEvent};

/// The time, as the daemon sees it (tests may hand in another).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// What the process is told from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGHUP: re-read the rules and the source now.
    Reload,
    /// SIGTERM / SIGINT: stop accepting, finish the cycle, flush, exit.
    Stop,
}

/// Why the daemon could not start. Once it runs, nothing stops it but a signal.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{path}: cannot create the state directory: {source}")]
    StateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error("{path}: cannot read or write the feed token: {source}")]
    Token {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Other(String),
}

const FEED_FILE: &str = "feed.ics";
const DECISIONS_FILE: &str = "decisions.json";
const TOKEN_FILE: &str = "feed_token";
/// The address actually bound (port 0 picks one), for `timeward explain`.
pub const ADDRESS_FILE: &str = "address";

/// Runs until a [`Signal::Stop`] (or the end of the signal channel).
pub async fn run(
    config: Config,
    listener: TcpListener,
    clock: Clock,
    mut signals: mpsc::Receiver<Signal>,
) -> Result<(), StartError> {
    let state = config.state_dir.clone();
    make_private_dir(&state).map_err(|source| StartError::StateDir {
        path: state.display().to_string(),
        source,
    })?;
    let store = Store::open(&state)?;
    let token = feed_token(&config, &state)?;
    let lookup_store = store.clone();
    let lookup_dir = state.clone();
    let shared = Shared::new(
        &token,
        Arc::new(move |id: Option<&str>| match id {
            Some(id) => decision_json(&lookup_store, id),
            None => std::fs::read(lookup_dir.join(DECISIONS_FILE))
                .ok()
                .map(Bytes::from),
        }),
    );

    let mut daemon = Daemon::new(config, store, shared.clone(), clock);
    daemon.restore();

    let (stop_tx, stop_rx) = watch::channel(false);
    let addr = listener
        .local_addr()
        .map_err(|e| StartError::Other(format!("the listening socket: {e}")))?;
    if let Err(e) = write_atomically(
        &state.join(ADDRESS_FILE),
        addr.to_string().as_bytes(),
        0o600,
    ) {
        tracing::warn!(error = %e, "cannot record the bound address; timeward explain will use the configured one");
    }
    let server = tokio::spawn(http::serve(
        listener,
        shared.clone(),
        http::Limits::default(),
        stop_rx,
    ));
    tracing::info!(
        feed = %format!("http://{addr}/feed/{token}.ics"),
        source = %daemon.source_name(),
        rules = %daemon.config.rules.display(),
        state_dir = %state.display(),
        "timeward is serving the suggestions feed"
    );
    notify(&[sd_notify::NotifyState::Ready]);

    let (rules_tx, mut rules_rx) = mpsc::channel::<()>(1);
    let _watcher = watch_rules(&daemon.config.rules, rules_tx);
    let watchdog = watchdog_interval();
    let mut watchdog_tick = tokio::time::interval(watchdog.unwrap_or(Duration::from_secs(3600)));

    daemon.reload_rules();
    if daemon.rules.is_none() && shared.current().feed.is_none() {
        // Nothing to serve and nothing to decide with: say so and stop, rather than run
        // empty. (With a previous run's feed, it keeps being served until the rules are fixed.)
        let _ = stop_tx.send(true);
        return Err(StartError::Other(
            daemon.rules_error.take().unwrap_or_default(),
        ));
    }
    daemon.poll_and_cycle().await;
    loop {
        let wait = daemon.next_poll.saturating_duration_since(Instant::now());
        tokio::select! {
            _ = tokio::time::sleep(wait) => {
                daemon.poll_and_cycle().await;
            }
            Some(()) = rules_rx.recv() => {
                // Editors write a file in several steps: let them finish.
                tokio::time::sleep(Duration::from_millis(50)).await;
                while rules_rx.try_recv().is_ok() {}
                if daemon.reload_rules() {
                    daemon.rules_changed().await;
                }
            }
            s = signals.recv() => match s {
                Some(Signal::Reload) => {
                    notify_reloading();
                    tracing::info!("reload requested (SIGHUP)");
                    daemon.reload_rules();
                    daemon.reread = daemon.needs_reread();
                    daemon.poll_and_cycle().await;
                    notify(&[sd_notify::NotifyState::Ready]);
                }
                Some(Signal::Stop) | None => break,
            },
            _ = watchdog_tick.tick(), if watchdog.is_some() => {
                notify(&[sd_notify::NotifyState::Watchdog]);
            }
        }
    }

    notify(&[sd_notify::NotifyState::Stopping]);
    tracing::info!("stopping: no new connections; flushing the store");
    let _ = stop_tx.send(true);
    if let Err(e) = daemon.store.flush() {
        tracing::error!(error = %e, "flushing the store failed");
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
    tracing::info!("stopped");
    Ok(())
}

/// The daemon's working state between cycles.
struct Daemon {
    config: Config,
    store: Store,
    shared: Shared,
    clock: Clock,
    rules: Option<Arc<Rules>>,
    rules_error: Option<String>,
    snapshot: Option<Arc<Snapshot>>,
    /// Whether the snapshot changed since the events tree was last written.
    snapshot_new: bool,
    /// The executive the snapshot was compacted for (see `Snapshot::compact`).
    compacted_for: Option<String>,
    /// Read the source in full at the next poll, changed or not.
    reread: bool,
    source: SourceState,
    fetcher: Option<Fetcher>,
    google: Option<crate::source::google::GoogleCalendar>,
    /// Reserve mode: the holds in the Google calendar.
    holds: Option<crate::source::google_reserve::Holds>,
    /// `publish_calendar`: what is in that calendar.
    published: Option<crate::source::google_publish::Published>,
    write_error: Option<String>,
    last_cycle: Option<CycleReport>,
    cycle_error: Option<String>,
    failures: u32,
    next_poll: Instant,
}

#[derive(Default)]
struct SourceState {
    /// Files: the modification time and length of the last good read.
    stamp: Option<(SystemTime, u64)>,
    /// URLs: the validators of the last good fetch.
    cursor: Cursor,
    /// The demo: the week it was last generated for.
    demo_week: Option<i64>,
    last_read: Option<DateTime<Utc>>,
    error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct CycleReport {
    at: DateTime<Utc>,
    duration_ms: u64,
    decisions: usize,
    reservations: usize,
    unplaced: usize,
    changed: usize,
    new: usize,
    gone: usize,
}

impl Daemon {
    fn new(config: Config, store: Store, shared: Shared, clock: Clock) -> Daemon {
        let fetcher = match &config.source {
            Source::Url(_) => Fetcher::new(Duration::from_secs(30)).ok(),
            _ => None,
        };
        Daemon {
            config,
            store,
            shared,
            clock,
            rules: None,
            rules_error: None,
            snapshot: None,
            snapshot_new: false,
            compacted_for: None,
            reread: false,
            source: SourceState::default(),
            fetcher,
            google: None,
            holds: None,
            published: None,
            write_error: None,
            last_cycle: None,
            cycle_error: None,
            failures: 0,
            next_poll: Instant::now(),
        }
    }

    fn source_name(&self) -> String {
        match &self.config.source {
            Source::Demo => "the bundled demo calendar".into(),
            Source::File(p) => p.display().to_string(),
            Source::Url(u) => redact_url(u),
            Source::Google(g) => match &g.api_base_url {
                Some(u) => format!("Google calendar {:?} at {}", g.calendar_id, redact_url(u)),
                None => format!("Google calendar {:?}", g.calendar_id),
            },
        }
    }

    fn source_kind(&self) -> &'static str {
        match &self.config.source {
            Source::Demo => "demo",
            Source::File(_) => "ics file",
            Source::Url(_) => "ics url",
            Source::Google(_) => "google",
        }
    }

    /// Serves what the last run left in the state directory until the first cycle ends:
    /// a restart never leaves subscribers without a feed.
    fn restore(&mut self) {
        let dir = &self.config.state_dir;
        let feed = std::fs::read(dir.join(FEED_FILE)).ok().map(|bytes| {
            let modified = std::fs::metadata(dir.join(FEED_FILE))
                .and_then(|m| m.modified())
                .unwrap_or(SystemTime::UNIX_EPOCH);
            FeedBody::new(Bytes::from(bytes), modified)
        });
        if feed.is_some() {
            tracing::info!("serving the feed of the last run until this run's first cycle");
        }
        self.shared.publish(Served {
            feed,
            ..Served::default()
        });
        self.publish_health();
    }

    /// Re-reads the rules file. Returns whether new rules are in force.
    fn reload_rules(&mut self) -> bool {
        let result = crate::cli::load_rules(&self.config.rules);
        let changed = match result {
            Ok(rules) => {
                let same = self.rules.as_deref() == Some(&rules);
                if self.rules_error.take().is_some() || !same {
                    tracing::info!(rules = %self.config.rules.display(), "rules loaded");
                }
                self.rules = Some(Arc::new(rules));
                !same
            }
            Err(e) => {
                if self.rules_error.as_deref() != Some(&e) {
                    tracing::error!(
                        error = %e,
                        "the rules file is invalid; the last good rules stay in force"
                    );
                }
                self.rules_error = Some(e);
                false
            }
        };
        self.publish_health();
        changed
    }

    /// Reads the source if it changed, then runs a cycle.
    async fn poll_and_cycle(&mut self) {
        let read = self.read_source().await;
        match read {
            Ok(()) => {
                self.source.error = None;
                self.cycle().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "reading the calendar failed; the last good feed keeps being served");
                self.source.error = Some(e);
                self.failed();
            }
        }
    }

    async fn read_source(&mut self) -> Result<(), String> {
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

    fn set_snapshot(&mut self, snap: Snapshot) {
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
    fn needs_reread(&self) -> bool {
        self.snapshot.is_some()
            && self.rules.as_ref().map(|r| &r.executive.email) != self.compacted_for.as_ref()
    }

    /// After new rules: a cycle, or a full re-read first if the executive changed.
    async fn rules_changed(&mut self) {
        if self.needs_reread() {
            self.reread = true;
            self.poll_and_cycle().await;
        } else {
            self.cycle().await;
        }
    }

    /// Decides, records and publishes one cycle with the current rules and calendar.
    async fn cycle(&mut self) {
        let (Some(rules), Some(snapshot)) = (self.rules.clone(), self.snapshot.clone()) else {
            // No good rules yet (the file was invalid from the start): keep serving the
            // last run's feed and wait for a fix.
            self.schedule();
            self.publish_health();
            return;
        };
        let now = (self.clock)();
        let span = tracing::info_span!("cycle", at = %now.to_rfc3339());
        let _enter = span.enter();
        let started = Instant::now();
        let store = self.store.clone();
        let dir = self.config.state_dir.clone();
        let refresh =
            TimeDelta::from_std(self.config.poll_interval).unwrap_or(TimeDelta::minutes(1));
        let events_new = std::mem::take(&mut self.snapshot_new);
        let previous_feed = self.shared.current().feed.clone();
        let rules_for_writes = Arc::clone(&rules);
        let work = tokio::task::spawn_blocking(move || {
            run_cycle(
                &store,
                &dir,
                &snapshot,
                &rules,
                now,
                refresh,
                events_new,
                previous_feed,
            )
        })
        .await
        .map_err(|e| crate::panic::join_error("the cycle", &e))
        .and_then(|r| r);
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
                self.shared.publish(served);
                self.last_cycle = Some(report);
                self.cycle_error = None;
                self.failures = 0;
                self.schedule();
                self.write_holds(&done.held, &rules_for_writes, now).await;
                self.publish(&done.entries, &done.versions).await;
            }
            Err(e) => {
                tracing::error!(error = %e, "the cycle failed; the last good feed keeps being served");
                self.cycle_error = Some(e);
                if events_new {
                    self.snapshot_new = true;
                }
                self.failed();
            }
        }
        self.publish_health();
    }

    /// `mode = "reserve"`: makes the Google calendar's 1:1 holds what this cycle placed.
    /// A failure is logged and shown on /healthz; the next cycle tries again.
    async fn write_holds(
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
    async fn publish(
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

    fn schedule(&mut self) {
        self.next_poll = Instant::now() + self.config.poll_interval;
    }

    /// Retries sooner than the poll interval, backing off: 1 s, 2 s, 4 s … up to it.
    fn failed(&mut self) {
        self.failures = self.failures.saturating_add(1);
        let backoff = Duration::from_secs(1u64 << self.failures.min(12).saturating_sub(1));
        self.next_poll = Instant::now() + backoff.min(self.config.poll_interval);
        self.publish_health();
    }

    fn publish_health(&self) {
        let served = self.shared.current();
        let ok = self.rules_error.is_none()
            && self.write_error.is_none()
            && self.source.error.is_none()
            && self.cycle_error.is_none()
            && self.last_cycle.is_some();
        let status = if ok {
            "ok"
        } else if self.last_cycle.is_none() && served.feed.is_none() {
            "starting"
        } else {
            "degraded"
        };
        let health = Health {
            status,
            feed: FeedHealth {
                served: served.feed.is_some(),
                etag: served.feed.as_ref().map(|f| f.etag.as_str()),
                last_modified: served
                    .feed
                    .as_ref()
                    .map(|f| httpdate::fmt_http_date(f.modified)),
            },
            last_cycle: self.last_cycle.as_ref(),
            cycle_error: self.cycle_error.as_deref(),
            consecutive_failures: self.failures,
            write_error: self.write_error.as_deref(),
            source: SourceHealth {
                kind: self.source_kind(),
                name: self.source_name(),
                ok: self.source.error.is_none(),
                error: self.source.error.as_deref(),
                last_read: self.source.last_read,
            },
            rules: RulesHealth {
                file: self.config.rules.display().to_string(),
                ok: self.rules_error.is_none() && self.rules.is_some(),
                in_force: self.rules.is_some(),
                error: self.rules_error.as_deref(),
            },
        };
        let body = serde_json::to_vec_pretty(&health).unwrap_or_default();
        self.shared
            .set_health(Bytes::from(body), served.feed.is_some());
    }
}

#[derive(Serialize)]
struct Health<'a> {
    status: &'static str,
    feed: FeedHealth<'a>,
    last_cycle: Option<&'a CycleReport>,
    cycle_error: Option<&'a str>,
    consecutive_failures: u32,
    /// Reserve mode: the last failure to write the 1:1 holds, if any.
    write_error: Option<&'a str>,
    source: SourceHealth<'a>,
    rules: RulesHealth<'a>,
}

#[derive(Serialize)]
struct FeedHealth<'a> {
    served: bool,
    etag: Option<&'a str>,
    last_modified: Option<String>,
}

#[derive(Serialize)]
struct SourceHealth<'a> {
    kind: &'static str,
    name: String,
    ok: bool,
    error: Option<&'a str>,
    last_read: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
struct RulesHealth<'a> {
    file: String,
    ok: bool,
    /// Whether some good rules are in force (the last good ones when `error` is set).
    in_force: bool,
    error: Option<&'a str>,
}

struct CycleDone {
    feed: FeedBody,
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

/// One whole cycle as the daemon runs it for a file source — read and parse the
/// calendar, place, decide, record in the store, write the feed — for benchmarks and tools.
pub fn cycle_from_file(
    store: &Store,
    dir: &Path,
    calendar: &Path,
    rules: &Rules,
    now: DateTime<Utc>,
    previous_feed: Option<FeedBody>,
) -> Result<(CycleSummary, FeedBody), String> {
    let snapshot = crate::source::ics::load(calendar).map_err(|e| e.to_string())?;
    let done = run_cycle(
        store,
        dir,
        &snapshot,
        rules,
        now,
        TimeDelta::minutes(1),
        true,
        previous_feed,
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

/// One cycle's work, off the async threads: decide, record, write.
#[allow(clippy::too_many_arguments)]
fn run_cycle(
    store: &Store,
    dir: &Path,
    snapshot: &Snapshot,
    rules: &Rules,
    now: DateTime<Utc>,
    refresh: TimeDelta,
    events_new: bool,
    previous_feed: Option<FeedBody>,
) -> Result<CycleDone, String> {
    let previous = store.reservations().map_err(|e| e.to_string())?;
    let plan = crate::suggest(snapshot, rules, &previous, now);
    let entries = crate::feed::entries(&plan, rules);
    let versions =
        crate::feed::advance(&store.versions().map_err(|e| e.to_string())?, &entries, now);
    let who = if rules.executive.name.is_empty() {
        &rules.executive.email
    } else {
        &rules.executive.name
    };
    let name = format!("timeward · {who}");
    let text = crate::feed::render(&entries, &versions, &name, refresh);
    let json = plan.to_json();
    if events_new {
        let events: Vec<StoredEvent> = snapshot
            .events
            .iter()
            .map(|e| StoredEvent {
                uid: e.uid.clone(),
                title: e.public_title().to_string(),
                kind: e.kind(&rules.executive.email).as_str().to_string(),
            })
            .collect();
        store.set_events(&events).map_err(|e| e.to_string())?;
    }
    let changes = store
        .record_cycle(&plan, &versions, now)
        .map_err(|e| e.to_string())?;
    let mut text = text;
    text.shrink_to_fit();
    let bytes = Bytes::from(text);
    let unchanged = previous_feed
        .as_ref()
        .filter(|f| f.bytes == bytes && dir.join(FEED_FILE).is_file());
    let feed = match unchanged {
        // The same bytes: the same ETag and Last-Modified, and no write.
        Some(f) => f.clone(),
        None => {
            write_atomically(&dir.join(FEED_FILE), &bytes, 0o644)
                .map_err(|e| format!("{}: {e}", dir.join(FEED_FILE).display()))?;
            FeedBody::new(bytes, SystemTime::now())
        }
    };
    // Served from the file by /api/decisions, not held in memory.
    write_atomically(&dir.join(DECISIONS_FILE), json.as_bytes(), 0o600)
        .map_err(|e| format!("{}: {e}", dir.join(DECISIONS_FILE).display()))?;
    Ok(CycleDone {
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
fn decision_json(store: &Store, id: &str) -> Option<Bytes> {
    let decision = store.decision(id).ok()??;
    let history = store.history(id).ok()?;
    #[derive(Serialize)]
    struct One {
        decision: crate::store::StoredDecision,
        history: Vec<crate::store::HistoryEntry>,
    }
    serde_json::to_vec_pretty(&One { decision, history })
        .ok()
        .map(Bytes::from)
}

/// Writes `bytes` to `path` so that a reader (or a crash) sees the old file or the new
/// one, never a part: a temporary file beside it, fsync, rename, fsync of the directory.
pub fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

pub fn make_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// The configured token, or the one kept in the state directory, or a new one
/// (192 random bits, hex) written there with mode 0600.
fn feed_token(config: &Config, state: &Path) -> Result<String, StartError> {
    if let Some(t) = &config.feed_token {
        return Ok(t.clone());
    }
    let path = state.join(TOKEN_FILE);
    let err = |source| StartError::Token {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(t) if t.trim().len() >= 32 => return Ok(t.trim().to_string()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(err(e)),
    }
    let mut raw = [0u8; 24];
    getrandom::fill(&mut raw).map_err(|e| err(std::io::Error::other(e.to_string())))?;
    let token: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    write_atomically(&path, token.as_bytes(), 0o600).map_err(err)?;
    tracing::info!(file = %path.display(), "generated a new feed token");
    Ok(token)
}

/// Watches the rules file's directory (editors replace files by renaming) and sends a
/// wake-up for every change to the file.
fn watch_rules(rules: &Path, tx: mpsc::Sender<()>) -> Option<notify::RecommendedWatcher> {
    use notify::{RecursiveMode, Watcher};
    let file: PathBuf = rules.file_name()?.into();
    let dir = match rules.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut watcher = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
        if let Ok(ev) = ev {
            // Only what changes the file: reading it (ours included) raises access
            // events, which would otherwise wake the loop again and again.
            use notify::event::{EventKind, ModifyKind};
            let changes = matches!(
                ev.kind,
                EventKind::Create(_)
                    | EventKind::Remove(_)
                    | EventKind::Modify(
                        ModifyKind::Data(_)
                            | ModifyKind::Name(_)
                            | ModifyKind::Any
                            | ModifyKind::Other
                    )
            );
            if changes
                && ev
                    .paths
                    .iter()
                    .any(|p| p.file_name() == Some(file.as_os_str()))
            {
                let _ = tx.try_send(());
            }
        }
    })
    .map_err(|e| tracing::warn!(error = %e, "cannot watch the rules file; SIGHUP still reloads it"))
    .ok()?;
    watcher
        .watch(&dir, RecursiveMode::NonRecursive)
        .map_err(|e| tracing::warn!(error = %e, dir = %dir.display(), "cannot watch the rules file's directory; SIGHUP still reloads it"))
        .ok()?;
    Some(watcher)
}

fn notify(state: &[sd_notify::NotifyState]) {
    let _ = sd_notify::notify(false, state);
}

fn notify_reloading() {
    match sd_notify::NotifyState::monotonic_usec_now() {
        Ok(t) => notify(&[sd_notify::NotifyState::Reloading, t]),
        Err(_) => notify(&[sd_notify::NotifyState::Reloading]),
    }
}

/// Half the watchdog period systemd asks for, if it asks. As libsystemd's
/// `sd_watchdog_enabled`: `WATCHDOG_USEC` enables it, unless `WATCHDOG_PID` names
/// another process.
fn watchdog_interval() -> Option<Duration> {
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.parse().ok()?;
    if let Ok(pid) = std::env::var("WATCHDOG_PID") {
        if pid.parse::<u32>().ok() != Some(std::process::id()) {
            return None;
        }
    }
    (usec > 0).then(|| Duration::from_micros(usec / 2))
}
