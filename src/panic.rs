//! Panics in the shell: a hook that says where a panic happened but never what it said,
//! because a panic's message can carry calendar text (an event's title or description in
//! a bounds check, say), and the log must never hold that. Installed by `main` for every
//! command; the daemon's cycle, reader and server keep running past a panic.

use std::panic::PanicHookInfo;

/// The line written for a panic: its location, no payload.
pub fn describe(info: &PanicHookInfo<'_>) -> String {
    match info.location() {
        Some(l) => format!(
            "internal error at {}:{}:{} (a bug in timeward; please report it). Its message is \
             left out because it may hold calendar text",
            l.file(),
            l.line(),
            l.column()
        ),
        None => "internal error (a bug in timeward; please report it). Its message is left out \
                 because it may hold calendar text"
            .to_string(),
    }
}

/// Replaces the default hook (which prints the payload) with one that logs only where.
pub fn install_quiet_hook() {
    std::panic::set_hook(Box::new(|info| {
        let line = describe(info);
        if tracing::dispatcher::has_been_set() {
            tracing::error!(target: "timeward::panic", "{line}");
        } else {
            eprintln!("timeward: {line}");
        }
    }));
}

/// A task that did not finish, said without the panic's message.
pub fn join_error(what: &str, e: &tokio::task::JoinError) -> String {
    if e.is_panic() {
        format!("{what} stopped on an internal error (a bug; where it happened is in the log)")
    } else {
        format!("{what} was cancelled")
    }
}
