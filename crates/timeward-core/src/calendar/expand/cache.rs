//! The instants each series' rules give, kept from one run to the next: building and
//! walking a series' rules (the `rrule` crate) is most of what expanding a calendar costs,
//! and between two runs a few minutes apart almost no series changes.
//!
//! A series' rules are always walked over a window widened to whole days (a day before the
//! window's first, a day after its last), whether or not a cache is given, and the
//! instants are then cut to the window as before: so a kept result is exactly what a walk
//! in this run would give, as long as what the walk reads of the series (its start, its
//! length and its recurrence), the zone for floating times and the widened window are the
//! same — all day, as `now` moves. The rest of the event (its title, description,
//! attendees) is not compared: a walk does not read it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, TimeDelta, Timelike, Utc};
use chrono_tz::Tz;

use super::super::{Event, EventTime, Length, Recurrence};

/// What a series' rules gave: the instants, or why the rules were not understood.
pub(super) type Starts = Result<Vec<DateTime<Utc>>, String>;

/// The rules' instants of each series of the last run, by UID (see the module's text).
#[derive(Default)]
pub struct RuleCache {
    by_uid: HashMap<String, Walked>,
    /// How many runs kept their series here: an entry a run took is marked with it.
    runs: u64,
    /// The last run's occurrences by event, for a run that expands only the changed
    /// events again (`incremental.rs`).
    pub(super) expanded: Option<super::incremental::Expanded>,
    /// How many events the last run expanded (all, or the changed ones).
    pub(super) expanded_last: usize,
    /// The events' kinds for the executive, kept by reading ([`crate::calendar::kinds`]).
    pub kinds: crate::calendar::kinds::KindCache,
}

struct Walked {
    /// What the walk read of the series.
    start: EventTime,
    length: Length,
    recurrence: Option<Box<Recurrence>>,
    floating: Tz,
    window: (DateTime<Utc>, DateTime<Utc>),
    starts: Starts,
    /// The last run that took it (threads share the cache while a run reads it).
    used: AtomicU64,
}

/// A series walked in this run, to be kept: its UID and what it gave.
type Fresh = (String, Walked);

impl RuleCache {
    pub fn new() -> RuleCache {
        RuleCache::default()
    }

    /// How many series it holds.
    pub fn len(&self) -> usize {
        self.by_uid.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_uid.is_empty()
    }

    /// How many events the last run expanded: all of them, or (taking the others' from
    /// the run before) the ones that changed and the series with overrides.
    pub fn expanded_last(&self) -> usize {
        self.expanded_last
    }

    /// What `event`'s rules gave last time, if nothing they depend on changed.
    pub(super) fn get(
        &self,
        event: &Event,
        floating: Tz,
        window: (DateTime<Utc>, DateTime<Utc>),
    ) -> Option<&Starts> {
        let w = self.by_uid.get(&event.uid)?;
        let same = w.floating == floating
            && w.window == window
            && w.start == event.start
            && w.length == event.length
            && w.recurrence == event.recurrence;
        if same {
            w.used.store(self.runs + 1, Ordering::Relaxed);
        }
        same.then_some(&w.starts)
    }

    /// Keeps the series a run walked beside the ones here (a run that expanded only
    /// the changed events: the others were not looked up, and stay).
    pub(super) fn add(&mut self, walks: Walks) {
        for (uid, w) in walks.fresh {
            w.used.store(self.runs, Ordering::Relaxed);
            self.by_uid.insert(uid, w);
        }
    }

    /// Keeps this run's series: the ones it found here and the ones it walked.
    pub(super) fn keep(&mut self, walks: Walks) {
        self.runs += 1;
        let run = self.runs;
        self.by_uid
            .retain(|_, w| w.used.load(Ordering::Relaxed) == run);
        for (uid, w) in walks.fresh {
            w.used.store(run, Ordering::Relaxed);
            self.by_uid.insert(uid, w);
        }
    }
}

type Window = (DateTime<Utc>, DateTime<Utc>);

/// One run's (or one thread's part's) series: those taken from the cache, and those
/// walked (to be kept when `keep`).
pub(super) struct Walks {
    fresh: Vec<Fresh>,
    keep: bool,
    /// A walk in the widened window stopped short (its series was walked in the window
    /// itself).
    pub(super) short: bool,
}

impl Walks {
    pub(super) fn new(keep: bool) -> Walks {
        Walks {
            fresh: Vec::new(),
            keep,
            short: false,
        }
    }

    pub(super) fn join(&mut self, more: Walks) {
        self.fresh.extend(more.fresh);
        self.short |= more.short;
    }

    /// A series' instants: from `kept` when it holds them, else `walk`ed in the widened
    /// window (and kept), or in the window itself when that walk stopped short (a series
    /// every second or so: not kept).
    pub(super) fn starts<'c>(
        &mut self,
        kept: Option<&'c RuleCache>,
        event: &Event,
        floating: Tz,
        (wide, window): (Window, Window),
        walk: impl Fn(Window) -> (Starts, bool),
    ) -> std::borrow::Cow<'c, Starts> {
        if let Some(starts) = kept.and_then(|c| c.get(event, floating, wide)) {
            return std::borrow::Cow::Borrowed(starts);
        }
        match walk(wide) {
            (_, true) => {
                self.short = true;
                std::borrow::Cow::Owned(walk(window).0)
            }
            (starts, false) => {
                if self.keep {
                    self.fresh.push(walked(event, floating, wide, &starts));
                }
                std::borrow::Cow::Owned(starts)
            }
        }
    }
}

fn walked(
    event: &Event,
    floating: Tz,
    window: (DateTime<Utc>, DateTime<Utc>),
    starts: &Starts,
) -> Fresh {
    (
        event.uid.clone(),
        Walked {
            start: event.start,
            length: event.length,
            recurrence: event.recurrence.clone(),
            floating,
            window,
            starts: starts.clone(),
            used: AtomicU64::new(0),
        },
    )
}

/// `[from, to)` widened to whole UTC days, and a day more on each side.
pub(super) fn widened(from: DateTime<Utc>, to: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let day = TimeDelta::days(1);
    let floor = |t: DateTime<Utc>| {
        t.with_nanosecond(0)
            .and_then(|t| t.with_second(0))
            .and_then(|t| t.with_minute(0))
            .and_then(|t| t.with_hour(0))
            .unwrap_or(t)
    };
    (floor(from) - day, floor(to) + day + day)
}
