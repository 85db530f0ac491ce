//! Reads the rules TOML into [`Rules`], keeping every key's and value's position so that
//! each error names `line:col`, the key, and what to write instead. Collects every error
//! rather than stopping at the first, so one `timeward check` shows them all.

mod reader;
mod sections;
mod tables;

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::{RuleError, Rules};
use reader::Ctx;
use sections::{
    delegate, executive, focus, goal, limits, people, thresholds, weights, working_hours,
};
use tables::{one_on_ones, rule};

type Value<'i> = Spanned<DeValue<'i>>;

const TOP: &[&str] = &[
    "executive",
    "working_hours",
    "focus",
    "limits",
    "thresholds",
    "goals",
    "people",
    "delegates",
    "rules",
    "one_on_ones",
    "weights",
];
const EXECUTIVE: &[&str] = &["name", "email", "timezone", "assistant", "known_domains"];
const LIMITS: &[&str] = &[
    "horizon",
    "min_notice",
    "buffer",
    "max_meetings_per_day",
    "max_meeting_hours_per_day",
];
const THRESHOLDS: &[&str] = &["accept", "decline"];
const GOAL: &[&str] = &["name", "weight", "keywords", "people", "until"];
const PEOPLE: &[&str] = &["vip", "blocked"];
const DELEGATE: &[&str] = &["email", "name", "topics"];
const RULE: &[&str] = &["name", "if", "then"];
const CONDITIONS: &[&str] = &[
    "from",
    "attendee",
    "title_has",
    "recurring",
    "has_agenda",
    "exec_optional",
    "external",
    "attendees_over",
    "duration_over",
    "days",
    "time",
    "notice_under",
];
const EFFECT_KEYS: &[&str] = &["delegate_to", "points"];
const EFFECT_WORDS: &[&str] = &["accept", "decline", "delegate"];
const ONE_ON_ONE: &[&str] = &[
    "with", "title", "every", "duration", "prefer", "fallback", "agenda",
];
const SLOT_WINDOW: &[&str] = &["days", "time"];
const WEIGHTS: &[&str] = &[
    "base",
    "vip_organizer",
    "vip_attendee",
    "external",
    "conflict",
    "conflict_one_on_one",
    "focus",
    "outside_working_hours",
    "short_notice",
    "over_daily_limit",
    "buffer",
    "large_meeting",
    "large_meeting_size",
];

const DURATION_HINT: &str = "write a duration like \"30m\", \"1h30m\", \"24h\", \"1d\" or \"2w\"";
const WINDOW_HINT: &str =
    "write a daily window like \"09:00-17:30\" (24-hour clock, start before end)";
const PATTERN_HINT: &str =
    "write \"name@domain\" for one person, \"*@domain\" for everyone at a domain, or \"*\"";

pub(super) fn parse(src: &str) -> Result<Rules, Vec<RuleError>> {
    let mut ctx = Ctx {
        src,
        errors: Vec::new(),
    };
    let doc = match DeTable::parse(src) {
        Ok(doc) => doc,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            ctx.error(
                &span,
                "",
                format!("this is not valid TOML: {}", e.message().trim()),
                Some("check quotes, brackets and that each line is key = value".into()),
            );
            return Err(ctx.errors);
        }
    };
    let whole = doc.span();
    let root = doc.get_ref();
    ctx.known_keys(root, "", TOP);

    let executive = executive(&mut ctx, root, &whole);
    let working_hours = working_hours(&mut ctx, root);
    let focus = array_of_tables(&mut ctx, root, "focus", focus);
    let limits = limits(&mut ctx, root);
    let thresholds = thresholds(&mut ctx, root);
    let goals = array_of_tables(&mut ctx, root, "goals", goal);
    let (vip, blocked) = people(&mut ctx, root);
    let delegates = array_of_tables(&mut ctx, root, "delegates", delegate);
    let rules = array_of_tables(&mut ctx, root, "rules", rule);
    let one_on_ones = one_on_ones(&mut ctx, root);
    let weights = weights(&mut ctx, root);

    if !ctx.errors.is_empty() {
        ctx.errors.sort_by_key(|e| (e.line, e.col));
        return Err(ctx.errors);
    }
    // Every piece was checked above; a missing one here means an error was recorded.
    match (executive, limits, thresholds) {
        (Some(executive), Some(limits), Some(thresholds)) => Ok(Rules {
            executive,
            working_hours,
            focus,
            limits,
            thresholds,
            goals,
            vip,
            blocked,
            delegates,
            rules,
            one_on_ones,
            weights,
        }),
        _ => Err(vec![RuleError {
            line: 1,
            col: 1,
            key: String::new(),
            message: "the rules could not be read".into(),
            hint: None,
        }]),
    }
}

fn array_of_tables<T>(
    ctx: &mut Ctx<'_>,
    root: &DeTable<'_>,
    name: &str,
    mut each: impl FnMut(&mut Ctx<'_>, &DeTable<'_>, &Range<usize>, &str) -> Option<T>,
) -> Vec<T> {
    let Some(v) = root.get(name) else {
        return Vec::new();
    };
    let hint = format!("write each entry as its own [[{name}]] section");
    let Some(arr) = ctx.array(v, name, &hint) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in arr.iter().enumerate() {
        let key = format!("{name}[{}]", i + 1);
        if let Some(t) = ctx.table(item, &key) {
            if let Some(x) = each(ctx, t, &item.span(), &key) {
                out.push(x);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
