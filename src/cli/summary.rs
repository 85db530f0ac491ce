//! `timeward check`'s summary of a rules file: what it declares, in a few lines.

use std::fmt::Write as _;

use crate::rules::values::{format_duration, weekday_name};
use crate::rules::Rules;

/// A short account of what a rules file declares.
pub fn summary(name: &str, r: &Rules) -> String {
    let mut s = String::new();
    let ex = &r.executive;
    let _ = writeln!(s, "{name}: ok");
    let who = if ex.name.is_empty() {
        ex.email.clone()
    } else {
        format!("{} <{}>", ex.name, ex.email)
    };
    let _ = writeln!(s, "executive    {who}, {}", ex.timezone.name());
    if let Some(a) = &ex.assistant {
        let _ = writeln!(s, "assistant    {a}");
    }
    let hours: Vec<String> = (0..7)
        .filter_map(|i| {
            let d = crate::rules::values::weekday_from_monday(i);
            r.hours_on(d).map(|w| format!("{} {w}", weekday_name(d)))
        })
        .collect();
    let _ = writeln!(
        s,
        "hours        {}",
        if hours.is_empty() {
            "none".into()
        } else {
            hours.join(", ")
        }
    );
    let l = &r.limits;
    let meetings = l
        .max_meetings_per_day
        .map_or("no limit on meetings a day".into(), |n| {
            format!("at most {n} meetings a day")
        });
    let minutes =
        l.max_meeting_minutes_per_day
            .map_or("no limit on meeting time a day".into(), |m| {
                format!(
                    "at most {} of meetings a day",
                    format_duration(chrono::TimeDelta::minutes(m))
                )
            });
    let _ = writeln!(
        s,
        "limits       horizon {}, notice {}, buffer {}, {meetings}, {minutes}",
        format_duration(l.horizon),
        format_duration(l.min_notice),
        format_duration(l.buffer),
    );
    let _ = writeln!(
        s,
        "thresholds   accept >= {}, decline < {}",
        r.thresholds.accept, r.thresholds.decline
    );
    let _ = writeln!(s, "goals        {}", r.goals.len());
    for g in &r.goals {
        let until = g.until.map(|d| format!(", until {d}")).unwrap_or_default();
        let _ = writeln!(s, "  {:+} {}{until}", g.weight, g.name);
    }
    let _ = writeln!(
        s,
        "people       {} VIP pattern(s), {} blocked",
        r.vip.len(),
        r.blocked.len()
    );
    let _ = writeln!(s, "focus        {} block(s)", r.focus.len());
    let _ = writeln!(s, "delegates    {}", r.delegates.len());
    for d in &r.delegates {
        let topics: Vec<&str> = d.topics.iter().map(|t| t.as_str()).collect();
        let _ = writeln!(
            s,
            "  {} <{}>: {}",
            d.name.as_deref().unwrap_or("-"),
            d.email,
            topics.join(", ")
        );
    }
    rules_and_one_on_ones(&mut s, r);
    s
}

/// The rules in order, and the 1:1 series.
fn rules_and_one_on_ones(s: &mut String, r: &Rules) {
    let _ = writeln!(s, "rules        {}", r.rules.len());
    for (i, rule) in r.rules.iter().enumerate() {
        let then = match &rule.then {
            crate::rules::Effect::Verdict(v) => v.as_str().to_string(),
            crate::rules::Effect::DelegateTo(to) => format!("delegate to {to}"),
            crate::rules::Effect::Points(n) => format!("{n:+} points"),
        };
        let _ = writeln!(s, "  {}. {} → {then}", i + 1, rule.name);
    }
    let _ = writeln!(s, "1:1s         {}", r.one_on_ones.len());
    for o in &r.one_on_ones {
        let days: Vec<&str> = o.prefer.days.iter().map(|d| weekday_name(*d)).collect();
        let _ = writeln!(
            s,
            "  {} with {}: {} every {}, prefer {} {}",
            o.title,
            o.with,
            format_duration(o.duration),
            format_duration(chrono::TimeDelta::days(i64::from(o.every.days))),
            days.join("/"),
            o.prefer.time
        );
    }
}
