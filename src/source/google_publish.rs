//! `publish_calendar`: the suggestions feed mirrored into a secondary Google calendar
//! that the assistant is shared on. Google Calendar refreshes a subscribed URL only every
//! several hours; a calendar of its own shows suggestions at once. Part of the shell.
//!
//! Each feed event becomes an event with an id derived from its feed UID and a private
//! tag with the digest of what it says, so only changed suggestions are written, a
//! restart writes nothing new (the tagged events are listed first), and an insert that
//! meets its own event (409) patches it. Events no longer in the feed are deleted. Only
//! the named secondary calendar is ever written; nobody is invited.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use google_calendar3::api::{Event, EventDateTime, EventExtendedProperties};

use super::google::{list_all, write, GoogleError, Hub, Write};
use super::google_reserve::Writes;
use crate::feed::{FeedEvent, Versions};

const TAG: (&str, &str) = ("timeward", "suggestion");
const DIGEST: &str = "timeward_digest";

/// base32hex (0-9, a-v) of two hashes of the feed UID, 26 characters: an id Google
/// accepts.
pub fn event_id(uid: &str) -> String {
    let b32 = super::google::base32hex;
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
        summary: Some(e.summary.clone()),
        description: Some(e.description.clone()),
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
pub struct Published {
    calendar_id: String,
    timeout: Duration,
    written: BTreeMap<String, String>,
}

impl Published {
    /// Lists what an earlier run published.
    pub async fn reconcile(
        hub: &Hub,
        calendar_id: &str,
        timeout: Duration,
    ) -> Result<Published, GoogleError> {
        let tag = format!("{}={}", TAG.0, TAG.1);
        let (items, _) = list_all(hub, calendar_id, timeout, |c| {
            c.add_private_extended_property(&tag)
        })
        .await?;
        let mut written = BTreeMap::new();
        for e in items {
            if e.status.as_deref() == Some("cancelled") {
                continue;
            }
            let digest = e
                .extended_properties
                .as_ref()
                .and_then(|x| x.private.as_ref())
                .and_then(|p| p.get(DIGEST))
                .cloned()
                .unwrap_or_default();
            if let Some(id) = e.id {
                written.insert(id, digest);
            }
        }
        Ok(Published {
            calendar_id: calendar_id.to_string(),
            timeout,
            written,
        })
    }

    /// Makes the secondary calendar what the feed says.
    pub async fn apply(
        &mut self,
        hub: &Hub,
        events: &[FeedEvent],
        versions: &Versions,
    ) -> Result<Writes, GoogleError> {
        let mut w = Writes::default();
        let mut keep = HashSet::new();
        for e in events {
            let id = event_id(&e.uid);
            let digest = versions
                .get(&e.uid)
                .map(|v| format!("{:016x}", v.digest))
                .unwrap_or_default();
            keep.insert(id.clone());
            match self.written.get(&id) {
                Some(d) if *d == digest => continue,
                Some(_) => {
                    self.call(hub, Write::Patch(event_for(e, &digest), &id))
                        .await?;
                    w.patched += 1;
                }
                None => match self.call(hub, Write::Insert(event_for(e, &digest))).await {
                    Ok(()) => w.inserted += 1,
                    Err(GoogleError::Api { code: 409, .. }) => {
                        self.call(hub, Write::Patch(event_for(e, &digest), &id))
                            .await?;
                        w.patched += 1;
                    }
                    Err(err) => return Err(err),
                },
            }
            self.written.insert(id, digest);
        }
        let gone: Vec<String> = self
            .written
            .keys()
            .filter(|id| !keep.contains(*id))
            .cloned()
            .collect();
        for id in gone {
            match self.call(hub, Write::Delete(&id)).await {
                Ok(())
                | Err(GoogleError::Api {
                    code: 404 | 410, ..
                }) => {}
                Err(e) => return Err(e),
            }
            self.written.remove(&id);
            w.deleted += 1;
        }
        Ok(w)
    }

    /// Nobody is invited to a published suggestion: `sendUpdates=none`.
    async fn call(&self, hub: &Hub, w: Write<'_>) -> Result<(), GoogleError> {
        write(hub, &self.calendar_id, self.timeout, "none", w).await
    }
}
