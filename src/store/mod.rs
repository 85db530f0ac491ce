//! The daemon's memory (sled 0.34): what was suggested and when. Part of the shell.
//!
//! Trees: `meta` (schema version, last cycle), `decisions` (the current suggestion per request),
//! `history` (every change of verdict or score, with its time and reasons, keyed by
//! request id and time), `reservations` (the current 1:1 holds, the next run's `previous`)
//! `feed` (each feed event's SEQUENCE and DTSTAMP), `sessions` (the desk's sign-ins) and
//! `actions` (every answer sent on the executive's behalf, [`actions`]). One cycle's writes go in one
//! transaction across the trees and are flushed before the cycle counts as done (the
//! daemon flushes after serving the cycle's feed, beside writing its files), so a kill -9
//! at any point leaves the last completed cycle whole.

pub mod actions;
mod changes;
mod record;
mod written;

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sled::transaction::TransactionError;

use crate::decide::{Decision, Reservation};
use crate::feed::{Version, Versions};
use crate::rules::Verdict;
use written::Written;

/// The schema this build writes. Opening a store written by an older one migrates it;
/// a newer one is refused rather than misread.
///
/// 2: verdicts are an enum (stored as the same lowercase words, so schema 1's decisions
/// read unchanged); the `events` tree and the `source_cursor` entry, written by schema 1
/// and never read, are dropped.
pub const SCHEMA: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: cannot open the store: {source}")]
    Open { path: String, source: sled::Error },
    #[error("{path}: the store was written by a newer timeward (schema {found}, this one knows {SCHEMA}); keep that version or move the state directory away")]
    Newer { path: String, found: u32 },
    #[error("the store: {0}")]
    Sled(#[from] sled::Error),
}

impl From<TransactionError<std::convert::Infallible>> for StoreError {
    fn from(e: TransactionError<std::convert::Infallible>) -> Self {
        match e {
            TransactionError::Storage(e) => StoreError::Sled(e),
            TransactionError::Abort(never) => match never {},
        }
    }
}

/// A suggestion as stored and as `/api/decisions` and `timeward explain` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredReason {
    pub points: i64,
    pub source: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDecision {
    pub id: String,
    pub title: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub organizer: Option<String>,
    pub verdict: Verdict,
    pub delegate_to: Option<String>,
    pub score: i64,
    pub reasons: Vec<StoredReason>,
}

impl StoredDecision {
    pub fn from_decision(d: &Decision) -> StoredDecision {
        StoredDecision {
            id: d.id.clone(),
            title: d.title.clone(),
            start: d.start,
            end: d.end,
            organizer: d.organizer.clone(),
            verdict: d.verdict.clone(),
            delegate_to: d.delegate_to.clone(),
            score: d.score,
            reasons: d
                .reasons
                .iter()
                .map(|r| StoredReason {
                    points: r.points,
                    source: r.source.to_string(),
                    detail: r.detail.to_string(),
                })
                .collect(),
        }
    }
}

/// One change of a suggestion: when, and what it became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub verdict: Verdict,
    pub delegate_to: Option<String>,
    pub score: i64,
    pub reasons: Vec<StoredReason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct StoredReservation {
    series: String,
    with: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct StoredVersion {
    sequence: u32,
    changed: DateTime<Utc>,
    digest: u64,
}

/// What one cycle changed, for the log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CycleChanges {
    pub changed: usize,
    pub new: usize,
    pub gone: usize,
}

#[derive(Clone)]
pub struct Store {
    written: std::sync::Arc<std::sync::Mutex<Option<Written>>>,
    /// See [`changes::Verdicts`].
    verdicts: std::sync::Arc<std::sync::Mutex<changes::Verdicts>>,
    db: sled::Db,
    meta: sled::Tree,
    decisions: sled::Tree,
    history: sled::Tree,
    reservations: sled::Tree,
    feed: sled::Tree,
    sessions: sled::Tree,
    actions: sled::Tree,
}

fn json<T: Serialize>(v: &T) -> Vec<u8> {
    // Plain structs of strings, numbers and times always serialise.
    serde_json::to_vec(v).unwrap_or_default()
}

fn history_key(id: &str, at: DateTime<Utc>) -> Vec<u8> {
    let mut k = id.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(&at.timestamp_micros().to_be_bytes());
    k
}

impl Store {
    /// Opens (creating) the store in `dir/store`, migrating an older schema.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let path = dir.join("store");
        let name = path.display().to_string();
        let db = sled::Config::new()
            .path(&path)
            // sled's default page cache is 1 GiB; the store is a few MB of JSON.
            .cache_capacity(8 * 1024 * 1024)
            .open()
            .map_err(|source| StoreError::Open {
                path: name.clone(),
                source,
            })?;
        let tree = |n: &str| db.open_tree(n);
        let store = Store {
            written: std::sync::Arc::default(),
            verdicts: std::sync::Arc::default(),
            meta: tree("meta")?,
            decisions: tree("decisions")?,
            history: tree("history")?,
            reservations: tree("reservations")?,
            feed: tree("feed")?,
            sessions: tree("sessions")?,
            actions: tree("actions")?,
            db,
        };
        let found = store
            .meta
            .get("schema")?
            .and_then(|v| <[u8; 4]>::try_from(v.as_ref()).ok())
            .map(u32::from_be_bytes);
        match found {
            Some(v) if v > SCHEMA => {
                return Err(StoreError::Newer {
                    path: name,
                    found: v,
                })
            }
            Some(v) if v == SCHEMA => {}
            // A new store, or an older schema: migrate step by step.
            found => store.migrate(found.unwrap_or(SCHEMA))?,
        }
        Ok(store)
    }

    pub fn schema(&self) -> Result<u32, StoreError> {
        Ok(self
            .meta
            .get("schema")?
            .and_then(|v| <[u8; 4]>::try_from(v.as_ref()).ok())
            .map_or(0, u32::from_be_bytes))
    }

    /// The reservations of the last completed cycle: the next placement's `previous`.
    /// From the store's memory of what the last cycle wrote when it has one (the same
    /// reservations, without decoding each), else read from the tree.
    pub fn reservations(&self) -> Result<Vec<Reservation>, StoreError> {
        {
            let guard = self
                .written
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(kept) = guard.as_ref().and_then(|w| w.reservations.as_ref()) {
                return Ok(kept.clone());
            }
        }
        let mut out = Vec::new();
        for item in self.reservations.iter() {
            let (_, v) = item?;
            if let Ok(r) = serde_json::from_slice::<StoredReservation>(&v) {
                out.push(Reservation {
                    series: r.series,
                    with: r.with,
                    start: r.start,
                    end: r.end,
                });
            }
        }
        Ok(out)
    }

    /// The feed events' versions of the last completed cycle.
    /// The feed versions the last cycle recorded: from the store's memory of it when it
    /// has one, else read from the feed tree.
    pub fn last_versions(&self) -> Result<std::sync::Arc<Versions>, StoreError> {
        let guard = self
            .written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match guard.as_ref() {
            Some(w) if w.stray_versions.is_empty() => Ok(std::sync::Arc::clone(&w.versions)),
            _ => self.versions().map(std::sync::Arc::new),
        }
    }

    pub fn versions(&self) -> Result<Versions, StoreError> {
        let mut out = Versions::new();
        for item in self.feed.iter() {
            let (k, v) = item?;
            if let (Ok(uid), Ok(v)) = (
                String::from_utf8(k.to_vec()),
                serde_json::from_slice::<StoredVersion>(&v),
            ) {
                out.insert(
                    uid.into(),
                    Version {
                        sequence: v.sequence,
                        changed: v.changed,
                        digest: v.digest,
                    },
                );
            }
        }
        Ok(out)
    }

    pub fn decision(&self, id: &str) -> Result<Option<StoredDecision>, StoreError> {
        Ok(self
            .decisions
            .get(id.as_bytes())?
            .and_then(|v| serde_json::from_slice(&v).ok()))
    }

    pub fn decisions(&self) -> Result<Vec<StoredDecision>, StoreError> {
        let mut out: Vec<StoredDecision> = Vec::new();
        for item in self.decisions.iter() {
            let (_, v) = item?;
            if let Ok(d) = serde_json::from_slice(&v) {
                out.push(d);
            }
        }
        out.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
        Ok(out)
    }

    /// Every recorded change of one request's suggestion, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<HistoryEntry>, StoreError> {
        let mut prefix = id.as_bytes().to_vec();
        prefix.push(0);
        let mut out = Vec::new();
        for item in self.history.scan_prefix(prefix) {
            let (_, v) = item?;
            if let Ok(h) = serde_json::from_slice(&v) {
                out.push(h);
            }
        }
        Ok(out)
    }

    pub fn history_len(&self) -> usize {
        self.history.len()
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .meta
            .get(key)?
            .and_then(|v| String::from_utf8(v.to_vec()).ok()))
    }

    /// Brings a store of schema `from` to [`SCHEMA`], one step at a time, and records it.
    fn migrate(&self, from: u32) -> Result<(), StoreError> {
        if from < 2 {
            // Written by schema 1 and never read: the events' public face and a URL
            // source's validators. (Verdicts were already the lowercase words.)
            self.db.drop_tree("events")?;
            self.meta.remove("source_cursor")?;
        }
        self.meta.insert("schema", &SCHEMA.to_be_bytes())?;
        self.db.flush()?;
        Ok(())
    }

    /// What the trees hold now, for the first cycle after opening.
    fn load_written(&self) -> Result<Written, StoreError> {
        let mut w = Written::default();
        for item in self.decisions.iter() {
            let (k, v) = item?;
            match serde_json::from_slice::<StoredDecision>(&v) {
                Ok(d) if d.id.as_bytes() == k.as_ref() => {
                    let remembered = written::Remembered {
                        decision: d,
                        number: None,
                        mark: 0,
                    };
                    w.decisions
                        .insert(remembered.decision.id.clone(), remembered);
                }
                _ => w.stray_decisions.push(k.to_vec()),
            }
        }
        w.versions = std::sync::Arc::new(self.versions()?);
        for k in self.feed.iter().keys() {
            let k = k?;
            if !std::str::from_utf8(&k).is_ok_and(|uid| w.versions.contains_key(uid)) {
                w.stray_versions.push(k.to_vec());
            }
        }
        Ok(w)
    }

    /// The desk's sign-ins (see `desk::sessions`).
    pub fn sessions_tree(&self) -> sled::Tree {
        self.sessions.clone()
    }

    /// Makes everything recorded so far durable (waits for the disk).
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
