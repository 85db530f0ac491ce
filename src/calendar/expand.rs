//! Recurrence expansion: events to the occurrences that overlap a window.
//!
//! Pure: the window and the zone for floating times are arguments. RRULE is expanded by
//! the `rrule` crate in the event's own zone, so wall-clock times hold across daylight
//! saving; RDATE adds, EXDATE removes, and an override (same UID, RECURRENCE-ID) replaces
//! the instance it names.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;
use rrule::{RRule, RRuleSet, Unvalidated};

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
    const PER_THREAD_AT_LEAST: usize = 2048;
    const BLOCK: usize = 64;
    // Instances replaced by an override, per UID, as instants.
    let mut overridden: HashMap<&str, HashSet<DateTime<Utc>>> = HashMap::new();
    for e in events {
        if let Some(rid) = e.recurrence_id {
            overridden
                .entry(e.uid.as_str())
                .or_default()
                .insert(rid.resolve(floating));
        }
    }
    let n = events.len();
    let threads = threads.min(n / PER_THREAD_AT_LEAST).max(1);
    // Events are dealt out in blocks, round robin: a calendar's busy weeks (the ones in
    // the window, which cost the most) tend to sit together in the file.
    let range = |t: usize| {
        let mut out = Vec::new();
        let mut warnings = Vec::new();
        let mut first = t * BLOCK;
        while first < n {
            let last = (first + BLOCK).min(n);
            expand_range(
                events,
                first..last,
                &overridden,
                floating,
                (from, to),
                &mut out,
                &mut warnings,
            );
            first += threads * BLOCK;
        }
        (out, warnings)
    };
    let (mut out, mut warnings) = if threads == 1 {
        range(0)
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (1..threads)
                .map(|t| {
                    let range = &range;
                    scope.spawn(move || range(t))
                })
                .collect();
            let (mut out, mut warnings) = range(0);
            for h in handles {
                match h.join() {
                    Ok((o, w)) => {
                        out.extend(o);
                        warnings.extend(w);
                    }
                    // A panic in expansion is a bug; surface it as the same panic.
                    Err(payload) => std::panic::resume_unwind(payload),
                }
            }
            (out, warnings)
        })
    };
    out.sort_by_key(|o| (o.start, o.event));
    out.dedup();
    // Warnings in event order, as one thread would give them.
    warnings.sort_by_key(|(event, _)| *event);
    (out, warnings.into_iter().map(|(_, w)| w).collect())
}

/// Expands `events[range]` into `out` (unsorted) and `warnings`, in event order.
fn expand_range(
    events: &[Event],
    range: std::ops::Range<usize>,
    overridden: &HashMap<&str, HashSet<DateTime<Utc>>>,
    floating: Tz,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    out: &mut Vec<Occurrence>,
    warnings: &mut Vec<(usize, Warning)>,
) {
    // No zone is more than 14 hours from UTC: a wall-clock time this far outside the
    // window is outside it in every zone, and needs no zone lookup to rule out.
    let slack = TimeDelta::hours(15);
    let (naive_from, naive_to) = (from.naive_utc() - slack, to.naive_utc() + slack);
    for (i, e) in events.iter().enumerate().take(range.end).skip(range.start) {
        let series = e.recurrence.as_ref().filter(|_| e.recurrence_id.is_none());
        let naive = e.start.naive();
        let length = match e.length {
            Length::Exact(d) => d,
            Length::Days(n) => TimeDelta::days(n),
        };
        let later = naive >= naive_to && series.is_none_or(|r| r.rdates.is_empty());
        let earlier = series.is_none() && naive + length < naive_from;
        if later || earlier {
            continue;
        }
        let zone = e.start.zone(floating);
        let mut push = |start: DateTime<Utc>| {
            let end = end_of(e, zone, start);
            if overlaps(start, end, from, to) {
                out.push(Occurrence {
                    event: i,
                    start,
                    end,
                    all_day: e.is_all_day(),
                });
            }
        };
        let first = e.start.resolve(floating);
        let Some(rec) = series else {
            push(first);
            continue;
        };
        // A series that begins after the window has nothing in it (RDATEs aside), and
        // most of a year-long calendar's series do: skip building their rules.
        if first >= to && rec.rdates.iter().all(|r| r.resolve(floating) >= to) {
            continue;
        }
        match rule_set(e, rec, zone, floating) {
            Ok(set) => {
                // An occurrence overlapping `from` may start up to its length earlier.
                let reach = match e.length {
                    Length::Exact(d) => d,
                    Length::Days(n) => TimeDelta::days(n + 1),
                };
                let rz = rrule::Tz::Tz(zone);
                let after = (from - reach - TimeDelta::seconds(1)).with_timezone(&rz);
                let before = to.with_timezone(&rz);
                let skip = overridden.get(e.uid.as_str());
                for dt in set.after(after).before(before).all(u16::MAX).dates {
                    let start = dt.with_timezone(&Utc);
                    if skip.is_some_and(|s| s.contains(&start)) {
                        continue;
                    }
                    push(start);
                }
            }
            Err(why) => {
                warnings.push((i, Warning {
                    line: e.line,
                    message: format!(
                        "event {:?}: recurrence not understood ({why}); only its first occurrence counts",
                        e.uid
                    ),
                }));
                push(first);
            }
        }
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

fn rule_set(
    e: &Event,
    rec: &super::Recurrence,
    zone: Tz,
    floating: Tz,
) -> Result<RRuleSet, String> {
    let rz = rrule::Tz::Tz(zone);
    let dtstart = local_to_utc(zone, e.start.naive()).with_timezone(&rz);
    let mut set = RRuleSet::new(dtstart);
    for line in &rec.rrules {
        let normal = normalize_until(line, zone, e.start.is_date());
        let rule: RRule<Unvalidated> = normal
            .parse()
            .map_err(|err| format!("RRULE {line:?}: {err}"))?;
        let rule = rule
            .validate(dtstart)
            .map_err(|err| format!("RRULE {line:?}: {err}"))?;
        set = set.rrule(rule);
    }
    let at_start_time = |t: &EventTime| -> DateTime<rrule::Tz> {
        match t {
            // A date in a timed series means that day's instance.
            EventTime::Date(d) if !e.start.is_date() => {
                local_to_utc(zone, d.and_time(e.start.naive().time())).with_timezone(&rz)
            }
            other => other.resolve(floating).with_timezone(&rz),
        }
    };
    for r in &rec.rdates {
        set = set.rdate(at_start_time(r));
    }
    for x in &rec.exdates {
        set = set.exdate(at_start_time(x));
    }
    Ok(set)
}

/// The `rrule` crate wants UNTIL in UTC when DTSTART has a zone; calendars also write it
/// as a local time or a date. Rewrite those as the UTC instant they mean (a date means the
/// end of that day).
fn normalize_until(line: &str, zone: Tz, all_day: bool) -> String {
    let line = line.trim();
    let line = line.strip_prefix("RRULE:").unwrap_or(line);
    line.split(';')
        .map(|part| {
            let Some((k, v)) = part.split_once('=') else {
                return part.to_string();
            };
            if !k.trim().eq_ignore_ascii_case("UNTIL") || v.trim().ends_with(['Z', 'z']) {
                return part.to_string();
            }
            let v = v.trim();
            let naive = chrono::NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S")
                .ok()
                .or_else(|| {
                    chrono::NaiveDate::parse_from_str(v, "%Y%m%d")
                        .ok()
                        .and_then(|d| {
                            let t = if all_day {
                                NaiveTime::MIN
                            } else {
                                NaiveTime::from_hms_opt(23, 59, 59)?
                            };
                            Some(d.and_time(t))
                        })
                });
            match naive {
                Some(n) => format!("UNTIL={}", local_to_utc(zone, n).format("%Y%m%dT%H%M%SZ")),
                None => part.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}
