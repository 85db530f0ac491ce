//! The state directory: its files' names, created private (0700), and written atomically
//! so that a reader or a crash sees the old file or the new one, never a part.

use std::io::Write as _;
use std::path::Path;

/// The suggestions feed as last served.
pub const FEED_FILE: &str = "feed.ics";
/// The last cycle's plan (JSON).
pub const DECISIONS_FILE: &str = "decisions.json";
/// The generated feed token (0600).
pub const TOKEN_FILE: &str = "feed_token";
/// The address actually bound (port 0 picks one), for `timeward explain`.
pub const ADDRESS_FILE: &str = "address";

/// Writes `bytes` to `path` so that a reader (or a crash) sees the old file or the new
/// one, never a part: a temporary file beside it, fsync, rename, fsync of the directory.
pub fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
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
