//! `timeward agenda`: the calendar as timeward sees it — every occurrence in a window,
//! in local time, and with the rules, whether each is busy, a request or neither, and why.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::calendar::{Kind, Snapshot, Why};
use crate::decide::rfc3339;
use crate::rules::Rules;

#[derive(Serialize)]
pub struct AgendaJson {
    pub occurrences: Vec<AgendaItem>,
}

#[derive(Serialize)]
pub struct AgendaItem {
    pub id: String,
    pub title: String,
    pub start: String,
    pub end: String,
    pub all_day: bool,
    /// "busy", "request" or "other" ("other" without rules: no executive to judge for).
    pub kind: &'static str,
    /// Why, with rules; absent without.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<&'static str>,
    #[serde(skip)]
    start_utc: DateTime<Utc>,
    #[serde(skip)]
    end_utc: DateTime<Utc>,
}

/// The occurrences of `snapshot` in `[from, to)` (cancelled ones left out), read in `tz`.
pub fn items(
    snapshot: &Snapshot,
    rules: Option<&Rules>,
    tz: Tz,
    occurrences: &[crate::calendar::expand::Occurrence],
) -> Vec<AgendaItem> {
    occurrences
        .iter()
        .filter_map(|o| {
            let e = &snapshot.events[o.event];
            let judged = rules.map(|r| e.kind_why(&r.executive.email));
            (judged.map(|j| j.1) != Some(Why::Cancelled)
                && e.status != crate::calendar::Status::Cancelled)
                .then(|| AgendaItem {
                    id: e.uid.clone(),
                    title: e.public_title().to_string(),
                    start: rfc3339(o.start, tz),
                    end: rfc3339(o.end, tz),
                    all_day: o.all_day,
                    kind: judged.map_or(Kind::Other, |j| j.0).as_str(),
                    why: judged.map(|j| j.1.as_str()),
                    start_utc: o.start,
                    end_utc: o.end,
                })
        })
        .collect()
}

/// The table: a header saying the window and zone, then one line per occurrence.
pub fn text(
    items: &[AgendaItem],
    tz: Tz,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    judged: bool,
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} occurrence(s) from {} to {}, times in {}",
        items.len(),
        from.with_timezone(&tz).format("%a %Y-%m-%d %H:%M"),
        to.with_timezone(&tz).format("%a %Y-%m-%d %H:%M"),
        tz.name()
    );
    if !judged {
        let _ = writeln!(
            s,
            "(pass --rules to see what is busy, a request or neither, and why, in the \
             executive's zone)"
        );
    }
    let _ = writeln!(s);
    if judged {
        let _ = writeln!(
            s,
            "{:<15} {:<13} {:<8} {:<40} TITLE",
            "DAY", "TIME", "KIND", "WHY"
        );
    } else {
        let _ = writeln!(s, "{:<15} {:<13} TITLE", "DAY", "TIME");
    }
    let mut last_day = None;
    for it in items {
        let ls = it.start_utc.with_timezone(&tz);
        let le = it.end_utc.with_timezone(&tz);
        let day = ls.date_naive();
        let day_label = if last_day == Some(day) {
            String::new()
        } else {
            ls.format("%a %Y-%m-%d").to_string()
        };
        last_day = Some(day);
        let time = if it.all_day {
            "all day".to_string()
        } else if le.date_naive() == day {
            format!("{}-{}", ls.format("%H:%M"), le.format("%H:%M"))
        } else {
            format!(
                "{}-{} +{}d",
                ls.format("%H:%M"),
                le.format("%H:%M"),
                (le.date_naive() - day).num_days()
            )
        };
        if judged {
            let _ = writeln!(
                s,
                "{day_label:<15} {time:<13} {:<8} {:<40} {}  [{}]",
                it.kind,
                it.why.unwrap_or(""),
                it.title,
                it.id
            );
        } else {
            let _ = writeln!(s, "{day_label:<15} {time:<13} {}  [{}]", it.title, it.id);
        }
    }
    s
}
