//! timeward guards an executive's time: it reads the calendar, scores every meeting request
//! that awaits an answer against the executive's goals and rules, and suggests accept,
//! delegate or decline, with its reasons.
//!
//! The pure core (`calendar`, `rules`, `decide`, `slots`) takes values and returns values:
//! no I/O, no clock. The shell (`source`, `cli`) reads files and talks to people.

pub mod calendar;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod decide;
pub mod demo;
pub mod feed;
pub mod panic;
pub mod rules;
pub mod slots;
pub mod source;
pub mod store;

use chrono::{DateTime, Utc};

/// FNV-1a, 64 bits: fixed across runs, machines and Rust versions (unlike
/// `DefaultHasher`), for everything that must not change between runs — made-up UIDs,
/// feed UIDs and digests, ETags, word hashes, Google ids.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// One whole run of the core: place the 1:1 reservations (keeping the previous run's where
/// they are still free), then decide every pending request against the calendar and
/// those reservations.
pub fn suggest(
    snapshot: &calendar::Snapshot,
    rules: &rules::Rules,
    previous: &[decide::Reservation],
    now: DateTime<Utc>,
) -> decide::Plan {
    let (reservations, unplaced) = slots::place(snapshot, rules, previous, now);
    let mut plan = decide::decide(snapshot, rules, &reservations, now);
    plan.unplaced = unplaced;
    plan
}
