//! The changes of verdict on record for the requests still pending, for the 1:1 agenda:
//! from each request's history, and this cycle's change against the stored decision.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{Store, StoreError};
use crate::brief::VerdictChange;
use crate::decide::Plan;

fn verdict(v: &crate::rules::Verdict, to: Option<&str>) -> String {
    match to {
        Some(t) => format!("{} → {t}", v.as_str()),
        None => v.as_str().to_string(),
    }
}

/// Each request's verdicts on record (when, and the verdict as the agenda says it), as
/// far as the agendas have read them: the history tree is only ever written by recording
/// a cycle, which tells this memory too, so each request's history is read once.
pub(super) type Verdicts = HashMap<String, Vec<(DateTime<Utc>, String)>>;

/// The label of a verdict as the agenda says it.
pub(super) fn label(v: &crate::rules::Verdict, to: Option<&str>) -> String {
    verdict(v, to)
}

/// Puts `(at, label)` in its place in a request's verdicts (a later cycle at the same
/// instant overwrites the entry, as it does in the tree).
pub(super) fn upsert(list: &mut Vec<(DateTime<Utc>, String)>, at: DateTime<Utc>, label: String) {
    match list.binary_search_by(|(t, _)| t.cmp(&at)) {
        Ok(i) => list[i].1 = label,
        Err(i) => list.insert(i, (at, label)),
    }
}

impl Store {
    /// Every change of verdict (or delegate) of the plan's requests, oldest first, with the
    /// change this plan makes (at `now`) before it is recorded.
    pub fn verdict_changes(
        &self,
        plan: &Plan,
        now: DateTime<Utc>,
    ) -> Result<Vec<VerdictChange>, StoreError> {
        let mut memory = self
            .verdicts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut known = std::mem::take(&mut *memory);
        let mut kept = Verdicts::with_capacity(plan.decisions.len());
        let mut out = Vec::new();
        for d in &plan.decisions {
            let list = match known.remove_entry(&d.id) {
                Some(entry) => entry,
                None => {
                    let list = self
                        .history(&d.id)?
                        .iter()
                        .map(|h| (h.at, verdict(&h.verdict, h.delegate_to.as_deref())))
                        .collect();
                    (d.id.clone(), list)
                }
            };
            let mut last: Option<&String> = None;
            for (at, v) in &list.1 {
                if let Some(prev) = last.filter(|p| *p != v) {
                    out.push(VerdictChange {
                        id: d.id.clone(),
                        title: d.title.clone(),
                        from: prev.clone(),
                        to: v.clone(),
                        at: *at,
                    });
                }
                last = Some(v);
            }
            let now_v = verdict(&d.verdict, d.delegate_to.as_deref());
            if let Some(prev) = last.filter(|p| **p != now_v) {
                out.push(VerdictChange {
                    id: d.id.clone(),
                    title: d.title.clone(),
                    from: prev.clone(),
                    to: now_v,
                    at: now,
                });
            }
            kept.insert(list.0, list.1);
        }
        // Only the pending requests' are kept.
        *memory = kept;
        out.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        Ok(out)
    }
}
