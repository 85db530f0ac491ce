//! The rules file's `[[rules]]` (conditions and effects) and `[[one_on_ones]]` tables.

use std::ops::Range;

use chrono::TimeDelta;
use toml::de::{DeTable, DeValue};

use super::super::{Conditions, Effect, Every, OneOnOne, Rule, SlotWindow, Verdict};
use super::reader::{closest, join, Ctx};
use super::*;

pub(super) fn rule(
    ctx: &mut Ctx<'_>,
    t: &DeTable<'_>,
    span: &Range<usize>,
    key: &str,
) -> Option<Rule> {
    ctx.known_keys(t, key, RULE);
    let name = ctx
        .required(
            t,
            span,
            key,
            "name",
            "add name = \"…\" so reasons can name the rule",
        )
        .and_then(|v| ctx.string(v, &join(key, "name"), None))
        .map(str::to_string);
    let when = match t.get("if") {
        Some(v) => conditions(ctx, v, &join(key, "if")),
        None => Some(Conditions::default()),
    };
    let then = ctx
        .required(t, span, key, "then", "add then = \"accept\", \"decline\", \"delegate\", { delegate_to = \"…\" } or { points = -10 }")
        .and_then(|v| effect(ctx, v, &join(key, "then")));
    Some(Rule {
        name: name?,
        when: when?,
        then: then?,
    })
}

fn conditions(ctx: &mut Ctx<'_>, v: &Value<'_>, key: &str) -> Option<Conditions> {
    let t = ctx.table(v, key)?;
    ctx.known_keys(t, key, CONDITIONS);
    let errors_before = ctx.errors.len();
    let k = |name: &str| join(key, name);
    let mut c = Conditions::default();
    for (name, v) in t.iter() {
        let name = name.get_ref().as_ref();
        match name {
            "from" => c.from = Some(ctx.patterns(v, &k(name))),
            "attendee" => c.attendee = Some(ctx.patterns(v, &k(name))),
            "title_has" => c.title_has = Some(ctx.phrases(v, &k(name))),
            "recurring" => c.recurring = ctx.boolean(v, &k(name)),
            "has_agenda" => c.has_agenda = ctx.boolean(v, &k(name)),
            "exec_optional" => c.exec_optional = ctx.boolean(v, &k(name)),
            "external" => c.external = ctx.boolean(v, &k(name)),
            "attendees_over" => {
                c.attendees_over = ctx.int(v, &k(name)).and_then(|n| match u32::try_from(n) {
                    Ok(n) => Some(n),
                    Err(_) => {
                        ctx.error(&v.span(), &k(name), "must be 0 or more", None);
                        None
                    }
                })
            }
            "duration_over" => c.duration_over = ctx.duration(v, &k(name)),
            "days" => c.days = Some(ctx.weekdays(v, &k(name))),
            "time" => c.time = ctx.window(v, &k(name)),
            "notice_under" => c.notice_under = ctx.duration(v, &k(name)),
            _ => {}
        }
    }
    (ctx.errors.len() == errors_before).then_some(c)
}

fn effect(ctx: &mut Ctx<'_>, v: &Value<'_>, key: &str) -> Option<Effect> {
    let hint = "write then = \"accept\", \"decline\", \"delegate\", { delegate_to = \"name@acme.example\" } or { points = -10 }";
    match v.get_ref() {
        DeValue::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "accept" => Some(Effect::Verdict(Verdict::Accept)),
            "decline" => Some(Effect::Verdict(Verdict::Decline)),
            "delegate" => Some(Effect::Verdict(Verdict::Delegate)),
            other => {
                let guess = closest(other, EFFECT_WORDS)
                    .map(|g| format!("did you mean {g:?}? "))
                    .unwrap_or_default();
                ctx.error(
                    &v.span(),
                    key,
                    format!("unknown verdict {s:?}"),
                    Some(format!("{guess}{hint}")),
                );
                None
            }
        },
        DeValue::Table(t) => {
            ctx.known_keys(t, key, EFFECT_KEYS);
            let to = t.get("delegate_to");
            let points = t.get("points");
            match (to, points) {
                (Some(to), None) => ctx
                    .email(to, &join(key, "delegate_to"))
                    .map(Effect::DelegateTo),
                (None, Some(p)) => ctx.int(p, &join(key, "points")).map(Effect::Points),
                (Some(_), Some(_)) => {
                    ctx.error(
                        &v.span(),
                        key,
                        "has both delegate_to and points; a rule has one effect",
                        Some("split it into two rules with the same if".into()),
                    );
                    None
                }
                (None, None) => {
                    if t.is_empty() {
                        ctx.error(&v.span(), key, "is empty", Some(hint.into()));
                    }
                    None
                }
            }
        }
        _ => {
            ctx.type_error(v, key, "a verdict or a table", Some(hint.into()));
            None
        }
    }
}

pub(super) fn one_on_one(
    ctx: &mut Ctx<'_>,
    t: &DeTable<'_>,
    span: &Range<usize>,
    key: &str,
) -> Option<OneOnOne> {
    ctx.known_keys(t, key, ONE_ON_ONE);
    let with = ctx
        .required(t, span, key, "with", "add with = \"name@acme.example\"")
        .and_then(|v| ctx.email(v, &join(key, "with")));
    let title = t
        .get("title")
        .and_then(|v| ctx.string(v, &join(key, "title"), None))
        .map(str::to_string);
    let every = ctx
        .required(t, span, key, "every", "add every = \"1w\"")
        .and_then(|v| {
            let k = join(key, "every");
            let d = ctx.duration(v, &k)?;
            let days = d.num_days();
            if d <= TimeDelta::zero() || d != TimeDelta::days(days) || days > 366 {
                ctx.error(
                    &v.span(),
                    &k,
                    "must be a whole number of days or weeks",
                    Some("write every = \"1d\", \"1w\" or \"2w\"".into()),
                );
                return None;
            }
            u32::try_from(days).ok().map(|days| Every { days })
        });
    let duration = ctx
        .required(t, span, key, "duration", "add duration = \"30m\"")
        .and_then(|v| {
            let k = join(key, "duration");
            let d = ctx.duration(v, &k)?;
            if d <= TimeDelta::zero() || d > TimeDelta::hours(24) {
                ctx.error(
                    &v.span(),
                    &k,
                    "must be longer than zero and at most a day",
                    Some("e.g. duration = \"30m\"".into()),
                );
                return None;
            }
            Some(d)
        });
    let prefer = ctx
        .required(
            t,
            span,
            key,
            "prefer",
            "add prefer = { days = [\"mon\"], time = \"09:00-10:00\" }",
        )
        .and_then(|v| slot_window(ctx, v, &join(key, "prefer")));
    let fallback = match t.get("fallback") {
        Some(v) => Some(slot_window(ctx, v, &join(key, "fallback"))?),
        None => None,
    };
    let agenda = t
        .get("agenda")
        .and_then(|v| ctx.boolean(v, &join(key, "agenda")));
    let with = with?;
    let title = title.unwrap_or_else(|| format!("1:1 with {with}"));
    Some(OneOnOne {
        with,
        title,
        every: every?,
        duration: duration?,
        prefer: prefer?,
        fallback,
        agenda,
    })
}

fn slot_window(ctx: &mut Ctx<'_>, v: &Value<'_>, key: &str) -> Option<SlotWindow> {
    let t = ctx.table(v, key)?;
    ctx.known_keys(t, key, SLOT_WINDOW);
    let span = v.span();
    let days = ctx
        .required(t, &span, key, "days", "add days = [\"mon\"]")
        .map(|v| ctx.weekdays(v, &join(key, "days")));
    let time = ctx
        .required(t, &span, key, "time", "add time = \"09:00-10:00\"")
        .and_then(|v| ctx.window(v, &join(key, "time")));
    Some(SlotWindow {
        days: days?,
        time: time?,
    })
}

/// The 1:1 series; a series is known by its title from one run to the next.
pub(super) fn one_on_ones(ctx: &mut Ctx<'_>, root: &DeTable<'_>) -> Vec<OneOnOne> {
    // A series is known by its title from one run to the next (its reservations are kept
    // by title), so two series may not share one.
    let mut titles: Vec<String> = Vec::new();
    array_of_tables(ctx, root, "one_on_ones", |ctx, t, span, key| {
        let o = one_on_one(ctx, t, span, key)?;
        if titles.contains(&o.title) {
            let at = t.get("title").map_or(span.clone(), |v| v.span());
            ctx.error(
                &at,
                &join(key, "title"),
                format!("{:?} is the title of an earlier 1:1 series", o.title),
                Some("give each [[one_on_ones]] its own title".into()),
            );
            return None;
        }
        titles.push(o.title.clone());
        Some(o)
    })
}
