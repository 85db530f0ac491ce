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
    /// With `incremental`: the last read's events, by their text, so that a changed file
    /// reads only what changed.
    reuse: Option<crate::calendar::ics::Reuse>,
}

impl FileSource {
    pub fn new(path: PathBuf, mailer: Option<Mailer>) -> FileSource {
        FileSource {
            path,
            stamp: None,
            mailer,
            reuse: None,
        }
    }

    /// Keeps the last read's events between reads (the `incremental` setting).
    pub fn incremental(mut self, on: bool) -> FileSource {
        self.reuse = on.then(crate::calendar::ics::Reuse::new);
        self
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
        // A full read (a start, a reload, another executive) starts afresh.
        let mut reuse = match self.reuse.take() {
            Some(_) if poll.full => Some(crate::calendar::ics::Reuse::new()),
            kept => kept,
        };
        let executive = poll.executive.map(str::to_string);
        let (snapshot, reuse) = tokio::task::spawn_blocking(move || {
            let read = match reuse.as_mut() {
                Some(reuse) => {
                    let read = super::ics::load_reusing(&path, reuse);
                    // Kept as small as the snapshot the daemon keeps (compacted for the
                    // same executive).
                    if let Some(exec) = &executive {
                        reuse.compact(exec);
                    }
                    tracing::debug!(
                        events = reuse.reused,
                        "events taken from the last read unchanged"
                    );
                    read
                }
                None => super::ics::load_for(&path, executive.as_deref()),
            };
            (read, reuse)
        })
        .await
        .map_err(|e| SourceError::Stopped(crate::panic::join_error("reading the calendar", &e)))?;
        self.reuse = reuse;
        let snapshot = snapshot?;
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
