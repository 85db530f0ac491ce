//! The record of what was done on the executive's behalf (tree `actions`): every answer
//! the desk sent or tried to send — when, what was suggested, what was sent, the note,
//! the result. Keyed by request id and the form's one-time key, so a double click or a
//! retried POST finds the record it already made instead of sending again.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError};

/// An answer to an invitation, as the executive's attendee entry says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    Accepted,
    Tentative,
    Declined,
    Delegated,
}

impl Answer {
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Accepted => "accepted",
            Answer::Tentative => "tentative",
            Answer::Declined => "declined",
            Answer::Delegated => "delegated",
        }
    }
}

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionState {
    /// Recorded before sending; a record left here by a crash is settled at the next start.
    Sending,
    Sent,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRecord {
    pub id: String,
    pub key: String,
    pub at: DateTime<Utc>,
    /// What timeward suggested when the assistant acted ("accept", "delegate → …").
    pub suggested: String,
    pub answer: Answer,
    pub delegate_to: Option<String>,
    pub note: Option<String>,
    pub state: ActionState,
    /// What happened, said for a person.
    pub result: String,
}

fn key(id: &str, key: &str) -> Vec<u8> {
    let mut k = id.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(key.as_bytes());
    k
}

impl Store {
    /// Writes (or replaces) a record and flushes, so it is on disk before anything is sent.
    pub fn record_action(&self, r: &ActionRecord) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(r).unwrap_or_default();
        self.actions.insert(key(&r.id, &r.key), bytes)?;
        self.db.flush()?;
        Ok(())
    }

    pub fn action(&self, id: &str, k: &str) -> Result<Option<ActionRecord>, StoreError> {
        Ok(self
            .actions
            .get(key(id, k))?
            .and_then(|v| serde_json::from_slice(&v).ok()))
    }

    /// Every action on one request, oldest first.
    pub fn actions(&self, id: &str) -> Result<Vec<ActionRecord>, StoreError> {
        let mut prefix = id.as_bytes().to_vec();
        prefix.push(0);
        let mut out: Vec<ActionRecord> = Vec::new();
        for item in self.actions.scan_prefix(prefix) {
            let (_, v) = item?;
            if let Ok(r) = serde_json::from_slice(&v) {
                out.push(r);
            }
        }
        out.sort_by_key(|r| r.at);
        Ok(out)
    }

    /// The requests with an answer sent from the desk (one pass over the records).
    pub fn answered_ids(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let mut out = std::collections::HashSet::new();
        for item in self.actions.iter() {
            let (_, v) = item?;
            if let Ok(r) = serde_json::from_slice::<ActionRecord>(&v) {
                if r.state == ActionState::Sent {
                    out.insert(r.id);
                }
            }
        }
        Ok(out)
    }

    /// Actions a crash left between "recorded" and "sent".
    pub fn unsettled_actions(&self) -> Result<Vec<ActionRecord>, StoreError> {
        let mut out = Vec::new();
        for item in self.actions.iter() {
            let (_, v) = item?;
            if let Ok(r) = serde_json::from_slice::<ActionRecord>(&v) {
                if r.state == ActionState::Sending {
                    out.push(r);
                }
            }
        }
        Ok(out)
    }
}
