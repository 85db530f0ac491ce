//! The decision procedure: a score built from reasons, then a verdict.
//!
//! Pure core: `decide(&Snapshot, &Rules, &[Reservation], now) -> Plan` reads no clock, file
//! or network, and gives the same bytes for the same inputs. Every point in a score comes
//! with one reason; the first reason is always the base.

#[macro_use]
mod text;
mod context;
mod describe;
mod facts;
mod local;
pub mod plan;
mod request_text;
mod score;
mod verdict;

use chrono::{DateTime, Utc};

pub use context::{Context, DayLoad, Prepared};
pub use plan::{previous_reservations, rfc3339, Decision, Plan, Reason, Reservation, Unplaced};

use crate::calendar::Snapshot;
use crate::rules::Rules;

/// Decides every pending request in `snapshot` (the executive's answer is still
/// needed and an occurrence overlaps `[now, now + horizon)`), on one thread.
pub fn decide(
    snapshot: &Snapshot,
    rules: &Rules,
    reservations: &[Reservation],
    now: DateTime<Utc>,
) -> Plan {
    decide_on(snapshot, rules, reservations, now, 1)
}

/// [`decide`] on up to `threads` threads (the shell passes the machine's core count): a
/// large calendar's expansion and scoring are split into chunks that are joined in order,
/// so the result never depends on `threads` (unit-tested with several counts).
pub fn decide_on(
    snapshot: &Snapshot,
    rules: &Rules,
    reservations: &[Reservation],
    now: DateTime<Utc>,
    threads: usize,
) -> Plan {
    let prepared = Prepared::new(snapshot, rules, now, threads);
    decide_prepared(snapshot, rules, reservations, &prepared, threads)
}

/// [`decide_on`] on a calendar already [`Prepared`] for these rules (a what-if shares one
/// preparation between two sets of rules).
pub fn decide_prepared(
    snapshot: &Snapshot,
    rules: &Rules,
    reservations: &[Reservation],
    prepared: &Prepared,
    threads: usize,
) -> Plan {
    let now = prepared.now();
    let ctx = Context::with(snapshot, rules, reservations, prepared);
    let mut decisions = score_all(&ctx, threads.max(1));
    decisions.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
    let mut reservations = reservations.to_vec();
    reservations.sort_by(|a, b| (a.start, &a.series).cmp(&(b.start, &b.series)));
    let mut warnings = snapshot.warnings.clone();
    warnings.extend(ctx.warnings.iter().cloned());
    Plan {
        now,
        timezone: rules.executive.timezone,
        decisions,
        reservations,
        unplaced: Vec::new(),
        warnings,
    }
}

/// Scores every request. Requests are independent, so a large calendar is split into one
/// contiguous chunk per core; the chunks are joined in order, so the result is the same
/// as scoring them one by one.
fn score_all(ctx: &Context<'_>, cores: usize) -> Vec<Decision> {
    const PER_THREAD_AT_LEAST: usize = 128;
    let n = ctx.requests.len();
    let threads = cores.min(n / PER_THREAD_AT_LEAST).max(1);
    let score_range = |from: usize, to: usize| -> Vec<Decision> {
        (from..to)
            .map(|i| score::decide_one(ctx, i, &ctx.requests[i]))
            .collect()
    };
    if threads == 1 {
        return score_range(0, n);
    }
    let chunk = n.div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads)
            .map(|t| {
                let (from, to) = ((t * chunk).min(n), ((t + 1) * chunk).min(n));
                scope.spawn(move || score_range(from, to))
            })
            .collect();
        let mut all = score_range(0, chunk.min(n));
        for h in handles {
            match h.join() {
                Ok(part) => all.extend(part),
                // A panic in scoring is a bug; surface it as the same panic.
                Err(payload) => std::panic::resume_unwind(payload),
            }
        }
        all
    })
}

#[cfg(test)]
mod tests;
