//! The 1:1 agenda, golden: the scenarios in `tests/briefs/` (a calendar, the rules of an
//! earlier cycle, the rules in force, an edit that does not load) run through two real
//! cycles on a real store; each agenda of the 1:1s is compared with `expected.txt`, and
//! the feed's DESCRIPTION of each 1:1 is read back by Python's `icalendar` and Mozilla's
//! ical.js. No private text anywhere. `UPDATE_GOLDEN=1` rewrites `expected.txt`.

mod support;

use std::path::Path;
use std::process::Command;

use chrono::{DateTime, Utc};
use serde_json::Value;
use timeward::store::Store;

fn at(t: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(t)
        .expect("a time")
        .with_timezone(&Utc)
}

fn rules(path: &Path) -> timeward::rules::Rules {
    timeward::rules_file::load(path).expect("valid rules")
}

fn descriptions(reader: Command) -> Value {
    let mut reader = reader;
    support::json_output(&reader.output().expect("the reader runs"))
}

#[test]
fn agendas_match_their_golden_files() {
    // Relative paths, as the daemon's messages name the configured files.
    let root = Path::new("tests/briefs");
    let mut n = 0;
    for entry in std::fs::read_dir(root).expect("tests/briefs") {
        let folder = entry.expect("entry").path();
        if !folder.is_dir() {
            continue;
        }
        n += 1;
        let dir = support::daemon::TempDir::new("brief");
        let store = Store::open(dir.path()).expect("store");
        let calendar = folder.join("calendar.ics");
        timeward::daemon::cycle_from_file(
            &store,
            dir.path(),
            &calendar,
            &rules(&folder.join("previous.toml")),
            at("2026-12-07T07:00:00-05:00"),
            None,
            &[],
        )
        .expect("the earlier cycle");
        let broken = timeward::rules_file::load(&folder.join("broken.toml"))
            .expect_err("the edit does not load")
            .to_string();
        let problem = timeward::daemon::rules_problem(&broken).expect("a line");
        timeward::daemon::cycle_from_file(
            &store,
            dir.path(),
            &calendar,
            &rules(&folder.join("rules.toml")),
            at("2026-12-07T08:00:00-05:00"),
            None,
            &[problem],
        )
        .expect("this cycle");

        let json: Value = serde_json::from_slice(
            &std::fs::read(dir.path().join("briefs.json")).expect("briefs.json"),
        )
        .expect("JSON");
        let mut got = String::new();
        for b in json["briefs"].as_array().expect("briefs") {
            got.push_str(&format!(
                "## {} · {}\n",
                b["series"].as_str().unwrap_or(""),
                b["start"].as_str().unwrap_or("")
            ));
            for l in b["lines"].as_array().expect("lines") {
                got.push_str(&format!("• {}\n", l.as_str().unwrap_or("")));
            }
            got.push('\n');
        }
        let expected_path = folder.join("expected.txt");
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&expected_path, &got).expect("write expected.txt");
        }
        let expected = std::fs::read_to_string(&expected_path).expect("expected.txt");
        assert_eq!(got, expected, "{}: the agendas differ", folder.display());
        for secret in ["SECRETTITLE", "SECRETDESC"] {
            assert!(!got.contains(secret));
        }

        // The feed: each 1:1 with the assistant carries its agenda, as two readers see it.
        let feed = dir.path().join("feed.ics");
        let mut py = Command::new(support::external::python());
        py.arg(support::external::scripts().join("descriptions.py"))
            .arg(&feed);
        let mut node = support::external::node("descriptions.mjs");
        node.arg(&feed);
        let text = std::fs::read_to_string(&feed).expect("feed");
        assert!(!text.contains("SECRET"), "no private text in the feed");
        // `timeward brief` prints the same lines from the state directory.
        let config = dir.path().join("timeward.toml");
        std::fs::write(&config, format!("state_dir = {:?}\n", dir.path())).expect("config");
        let out = Command::new(env!("CARGO_BIN_EXE_timeward"))
            .args(["brief", "--config"])
            .arg(&config)
            .output()
            .expect("timeward brief");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let printed = String::from_utf8_lossy(&out.stdout);
        for l in got.lines().filter(|l| l.starts_with("• ")) {
            assert!(printed.contains(l), "{l:?} not printed:\n{printed}");
        }

        let briefs = json["briefs"].as_array().expect("briefs");
        for read in [descriptions(py), descriptions(node)] {
            let agendas: Vec<&str> = read
                .as_object()
                .expect("an object")
                .values()
                .filter_map(Value::as_str)
                .filter(|d| d.contains("\n\nAgenda:\n"))
                .collect();
            assert_eq!(agendas.len(), briefs.len(), "{read:#}");
            for b in briefs {
                let first = b["lines"][0].as_str().expect("a line");
                assert!(
                    agendas.iter().any(|d| d.contains(&format!("• {first}"))),
                    "{first:?} in no DESCRIPTION: {read:#}"
                );
            }
        }
    }
    assert!(n >= 1, "no scenario in tests/briefs");
}
