//! The state directory: [`StateDir`] owns its layout (the store, the feed as last served,
//! the last plan, the feed token, the bound address), creates it private (0700), and
//! writes every file atomically (a `tempfile` beside it, synced, renamed over, the
//! directory synced), so a reader or a crash sees the old file or the new one, never a
//! part.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The suggestions feed as last served.
pub const FEED_FILE: &str = "feed.ics";
/// The last cycle's plan (JSON).
pub const DECISIONS_FILE: &str = "decisions.json";
/// The generated feed token (0600).
pub const TOKEN_FILE: &str = "feed_token";
/// The address actually bound (port 0 picks one), for `timeward explain`.
pub const ADDRESS_FILE: &str = "address";

/// One state directory and the files in it.
#[derive(Debug, Clone)]
pub struct StateDir {
    dir: PathBuf,
}

impl StateDir {
    /// The directory at `dir`, as it is (nothing is created).
    pub fn at(dir: &Path) -> StateDir {
        StateDir {
            dir: dir.to_path_buf(),
        }
    }

    /// Creates the directory (and its parents) if need be, and makes it private (0700).
    pub fn create(dir: &Path) -> std::io::Result<StateDir> {
        make_private_dir(dir)?;
        Ok(StateDir::at(dir))
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    pub fn feed_path(&self) -> PathBuf {
        self.dir.join(FEED_FILE)
    }

    pub fn decisions_path(&self) -> PathBuf {
        self.dir.join(DECISIONS_FILE)
    }

    /// The feed an earlier run served, with when its bytes were written.
    pub fn last_feed(&self) -> Option<(Vec<u8>, SystemTime)> {
        let path = self.feed_path();
        let bytes = std::fs::read(&path).ok()?;
        let modified = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .unwrap_or(SystemTime::UNIX_EPOCH);
        Some((bytes, modified))
    }

    pub fn write_feed(&self, bytes: &[u8]) -> std::io::Result<()> {
        write_atomically(&self.feed_path(), bytes, 0o644)
    }

    pub fn write_decisions(&self, json: &[u8]) -> std::io::Result<()> {
        write_atomically(&self.decisions_path(), json, 0o600)
    }

    /// [`StateDir::write_decisions`] of what `write` writes as it makes it.
    pub fn write_decisions_with(
        &self,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        write_atomically_with(&self.decisions_path(), 0o600, write)
    }

    /// The 1:1 agendas of the last cycle (`timeward brief` reads them).
    pub fn briefs_path(&self) -> PathBuf {
        self.dir.join("briefs.json")
    }

    pub fn write_briefs(&self, json: &[u8]) -> std::io::Result<()> {
        write_atomically(&self.briefs_path(), json, 0o600)
    }

    pub fn decisions(&self) -> Option<Vec<u8>> {
        std::fs::read(self.decisions_path()).ok()
    }

    /// The feed token kept here, or a new one (192 random bits, hex) written with mode
    /// 0600. The bool says whether it was made now.
    pub fn feed_token(&self) -> std::io::Result<(String, bool)> {
        let path = self.dir.join(TOKEN_FILE);
        match std::fs::read_to_string(&path) {
            Ok(t) if t.trim().len() >= 32 => return Ok((t.trim().to_string(), false)),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let mut raw = [0u8; 24];
        getrandom::fill(&mut raw).map_err(|e| std::io::Error::other(e.to_string()))?;
        let token: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        write_atomically(&path, token.as_bytes(), 0o600)?;
        Ok((token, true))
    }

    pub fn token_path(&self) -> PathBuf {
        self.dir.join(TOKEN_FILE)
    }

    /// Records the address the server bound.
    pub fn record_address(&self, addr: std::net::SocketAddr) -> std::io::Result<()> {
        write_atomically(
            &self.dir.join(ADDRESS_FILE),
            addr.to_string().as_bytes(),
            0o600,
        )
    }

    /// The address the running daemon recorded, if any.
    pub fn address(&self) -> Option<std::net::SocketAddr> {
        std::fs::read_to_string(self.dir.join(ADDRESS_FILE))
            .ok()
            .and_then(|a| a.trim().parse().ok())
    }
}

/// Writes `bytes` to `path` so that a reader (or a crash) sees the old file or the new
/// one, never a part: a temporary file beside it (`tempfile`), synced, given its mode,
/// renamed over `path`; then the directory synced.
pub fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    write_atomically_with(path, mode, |out| out.write_all(bytes))
}

/// [`write_atomically`] of what `write` writes, through a buffer: the content is never
/// held whole in memory.
pub fn write_atomically_with(
    path: &Path,
    mode: u32,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".timeward-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, tmp.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

pub fn make_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_replaced_whole_with_their_mode_and_the_token_is_kept() {
        let dir = std::env::temp_dir().join(format!("timeward-state-dir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let state = StateDir::create(&dir.join("state")).expect("create");
        state.write_feed(b"one").expect("write");
        state.write_feed(b"two").expect("write");
        assert_eq!(state.last_feed().map(|f| f.0), Some(b"two".to_vec()));
        let (token, new) = state.feed_token().expect("token");
        assert!(new && token.len() == 48);
        assert_eq!(state.feed_token().expect("token"), (token, false));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(state.path()), 0o700);
            assert_eq!(mode(&state.feed_path()), 0o644);
            assert_eq!(mode(&state.token_path()), 0o600);
        }
        let left: Vec<_> = std::fs::read_dir(state.path())
            .expect("list")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "no temporary file is left behind");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
