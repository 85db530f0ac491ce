//! Where the installed-app sign-in keeps its OAuth tokens: one JSON file in the state
//! directory, owner-only (0600), replaced atomically on every change. A token file that
//! others can read is refused, with the command that fixes it. Part of the shell.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use google_calendar3::yup_oauth2::storage::{TokenInfo, TokenStorage, TokenStorageError};

/// The file's name in the state directory.
pub const FILE: &str = "google-token.json";

/// A token file that others may read: refused, with the command that fixes it.
#[derive(Debug, thiserror::Error)]
#[error(
    "{}: the Google token file is readable by others (mode {mode:o}); it holds the \
     executive's calendar access\n    fix: chmod 600 {}",
    path.display(),
    path.display()
)]
pub struct NotPrivate {
    pub path: PathBuf,
    pub mode: u32,
}

pub struct TokenFile {
    path: PathBuf,
}

impl TokenFile {
    /// The token file at `path`. If it exists, it must be readable by its owner only.
    pub fn open(path: &Path) -> Result<TokenFile, NotPrivate> {
        check_private(path)?;
        Ok(TokenFile {
            path: path.to_path_buf(),
        })
    }

    pub fn exists(&self) -> bool {
        self.path.is_file()
    }

    fn read(&self) -> BTreeMap<String, TokenInfo> {
        std::fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }
}

/// Refuses a file that group or others may read or write.
pub fn check_private(path: &Path) -> Result<(), NotPrivate> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(NotPrivate {
                    path: path.to_path_buf(),
                    mode,
                });
            }
        }
    }
    Ok(())
}

fn key(scopes: &[&str]) -> String {
    let mut s: Vec<&str> = scopes.to_vec();
    s.sort_unstable();
    s.dedup();
    s.join(" ")
}

#[async_trait::async_trait]
impl TokenStorage for TokenFile {
    async fn set(&self, scopes: &[&str], token: TokenInfo) -> Result<(), TokenStorageError> {
        let mut all = self.read();
        all.insert(key(scopes), token);
        let bytes = serde_json::to_vec_pretty(&all)
            .map_err(|e| TokenStorageError::Other(e.to_string().into()))?;
        crate::state_dir::write_atomically(&self.path, &bytes, 0o600)?;
        Ok(())
    }

    async fn get(&self, scopes: &[&str]) -> Option<TokenInfo> {
        if check_private(&self.path).is_err() {
            return None;
        }
        self.read().remove(&key(scopes))
    }
}
