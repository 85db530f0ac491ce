//! RRULE values checked part by part (RFC 5545 §3.3.10). A part that cannot be right
//! (`COUNT=-1`, `INTERVAL=0`, `BYMONTHDAY=32`, an UNTIL that is not a date) is dropped with
//! a message and the rest of the rule kept, as mature readers do; only a rule without a
//! usable FREQ is dropped whole.

const FREQS: [&str; 7] = [
    "SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY",
];
const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// The rule with its broken parts left out (`None` if nothing usable is left), and a
/// message for each part left out.
pub(super) fn sanitize(value: &str) -> (Option<String>, Vec<String>) {
    let value = value.trim();
    let value = if value
        .get(..6)
        .is_some_and(|p| p.eq_ignore_ascii_case("RRULE:"))
    {
        value.get(6..).unwrap_or_default()
    } else {
        value
    };
    let mut kept: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for part in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((name, v)) = part.split_once('=') else {
            problems.push(format!("RRULE part {part:?} is not NAME=VALUE; left out"));
            continue;
        };
        let name = name.trim().to_ascii_uppercase();
        let v = v.trim();
        if seen.contains(&name) {
            problems.push(format!(
                "RRULE part {name} is given twice; the second is left out"
            ));
            continue;
        }
        seen.push(name.clone());
        match check(&name, v) {
            Ok(v) => kept.push(format!("{name}={v}")),
            Err(why) => problems.push(format!(
                "RRULE part {part:?} {why}; left out, the rule kept"
            )),
        }
    }
    if !kept.iter().any(|p| p.starts_with("FREQ=")) {
        problems.push(format!(
            "RRULE {value:?} has no valid FREQ (one of {}); the rule is ignored",
            FREQS.join(", ")
        ));
        return (None, problems);
    }
    if kept.iter().any(|p| p.starts_with("UNTIL=")) && kept.iter().any(|p| p.starts_with("COUNT="))
    {
        problems.push(
            "RRULE has both COUNT and UNTIL (RFC 5545 allows one); the series ends at whichever \
             comes first"
                .into(),
        );
    }
    (Some(kept.join(";")), problems)
}

/// The part's value, normalised, or why it cannot be right.
fn check(name: &str, v: &str) -> Result<String, String> {
    let upper = v.to_ascii_uppercase();
    match name {
        "FREQ" if FREQS.contains(&upper.as_str()) => Ok(upper),
        "FREQ" => Err("is not a frequency".into()),
        "COUNT" | "INTERVAL" => match v.parse::<u32>() {
            Ok(n) if n >= 1 => Ok(n.to_string()),
            _ => Err("must be a whole number of at least 1".into()),
        },
        "UNTIL" => until(&upper).ok_or_else(|| "is not a date or date-time".into()),
        "WKST" if DAYS.contains(&upper.as_str()) => Ok(upper),
        "WKST" => Err("is not a weekday (MO … SU)".into()),
        "BYSECOND" => list(&upper, |n| (0..=60).contains(&n)),
        "BYMINUTE" => list(&upper, |n| (0..=59).contains(&n)),
        "BYHOUR" => list(&upper, |n| (0..=23).contains(&n)),
        "BYMONTH" => list(&upper, |n| (1..=12).contains(&n)),
        "BYMONTHDAY" => list(&upper, |n| n != 0 && (-31..=31).contains(&n)),
        "BYYEARDAY" | "BYSETPOS" => list(&upper, |n| n != 0 && (-366..=366).contains(&n)),
        "BYWEEKNO" => list(&upper, |n| n != 0 && (-53..=53).contains(&n)),
        "BYDAY" => {
            let ok = upper.split(',').all(|d| {
                let d = d.trim();
                // A weekday is two letters after an optional number ("MO", "-1FR").
                let Some(at) = d.len().checked_sub(2) else {
                    return false;
                };
                let (Some(n), Some(day)) = (d.get(..at), d.get(at..)) else {
                    return false;
                };
                DAYS.contains(&day)
                    && (n.is_empty()
                        || n.parse::<i32>()
                            .is_ok_and(|n| n != 0 && (-53..=53).contains(&n)))
            });
            if ok && !upper.is_empty() {
                Ok(upper
                    .split(',')
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join(","))
            } else {
                Err("is not a list of weekdays such as MO,2TU,-1FR".into())
            }
        }
        _ => Err("is not an RRULE part".into()),
    }
}

fn list(v: &str, ok: impl Fn(i32) -> bool) -> Result<String, String> {
    let values: Option<Vec<i32>> = v
        .split(',')
        .map(|x| x.trim().parse::<i32>().ok().filter(|n| ok(*n)))
        .collect();
    match values {
        Some(values) if !values.is_empty() => Ok(values
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(",")),
        _ => Err("has a value out of range".into()),
    }
}

/// `YYYYMMDD`, `YYYYMMDDTHHMMSS` or the same with `Z`, checked as a real date.
fn until(v: &str) -> Option<String> {
    let (date, time) = match v.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (v, None),
    };
    chrono::NaiveDate::parse_from_str(date, "%Y%m%d").ok()?;
    if date.len() != 8 {
        return None;
    }
    if let Some(t) = time {
        let t = t.strip_suffix('Z').unwrap_or(t);
        if t.len() != 6 || chrono::NaiveTime::parse_from_str(t, "%H%M%S").is_err() {
            return None;
        }
    }
    Some(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[track_caller]
    fn check(input: &str, rule: Option<&str>, problems: usize) {
        let (got, why) = sanitize(input);
        assert_eq!(got.as_deref(), rule, "{input}: {why:?}");
        assert_eq!(why.len(), problems, "{input}: {why:?}");
    }

    #[test]
    fn broken_parts_are_dropped_and_the_rule_kept() {
        check(
            "FREQ=WEEKLY;BYDAY=MO,WE",
            Some("FREQ=WEEKLY;BYDAY=MO,WE"),
            0,
        );
        check("RRULE:freq=daily;count=3", Some("FREQ=DAILY;COUNT=3"), 0);
        check("FREQ=WEEKLY;COUNT=-1", Some("FREQ=WEEKLY"), 1);
        check(
            "FREQ=WEEKLY;COUNT=-1;UNTIL=20240930T000000Z",
            Some("FREQ=WEEKLY;UNTIL=20240930T000000Z"),
            1,
        );
        check("FREQ=DAILY;INTERVAL=0", Some("FREQ=DAILY"), 1);
        check("FREQ=MONTHLY;BYMONTHDAY=32", Some("FREQ=MONTHLY"), 1);
        check(
            "FREQ=MONTHLY;BYMONTHDAY=-1",
            Some("FREQ=MONTHLY;BYMONTHDAY=-1"),
            0,
        );
        check("FREQ=YEARLY;UNTIL=2025", Some("FREQ=YEARLY"), 1);
        check("FREQ=YEARLY;UNTIL=20250230", Some("FREQ=YEARLY"), 1);
        check("FREQ=WEEKLY;BYDAY=MO,XX", Some("FREQ=WEEKLY"), 1);
        // Found by the lexer's differential test: a one-letter day overflowed a subtraction.
        check("FREQ=WEEKLY;BYDAY=M", Some("FREQ=WEEKLY"), 1);
        check("FREQ=WEEKLY;BYDAY=MO,,TU", Some("FREQ=WEEKLY"), 1);
        check(
            "FREQ=MONTHLY;BYDAY=-1FR,2TU",
            Some("FREQ=MONTHLY;BYDAY=-1FR,2TU"),
            0,
        );
        check(
            "FREQ=WEEKLY;X-NAME=1;WKST=SU",
            Some("FREQ=WEEKLY;WKST=SU"),
            1,
        );
        check(
            "FREQ=DAILY;COUNT=5;UNTIL=20240930",
            Some("FREQ=DAILY;COUNT=5;UNTIL=20240930"),
            1,
        );
        check("FREQ=FORTNIGHTLY", None, 2);
        check("COUNT=3", None, 1);
        check("", None, 1);
        check("FREQ=DAILY;;COUNT=2;", Some("FREQ=DAILY;COUNT=2"), 0);
        check("FREQ=DAILY;COUNT=2;COUNT=3", Some("FREQ=DAILY;COUNT=2"), 1);
        check("FREQ=WEEKLY;BYDAY=ü", Some("FREQ=WEEKLY"), 1);
    }
}
