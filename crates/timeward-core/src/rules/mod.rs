//! The rules file: the executive's goals, gatekeeping rules, delegates and 1:1s,
//! as validated values.
//!
//! Pure core: [`Rules::parse`] takes the file's text and name and returns either the rules
//! or every error, each with `file:line:col`, the key and what to write instead. Reading
//! the file and watching it for edits belong to the shell.

mod parse;
pub mod values;

use chrono::{NaiveDate, TimeDelta, Weekday};
use chrono_tz::Tz;

pub use values::{Pattern, Phrase, Window, Words};

/// Everything the executive declared. Built only by [`Rules::parse`] (or tests).
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    pub executive: Executive,
    /// Working hours per weekday, Monday first; `None` is a day off.
    pub working_hours: [Option<Window>; 7],
    pub focus: Vec<Focus>,
    pub limits: Limits,
    pub thresholds: Thresholds,
    pub goals: Vec<Goal>,
    pub vip: Vec<Pattern>,
    pub blocked: Vec<Pattern>,
    pub delegates: Vec<Delegate>,
    pub rules: Vec<Rule>,
    pub one_on_ones: Vec<OneOnOne>,
    pub weights: Weights,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Executive {
    pub name: String,
    /// Lower-cased.
    pub email: String,
    pub timezone: Tz,
    pub assistant: Option<String>,
    /// Lower-cased; always holds the executive's own domain.
    pub known_domains: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Focus {
    pub days: Vec<Weekday>,
    pub time: Window,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub horizon: TimeDelta,
    pub min_notice: TimeDelta,
    pub buffer: TimeDelta,
    pub max_meetings_per_day: Option<u32>,
    /// In minutes.
    pub max_meeting_minutes_per_day: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    pub accept: i64,
    pub decline: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub name: String,
    pub weight: i64,
    pub keywords: Vec<Phrase>,
    pub people: Vec<Pattern>,
    /// The goal counts until the end of this day (executive's zone).
    pub until: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Delegate {
    pub email: String,
    pub name: Option<String>,
    pub topics: Vec<Phrase>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: String,
    pub when: Conditions,
    pub then: Effect,
}

/// Every condition given must hold; `None` is "not asked".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Conditions {
    pub from: Option<Vec<Pattern>>,
    pub attendee: Option<Vec<Pattern>>,
    pub title_has: Option<Vec<Phrase>>,
    pub recurring: Option<bool>,
    pub has_agenda: Option<bool>,
    pub exec_optional: Option<bool>,
    pub external: Option<bool>,
    pub attendees_over: Option<u32>,
    pub duration_over: Option<TimeDelta>,
    pub days: Option<Vec<Weekday>>,
    pub time: Option<Window>,
    pub notice_under: Option<TimeDelta>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Accept,
    Delegate,
    Decline,
}

impl Verdict {
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Accept => "accept",
            Verdict::Delegate => "delegate",
            Verdict::Decline => "decline",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Sets the verdict; `Delegate` finds its delegate by topic, else the assistant.
    Verdict(Verdict),
    DelegateTo(String),
    Points(i64),
}

/// How often a 1:1 recurs: `days` long periods; weeks are counted from Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Every {
    pub days: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OneOnOne {
    pub with: String,
    pub title: String,
    pub every: Every,
    pub duration: TimeDelta,
    pub prefer: SlotWindow,
    pub fallback: Option<SlotWindow>,
    /// `agenda = true`: timeward writes an agenda for each occurrence (always on for a
    /// 1:1 with the assistant; `false` turns it off there).
    pub agenda: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SlotWindow {
    pub days: Vec<Weekday>,
    pub time: Window,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    pub base: i64,
    pub vip_organizer: i64,
    pub vip_attendee: i64,
    pub external: i64,
    pub conflict: i64,
    pub conflict_one_on_one: i64,
    pub focus: i64,
    pub outside_working_hours: i64,
    pub short_notice: i64,
    pub over_daily_limit: i64,
    pub buffer: i64,
    pub large_meeting: i64,
    pub large_meeting_size: i64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            base: 50,
            vip_organizer: 60,
            vip_attendee: 20,
            external: -10,
            conflict: -40,
            conflict_one_on_one: -25,
            focus: -30,
            outside_working_hours: -50,
            short_notice: -15,
            over_daily_limit: -20,
            buffer: -5,
            large_meeting: -10,
            large_meeting_size: 10,
        }
    }
}

/// One problem in a rules file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub line: usize,
    pub col: usize,
    /// The dotted key, e.g. `limits.buffer` or `rules[2].if.days`.
    pub key: String,
    pub message: String,
    /// What to write instead.
    pub hint: Option<String>,
}

/// Every problem found in one rules file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render_errors(file, errors))]
pub struct RulesError {
    pub file: String,
    pub errors: Vec<RuleError>,
}

fn render_errors(file: &str, errors: &[RuleError]) -> String {
    errors
        .iter()
        .map(|e| {
            let key = if e.key.is_empty() {
                String::new()
            } else {
                format!("{}: ", e.key)
            };
            let hint = e
                .hint
                .as_ref()
                .map(|h| format!("\n    fix: {h}"))
                .unwrap_or_default();
            format!("{file}:{}:{}: {key}{}{hint}", e.line, e.col, e.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl Rules {
    /// Parses and validates a rules file. `file` names it in messages.
    /// A bug in the parser (a panic) is an error like any other: the last good rules stay.
    pub fn parse(text: &str, file: &str) -> Result<Rules, RulesError> {
        let parsed = std::panic::catch_unwind(|| parse::parse(text)).unwrap_or_else(|_| {
            Err(vec![RuleError {
                line: 1,
                col: 1,
                key: String::new(),
                message: "this file could not be read because of an internal error in timeward \
                          (a bug; please report it)"
                    .into(),
                hint: Some("the last good rules stay in force; undo the last edit".into()),
            }])
        });
        parsed.map_err(|errors| RulesError {
            file: file.to_string(),
            errors,
        })
    }

    /// Working hours on a weekday.
    pub fn hours_on(&self, day: Weekday) -> Option<Window> {
        self.working_hours[day.num_days_from_monday() as usize]
    }

    /// Whether an address's domain is one of the executive's known domains.
    pub fn is_known(&self, email: &str) -> bool {
        let domain = email.rsplit_once('@').map_or("", |(_, d)| d);
        self.executive.known_domains.iter().any(|d| d == domain)
    }

    /// The name to show for a delegate address (the delegate's name, else the address).
    pub fn delegate_name<'a>(&'a self, email: &'a str) -> &'a str {
        self.delegates
            .iter()
            .find(|d| d.email == email)
            .and_then(|d| d.name.as_deref())
            .unwrap_or(email)
    }
}
