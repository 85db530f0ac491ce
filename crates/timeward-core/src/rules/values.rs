//! The small value languages inside the rules file: durations (`"1h30m"`), daily windows
//! (`"09:00-17:30"`), weekdays, address patterns (`"*@acme.example"`) and keyword phrases
//! matched at word boundaries. Pure functions; each parser says what it expected.

use chrono::{TimeDelta, Weekday};

/// A daily wall-clock window `[start, end)` in minutes after midnight (end ≤ 1440).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Window {
    pub start: u32,
    pub end: u32,
}

impl Window {
    pub fn parse(s: &str) -> Result<Window, String> {
        let bad = || format!("{s:?} is not a daily time window");
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        let start = clock(a.trim()).ok_or_else(bad)?;
        let end = clock(b.trim()).ok_or_else(bad)?;
        if start >= end {
            return Err(format!(
                "{s:?} ends before it starts (windows cannot cross midnight)"
            ));
        }
        Ok(Window { start, end })
    }

    pub fn minutes(&self) -> u32 {
        self.end - self.start
    }
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

/// `HH:MM` → minutes after midnight; `24:00` is the end of the day.
fn clock(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    match (h, m) {
        (24, 0) => Some(1440),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

/// `"30m"`, `"1h30m"`, `"24h"`, `"2w"`, `"1d"`, `"30s"`: a sequence of whole numbers with
/// units w, d, h, m, s.
pub fn parse_duration(s: &str) -> Result<TimeDelta, String> {
    let bad = || format!("{s:?} is not a duration");
    let t = s.trim();
    if t.is_empty() {
        return Err(bad());
    }
    let mut total = TimeDelta::zero();
    let mut digits = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: i64 = digits.parse().map_err(|_| bad())?;
        digits.clear();
        let unit = match c {
            'w' | 'W' => TimeDelta::try_weeks(n),
            'd' | 'D' => TimeDelta::try_days(n),
            'h' | 'H' => TimeDelta::try_hours(n),
            'm' | 'M' => TimeDelta::try_minutes(n),
            's' | 'S' => TimeDelta::try_seconds(n),
            _ => None,
        }
        .ok_or_else(bad)?;
        total = total.checked_add(&unit).ok_or_else(bad)?;
    }
    if !digits.is_empty() {
        return Err(format!("{s:?} has a number without a unit"));
    }
    Ok(total)
}

/// Shows a duration the way the rules file writes it.
pub fn format_duration(d: TimeDelta) -> String {
    let mut secs = d.num_seconds();
    if secs == 0 {
        return "0m".into();
    }
    let mut out = String::new();
    if secs < 0 {
        out.push('-');
        secs = -secs;
    }
    // Weeks only when whole; otherwise hours, so a day reads "24h" as people write it.
    if secs % 604_800 == 0 {
        return format!("{out}{}w", secs / 604_800);
    }
    for (unit, size) in [("h", 3_600), ("m", 60), ("s", 1)] {
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    out
}

pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

pub fn parse_weekday(s: &str) -> Option<Weekday> {
    let l = s.trim().to_ascii_lowercase();
    let i = WEEKDAYS.iter().position(|d| *d == l).or_else(|| {
        let full = [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ];
        full.iter().position(|d| *d == l)
    })?;
    Some(weekday_from_monday(i))
}

pub fn weekday_from_monday(i: usize) -> Weekday {
    match i {
        0 => Weekday::Mon,
        1 => Weekday::Tue,
        2 => Weekday::Wed,
        3 => Weekday::Thu,
        4 => Weekday::Fri,
        5 => Weekday::Sat,
        _ => Weekday::Sun,
    }
}

pub fn weekday_name(d: Weekday) -> &'static str {
    WEEKDAYS[d.num_days_from_monday() as usize]
}

/// Whether `s` looks like an e-mail address: one `@`, something on both sides, no spaces.
pub fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !s.chars().any(char::is_whitespace)
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    }
}

/// An address pattern: `name@domain`, `*@domain` (that domain, not its subdomains) or `*`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Pattern {
    Everyone,
    Domain(String),
    Address(String),
}

impl Pattern {
    pub fn parse(s: &str) -> Result<Pattern, String> {
        let l = s.trim().to_lowercase();
        if l == "*" {
            return Ok(Pattern::Everyone);
        }
        if let Some(domain) = l.strip_prefix("*@") {
            if is_email(&format!("x@{domain}")) && !domain.contains('*') {
                return Ok(Pattern::Domain(domain.to_string()));
            }
        } else if is_email(&l) && !l.contains('*') {
            return Ok(Pattern::Address(l));
        }
        Err(format!("{s:?} is not an address pattern"))
    }

    /// `email` is lower-cased already.
    pub fn matches(&self, email: &str) -> bool {
        match self {
            Pattern::Everyone => true,
            Pattern::Address(a) => a == email,
            Pattern::Domain(d) => {
                // "…@domain": the address ends with the domain, right after its '@'.
                email.len() > d.len()
                    && email.ends_with(d.as_str())
                    && email.as_bytes()[email.len() - d.len() - 1] == b'@'
            }
        }
    }
}

impl std::fmt::Display for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pattern::Everyone => f.write_str("*"),
            Pattern::Domain(d) => write!(f, "*@{d}"),
            Pattern::Address(a) => f.write_str(a),
        }
    }
}

/// A keyword or phrase, stored normalised (lower case, single spaces), with a searcher
/// built once: phrases are matched against every request.
#[derive(Debug, Clone)]
pub struct Phrase {
    text: String,
    finder: memchr::memmem::Finder<'static>,
    /// Hash of the phrase's first word, when it starts with one: a text that has no such
    /// word cannot hold the phrase at a word boundary.
    head: Option<u64>,
}

impl PartialEq for Phrase {
    fn eq(&self, other: &Phrase) -> bool {
        self.text == other.text
    }
}

impl Eq for Phrase {}

impl std::hash::Hash for Phrase {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl Phrase {
    pub fn new(s: &str) -> Option<Phrase> {
        let text = normalize(s);
        if text.is_empty() {
            return None;
        }
        let finder = memchr::memmem::Finder::new(text.as_bytes()).into_owned();
        let head = words(&text)
            .next()
            .filter(|w| text.starts_with(w))
            .map(word_hash);
        Some(Phrase { text, finder, head })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the phrase occurs in `text` (already [`normalize`]d) at word boundaries:
    /// "demo" is in "vendor demo:" but not in "demolition".
    pub fn found_in(&self, text: &str) -> bool {
        let len = self.text.len();
        self.finder.find_iter(text.as_bytes()).any(|at| {
            // `at` and `at + len` are char boundaries: the phrase is valid UTF-8 and
            // matched whole.
            let before_ok = text
                .get(..at)
                .and_then(|t| t.chars().next_back())
                .is_none_or(|c| !c.is_alphanumeric());
            let after_ok = text
                .get(at + len..)
                .and_then(|t| t.chars().next())
                .is_none_or(|c| !c.is_alphanumeric());
            before_ok && after_ok
        })
    }
}

impl Phrase {
    /// [`Phrase::found_in`], skipping the search when `words` (of the same text) lacks the
    /// phrase's first word.
    pub fn found_in_words(&self, text: &str, words: &Words) -> bool {
        if let Some(h) = self.head {
            if words.0.binary_search(&h).is_err() {
                return false;
            }
        }
        self.found_in(text)
    }
}

/// The words of a normalised text (runs of alphanumeric characters), as sorted hashes:
/// built once per request so that most phrases are ruled out without a search.
#[derive(Debug, Clone, Default)]
pub struct Words(Vec<u64>);

impl Words {
    pub fn of(text: &str) -> Words {
        let mut v: Vec<u64> = words(text).map(word_hash).collect();
        v.sort_unstable();
        v.dedup();
        Words(v)
    }
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Small, fixed (the same on every run), good enough to tell words apart.
fn word_hash(w: &str) -> u64 {
    crate::fnv1a(w.as_bytes())
}

/// Lower case with runs of white space folded to one space, so "Series  B" matches
/// "series b".
pub fn normalize(s: &str) -> String {
    if s.is_ascii() {
        // Nearly every title: bytes, no Unicode case tables.
        let mut out = Vec::with_capacity(s.len());
        let mut space = false;
        for &b in s.as_bytes() {
            if b.is_ascii_whitespace() || b == 0x0b {
                space = !out.is_empty();
                continue;
            }
            if space {
                out.push(b' ');
                space = false;
            }
            out.push(b.to_ascii_lowercase());
        }
        // Only ASCII went in.
        return String::from_utf8(out).unwrap_or_default();
    }
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests;
