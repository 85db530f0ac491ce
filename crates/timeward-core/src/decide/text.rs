//! The sentences of reasons: `sentence!` and `line!` write them into a buffer sized for a
//! typical reason, with the pieces (names, times, days, numbers) written without
//! `format!`'s machinery where they are hot.

use chrono::{DateTime, Datelike, NaiveDateTime, TimeDelta, Timelike, Utc, Weekday};

use crate::rules::values::weekday_name;
use chrono_tz::Tz;

/// `format!` into a buffer sized for a typical reason, so that writing one does not grow
/// it several times (reasons are written for every request).
macro_rules! sentence {
    ($($arg:tt)*) => {{
        use std::fmt::Write as _;
        let mut s = String::with_capacity(96);
        // Writing to a String cannot fail.
        let _ = write!(s, $($arg)*);
        s
    }};
}

/// A reason sentence from its pieces, each written straight into the buffer: the hot
/// sentences (conflicts, buffers, verdicts) skip `format!`'s machinery, which showed as
/// a tenth of all scoring in profiles.
macro_rules! line {
    ($($piece:expr),* $(,)?) => {{
        let mut s = String::with_capacity(96);
        $( Put::put($piece, &mut s); )*
        s
    }};
}

/// A piece of a reason sentence.
pub(super) trait Put {
    fn put(self, s: &mut String);
}

impl Put for &str {
    fn put(self, s: &mut String) {
        s.push_str(self);
    }
}

impl Put for &String {
    fn put(self, s: &mut String) {
        s.push_str(self);
    }
}

impl Put for i64 {
    fn put(self, s: &mut String) {
        if self < 0 {
            s.push('-');
        }
        self.unsigned_abs().put(s);
    }
}

impl Put for u64 {
    fn put(self, s: &mut String) {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        let mut n = self;
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        s.extend(buf[i..].iter().map(|&b| char::from(b)));
    }
}

impl Put for usize {
    fn put(self, s: &mut String) {
        (self as u64).put(s);
    }
}

/// "Wed 2026-12-09 12:00-13:00" in the executive's zone.
#[derive(Clone, Copy)]
pub(super) struct When(
    pub(super) Tz,
    pub(super) DateTime<Utc>,
    pub(super) DateTime<Utc>,
);

impl Put for When {
    fn put(self, s: &mut String) {
        let ls = self.1.with_timezone(&self.0).naive_local();
        let le = self.2.with_timezone(&self.0).naive_local();
        Day(ls.date()).put(s);
        s.push(' ');
        Hm(ls).put(s);
        if ls.date() == le.date() {
            s.push('-');
        } else {
            s.push_str(" to ");
            Day(le.date()).put(s);
            s.push(' ');
        }
        Hm(le).put(s);
    }
}

/// A name in double quotes, escaped as `{:?}` would, without its per-character walk for
/// the plain names that nearly every calendar has.
#[derive(Clone, Copy)]
pub(super) struct Quoted<'s>(pub(super) &'s str);

impl Put for Quoted<'_> {
    fn put(self, s: &mut String) {
        let plain = self
            .0
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\');
        if plain {
            s.push('"');
            s.push_str(self.0);
            s.push('"');
        } else {
            use std::fmt::Write as _;
            // Writing to a String cannot fail.
            let _ = write!(s, "{:?}", self.0);
        }
    }
}

/// The pieces also format with `{}`, for the sentences that are not hot.
macro_rules! display_by_put {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let mut s = String::with_capacity(32);
                Put::put(*self, &mut s);
                f.write_str(&s)
            }
        }
    )*};
}
display_by_put!(Quoted<'_>, When, Day, Hm);

pub(super) fn rounded(d: TimeDelta) -> TimeDelta {
    TimeDelta::minutes(d.num_minutes())
}

pub(super) fn days_list(days: &[Weekday]) -> String {
    days.iter()
        .map(|d| weekday_name(*d))
        .collect::<Vec<_>>()
        .join("/")
}

/// "Wed 2026-12-09", written without chrono's format parser (reasons are built per request).
#[derive(Clone, Copy)]
pub(super) struct Day(pub(super) chrono::NaiveDate);

impl Put for Day {
    fn put(self, s: &mut String) {
        const NAMES: [&[u8; 3]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
        let d = self.0;
        let mut buf = *b"Mon 0000-00-00";
        buf[..3].copy_from_slice(NAMES[d.weekday().num_days_from_monday() as usize]);
        let year = u32::try_from(d.year()).unwrap_or(0).min(9999);
        digits(&mut buf[4..8], year);
        digits(&mut buf[9..11], d.month());
        digits(&mut buf[12..14], d.day());
        s.extend(buf.iter().map(|&b| char::from(b)));
    }
}

/// "14:05".
#[derive(Clone, Copy)]
pub(super) struct Hm(pub(super) NaiveDateTime);

impl Put for Hm {
    fn put(self, s: &mut String) {
        let mut buf = *b"00:00";
        digits(&mut buf[..2], self.0.hour());
        digits(&mut buf[3..], self.0.minute());
        s.extend(buf.iter().map(|&b| char::from(b)));
    }
}

/// Writes `n` as zero-padded decimal digits filling `out` (reasons are built per request,
/// and the padding machinery of `format!` showed in profiles).
pub(super) fn digits(out: &mut [u8], mut n: u32) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn quoted_writes_what_debug_writes() {
        for s in [
            "Board prep",
            "",
            "say \"hi\"",
            "back\\slash",
            "tab\there",
            "line\nbreak",
            "Café ☕",
            "\u{301}accent first",
            "zero\u{200b}width",
        ] {
            assert_eq!(Quoted(s).to_string(), format!("{s:?}"), "{s:?}");
        }
    }

    #[test]
    fn day_and_time_are_zero_padded() {
        let t = chrono::NaiveDate::from_ymd_opt(2027, 3, 4)
            .and_then(|d| d.and_hms_opt(9, 5, 0))
            .expect("valid");
        assert_eq!(Day(t.date()).to_string(), "Thu 2027-03-04");
        assert_eq!(Hm(t).to_string(), "09:05");
    }
}
