//! `timeward simulate`: what a rules edit would change, on a scenario's calendar and on
//! the configured source; only what differs; exit 1 with file:line:col for invalid rules.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod support;

const NOW: &str = "2026-12-07T08:00:00-05:00";

fn scenario(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios/gatekeeping-rules")
        .join(file)
}

fn simulate(new: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_timeward"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("simulate")
        .arg(new)
        .args(["--now", NOW])
        .args(extra)
        .output()
        .expect("timeward runs")
}

/// The scenario's rules with `from` replaced by `to`, written to a scratch file.
fn edited(dir: &Path, name: &str, from: &str, to: &str) -> PathBuf {
    let text = std::fs::read_to_string(scenario("rules.toml")).expect("rules");
    assert!(text.contains(from), "{from:?} not in the rules");
    let path = dir.join(name);
    std::fs::write(&path, text.replace(from, to)).expect("write");
    path
}

fn json(out: &Output) -> Value {
    support::json_output(out)
}

#[test]
fn each_kind_of_edit_shows_what_it_changes() {
    let dir = support::daemon::TempDir::new("simulate");
    let current = scenario("rules.toml");
    let calendar = scenario("calendar.ics");
    let base = [
        "--rules",
        current.to_str().expect("utf-8"),
        "--calendar",
        calendar.to_str().expect("utf-8"),
    ];

    // Identical rules: nothing, exit 0.
    let same = simulate(&current, &base);
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&same.stdout),
        "no suggestion changes\n"
    );
    let v = json(&simulate(&current, &[&base[..], &["--json"]].concat()));
    assert_eq!(v["changed"], false);
    assert_eq!(v["decisions"], serde_json::json!([]));

    // A goal weight raised: g1 (delegated to HR by a rule) keeps its verdict, its score
    // and the goal's points change, before and after.
    let raised = edited(dir.path(), "raised.toml", "weight = 20", "weight = 45");
    let v = json(&simulate(&raised, &[&base[..], &["--json"]].concat()));
    let d = &v["decisions"].as_array().expect("decisions");
    assert_eq!(d.len(), 1, "{v:#}");
    assert_eq!(d[0]["id"], "g1");
    assert_eq!(d[0]["before"]["score"], 55);
    assert_eq!(d[0]["after"]["score"], 80);
    assert_eq!(d[0]["reasons_removed"][0]["points"], 20);
    assert_eq!(d[0]["reasons_added"][0]["points"], 45);
    assert_eq!(d[0]["reasons_added"][0]["source"], "goal: Hiring");

    // A new verdict rule: the requests it catches.
    let rule = edited(
        dir.path(),
        "rule.toml",
        "[[rules]]\nname = \"Recruiters go to HR\"",
        "[[rules]]\nname = \"Decline the rest\"\nif = { from = [\"*@acme.example\"] }\nthen = \"decline\"\n\n[[rules]]\nname = \"Recruiters go to HR\"",
    );
    let out = simulate(&rule, &base);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(text.contains("suggestion(s) change"), "{text}");
    assert!(text.contains("Decline the rest"), "{text}");
    assert!(text.contains("(g6)"), "{text}");
    assert!(
        !text.contains("(g3)"),
        "a blocked organiser was declined already: {text}"
    );

    // A daily limit (on the demo week, which has busy days): the over-limit reasons that
    // appear, and vanish again when the limit is put back.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = root.join("config/rules.example.toml");
    let text = std::fs::read_to_string(&example).expect("rules");
    assert!(text.contains("max_meetings_per_day = 6"));
    let tight = dir.path().join("tight.toml");
    std::fs::write(
        &tight,
        text.replace("max_meetings_per_day = 6", "max_meetings_per_day = 2"),
    )
    .expect("write");
    let demo = root.join("config/demo.ics");
    let on_demo = |new: &Path, current: &Path| {
        json(&simulate(
            new,
            &[
                "--rules",
                current.to_str().expect("utf-8"),
                "--calendar",
                demo.to_str().expect("utf-8"),
                "--json",
            ],
        ))
    };
    let limit_reason = |r: &Value| r["source"] == "daily limit" && r["points"].as_i64() < Some(0);
    let v = on_demo(&tight, &example);
    let changes = v["decisions"].as_array().expect("decisions");
    assert!(!changes.is_empty(), "{v:#}");
    assert!(
        changes.iter().all(|c| c["reasons_added"]
            .as_array()
            .is_some_and(|a| a.iter().any(limit_reason))),
        "{v:#}"
    );
    let v = on_demo(&example, &tight);
    let back = v["decisions"].as_array().expect("decisions");
    assert_eq!(back.len(), changes.len());
    assert!(
        back.iter().all(|c| c["reasons_removed"]
            .as_array()
            .is_some_and(|a| a.iter().any(limit_reason))),
        "{v:#}"
    );

    // Invalid NEW: exit 1, the place and the fix, as `check` says them.
    let bad = edited(dir.path(), "bad.toml", "weight = 20", "weigth = 20");
    let out = simulate(&bad, &base);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:"), "{err}");
    assert!(err.contains("did you mean \"weight\""), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn without_a_calendar_it_reads_the_configured_source() {
    // The shipped configuration: the demo calendar and the example rules.
    let dir = support::daemon::TempDir::new("simulate-config");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("config/rules.example.toml"),
    )
    .expect("rules");
    let same = dir.path().join("same.toml");
    std::fs::write(&same, &text).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_timeward"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["simulate"])
        .arg(&same)
        .args(["--config", "config/timeward.toml"])
        .env("TIMEWARD_STATE_DIR", dir.path().join("state"))
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "no suggestion changes\n"
    );
    assert!(
        !dir.path().join("state").exists(),
        "simulate writes nothing"
    );
}

/// While the daemon runs, `simulate` asks it (`POST /api/simulate`) and compares on the
/// calendar the daemon holds — here an older read than the file on disk, which proves
/// where the answer came from. The API needs the token and says what is wrong in rules.
#[test]
fn while_the_daemon_runs_it_answers_on_its_own_calendar() {
    use support::daemon::{request_with_body, setup, Daemon};
    let dir = support::daemon::TempDir::new("simulate-daemon");
    setup(dir.path(), "1h");
    let d = Daemon::start(dir.path());
    d.wait_ready();
    // The file changes, but the daemon (polling hourly) still holds the launch meeting.
    let calendar = dir.path().join("calendar.ics");
    let text = std::fs::read_to_string(&calendar).expect("calendar");
    std::fs::write(
        &calendar,
        text.replace("Launch planning", "Quarterly planning"),
    )
    .expect("edit");
    let new = dir.path().join("new.toml");
    std::fs::write(&new, support::daemon::rules(80)).expect("new rules");
    let out = Command::new(env!("CARGO_BIN_EXE_timeward"))
        .arg("simulate")
        .arg(&new)
        .arg("--config")
        .arg(dir.path().join("timeward.toml"))
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("Launch planning"),
        "the daemon's calendar: {text}"
    );
    assert!(text.contains("+ +80 goal: Launch"), "{text}");

    // The API: without the token the uniform 404; invalid rules 422 with the place.
    let plain = request_with_body(&d.addr, "POST", "/api/simulate", &[], b"x");
    assert_eq!(plain.status, 404);
    let token = std::fs::read_to_string(dir.path().join("state/feed_token")).expect("token");
    let bearer = format!("Bearer {}", token.trim());
    let bad = request_with_body(
        &d.addr,
        "POST",
        "/api/simulate",
        &[("Authorization", &bearer)],
        b"[executive]\nemial = \"x\"\n",
    );
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("NEW:2:1"), "{}", bad.text());
    let (status, _) = d.stop(std::time::Duration::from_secs(10));
    assert!(status.success());
}
