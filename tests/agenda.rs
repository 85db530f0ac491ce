//! Ingestion through `timeward agenda --json` on calendars shaped like real exports:
//! Outlook (Windows zone names), Google (X-WR-TIMEZONE, overrides, cancelled instances),
//! Apple (folded lines, alarms, DURATION), a series with EXDATE/RDATE and a moved
//! instance, and the daylight-saving weeks.

use std::process::Command;

use serde_json::Value;

const RULES_NY: &str = "tests/scenarios/gatekeeping-rules/rules.toml"; // dana@acme.example, New York

fn agenda(
    file: &str,
    from: &str,
    to: &str,
    rules: Option<&str>,
) -> Vec<(String, String, String, bool, String, String)> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_timeward"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args([
        "agenda",
        "--json",
        "--calendar",
        &format!("tests/fixtures/{file}"),
        "--from",
        from,
        "--to",
        to,
    ]);
    if let Some(r) = rules {
        cmd.args(["--rules", r]);
    }
    let out = cmd.output().expect("timeward runs");
    assert!(
        out.status.success(),
        "{file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    v["occurrences"]
        .as_array()
        .expect("occurrences")
        .iter()
        .map(|o| {
            (
                o["id"].as_str().unwrap_or_default().to_string(),
                o["start"].as_str().unwrap_or_default().to_string(),
                o["end"].as_str().unwrap_or_default().to_string(),
                o["all_day"].as_bool().unwrap_or_default(),
                o["kind"].as_str().unwrap_or_default().to_string(),
                o["title"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn starts(rows: &[(String, String, String, bool, String, String)]) -> Vec<(&str, &str, &str)> {
    rows.iter()
        .map(|r| (r.0.as_str(), r.1.as_str(), r.4.as_str()))
        .collect()
}

#[test]
fn outlook_export_with_windows_zone_names() {
    let rows = agenda(
        "outlook.ics",
        "2027-02-28T00:00:00Z",
        "2027-04-01T00:00:00Z",
        Some(RULES_NY),
    );
    let ops = "040000008200E00074C5B7101A82E0080000000010A1B2C3D4E5F601000000000000000010000000";
    assert_eq!(
        starts(&rows),
        vec![
            (ops, "2027-03-01T10:00:00-05:00", "busy"),
            // "Pacific Standard Time" 09:00 is 12:00 in New York; MAILTO in capitals still names Dana.
            (
                "outlook-partner-sync",
                "2027-03-02T12:00:00-05:00",
                "request"
            ),
            // 03-08 is an EXDATE; after the change to daylight time 10:00 stays 10:00.
            (ops, "2027-03-15T10:00:00-04:00", "busy"),
            (ops, "2027-03-22T10:00:00-04:00", "busy"),
        ]
    );
    assert_eq!(rows[0].5, "Ops review");
}

#[test]
fn google_export_with_overrides_and_cancelled_instances() {
    // Read in UTC (no rules): Berlin 09:00 is 08:00Z in winter.
    let rows = agenda(
        "google.ics",
        "2027-01-04T00:00:00Z",
        "2027-01-09T00:00:00Z",
        None,
    );
    let standup = "0a1b2c3d4e5f6g7h8i9j@google.com";
    assert_eq!(
        rows.iter()
            .map(|r| (r.0.as_str(), r.1.as_str(), r.2.as_str(), r.3))
            .collect::<Vec<_>>(),
        vec![
            (
                standup,
                "2027-01-04T08:00:00+00:00",
                "2027-01-04T08:30:00+00:00",
                false
            ),
            // The all-day trip covers two whole days, read in UTC without rules.
            (
                "trip@google.com",
                "2027-01-05T00:00:00+00:00",
                "2027-01-07T00:00:00+00:00",
                true
            ),
            (
                standup,
                "2027-01-05T08:00:00+00:00",
                "2027-01-05T08:30:00+00:00",
                false
            ),
            (
                "invite@google.com",
                "2027-01-05T15:00:00+00:00",
                "2027-01-05T16:00:00+00:00",
                false
            ),
            // The 01-06 instance moved to 10:00 Berlin; 01-07 is cancelled; UNTIL keeps 01-08.
            (
                standup,
                "2027-01-06T09:00:00+00:00",
                "2027-01-06T09:30:00+00:00",
                false
            ),
            (
                standup,
                "2027-01-08T08:00:00+00:00",
                "2027-01-08T08:30:00+00:00",
                false
            ),
        ]
    );
    assert!(
        rows.iter().all(|r| r.4 == "other"),
        "without rules nothing is busy or a request"
    );
    assert_eq!(rows[4].5, "Standup (late)");
}

#[test]
fn apple_export_with_folded_lines_alarms_and_duration() {
    let rows = agenda(
        "apple.ics",
        "2026-12-01T00:00:00Z",
        "2027-01-01T00:00:00Z",
        Some(RULES_NY),
    );
    assert_eq!(
        rows.iter()
            .map(|r| (r.1.as_str(), r.2.as_str(), r.3, r.4.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (
                "2026-12-08T20:30:00-05:00",
                "2026-12-08T22:00:00-05:00",
                false,
                "busy"
            ),
            (
                "2026-12-09T15:00:00-05:00",
                "2026-12-09T15:45:00-05:00",
                false,
                "busy"
            ),
            // Transparent all-day: shown, but it blocks nothing.
            (
                "2026-12-24T00:00:00-05:00",
                "2026-12-27T00:00:00-05:00",
                true,
                "other"
            ),
        ]
    );
}

#[test]
fn series_with_exdate_rdate_and_a_moved_instance() {
    let rows = agenda(
        "series.ics",
        "2026-12-07T00:00:00Z",
        "2027-01-01T00:00:00Z",
        Some(RULES_NY),
    );
    assert_eq!(
        starts(&rows),
        vec![
            ("series-1", "2026-12-07T15:00:00-05:00", "request"),
            ("series-1", "2026-12-12T10:00:00-05:00", "request"), // RDATE
            ("series-1", "2026-12-15T09:00:00-05:00", "busy"),    // 12-14 moved and accepted
            ("series-1", "2026-12-21T15:00:00-05:00", "request"),
            ("series-1", "2026-12-23T15:00:00-05:00", "request"),
        ]
    );
}

#[test]
fn window_bounds_are_respected() {
    // Only occurrences overlapping [from, to) appear; one that ends exactly at `from` does not.
    let rows = agenda(
        "series.ics",
        "2026-12-07T21:00:00Z",
        "2026-12-15T14:00:00Z",
        Some(RULES_NY),
    );
    assert_eq!(
        starts(&rows),
        vec![("series-1", "2026-12-12T10:00:00-05:00", "request")]
    );
}

#[test]
fn daylight_saving_weeks_keep_wall_clock_times() {
    let rows = agenda(
        "dst-week.ics",
        "2026-10-30T00:00:00Z",
        "2027-03-16T00:00:00Z",
        Some(RULES_NY),
    );
    assert_eq!(
        rows.iter()
            .map(|r| (r.0.as_str(), r.1.as_str(), r.2.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (
                "fallback",
                "2026-10-31T09:00:00-04:00",
                "2026-10-31T10:00:00-04:00"
            ),
            (
                "fallback",
                "2026-11-07T09:00:00-05:00",
                "2026-11-07T10:00:00-05:00"
            ),
            (
                "daily",
                "2027-03-12T09:00:00-05:00",
                "2027-03-12T09:15:00-05:00"
            ),
            (
                "daily",
                "2027-03-13T09:00:00-05:00",
                "2027-03-13T09:15:00-05:00"
            ),
            // The all-day event on the short day lasts from midnight to midnight: 23 hours.
            (
                "allday",
                "2027-03-14T00:00:00-05:00",
                "2027-03-15T00:00:00-04:00"
            ),
            // 02:30 does not exist that night: read as 03:30 EDT (RFC 5545 §3.3.5).
            (
                "gap",
                "2027-03-14T03:30:00-04:00",
                "2027-03-14T04:00:00-04:00"
            ),
            (
                "daily",
                "2027-03-14T09:00:00-04:00",
                "2027-03-14T09:15:00-04:00"
            ),
            (
                "daily",
                "2027-03-15T09:00:00-04:00",
                "2027-03-15T09:15:00-04:00"
            ),
        ]
    );
}

#[test]
fn private_titles_are_hidden_in_the_agenda() {
    let rows = agenda(
        "private.ics",
        "2026-12-01T00:00:00Z",
        "2027-01-01T00:00:00Z",
        Some(RULES_NY),
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].5, "a private event");
}
