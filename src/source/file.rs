//! An iCalendar file on disk as the daemon's source: read again when its modification
//! time or length changes, parsed off the async threads.

use std::path::PathBuf;
use std::time::SystemTime;

use async_trait::async_trait;

use super::ics::FileError;
use super::{CalendarSource, Poll, SourceError};
use crate::calendar::Snapshot;

pub struct FileSource {
    path: PathBuf,
    /// The modification time and length of the last good read.
    stamp: Option<(SystemTime, u64)>,
}

impl FileSource {
    pub fn new(path: PathBuf) -> FileSource {
        FileSource { path, stamp: None }
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
}
