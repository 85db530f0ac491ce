//! Real-world export quirks (issue: real calendars never break it), each read as the mature
//! readers read it, with a warning that names the line; nothing panics. Every fixture is
//! also compared with Python `icalendar` + `recurring-ical-events` where that peer can read
//! it (it refuses the broken RRULEs: see README, "Choices").

mod support;

use std::process::Command;

use chrono::{DateTime, Utc};
use serde_json::Value;

/// (id, start, end, all_day) in UTC, sorted, as `timeward agenda --json` gives them.
type Rows = Vec<(String, String, String, bool)>;

fn utc(s: &str) -> String {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .with_timezone(&Utc)
        .to_rfc3339()
}

/// Occurrences as JSON objects (timeward's or the peer's, the same shape) to sorted rows.
fn rows_of<'a>(list: impl Iterator<Item = &'a Value>) -> Rows {
    let mut rows: Rows = list
        .map(|o| {
            (
                o["id"].as_str().unwrap_or_default().to_string(),
                utc(o["start"].as_str().unwrap_or_default()),
                utc(o["end"].as_str().unwrap_or_default()),
                o["all_day"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    rows.sort_by(|a, b| (&a.1, &a.0, &a.2).cmp(&(&b.1, &b.0, &b.2)));
    rows
}

fn agenda(file: &str, from: &str, to: &str) -> (Rows, String, Vec<String>) {
    let out = support::agenda_json(file, from, to);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{file}: {stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let occ = v["occurrences"].as_array().expect("occurrences");
    let rows = rows_of(occ.iter());
    let titles = occ
        .iter()
        .map(|o| o["title"].as_str().unwrap_or_default().to_string())
        .collect();
    (rows, stderr, titles)
}

/// The occurrences the Python peer gives, or None where it cannot read the file.
fn peer(file: &str, from: &str, to: &str) -> Option<Rows> {
    let out = Command::new(support::external::python())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg(support::external::scripts().join("peer_occurrences.py"))
        .args([file, from, to])
        .output()
        .expect("the peer runs");
    if out.status.code() == Some(3) {
        return None;
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    Some(rows_of(lines.iter()))
}

fn row(id: &str, start: &str, end: &str, all_day: bool) -> (String, String, String, bool) {
    (id.into(), utc(start), utc(end), all_day)
}

/// The fixture's occurrences are `want`, its warnings name `lines` (file:LINE: warning),
/// and the peer, where it reads the file, agrees on every (id, start, end).
#[track_caller]
fn check(name: &str, window: (&str, &str), want: &Rows, lines: &[(usize, &str)]) {
    let file = format!("tests/fixtures/quirks/{name}.ics");
    let (got, stderr, _) = agenda(&file, window.0, window.1);
    assert_eq!(&got, want, "{name}\n{stderr}");
    for (line, words) in lines {
        let at = format!("{file}:{line}: warning: ");
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with(&at) && l.contains(words)),
            "{name}: no warning at line {line} saying {words:?} in:\n{stderr}"
        );
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    if let Some(peer) = peer(&file, window.0, window.1) {
        let strip = |r: &Rows| -> Vec<(String, String, String)> {
            r.iter()
                .map(|(a, b, c, _)| (a.clone(), b.clone(), c.clone()))
                .collect()
        };
        assert_eq!(
            strip(&got),
            strip(&peer),
            "{name}: timeward and the peer differ"
        );
    } else {
        assert_eq!(name, "broken-rrule", "the peer refused {name}");
    }
}

const Y2024: (&str, &str) = ("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z");

#[test]
fn german_text_folded_inside_characters() {
    let file = "tests/fixtures/quirks/german-folded.ics";
    let want: Rows = (0..8)
        .map(|i| {
            row(
                &format!("werkstatt-{i}@makerspace.example"),
                &format!("2024-09-{:02}T16:00:00Z", 10 + i),
                &format!("2024-09-{:02}T19:00:00Z", 10 + i),
                false,
            )
        })
        .collect();
    check("german-folded", Y2024, &want, &[]);
    // Every character survives the folds: no replacement characters, no warnings.
    let (_, stderr, titles) = agenda(file, Y2024.0, Y2024.1);
    assert!(stderr.is_empty(), "{stderr}");
    for t in &titles {
        assert!(
            t.ends_with(
                "Offene Werkstatt für Einsteiger: Löten, Fräsen & Drucken – Änderungen möglich"
            ),
            "{t:?}"
        );
    }
}

#[test]
fn duplicate_masters_keep_the_newest_copy() {
    let want = vec![
        row(
            "standup@acme.example",
            "2024-09-09T09:00:00Z",
            "2024-09-09T09:15:00Z",
            false,
        ),
        row(
            "standup@acme.example",
            "2024-09-10T09:00:00Z",
            "2024-09-10T09:15:00Z",
            false,
        ),
        row(
            "board-prep@acme.example",
            "2024-09-10T16:00:00Z",
            "2024-09-10T17:00:00Z",
            false,
        ),
        row(
            "standup@acme.example",
            "2024-09-11T09:00:00Z",
            "2024-09-11T09:15:00Z",
            false,
        ),
    ];
    check(
        "duplicate-masters",
        Y2024,
        &want,
        &[
            (
                4,
                "appears twice without a RECURRENCE-ID; the copy at line 13 is kept",
            ),
            (22, "the copy at line 13 is kept"),
            (39, "the copy at line 30 is kept"),
        ],
    );
}

#[test]
fn outlook_all_day_override_with_a_zoned_recurrence_id() {
    let uid = "040000008200E00074C5B7101A82E00800000000A0F3B1C0E607D601000000000000000010000000";
    let want = vec![
        row(uid, "2020-04-02T00:00:00Z", "2020-04-03T00:00:00Z", true),
        row(uid, "2020-04-09T00:00:00Z", "2020-04-10T00:00:00Z", true),
        // The Thursday of 16 April moved to Friday the 17th; it is not also kept.
        row(uid, "2020-04-17T00:00:00Z", "2020-04-18T00:00:00Z", true),
        row(uid, "2020-04-23T00:00:00Z", "2020-04-24T00:00:00Z", true),
    ];
    check(
        "outlook-allday-override",
        ("2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"),
        &want,
        &[],
    );
}

#[test]
fn this_and_future_moves_every_later_instance() {
    let uid = "8F2C1A3E-5B6D-4E7F-9A0B-1C2D3E4F5A6B";
    let want = vec![
        row(uid, "2024-09-02T14:00:00Z", "2024-09-02T14:30:00Z", false),
        row(uid, "2024-09-09T14:00:00Z", "2024-09-09T14:30:00Z", false),
        // From 16 September on: 14:00 New York, an hour long.
        row(uid, "2024-09-16T18:00:00Z", "2024-09-16T19:00:00Z", false),
        row(uid, "2024-09-23T18:00:00Z", "2024-09-23T19:00:00Z", false),
        row(uid, "2024-09-30T18:00:00Z", "2024-09-30T19:00:00Z", false),
        // One instance of its own, moved again.
        row(uid, "2024-10-07T20:00:00Z", "2024-10-07T21:00:00Z", false),
        row(uid, "2024-10-14T18:00:00Z", "2024-10-14T19:00:00Z", false),
        row(uid, "2024-10-21T18:00:00Z", "2024-10-21T19:00:00Z", false),
    ];
    check("thisandfuture", Y2024, &want, &[]);
    // The later instances carry the override's title.
    let (_, _, titles) = agenda("tests/fixtures/quirks/thisandfuture.ics", Y2024.0, Y2024.1);
    assert_eq!(titles[3], "Team sync (afternoons from now on)");
    assert_eq!(titles[5], "Team sync (one late one)");
    assert_eq!(titles[7], "Team sync (afternoons from now on)");
}

#[test]
fn broken_rrule_parts_are_dropped_and_the_rule_kept() {
    let mut want = Vec::new();
    // COUNT=-1 dropped: weekly until UNTIL.
    for d in [2, 9, 16, 23, 30] {
        want.push(row(
            "count-minus-one@example.org",
            &format!("2024-09-{d:02}T09:00:00Z"),
            &format!("2024-09-{d:02}T09:30:00Z"),
            false,
        ));
    }
    // INTERVAL=0 dropped: daily, four times.
    for d in 3..=6 {
        want.push(row(
            "interval-zero@example.org",
            &format!("2024-09-{d:02}T12:00:00Z"),
            &format!("2024-09-{d:02}T13:00:00Z"),
            false,
        ));
    }
    // BYMONTHDAY=32 dropped: weekly, three times.
    for d in [5, 12, 19] {
        want.push(row(
            "bymonthday-32@example.org",
            &format!("2024-09-{d:02}T15:00:00Z"),
            &format!("2024-09-{d:02}T16:00:00Z"),
            false,
        ));
    }
    // UNTIL=2024 dropped: weekly without end (to the window's end).
    let mut day = chrono::NaiveDate::from_ymd_opt(2024, 9, 6).expect("date");
    while day.year() == 2024 {
        want.push(row(
            "until-bare-year@example.org",
            &format!("{day}T17:00:00Z"),
            &format!("{day}T18:00:00Z"),
            false,
        ));
        day += chrono::TimeDelta::days(7);
    }
    want.sort_by(|a, b| (&a.1, &a.0, &a.2).cmp(&(&b.1, &b.0, &b.2)));
    check(
        "broken-rrule",
        Y2024,
        &want,
        &[
            (9, "RRULE part \"COUNT=-1\" must be a whole number of at least 1; left out, the rule kept"),
            (17, "RRULE part \"INTERVAL=0\""),
            (25, "RRULE part \"BYMONTHDAY=32\" has a value out of range"),
            (33, "RRULE part \"UNTIL=2024\" is not a date or date-time"),
        ],
    );
}

use chrono::Datelike;

#[test]
fn rdate_periods_have_their_own_lengths() {
    let id = "periods@example.org";
    let want = vec![
        row(id, "2024-09-10T09:00:00Z", "2024-09-10T09:30:00Z", false),
        row(id, "2024-09-12T12:00:00Z", "2024-09-12T13:00:00Z", false),
        row(id, "2024-09-13T08:00:00Z", "2024-09-13T10:30:00Z", false),
        row(id, "2024-09-14T10:00:00Z", "2024-09-14T11:30:00Z", false),
    ];
    check("rdate-periods", Y2024, &want, &[]);
}

#[test]
fn swapped_and_mixed_ends_are_read_not_skipped() {
    let want = vec![
        row(
            "swapped@example.org",
            "2024-09-10T10:00:00Z",
            "2024-09-10T11:00:00Z",
            false,
        ),
        row(
            "date-start-datetime-end@example.org",
            "2024-09-11T00:00:00Z",
            "2024-09-12T00:00:00Z",
            true,
        ),
        row(
            "datetime-start-date-end@example.org",
            "2024-09-12T00:00:00Z",
            "2024-09-14T00:00:00Z",
            true,
        ),
        row(
            "swapped-dates@example.org",
            "2024-09-15T00:00:00Z",
            "2024-09-17T00:00:00Z",
            true,
        ),
    ];
    check(
        "swapped-ends",
        Y2024,
        &want,
        &[
            (8, "DTEND is before DTSTART; read with the two swapped"),
            (15, "mix a DATE and a DATE-TIME; read as an all-day event"),
            (22, "mix a DATE and a DATE-TIME"),
            (29, "DTEND is before DTSTART"),
        ],
    );
}
