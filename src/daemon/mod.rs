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

mod actions;
mod busy;
mod cycle;
mod decision;
mod health;
mod offline;
mod reload;
mod source;
mod systemd;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hyper::body::Bytes;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
// Tokio's clock, so that the poll schedule follows `tokio::time::pause` in a test.
use tokio::time::Instant;

use crate::calendar::Snapshot;
use crate::config::Config;
use crate::rules::Rules;
use crate::server::{self as http, FeedBody, Served, Shared};
use crate::source::CalendarSource;
use crate::store::Store;

use crate::state_dir::StateDir;
pub use cycle::{rules_problem, CycleError, Files, Ready};
use decision::decision_json;
pub use offline::{
    cycle_from_file, cycle_from_file_reusing, decide_and_record, Caches, CycleSummary, Kept,
};
use reload::watch_rules;
use systemd::{notify, notify_reloading, watchdog_interval};

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
    #[error("the listening socket: {0}")]
    Listener(std::io::Error),
    /// The rules are invalid and no earlier feed exists to serve meanwhile.
    #[error(
        "{0}\n(no rules are in force and no earlier feed exists, so there is nothing to \
         serve: timeward stops; fix the rules file and start it again)"
    )]
    Rules(String),
    /// `[actions.smtp]` names a mail server that cannot be used.
    #[error("[actions.smtp]: {0}")]
    Mail(#[from] crate::source::mail::MailError),
}

/// Runs until a [`Signal::Stop`] (or the end of the signal channel).
pub async fn run(
    config: Config,
    listener: TcpListener,
    clock: Clock,
    mut signals: mpsc::Receiver<Signal>,
) -> Result<(), StartError> {
    // Watching starts before the first read, so no edit falls between the two.
    let (rules_tx, mut rules_rx) = mpsc::channel::<()>(1);
    let _watcher = watch_rules(&config.rules, rules_tx);
    // The rules are read once here. Without them and without an earlier feed there is
    // nothing to serve: say so before anything is created.
    let first_rules = crate::rules_file::load(&config.rules).map_err(|e| e.to_string());
    if let Err(e) = &first_rules {
        if StateDir::at(&config.state_dir).last_feed().is_none() {
            return Err(StartError::Rules(e.clone()));
        }
    }
    let state = StateDir::create(&config.state_dir).map_err(|source| StartError::StateDir {
        path: config.state_dir.display().to_string(),
        source,
    })?;
    let store = Store::open(state.path())?;
    let token = feed_token(&config, &state)?;
    let lookup_store = store.clone();
    let (actions_tx, mut actions_rx) = mpsc::channel::<crate::actions::ActionRequest>(8);
    let lookup_state = state.clone();
    let shared = Shared::new(
        &token,
        Arc::new(move |id: Option<&str>| match id {
            Some(id) => decision_json(&lookup_store, id),
            None => lookup_state.decisions().map(Bytes::from),
        }),
    )
    .with_desk(crate::server::desk::sessions::Sessions::new(
        store.sessions_tree(),
        config.desk_session,
    ))
    .with_actions(actions_tx, config.respond)
    .with_rules_file(config.rules.clone())
    .with_answered({
        let store = store.clone();
        Arc::new(move || store.answered_ids().unwrap_or_default())
    });

    let mut daemon = Daemon::new(config, store, shared.clone(), clock)?;
    daemon.restore();

    // With a previous run's feed, it keeps being served until the rules are fixed.
    daemon.apply_rules(first_rules);
    let (stop_tx, stop_rx) = watch::channel(false);
    let addr = listener.local_addr().map_err(StartError::Listener)?;
    if let Err(e) = state.record_address(addr) {
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
        source = %daemon.source.name(),
        rules = %daemon.config.rules.display(),
        state_dir = %state.path().display(),
        "timeward is serving the suggestions feed"
    );
    tracing::info!(
        desk = %format!("http://{addr}/desk/login?token={token}"),
        "the assistant's desk: open this link to sign in (keep it secret, like the feed's)"
    );
    if shared.current().feed.is_none() {
        tracing::info!("the feed answers 404 until the first cycle has written it");
    }
    notify(&[sd_notify::NotifyState::Ready]);

    daemon.poll_and_cycle().await;
    daemon.settle_actions();
    daemon
        .until_stopped(&mut signals, &mut rules_rx, &mut actions_rx)
        .await;

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
    /// What the cycle decides on: the primary's events and the busy calendars' time.
    snapshot: Option<Arc<Snapshot>>,
    /// The primary source's last good read.
    primary: Option<Arc<Snapshot>>,
    /// The busy calendars.
    busy: Vec<busy::Busy>,
    /// The executive the snapshot was compacted for (see `Snapshot::compact`).
    compacted_for: Option<String>,
    /// Read the source in full at the next poll, changed or not.
    reread: bool,
    source: Box<dyn CalendarSource>,
    source_status: SourceStatus,
    write_error: Option<String>,
    last_cycle: Option<CycleReport>,
    cycle_error: Option<String>,
    failures: u32,
    next_poll: Instant,
    /// With `incremental`: what a cycle keeps for the next (see [`Kept`]).
    kept: Option<Box<Kept>>,
    /// The last cycle's files (feed, decisions, agendas) could not be written: the next
    /// cycle writes them even if nothing changed.
    unwritten: bool,
    /// How long the last read of a changed calendar took (fetched, parsed, compacted):
    /// logged with the cycle that follows it, beside that cycle's own time.
    read_took: Option<Duration>,
}

/// How the last read of the source went, for /healthz.
#[derive(Default)]
struct SourceStatus {
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
    fn new(
        config: Config,
        store: Store,
        shared: Shared,
        clock: Clock,
    ) -> Result<Daemon, StartError> {
        let source = crate::source::open(&config, &config.state_dir)?;
        let incremental = config.incremental;
        let busy = config
            .busy
            .iter()
            .map(|b| busy::Busy::open(b, &config))
            .collect();
        Ok(Daemon {
            config,
            store,
            shared,
            clock,
            rules: None,
            rules_error: None,
            snapshot: None,
            primary: None,
            busy,
            compacted_for: None,
            reread: false,
            source,
            source_status: SourceStatus::default(),
            write_error: None,
            last_cycle: None,
            cycle_error: None,
            failures: 0,
            next_poll: Instant::now(),
            kept: incremental.then(Box::default),
            unwritten: false,
            read_took: None,
        })
    }

    /// Serves what the last run left in the state directory until the first cycle ends:
    /// a restart never leaves subscribers without a feed.
    fn restore(&mut self) {
        let feed = StateDir::at(&self.config.state_dir)
            .last_feed()
            .map(|(bytes, modified)| FeedBody::new(Bytes::from(bytes), modified));
        if feed.is_some() {
            tracing::info!("serving the feed of the last run until this run's first cycle");
        }
        self.shared.publish(Served {
            feed,
            ..Served::default()
        });
        self.publish_health();
    }

    /// Reads the source if it changed, then runs a cycle.
    async fn poll_and_cycle(&mut self) {
        let read = self.read_source().await;
        match read {
            Ok(()) => {
                self.source_status.error = None;
                self.cycle().await;
            }
            Err(e) => {
                if self.shared.current().feed.is_some() {
                    tracing::warn!(error = %e, "reading the calendar failed; the last good feed keeps being served");
                } else {
                    tracing::warn!(error = %e, "reading the calendar failed; there is no feed until a first good read (retrying)");
                }
                self.source_status.error = Some(e.to_string());
                self.failed();
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
}

impl Daemon {
    /// The loop: a poll when due, a rules edit, a signal, the watchdog — until a stop.
    async fn until_stopped(
        &mut self,
        signals: &mut mpsc::Receiver<Signal>,
        rules_rx: &mut mpsc::Receiver<()>,
        actions: &mut mpsc::Receiver<crate::actions::ActionRequest>,
    ) {
        let watchdog = watchdog_interval();
        let mut watchdog_tick =
            tokio::time::interval(watchdog.unwrap_or(Duration::from_secs(3600)));

        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(self.next_poll) => {
                    self.poll_and_cycle().await;
                }
                Some(()) = rules_rx.recv() => {
                    // Editors write a file in several steps: let them finish.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    while rules_rx.try_recv().is_ok() {}
                    if self.reload_rules() {
                        self.rules_changed().await;
                    }
                }
                s = signals.recv() => match s {
                    Some(Signal::Reload) => {
                        notify_reloading();
                        tracing::info!("reload requested (SIGHUP)");
                        self.reload_rules();
                        self.reread = self.needs_reread();
                        self.poll_and_cycle().await;
                        notify(&[sd_notify::NotifyState::Ready]);
                    }
                    Some(Signal::Stop) | None => break,
                },
                Some(req) = actions.recv() => {
                    let outcome = self.act(&req).await;
                    let _ = req.reply.send(outcome);
                }
                _ = watchdog_tick.tick(), if watchdog.is_some() => {
                    notify(&[sd_notify::NotifyState::Watchdog]);
                }
            }
        }
    }
}

/// The configured token, or the one kept in the state directory, or a new one
/// (192 random bits, hex) written there with mode 0600.
fn feed_token(config: &Config, state: &StateDir) -> Result<String, StartError> {
    if let Some(t) = &config.feed_token {
        return Ok(t.clone());
    }
    let (token, new) = state.feed_token().map_err(|source| StartError::Token {
        path: state.token_path().display().to_string(),
        source,
    })?;
    if new {
        tracing::info!(file = %state.token_path().display(), "generated a new feed token");
    }
    Ok(token)
}

#[cfg(test)]
mod tests;
