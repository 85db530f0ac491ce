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

/// Whether `label` is the label of `v` (delegated `to`), without making it.
fn is_label(label: &str, v: &crate::rules::Verdict, to: Option<&str>) -> bool {
    let Some(rest) = label.strip_prefix(v.as_str()) else {
        return false;
    };
    match to {
        None => rest.is_empty(),
        Some(t) => rest.strip_prefix(" → ") == Some(t),
    }
}

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
        let mut out = Vec::new();
        for d in &plan.decisions {
            // Looked up once; read from the history tree (and remembered) only the first
            // time.
            let mut read = None;
            let list = match memory.get(d.id.as_str()) {
                Some(list) => list,
                None => &*read.insert(
                    self.history(&d.id)?
                        .iter()
                        .map(|h| (h.at, verdict(&h.verdict, h.delegate_to.as_deref())))
                        .collect::<Vec<_>>(),
                ),
            };
            let mut last: Option<&String> = None;
            for (at, v) in list {
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
            let to = d.delegate_to.as_deref();
            if let Some(prev) = last.filter(|p| !is_label(p, &d.verdict, to)) {
                out.push(VerdictChange {
                    id: d.id.clone(),
                    title: d.title.clone(),
                    from: prev.clone(),
                    to: verdict(&d.verdict, to),
                    at: now,
                });
            }
            if let Some(list) = read {
                memory.insert(d.id.clone(), list);
            }
        }
        // Only the pending requests' are kept (their IDs are unique: the memory holds
        // others only when it holds more).
        if memory.len() > plan.decisions.len() {
            let pending: std::collections::HashSet<&str> =
                plan.decisions.iter().map(|d| d.id.as_str()).collect();
            memory.retain(|id, _| pending.contains(id.as_str()));
        }
        out.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::{is_label, verdict};
    use crate::rules::Verdict;

    /// A label is recognised exactly when it is the one `verdict` makes.
    #[test]
    fn a_label_is_known_without_making_it() {
        let verdicts = [Verdict::Accept, Verdict::Delegate, Verdict::Decline];
        let delegates = [None, Some("sam@example.com"), Some("Sam → Kim")];
        for v in &verdicts {
            for to in delegates {
                for w in &verdicts {
                    for other in delegates {
                        let label = verdict(w, other);
                        assert_eq!(
                            is_label(&label, v, to),
                            label == verdict(v, to),
                            "{label:?} against {v:?} {to:?}"
                        );
                    }
                }
            }
        }
        assert!(!is_label("accepted", &Verdict::Accept, None));
    }
}
