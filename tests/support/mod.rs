//! Helpers shared by the integration tests: `daemon` starts the real binary on loopback;
//! the fake Google Calendar API comes here with the Google source.

pub mod daemon;
