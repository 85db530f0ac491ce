//! An iCalendar file on disk as the daemon's source: read again when its modification
//! time or length changes, parsed off the async threads.

use std::path::PathBuf;
use std::time::SystemTime;

use async_trait::async_trait;

use super::ics::FileError;
use super::mail::{Handout, Mailer};
use super::{CalendarSource, Poll, Respond, SourceError};
use crate::calendar::Snapshot;

pub struct FileSource {
    path: PathBuf,
    /// The modification time and length of the last good read.
    stamp: Option<(SystemTime, u64)>,
    mailer: Option<Mailer>,
}

impl FileSource {
    pub fn new(path: PathBuf, mailer: Option<Mailer>) -> FileSource {
        FileSource {
            path,
            stamp: None,
            mailer,
        }
    }

    /// The file as it is now, which an answer is written from.
    async fn bytes(&self) -> Result<Vec<u8>, SourceError> {
        let path = self.path.clone();
        let name = self.name();
        tokio::task::spawn_blocking(move || std::fs::read(&path))
            .await
            .map_err(|e| {
                SourceError::Stopped(crate::panic::join_error("reading the calendar", &e))
            })?
            .map_err(|source| SourceError::File(FileError::Io { path: name, source }))
    }
}

#[async_trait]
impl CalendarSource for FileSource {
    fn name(&self) -> String {
        self.path.display().to_string()
    }

    fn kind(&self) -> &'static str {
        "ics file"
    }

    async fn poll(&mut self, poll: Poll<'_>) -> Result<Option<Snapshot>, SourceError> {
        let meta = std::fs::metadata(&self.path).map_err(|source| FileError::Io {
            path: self.name(),
            source,
        })?;
        let stamp = (
            meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            meta.len(),
        );
        if !poll.full && self.stamp == Some(stamp) {
            return Ok(None);
        }
        let path = self.path.clone();
        let snapshot = tokio::task::spawn_blocking(move || super::ics::load(&path))
            .await
            .map_err(|e| {
                SourceError::Stopped(crate::panic::join_error("reading the calendar", &e))
            })??;
        self.stamp = Some(stamp);
        Ok(Some(snapshot))
    }

    fn answers_show(&self) -> bool {
        false
    }

    async fn handouts(&mut self, r: &Respond<'_>) -> Option<Result<Vec<Handout>, SourceError>> {
        if self.mailer.is_some() {
            return None;
        }
        Some(match self.bytes().await {
            Ok(bytes) => super::mail::handouts(&bytes, r).map_err(SourceError::from),
            Err(e) => Err(e),
        })
    }

    async fn respond(&mut self, r: &Respond<'_>) -> Result<String, SourceError> {
        let Some(mailer) = self.mailer.as_ref() else {
            return Err(SourceError::CannotRespond(self.kind()));
        };
        let bytes = self.bytes().await?;
        Ok(mailer.send(&bytes, r).await?)
    }
}
