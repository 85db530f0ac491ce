//! The pure core of timeward: the calendar model and its iCalendar reader, the rules, the
//! decisions, the 1:1 placement and the feed's rendering. It takes values and returns
//! values: no I/O, no clock, no environment, no threads it was not told to use — `now` and
//! the thread count are arguments. Its dependencies (no tokio, hyper, sled, notify or
//! Google crate) are what keeps it so; `tests/tidy.rs` checks what the compiler cannot
//! (the clock, the file system, the environment, the machine's core count).

pub mod brief;
pub mod calendar;
pub mod decide;
pub mod demo;
pub mod feed;
mod order;
mod par;
pub mod rules;
pub mod slots;
pub mod whatif;

use chrono::{DateTime, Utc};

/// FNV-1a, 64 bits: fixed across runs, machines and Rust versions (unlike
/// `DefaultHasher`), for everything that must not change between runs — made-up UIDs,
/// feed UIDs and digests, ETags, word hashes, Google ids.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    Fnv::default().bytes(bytes).0
}

/// [`fnv1a`] of text written piece by piece (`write!` into it): the hash of the pieces
/// joined, without joining them.
pub(crate) struct Fnv(pub(crate) u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn bytes(mut self, bytes: &[u8]) -> Self {
        self.0 = bytes.iter().fold(self.0, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        self
    }
}

impl std::fmt::Write for Fnv {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        *self = Fnv(self.0).bytes(s.as_bytes());
        Ok(())
    }
}

/// One whole run of the core on up to `threads` threads: place the 1:1 reservations
/// (keeping the previous run's where they are still free), then decide every pending
/// request against the calendar and those reservations. The result does not depend on
/// `threads`.
pub fn suggest(
    snapshot: &calendar::Snapshot,
    rules: &rules::Rules,
    previous: &[decide::Reservation],
    now: DateTime<Utc>,
    threads: usize,
) -> decide::Plan {
    let ((reservations, unplaced), prepared) =
        place_and_prepare(snapshot, rules, previous, now, threads, None);
    let mut plan = decide::decide_prepared(snapshot, rules, &reservations, &prepared, threads);
    plan.unplaced = unplaced;
    plan
}

/// Places the 1:1s and prepares the calendar for deciding ([`decide::Prepared`]): the
/// two do not depend on each other, so with two threads or more they run side by side.
fn place_and_prepare(
    snapshot: &calendar::Snapshot,
    rules: &rules::Rules,
    previous: &[decide::Reservation],
    now: DateTime<Utc>,
    threads: usize,
    memo: Option<&mut decide::Memo>,
) -> (
    (Vec<decide::Reservation>, Vec<decide::Unplaced>),
    decide::Prepared,
) {
    let (placing_rules, deciding_rules) = match memo {
        Some(m) => (Some(&mut m.rules_placing), Some(&mut m.rules_deciding)),
        None => (None, None),
    };
    if threads < 2 {
        let placed = slots::place_kept(snapshot, rules, previous, now, placing_rules);
        let prepared = decide::Prepared::new_kept(snapshot, rules, now, 1, deciding_rules);
        return (placed, prepared);
    }
    std::thread::scope(|scope| {
        let placing =
            scope.spawn(|| slots::place_kept(snapshot, rules, previous, now, placing_rules));
        let prepared =
            decide::Prepared::new_kept(snapshot, rules, now, threads - 1, deciding_rules);
        // A panic in placing is a bug; surface it as the same panic.
        let placed = placing
            .join()
            .unwrap_or_else(|payload| std::panic::resume_unwind(payload));
        (placed, prepared)
    })
}

/// [`suggest`] carrying over from the last run (kept in `memo`) every decision whose
/// inputs did not change (see [`decide::decide_reusing`]): the same plan, and beside it
/// each decision's number (new when it was made in this run).
pub fn suggest_reusing(
    snapshot: &std::sync::Arc<calendar::Snapshot>,
    rules: &rules::Rules,
    previous: &[decide::Reservation],
    now: DateTime<Utc>,
    threads: usize,
    memo: &mut decide::Memo,
) -> (decide::Plan, Vec<u64>) {
    let ((reservations, unplaced), prepared) =
        place_and_prepare(snapshot, rules, previous, now, threads, Some(memo));
    let (mut plan, made) =
        decide::decide_reusing(snapshot, rules, &reservations, &prepared, threads, memo);
    plan.unplaced = unplaced;
    (plan, made)
}
