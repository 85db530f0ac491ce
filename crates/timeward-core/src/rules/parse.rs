//! Reads the rules TOML into [`Rules`], keeping every key's and value's position so that
//! each error names `line:col`, the key, and what to write instead. Collects every error
//! rather than stopping at the first, so one `timeward check` shows them all.

use std::ops::Range;
use std::str::FromStr;

use chrono::{NaiveDate, TimeDelta, Weekday};
use chrono_tz::Tz;
use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

use super::values::{is_email, parse_duration, parse_weekday, Pattern, Phrase, Window, WEEKDAYS};
use super::{
    Conditions, Delegate, Effect, Every, Executive, Focus, Goal, Limits, OneOnOne, Rule, RuleError,
    Rules, SlotWindow, Thresholds, Verdict, Weights,
};

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
const ONE_ON_ONE: &[&str] = &["with", "title", "every", "duration", "prefer", "fallback"];
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

struct Ctx<'s> {
    src: &'s str,
    errors: Vec<RuleError>,
}

impl Ctx<'_> {
    fn pos(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.src.len());
        let before = &self.src[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = self.src[line_start..offset].chars().count() + 1;
        (line, col)
    }

    fn error(
        &mut self,
        span: &Range<usize>,
        key: &str,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let (line, col) = self.pos(span.start);
        self.errors.push(RuleError {
            line,
            col,
            key: key.to_string(),
            message: message.into(),
            hint,
        });
    }

    /// Reports keys not in `known`, with a "did you mean" when one is close.
    fn known_keys(&mut self, table: &DeTable<'_>, path: &str, known: &[&str]) {
        for (k, _) in table.iter() {
            let name = k.get_ref().as_ref();
            if known.contains(&name) {
                continue;
            }
            let key = join(path, name);
            let hint = match closest(name, known) {
                Some(best) => format!(
                    "did you mean {best:?}? known keys here: {}",
                    known.join(", ")
                ),
                None => format!("known keys here: {}", known.join(", ")),
            };
            self.error(&k.span(), &key, format!("unknown key {name:?}"), Some(hint));
        }
    }

    fn type_error(&mut self, v: &Value<'_>, key: &str, want: &str, hint: Option<String>) {
        let found = v.get_ref().type_str();
        self.error(
            &v.span(),
            key,
            format!("must be {want}, found {found}"),
            hint,
        );
    }

    fn string<'a>(&mut self, v: &'a Value<'_>, key: &str, hint: Option<&str>) -> Option<&'a str> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.as_ref()),
            _ => {
                self.type_error(v, key, "a string in quotes", hint.map(str::to_string));
                None
            }
        }
    }

    fn int(&mut self, v: &Value<'_>, key: &str) -> Option<i64> {
        match v.get_ref() {
            DeValue::Integer(i) => {
                let digits: String = i.as_str().chars().filter(|c| *c != '_').collect();
                let (neg, body) = match digits.strip_prefix('-') {
                    Some(b) => (true, b.to_string()),
                    None => (false, digits.trim_start_matches('+').to_string()),
                };
                let body = body
                    .trim_start_matches("0x")
                    .trim_start_matches("0o")
                    .trim_start_matches("0b");
                match i64::from_str_radix(body, i.radix()) {
                    Ok(n) => Some(if neg { -n } else { n }),
                    Err(_) => {
                        self.error(&v.span(), key, "is too large a number", None);
                        None
                    }
                }
            }
            _ => {
                self.type_error(
                    v,
                    key,
                    "a whole number",
                    Some("write a number without quotes, e.g. 30".into()),
                );
                None
            }
        }
    }

    fn number(&mut self, v: &Value<'_>, key: &str) -> Option<f64> {
        match v.get_ref() {
            DeValue::Float(f) => f.as_str().replace('_', "").parse().ok(),
            DeValue::Integer(_) => self.int(v, key).map(|n| n as f64),
            _ => {
                self.type_error(
                    v,
                    key,
                    "a number",
                    Some("write a number without quotes, e.g. 5 or 4.5".into()),
                );
                None
            }
        }
    }

    fn boolean(&mut self, v: &Value<'_>, key: &str) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.type_error(
                    v,
                    key,
                    "true or false",
                    Some("write true or false without quotes".into()),
                );
                None
            }
        }
    }

    fn table<'a, 'i>(&mut self, v: &'a Value<'i>, key: &str) -> Option<&'a DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.type_error(
                    v,
                    key,
                    "a table",
                    Some(format!("write [{key}] on its own line, then its keys")),
                );
                None
            }
        }
    }

    fn array<'a, 'i>(
        &mut self,
        v: &'a Value<'i>,
        key: &str,
        hint: &str,
    ) -> Option<&'a DeArray<'i>> {
        match v.get_ref() {
            DeValue::Array(a) => Some(a),
            _ => {
                self.type_error(v, key, "a list", Some(hint.to_string()));
                None
            }
        }
    }

    /// A list of strings, each checked by `each`; bad items are reported and dropped.
    fn list<T>(
        &mut self,
        v: &Value<'_>,
        key: &str,
        example: &str,
        mut each: impl FnMut(&mut Self, &str, &Range<usize>, &str) -> Option<T>,
    ) -> Vec<T> {
        let hint = format!(
            "write a list in brackets, e.g. {key_last} = {example}",
            key_last = last(key)
        );
        let Some(arr) = self.array(v, key, &hint) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in arr.iter().enumerate() {
            let item_key = format!("{key}[{i}]");
            if let Some(s) = self.string(item, &item_key, None) {
                if let Some(t) = each(self, s, &item.span(), &item_key) {
                    out.push(t);
                }
            }
        }
        out
    }

    fn duration(&mut self, v: &Value<'_>, key: &str) -> Option<TimeDelta> {
        let s = self.string(v, key, Some(DURATION_HINT))?;
        match parse_duration(s) {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(&v.span(), key, e, Some(DURATION_HINT.into()));
                None
            }
        }
    }

    fn window(&mut self, v: &Value<'_>, key: &str) -> Option<Window> {
        let s = self.string(v, key, Some(WINDOW_HINT))?;
        match Window::parse(s) {
            Ok(w) => Some(w),
            Err(e) => {
                self.error(&v.span(), key, e, Some(WINDOW_HINT.into()));
                None
            }
        }
    }

    fn email(&mut self, v: &Value<'_>, key: &str) -> Option<String> {
        let s = self.string(v, key, Some("write an address like \"name@acme.example\""))?;
        let l = s.trim().to_lowercase();
        if is_email(&l) {
            Some(l)
        } else {
            self.error(
                &v.span(),
                key,
                format!("{s:?} is not an e-mail address"),
                Some("write an address like \"name@acme.example\"".into()),
            );
            None
        }
    }

    fn patterns(&mut self, v: &Value<'_>, key: &str) -> Vec<Pattern> {
        self.list(
            v,
            key,
            "[\"*@acme.example\", \"chair@board.example\"]",
            |ctx, s, span, k| match Pattern::parse(s) {
                Ok(p) => Some(p),
                Err(e) => {
                    ctx.error(span, k, e, Some(PATTERN_HINT.into()));
                    None
                }
            },
        )
    }

    fn phrases(&mut self, v: &Value<'_>, key: &str) -> Vec<Phrase> {
        self.list(
            v,
            key,
            "[\"series b\", \"investor\"]",
            |ctx, s, span, k| match Phrase::new(s) {
                Some(p) => Some(p),
                None => {
                    ctx.error(
                        span,
                        k,
                        "is empty",
                        Some("write a word or phrase, or remove the item".into()),
                    );
                    None
                }
            },
        )
    }

    fn weekdays(&mut self, v: &Value<'_>, key: &str) -> Vec<Weekday> {
        self.list(
            v,
            key,
            "[\"mon\", \"wed\"]",
            |ctx, s, span, k| match parse_weekday(s) {
                Some(d) => Some(d),
                None => {
                    ctx.error(
                        span,
                        k,
                        format!("unknown weekday {s:?}"),
                        Some(weekday_hint(s)),
                    );
                    None
                }
            },
        )
    }

    fn date(&mut self, v: &Value<'_>, key: &str) -> Option<NaiveDate> {
        let hint = "write a date like \"2027-03-31\"";
        let date = match v.get_ref() {
            DeValue::Datetime(dt) => match (dt.date, dt.time) {
                (Some(d), None) => {
                    NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                }
                _ => None,
            },
            DeValue::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
            _ => None,
        };
        if date.is_none() {
            self.error(&v.span(), key, "is not a date", Some(hint.into()));
        }
        date
    }

    /// A required key of a table; reports its absence at the table.
    fn required<'a, 'i>(
        &mut self,
        t: &'a DeTable<'i>,
        at: &Range<usize>,
        path: &str,
        key: &str,
        hint: &str,
    ) -> Option<&'a Value<'i>> {
        let v = t.get(key);
        if v.is_none() {
            self.error(at, &join(path, key), "is missing", Some(hint.to_string()));
        }
        v
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn last(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

/// The known name closest to a misspelt one, if any is close enough to be a typo.
fn closest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    let lower = name.to_lowercase();
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(&lower, k), *k))
        .filter(|(score, k)| *score >= 0.8 || strsim::levenshtein(&lower, k) <= 2)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

fn weekday_hint(s: &str) -> String {
    match closest(s, &WEEKDAYS) {
        Some(d) => format!(
            "did you mean {d:?}? weekdays are written {}",
            WEEKDAYS.join(", ")
        ),
        None => format!("weekdays are written {}", WEEKDAYS.join(", ")),
    }
}

fn timezone_hint(s: &str) -> String {
    let lower = s.to_lowercase();
    let best = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| {
            (
                strsim::jaro_winkler(&lower, &tz.name().to_lowercase()),
                tz.name(),
            )
        })
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((score, name)) if score > 0.85 => {
            format!(
                "did you mean {name:?}? use an IANA time-zone name such as \"America/New_York\""
            )
        }
        _ => "use an IANA time-zone name such as \"America/New_York\" or \"Europe/Berlin\"".into(),
    }
}

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
    let focus = array_of_tables(&mut ctx, root, "focus", |ctx, t, span, key| {
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
    });
    let limits = limits(&mut ctx, root);
    let thresholds = thresholds(&mut ctx, root);
    let goals = array_of_tables(&mut ctx, root, "goals", |ctx, t, span, key| {
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
    });
    let (vip, blocked) = match root.get("people") {
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
    };
    let delegates = array_of_tables(&mut ctx, root, "delegates", |ctx, t, span, key| {
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
    });
    let rules = array_of_tables(&mut ctx, root, "rules", rule);
    // A series is known by its title from one run to the next (its reservations are kept
    // by title), so two series may not share one.
    let mut titles: Vec<String> = Vec::new();
    let one_on_ones = array_of_tables(&mut ctx, root, "one_on_ones", |ctx, t, span, key| {
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
    });
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

fn executive(ctx: &mut Ctx<'_>, root: &DeTable<'_>, whole: &Range<usize>) -> Option<Executive> {
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

fn working_hours(ctx: &mut Ctx<'_>, root: &DeTable<'_>) -> [Option<Window>; 7] {
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

fn limits(ctx: &mut Ctx<'_>, root: &DeTable<'_>) -> Option<Limits> {
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

fn thresholds(ctx: &mut Ctx<'_>, root: &DeTable<'_>) -> Option<Thresholds> {
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

fn weights(ctx: &mut Ctx<'_>, root: &DeTable<'_>) -> Weights {
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

fn rule(ctx: &mut Ctx<'_>, t: &DeTable<'_>, span: &Range<usize>, key: &str) -> Option<Rule> {
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

fn one_on_one(
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
    let with = with?;
    let title = title.unwrap_or_else(|| format!("1:1 with {with}"));
    Some(OneOnOne {
        with,
        title,
        every: every?,
        duration: duration?,
        prefer: prefer?,
        fallback,
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

#[cfg(test)]
mod tests;
