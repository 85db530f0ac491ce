//! The one algorithm that keeps a set of timeward's own events in a Google calendar as
//! a cycle wants them, shared by reserve mode's 1:1 holds and the published mirror:
//! list the tagged events first (so a restart or a crash duplicates nothing), insert the
//! new (an insert that meets its own event, 409, patches it), patch the changed, delete
//! the gone (already gone, 404/410, is what was wanted). Only differences are written.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use google_calendar3::api::Event;

use super::client::{list_all, write, GoogleError, Hub, ListCall, Write};

/// What a write pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Writes {
    pub inserted: usize,
    pub patched: usize,
    pub deleted: usize,
}

/// Whom Google tells of a write (`sendUpdates`): always said, never Google's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendUpdates {
    /// The attendees are invited and told of moves (reserve mode's holds).
    All,
    /// Nobody (the published mirror has no attendees).
    Nobody,
}

impl SendUpdates {
    pub fn as_str(self) -> &'static str {
        match self {
            SendUpdates::All => "all",
            SendUpdates::Nobody => "none",
        }
    }
}

/// The events timeward wrote to one calendar, by id, each with what was last written
/// (`V`: whatever tells a change, e.g. the hold itself or a digest).
pub struct Mirror<V> {
    calendar_id: String,
    timeout: Duration,
    send_updates: SendUpdates,
    written: BTreeMap<String, V>,
}

impl<V: PartialEq + Clone> Mirror<V> {
    /// Knowing of no event yet: writes that meet an existing one (409) turn into patches.
    pub fn unknown(calendar_id: &str, timeout: Duration, send_updates: SendUpdates) -> Self {
        Mirror {
            calendar_id: calendar_id.to_string(),
            timeout,
            send_updates,
            written: BTreeMap::new(),
        }
    }

    /// Lists the events the query `configure` selects (timeward's tag) and keeps those
    /// `read` recognises, skipping cancelled ones.
    pub async fn reconcile(
        hub: &Hub,
        calendar_id: &str,
        timeout: Duration,
        send_updates: SendUpdates,
        configure: impl for<'a> Fn(ListCall<'a>) -> ListCall<'a>,
        read: impl Fn(Event) -> Option<(String, V)>,
    ) -> Result<Self, GoogleError> {
        let (items, _) = list_all(hub, calendar_id, timeout, configure).await?;
        let mut mirror = Mirror::unknown(calendar_id, timeout, send_updates);
        mirror.written = items
            .into_iter()
            .filter(|e| e.status.as_deref() != Some("cancelled"))
            .filter_map(read)
            .collect();
        Ok(mirror)
    }

    pub fn written(&self) -> impl Iterator<Item = (&String, &V)> {
        self.written.iter()
    }

    /// Makes the calendar hold `desired` (id, what tells a change, the event to write);
    /// of the events no longer desired, deletes those `may_delete` allows.
    pub async fn apply(
        &mut self,
        hub: &Hub,
        desired: Vec<(String, V, Event)>,
        may_delete: impl Fn(&V) -> bool,
    ) -> Result<Writes, GoogleError> {
        let mut w = Writes::default();
        let keep: HashSet<String> = desired.iter().map(|(id, _, _)| id.clone()).collect();
        for (id, value, event) in desired {
            match self.written.get(&id) {
                Some(old) if *old == value => continue,
                Some(_) => {
                    self.send(hub, Write::Patch(event, &id)).await?;
                    w.patched += 1;
                }
                None => match self.send(hub, Write::Insert(event.clone())).await {
                    Ok(()) => w.inserted += 1,
                    // Already there (a crash before it was recorded): make it right.
                    Err(GoogleError::Api { code: 409, .. }) => {
                        self.send(hub, Write::Patch(event, &id)).await?;
                        w.patched += 1;
                    }
                    Err(e) => return Err(e),
                },
            }
            self.written.insert(id, value);
        }
        let gone: Vec<String> = self
            .written
            .iter()
            .filter(|(id, v)| !keep.contains(*id) && may_delete(v))
            .map(|(id, _)| id.clone())
            .collect();
        for id in gone {
            match self.send(hub, Write::Delete(&id)).await {
                // Already gone is what was wanted.
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

    async fn send(&self, hub: &Hub, w: Write<'_>) -> Result<(), GoogleError> {
        write(
            hub,
            &self.calendar_id,
            self.timeout,
            self.send_updates.as_str(),
            w,
        )
        .await
    }
}
