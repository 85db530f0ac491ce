//! `timeward decide`'s table: one block per request with every point of its score (the
//! base included, so the column adds up), then the verdict and why.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::wrap::hanging;
use crate::decide::{Decision, Plan};
use crate::rules::values::format_duration;
use crate::rules::{Rules, Verdict};

/// "Mon 2026-12-07 15:00-16:00" in `tz` (or "… → …" across midnight).
pub fn span(tz: Tz, s: DateTime<Utc>, e: DateTime<Utc>) -> String {
    let ls = s.with_timezone(&tz);
    let le = e.with_timezone(&tz);
    if ls.date_naive() == le.date_naive() {
        format!(
            "{} {}-{}",
            ls.format("%a %Y-%m-%d"),
            ls.format("%H:%M"),
            le.format("%H:%M")
        )
    } else {
        format!(
            "{} → {}",
            ls.format("%a %Y-%m-%d %H:%M"),
            le.format("%a %m-%d %H:%M")
        )
    }
}

/// Whether the verdict is "the assistant decides" (a delegate verdict that names no one
/// but the assistant), rather than a hand-over to a named delegate.
fn assistant_decides(d: &Decision) -> bool {
    d.verdict == Verdict::Delegate
        && d.reasons
            .iter()
            .rfind(|r| r.source == "verdict")
            .is_some_and(|r| r.detail.contains("the assistant"))
}

/// Whether a blocked organiser decided it (then the score plays no part).
fn blocked(d: &Decision) -> bool {
    d.reasons
        .iter()
        .rfind(|r| r.source == "verdict")
        .is_some_and(|r| r.detail.ends_with(" is blocked"))
}

fn verdict_label(d: &Decision, rules: &Rules) -> String {
    match (&d.verdict, d.delegate_to.as_deref()) {
        _ if assistant_decides(d) => "assistant decides".into(),
        (Verdict::Delegate, Some(to)) => format!("delegate → {}", rules.delegate_name(to)),
        (v, _) => v.as_str().to_string(),
    }
}

const VERDICT: usize = 26;
const WHEN: usize = 27;

/// The readable form of a plan, wrapped at `width` columns.
pub fn table(plan: &Plan, rules: &Rules, width: usize) -> String {
    let tz = plan.timezone;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} pending request(s) as of {} ({}), horizon {}",
        plan.decisions.len(),
        plan.now.with_timezone(&tz).format("%a %Y-%m-%d %H:%M"),
        tz.name(),
        format_duration(rules.limits.horizon)
    );
    s.push_str(&hanging(
        "",
        &format!(
            "Under each request, every point of its score: they add up to SCORE. A repeating \
             request shows its first occurrence; \"+N more\" counts its other occurrences in \
             the horizon, which were checked too. Accept at {} or more, decline below {}.",
            rules.thresholds.accept, rules.thresholds.decline
        ),
        0,
        width,
    ));
    let _ = writeln!(
        s,
        "\n{:<VERDICT$} {:<WHEN$} {:>5}  TITLE",
        "VERDICT", "WHEN", "SCORE"
    );
    for d in &plan.decisions {
        decision_block(&mut s, d, rules, tz, width);
    }
    reservations(&mut s, plan, tz);
    s
}

fn decision_block(s: &mut String, d: &Decision, rules: &Rules, tz: Tz, width: usize) {
    let more = match d.occurrences.len() {
        0 | 1 => String::new(),
        n => format!(" (+{} more)", n - 1),
    };
    let score = if blocked(d) {
        "—".to_string()
    } else {
        d.score.to_string()
    };
    let head = format!(
        "{:<VERDICT$} {:<WHEN$} {:>5}  ",
        verdict_label(d, rules),
        span(tz, d.start, d.end),
        score
    );
    s.push_str(&hanging(
        &head,
        &format!("{}{more}", d.title),
        head.chars().count(),
        width,
    ));
    if !blocked(d) {
        for r in d.reasons.iter().filter(|r| r.source != "verdict") {
            let first = format!("    {:>+4} {}: ", r.points, r.source);
            s.push_str(&hanging(&first, &r.detail, 9, width));
        }
    }
    if let Some(v) = d.reasons.iter().rfind(|r| r.source == "verdict") {
        s.push_str(&hanging("    = ", &v.detail, 6, width));
    }
}

fn reservations(s: &mut String, plan: &Plan, tz: Tz) {
    if !plan.reservations.is_empty() {
        let _ = writeln!(
            s,
            "\n1:1 reservations (suggested slots: nothing is written to the calendar)"
        );
        for r in &plan.reservations {
            let _ = writeln!(
                s,
                "  {:<WHEN$} {} (with {})",
                span(tz, r.start, r.end),
                r.series,
                r.with
            );
        }
    }
    if !plan.unplaced.is_empty() {
        let _ = writeln!(s, "\n1:1 periods without a slot");
        for u in &plan.unplaced {
            let _ = writeln!(s, "  {}: {}", u.series, u.reason);
        }
    }
}
