//! Acting on a suggestion: the desk asks, the daemon (which owns the source and the store)
//! answers the invitation — only when `[actions] respond` is on, once per form, never two
//! different answers to one request — and keeps the record.
//!
//! Exactly once: the record is written and flushed ("sending") before the source is
//! called, and settled ("sent" or "failed") after. The same form sent twice (a double
//! click, a retried POST) finds its record and sends nothing. A record a crash left at
//! "sending" is settled at the next start from what the calendar then says: answered
//! (sent), or not (failed: nothing was sent twice; the assistant may send again).

use super::Daemon;
use crate::actions::{ActionOutcome, ActionRequest, Choice};
use crate::calendar::{Kind, PartStat};
use crate::rules::Verdict;
use crate::source::Respond;
use crate::store::actions::{ActionRecord, ActionState, Answer};
use crate::store::StoredDecision;

fn suggested(d: &StoredDecision) -> String {
    match &d.delegate_to {
        Some(to) => format!("{} → {to}", d.verdict.as_str()),
        None => d.verdict.as_str().to_string(),
    }
}

/// What to send for a choice, or why there is nothing to send.
fn resolve(
    d: &StoredDecision,
    choice: &Choice,
    assistant: Option<&str>,
) -> Result<(Answer, Option<String>), String> {
    match choice {
        Choice::Approve => match (&d.verdict, d.delegate_to.as_deref()) {
            (Verdict::Accept, _) => Ok((Answer::Accepted, None)),
            (Verdict::Decline, _) => Ok((Answer::Declined, None)),
            (Verdict::Delegate, Some(to)) if Some(to) != assistant => {
                Ok((Answer::Delegated, Some(to.to_string())))
            }
            (Verdict::Delegate, _) => {
                Err("timeward leaves this one to the assistant: choose an answer below".into())
            }
        },
        Choice::Answer {
            answer: Answer::Delegated,
            delegate_to,
        } => match delegate_to
            .as_deref()
            .map(str::trim)
            .filter(|t| t.contains('@'))
        {
            Some(to) => Ok((Answer::Delegated, Some(to.to_lowercase()))),
            None => Err("to delegate, give the delegate's address".into()),
        },
        Choice::Answer { answer, .. } => Ok((*answer, None)),
    }
}

fn describe(answer: Answer, to: Option<&str>, note: Option<&str>) -> String {
    let mut s = match (answer, to) {
        (Answer::Delegated, Some(to)) => format!("decline, delegated to {to}"),
        (a, _) => a.as_str().to_string(),
    };
    if let Some(n) = note {
        s.push_str(&format!(", with the note {n:?}"));
    }
    s
}

impl Daemon {
    /// Handles one click from the desk.
    pub(super) async fn act(&mut self, req: &ActionRequest) -> ActionOutcome {
        if let Ok(Some(record)) = self.store.action(&req.id, &req.key) {
            return ActionOutcome::Done {
                record,
                repeated: true,
            };
        }
        let Some(d) = self.store.decision(&req.id).ok().flatten() else {
            return ActionOutcome::Refused(
                "this request is no longer waiting (answered, cancelled or past)".into(),
            );
        };
        let earlier = self.store.actions(&req.id).unwrap_or_default();
        if let Some(e) = earlier.iter().find(|e| e.state != ActionState::Failed) {
            return ActionOutcome::Refused(format!(
                "already answered from the desk at {}: {} ({})",
                e.at.to_rfc3339(),
                describe(e.answer, e.delegate_to.as_deref(), e.note.as_deref()),
                e.result
            ));
        }
        let assistant = self
            .rules
            .as_ref()
            .and_then(|r| r.executive.assistant.clone());
        let (answer, delegate_to) = match resolve(&d, &req.choice, assistant.as_deref()) {
            Ok(a) => a,
            Err(why) => return ActionOutcome::Refused(why),
        };
        let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        let Some(executive) = self.rules.as_ref().map(|r| r.executive.email.clone()) else {
            return ActionOutcome::Refused("no rules are in force".into());
        };
        let now = (self.clock)();
        let respond = Respond {
            event_id: &req.id,
            executive: &executive,
            answer,
            delegate_to: delegate_to.as_deref(),
            note,
            now,
        };
        // A source that cannot send hands the messages over (nothing is sent, so this
        // needs no write permission).
        if let Some(handed) = self.source.handouts(&respond).await {
            return match handed {
                Ok(handouts) => ActionOutcome::Handouts {
                    what: describe(answer, delegate_to.as_deref(), note),
                    handouts,
                },
                Err(e) => ActionOutcome::Refused(e.to_string()),
            };
        }
        if !self.config.respond {
            return ActionOutcome::Off {
                would_send: describe(answer, delegate_to.as_deref(), note),
            };
        }
        let mut record = ActionRecord {
            id: req.id.clone(),
            key: req.key.clone(),
            at: now,
            suggested: suggested(&d),
            answer,
            delegate_to: delegate_to.clone(),
            note: note.map(str::to_string),
            state: ActionState::Sending,
            result: "sending".into(),
        };
        if let Err(e) = self.store.record_action(&record) {
            return ActionOutcome::Refused(format!(
                "nothing was sent: the record could not be written ({e})"
            ));
        }
        let sent = self.source.respond(&respond).await;
        // Fault injection for the exactly-once test (debug builds only): die as a kill -9
        // would, after the send and before its record.
        #[cfg(debug_assertions)]
        if sent.is_ok() && std::env::var_os("TW_TEST_EXIT_AFTER_SEND").is_some() {
            std::process::exit(137);
        }
        (record.state, record.result) = match sent {
            Ok(said) => (ActionState::Sent, said),
            Err(e) => (ActionState::Failed, format!("not sent: {e}")),
        };
        if let Err(e) = self.store.record_action(&record) {
            tracing::error!(error = %e, "an answer's result could not be recorded; it is settled at the next start");
        }
        tracing::info!(state = ?record.state, "an answer from the desk");
        if record.state == ActionState::Sent {
            // The next poll sees the request answered.
            self.next_poll = tokio::time::Instant::now();
        }
        ActionOutcome::Done {
            record,
            repeated: false,
        }
    }

    /// Settles the records a crash left at "sending", from what the calendar now says.
    pub(super) fn settle_actions(&mut self) {
        let (Some(snapshot), Some(rules)) = (self.snapshot.clone(), self.rules.clone()) else {
            return;
        };
        let exec = rules.executive.email.as_str();
        let shows = self.source.answers_show();
        for mut r in self.store.unsettled_actions().unwrap_or_default() {
            if !shows {
                // Mailed answers leave no trace in the calendar read here: whether the mail
                // server took it cannot be known, so nothing is sent again from the desk.
                (r.state, r.result) = (
                    ActionState::Sent,
                    "probably sent: timeward stopped while handing it to the mail server;                      check the mail server's log (or ask the organiser) before answering again by hand"
                        .into(),
                );
                let _ = self.store.record_action(&r);
                continue;
            }
            let event = snapshot
                .events
                .iter()
                .find(|e| e.uid == r.id && e.recurrence_id.is_none());
            let answered = event.is_none_or(|e| {
                e.kind(exec) != Kind::Request
                    || e.attendee(exec)
                        .is_some_and(|a| a.partstat != PartStat::NeedsAction)
            });
            (r.state, r.result) = if answered {
                (
                    ActionState::Sent,
                    "sent (confirmed by the calendar after a restart)".into(),
                )
            } else {
                (
                    ActionState::Failed,
                    "not sent: timeward stopped while sending and the calendar shows no answer; nothing was sent twice, send again if need be".into(),
                )
            };
            let _ = self.store.record_action(&r);
        }
    }
}
