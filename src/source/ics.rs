//! An iCalendar file on disk as a snapshot, with errors that name the file.

use std::path::Path;

use crate::calendar::{ics, Snapshot};

/// Why a calendar file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{path}: cannot read the calendar: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: this is not a text file (binary data at byte {at}); expected an iCalendar (.ics) file")]
    Binary { path: String, at: usize },
    #[error("{path}:{line}: {message}")]
    Malformed {
        path: String,
        line: usize,
        message: String,
    },
}

/// Reads and parses an .ics file. Events that cannot be read are skipped and reported in
/// the snapshot's warnings; a file that is not a calendar at all is an error.
pub fn load(path: &Path) -> Result<Snapshot, FileError> {
    load_for(path, None)
}

/// [`load`], each event compacted for the executive `exec` (lower-cased) as it is read,
/// where one is given: what `Snapshot::compact` would make of the whole (the daemon keeps
/// no more), without holding the whole.
pub fn load_for(path: &Path, exec: Option<&str>) -> Result<Snapshot, FileError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| FileError::Io {
        path: name.clone(),
        source,
    })?;
    match exec {
        Some(exec) => parse_with(&bytes, &name, |b| {
            ics::parse_bytes_compacted_on(b, crate::cores(), exec)
        }),
        None => parse_bytes(&bytes, &name),
    }
}

/// [`load`] taking each event whose text the last read through `reuse` had from that
/// read (`calendar::ics::parse_bytes_reusing`).
pub fn load_reusing(path: &Path, reuse: &mut ics::Reuse) -> Result<Snapshot, FileError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| FileError::Io {
        path: name.clone(),
        source,
    })?;
    parse_bytes_reusing(&bytes, &name, reuse)
}

/// [`parse_bytes`] through `reuse` (see [`load_reusing`]).
pub fn parse_bytes_reusing(
    bytes: &[u8],
    name: &str,
    reuse: &mut ics::Reuse,
) -> Result<Snapshot, FileError> {
    parse_with(bytes, name, |b| {
        ics::parse_bytes_reusing(b, crate::cores(), reuse)
    })
}

/// Parses the bytes of a calendar named `name` (a path or URL) for messages.
pub fn parse_bytes(bytes: &[u8], name: &str) -> Result<Snapshot, FileError> {
    parse_with(bytes, name, |b| ics::parse_bytes_on(b, crate::cores()))
}

fn parse_with(
    bytes: &[u8],
    name: &str,
    parse: impl FnOnce(&[u8]) -> Result<Snapshot, ics::IcsError>,
) -> Result<Snapshot, FileError> {
    if let Some(at) = memchr::memchr(0, bytes) {
        return Err(FileError::Binary {
            path: name.to_string(),
            at,
        });
    }
    // Not decoded here: a fold may split a character, so the reader unfolds the bytes
    // first and decodes each line after (replacing what is not UTF-8, with a warning).
    parse(bytes).map_err(
        |ics::IcsError::Malformed { line, message }| FileError::Malformed {
            path: name.to_string(),
            line,
            message,
        },
    )
}
