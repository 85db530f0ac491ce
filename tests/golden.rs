//! Golden scenarios: every folder of `tests/scenarios/` and, when it exists, of
//! `../shared/scenarios/` holds `calendar.ics`, `rules.toml` and `expected.json`. The
//! `timeward decide --json` output (run through the real binary) must give, for every
//! request, the expected verdict, delegate and score, and no other requests; exactly the
//! expected 1:1 reservations, and the expected unplaced periods, each with a reason. A
//! scenario's `busy*.ics` files are passed as `--busy-calendar` (their text must not
//! appear in the output).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn scenario_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = Vec::new();
    for base in [
        root.join("tests/scenarios"),
        root.join("../shared/scenarios"),
    ] {
        let Ok(entries) = std::fs::read_dir(&base) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("expected.json").is_file())
            .collect();
        found.sort();
        dirs.extend(found);
    }
    dirs
}

/// A scenario's busy calendars: every `busy*.ics` beside its `calendar.ics`.
fn busy_calendars(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("busy") && n.ends_with(".ics"))
        })
        .collect();
    found.sort();
    found
}

fn run(dir: &Path, now: &str) -> Value {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_timeward"));
    cmd.args(["decide", "--json", "--now", now, "--calendar"])
        .arg(dir.join("calendar.ics"))
        .arg("--rules")
        .arg(dir.join("rules.toml"));
    for busy in busy_calendars(dir) {
        cmd.arg("--busy-calendar").arg(busy);
    }
    let out = cmd.output().expect("the timeward binary runs");
    let text = String::from_utf8_lossy(&out.stdout);
    for secret in ["PERSONALTITLE", "PERSONALDESC"] {
        assert!(
            !text.contains(secret),
            "{}: a busy calendar's text leaks",
            dir.display()
        );
    }
    assert!(
        out.status.success(),
        "{}: decide failed: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: output is not JSON: {e}", dir.display()))
}

fn key(d: &Value) -> (String, Value, Value, Value) {
    (
        d["id"].as_str().unwrap_or_default().to_string(),
        d["verdict"].clone(),
        d["delegate_to"].clone(),
        d["score"].clone(),
    )
}

fn reservation_key(r: &Value, with: bool) -> (Value, Value, Value, Value) {
    (
        r["series"].clone(),
        if with { r["with"].clone() } else { Value::Null },
        r["start"].clone(),
        r["end"].clone(),
    )
}

fn unplaced_key(u: &Value) -> (Value, Value, Value) {
    (
        u["series"].clone(),
        u["period_start"].clone(),
        u["period_end"].clone(),
    )
}

#[test]
fn every_scenario_gives_the_expected_decisions() {
    let dirs = scenario_dirs();
    assert!(
        dirs.len() >= 5,
        "expected the project's scenarios (and shared ones in CI), found {dirs:?}"
    );
    let mut failures = Vec::new();
    for dir in &dirs {
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("expected.json")).expect("expected.json is readable"),
        )
        .expect("expected.json is JSON");
        let now = expected["now"].as_str().expect("expected.json names now");
        let got = run(dir, now);
        assert_eq!(
            got["now"].as_str(),
            Some(now),
            "{}: now is echoed in the executive's offset",
            dir.display()
        );
        let want: Vec<_> = expected["decisions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(key)
            .collect();
        let have: Vec<_> = got["decisions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(key)
            .collect();
        if want != have {
            failures.push(format!(
                "{}:\n  want {want:?}\n  have {have:?}",
                dir.display()
            ));
        }
        for d in got["decisions"].as_array().into_iter().flatten() {
            let sum: i64 = d["reasons"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["points"].as_i64())
                .sum();
            assert_eq!(
                Some(sum),
                d["score"].as_i64(),
                "{}: score is the sum of the reasons",
                dir.display()
            );
            assert_eq!(
                d["reasons"][0]["source"],
                "base",
                "{}: the first reason is the base",
                dir.display()
            );
        }
        // Reservations: exactly the expected ones, in order (`with` too when given).
        let want_res: Vec<_> = expected["reservations"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| reservation_key(r, r.get("with").is_some()))
            .collect();
        let have_res: Vec<_> = got["reservations"]
            .as_array()
            .into_iter()
            .flatten()
            .zip(
                expected["reservations"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .chain(std::iter::repeat(&Value::Null)),
            )
            .map(|(r, e)| reservation_key(r, e.get("with").is_some()))
            .collect();
        if want_res != have_res {
            failures.push(format!(
                "{}: reservations\n  want {want_res:?}\n  have {have_res:?}",
                dir.display()
            ));
        }
        // Unplaced periods: the same series and periods, each with a reason.
        let want_un: Vec<_> = expected["unplaced"]
            .as_array()
            .into_iter()
            .flatten()
            .map(unplaced_key)
            .collect();
        let have_un: Vec<_> = got["unplaced"]
            .as_array()
            .into_iter()
            .flatten()
            .map(unplaced_key)
            .collect();
        if want_un != have_un {
            failures.push(format!(
                "{}: unplaced\n  want {want_un:?}\n  have {have_un:?}",
                dir.display()
            ));
        }
        for u in got["unplaced"].as_array().into_iter().flatten() {
            assert!(
                u["reason"].as_str().is_some_and(|r| !r.is_empty()),
                "{}: an unplaced period says why: {u}",
                dir.display()
            );
        }
        println!(
            "{}: {} decision(s), {} reservation(s), {} unplaced period(s) checked",
            dir.display(),
            want.len(),
            want_res.len(),
            want_un.len()
        );
    }
    assert!(
        failures.is_empty(),
        "scenarios that differ:\n{}",
        failures.join("\n")
    );
}
