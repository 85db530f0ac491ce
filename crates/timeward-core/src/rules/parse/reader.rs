//! The reader under the rules parser: typed getters that record an error naming the
//! position, the key and a fix, and the hints that suggest one.

use std::ops::Range;

use chrono::{NaiveDate, TimeDelta, Weekday};
use toml::de::{DeArray, DeTable, DeValue};

use super::super::values::{
    is_email, parse_duration, parse_weekday, Pattern, Phrase, Window, WEEKDAYS,
};
use super::super::RuleError;
use super::{Value, DURATION_HINT, PATTERN_HINT, WINDOW_HINT};

pub(super) struct Ctx<'s> {
    pub(super) src: &'s str,
    pub(super) errors: Vec<RuleError>,
}

impl Ctx<'_> {
    pub(super) fn pos(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.src.len());
        let before = &self.src[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = self.src[line_start..offset].chars().count() + 1;
        (line, col)
    }

    pub(super) fn error(
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
    pub(super) fn known_keys(&mut self, table: &DeTable<'_>, path: &str, known: &[&str]) {
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

    pub(super) fn type_error(
        &mut self,
        v: &Value<'_>,
        key: &str,
        want: &str,
        hint: Option<String>,
    ) {
        let found = v.get_ref().type_str();
        self.error(
            &v.span(),
            key,
            format!("must be {want}, found {found}"),
            hint,
        );
    }

    pub(super) fn string<'a>(
        &mut self,
        v: &'a Value<'_>,
        key: &str,
        hint: Option<&str>,
    ) -> Option<&'a str> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.as_ref()),
            _ => {
                self.type_error(v, key, "a string in quotes", hint.map(str::to_string));
                None
            }
        }
    }

    pub(super) fn int(&mut self, v: &Value<'_>, key: &str) -> Option<i64> {
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

    pub(super) fn number(&mut self, v: &Value<'_>, key: &str) -> Option<f64> {
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

    pub(super) fn boolean(&mut self, v: &Value<'_>, key: &str) -> Option<bool> {
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

    pub(super) fn table<'a, 'i>(&mut self, v: &'a Value<'i>, key: &str) -> Option<&'a DeTable<'i>> {
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

    pub(super) fn array<'a, 'i>(
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
    pub(super) fn list<T>(
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

    pub(super) fn duration(&mut self, v: &Value<'_>, key: &str) -> Option<TimeDelta> {
        let s = self.string(v, key, Some(DURATION_HINT))?;
        match parse_duration(s) {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(&v.span(), key, e, Some(DURATION_HINT.into()));
                None
            }
        }
    }

    pub(super) fn window(&mut self, v: &Value<'_>, key: &str) -> Option<Window> {
        let s = self.string(v, key, Some(WINDOW_HINT))?;
        match Window::parse(s) {
            Ok(w) => Some(w),
            Err(e) => {
                self.error(&v.span(), key, e, Some(WINDOW_HINT.into()));
                None
            }
        }
    }

    pub(super) fn email(&mut self, v: &Value<'_>, key: &str) -> Option<String> {
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

    pub(super) fn patterns(&mut self, v: &Value<'_>, key: &str) -> Vec<Pattern> {
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

    pub(super) fn phrases(&mut self, v: &Value<'_>, key: &str) -> Vec<Phrase> {
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

    pub(super) fn weekdays(&mut self, v: &Value<'_>, key: &str) -> Vec<Weekday> {
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

    pub(super) fn date(&mut self, v: &Value<'_>, key: &str) -> Option<NaiveDate> {
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
    pub(super) fn required<'a, 'i>(
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

pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

pub(super) fn last(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

/// The known name closest to a misspelt one, if any is close enough to be a typo.
pub(super) fn closest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    let lower = name.to_lowercase();
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(&lower, k), *k))
        .filter(|(score, k)| *score >= 0.8 || strsim::levenshtein(&lower, k) <= 2)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

pub(super) fn weekday_hint(s: &str) -> String {
    match closest(s, &WEEKDAYS) {
        Some(d) => format!(
            "did you mean {d:?}? weekdays are written {}",
            WEEKDAYS.join(", ")
        ),
        None => format!("weekdays are written {}", WEEKDAYS.join(", ")),
    }
}

pub(super) fn timezone_hint(s: &str) -> String {
    let lower = s.to_lowercase();
    // Only the current names (Area/City): not the old aliases such as "US/Eastern".
    const AREAS: [&str; 9] = [
        "Africa/",
        "America/",
        "Antarctica/",
        "Asia/",
        "Atlantic/",
        "Australia/",
        "Europe/",
        "Indian/",
        "Pacific/",
    ];
    let best = chrono_tz::TZ_VARIANTS
        .iter()
        .filter(|tz| AREAS.iter().any(|a| tz.name().starts_with(a)) || tz.name() == "UTC")
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
