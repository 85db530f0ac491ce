//! Recurrence expansion: events to the occurrences that overlap a window.
//!
//! Pure: the window and the zone for floating times are arguments. RRULE is expanded by
//! the `rrule` crate in the event's own zone, so wall-clock times hold across daylight
//! saving; RDATE adds, EXDATE removes, and an override (same UID, RECURRENCE-ID) replaces
//! the instance it names.

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
/// change since the run that kept them, and keeping this run's there; and when the last
/// run kept its occurrences there for the same day, expanding again only the events
/// that changed since (see `incremental.rs`). The same result either way.
pub fn expand_kept(
    events: &[Event],
    floating: Tz,
    window: (DateTime<Utc>, DateTime<Utc>),
    threads: usize,
    cache: Option<&mut RuleCache>,
) -> (Vec<Occurrence>, Vec<Warning>) {
    let overridden = Overrides::of(events, floating);
    let wide = cache::widened(window.0, window.1);
    let Some(cache) = cache else {
        let found = expand_all(
            events,
            &overridden,
            (floating, None),
            (window, wide),
            threads,
        );
        return sorted(found);
    };
    if let Some(again) = incremental::again(events, &overridden, floating, (window, wide), cache) {
        return again;
    }
    cache.expanded_last = events.len();
    // Over the widened window, for the next run to keep: cut to this one's after.
    let found = expand_all(
        events,
        &overridden,
        (floating, Some(&*cache)),
        (wide, wide),
        threads,
    );
    if found.walks.short {
        // A series so fine-grained that its walk stopped short is walked in the window
        // itself: nothing of this run is kept for the next.
        cache.expanded = None;
        let found = expand_all(
            events,
            &overridden,
            (floating, Some(&*cache)),
            (window, wide),
            threads,
        );
        let (occurrences, warnings) = sorted_by_event(found, Some(&mut *cache));
        return (occurrences, warnings.into_iter().map(|(_, w)| w).collect());
    }
    let (occurrences, warnings) = sorted_by_event(found, Some(&mut *cache));
    incremental::keep(
        events,
        &overridden,
        floating,
        (window, wide),
        (occurrences, warnings),
        cache,
    )
}

/// Every event expanded into the window `cut` (series walked in `wide`), on up to
/// `threads` threads.
fn expand_all(
    events: &[Event],
    overridden: &Overrides<'_>,
    (floating, kept): (Tz, Option<&RuleCache>),
    (cut, wide): (Window, Window),
    threads: usize,
) -> Found {
    const PER_THREAD_AT_LEAST: usize = 2048;
    const BLOCK: usize = 64;
    let n = events.len();
    let threads = threads.min(n / PER_THREAD_AT_LEAST).max(1);
    // Events are dealt out in blocks, round robin: a calendar's busy weeks (the ones in
    // the window, which cost the most) tend to sit together in the file.
    let range = |t: usize| {
        let mut found = Found::new(kept.is_some());
        let mut first = t * BLOCK;
        while first < n {
            let last = (first + BLOCK).min(n);
            expand_range(
                events,
                first..last,
                overridden,
                (floating, kept),
                (cut, wide),
                &mut found,
            );
            first += threads * BLOCK;
        }
        found
    };
    if threads == 1 {
        return range(0);
    }
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
}

/// What was found, sorted: occurrences by every field, so that the order does not depend
/// on the order they were found in (nor on the threads), and warnings in event order, as
/// one thread would give them.
fn sorted(found: Found) -> (Vec<Occurrence>, Vec<Warning>) {
    let (occurrences, warnings) = sorted_by_event(found, None);
    (occurrences, warnings.into_iter().map(|(_, w)| w).collect())
}

/// [`sorted`], each warning kept with its event; the series walked kept in `cache`.
fn sorted_by_event(
    found: Found,
    cache: Option<&mut RuleCache>,
) -> (Vec<Occurrence>, Vec<(usize, Warning)>) {
    let Found {
        mut out,
        mut warnings,
        walks,
    } = found;
    if let Some(cache) = cache {
        cache.keep(walks);
    }
    sort_occurrences(&mut out);
    warnings.sort_by_key(|(event, _)| *event);
    (out, warnings)
}

/// Sorted by every field (start first), equal ones once.
fn sort_occurrences(out: &mut Vec<Occurrence>) {
    crate::order::sort_by_start(
        out,
        |o| o.start,
        |a, b| (a.event, a.end, a.all_day).cmp(&(b.event, b.end, b.all_day)),
    );
    out.dedup();
}

type Window = (DateTime<Utc>, DateTime<Utc>);

/// What a part of the events expanded to: occurrences (unsorted), warnings (by event),
/// and, when a cache is kept, the series it took from the cache and the ones it walked.
struct Found {
    out: Vec<Occurrence>,
    warnings: Vec<(usize, Warning)>,
    walks: cache::Walks,
}

impl Found {
    fn new(keep: bool) -> Found {
        Found {
            out: Vec::new(),
            warnings: Vec::new(),
            walks: cache::Walks::new(keep),
        }
    }

    fn join(&mut self, more: Found) {
        self.out.extend(more.out);
        self.warnings.extend(more.warnings);
        self.walks.join(more.walks);
    }
}

/// Expands `events[range]` into `found`, in event order: the occurrences that overlap
/// `cut`, each series' rules walked in `wide` (the cut window widened, or the same).
fn expand_range(
    events: &[Event],
    range: std::ops::Range<usize>,
    overridden: &Overrides<'_>,
    (floating, kept): (Tz, Option<&RuleCache>),
    (cut, wide): (Window, Window),
    found: &mut Found,
) {
    let Found {
        out,
        warnings,
        walks,
    } = found;
    let (from, to) = cut;
    let near = Near::of(cut);
    for (i, e) in events.iter().enumerate().take(range.end).skip(range.start) {
        if !overridden.deleted.is_empty() && overridden.deleted.contains(&i) {
            continue;
        }
        let series = series_of(e);
        if near.rules_out(e, series) {
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
        if begins_after(rec, first, floating, to) {
            continue;
        }
        rdate_periods(e, rec, zone, floating, &mut instance);
        let starts = walks.starts(kept, e, floating, (wide, cut), |window| {
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

/// The recurrence of a series master (an override's own is not walked).
fn series_of(e: &Event) -> Option<&super::Recurrence> {
    e.recurrence
        .as_deref()
        .filter(|_| e.recurrence_id.is_none())
}

/// A window's ends as wall-clock readings, to rule out at a glance the events far from it.
struct Near {
    from: chrono::NaiveDateTime,
    to: chrono::NaiveDateTime,
}

impl Near {
    fn of((from, to): Window) -> Near {
        // No zone is more than 14 hours from UTC: a wall-clock time this far outside the
        // window is outside it in every zone, and needs no zone lookup to rule out.
        let slack = TimeDelta::hours(15);
        Near {
            from: from.naive_utc() - slack,
            to: to.naive_utc() + slack,
        }
    }

    /// Whether `e` (a master of `series`, if that is given) has nothing in the window
    /// whatever its zone: it begins after it (with no RDATE that could reach back), or
    /// is a single event over before it.
    fn rules_out(&self, e: &Event, series: Option<&super::Recurrence>) -> bool {
        let naive = e.start.naive();
        let length = match e.length {
            Length::Exact(d) => d,
            Length::Days(n) => TimeDelta::days(n),
        };
        let no_dates = |r: &super::Recurrence| r.rdates.is_empty() && r.periods.is_empty();
        let later = naive >= self.to && series.is_none_or(no_dates);
        let earlier = series.is_none() && naive + length < self.from;
        later || earlier
    }
}

/// Whether a series that begins at `first` begins after the window that ends at `to`,
/// RDATEs and all: it has nothing in it, and most of a year-long calendar's series do
/// (their rules are not built).
fn begins_after(
    rec: &super::Recurrence,
    first: DateTime<Utc>,
    floating: Tz,
    to: DateTime<Utc>,
) -> bool {
    let after = |t: &EventTime| t.resolve(floating) >= to;
    first >= to && rec.rdates.iter().all(after) && rec.periods.iter().all(|p| after(&p.0))
}

/// Whether a run in `window` walks the rules of series `e` (a warning about them is then
/// its to give).
fn walked_in(e: &Event, floating: Tz, window: Window) -> bool {
    let Some(rec) = series_of(e) else {
        return false;
    };
    !Near::of(window).rules_out(e, Some(rec))
        && !begins_after(rec, e.start.resolve(floating), floating, window.1)
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
mod incremental;
mod overrides;
mod rules;
#[cfg(test)]
mod tests;

pub use cache::RuleCache;
use overrides::Overrides;
use rules::{at_start_time, rule_sets};
