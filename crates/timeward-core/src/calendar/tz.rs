//! Time-zone names as calendars write them, and wall-clock to instant conversion.
//!
//! Pure: no I/O, no clock. IANA names come from `chrono-tz`; Windows names (as Outlook
//! and Exchange write them, "Eastern Standard Time") are mapped through the CLDR table
//! that the `windows-timezones` crate carries.

use std::str::FromStr;

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use windows_timezones::WindowsTimezone;

/// Resolves a TZID to a zone: an IANA name, a Windows name, or an IANA name behind a
/// vendor prefix (`/mozilla.org/20050126_1/Europe/Berlin`, `/citadel.org/.../America/Chicago`,
/// or a bare leading slash, `/Europe/Stockholm`).
pub fn resolve_tzid(tzid: &str) -> Option<Tz> {
    let name = tzid.trim().trim_matches('"').trim();
    if name.is_empty() {
        return None;
    }
    if let Ok(tz) = Tz::from_str(name) {
        return Some(tz);
    }
    if let Ok(win) = WindowsTimezone::from_str(name) {
        return Some(win.into());
    }
    if matches!(
        name,
        "UTC" | "GMT" | "Z" | "Etc/UTC" | "Coordinated Universal Time"
    ) {
        return Some(Tz::UTC);
    }
    // A vendor prefix: try ever shorter suffixes of the path ("A/B/C", "B/C", "C").
    let parts: Vec<&str> = name.split('/').filter(|p| !p.is_empty()).collect();
    (0..parts.len())
        .map(|i| parts[i..].join("/"))
        .find_map(|suffix| Tz::from_str(&suffix).ok())
}

/// The instant at which the wall clock in `tz` reads `naive`.
///
/// An ambiguous reading (the repeated hour when clocks go back) is the first one; a reading
/// in the gap when clocks go forward is moved forward by the gap, as RFC 5545 §3.3.5 asks
/// (02:30 on the March change in New York is 03:30 EDT).
pub fn local_to_utc(tz: Tz, naive: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(dt) => dt.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // Read the time with the offset in force just before the gap.
            let before = naive - TimeDelta::hours(3);
            let offset = match tz.from_local_datetime(&before) {
                LocalResult::Single(dt) | LocalResult::Ambiguous(dt, _) => {
                    dt.offset().fix().local_minus_utc()
                }
                LocalResult::None => 0,
            };
            (naive - TimeDelta::seconds(i64::from(offset))).and_utc()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .expect("valid test date")
    }

    #[test]
    fn tzid_forms() {
        let cases: &[(&str, Option<Tz>)] = &[
            ("America/New_York", Some(Tz::America__New_York)),
            ("Eastern Standard Time", Some(Tz::America__New_York)),
            ("W. Europe Standard Time", Some(Tz::Europe__Berlin)),
            ("Pacific Standard Time", Some(Tz::America__Los_Angeles)),
            ("\"Europe/London\"", Some(Tz::Europe__London)),
            (
                "/mozilla.org/20050126_1/Europe/Berlin",
                Some(Tz::Europe__Berlin),
            ),
            ("UTC", Some(Tz::UTC)),
            ("Customized Time Zone", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(resolve_tzid(input), *want, "{input}");
        }
    }

    #[test]
    fn gap_and_overlap() {
        let ny = Tz::America__New_York;
        // 2027-03-14 02:30 does not exist in New York: it is read as 03:30 EDT (07:30Z).
        assert_eq!(
            local_to_utc(ny, at(2027, 3, 14, 2, 30)),
            at(2027, 3, 14, 7, 30).and_utc()
        );
        // 2026-11-01 01:30 happens twice: the first (EDT, 05:30Z) is taken.
        assert_eq!(
            local_to_utc(ny, at(2026, 11, 1, 1, 30)),
            at(2026, 11, 1, 5, 30).and_utc()
        );
        // An ordinary winter time.
        assert_eq!(
            local_to_utc(ny, at(2026, 12, 7, 9, 0)),
            at(2026, 12, 7, 14, 0).and_utc()
        );
    }
}
