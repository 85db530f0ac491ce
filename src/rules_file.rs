//! The rules file on disk: read and handed to the core's parser, with messages that name
//! the file. Used by the commands and by the daemon's hot reload.

use std::path::Path;

use crate::rules::{Rules, RulesError};

/// Why a rules file is not in force.
#[derive(Debug, thiserror::Error)]
pub enum RulesFileError {
    #[error(
        "{path}: no rules file here\n    fix: copy the example and edit it for the executive \
         (cp config/rules.example.toml {path}), or name another rules file"
    )]
    Missing { path: String },
    #[error("{path}: cannot read the rules file: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// Every error in the file, each with its line, column, key and fix.
    #[error("{0}")]
    Invalid(#[from] RulesError),
}

/// Reads and validates a rules file; the error text names file, line and column.
pub fn load(path: &Path) -> Result<Rules, RulesFileError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            RulesFileError::Missing { path: name.clone() }
        } else {
            RulesFileError::Read {
                path: name.clone(),
                source,
            }
        }
    })?;
    Ok(Rules::parse(&text, &name)?)
}
