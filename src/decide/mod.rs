//! The decision procedure of SPEC §3: a score built from reasons, then a verdict.
//!
//! Pure core: `decide(&Snapshot, &Rules, &[Reservation], now) -> Plan` reads no clock, file
//! or network, and gives the same bytes for the same inputs. Every point in a score comes
//! with one reason; the first reason is always the base.

mod context;
pub mod plan;
mod score;

use chrono::{DateTime, Utc};

pub use context::{Context, DayLoad};
pub use plan::{rfc3339, Decision, Plan, Reason, Reservation, Unplaced};

use crate::calendar::Snapshot;
use crate::rules::Rules;

/// Decides every pending request in `snapshot` (SPEC §1: the executive's answer is still
/// needed and an occurrence overlaps `[now, now + horizon)`).
pub fn decide(
    snapshot: &Snapshot,
    rules: &Rules,
    reservations: &[Reservation],
    now: DateTime<Utc>,
) -> Plan {
    let ctx = Context::build(snapshot, rules, reservations, now);
    let mut decisions: Vec<Decision> = ctx
        .requests
        .iter()
        .enumerate()
        .map(|(i, r)| score::decide_one(&ctx, i, r))
        .collect();
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

#[cfg(test)]
mod tests;
