//! timeward guards an executive's time: it reads the calendar, scores every meeting request
//! that awaits an answer against the executive's goals and rules, and suggests accept,
//! delegate or decline, with its reasons.
//!
//! This crate is the shell: files, URLs, Google, the store, the daemon, the HTTP server and
//! the command line. The pure core (`calendar`, `rules`, `decide`, `slots`, `demo`, the
//! feed's rendering) is the `timeward-core` crate, re-exported here under the same names.

pub mod actions;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod feed;
pub mod panic;
pub mod rules_file;
pub mod server;
pub mod source;
pub mod state_dir;
pub mod store;

pub use timeward_core::{brief, calendar, decide, demo, fnv1a, rules, slots, whatif};

use chrono::{DateTime, Utc};

/// How many threads a large calendar's expansion and scoring may use: the machine's cores
/// (and the process's CPU quota), as found at the first call — finding them reads the
/// cgroup files, 0.1-0.2 ms that a daemon's poll need not spend again. The core's results
/// never depend on it.
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES
        .get_or_init(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get))
}

/// One whole run of the core on every core of the machine (see `timeward_core::suggest`).
pub fn suggest(
    snapshot: &calendar::Snapshot,
    rules: &rules::Rules,
    previous: &[decide::Reservation],
    now: DateTime<Utc>,
) -> decide::Plan {
    timeward_core::suggest(snapshot, rules, previous, now, cores())
}

/// [`suggest`] carrying over what it can from the last run (see
/// `timeward_core::suggest_reusing`).
pub fn suggest_reusing(
    snapshot: &std::sync::Arc<calendar::Snapshot>,
    rules: &rules::Rules,
    previous: &[decide::Reservation],
    now: DateTime<Utc>,
    memo: &mut decide::Memo,
) -> (decide::Plan, Vec<u64>) {
    timeward_core::suggest_reusing(snapshot, rules, previous, now, cores(), memo)
}
