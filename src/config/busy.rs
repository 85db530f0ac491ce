//! `busy_calendars`: calendars that only contribute busy time (the executive's personal
//! calendar, a board seat's, the family's) — each a file, an http(s) URL (the "secret
//! address in iCal format"), or `google:CALENDAR_ID` with the Google source's sign-in —
//! and `busy_max_age`, after which a failing one's events are dropped.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::{duration, err, redact_url, ConfigError, Source};

/// A list in the file; in the environment one string, the entries separated by spaces
/// (`TIMEWARD_BUSY_CALENDARS="https://… /home/dana/family.ics"`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum RawList {
    One(String),
    Many(Vec<String>),
}

/// One busy calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusyCalendar {
    File(PathBuf),
    Url(String),
    /// Another calendar of the Google account the `[source]` signs in to.
    Google(String),
}

impl BusyCalendar {
    /// How logs, `/healthz` and the desk name it (a URL's secret path never shown).
    pub fn name(&self) -> String {
        match self {
            BusyCalendar::File(p) => p.display().to_string(),
            BusyCalendar::Url(u) => redact_url(u),
            BusyCalendar::Google(id) => format!("google:{id}"),
        }
    }
}

pub(super) fn busy(
    raw: Option<RawList>,
    max_age: &str,
    source: &Source,
    origin: &str,
) -> Result<(Vec<BusyCalendar>, Duration), ConfigError> {
    let entries: Vec<String> = match raw {
        None => Vec::new(),
        Some(RawList::One(s)) => s.split_whitespace().map(str::to_string).collect(),
        Some(RawList::Many(v)) => v.into_iter().map(|s| s.trim().to_string()).collect(),
    };
    let mut out = Vec::new();
    for e in entries.into_iter().filter(|e| !e.is_empty()) {
        let entry = if let Some(id) = e.strip_prefix("google:") {
            if !matches!(source, Source::Google(_)) {
                return Err(err(
                    origin,
                    "busy_calendars",
                    format!("{e:?} is a Google calendar, but the [source] is not Google"),
                    "a Google calendar is read with the [source]'s Google sign-in: use its \
                     \"secret address in iCal format\" (https://…/basic.ics) instead",
                ));
            }
            BusyCalendar::Google(id.trim().to_string())
        } else if e.starts_with("https://") || e.starts_with("http://") {
            BusyCalendar::Url(e)
        } else if let Some(rest) = e.strip_prefix("webcal://") {
            // What iCloud and others hand out for subscribing: https underneath.
            BusyCalendar::Url(format!("https://{rest}"))
        } else if e.contains("://") {
            return Err(err(
                origin,
                "busy_calendars",
                format!("{} is not a file, an http(s) URL or google:ID", redact_url(&e)),
                "write the calendar's https:// (or webcal://) address, a file's path, or google:CALENDAR_ID",
            ));
        } else {
            BusyCalendar::File(PathBuf::from(e))
        };
        out.push(entry);
    }
    let max_age = duration(
        (origin, "busy_max_age"),
        max_age,
        (Duration::from_secs(60), "1m"),
        "write busy_max_age = \"1d\" (how long a failing busy calendar's events are still trusted)",
    )?;
    Ok((out, max_age))
}
