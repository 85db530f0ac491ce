//! RRULE, RDATE and EXDATE as an `rrule::RRuleSet` in the event's own zone: UNTIL made UTC
//! as the crate wants it, COUNT with UNTIL ending at the first, and a fine-grained rule
//! that began long ago started just before the window (same instants, far less work).

use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;
use rrule::{RRule, RRuleSet, Unvalidated};

use crate::calendar::tz::local_to_utc;
use crate::calendar::{Event, EventTime};

/// The series as `RRuleSet`s whose union is its instances from `from` on: one per RRULE
/// (each started near the window if it repeats often and began long ago), and one for the
/// RDATEs (with DTSTART when there is no RRULE). EXDATEs are in each.
pub(super) fn rule_sets(
    e: &Event,
    rec: &crate::calendar::Recurrence,
    zone: Tz,
    floating: Tz,
    from: DateTime<Utc>,
) -> Result<Vec<RRuleSet>, String> {
    let rz = rrule::Tz::Tz(zone);
    let dtstart = local_to_utc(zone, e.start.naive()).with_timezone(&rz);
    let parse = |rule: &str| parse_rule(rule, dtstart);
    let at_start_time = |t: &EventTime| at_start_time(e, t, zone, floating).with_timezone(&rz);
    let with_exdates = |mut set: RRuleSet| {
        for x in &rec.exdates {
            set = set.exdate(at_start_time(x));
        }
        set
    };
    let window = from.with_timezone(&zone).naive_local();
    let mut sets = Vec::new();
    for line in &rec.rrules {
        // UNTIL as the `rrule` crate wants it, COUNT with UNTIL resolved, from DTSTART.
        let normal = normalize_until(line, zone, e.start.is_date());
        let rule = count_and_until(&normal, &parse, dtstart);
        // The `rrule` crate walks every instance from its start: a rule that repeats
        // every minute since 1997 would take minutes, so it starts nearer instead.
        match rebase(&rule, e.start.naive(), window) {
            Some((rule, days)) => {
                let later =
                    local_to_utc(zone, e.start.naive() + TimeDelta::days(days)).with_timezone(&rz);
                if let Some(rule) = rule {
                    let set = RRuleSet::new(later).rrule(parse_rule(&rule, later)?);
                    sets.push(with_exdates(set));
                }
            }
            None => sets.push(with_exdates(RRuleSet::new(dtstart).rrule(parse(&rule)?))),
        }
    }
    // Without an RRULE the series is DTSTART and the RDATEs (RFC 5545 §3.8.5.2).
    if rec.rrules.is_empty() || !rec.rdates.is_empty() {
        let mut set = RRuleSet::new(dtstart);
        if rec.rrules.is_empty() {
            set = set.rdate(dtstart);
        }
        for r in &rec.rdates {
            set = set.rdate(at_start_time(r));
        }
        sets.push(with_exdates(set));
    }
    Ok(sets)
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
pub(super) fn at_start_time(e: &Event, t: &EventTime, zone: Tz, floating: Tz) -> DateTime<Utc> {
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
