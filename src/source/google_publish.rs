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
use google_calendar3::api::{Event, EventDateTime, EventExtendedProperties, Scope};

use super::google::{GoogleError, Hub, Retrying};
use super::google_reserve::Writes;
use crate::feed::{FeedEvent, Versions};

const TAG: (&str, &str) = ("timeward", "suggestion");
const DIGEST: &str = "timeward_digest";

/// base32hex (0-9, a-v) of the feed UID's hash, 26 characters: an id Google accepts.
pub fn event_id(uid: &str) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
    let mut out = String::with_capacity(26);
    for seed in [0xcbf2_9ce4_8422_2325_u64, 0x8422_2325_cbf2_9ce4] {
        let h = uid.bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        for i in (0..13).rev() {
            out.push(char::from(ALPHABET[((h >> (i * 5)) & 31) as usize]));
        }
    }
    out
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
        let mut written = BTreeMap::new();
        let mut page: Option<String> = None;
        loop {
            let mut retrying = Retrying::default();
            let mut call = hub
                .events()
                .list(calendar_id)
                .delegate(&mut retrying)
                .add_private_extended_property(&format!("{}={}", TAG.0, TAG.1))
                .max_results(2500)
                .add_scope(Scope::Event);
            if let Some(p) = &page {
                call = call.page_token(p);
            }
            let (_, list) = tokio::time::timeout(timeout, call.doit())
                .await
                .map_err(|_| GoogleError::Timeout(timeout.as_secs()))?
                .map_err(GoogleError::from_client)?;
            for e in list.items.unwrap_or_default() {
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
            match list.next_page_token {
                Some(p) => page = Some(p),
                None => break,
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
                    self.call(hub, Call::Patch(event_for(e, &digest), &id))
                        .await?;
                    w.patched += 1;
                }
                None => match self.call(hub, Call::Insert(event_for(e, &digest))).await {
                    Ok(()) => w.inserted += 1,
                    Err(GoogleError::Api { code: 409, .. }) => {
                        self.call(hub, Call::Patch(event_for(e, &digest), &id))
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
            match self.call(hub, Call::Delete(&id)).await {
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

    async fn call(&self, hub: &Hub, call: Call<'_>) -> Result<(), GoogleError> {
        let mut retrying = Retrying::default();
        let cal = self.calendar_id.as_str();
        let events = hub.events();
        let fut = async {
            match call {
                Call::Insert(e) => events
                    .insert(e, cal)
                    .delegate(&mut retrying)
                    .send_updates("none")
                    .add_scope(Scope::Event)
                    .doit()
                    .await
                    .map(|_| ()),
                Call::Patch(e, id) => events
                    .patch(e, cal, id)
                    .delegate(&mut retrying)
                    .send_updates("none")
                    .add_scope(Scope::Event)
                    .doit()
                    .await
                    .map(|_| ()),
                Call::Delete(id) => events
                    .delete(cal, id)
                    .delegate(&mut retrying)
                    .send_updates("none")
                    .add_scope(Scope::Event)
                    .doit()
                    .await
                    .map(|_| ()),
            }
        };
        tokio::time::timeout(self.timeout, fut)
            .await
            .map_err(|_| GoogleError::Timeout(self.timeout.as_secs()))?
            .map_err(GoogleError::from_client)
    }
}

enum Call<'a> {
    Insert(Event),
    Patch(Event, &'a str),
    Delete(&'a str),
}
