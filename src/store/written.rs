//! The store's memory of what the last cycle wrote, so that a cycle writes (and
//! serialises) only what changed.

use chrono::{DateTime, Utc};

use super::{history_key, json, CycleChanges, HistoryEntry, StoredDecision, StoredVersion};
use crate::decide::Plan;
use crate::feed::Versions;

/// What the last recorded cycle left in the decisions and feed trees, kept in memory so
/// that the next cycle compares with it instead of reading and re-serialising every key.
/// Loaded from the trees by the first cycle after opening; dropped when a write fails.
#[derive(Default)]
pub(super) struct Written {
    pub(super) decisions: std::collections::HashMap<String, StoredDecision>,
    /// Shared with the cycle that recorded them (no copy of every UID).
    pub(super) versions: std::sync::Arc<Versions>,
    /// The number each decision was made under (`decide::decide_reusing`), when the
    /// cycle that wrote it knew one: a decision with the same number is the same.
    pub(super) numbers: std::collections::HashMap<String, u64>,
    /// Keys of either tree that did not decode (written by a damaged store): removed by
    /// the next cycle, as they would be if they had decoded.
    pub(super) stray_decisions: Vec<Vec<u8>>,
    pub(super) stray_versions: Vec<Vec<u8>>,
}

pub(super) type Writes = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// The cycle's changes, the writes to the decisions tree (only the decisions that differ
/// from the last cycle's, and removals), the history entries (with the index of the
/// decision each is of), and the decisions as now written.
#[allow(clippy::type_complexity)]
pub(super) fn compare(
    written: &mut Written,
    plan: &Plan,
    made: &[u64],
    at: DateTime<Utc>,
) -> (
    CycleChanges,
    Writes,
    Vec<(usize, Vec<u8>, Vec<u8>)>,
    std::collections::HashMap<String, StoredDecision>,
) {
    let mut changes = CycleChanges::default();
    let mut history = Vec::new();
    let mut writes: Writes = written
        .stray_decisions
        .iter()
        .map(|k| (k.clone(), None))
        .collect();
    let mut now = std::collections::HashMap::with_capacity(plan.decisions.len());
    for (i, d) in plan.decisions.iter().enumerate() {
        let number = made.get(i);
        if number.is_some() && written.numbers.get(&d.id) == number {
            // Made under the same number: what is written is this decision.
            if let Some(p) = written.decisions.remove(&d.id) {
                now.insert(d.id.clone(), p);
                continue;
            }
        }
        let d = StoredDecision::from_decision(d);
        let differs = match written.decisions.remove(&d.id) {
            Some(p) if p == d => {
                now.insert(d.id.clone(), d);
                continue;
            }
            None => {
                changes.new += 1;
                true
            }
            Some(p) => {
                let changed =
                    p.verdict != d.verdict || p.score != d.score || p.delegate_to != d.delegate_to;
                if changed {
                    changes.changed += 1;
                }
                changed
            }
        };
        if differs {
            history.push((
                i,
                history_key(&d.id, at),
                json(&HistoryEntry {
                    at,
                    verdict: d.verdict.clone(),
                    delegate_to: d.delegate_to.clone(),
                    score: d.score,
                    reasons: d.reasons.clone(),
                }),
            ));
        }
        writes.push((d.id.clone().into_bytes(), Some(json(&d))));
        now.insert(d.id.clone(), d);
    }
    // What is left was not decided this time.
    for id in written.decisions.keys() {
        changes.gone += 1;
        writes.push((id.clone().into_bytes(), None));
    }
    (changes, writes, history, now)
}

/// The writes that make the feed tree hold `versions`.
pub(super) fn version_writes(written: &Written, versions: &Versions) -> Writes {
    let mut writes: Writes = written
        .stray_versions
        .iter()
        .map(|k| (k.clone(), None))
        .collect();
    // Both are sorted by UID: walked side by side.
    let mut old = written.versions.iter().peekable();
    for (uid, v) in versions {
        while let Some((gone, _)) = old.next_if(|(o, _)| *o < uid) {
            writes.push((gone.as_bytes().to_vec(), None));
        }
        let was = old.next_if(|(o, _)| *o == uid).map(|(_, w)| w);
        if was != Some(v) {
            let stored = StoredVersion {
                sequence: v.sequence,
                changed: v.changed,
                digest: v.digest,
            };
            writes.push((uid.as_bytes().to_vec(), Some(json(&stored))));
        }
    }
    writes.extend(old.map(|(gone, _)| (gone.as_bytes().to_vec(), None)));
    writes
}
