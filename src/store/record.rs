//! Recording one cycle: only what differs from the last one, in one transaction across
//! the trees.

use chrono::{DateTime, Utc};
use sled::transaction::ConflictableTransactionError;
use sled::Transactional;

use super::written::{compare, version_writes, Writes};
use super::{changes, json, CycleChanges, Store, StoreError, StoredReservation};
use crate::decide::Plan;
use crate::feed::Versions;

impl Store {
    /// Records one completed cycle in one transaction: the current decisions (and a
    /// history entry for each one whose verdict, delegate or score changed, or that is
    /// new), the reservations, the feed versions and the cycle's time; then flushes.
    /// Only what differs from the last cycle is written: a cycle that changed one request
    /// writes a few keys, not the whole plan.
    pub fn record_cycle(
        &self,
        plan: &Plan,
        versions: &Versions,
        at: DateTime<Utc>,
    ) -> Result<CycleChanges, StoreError> {
        let changes =
            self.record_numbered(plan, &[], &std::sync::Arc::new(versions.clone()), at)?;
        self.flush()?;
        Ok(changes)
    }

    /// [`Store::record_cycle`] with each decision's number (`decide::decide_reusing`):
    /// a decision made under the number it was last written with is not compared again.
    /// Not flushed: once this returns, every read of the store sees the cycle, and the
    /// caller makes it durable with [`Store::flush`] (the daemon does so beside writing
    /// the cycle's files, after its feed is served).
    pub fn record_numbered(
        &self,
        plan: &Plan,
        made: &[u64],
        versions: &std::sync::Arc<Versions>,
        at: DateTime<Utc>,
    ) -> Result<CycleChanges, StoreError> {
        let mut guard = self
            .written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Taken: if anything below fails, the next cycle loads it from the trees again.
        let mut written = match guard.take() {
            Some(w) => w,
            None => self.load_written()?,
        };
        let feed = version_writes(&written, versions);
        let (changes, decisions, history) = compare(&mut written, plan, made, at);
        let appended: Vec<(&str, String)> = history
            .iter()
            .map(|(id, _, _)| {
                let d = &plan.decisions[*id];
                (
                    d.id.as_str(),
                    changes::label(&d.verdict, d.delegate_to.as_deref()),
                )
            })
            .collect();
        let reservations = if written.reservations.as_ref() == Some(&plan.reservations) {
            Vec::new()
        } else {
            self.differences(
                &self.reservations,
                plan.reservations.iter().enumerate().map(|(i, r)| {
                    let stored = StoredReservation {
                        series: r.series.clone(),
                        with: r.with.clone(),
                        start: r.start,
                        end: r.end,
                    };
                    ((i as u64).to_be_bytes().to_vec(), json(&stored))
                }),
            )?
        };
        let apply = |tree: &sled::transaction::TransactionalTree,
                     writes: &Writes|
         -> Result<(), ConflictableTransactionError<std::convert::Infallible>> {
            for (k, v) in writes {
                match v {
                    Some(v) => tree.insert(k.as_slice(), v.as_slice())?,
                    None => tree.remove(k.as_slice())?,
                };
            }
            Ok(())
        };
        (
            &self.decisions,
            &self.history,
            &self.reservations,
            &self.feed,
            &self.meta,
        )
            .transaction(|(dec, hist, res, fd, meta)| {
                apply(dec, &decisions)?;
                for (_, k, v) in &history {
                    hist.insert(k.as_slice(), v.as_slice())?;
                }
                apply(res, &reservations)?;
                apply(fd, &feed)?;
                meta.insert("last_cycle", at.to_rfc3339().as_bytes())?;
                Ok::<(), ConflictableTransactionError<std::convert::Infallible>>(())
            })?;
        {
            let mut verdicts = self
                .verdicts
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for (id, label) in appended {
                if let Some(list) = verdicts.get_mut(id) {
                    changes::upsert(list, at, label);
                }
            }
        }
        if written.reservations.as_ref() != Some(&plan.reservations) {
            written.reservations = Some(plan.reservations.clone());
        }
        written.versions = std::sync::Arc::clone(versions);
        written.stray_versions.clear();
        *guard = Some(written);
        Ok(changes)
    }

    /// The writes that make `tree` hold exactly `wanted`: the keys whose value differs
    /// (or is new) with their value, and the keys no longer wanted with `None`.
    fn differences(
        &self,
        tree: &sled::Tree,
        wanted: impl Iterator<Item = (Vec<u8>, Vec<u8>)>,
    ) -> Result<Writes, StoreError> {
        let mut writes = Vec::new();
        let mut keep = std::collections::HashSet::new();
        for (k, v) in wanted {
            if tree.get(&k)?.is_none_or(|old| old != v.as_slice()) {
                writes.push((k.clone(), Some(v)));
            }
            keep.insert(k);
        }
        for k in tree.iter().keys() {
            let k = k?;
            if !keep.contains(k.as_ref()) {
                writes.push((k.to_vec(), None));
            }
        }
        Ok(writes)
    }
}
