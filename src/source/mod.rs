//! Calendar sources: where a [`Snapshot`](crate::calendar::Snapshot) comes from. The I/O
//! shell: this module reads files, URLs and Google; the parsing it hands off to is pure.
//!
//! The daemon sees every source through [`CalendarSource`]: "read it if it changed" and
//! "after a cycle" (where a source takes something back: reserve mode's holds, the
//! published mirror). [`open`] picks the source the configuration names; the daemon's
//! loop has no per-source branches.

pub mod demo;
pub mod file;
pub mod google;
pub mod ics;
pub mod mail;
pub mod url;

use std::path::Path;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::calendar::Snapshot;
use crate::config::{Config, Source};
use crate::decide::Reservation;
use crate::feed::{FeedEvent, Versions};
use crate::rules::Rules;

/// Why a source could not be read (or written back to). The last good snapshot stays.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    File(#[from] ics::FileError),
    #[error(transparent)]
    Url(#[from] url::FetchError),
    #[error(transparent)]
    Google(#[from] google::GoogleError),
    #[error(transparent)]
    Mail(#[from] mail::MailError),
    /// A reading task that stopped on a bug (said without the panic's message).
    #[error("{0}")]
    Stopped(String),
    /// The source cannot send answers (yet).
    #[error("answering invitations is not available for a {0} source")]
    CannotRespond(&'static str),
}

/// The executive's answer to one invitation.
#[derive(Debug, Clone, Copy)]
pub struct Respond<'a> {
    /// The event's id in the source (the decision's id).
    pub event_id: &'a str,
    /// The executive's address.
    pub executive: &'a str,
    pub answer: crate::store::actions::Answer,
    pub delegate_to: Option<&'a str>,
    /// A note to the organiser.
    pub note: Option<&'a str>,
    /// When (the messages' DTSTAMP).
    pub now: DateTime<Utc>,
}

/// What a poll is told.
#[derive(Debug, Clone, Copy)]
pub struct Poll<'a> {
    pub now: DateTime<Utc>,
    /// Read the whole calendar, changed or not (a reload, or a snapshot compacted for
    /// another executive).
    pub full: bool,
    /// The executive the rules in force name (`None` before the rules were read).
    pub executive: Option<&'a str>,
}

/// What a cycle produced, for a source that takes something back.
pub struct CycleOutput<'a> {
    pub now: DateTime<Utc>,
    pub rules: &'a Rules,
    pub reservations: &'a [Reservation],
    pub feed: &'a [FeedEvent],
    pub versions: &'a Versions,
}

#[async_trait]
pub trait CalendarSource: Send {
    /// How logs and /healthz name it (a URL's secret path is never shown).
    fn name(&self) -> String;
    /// "demo", "ics file", "ics url" or "google".
    fn kind(&self) -> &'static str;
    /// The calendar, if it changed since the last good read (or `poll.full`);
    /// `Ok(None)` when it did not.
    async fn poll(&mut self, poll: Poll<'_>) -> Result<Option<Snapshot>, SourceError>;
    /// After a cycle: writes what the source takes back. An error is shown on /healthz
    /// and the next cycle tries again. Most sources take nothing back.
    async fn after_cycle(&mut self, _cycle: &CycleOutput<'_>) -> Result<(), SourceError> {
        Ok(())
    }
    /// Sends the executive's answer to an invitation; says what was done. Sources that
    /// cannot answer say so.
    async fn respond(&mut self, _r: &Respond<'_>) -> Result<String, SourceError> {
        Err(SourceError::CannotRespond(self.kind()))
    }
    /// When the source cannot send the answer itself (an .ics source without a mail
    /// server): the messages for the assistant to send by hand. `None`: it sends.
    async fn handouts(
        &mut self,
        _r: &Respond<'_>,
    ) -> Option<Result<Vec<mail::Handout>, SourceError>> {
        None
    }
    /// The UIDs its events are known by in other calendars, by the UID they carry here
    /// (Google's iCalUID for its event id): a copy elsewhere is the same meeting.
    fn aliases(&self) -> std::collections::HashMap<String, String> {
        std::collections::HashMap::new()
    }
    /// Whether an answer sent shows in the calendar the source reads (Google's does; an
    /// .ics file changes only when the executive's own calendar learns of it).
    fn answers_show(&self) -> bool {
        true
    }
}

/// A busy calendar's source: read only, never written to (a Google one with the
/// `[source]`'s sign-in, in suggest mode).
pub fn open_busy(entry: &crate::config::BusyCalendar, config: &Config) -> Box<dyn CalendarSource> {
    use crate::config::BusyCalendar;
    match entry {
        BusyCalendar::File(path) => Box::new(file::FileSource::new(path.clone(), None)),
        BusyCalendar::Url(url) => Box::new(url::UrlSource::new(url.clone(), None)),
        BusyCalendar::Google(id) => {
            let mut g = match &config.source {
                Source::Google(g) => g.clone(),
                // Refused by the configuration's validation; read nothing.
                _ => return Box::new(file::FileSource::new(std::path::PathBuf::new(), None)),
            };
            g.calendar_id = id.clone();
            g.reserve = false;
            g.publish_calendar = None;
            Box::new(google::GoogleSource::new(
                g,
                config.state_dir.join(google::token::FILE),
            ))
        }
    }
}

/// The source `config` names. `state_dir` keeps what a source keeps between runs (the
/// Google sign-in's token).
pub fn open(config: &Config, state_dir: &Path) -> Result<Box<dyn CalendarSource>, mail::MailError> {
    let mailer = || config.smtp.as_ref().map(mail::Mailer::new).transpose();
    Ok(match &config.source {
        Source::Demo => Box::new(demo::DemoSource::default()),
        Source::File(path) => {
            Box::new(file::FileSource::new(path.clone(), mailer()?).incremental(config.incremental))
        }
        Source::Url(url) => Box::new(url::UrlSource::new(url.clone(), mailer()?)),
        Source::Google(g) => Box::new(google::GoogleSource::new(
            g.clone(),
            state_dir.join(google::token::FILE),
        )),
    })
}
