//! Helpers shared by the integration tests: `daemon` starts the real binary on loopback;
//! `fake_google` is a fake Google Calendar API for the real client; `external` installs the
//! real iCalendar readers that some tests compare with.

#![allow(dead_code)]

pub mod daemon;
pub mod desk;
pub mod external;
pub mod fake_google;

/// How many rounds a soak test runs: `full` when `SOAK=full` (as `.ci/run` sets it; not a
/// `TIMEWARD_` name, which the daemons under test would take for configuration),
/// else `short`, so that a plain `cargo test` stays quick.
pub fn soak(full: usize, short: usize) -> usize {
    if std::env::var("SOAK").is_ok_and(|v| v == "full") {
        full
    } else {
        short
    }
}

/// `timeward agenda --json --calendar FILE --from FROM --to TO`, run in the repository.
pub fn agenda_json(file: &str, from: &str, to: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_timeward"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "agenda",
            "--json",
            "--calendar",
            file,
            "--from",
            from,
            "--to",
            to,
        ])
        .output()
        .expect("timeward runs")
}

/// A command's output as JSON, after checking that it succeeded (its stderr if not).
pub fn json_output(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}
