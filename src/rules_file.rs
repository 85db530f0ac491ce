//! The rules file on disk: read and handed to the core's parser, with messages that name
//! the file. Used by the commands and by the daemon's hot reload.

use std::path::Path;

use crate::rules::Rules;

/// Reads and validates a rules file; the error text names file, line and column.
pub fn load(path: &Path) -> Result<Rules, String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{name}: cannot read the rules file: {e}"))?;
    Rules::parse(&text, &name).map_err(|e| e.to_string())
}
