//! VTIMEZONE definitions for TZIDs that are not zone names (`custom_America/New_York`,
//! `"Western/Central Europe"`, `UTC+11`): the definition's offsets are computed over
//! recent years and matched to the IANA zone that gives the same offsets at every sample,
//! so the event's wall-clock times follow that zone's rules. Pure: no I/O.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone};
use chrono_tz::{Tz, TZ_VARIANTS};
use icalendar::parser::{Component, Property};
use rrule::{RRule, RRuleSet, Unvalidated};

/// One STANDARD or DAYLIGHT block: from each onset on, the offset is `to` (seconds).
struct Observance {
    onsets: Vec<NaiveDateTime>, // UTC instants, sorted
    from: i32,
    to: i32,
}

/// The instants compared: weekly at noon UTC over four recent years.
fn samples() -> impl Iterator<Item = NaiveDateTime> {
    let first = NaiveDate::from_ymd_opt(2021, 1, 4)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .unwrap_or_default();
    (0..209).map(move |w| first + TimeDelta::weeks(w))
}

fn end_of_samples() -> NaiveDateTime {
    samples().last().unwrap_or_default() + TimeDelta::weeks(1)
}

/// `+0100`, `-0530`, `+013045` as seconds east of UTC.
fn utc_offset(value: &str) -> Option<i32> {
    let v = value.trim();
    let (sign, digits) = match v.as_bytes().first()? {
        b'+' => (1, v.get(1..)?),
        b'-' => (-1, v.get(1..)?),
        _ => (1, v),
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| digits.get(r).and_then(|d| d.parse::<i32>().ok());
    let secs = n(0..2)? * 3600 + n(2..4)? * 60 + if digits.len() == 6 { n(4..6)? } else { 0 };
    Some(sign * secs)
}

fn prop<'c>(c: &'c Component<'_>, name: &str) -> Option<&'c Property<'c>> {
    c.properties
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
}

/// A DATE-TIME (or a DATE, as midnight) read as wall-clock time.
fn local(value: &str) -> Option<NaiveDateTime> {
    let v = value.trim().trim_end_matches(['Z', 'z']);
    NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(v, "%Y%m%d")
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
}

fn observance(c: &Component<'_>) -> Option<Observance> {
    let from = utc_offset(prop(c, "TZOFFSETFROM")?.val.as_str())?;
    let to = utc_offset(prop(c, "TZOFFSETTO")?.val.as_str())?;
    let start = local(prop(c, "DTSTART")?.val.as_str())?;
    let limit = end_of_samples();
    let mut onsets = vec![start];
    for p in c
        .properties
        .iter()
        .filter(|p| p.name.as_str().eq_ignore_ascii_case("RDATE"))
    {
        onsets.extend(p.val.as_str().split(',').filter_map(local));
    }
    if let Some(rule) = prop(c, "RRULE") {
        // Onsets are wall-clock times; reckoned here as if UTC, then shifted below.
        let dtstart = rrule::Tz::UTC.from_utc_datetime(&start);
        let parsed = rule
            .val
            .as_str()
            .parse::<RRule<Unvalidated>>()
            .ok()
            .and_then(|r| r.validate(dtstart).ok());
        if let Some(r) = parsed {
            let until = rrule::Tz::UTC.from_utc_datetime(&limit);
            onsets.extend(
                RRuleSet::new(dtstart)
                    .rrule(r)
                    .before(until)
                    .all(4096)
                    .dates
                    .iter()
                    .map(|d| d.naive_utc()),
            );
        }
    }
    let mut onsets: Vec<NaiveDateTime> = onsets
        .into_iter()
        .filter(|t| *t <= limit)
        .map(|t| t - TimeDelta::seconds(i64::from(from)))
        .collect();
    onsets.sort();
    onsets.dedup();
    Some(Observance { onsets, from, to })
}

/// The offset the definition gives at `t` (UTC): that of the latest onset at or before it.
fn offset_at(observances: &[Observance], t: NaiveDateTime) -> Option<i32> {
    let latest = observances
        .iter()
        .filter_map(|o| {
            let i = o.onsets.partition_point(|x| *x <= t);
            i.checked_sub(1).map(|i| (o.onsets[i], o.to))
        })
        .max_by_key(|(at, _)| *at);
    match latest {
        Some((_, to)) => Some(to),
        None => observances
            .iter()
            .filter_map(|o| o.onsets.first().map(|f| (*f, o.from)))
            .min_by_key(|(at, _)| *at)
            .map(|(_, from)| from),
    }
}

/// The IANA zone whose offsets equal the definition's at every sample; among several, one
/// whose name the TZID contains, else the first in the table's (alphabetical) order.
fn matching_zone(tzid: &str, observances: &[Observance]) -> Option<Tz> {
    let wanted: Vec<(NaiveDateTime, i32)> = samples()
        .map(|t| offset_at(observances, t).map(|o| (t, o)))
        .collect::<Option<_>>()?;
    let matches = |tz: &Tz| {
        wanted
            .iter()
            .all(|(t, o)| tz.offset_from_utc_datetime(t).fix().local_minus_utc() == *o)
    };
    let mut found = TZ_VARIANTS.iter().filter(|tz| matches(tz));
    let first = found.next()?;
    let named = std::iter::once(first)
        .chain(found)
        .find(|tz| tzid.contains(tz.name()));
    Some(*named.unwrap_or(first))
}

/// Zones for the VTIMEZONE components `vtimezones` whose TZID `known` cannot resolve.
pub(super) fn custom_zones(
    vtimezones: &[Component<'_>],
    known: impl Fn(&str) -> bool,
) -> HashMap<String, Tz> {
    let mut out = HashMap::new();
    for c in vtimezones {
        let Some(tzid) = prop(c, "TZID").map(|p| p.val.as_str().trim().to_string()) else {
            continue;
        };
        if known(&tzid) || out.contains_key(&tzid) {
            continue;
        }
        let observances: Vec<Observance> = c
            .components
            .iter()
            .filter(|o| {
                let n = o.name.as_str();
                n.eq_ignore_ascii_case("STANDARD") || n.eq_ignore_ascii_case("DAYLIGHT")
            })
            .filter_map(observance)
            .collect();
        if observances.is_empty() {
            continue;
        }
        if let Some(tz) = matching_zone(&tzid, &observances) {
            out.insert(tzid, tz);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::utc_offset;

    #[test]
    fn utc_offsets() {
        assert_eq!(utc_offset("+0100"), Some(3600));
        assert_eq!(utc_offset("-0530"), Some(-19800));
        assert_eq!(utc_offset("+013045"), Some(5445));
        assert_eq!(utc_offset("-0000"), Some(0));
        for bad in ["", "+", "+1", "0100x", "+ü100", "+01000"] {
            assert_eq!(utc_offset(bad), None, "{bad}");
        }
    }
}
