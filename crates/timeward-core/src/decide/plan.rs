//! What `decide` returns: decisions with their reasons, reservations and unplaced 1:1
//! periods, and the JSON they are written as.

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::calendar::Warning;
use crate::rules::Verdict;

/// One contribution to a score, or (with 0 points) one piece of information.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub points: i64,
    pub source: Text,
    pub detail: Text,
}

/// Reason text: a fixed word, a string shared by every decision that cites the same rule
/// or goal, or a sentence written for this decision. Shared so that a thousand decisions
/// citing one rule do not copy its description a thousand times.
#[derive(Clone)]
pub enum Text {
    Static(&'static str),
    Shared(Arc<str>),
    Owned(String),
}

impl Text {
    pub fn as_str(&self) -> &str {
        match self {
            Text::Static(s) => s,
            Text::Shared(s) => s,
            Text::Owned(s) => s,
        }
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&'static str> for Text {
    fn from(s: &'static str) -> Self {
        Text::Static(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text::Owned(s)
    }
}

impl From<Arc<str>> for Text {
    fn from(s: Arc<str>) -> Self {
        Text::Shared(s)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The suggestion for one pending request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The source's event id (iCalendar UID, Google event id).
    pub id: String,
    /// The title to show ("a private event" for private ones).
    pub title: String,
    /// The first occurrence that ends after `now`.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Every occurrence inside the horizon, in order.
    pub occurrences: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    pub organizer: Option<String>,
    pub verdict: Verdict,
    pub delegate_to: Option<String>,
    pub score: i64,
    pub reasons: Vec<Reason>,
}

/// One occurrence of a recurring 1:1 that timeward holds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reservation {
    pub series: String,
    pub with: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A period in which a 1:1 series found no slot, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unplaced {
    pub series: String,
    pub with: String,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub reason: String,
}

/// Everything one run decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub now: DateTime<Utc>,
    pub timezone: Tz,
    pub decisions: Vec<Decision>,
    pub reservations: Vec<Reservation>,
    pub unplaced: Vec<Unplaced>,
    /// Problems in the calendar that were skipped or guessed at.
    pub warnings: Vec<Warning>,
}

/// RFC 3339 in the executive's UTC offset, to the second.
pub fn rfc3339(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

#[derive(Serialize)]
struct JsonPlan<'a> {
    now: String,
    decisions: Vec<JsonDecision<'a>>,
    reservations: Vec<JsonReservation<'a>>,
    unplaced: Vec<JsonUnplaced<'a>>,
}

#[derive(Serialize)]
struct JsonDecision<'a> {
    id: &'a str,
    title: &'a str,
    start: String,
    end: String,
    organizer: Option<&'a str>,
    verdict: &'static str,
    delegate_to: Option<&'a str>,
    score: i64,
    reasons: &'a [Reason],
}

#[derive(Serialize)]
struct JsonReservation<'a> {
    series: &'a str,
    with: &'a str,
    start: String,
    end: String,
}

#[derive(Serialize)]
struct JsonUnplaced<'a> {
    series: &'a str,
    with: &'a str,
    period_start: String,
    period_end: String,
    reason: &'a str,
}

fn json_decision(d: &Decision, tz: Tz) -> JsonDecision<'_> {
    JsonDecision {
        id: &d.id,
        title: &d.title,
        start: rfc3339(d.start, tz),
        end: rfc3339(d.end, tz),
        organizer: d.organizer.as_deref(),
        verdict: d.verdict.as_str(),
        delegate_to: d.delegate_to.as_deref(),
        score: d.score,
        reasons: &d.reasons,
    }
}

/// Each decision's JSON as the last [`Plan::to_json_reusing`] wrote it, by the decision's
/// number (see `decide::decide_reusing`).
#[derive(Default)]
pub struct JsonMade {
    timezone: Option<Tz>,
    by_number: std::collections::HashMap<u64, String>,
}

impl Plan {
    /// The plan as a JSON object, pretty-printed, byte-for-byte the same for the same plan.
    pub fn to_json(&self) -> String {
        self.json_with(self.json_decisions())
    }

    /// [`Plan::to_json`] written into `out` as it is made (the same bytes, tested), so
    /// that the daemon's `decisions.json` is never held whole in memory.
    pub fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(out, &self.json_plan(self.json_decisions()))
            .map_err(std::io::Error::from)
    }

    fn json_decisions(&self) -> Vec<JsonDecision<'_>> {
        self.decisions
            .iter()
            .map(|d| json_decision(d, self.timezone))
            .collect()
    }

    /// [`Plan::to_json`], taking from `cache` the JSON of each decision whose number (in
    /// `made`, by decision) it holds; the same bytes (tested).
    pub fn to_json_reusing(&self, made: &[u64], cache: &mut JsonMade) -> String {
        let tz = self.timezone;
        if made.len() != self.decisions.len() {
            return self.to_json();
        }
        if cache.timezone != Some(tz) {
            cache.by_number.clear();
            cache.timezone = Some(tz);
        }
        let mut last = std::mem::take(&mut cache.by_number);
        let texts: Vec<String> = self
            .decisions
            .iter()
            .zip(made)
            .map(|(d, n)| {
                last.remove(n).unwrap_or_else(|| {
                    // Serialising plain structs of strings and numbers cannot fail; one
                    // level down in the plan's object, two in its list.
                    serde_json::to_string_pretty(&json_decision(d, tz))
                        .unwrap_or_default()
                        .replace('\n', "\n    ")
                })
            })
            .collect();
        let rest = self.json_with(Vec::new());
        // The key is the object's second; a string value cannot hold it unescaped.
        const KEY: &str = "\"decisions\": []";
        let Some(at) = rest.find(KEY) else {
            return self.to_json();
        };
        let size: usize = texts.iter().map(|t| t.len() + 6).sum();
        let mut out = String::with_capacity(rest.len() + size + 4);
        out.push_str(&rest[..at]);
        out.push_str("\"decisions\": [");
        for (i, text) in texts.iter().enumerate() {
            out.push_str(if i == 0 { "\n    " } else { ",\n    " });
            out.push_str(text);
        }
        out.push_str(if texts.is_empty() { "]" } else { "\n  ]" });
        out.push_str(&rest[at + KEY.len()..]);
        cache.by_number = made.iter().copied().zip(texts).collect();
        out
    }

    fn json_with(&self, decisions: Vec<JsonDecision<'_>>) -> String {
        // Serialising plain structs of strings and numbers cannot fail.
        serde_json::to_string_pretty(&self.json_plan(decisions))
            .unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()))
    }

    fn json_plan<'p>(&'p self, decisions: Vec<JsonDecision<'p>>) -> JsonPlan<'p> {
        let tz = self.timezone;
        JsonPlan {
            now: rfc3339(self.now, tz),
            decisions,
            reservations: self
                .reservations
                .iter()
                .map(|r| JsonReservation {
                    series: &r.series,
                    with: &r.with,
                    start: rfc3339(r.start, tz),
                    end: rfc3339(r.end, tz),
                })
                .collect(),
            unplaced: self
                .unplaced
                .iter()
                .map(|u| JsonUnplaced {
                    series: &u.series,
                    with: &u.with,
                    period_start: rfc3339(u.period_start, tz),
                    period_end: rfc3339(u.period_end, tz),
                    reason: &u.reason,
                })
                .collect(),
        }
    }
}

#[derive(serde::Deserialize)]
struct PreviousPlan {
    #[serde(default)]
    reservations: Vec<PreviousReservation>,
}

#[derive(serde::Deserialize)]
struct PreviousReservation {
    series: String,
    #[serde(default)]
    with: String,
    start: String,
    end: String,
}

/// The reservations of an earlier `decide --json` output, to be kept where they
/// are still free. An error names the line and column and what is wrong.
pub fn previous_reservations(json: &str) -> Result<Vec<Reservation>, String> {
    let plan: PreviousPlan = serde_json::from_str(json).map_err(|e| {
        format!(
            "{}:{}: not the JSON that `timeward decide --json` writes: {e}",
            e.line(),
            e.column()
        )
    })?;
    let time = |s: &str, what: &str, series: &str| {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| format!("reservation {series:?}: {what} {s:?} is not RFC 3339 ({e})"))
    };
    plan.reservations
        .into_iter()
        .map(|r| {
            let start = time(&r.start, "start", &r.series)?;
            let end = time(&r.end, "end", &r.series)?;
            if end <= start {
                return Err(format!(
                    "reservation {:?}: end {} is not after start {}",
                    r.series, r.end, r.start
                ));
            }
            Ok(Reservation {
                series: r.series,
                with: r.with,
                start,
                end,
            })
        })
        .collect()
}
