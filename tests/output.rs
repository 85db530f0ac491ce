//! What a person reads: `decide`, `agenda`, `check` and `explain` on the demo, as
//! snapshots (`tests/snapshots/`; after a deliberate change, `INSTA_UPDATE=always cargo
//! test --test output` rewrites them, and the diff is reviewed). And the decide table's
//! points add up to its scores.

mod support;

use std::process::Command;

use support::daemon::{binary, TempDir};

const NOW: &str = "2026-12-07T08:00:00-05:00";

fn run(args: &[&str]) -> String {
    let out = Command::new(binary())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("timeward runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn decide_table() -> String {
    run(&[
        "decide",
        "--calendar",
        "config/demo.ics",
        "--rules",
        "config/rules.example.toml",
        "--now",
        NOW,
    ])
}

#[test]
fn decide_on_the_demo() {
    insta::assert_snapshot!(decide_table());
}

#[test]
fn the_decide_table_adds_up() {
    let table = decide_table();
    let mut checked = 0;
    let mut current: Option<(i64, i64, String)> = None;
    let mut finish = |c: Option<(i64, i64, String)>| {
        if let Some((score, sum, title)) = c {
            assert_eq!(sum, score, "the points of {title:?} add up to its score");
            checked += 1;
        }
    };
    for line in table.lines() {
        // A request's line: verdict, when, score, title (a blocked one shows no score).
        let cells: Vec<&str> = line.split_whitespace().collect();
        let is_head = line.chars().count() > 62
            && !line.starts_with(' ')
            && cells.iter().any(|c| c.starts_with("20") && c.len() == 10);
        if is_head {
            finish(current.take());
            // Columns in characters (a verdict may hold "→").
            let chars: Vec<char> = line.chars().collect();
            let score: String = chars[55..60].iter().collect();
            let title: String = chars[62..].iter().collect();
            current = score
                .trim()
                .parse::<i64>()
                .ok()
                .map(|s| (s, 0, title.trim().to_string()));
        } else if let Some((_, sum, _)) = current.as_mut() {
            let t = line.trim_start();
            if let Some(n) = t
                .split_whitespace()
                .next()
                .and_then(|w| w.parse::<i64>().ok())
            {
                if t.starts_with('+') || t.starts_with('-') {
                    *sum += n;
                }
            }
        }
    }
    finish(current.take());
    assert!(checked >= 8, "requests checked: {checked}\n{table}");
}

#[test]
fn agenda_on_the_demo() {
    insta::assert_snapshot!(run(&[
        "agenda",
        "--calendar",
        "config/demo.ics",
        "--rules",
        "config/rules.example.toml",
        "--from",
        "2026-12-07T00:00:00-05:00",
        "--to",
        "2026-12-12T00:00:00-05:00",
    ]));
}

#[test]
fn agenda_without_rules_says_what_it_cannot_tell() {
    insta::assert_snapshot!(run(&[
        "agenda",
        "--calendar",
        "config/demo.ics",
        "--tz",
        "Europe/Berlin",
        "--from",
        "2026-12-07T00:00:00-05:00",
        "--to",
        "2026-12-08T00:00:00-05:00",
    ]));
}

#[test]
fn check_on_the_example_rules() {
    insta::assert_snapshot!(run(&["check", "--rules", "config/rules.example.toml"]));
}

#[test]
fn explain_on_a_stored_demo_decision() {
    use chrono::{DateTime, TimeDelta, Utc};
    let dir = TempDir::new("output-explain");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules_path = root.join("config/rules.example.toml");
    let rules = timeward::rules::Rules::parse(
        &std::fs::read_to_string(&rules_path).expect("rules"),
        "rules.toml",
    )
    .expect("valid");
    let snapshot = timeward::source::ics::load(&root.join("config/demo.ics")).expect("demo");
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339(NOW).expect("time").into();
    {
        let store = timeward::store::Store::open(&dir.path().join("state")).expect("store");
        // Two cycles: the second, a day later with a VIP added, changes a suggestion.
        let plan = timeward::suggest(&snapshot, &rules, &[], now);
        let versions = timeward::feed::advance(
            &timeward::feed::Versions::new(),
            &timeward::feed::entries(&plan, &rules, &[]),
            now,
        );
        store.record_cycle(&plan, &versions, now).expect("record");
        let mut vip = rules.clone();
        vip.vip
            .push(timeward::rules::Pattern::parse("eng@acme.example").expect("pattern"));
        let later = now + TimeDelta::minutes(90) + TimeDelta::seconds(7);
        let plan = timeward::suggest(&snapshot, &vip, &[], later);
        store.record_cycle(&plan, &versions, later).expect("record");
    }
    std::fs::write(
        dir.path().join("timeward.toml"),
        format!(
            "rules = {:?}\nstate_dir = {:?}\n",
            rules_path,
            dir.path().join("state")
        ),
    )
    .expect("config");
    let config = dir.path().join("timeward.toml");
    let text = run(&[
        "explain",
        "r8@acme.example",
        "--config",
        config.to_str().expect("UTF-8"),
    ]);
    insta::assert_snapshot!(text);
}
