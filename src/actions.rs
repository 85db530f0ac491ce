//! A click on the desk on its way to the daemon, and what came of it: the desk (the
//! server) sends an [`ActionRequest`] over a channel; the daemon, which owns the source
//! and the store, answers with an [`ActionOutcome`].

use tokio::sync::oneshot;

use crate::store::actions::{ActionRecord, Answer};

/// What the assistant chose.
#[derive(Debug, Clone)]
pub enum Choice {
    /// Send what timeward suggests.
    Approve,
    /// Send this instead (`delegate_to` with `Delegated`).
    Answer {
        answer: Answer,
        delegate_to: Option<String>,
    },
}

/// One click on the desk.
#[derive(Debug)]
pub struct ActionRequest {
    pub id: String,
    /// The form's one-time key.
    pub key: String,
    pub choice: Choice,
    pub note: Option<String>,
    pub reply: oneshot::Sender<ActionOutcome>,
}

/// What came of it.
#[derive(Debug, Clone)]
pub enum ActionOutcome {
    /// Sent now, or found already sent (or failed) for this same form.
    Done {
        record: ActionRecord,
        repeated: bool,
    },
    /// `[actions] respond` is off: what would have been sent.
    Off { would_send: String },
    /// The source cannot send (an .ics source without a mail server): the messages for
    /// the assistant to send by hand. Nothing was sent.
    Handouts {
        what: String,
        handouts: Vec<crate::source::mail::Handout>,
    },
    /// Not done, and why.
    Refused(String),
}
