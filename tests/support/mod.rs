//! Helpers shared by the integration tests: `daemon` starts the real binary on loopback;
//! `fake_google` is a fake Google Calendar API for the real client; `external` installs the
//! real iCalendar readers that some tests compare with.

#![allow(dead_code)]

pub mod daemon;
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
