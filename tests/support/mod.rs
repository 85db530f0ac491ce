//! Helpers shared by the integration tests: `daemon` starts the real binary on loopback;
//! `fake_google` is a fake Google Calendar API for the real client.

#![allow(dead_code)]

pub mod daemon;
pub mod fake_google;
