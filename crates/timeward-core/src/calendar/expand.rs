//! Recurrence expansion: events to the occurrences that overlap a window.
//!
//! Pure: the window and the zone for floating times are arguments. RRULE is expanded by
//! the `rrule` crate in the event's own zone, so wall-clock times hold across daylight
//! saving; RDATE adds, EXDATE removes, and an override (same UID, RECURRENCE-ID) replaces
//! the instance it names.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeDelta, Utc};
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
    let overridden = Overrides::of(events, floating);
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
        let masters: HashMap<&str, &Event> = events
            .iter()
            .filter(|e| e.recurrence_id.is_none() && e.recurrence.is_some())
            .map(|e| (e.uid.as_str(), e))
            .collect();
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

    /// How the instance of `master` at `start` is replaced: `None` if it is not, `Some(None)`
    /// if an override of its own stands in its place, `Some(Some((start, override)))` if a
    /// THISANDFUTURE override moves it (and lends it its properties).
    fn replaced(
        &self,
        master: &Event,
        zone: Tz,
        start: DateTime<Utc>,
    ) -> Option<Option<(DateTime<Utc>, usize)>> {
        let r = self.by_uid.get(master.uid.as_str())?;
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

/// Expands `events[range]` into `out` (unsorted) and `warnings`, in event order.
fn expand_range(
    events: &[Event],
    range: std::ops::Range<usize>,
    overridden: &Overrides<'_>,
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
        if overridden.deleted.contains(&i) {
            continue;
        }
        let series = e.recurrence.as_ref().filter(|_| e.recurrence_id.is_none());
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
        let mut instance = |start: DateTime<Utc>, end: Option<DateTime<Utc>>| match overridden
            .replaced(e, zone, start)
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
        // An RDATE period is an occurrence with its own length.
        let excluded: Vec<DateTime<Utc>> = if rec.periods.is_empty() {
            Vec::new()
        } else {
            rec.exdates
                .iter()
                .map(|x| at_start_time(e, x, zone, floating))
                .collect()
        };
        for (at, length) in &rec.periods {
            let start = at.resolve(floating);
            if !excluded.contains(&start) {
                instance(start, Some(start + *length));
            }
        }
        // An occurrence overlapping `from` may start up to its length earlier.
        let reach = match e.length {
            Length::Exact(d) => d,
            Length::Days(n) => TimeDelta::days(n + 1),
        };
        match rule_set(e, rec, zone, floating, from - reach) {
            Ok(set) => {
                let rz = rrule::Tz::Tz(zone);
                let after = (from - reach - TimeDelta::seconds(1)).with_timezone(&rz);
                let before = to.with_timezone(&rz);
                for dt in set.after(after).before(before).all(u16::MAX).dates {
                    instance(dt.with_timezone(&Utc), None);
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
                push(i, first, None);
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

/// The series' rules as an `RRuleSet`, for occurrences from `from` on.
fn rule_set(
    e: &Event,
    rec: &super::Recurrence,
    zone: Tz,
    floating: Tz,
    from: DateTime<Utc>,
) -> Result<RRuleSet, String> {
    let rz = rrule::Tz::Tz(zone);
    let dtstart = local_to_utc(zone, e.start.naive()).with_timezone(&rz);
    // The `rrule` crate walks every instance from DTSTART: a rule that repeats every
    // minute since 1997 would take minutes. One fine-grained rule starts nearer instead.
    if let [only] = rec.rrules.as_slice() {
        let window = from.with_timezone(&zone).naive_local();
        let normal = normalize_until(only, zone, e.start.is_date());
        let normal = count_and_until(&normal, &|r: &str| parse_rule(r, dtstart), dtstart);
        if let Some((rule, days)) = rebase(&normal, e.start.naive(), window) {
            let later = local_to_utc(zone, e.start.naive() + TimeDelta::days(days));
            let mut set = RRuleSet::new(later.with_timezone(&rz));
            if let Some(rule) = rule {
                set = set.rrule(parse_rule(&rule, later.with_timezone(&rz))?);
            }
            for x in &rec.exdates {
                set = set.exdate(at_start_time(e, x, zone, floating).with_timezone(&rz));
            }
            for r in &rec.rdates {
                set = set.rdate(at_start_time(e, r, zone, floating).with_timezone(&rz));
            }
            return Ok(set);
        }
    }
    let mut set = RRuleSet::new(dtstart);
    let parse = |rule: &str| parse_rule(rule, dtstart);
    for line in &rec.rrules {
        let normal = normalize_until(line, zone, e.start.is_date());
        set = set.rrule(parse(&count_and_until(&normal, &parse, dtstart))?);
    }
    let at_start_time = |t: &EventTime| at_start_time(e, t, zone, floating).with_timezone(&rz);
    // Without an RRULE the set is DTSTART and the RDATEs (RFC 5545 §3.8.5.2).
    if rec.rrules.is_empty() {
        set = set.rdate(dtstart);
    }
    for r in &rec.rdates {
        set = set.rdate(at_start_time(r));
    }
    for x in &rec.exdates {
        set = set.exdate(at_start_time(x));
    }
    Ok(set)
}

fn parse_rule(rule: &str, dtstart: DateTime<rrule::Tz>) -> Result<RRule<rrule::Validated>, String> {
    let parsed: RRule<Unvalidated> = rule
        .parse()
        .map_err(|err| format!("RRULE {rule:?}: {err}"))?;
    parsed
        .validate(dtstart)
        .map_err(|err| format!("RRULE {rule:?}: {err}"))
}

/// For a rule that repeats at least weekly, the number of whole days (a multiple of its
/// period, so that every instant it names stays on the same lattice and every BY part
/// filters the same) by which its start can move on to just before `window`, and the rule
/// to use from there: COUNT less the instances skipped (`None` if none are left), or
/// unchanged. `None` where moving is not worth it or not exact (COUNT with BY parts,
/// MONTHLY and YEARLY, whose periods are not whole days).
fn rebase(
    rule: &str,
    start: NaiveDateTime,
    window: NaiveDateTime,
) -> Option<(Option<String>, i64)> {
    let parts: Vec<(&str, &str)> = rule.split(';').filter_map(|p| p.split_once('=')).collect();
    let get = |name: &str| {
        parts
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    };
    let unit: i64 = match get("FREQ")?.to_ascii_uppercase().as_str() {
        "SECONDLY" => 1,
        "MINUTELY" => 60,
        "HOURLY" => 3_600,
        "DAILY" => 86_400,
        "WEEKLY" => 7 * 86_400,
        _ => return None,
    };
    let interval: i64 = get("INTERVAL").map_or(Some(1), |v| v.parse().ok())?;
    let step = unit.checked_mul(interval.max(1))?;
    let lattice_days = step / gcd(step, 86_400);
    // Leave two lattice periods of room before the window.
    let gap = (window - start).num_days() - 2 * lattice_days;
    let days = gap.div_euclid(lattice_days) * lattice_days;
    // Not worth it for fewer than about ten thousand skipped instances.
    if days <= 0 || days * 86_400 / step < 10_000 {
        return None;
    }
    let Some(count) = get("COUNT") else {
        return Some((Some(rule.to_string()), days));
    };
    let by = parts
        .iter()
        .any(|(k, _)| k.len() > 2 && k[..2].eq_ignore_ascii_case("BY"));
    if by {
        return None;
    }
    let left = count.parse::<i64>().ok()? - days * 86_400 / step;
    if left <= 0 {
        return Some((None, days));
    }
    let rule = parts
        .iter()
        .map(|(k, v)| {
            if k.eq_ignore_ascii_case("COUNT") {
                format!("COUNT={left}")
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join(";");
    Some((Some(rule), days))
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a.abs().max(1)
    } else {
        gcd(b, a % b)
    }
}

/// A rule with both COUNT and UNTIL (RFC 5545 forbids it; the `rrule` crate refuses it) ends
/// at whichever comes first, as readers take it: UNTIL becomes the earlier of the two ends.
fn count_and_until(
    rule: &str,
    parse: &impl Fn(&str) -> Result<RRule<rrule::Validated>, String>,
    dtstart: DateTime<rrule::Tz>,
) -> String {
    let parts: Vec<&str> = rule.split(';').collect();
    let name = |p: &str, n: &str| p.get(..n.len()).is_some_and(|x| x.eq_ignore_ascii_case(n));
    let (Some(until), true) = (
        parts.iter().find(|p| name(p, "UNTIL=")),
        parts.iter().any(|p| name(p, "COUNT=")),
    ) else {
        return rule.to_string();
    };
    let counted: Vec<&str> = parts
        .iter()
        .copied()
        .filter(|p| !name(p, "UNTIL="))
        .collect();
    let last = parse(&counted.join(";")).ok().and_then(|r| {
        RRuleSet::new(dtstart)
            .rrule(r)
            .all(u16::MAX)
            .dates
            .last()
            .copied()
    });
    let until_at = until
        .get(6..)
        .and_then(|v| chrono::NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%SZ").ok())
        .map(|n| n.and_utc());
    let end = match (last.map(|l| l.with_timezone(&Utc)), until_at) {
        (Some(l), Some(u)) => l.min(u),
        (Some(l), None) => l,
        (None, Some(u)) => u,
        (None, None) => return counted.join(";"),
    };
    let mut kept: Vec<String> = parts
        .iter()
        .filter(|p| !name(p, "UNTIL=") && !name(p, "COUNT="))
        .map(|p| (*p).to_string())
        .collect();
    kept.push(format!("UNTIL={}", end.format("%Y%m%dT%H%M%SZ")));
    kept.join(";")
}

/// An RDATE or EXDATE as an instant: a date in a timed series means that day's instance.
fn at_start_time(e: &Event, t: &EventTime, zone: Tz, floating: Tz) -> DateTime<Utc> {
    match t {
        EventTime::Date(d) if !e.start.is_date() => {
            local_to_utc(zone, d.and_time(e.start.naive().time()))
        }
        other => other.resolve(floating),
    }
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

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use chrono_tz::Tz;

    use super::expand;
    use crate::calendar::ics::parse;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// The starts of one event with `rule` from `start`, in `[from, to)`.
    fn starts(start: &str, rule: &str, from: &str, to: &str) -> Vec<String> {
        let text = format!(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:{start}\r\nRRULE:{rule}\r\n\
             END:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        let snapshot = parse(&text).unwrap_or_else(|e| panic!("{e}"));
        let (occ, warnings) = expand(&snapshot.events, Tz::UTC, at(from), at(to));
        assert!(warnings.is_empty(), "{warnings:?}");
        occ.iter()
            .map(|o| o.start.format("%F %T").to_string())
            .collect()
    }

    /// Fine-grained series that began long ago are expanded from near the window, with
    /// the same instants as a walk from DTSTART would give (checked by arithmetic).
    #[test]
    fn old_fine_grained_series_start_near_the_window() {
        let from = "2024-09-09T00:00:00Z";
        let to = "2024-09-09T00:00:05Z";
        // Every second: five instants.
        assert_eq!(
            starts("19970902T090000Z", "FREQ=SECONDLY", from, to),
            (0..5)
                .map(|s| format!("2024-09-09 00:00:0{s}"))
                .collect::<Vec<_>>()
        );
        // Every 7 seconds since 1997: (2024-09-09 - 1997-09-02 09:00) = 851 871 600 s,
        // which is 4 (mod 7), so the instant at or after 00:00:00 is 00:00:03.
        assert_eq!(
            starts("19970902T090000Z", "FREQ=SECONDLY;INTERVAL=7", from, to),
            vec!["2024-09-09 00:00:03"]
        );
        // COUNT counts from DTSTART: 691 503 seconds from 2024-09-01 end at 00:05:02
        // on the 9th (8 × 86 400 + 302 = 691 502 is the last offset).
        assert_eq!(
            starts(
                "20240901T000000Z",
                "FREQ=SECONDLY;COUNT=691503",
                "2024-09-09T00:05:00Z",
                "2024-09-09T00:06:00Z"
            ),
            vec![
                "2024-09-09 00:05:00",
                "2024-09-09 00:05:01",
                "2024-09-09 00:05:02"
            ]
        );
        // A COUNT used up long before the window: nothing.
        assert!(starts("19970902T090000Z", "FREQ=MINUTELY;COUNT=100000", from, to).is_empty());
        // BY parts filter the same instants.
        assert_eq!(
            starts(
                "19970902T090000Z",
                "FREQ=MINUTELY;BYDAY=MO;BYHOUR=0;BYMINUTE=0,1",
                "2024-09-09T00:00:00Z",
                "2024-09-16T00:02:00Z"
            ),
            vec![
                "2024-09-09 00:00:00",
                "2024-09-09 00:01:00",
                "2024-09-16 00:00:00",
                "2024-09-16 00:01:00"
            ]
        );
        // Fortnightly since Monday 1900-01-01: 2024-09-09 is 6 506 weeks on (even).
        assert_eq!(
            starts(
                "19000101T100000Z",
                "FREQ=WEEKLY;INTERVAL=2",
                "2024-09-01T00:00:00Z",
                "2024-09-15T00:00:00Z"
            ),
            vec!["2024-09-09 10:00:00"]
        );
    }
}
