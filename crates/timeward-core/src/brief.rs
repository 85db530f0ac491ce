//! The agenda of the executive–assistant 1:1: what needs the executive, brought to each
//! occurrence of a 1:1 series `with` the assistant (or marked `agenda = true`), one line
//! each, most important first:
//!
//! 1. what keeps timeward from doing its job (a broken rules file, an unreadable calendar);
//! 2. the requests timeward leaves to the assistant (the grey zone) that start between this
//!    1:1 and the next, which are still open when the 1:1 happens and would be past by the
//!    next one;
//! 3. suggestions whose verdict changed since the previous 1:1 (one period earlier for the
//!    first);
//! 4. periods in which a 1:1 found no slot (those beginning between the previous 1:1 and
//!    the next).
//!
//! Pure: the plan, the rules, the verdict changes on record and the problems are handed in.
//! Titles come from the plan, where a private event is already "a private event".

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::decide::{rfc3339, Plan};
use crate::rules::{Rules, Verdict};

/// At most this many lines; the rest are counted in a last line.
pub const MAX_LINES: usize = 12;

/// A change of verdict on record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictChange {
    pub id: String,
    /// As the plan shows it ("a private event" for private ones).
    pub title: String,
    pub from: String,
    pub to: String,
    pub at: DateTime<Utc>,
}

/// The agenda of one 1:1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brief {
    pub series: String,
    pub with: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Every item, most important first.
    pub lines: Vec<String>,
}

impl Brief {
    /// The lines as a description: at most [`MAX_LINES`], the rest counted.
    pub fn text(&self) -> String {
        if self.lines.is_empty() {
            return "Nothing needs the executive.".into();
        }
        let mut s = String::new();
        for l in self.lines.iter().take(MAX_LINES) {
            s.push_str("• ");
            s.push_str(l);
            s.push('\n');
        }
        if self.lines.len() > MAX_LINES {
            s.push_str(&format!(
                "… and {} more (the desk's Agenda page has them all)\n",
                self.lines.len() - MAX_LINES
            ));
        }
        s.trim_end().to_string()
    }
}

/// Whether any series gets an agenda.
pub fn wanted(rules: &Rules) -> bool {
    rules
        .one_on_ones
        .iter()
        .any(|s| has_agenda(rules, &s.title))
}

/// Whether the series of this title gets an agenda.
fn has_agenda(rules: &Rules, series: &str) -> bool {
    rules.one_on_ones.iter().any(|s| {
        s.title == series
            && s.agenda.unwrap_or_else(|| {
                rules
                    .executive
                    .assistant
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(&s.with))
            })
    })
}

fn period_of(rules: &Rules, series: &str) -> TimeDelta {
    rules
        .one_on_ones
        .iter()
        .find(|s| s.title == series)
        .map_or(TimeDelta::weeks(1), |s| {
            TimeDelta::days(i64::from(s.every.days))
        })
}

fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%a %m-%d %H:%M").to_string()
}

/// The agenda of every 1:1 that gets one, in order of time.
pub fn briefs(
    plan: &Plan,
    rules: &Rules,
    changes: &[VerdictChange],
    problems: &[String],
) -> Vec<Brief> {
    let tz = plan.timezone;
    let horizon_end = plan.now + rules.limits.horizon;
    let assistant = rules.executive.assistant.as_deref();
    let mut out = Vec::new();
    let mut series: Vec<&str> = plan
        .reservations
        .iter()
        .map(|r| r.series.as_str())
        .filter(|s| has_agenda(rules, s))
        .collect();
    series.sort_unstable();
    series.dedup();
    for name in series {
        let held: Vec<_> = plan
            .reservations
            .iter()
            .filter(|r| r.series == name)
            .collect();
        for (k, r) in held.iter().enumerate() {
            let until = held.get(k + 1).map_or(horizon_end, |n| n.start);
            let since = if k == 0 {
                r.start - period_of(rules, name)
            } else {
                held[k - 1].start
            };
            let mut lines: Vec<String> = problems.iter().map(|p| format!("Fix: {p}")).collect();
            for d in plan.decisions.iter().filter(|d| {
                d.verdict == Verdict::Delegate
                    && (d.delegate_to.is_none() || d.delegate_to.as_deref() == assistant)
                    && d.start >= r.start
                    && d.start < until
            }) {
                lines.push(format!(
                    "Decide: {} ({}{}), score {}",
                    d.title,
                    local(d.start, tz),
                    d.organizer
                        .as_deref()
                        .map(|o| format!(", from {o}"))
                        .unwrap_or_default(),
                    d.score
                ));
            }
            for c in changes.iter().filter(|c| c.at >= since && c.at < r.start) {
                lines.push(format!(
                    "Changed: {} now {} (was {}, {})",
                    c.title,
                    c.to,
                    c.from,
                    local(c.at, tz)
                ));
            }
            for u in plan
                .unplaced
                .iter()
                .filter(|u| u.period_start >= since && u.period_start < until)
            {
                lines.push(format!(
                    "No slot: {} with {}, period of {}: {}",
                    u.series,
                    u.with,
                    u.period_start.with_timezone(&tz).format("%Y-%m-%d"),
                    u.reason
                ));
            }
            out.push(Brief {
                series: name.to_string(),
                with: r.with.clone(),
                start: r.start,
                end: r.end,
                lines,
            });
        }
    }
    out.sort_by(|a, b| (a.start, &a.series).cmp(&(b.start, &b.series)));
    out
}

/// One agenda as `briefs.json` holds it (times RFC 3339 in the executive's offset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonBrief {
    pub series: String,
    pub with: String,
    pub start: String,
    pub end: String,
    pub lines: Vec<String>,
}

/// `briefs.json`: every agenda of the last cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonBriefs {
    pub briefs: Vec<JsonBrief>,
}

/// The agendas as JSON (`state/briefs.json`, `timeward brief --json`).
pub fn to_json(briefs: &[Brief], tz: Tz) -> String {
    let list = JsonBriefs {
        briefs: briefs
            .iter()
            .map(|b| JsonBrief {
                series: b.series.clone(),
                with: b.with.clone(),
                start: rfc3339(b.start, tz),
                end: rfc3339(b.end, tz),
                lines: b.lines.clone(),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&list).unwrap_or_default()
}

#[cfg(test)]
mod tests;
