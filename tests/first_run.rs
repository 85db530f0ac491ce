//! The first run as a new user meets it: a missing rules file, an invalid one, no config,
//! a calendar that is not there. Each message says what is wrong and what to do, and
//! nothing claims a feed or rules that do not exist.

mod support;

use std::process::Command;
use std::time::Duration;

use support::daemon::{binary, setup, Daemon, TempDir};

/// `timeward run` in `dir`, which is expected to stop by itself (within a minute, or the
/// test fails rather than hangs): its exit code and log.
fn run_until_exit(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let log = dir.join("run.log");
    let mut child = Command::new(binary())
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("run timeward");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "timeward kept running:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (
        status.code(),
        std::fs::read_to_string(&log).unwrap_or_default(),
    )
}

/// What no message may say when there is no feed and no rules.
fn claims_nothing_absent(log: &str) {
    for claim in [
        "serving the suggestions feed",
        "last good rules stay in force",
        "last good feed keeps being served",
    ] {
        assert!(!log.contains(claim), "claims {claim:?}:\n{log}");
    }
}

#[test]
fn a_missing_rules_file_stops_with_what_to_copy() {
    let dir = TempDir::new("first-missing-rules");
    setup(dir.path(), "1m");
    std::fs::remove_file(dir.path().join("rules.toml")).expect("remove rules");
    let (code, log) = run_until_exit(dir.path(), &["run", "--config", "timeward.toml"]);
    assert_eq!(code, Some(1), "{log}");
    assert!(log.contains("rules.toml: no rules file here"), "{log}");
    assert!(log.contains("cp config/rules.example.toml"), "{log}");
    assert!(log.contains("nothing to serve"), "{log}");
    claims_nothing_absent(&log);
}

#[test]
fn an_invalid_rules_file_stops_with_its_line_and_fix() {
    let dir = TempDir::new("first-invalid-rules");
    setup(dir.path(), "1m");
    let rules = std::fs::read_to_string(dir.path().join("rules.toml")).expect("rules");
    std::fs::write(
        dir.path().join("rules.toml"),
        rules.replacen("[executive]", "[limits]\nhorizn = \"2w\"\n\n[executive]", 1),
    )
    .expect("write");
    let (code, log) = run_until_exit(dir.path(), &["run", "--config", "timeward.toml"]);
    assert_eq!(code, Some(1), "{log}");
    assert!(log.contains("limits.horizn"), "names the key: {log}");
    assert!(log.contains("fix: "), "{log}");
    assert!(log.contains("did you mean \"horizon\""), "{log}");
    claims_nothing_absent(&log);
}

#[test]
fn a_missing_config_is_said_named_or_not() {
    let dir = TempDir::new("first-missing-config");
    // Named: an error that says so.
    let (code, log) = run_until_exit(dir.path(), &["run", "--config", "nope.toml"]);
    assert_eq!(code, Some(1), "{log}");
    assert!(
        log.contains("nope.toml: --config: the file does not exist"),
        "{log}"
    );
    // Not named, and no config/timeward.toml here: said, then the missing rules.
    let (code, log) = run_until_exit(dir.path(), &["run"]);
    assert_eq!(code, Some(1), "{log}");
    assert!(log.contains("no config/timeward.toml here"), "{log}");
    assert!(log.contains("--config FILE"), "{log}");
    assert!(
        log.contains("config/rules.toml: no rules file here"),
        "{log}"
    );
    claims_nothing_absent(&log);
    assert!(
        !dir.path().join("state").exists(),
        "nothing is created when there is nothing to serve"
    );
}

#[test]
fn a_missing_calendar_says_there_is_no_feed_yet() {
    let dir = TempDir::new("first-missing-calendar");
    setup(dir.path(), "1m");
    std::fs::remove_file(dir.path().join("calendar.ics")).expect("remove calendar");
    let d = Daemon::start(dir.path());
    d.wait_for("the failed read in the log", |d| {
        d.log_text().contains("reading the calendar failed")
    });
    let log = d.log_text();
    assert!(
        log.contains("there is no feed until a first good read"),
        "{log}"
    );
    assert!(
        log.contains("calendar.ics: cannot read the calendar"),
        "{log}"
    );
    assert!(
        log.contains("the feed answers 404 until the first cycle"),
        "{log}"
    );
    assert!(!log.contains("last good feed keeps being served"), "{log}");
    assert_eq!(d.feed().status, 404);
    let health = d.get("/healthz");
    assert_eq!(health.status, 503, "no feed yet: {}", health.text());
    let (status, _) = d.stop(Duration::from_secs(10));
    assert!(status.success());
}

#[test]
fn explain_without_a_store_says_where_it_looked_and_creates_nothing() {
    let dir = TempDir::new("first-explain");
    setup(dir.path(), "1m");
    let out = Command::new(binary())
        .args(["explain", "some-id", "--config", "timeward.toml"])
        .current_dir(dir.path())
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("no store here"), "{err}");
    assert!(err.contains("TIMEWARD_STATE_DIR"), "{err}");
    assert!(
        !dir.path().join("state").exists(),
        "explain created a state directory"
    );
}
