//! The rules file's sections: the executive, working hours, focus blocks, limits,
//! thresholds, goals, people, delegates and weights.

use std::ops::Range;
use std::str::FromStr;

use chrono::TimeDelta;
use chrono_tz::Tz;
use toml::de::DeTable;

use super::super::values::{is_email, Pattern, Window, WEEKDAYS};
use super::super::{Delegate, Executive, Focus, Goal, Limits, Thresholds, Weights};
use super::reader::{join, timezone_hint, weekday_hint, Ctx};
use super::*;

pub(super) fn executive(
    ctx: &mut Ctx<'_>,
    root: &DeTable<'_>,
    whole: &Range<usize>,
) -> Option<Executive> {
    let v = ctx.required(
        root,
        &(whole.start..whole.start),
        "",
        "executive",
        "add an [executive] section with email and timezone",
    )?;
    let t = ctx.table(v, "executive")?;
    let span = v.span();
    ctx.known_keys(t, "executive", EXECUTIVE);
    let name = t
        .get("name")
        .and_then(|v| ctx.string(v, "executive.name", None))
        .unwrap_or("")
        .to_string();
    let email = ctx
        .required(
            t,
            &span,
            "executive",
            "email",
            "add email = \"name@acme.example\"",
        )
        .and_then(|v| ctx.email(v, "executive.email"));
    let timezone = ctx
        .required(
            t,
            &span,
            "executive",
            "timezone",
            "add timezone = \"America/New_York\"",
        )
        .and_then(|v| {
            let s = ctx.string(v, "executive.timezone", None)?;
            match Tz::from_str(s.trim()) {
                Ok(tz) => Some(tz),
                Err(_) => {
                    ctx.error(
                        &v.span(),
                        "executive.timezone",
                        format!("unknown time zone {s:?}"),
                        Some(timezone_hint(s)),
                    );
                    None
                }
            }
        });
    let assistant = t
        .get("assistant")
        .and_then(|v| ctx.email(v, "executive.assistant"));
    let mut known_domains: Vec<String> = t
        .get("known_domains")
        .map(|v| {
            ctx.list(
                v,
                "executive.known_domains",
                "[\"acme.example\"]",
                |ctx, s, span, k| {
                    let d = s.trim().trim_start_matches('@').to_lowercase();
                    if is_email(&format!("x@{d}")) {
                        Some(d)
                    } else {
                        ctx.error(
                            span,
                            k,
                            format!("{s:?} is not a domain"),
                            Some("write a domain like \"acme.example\"".into()),
                        );
                        None
                    }
                },
            )
        })
        .unwrap_or_default();
    let email = email?;
    if let Some((_, own)) = email.rsplit_once('@') {
        if !known_domains.iter().any(|d| d == own) {
            known_domains.push(own.to_string());
        }
    }
    Some(Executive {
        name,
        email,
        timezone: timezone?,
        assistant,
        known_domains,
    })
}

pub(super) fn working_hours(ctx: &mut Ctx<'_>, root: &DeTable<'_>) -> [Option<Window>; 7] {
    let Some(v) = root.get("working_hours") else {
        // No section at all: Monday to Friday, 09:00-17:00 (README "Writing rules").
        let day = Some(Window {
            start: 540,
            end: 1020,
        });
        return [day, day, day, day, day, None, None];
    };
    let mut hours = [None; 7];
    let Some(t) = ctx.table(v, "working_hours") else {
        return hours;
    };
    for (k, v) in t.iter() {
        let name = k.get_ref().as_ref();
        let key = format!("working_hours.{name}");
        match WEEKDAYS.iter().position(|d| *d == name) {
            Some(i) => hours[i] = ctx.window(v, &key),
            None => ctx.error(
                &k.span(),
                &key,
                format!("unknown weekday {name:?}"),
                Some(weekday_hint(name)),
            ),
        }
    }
    hours
}

pub(super) fn limits(ctx: &mut Ctx<'_>, root: &DeTable<'_>) -> Option<Limits> {
    let mut limits = Limits {
        horizon: TimeDelta::weeks(4),
        min_notice: TimeDelta::zero(),
        buffer: TimeDelta::zero(),
        max_meetings_per_day: None,
        max_meeting_minutes_per_day: None,
    };
    let Some(v) = root.get("limits") else {
        return Some(limits);
    };
    let t = ctx.table(v, "limits")?;
    ctx.known_keys(t, "limits", LIMITS);
    if let Some(v) = t.get("horizon") {
        if let Some(d) = ctx.duration(v, "limits.horizon") {
            if d <= TimeDelta::zero() {
                ctx.error(
                    &v.span(),
                    "limits.horizon",
                    "must be longer than zero",
                    Some("e.g. horizon = \"4w\"".into()),
                );
            }
            limits.horizon = d;
        }
    }
    if let Some(v) = t.get("min_notice") {
        limits.min_notice = ctx.duration(v, "limits.min_notice").unwrap_or_default();
    }
    if let Some(v) = t.get("buffer") {
        limits.buffer = ctx.duration(v, "limits.buffer").unwrap_or_default();
    }
    if let Some(v) = t.get("max_meetings_per_day") {
        if let Some(n) = ctx.int(v, "limits.max_meetings_per_day") {
            match u32::try_from(n) {
                Ok(n) if n > 0 => limits.max_meetings_per_day = Some(n),
                _ => ctx.error(
                    &v.span(),
                    "limits.max_meetings_per_day",
                    "must be at least 1",
                    Some("e.g. max_meetings_per_day = 6, or remove the key for no limit".into()),
                ),
            }
        }
    }
    if let Some(v) = t.get("max_meeting_hours_per_day") {
        if let Some(h) = ctx.number(v, "limits.max_meeting_hours_per_day") {
            if h > 0.0 && h <= 24.0 {
                limits.max_meeting_minutes_per_day = Some((h * 60.0).round() as i64);
            } else {
                ctx.error(
                    &v.span(),
                    "limits.max_meeting_hours_per_day",
                    "must be more than 0 and at most 24",
                    Some("e.g. max_meeting_hours_per_day = 5".into()),
                );
            }
        }
    }
    Some(limits)
}

pub(super) fn thresholds(ctx: &mut Ctx<'_>, root: &DeTable<'_>) -> Option<Thresholds> {
    let mut th = Thresholds {
        accept: 70,
        decline: 40,
    };
    let Some(v) = root.get("thresholds") else {
        return Some(th);
    };
    let t = ctx.table(v, "thresholds")?;
    ctx.known_keys(t, "thresholds", THRESHOLDS);
    if let Some(n) = t
        .get("accept")
        .and_then(|v| ctx.int(v, "thresholds.accept"))
    {
        th.accept = n;
    }
    if let Some(n) = t
        .get("decline")
        .and_then(|v| ctx.int(v, "thresholds.decline"))
    {
        th.decline = n;
    }
    if th.accept <= th.decline {
        let at = t
            .get("accept")
            .or(t.get("decline"))
            .map_or(v.span(), |x| x.span());
        ctx.error(
            &at,
            "thresholds.accept",
            format!(
                "accept ({}) must be greater than decline ({})",
                th.accept, th.decline
            ),
            Some("raise accept or lower decline, e.g. accept = 70, decline = 40".into()),
        );
    }
    Some(th)
}

pub(super) fn weights(ctx: &mut Ctx<'_>, root: &DeTable<'_>) -> Weights {
    let mut w = Weights::default();
    let Some(v) = root.get("weights") else {
        return w;
    };
    let Some(t) = ctx.table(v, "weights") else {
        return w;
    };
    ctx.known_keys(t, "weights", WEIGHTS);
    for (k, v) in t.iter() {
        let name = k.get_ref().as_ref();
        let key = format!("weights.{name}");
        let slot = match name {
            "base" => &mut w.base,
            "vip_organizer" => &mut w.vip_organizer,
            "vip_attendee" => &mut w.vip_attendee,
            "external" => &mut w.external,
            "conflict" => &mut w.conflict,
            "conflict_one_on_one" => &mut w.conflict_one_on_one,
            "focus" => &mut w.focus,
            "outside_working_hours" => &mut w.outside_working_hours,
            "short_notice" => &mut w.short_notice,
            "over_daily_limit" => &mut w.over_daily_limit,
            "buffer" => &mut w.buffer,
            "large_meeting" => &mut w.large_meeting,
            "large_meeting_size" => &mut w.large_meeting_size,
            _ => continue, // reported by known_keys
        };
        if let Some(n) = ctx.int(v, &key) {
            *slot = n;
        }
    }
    w
}

pub(super) fn focus(
    ctx: &mut Ctx<'_>,
    t: &DeTable<'_>,
    span: &Range<usize>,
    key: &str,
) -> Option<Focus> {
    ctx.known_keys(t, key, SLOT_WINDOW);
    let days = ctx
        .required(t, span, key, "days", "add days = [\"tue\", \"thu\"]")
        .map(|v| ctx.weekdays(v, &join(key, "days")));
    let time = ctx
        .required(t, span, key, "time", "add time = \"09:00-11:00\"")
        .and_then(|v| ctx.window(v, &join(key, "time")));
    Some(Focus {
        days: days?,
        time: time?,
    })
}

pub(super) fn goal(
    ctx: &mut Ctx<'_>,
    t: &DeTable<'_>,
    span: &Range<usize>,
    key: &str,
) -> Option<Goal> {
    ctx.known_keys(t, key, GOAL);
    let name = ctx
        .required(t, span, key, "name", "add name = \"…\"")
        .and_then(|v| ctx.string(v, &join(key, "name"), None))
        .map(str::to_string);
    let weight = ctx
        .required(t, span, key, "weight", "add weight = 20")
        .and_then(|v| ctx.int(v, &join(key, "weight")));
    let keywords = t
        .get("keywords")
        .map(|v| ctx.phrases(v, &join(key, "keywords")))
        .unwrap_or_default();
    let people = t
        .get("people")
        .map(|v| ctx.patterns(v, &join(key, "people")))
        .unwrap_or_default();
    let until = t
        .get("until")
        .and_then(|v| ctx.date(v, &join(key, "until")));
    Some(Goal {
        name: name?,
        weight: weight?,
        keywords,
        people,
        until,
    })
}

pub(super) fn people(ctx: &mut Ctx<'_>, root: &DeTable<'_>) -> (Vec<Pattern>, Vec<Pattern>) {
    match root.get("people") {
        Some(v) => match ctx.table(v, "people") {
            Some(t) => {
                ctx.known_keys(t, "people", PEOPLE);
                (
                    t.get("vip")
                        .map(|v| ctx.patterns(v, "people.vip"))
                        .unwrap_or_default(),
                    t.get("blocked")
                        .map(|v| ctx.patterns(v, "people.blocked"))
                        .unwrap_or_default(),
                )
            }
            None => Default::default(),
        },
        None => Default::default(),
    }
}

pub(super) fn delegate(
    ctx: &mut Ctx<'_>,
    t: &DeTable<'_>,
    span: &Range<usize>,
    key: &str,
) -> Option<Delegate> {
    ctx.known_keys(t, key, DELEGATE);
    let email = ctx
        .required(t, span, key, "email", "add email = \"name@acme.example\"")
        .and_then(|v| ctx.email(v, &join(key, "email")));
    let name = t
        .get("name")
        .and_then(|v| ctx.string(v, &join(key, "name"), None))
        .map(str::to_string);
    let topics = t
        .get("topics")
        .map(|v| ctx.phrases(v, &join(key, "topics")))
        .unwrap_or_default();
    Some(Delegate {
        email: email?,
        name,
        topics,
    })
}
