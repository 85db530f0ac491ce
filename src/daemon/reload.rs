//! Rules hot reload: the rules file watched (and SIGHUP), an invalid edit reported while
//! the last good rules stay in force.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::mpsc;

use super::Daemon;

impl Daemon {
    /// Re-reads the rules file. Returns whether new rules are in force.
    pub(super) fn reload_rules(&mut self) -> bool {
        let result = crate::rules_file::load(&self.config.rules).map_err(|e| e.to_string());
        self.apply_rules(result)
    }

    /// Puts rules in force, or records why they are not (the last good ones stay).
    /// Returns whether new rules are in force.
    pub(super) fn apply_rules(&mut self, result: Result<crate::rules::Rules, String>) -> bool {
        let changed = match result {
            Ok(rules) => {
                let same = self.rules.as_deref() == Some(&rules);
                if self.rules_error.take().is_some() || !same {
                    tracing::info!(rules = %self.config.rules.display(), "rules loaded");
                }
                self.rules = Some(Arc::new(rules));
                !same
            }
            Err(e) => {
                if self.rules_error.as_deref() != Some(&e) {
                    if self.rules.is_some() {
                        tracing::error!(
                            error = %e,
                            "the rules file is invalid; the last good rules stay in force"
                        );
                    } else if self.shared.current().feed.is_some() {
                        tracing::error!(
                            error = %e,
                            "the rules file is invalid and no rules are in force yet; the \
                             last run's feed keeps being served until it is fixed"
                        );
                    }
                    // Else nothing is served: the daemon stops with this error.
                }
                self.rules_error = Some(e);
                false
            }
        };
        self.publish_health();
        changed
    }

    /// After new rules: a cycle, or a full re-read first if the executive changed.
    pub(super) async fn rules_changed(&mut self) {
        if self.needs_reread() {
            self.reread = true;
            self.poll_and_cycle().await;
        } else {
            self.cycle().await;
        }
    }
}

/// Watches the rules file's directory (editors replace files by renaming) and sends a
/// wake-up for every change to the file.
pub(super) fn watch_rules(
    rules: &Path,
    tx: mpsc::Sender<()>,
) -> Option<notify::RecommendedWatcher> {
    use notify::{RecursiveMode, Watcher};
    let file: PathBuf = rules.file_name()?.into();
    let dir = match rules.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut watcher = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
        if let Ok(ev) = ev {
            // Only what changes the file: reading it (ours included) raises access
            // events, which would otherwise wake the loop again and again.
            use notify::event::{EventKind, ModifyKind};
            let changes = matches!(
                ev.kind,
                EventKind::Create(_)
                    | EventKind::Remove(_)
                    | EventKind::Modify(
                        ModifyKind::Data(_)
                            | ModifyKind::Name(_)
                            | ModifyKind::Any
                            | ModifyKind::Other
                    )
            );
            if changes
                && ev
                    .paths
                    .iter()
                    .any(|p| p.file_name() == Some(file.as_os_str()))
            {
                let _ = tx.try_send(());
            }
        }
    })
    .map_err(|e| tracing::warn!(error = %e, "cannot watch the rules file; SIGHUP still reloads it"))
    .ok()?;
    watcher
        .watch(&dir, RecursiveMode::NonRecursive)
        .map_err(|e| tracing::warn!(error = %e, dir = %dir.display(), "cannot watch the rules file's directory; SIGHUP still reloads it"))
        .ok()?;
    Some(watcher)
}
