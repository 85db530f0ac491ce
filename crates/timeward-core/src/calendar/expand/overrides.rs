//! The overrides of a calendar's series (events with a RECURRENCE-ID), by UID: which
//! instances they replace, which ones reach forward (`RANGE=THISANDFUTURE`), and which
//! are stale copies of an instance the series' EXDATE removes.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;

use crate::calendar::{Event, EventTime};

/// The overrides of each UID: which instances they replace, and the ones that reach
/// forward (`RANGE=THISANDFUTURE`).
#[derive(Default)]
pub(super) struct Replaced {
    /// Instants named by a timed RECURRENCE-ID.
    instants: HashSet<DateTime<Utc>>,
    /// The wall-clock day of every RECURRENCE-ID: an all-day series matches on it (Outlook
    /// writes `RECURRENCE-ID;TZID=…:20200416T000000` for a `VALUE=DATE` series).
    days: HashSet<NaiveDate>,
    /// The days named by a DATE RECURRENCE-ID, which a timed series matches on.
    date_ids: HashSet<NaiveDate>,
    /// (instance replaced, shift of the override's start, override's index), by instance.
    forward: Vec<(DateTime<Utc>, TimeDelta, usize)>,
}

pub(super) struct Overrides<'e> {
    pub(super) by_uid: HashMap<&'e str, Replaced>,
    /// Overrides of an instance that the series' EXDATE removes: the organiser deleted
    /// that instance after moving it, and the stale copy is not shown (as peers read it).
    pub(super) deleted: HashSet<usize>,
}

impl<'e> Overrides<'e> {
    pub(super) fn of(events: &'e [Event], floating: Tz) -> Overrides<'e> {
        let mut map: HashMap<&str, Replaced> = HashMap::new();
        // Only the series that have overrides (most calendars' series have none).
        let overridden: HashSet<&str> = events
            .iter()
            .filter(|e| e.recurrence_id.is_some())
            .map(|e| e.uid.as_str())
            .collect();
        let masters: HashMap<&str, &Event> = if overridden.is_empty() {
            HashMap::new()
        } else {
            events
                .iter()
                .filter(|e| e.recurrence_id.is_none() && e.recurrence.is_some())
                .filter(|e| overridden.contains(e.uid.as_str()))
                .map(|e| (e.uid.as_str(), e))
                .collect()
        };
        let mut deleted = HashSet::new();
        for (i, e) in events.iter().enumerate() {
            let Some(rid) = e.recurrence_id else { continue };
            if let Some(master) = masters.get(e.uid.as_str()) {
                let exdates = master.recurrence.iter().flat_map(|r| r.exdates.iter());
                let same = |x: &EventTime| {
                    if x.is_date() || rid.is_date() || master.is_all_day() {
                        x.naive().date() == rid.naive().date()
                    } else {
                        x.resolve(floating) == rid.resolve(floating)
                    }
                };
                if exdates.into_iter().any(same) {
                    deleted.insert(i);
                    continue;
                }
            }
            let r = map.entry(e.uid.as_str()).or_default();
            r.days.insert(rid.naive().date());
            if rid.is_date() {
                r.date_ids.insert(rid.naive().date());
            } else {
                r.instants.insert(rid.resolve(floating));
            }
            if e.this_and_future {
                let at = rid.resolve(floating);
                r.forward.push((at, e.start.resolve(floating) - at, i));
            }
        }
        for r in map.values_mut() {
            r.forward.sort_by_key(|f| (f.0, f.2));
        }
        Overrides {
            by_uid: map,
            deleted,
        }
    }
}

impl Replaced {
    /// How the instance of `master` (whose overrides these are) at `start` is replaced:
    /// `None` if it is not, `Some(None)` if an override of its own stands in its place,
    /// `Some(Some((start, override)))` if a THISANDFUTURE override moves it (and lends it
    /// its properties).
    pub(super) fn replaced(
        &self,
        master: &Event,
        zone: Tz,
        start: DateTime<Utc>,
    ) -> Option<Option<(DateTime<Utc>, usize)>> {
        let r = self;
        let day = start.with_timezone(&zone).date_naive();
        let own = if master.is_all_day() {
            r.days.contains(&day)
        } else {
            r.instants.contains(&start) || r.date_ids.contains(&day)
        };
        if own {
            return Some(None);
        }
        let upto = r.forward.partition_point(|f| f.0 <= start);
        let &(_, shift, i) = r.forward.get(upto.checked_sub(1)?)?;
        Some(Some((start + shift, i)))
    }
}
