//! timeward guards an executive's time: it reads the calendar, scores every meeting request
//! that awaits an answer against the executive's goals and rules, and suggests accept,
//! delegate or decline, with its reasons.
//!
//! The pure core (`calendar`, `rules`, `decide`) takes values and returns values: no I/O,
//! no clock. The shell (`source`, `cli`) reads files and talks to people.

pub mod calendar;
pub mod cli;
pub mod decide;
pub mod demo;
pub mod rules;
pub mod source;
