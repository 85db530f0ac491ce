//! `publish_calendar`: the suggestions feed mirrored into a secondary Google calendar
//! that the assistant is shared on. Google Calendar refreshes a subscribed URL only every
//! several hours; a calendar of its own shows suggestions at once. Part of the shell.
//!
//! Each feed event becomes an event with an id derived from its feed UID and a private
//! tag with the digest of what it says, so only changed suggestions are written, a
//! restart writes nothing new (the tagged events are listed first), and an insert that
//! meets its own event (409) patches it. Events no longer in the feed are deleted. Only
//! the named secondary calendar is ever written; nobody is invited.

use std::time::Duration;

use chrono::{DateTime, Utc};
use google_calendar3::api::{Event, EventDateTime, EventExtendedProperties};

use super::client::{base32hex, GoogleError, Hub};
use super::writer::{Mirror, SendUpdates, Writes};
use crate::feed::{FeedEvent, Versions};

const TAG: (&str, &str) = ("timeward", "suggestion");
const DIGEST: &str = "timeward_digest";

/// base32hex (0-9, a-v) of two hashes of the feed UID, 26 characters: an id Google
/// accepts.
pub fn event_id(uid: &str) -> String {
    let b32 = base32hex;
    let salted = format!("{uid}\0published");
    format!(
        "{}{}",
        b32(crate::fnv1a(uid.as_bytes())),
        b32(crate::fnv1a(salted.as_bytes()))
    )
}

fn when(t: DateTime<Utc>) -> EventDateTime {
    EventDateTime {
        date_time: Some(t),
        ..EventDateTime::default()
    }
}

fn event_for(e: &FeedEvent, digest: &str) -> Event {
    Event {
        id: Some(event_id(&e.uid)),
        summary: Some(e.summary.to_string()),
        description: Some(e.description.to_string()),
        start: Some(when(e.start)),
        end: Some(when(e.end)),
        transparency: Some("transparent".into()),
        status: Some("tentative".into()),
        extended_properties: Some(EventExtendedProperties {
            private: Some(
                [
                    (TAG.0.to_string(), TAG.1.to_string()),
                    (DIGEST.to_string(), digest.to_string()),
                ]
                .into(),
            ),
            shared: None,
        }),
        ..Event::default()
    }
}

/// The mirrored events in the secondary calendar: id → digest.
pub struct Published(Mirror<String>);

/// Nobody is invited to a published suggestion: `sendUpdates=none`.
const SEND_UPDATES: SendUpdates = SendUpdates::Nobody;

impl Published {
    /// Lists what an earlier run published.
    pub async fn reconcile(
        hub: &Hub,
        calendar_id: &str,
        timeout: Duration,
    ) -> Result<Published, GoogleError> {
        let tag = format!("{}={}", TAG.0, TAG.1);
        let mirror = Mirror::reconcile(
            hub,
            calendar_id,
            timeout,
            SEND_UPDATES,
            |c| c.add_private_extended_property(&tag),
            |e| {
                let digest = e
                    .extended_properties
                    .as_ref()
                    .and_then(|x| x.private.as_ref())
                    .and_then(|p| p.get(DIGEST))
                    .cloned()
                    .unwrap_or_default();
                Some((e.id?, digest))
            },
        )
        .await?;
        Ok(Published(mirror))
    }

    /// Makes the secondary calendar what the feed says.
    pub async fn apply(
        &mut self,
        hub: &Hub,
        events: &[FeedEvent],
        versions: &Versions,
    ) -> Result<Writes, GoogleError> {
        let desired = events
            .iter()
            .map(|e| {
                let digest = versions
                    .get(&e.uid)
                    .map(|v| format!("{:016x}", v.digest))
                    .unwrap_or_default();
                let event = event_for(e, &digest);
                (event_id(&e.uid), digest, event)
            })
            .collect();
        self.0.apply(hub, desired, |_| true).await
    }
}
