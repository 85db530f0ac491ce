//! What a rules edit would change: the plans under the current and the new rules on one
//! calendar, and only what differs between them — each request whose verdict, delegate
//! or score changes (with the reasons added and removed), the 1:1 reservations that move,
//! appear or go, and the unplaced periods that appear or go. Pure, like the rest of the
//! core; `timeward simulate` and the desk's Rules page print it.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::calendar::Snapshot;
use crate::decide::{decide_prepared, rfc3339, Decision, Plan, Prepared, Reason, Reservation};
use crate::rules::Rules;

/// The plans under `current` and `new` on one calendar. When the two agree on the
/// executive, their zone, the horizon and the buffer (most edits), the calendar is
/// expanded and indexed once for both.
pub fn plans(
    snapshot: &Snapshot,
    current: &Rules,
    new: &Rules,
    previous: &[Reservation],
    now: DateTime<Utc>,
    threads: usize,
) -> (Plan, Plan) {
    let prepared = Prepared::new(snapshot, current, now, threads);
    let run = |rules: &Rules, prepared: &Prepared| {
        let (reservations, unplaced) = crate::slots::place(snapshot, rules, previous, now);
        let mut plan = decide_prepared(snapshot, rules, &reservations, prepared, threads);
        plan.unplaced = unplaced;
        plan
    };
    let before = run(current, &prepared);
    let after = if prepared.fits(new, now) {
        run(new, &prepared)
    } else {
        run(new, &Prepared::new(snapshot, new, now, threads))
    };
    (before, after)
}

/// One side of a changed suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Side {
    pub verdict: String,
    pub delegate_to: Option<String>,
    pub score: i64,
}

/// A reason as it reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonLine {
    pub points: i64,
    pub source: String,
    pub detail: String,
}

/// A request whose suggestion changes (or that only one side has pending, after an edit
/// of the executive or the horizon).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionChange {
    pub id: String,
    pub title: String,
    pub start: String,
    pub before: Option<Side>,
    pub after: Option<Side>,
    pub reasons_added: Vec<ReasonLine>,
    pub reasons_removed: Vec<ReasonLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub start: String,
    pub end: String,
}

/// A 1:1 reservation that moves (both sides), appears (`after` only) or goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservationChange {
    pub series: String,
    pub with: String,
    pub before: Option<Slot>,
    pub after: Option<Slot>,
}

/// An unplaced period that appears (`"appears"`) or goes (`"goes"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnplacedChange {
    pub series: String,
    pub with: String,
    pub period_start: String,
    pub reason: String,
    pub change: String,
}

/// Everything that differs between two plans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    pub now: String,
    /// Whether anything differs.
    pub changed: bool,
    pub decisions: Vec<DecisionChange>,
    pub reservations: Vec<ReservationChange>,
    pub unplaced: Vec<UnplacedChange>,
}

fn line(r: &Reason) -> ReasonLine {
    ReasonLine {
        points: r.points,
        source: r.source.to_string(),
        detail: r.detail.to_string(),
    }
}

fn side(d: &Decision) -> Side {
    Side {
        verdict: d.verdict.as_str().to_string(),
        delegate_to: d.delegate_to.clone(),
        score: d.score,
    }
}

/// What differs from `before` to `after` (plans on one calendar at one moment).
pub fn difference(before: &Plan, after: &Plan) -> Difference {
    let tz = after.timezone;
    let mut decisions = Vec::new();
    let old: std::collections::HashMap<&str, &Decision> = before
        .decisions
        .iter()
        .map(|d| (d.id.as_str(), d))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for a in &after.decisions {
        seen.insert(a.id.as_str());
        let b = old.get(a.id.as_str()).copied();
        let before_reasons = b.map_or(&[][..], |b| b.reasons.as_slice());
        if b.is_some_and(|b| side(b) == side(a)) {
            // Same suggestion, other words (a renamed goal): not a change of suggestion.
            continue;
        }
        decisions.push(DecisionChange {
            id: a.id.clone(),
            title: a.title.clone(),
            start: rfc3339(a.start, tz),
            before: b.map(side),
            after: Some(side(a)),
            reasons_added: a
                .reasons
                .iter()
                .filter(|r| !before_reasons.contains(r))
                .map(line)
                .collect(),
            reasons_removed: before_reasons
                .iter()
                .filter(|r| !a.reasons.contains(r))
                .map(line)
                .collect(),
        });
    }
    for b in before
        .decisions
        .iter()
        .filter(|b| !seen.contains(b.id.as_str()))
    {
        decisions.push(DecisionChange {
            id: b.id.clone(),
            title: b.title.clone(),
            start: rfc3339(b.start, tz),
            before: Some(side(b)),
            after: None,
            reasons_added: Vec::new(),
            reasons_removed: b.reasons.iter().map(line).collect(),
        });
    }
    let reservations = moved(&before.reservations, &after.reservations, tz);
    let mut unplaced = Vec::new();
    for (list, other, change) in [
        (&after.unplaced, &before.unplaced, "appears"),
        (&before.unplaced, &after.unplaced, "goes"),
    ] {
        for u in list.iter().filter(|u| {
            !other
                .iter()
                .any(|o| o.series == u.series && o.period_start == u.period_start)
        }) {
            unplaced.push(UnplacedChange {
                series: u.series.clone(),
                with: u.with.clone(),
                period_start: rfc3339(u.period_start, tz),
                reason: u.reason.clone(),
                change: change.to_string(),
            });
        }
    }
    Difference {
        now: rfc3339(after.now, tz),
        changed: !decisions.is_empty() || !reservations.is_empty() || !unplaced.is_empty(),
        decisions,
        reservations,
        unplaced,
    }
}

/// Reservations of each series that are only on one side, paired in order: a pair is a
/// move, the rest appear or go.
fn moved(before: &[Reservation], after: &[Reservation], tz: Tz) -> Vec<ReservationChange> {
    let slot = |r: &Reservation| Slot {
        start: rfc3339(r.start, tz),
        end: rfc3339(r.end, tz),
    };
    let mut series: Vec<(&str, &str)> = before
        .iter()
        .chain(after)
        .map(|r| (r.series.as_str(), r.with.as_str()))
        .collect();
    series.sort_unstable();
    series.dedup();
    let mut out = Vec::new();
    for (name, with) in series {
        let gone: Vec<&Reservation> = before
            .iter()
            .filter(|r| r.series == name && !after.contains(r))
            .collect();
        let new: Vec<&Reservation> = after
            .iter()
            .filter(|r| r.series == name && !before.contains(r))
            .collect();
        for i in 0..gone.len().max(new.len()) {
            out.push(ReservationChange {
                series: name.to_string(),
                with: with.to_string(),
                before: gone.get(i).map(|r| slot(r)),
                after: new.get(i).map(|r| slot(r)),
            });
        }
    }
    out
}

/// Local time for a person: "Tue 2026-12-08 14:00".
fn when(rfc: &str) -> String {
    DateTime::parse_from_rfc3339(rfc)
        .map(|t| t.format("%a %Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| rfc.to_string())
}

fn side_text(s: &Side) -> String {
    match &s.delegate_to {
        Some(to) => format!("{} → {to} (score {})", s.verdict, s.score),
        None => format!("{} (score {})", s.verdict, s.score),
    }
}

impl Difference {
    /// For a person: only what changes; "no suggestion changes" when nothing does.
    pub fn text(&self) -> String {
        let mut s = String::new();
        if !self.changed {
            s.push_str("no suggestion changes\n");
            return s;
        }
        if !self.decisions.is_empty() {
            let _ = writeln!(s, "{} suggestion(s) change:", self.decisions.len());
        }
        for d in &self.decisions {
            let _ = writeln!(s, "  {}  {:?} ({})", when(&d.start), d.title, d.id);
            let _ = match (&d.before, &d.after) {
                (Some(b), Some(a)) => writeln!(s, "    {} → {}", side_text(b), side_text(a)),
                (None, Some(a)) => writeln!(s, "    newly pending: {}", side_text(a)),
                (Some(b), None) => writeln!(s, "    no longer pending (was {})", side_text(b)),
                (None, None) => Ok(()),
            };
            for r in &d.reasons_removed {
                let _ = writeln!(s, "    - {:+} {}: {}", r.points, r.source, r.detail);
            }
            for r in &d.reasons_added {
                let _ = writeln!(s, "    + {:+} {}: {}", r.points, r.source, r.detail);
            }
        }
        if !self.reservations.is_empty() {
            s.push_str("1:1 reservations:\n");
        }
        for r in &self.reservations {
            let slot = |x: &Option<Slot>| {
                x.as_ref()
                    .map_or_else(|| "(none)".to_string(), |x| when(&x.start))
            };
            let _ = writeln!(
                s,
                "  {:?} with {}: {} → {}",
                r.series,
                r.with,
                slot(&r.before),
                slot(&r.after)
            );
        }
        if !self.unplaced.is_empty() {
            s.push_str("Periods without a 1:1:\n");
        }
        for u in &self.unplaced {
            let _ = writeln!(
                s,
                "  {} {:?} with {}, period of {}: {}",
                if u.change == "appears" { "+" } else { "-" },
                u.series,
                u.with,
                u.period_start.get(..10).unwrap_or(&u.period_start),
                u.reason
            );
        }
        s
    }

    /// The documented JSON (pretty-printed).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
