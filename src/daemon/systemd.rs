//! systemd's notify protocol: READY, RELOADING with its timestamp, STOPPING, and the
//! watchdog interval systemd asks for.

use std::time::Duration;

pub(super) fn notify(state: &[sd_notify::NotifyState]) {
    let _ = sd_notify::notify(false, state);
}

pub(super) fn notify_reloading() {
    match sd_notify::NotifyState::monotonic_usec_now() {
        Ok(t) => notify(&[sd_notify::NotifyState::Reloading, t]),
        Err(_) => notify(&[sd_notify::NotifyState::Reloading]),
    }
}

/// Half the watchdog period systemd asks for, if it asks. As libsystemd's
/// `sd_watchdog_enabled`: `WATCHDOG_USEC` enables it, unless `WATCHDOG_PID` names
/// another process.
pub(super) fn watchdog_interval() -> Option<Duration> {
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.parse().ok()?;
    if let Ok(pid) = std::env::var("WATCHDOG_PID") {
        if pid.parse::<u32>().ok() != Some(std::process::id()) {
            return None;
        }
    }
    (usec > 0).then(|| Duration::from_micros(usec / 2))
}
