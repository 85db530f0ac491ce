//! Helpers shared by the integration tests: `daemon` starts the real binary on loopback;
//! `fake_google` is a fake Google Calendar API for the real client; `external` installs the
//! real iCalendar readers that some tests compare with.

#![allow(dead_code)]

pub mod daemon;
pub mod external;
pub mod fake_google;
