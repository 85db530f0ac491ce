//! `timeward simulate NEW.toml`: what a rules edit would change, before it takes effect.
//! The plans under the current rules and under NEW on one calendar, and only what differs
//! (the core's `whatif`). Writes nothing.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::{load_calendar, load_previous, load_rules, reported, INVALID, OK};
use crate::calendar::Snapshot;
use crate::config::Config;
use crate::source::Poll;

/// What `timeward simulate` is asked.
pub struct SimulateArgs<'a> {
    pub new: &'a Path,
    /// The current rules; default: the configured rules file.
    pub rules: Option<&'a Path>,
    /// The calendar; default: the configured source, read once.
    pub calendar: Option<&'a Path>,
    pub config: Option<&'a Path>,
    pub now: DateTime<Utc>,
    pub json: bool,
}

/// `timeward simulate NEW.toml [--rules CURRENT.toml] [--calendar FILE.ics] [--config FILE]
/// [--now T] [--json]`: exit 0 (whether or not anything changes), 1 for invalid rules or
/// a calendar that cannot be read.
pub fn simulate(args: &SimulateArgs<'_>) -> u8 {
    // An invalid NEW is said first, as `check` says it.
    let Some(new) = reported(load_rules(args.new)) else {
        return INVALID;
    };
    let config = if args.rules.is_none() || args.calendar.is_none() {
        match crate::config::load_default(args.config, std::env::vars()) {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!("{e}");
                return INVALID;
            }
        }
    } else {
        None
    };
    // While the daemon runs (it holds the store), it answers on the calendar it holds.
    if let (None, None, Some(c)) = (args.rules, args.calendar, &config) {
        if let Some(code) = from_daemon(c, args) {
            return code;
        }
    }
    let current_path = args
        .rules
        .map(Path::to_path_buf)
        .or_else(|| config.as_ref().map(|c| c.rules.clone()))
        .unwrap_or_default();
    let Some(current) = reported(load_rules(&current_path)) else {
        return INVALID;
    };
    let snapshot = match (args.calendar, &config) {
        (Some(path), _) => reported(load_calendar(path)),
        (None, Some(c)) => reported(read_source(c, &current, args.now)),
        (None, None) => None,
    };
    let Some(snapshot) = snapshot else {
        return INVALID;
    };
    // The daemon's 1:1s stay where they are, as they would at its next cycle.
    let previous = config
        .as_ref()
        .map(|c| c.state_dir.join("decisions.json"))
        .filter(|p| p.is_file())
        .and_then(|p| load_previous(&p).ok())
        .unwrap_or_default();
    let (before, after) = crate::whatif::plans(
        &snapshot,
        &current,
        &new,
        &previous,
        args.now,
        crate::cores(),
    );
    let diff = crate::whatif::difference(&before, &after);
    if args.json {
        println!("{}", diff.to_json());
    } else {
        print!("{}", diff.text());
    }
    OK
}

/// `POST /api/simulate` to the running daemon: `None` when no daemon answers (or it has
/// not finished a cycle), so the configured source is read instead.
fn from_daemon(config: &Config, args: &SimulateArgs<'_>) -> Option<u8> {
    // A daemon that ran with this state directory recorded where it listens.
    crate::state_dir::StateDir::at(&config.state_dir).address()?;
    let text = std::fs::read(args.new).ok()?;
    let (status, body) = super::daemon_api::request(
        config,
        hyper::Method::POST,
        "/api/simulate",
        hyper::body::Bytes::from(text),
    )
    .ok()?;
    if status != hyper::StatusCode::OK {
        return None;
    }
    if args.json {
        println!("{}", String::from_utf8_lossy(&body));
        return Some(OK);
    }
    let diff: crate::whatif::Difference = serde_json::from_slice(&body).ok()?;
    print!("{}", diff.text());
    Some(OK)
}

/// The configured source, read once in full (the daemon reads the same one).
fn read_source(
    config: &Config,
    rules: &crate::rules::Rules,
    now: DateTime<Utc>,
) -> Result<Snapshot, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start reading the calendar: {e}"))?;
    runtime.block_on(async {
        let mut source =
            crate::source::open(config, &config.state_dir).map_err(|e| e.to_string())?;
        source
            .poll(Poll {
                now,
                full: true,
                executive: Some(&rules.executive.email),
            })
            .await
            .map_err(|e| format!("{}: {e}", source.name()))?
            .ok_or_else(|| format!("{}: the calendar could not be read", source.name()))
    })
}
