//! One decision as `/api/decisions/ID` serves it.

use hyper::body::Bytes;
use serde::Serialize;

use crate::store::Store;

/// `/api/decisions/ID`: the stored decision with its history.
pub(super) fn decision_json(store: &Store, id: &str) -> Option<Bytes> {
    // An answered request leaves the pending list; its history and actions stay on record.
    let decision = store.decision(id).ok()?;
    let history = store.history(id).ok()?;
    let actions = store.actions(id).ok()?;
    if decision.is_none() && history.is_empty() && actions.is_empty() {
        return None;
    }
    #[derive(Serialize)]
    struct One {
        /// `null` once the request no longer waits for an answer.
        decision: Option<crate::store::StoredDecision>,
        history: Vec<crate::store::HistoryEntry>,
        /// Every answer sent (or tried) from the desk.
        actions: Vec<crate::store::actions::ActionRecord>,
    }
    serde_json::to_vec_pretty(&One {
        decision,
        history,
        actions,
    })
    .ok()
    .map(Bytes::from)
}
