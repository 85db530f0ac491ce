//! Expanding again only the events that changed since the last run.
//!
//! A run with a [`RuleCache`] keeps, besides the series' instants, every occurrence it
//! found in the window widened to whole days (`cache::widened`), sorted, and for each
//! event the [`Origin`](crate::calendar::Origin) of the reading it was found for. The
//! next run on the same widened window (the same day) takes each event whose origin (and
//! start, as a check) is the one at its place last time from there, expands only the
//! others, merges the two sorted lists and cuts the result to its own window. An event's
//! occurrences depend on that event alone, except in a series with overrides (the
//! overrides replace, move or are dropped by the master's instances): those are expanded
//! again in every run. Occurrences found in the widened window and cut to the run's own
//! are the ones a run in its own window finds, since each is kept or not by whether it
//! overlaps the window; a warning about a series' rules is given when a run in its own
//! window would walk them (`walked_in`). Too many changes (a calendar read afresh, an
//! event inserted near the top) and the run expands everything, as the first one does.

use std::num::NonZeroU64;

use chrono_tz::Tz;

use super::{
    expand_range, overlaps, sort_occurrences, walked_in, Found, Occurrence, Overrides, RuleCache,
    Window,
};
use crate::calendar::{Event, EventTime, Warning};

/// What a run kept of its occurrences (see the module's text).
pub(in crate::calendar) struct Expanded {
    floating: Tz,
    wide: Window,
    /// By event: the origin of the reading its occurrences were found for; none for an
    /// event expanded again in every run (in a series with overrides, or unknown).
    origins: Vec<Option<NonZeroU64>>,
    starts: Vec<EventTime>,
    /// Every occurrence in `wide`, sorted as a run's are.
    sorted: Vec<Occurrence>,
    warnings: Vec<(usize, Warning)>,
}

/// Whether event `i`'s occurrences depend on other events: an override, or a series with
/// overrides.
fn grouped(e: &Event, overridden: &Overrides<'_>) -> bool {
    e.recurrence_id.is_some()
        || (e.recurrence.is_some()
            && !overridden.by_uid.is_empty()
            && overridden.by_uid.contains_key(e.uid.as_str()))
}

/// The occurrences in `window` (and the warnings a run in it gives), from the last run's
/// where events did not change, if the last run kept them for the same widened window and
/// few events changed.
pub(super) fn again(
    events: &[Event],
    overridden: &Overrides<'_>,
    floating: Tz,
    (window, wide): (Window, Window),
    cache: &mut RuleCache,
) -> Option<(Vec<Occurrence>, Vec<Warning>)> {
    let last = cache.expanded.take()?;
    if last.floating != floating || last.wide != wide {
        return None;
    }
    let n = events.len();
    let mut dirty = vec![false; n];
    let mut changed = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let same = e.origin.number().is_some()
            && last.origins.get(i).copied().flatten() == e.origin.number()
            && last.starts.get(i) == Some(&e.start)
            && !grouped(e, overridden);
        if !same {
            dirty[i] = true;
            changed.push(i);
            if changed.len() > n / 8 + 8 {
                return None;
            }
        }
    }
    let mut found = Found::new(true);
    for &i in &changed {
        expand_range(
            events,
            i..i + 1,
            overridden,
            (floating, Some(&*cache)),
            (wide, wide),
            &mut found,
        );
    }
    if found.walks.short {
        return None;
    }
    let Found {
        out: mut fresh,
        warnings: fresh_warnings,
        walks,
    } = found;
    cache.add(walks);
    cache.expanded_last = changed.len();
    sort_occurrences(&mut fresh);
    let kept = |event: usize| event < n && !dirty[event];
    let sorted = merge(last.sorted.iter().copied().filter(|o| kept(o.event)), fresh);
    let mut warnings: Vec<(usize, Warning)> = last
        .warnings
        .into_iter()
        .filter(|(i, _)| kept(*i))
        .chain(fresh_warnings)
        .collect();
    warnings.sort_by_key(|(event, _)| *event);
    let mut origins = last.origins;
    let mut starts = last.starts;
    origins.resize(n, None);
    starts.resize(n, EventTime::Date(chrono::NaiveDate::MIN));
    for &i in &changed {
        let e = &events[i];
        origins[i] = e.origin.number().filter(|_| !grouped(e, overridden));
        starts[i] = e.start;
    }
    let expanded = Expanded {
        floating,
        wide,
        origins,
        starts,
        sorted,
        warnings,
    };
    Some(cut(events, expanded, window, cache))
}

/// Keeps a run's occurrences in `wide` (sorted) for the next, and gives those in `window`.
pub(super) fn keep(
    events: &[Event],
    overridden: &Overrides<'_>,
    floating: Tz,
    (window, wide): (Window, Window),
    (sorted, warnings): (Vec<Occurrence>, Vec<(usize, Warning)>),
    cache: &mut RuleCache,
) -> (Vec<Occurrence>, Vec<Warning>) {
    let origins = events
        .iter()
        .map(|e| e.origin.number().filter(|_| !grouped(e, overridden)))
        .collect();
    let starts = events.iter().map(|e| e.start).collect();
    let expanded = Expanded {
        floating,
        wide,
        origins,
        starts,
        sorted,
        warnings,
    };
    cut(events, expanded, window, cache)
}

/// The occurrences that overlap `window` and the warnings a run in it gives (each at its
/// event's line now); `expanded` kept in `cache`.
fn cut(
    events: &[Event],
    expanded: Expanded,
    window: Window,
    cache: &mut RuleCache,
) -> (Vec<Occurrence>, Vec<Warning>) {
    let occurrences = expanded
        .sorted
        .iter()
        .filter(|o| overlaps(o.start, o.end, window.0, window.1))
        .copied()
        .collect();
    let warnings = expanded
        .warnings
        .iter()
        .filter_map(|(i, w)| {
            let e = events.get(*i)?;
            walked_in(e, expanded.floating, window).then(|| Warning {
                line: e.line,
                message: w.message.clone(),
            })
        })
        .collect();
    cache.expanded = Some(expanded);
    (occurrences, warnings)
}

/// Two sorted lists of occurrences as one, sorted the same way (by start, then the other
/// fields), equal ones once.
fn merge(old: impl Iterator<Item = Occurrence>, fresh: Vec<Occurrence>) -> Vec<Occurrence> {
    let key = |o: &Occurrence| (o.start, o.event, o.end, o.all_day);
    let mut out: Vec<Occurrence> = Vec::with_capacity(old.size_hint().0 + fresh.len());
    let mut fresh = fresh.into_iter().peekable();
    for o in old {
        while let Some(f) = fresh.next_if(|f| key(f) <= key(&o)) {
            out.push(f);
        }
        out.push(o);
    }
    out.extend(fresh);
    out.dedup();
    out
}
