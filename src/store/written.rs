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
    /// By id: the decision as written, and the number it was made under (when the
    /// cycle that wrote it knew one: a decision with the same number is the same).
    pub(super) decisions: std::collections::HashMap<String, Remembered>,
    /// How many cycles compared with this memory (marks the decisions each decided).
    pub(super) cycles: u64,
    /// Shared with the cycle that recorded them (no copy of every UID).
    pub(super) versions: std::sync::Arc<Versions>,
    /// The 1:1s as last written.
    pub(super) reservations: Option<Vec<crate::decide::Reservation>>,
    /// Keys of either tree that did not decode (written by a damaged store): removed by
    /// the next cycle, as they would be if they had decoded.
    pub(super) stray_decisions: Vec<Vec<u8>>,
    pub(super) stray_versions: Vec<Vec<u8>>,
}

pub(super) struct Remembered {
    pub(super) decision: StoredDecision,
    pub(super) number: Option<u64>,
    /// The last cycle that decided it.
    pub(super) mark: u64,
}

/// A history entry to write: the index of the decision it is of, its key and value.
pub(super) type HistoryWrite = (usize, Vec<u8>, Vec<u8>);

pub(super) type Writes = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// The cycle's changes, the writes to the decisions tree (only the decisions that differ
/// from the last cycle's, and removals) and the history entries (with the index of the
/// decision each is of); `written` is brought up to this cycle's decisions in place (the
/// caller drops it if the writes fail).
pub(super) fn compare(
    written: &mut Written,
    plan: &Plan,
    made: &[u64],
    at: DateTime<Utc>,
) -> (CycleChanges, Writes, Vec<HistoryWrite>) {
    let mut changes = CycleChanges::default();
    let mut history = Vec::new();
    let mut writes: Writes = written
        .stray_decisions
        .iter()
        .map(|k| (k.clone(), None))
        .collect();
    let numbered = made.len() == plan.decisions.len();
    written.cycles += 1;
    let mark = written.cycles;
    // How many remembered decisions this cycle decided.
    let mut marked = 0;
    for (i, d) in plan.decisions.iter().enumerate() {
        let number = made.get(i).copied().filter(|_| numbered);
        if let Some(entry) = written.decisions.get_mut(&d.id) {
            if entry.mark != mark {
                entry.mark = mark;
                marked += 1;
            }
            if number.is_some() && entry.number == number {
                // Made under the same number: what is written is this decision.
                continue;
            }
            entry.number = number;
            let now = StoredDecision::from_decision(d);
            if entry.decision == now {
                continue;
            }
            let p = &entry.decision;
            if p.verdict != now.verdict || p.score != now.score || p.delegate_to != now.delegate_to
            {
                changes.changed += 1;
                history.push((i, history_key(&now.id, at), history_json(&now, at)));
            }
            writes.push((now.id.clone().into_bytes(), Some(json(&now))));
            entry.decision = now;
            continue;
        }
        changes.new += 1;
        let now = StoredDecision::from_decision(d);
        history.push((i, history_key(&now.id, at), history_json(&now, at)));
        writes.push((now.id.clone().into_bytes(), Some(json(&now))));
        marked += 1;
        written.decisions.insert(
            now.id.clone(),
            Remembered {
                decision: now,
                number,
                mark,
            },
        );
    }
    // What is left was not decided this time.
    if marked < written.decisions.len() {
        written.decisions.retain(|id, entry| {
            let keep = entry.mark == mark;
            if !keep {
                changes.gone += 1;
                writes.push((id.clone().into_bytes(), None));
            }
            keep
        });
    }
    written.stray_decisions.clear();
    (changes, writes, history)
}

fn history_json(d: &StoredDecision, at: DateTime<Utc>) -> Vec<u8> {
    json(&HistoryEntry {
        at,
        verdict: d.verdict.clone(),
        delegate_to: d.delegate_to.clone(),
        score: d.score,
        reasons: d.reasons.clone(),
    })
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
    // Most keys are the very text the last cycle's key is (shared): no byte compared.
    let same = crate::feed::same_uid;
    for (uid, v) in versions {
        while let Some((gone, _)) = old.next_if(|(o, _)| !same(o, uid) && *o < uid) {
            writes.push((gone.as_bytes().to_vec(), None));
        }
        let was = old.next_if(|(o, _)| same(o, uid)).map(|(_, w)| w);
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
