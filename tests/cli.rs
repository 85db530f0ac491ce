//! The command line as a person uses it: exit codes 0/1/2, and bad input that
//! gets a message naming the file, the line and the fix, never a panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn timeward(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_timeward"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("timeward runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A scratch directory for this test, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

const GOOD_RULES: &str = "tests/scenarios/gatekeeping-rules/rules.toml";

#[test]
fn check_prints_a_summary_of_a_good_file() {
    let out = timeward(&["check", "--rules", "config/rules.example.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    for needle in [
        "config/rules.example.toml: ok",
        "Dana Reyes <dana@acme.example>",
        "goals        2",
        "rules        3",
        "delegates    2",
        "1:1s         1",
    ] {
        assert!(s.contains(needle), "{needle:?} missing from:\n{s}");
    }
}

#[test]
fn bad_rules_files_name_file_line_column_and_fix() {
    let dir = scratch("bad-rules");
    let head = "[executive]\nemail = \"dana@acme.example\"\ntimezone = \"America/New_York\"\n";
    // (name, body after the head, what stderr must contain)
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "typo",
            "[limits]\nmin_notise = \"24h\"\n",
            &[
                ":5:1: limits.min_notise: unknown key",
                "did you mean \"min_notice\"",
            ],
        ),
        (
            "wrong-type",
            "[limits]\nmax_meetings_per_day = \"six\"\n",
            &[
                ":5:24: limits.max_meetings_per_day: must be a whole number, found string",
                "fix: write a number without quotes",
            ],
        ),
        (
            "weekday",
            "[[focus]]\ndays = [\"tue\", \"thurs\"]\ntime = \"09:00-11:00\"\n",
            &[
                ":5:16: focus[1].days[1]: unknown weekday \"thurs\"",
                "did you mean \"thu\"",
            ],
        ),
        (
            "thresholds",
            "[thresholds]\naccept = 30\ndecline = 40\n",
            &[
                ":5:10: thresholds.accept: accept (30) must be greater than decline (40)",
                "fix: raise accept",
            ],
        ),
        ("not-toml", "[limits\n", &[":4:", "not valid TOML"]),
    ];
    for (name, body, needles) in cases {
        let path = dir.join(format!("{name}.toml"));
        std::fs::write(&path, format!("{head}{body}")).expect("write");
        let p = path.to_str().expect("utf-8 path");
        for args in [
            vec!["check", "--rules", p],
            vec![
                "decide",
                "--calendar",
                "tests/fixtures/series.ics",
                "--rules",
                p,
            ],
        ] {
            let out = timeward(&args);
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{name}: {err}");
            assert!(
                err.starts_with(&format!("{p}:")),
                "{name}: message starts with the file: {err}"
            );
            for n in *needles {
                assert!(err.contains(n), "{name}: {n:?} missing from {err}");
            }
            assert!(!err.contains("panicked"), "{name}: {err}");
            assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
        }
    }
}

#[test]
fn a_missing_rules_file_is_invalid_input() {
    let out = timeward(&["check", "--rules", "no/such/rules.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no/such/rules.toml: no rules file here")
            && text(&out.stderr).contains("cp config/rules.example.toml no/such/rules.toml"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn broken_calendars_are_refused_with_a_clear_error() {
    let dir = scratch("bad-ics");
    let full = std::fs::read_to_string("tests/fixtures/series.ics").expect("a calendar to cut");
    let truncated = &full[..full.len() * 2 / 3];
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated.ics", truncated.as_bytes().to_vec(), "cut off"),
        (
            "binary.ics",
            vec![0x89, b'P', b'N', b'G', 0, 1, 2, 3, 0xff],
            "not a text file",
        ),
        ("empty.ics", Vec::new(), "the file is empty"),
        (
            "html.ics",
            b"<html><body>Sign in</body></html>".to_vec(),
            "not an iCalendar file",
        ),
    ];
    for (name, bytes, needle) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write");
        let p = path.to_str().expect("utf-8 path");
        let out = timeward(&[
            "decide",
            "--calendar",
            p,
            "--rules",
            GOOD_RULES,
            "--now",
            "2026-12-07T08:00:00-05:00",
        ]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(
            err.starts_with(&format!("{p}:")) && err.contains(needle),
            "{name}: {err}"
        );
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}

#[test]
fn one_malformed_event_is_reported_and_the_others_decided() {
    let out = timeward(&[
        "decide",
        "--json",
        "--calendar",
        "tests/fixtures/broken-event.ics",
        "--rules",
        GOOD_RULES,
        "--now",
        "2026-12-07T08:00:00-05:00",
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("tests/fixtures/broken-event.ics:12: warning: event skipped: event \"bad-date\": DTSTART"), "{err}");
    // The garbled event loses only its two bad lines (it used to be skipped whole); it has
    // no attendees, so it is busy time, not a request.
    for line in [23, 24] {
        assert!(
            err.contains(&format!(
                "tests/fixtures/broken-event.ics:{line}: warning: this line is not an iCalendar content line"
            )),
            "{err}"
        );
    }
    assert!(!err.contains("broken-event.ics:20:"), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let ids: Vec<&str> = v["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .filter_map(|d| d["id"].as_str())
        .collect();
    assert_eq!(ids, vec!["good-1", "good-2"]);
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["decide", "--calendar", "x.ics"],
        vec![
            "decide",
            "--calendar",
            "x.ics",
            "--rules",
            "r.toml",
            "--now",
            "next tuesday",
        ],
        vec!["agenda", "--calendar", "x.ics", "--from", "2026-12-07"],
        vec!["frobnicate"],
    ] {
        let out = timeward(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn decide_is_deterministic_and_writes_nothing() {
    let dir = scratch("determinism");
    let args = [
        "decide",
        "--json",
        "--calendar",
        "tests/fixtures/series.ics",
        "--rules",
        GOOD_RULES,
        "--now",
        "2026-12-07T08:00:00-05:00",
    ];
    let before: Vec<_> = std::fs::read_dir(&dir).expect("dir").collect();
    let a = timeward(&args);
    let b = timeward(&args);
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(a.stdout, b.stdout);
    assert!(before.is_empty() && std::fs::read_dir(&dir).expect("dir").next().is_none());
    let table = timeward(&[
        "decide",
        "--calendar",
        "tests/fixtures/series.ics",
        "--rules",
        GOOD_RULES,
        "--now",
        "2026-12-07T08:00:00-05:00",
    ]);
    let s = text(&table.stdout);
    assert!(s.contains("VERDICT") && s.contains("Design review"), "{s}");
}

#[test]
fn decide_previous_keeps_the_reservations_of_an_earlier_run() {
    let dir = scratch("previous");
    let base = [
        "decide",
        "--calendar",
        "config/demo.ics",
        "--rules",
        "config/rules.example.toml",
        "--now",
        "2026-12-07T08:00:00-05:00",
        "--json",
    ];
    let first = timeward(&base);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&first.stdout).expect("JSON");
    let reservations = plan["reservations"].as_array().cloned().unwrap_or_default();
    assert!(!reservations.is_empty(), "the example rules hold a 1:1");
    let prev = dir.join("previous.json");
    std::fs::write(&prev, &first.stdout).expect("write previous");

    let mut args = base.to_vec();
    let prev_arg = prev.display().to_string();
    args.extend(["--previous", prev_arg.as_str()]);
    let second = timeward(&args);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    assert_eq!(
        text(&second.stdout),
        text(&first.stdout),
        "fed its own output, decide gives the same plan"
    );

    // A previous file that is not decide's JSON: exit 1, the file, line and column named.
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        "{\n  \"reservations\": [\n    { \"series\": 3 }\n  ]\n}\n",
    )
    .expect("write");
    let mut args = base.to_vec();
    let bad_arg = bad.display().to_string();
    args.extend(["--previous", bad_arg.as_str()]);
    let out = timeward(&args);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("{}:3:", bad.display())) && err.contains("decide --json"),
        "{err}"
    );
}
