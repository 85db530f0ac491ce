//! The changes of verdict on record for the requests still pending, for the 1:1 agenda:
//! from each request's history, and this cycle's change against the stored decision.

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

impl Store {
    /// Every change of verdict (or delegate) of the plan's requests, oldest first, with the
    /// change this plan makes (at `now`) before it is recorded.
    pub fn verdict_changes(
        &self,
        plan: &Plan,
        now: DateTime<Utc>,
    ) -> Result<Vec<VerdictChange>, StoreError> {
        let mut out = Vec::new();
        for d in &plan.decisions {
            let mut last: Option<String> = None;
            for h in self.history(&d.id)? {
                let v = verdict(&h.verdict, h.delegate_to.as_deref());
                if let Some(prev) = last.as_ref().filter(|p| **p != v) {
                    out.push(VerdictChange {
                        id: d.id.clone(),
                        title: d.title.clone(),
                        from: prev.clone(),
                        to: v.clone(),
                        at: h.at,
                    });
                }
                last = Some(v);
            }
            let now_v = verdict(&d.verdict, d.delegate_to.as_deref());
            if let Some(prev) = last.filter(|p| *p != now_v) {
                out.push(VerdictChange {
                    id: d.id.clone(),
                    title: d.title.clone(),
                    from: prev,
                    to: now_v,
                    at: now,
                });
            }
        }
        out.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        Ok(out)
    }
}
