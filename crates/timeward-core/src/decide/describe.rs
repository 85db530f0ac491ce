//! A rule's conditions said back as the rules file writes them (the detail of a rule's
//! reason), made once per run.

use super::text::days_list;
use crate::rules::values::format_duration;
use crate::rules::Conditions;

/// The conditions of a rule, as the rules file writes them.
pub(super) fn describe(c: &Conditions) -> String {
    let list = |v: &[String]| sentence!("[{}]", v.join(", "));
    let mut parts = Vec::new();
    if let Some(ps) = &c.from {
        parts.push(sentence!(
            "from {}",
            list(&ps.iter().map(ToString::to_string).collect::<Vec<_>>())
        ));
    }
    if let Some(ps) = &c.attendee {
        parts.push(sentence!(
            "attendee {}",
            list(&ps.iter().map(ToString::to_string).collect::<Vec<_>>())
        ));
    }
    if let Some(ps) = &c.title_has {
        parts.push(sentence!(
            "title_has {}",
            list(
                &ps.iter()
                    .map(|p| sentence!("{:?}", p.as_str()))
                    .collect::<Vec<_>>()
            )
        ));
    }
    for (name, v) in [
        ("recurring", c.recurring),
        ("has_agenda", c.has_agenda),
        ("exec_optional", c.exec_optional),
        ("external", c.external),
    ] {
        if let Some(v) = v {
            parts.push(sentence!("{name} = {v}"));
        }
    }
    if let Some(n) = c.attendees_over {
        parts.push(sentence!("attendees_over = {n}"));
    }
    if let Some(d) = c.duration_over {
        parts.push(sentence!("duration_over = {}", format_duration(d)));
    }
    if let Some(days) = &c.days {
        parts.push(sentence!("days = {}", days_list(days)));
    }
    if let Some(w) = c.time {
        parts.push(sentence!("time = {w}"));
    }
    if let Some(d) = c.notice_under {
        parts.push(sentence!("notice_under = {}", format_duration(d)));
    }
    if parts.is_empty() {
        "matches every request".into()
    } else {
        sentence!("matches {}", parts.join(", "))
    }
}
