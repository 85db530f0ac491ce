//! Recurrence expansion: events to the occurrences that overlap a window.
//!
//! Pure: the window and the zone for floating times are arguments. RRULE is expanded by
//! the `rrule` crate in the event's own zone, so wall-clock times hold across daylight
//! saving; RDATE adds, EXDATE removes, and an override (same UID, RECURRENCE-ID) replaces
//! the instance it names.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;

use super::tz::local_to_utc;
use super::{Event, EventTime, Length, Warning};

/// One occurrence of an event: `event` indexes the slice that was expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub event: usize,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub all_day: bool,
}

/// Every occurrence of `events` that overlaps `[from, to)`, sorted by (start, event),
/// with floating times and dates read in `floating`. Problems with a recurrence rule
/// become warnings; the event then counts with its first occurrence only.
pub fn expand(
    events: &[Event],
    floating: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> (Vec<Occurrence>, Vec<Warning>) {
    expand_on(events, floating, from, to, 1)
}

/// [`expand`] on up to `threads` threads, for large calendars: the events are split into
/// contiguous chunks, and the chunks' occurrences and warnings are joined in order, so
/// the result is the same whatever the number of threads (unit-tested).
pub fn expand_on(
    events: &[Event],
    floating: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    threads: usize,
) -> (Vec<Occurrence>, Vec<Warning>) {
    expand_kept(events, floating, (from, to), threads, None)
}

/// [`expand_on`] taking each series' instants from `cache` where the series did not
/// change since the run that kept them, and keeping this run's there; the same result
/// (see [`RuleCache`]).
pub fn expand_kept(
    events: &[Event],
    floating: Tz,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    threads: usize,
    cache: Option<&mut RuleCache>,
) -> (Vec<Occurrence>, Vec<Warning>) {
    const PER_THREAD_AT_LEAST: usize = 2048;
    const BLOCK: usize = 64;
    let overridden = Overrides::of(events, floating);
    let n = events.len();
    let threads = threads.min(n / PER_THREAD_AT_LEAST).max(1);
    // Events are dealt out in blocks, round robin: a calendar's busy weeks (the ones in
    // the window, which cost the most) tend to sit together in the file.
    let kept = cache.as_deref();
    let range = |t: usize| {
        let mut found = Found {
            out: Vec::new(),
            warnings: Vec::new(),
            walks: cache::Walks::new(kept.is_some()),
        };
        let mut first = t * BLOCK;
        while first < n {
            let last = (first + BLOCK).min(n);
            expand_range(
                events,
                first..last,
                &overridden,
                (floating, kept),
                (from, to),
                &mut found,
            );
            first += threads * BLOCK;
        }
        found
    };
    let found = if threads == 1 {
        range(0)
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (1..threads)
                .map(|t| {
                    let range = &range;
                    scope.spawn(move || range(t))
                })
                .collect();
            let mut found = range(0);
            for h in handles {
                match h.join() {
                    Ok(more) => found.join(more),
                    // A panic in expansion is a bug; surface it as the same panic.
                    Err(payload) => std::panic::resume_unwind(payload),
                }
            }
            found
        })
    };
    let Found {
        mut out,
        mut warnings,
        walks,
    } = found;
    if let Some(cache) = cache {
        cache.keep(walks);
    }
    // By every field, so that the order does not depend on the order they were found in
    // (nor on the threads).
    crate::order::sort_by_start(
        &mut out,
        |o| o.start,
        |a, b| (a.event, a.end, a.all_day).cmp(&(b.event, b.end, b.all_day)),
    );
    out.dedup();
    // Warnings in event order, as one thread would give them.
    warnings.sort_by_key(|(event, _)| *event);
    (out, warnings.into_iter().map(|(_, w)| w).collect())
}

/// The overrides of each UID: which instances they replace, and the ones that reach
/// forward (`RANGE=THISANDFUTURE`).
#[derive(Default)]
struct Replaced {
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

struct Overrides<'e> {
    by_uid: HashMap<&'e str, Replaced>,
    /// Overrides of an instance that the series' EXDATE removes: the organiser deleted
    /// that instance after moving it, and the stale copy is not shown (as peers read it).
    deleted: HashSet<usize>,
}

impl<'e> Overrides<'e> {
    fn of(events: &'e [Event], floating: Tz) -> Overrides<'e> {
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
    fn replaced(
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

/// What a part of the events expanded to: occurrences (unsorted), warnings (by event),
/// and, when a cache is kept, the series it took from the cache and the ones it walked.
struct Found {
    out: Vec<Occurrence>,
    warnings: Vec<(usize, Warning)>,
    walks: cache::Walks,
}

impl Found {
    fn join(&mut self, more: Found) {
        self.out.extend(more.out);
        self.warnings.extend(more.warnings);
        self.walks.join(more.walks);
    }
}

/// Expands `events[range]` into `found`, in event order.
fn expand_range(
    events: &[Event],
    range: std::ops::Range<usize>,
    overridden: &Overrides<'_>,
    (floating, kept): (Tz, Option<&RuleCache>),
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    found: &mut Found,
) {
    let Found {
        out,
        warnings,
        walks,
    } = found;
    let wide = cache::widened(from, to);
    // No zone is more than 14 hours from UTC: a wall-clock time this far outside the
    // window is outside it in every zone, and needs no zone lookup to rule out.
    let slack = TimeDelta::hours(15);
    let (naive_from, naive_to) = (from.naive_utc() - slack, to.naive_utc() + slack);
    for (i, e) in events.iter().enumerate().take(range.end).skip(range.start) {
        if !overridden.deleted.is_empty() && overridden.deleted.contains(&i) {
            continue;
        }
        let series = e
            .recurrence
            .as_deref()
            .filter(|_| e.recurrence_id.is_none());
        let naive = e.start.naive();
        let length = match e.length {
            Length::Exact(d) => d,
            Length::Days(n) => TimeDelta::days(n),
        };
        let no_dates = |r: &super::Recurrence| r.rdates.is_empty() && r.periods.is_empty();
        let later = naive >= naive_to && series.is_none_or(no_dates);
        let earlier = series.is_none() && naive + length < naive_from;
        if later || earlier {
            continue;
        }
        let zone = e.start.zone(floating);
        let mut push = |event: usize, start: DateTime<Utc>, end: Option<DateTime<Utc>>| {
            let end = end.unwrap_or_else(|| end_of(&events[event], zone, start));
            if overlaps(start, end, from, to) {
                out.push(Occurrence {
                    event,
                    start,
                    end,
                    all_day: events[event].is_all_day(),
                });
            }
        };
        let first = e.start.resolve(floating);
        let Some(rec) = series else {
            push(i, first, None);
            continue;
        };
        // An instance of the series: in its own place, or replaced by an override.
        let overrides = overridden.by_uid.get(e.uid.as_str());
        let mut instance = |start: DateTime<Utc>, end: Option<DateTime<Utc>>| match overrides
            .and_then(|r| r.replaced(e, zone, start))
        {
            None => push(i, start, end),
            Some(None) => {}
            Some(Some((moved, by))) => push(by, moved, None),
        };
        // A series that begins after the window has nothing in it (RDATEs aside), and
        // most of a year-long calendar's series do: skip building their rules.
        let begins_after = |t: &EventTime| t.resolve(floating) >= to;
        if first >= to
            && rec.rdates.iter().all(begins_after)
            && rec.periods.iter().all(|p| begins_after(&p.0))
        {
            continue;
        }
        rdate_periods(e, rec, zone, floating, &mut instance);
        let starts = walks.starts(kept, e, floating, (wide, (from, to)), |window| {
            rule_instances(e, rec, (zone, floating), window)
        });
        // The instants the walk in the window itself would give (the widened walk gives
        // more): from the window's start less the event's length, to its end.
        let lo = from - reach_of(e) - TimeDelta::seconds(1);
        for &start in starts.iter().flatten().filter(|&&t| t >= lo && t <= to) {
            instance(start, None);
        }
        if let Err(why) = starts.as_ref() {
            warnings.push((i, Warning {
                line: e.line,
                message: format!(
                    "event {:?}: recurrence not understood ({why}); only its first occurrence counts",
                    e.uid
                ),
            }));
            push(i, first, None);
        }
    }
}

/// The RDATE periods of a series, each an occurrence with its own length (unless an
/// EXDATE removes it).
fn rdate_periods(
    e: &Event,
    rec: &super::Recurrence,
    zone: Tz,
    floating: Tz,
    instance: &mut impl FnMut(DateTime<Utc>, Option<DateTime<Utc>>),
) {
    if rec.periods.is_empty() {
        return;
    }
    let excluded: Vec<DateTime<Utc>> = rec
        .exdates
        .iter()
        .map(|x| at_start_time(e, x, zone, floating))
        .collect();
    for (at, length) in &rec.periods {
        let start = at.resolve(floating);
        if !excluded.contains(&start) {
            instance(start, Some(start + *length));
        }
    }
}

/// The instances the series' rules (and RDATEs) give in `[from, to)` (a widened window:
/// the caller cuts them to its own), and whether a rule gave so many that the walk
/// stopped short.
fn rule_instances(
    e: &Event,
    rec: &super::Recurrence,
    (zone, floating): (Tz, Tz),
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> (cache::Starts, bool) {
    // An occurrence overlapping `from` may start up to its length earlier.
    let reach = reach_of(e);
    let sets = match rule_sets(e, rec, zone, floating, from - reach) {
        Ok(sets) => sets,
        Err(why) => return (Err(why), false),
    };
    let rz = rrule::Tz::Tz(zone);
    let after = (from - reach - TimeDelta::seconds(1)).with_timezone(&rz);
    let before = to.with_timezone(&rz);
    // Their union; an instant two sets give is one occurrence (deduplicated with the
    // rest after sorting).
    let mut starts = Vec::new();
    let mut short = false;
    for set in sets {
        let walk = set.after(after).before(before).all(u16::MAX);
        short |= walk.limited || walk.dates.len() >= usize::from(u16::MAX);
        starts.extend(walk.dates.into_iter().map(|dt| dt.with_timezone(&Utc)));
    }
    (Ok(starts), short)
}

/// How long before a window an occurrence of `e` that overlaps it may start.
fn reach_of(e: &Event) -> TimeDelta {
    match e.length {
        Length::Exact(d) => d,
        Length::Days(n) => TimeDelta::days(n + 1),
    }
}

fn overlaps(s: DateTime<Utc>, e: DateTime<Utc>, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    if s == e {
        s >= from && s < to
    } else {
        s < to && e > from
    }
}

/// The end of an occurrence that starts at `start`: all-day events end at local midnight
/// `n` days later, whatever the length of those days.
fn end_of(e: &Event, zone: Tz, start: DateTime<Utc>) -> DateTime<Utc> {
    match e.length {
        Length::Exact(d) => start + d,
        Length::Days(n) => {
            let local = start.with_timezone(&zone).date_naive() + TimeDelta::days(n);
            local_to_utc(zone, local.and_time(NaiveTime::MIN))
        }
    }
}

mod cache;
mod rules;
#[cfg(test)]
mod tests;

pub use cache::RuleCache;
use rules::{at_start_time, rule_sets};
