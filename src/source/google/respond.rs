//! The executive's answer to an invitation, written the way Google's own clients do: the
//! executive's attendee entry patched (`responseStatus`, `comment`) with
//! `sendUpdates=all`, so the organiser is told. Google has no "delegated": a delegation is
//! a decline whose comment names the delegate, and the delegate is added as a guest when
//! the event lets guests invite others.

use google_calendar3::api::{Event, EventAttendee};

use super::client::{write, GoogleError, Write};
use super::sync::GoogleCalendar;
use super::TIMEOUT;
use crate::source::Respond;
use crate::store::actions::Answer;

/// Sends the answer; says what was done.
pub async fn respond(cal: &GoogleCalendar, r: &Respond<'_>) -> Result<String, GoogleError> {
    let event = cal
        .event(r.event_id)
        .filter(|e| e.status.as_deref() != Some("cancelled"))
        .ok_or_else(|| {
            GoogleError::Other(format!(
                "event {:?} is no longer in the calendar",
                r.event_id
            ))
        })?;
    let mut attendees = event.attendees.clone().unwrap_or_default();
    let me = attendees
        .iter()
        .position(|a| {
            a.self_ == Some(true)
                || a.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(r.executive))
        })
        .ok_or_else(|| {
            GoogleError::Other("the executive is not among the event's attendees".into())
        })?;
    let (status, comment) = match (r.answer, r.delegate_to) {
        (Answer::Delegated, Some(to)) => (
            "declined",
            Some(match r.note {
                Some(n) => format!("Delegated to {to}. {n}"),
                None => format!("Delegated to {to}."),
            }),
        ),
        (answer, _) => (answer.as_str(), r.note.map(str::to_string)),
    };
    attendees[me].response_status = Some(status.to_string());
    attendees[me].comment = comment;
    let mut said = format!("answered {status}; the organiser is told");
    if let (Answer::Delegated, Some(to)) = (r.answer, r.delegate_to) {
        let present = attendees.iter().any(|a| {
            a.email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(to))
        });
        if event.guests_can_invite_others == Some(false) {
            said.push_str(&format!(
                "; {to} could not be added: the event does not let guests invite others"
            ));
        } else if !present {
            attendees.push(EventAttendee {
                email: Some(to.to_string()),
                ..EventAttendee::default()
            });
            said.push_str(&format!("; {to} added as a guest"));
        }
    }
    let patch = Event {
        attendees: Some(attendees),
        ..Event::default()
    };
    write(
        cal.hub(),
        cal.calendar_id(),
        TIMEOUT,
        "all",
        Write::Patch(patch, r.event_id),
    )
    .await?;
    Ok(said)
}
