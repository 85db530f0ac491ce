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
mod memo;
pub mod plan;
mod request_text;
mod score;
mod verdict;

use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use context::{Context, DayLoad, Prepared};
pub use memo::Memo;
pub use plan::{
    previous_reservations, rfc3339, Decision, JsonMade, Plan, Reason, Reservation, Unplaced,
};

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
    let all: Vec<usize> = (0..ctx.requests.len()).collect();
    let mut decisions = score_all(&ctx, threads.max(1), &all);
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

/// [`decide_prepared`] carrying over from the last run (in `memo`) every decision whose
/// inputs did not change, and keeping this run there for the next. The plan is the one
/// [`decide_on`] gives (tested byte for byte); beside it, for each decision, a number that
/// is new when the decision was made in this run and the same as last run's when it was
/// carried over (what is built from a decision can be kept by it).
pub fn decide_reusing(
    snapshot: &Arc<Snapshot>,
    rules: &Rules,
    reservations: &[Reservation],
    prepared: &Prepared,
    threads: usize,
    memo: &mut Memo,
) -> (Plan, Vec<u64>) {
    let now = prepared.now();
    let ctx = Context::with(snapshot, rules, reservations, prepared);
    let carried = match memo.take() {
        Some((last, plan)) => memo::carry(last, plan, &ctx, snapshot),
        None => (0..ctx.requests.len())
            .map(|_| memo::Before::Unknown)
            .collect(),
    };
    let reused = carried
        .iter()
        .filter(|c| matches!(c, memo::Before::Holds(..)))
        .count();
    let missing: Vec<usize> = (0..carried.len())
        .filter(|&i| !matches!(carried[i], memo::Before::Holds(..)))
        .collect();
    let mut fresh = score_all(&ctx, threads.max(1), &missing).into_iter();
    let mut same_again = 0;
    // A request scored again whose decision came out the same keeps its number: what was
    // built from it (feed events, JSON, the store's record) still stands.
    let made: Vec<(Decision, u64)> = carried
        .into_iter()
        .map(|c| match c {
            memo::Before::Holds(d, n) => Some((d, n)),
            memo::Before::Was(old, n) => {
                let new = fresh.next()?;
                Some(if new == old {
                    same_again += 1;
                    (old, n)
                } else {
                    (new, memo::stamp())
                })
            }
            memo::Before::Unknown => Some((fresh.next()?, memo::stamp())),
        })
        .collect::<Option<_>>()
        .unwrap_or_default();
    // Sorted as `decide_on` sorts them; where each request's decision stands is kept, so
    // that the next run can take it from this plan once it is handed back.
    let mut order: Vec<usize> = (0..made.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&made[a].0, &made[b].0);
        (a.start, &a.id).cmp(&(b.start, &b.id))
    });
    let mut positions = vec![0; made.len()];
    for (at, &i) in order.iter().enumerate() {
        positions[i] = at;
    }
    let numbers: Vec<u64> = made.iter().map(|(_, n)| *n).collect();
    let mut made: Vec<Option<(Decision, u64)>> = made.into_iter().map(Some).collect();
    let (decisions, stamps): (Vec<Decision>, Vec<u64>) =
        order.iter().filter_map(|&i| made[i].take()).unzip();
    let mut held = reservations.to_vec();
    held.sort_by(|a, b| (a.start, &a.series).cmp(&(b.start, &b.series)));
    let mut warnings = snapshot.warnings.clone();
    warnings.extend(ctx.warnings.iter().cloned());
    let plan = Plan {
        now,
        timezone: rules.executive.timezone,
        decisions,
        reservations: held,
        unplaced: Vec::new(),
        warnings,
    };
    let goals = memo::goal_names(&ctx);
    let Context {
        busy,
        pending,
        requests,
        held,
        load,
        ..
    } = ctx;
    memo.keep(
        memo::Last {
            snapshot: Arc::clone(snapshot),
            rules: rules.clone(),
            now,
            goals,
            busy,
            pending,
            requests,
            reservations: reservations.to_vec(),
            held,
            load,
            numbers,
            positions,
        },
        reused,
        same_again,
    );
    (plan, stamps)
}

/// Scores every request. Requests are independent, so a large calendar is split into one
/// contiguous chunk per core; the chunks are joined in order, so the result is the same
/// as scoring them one by one.
fn score_all(ctx: &Context<'_>, cores: usize, which: &[usize]) -> Vec<Decision> {
    const PER_THREAD_AT_LEAST: usize = 128;
    let n = which.len();
    let threads = cores.min(n / PER_THREAD_AT_LEAST).max(1);
    let score_range = |from: usize, to: usize| -> Vec<Decision> {
        which[from..to]
            .iter()
            .map(|&i| score::decide_one(ctx, i, &ctx.requests[i]))
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
