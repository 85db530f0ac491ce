//! `timeward brief`: the agendas of the coming 1:1s with the assistant, as the daemon's
//! last cycle wrote them (`state_dir/briefs.json`).

use std::path::Path;

use chrono::DateTime;

use super::{INVALID, OK};

use crate::brief::{JsonBrief as Brief, JsonBriefs as Briefs};

/// The agendas for a person: each 1:1 with its lines.
fn text(briefs: &[Brief]) -> String {
    if briefs.is_empty() {
        return "No 1:1 with an agenda is held in the horizon (a [[one_on_ones]] series with the \
                assistant, or with agenda = true, gets one).\n"
            .into();
    }
    let mut s = String::new();
    for b in briefs {
        let when = DateTime::parse_from_rfc3339(&b.start)
            .map(|t| t.format("%a %Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|_| b.start.clone());
        s.push_str(&format!("{} with {}, {when}\n", b.series, b.with));
        if b.lines.is_empty() {
            s.push_str("  Nothing needs the executive.\n");
        }
        for l in &b.lines {
            s.push_str(&format!("  • {l}\n"));
        }
        s.push('\n');
    }
    s
}

/// `timeward brief [--config FILE] [--json]`
pub fn brief(config: Option<&Path>, json: bool) -> u8 {
    let config = match crate::config::load_default(config, std::env::vars()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return INVALID;
        }
    };
    let path = crate::state_dir::StateDir::at(&config.state_dir).briefs_path();
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!(
            "{}: no agenda yet: the daemon writes it at each cycle\n    fix: run `timeward brief` \
             with the daemon's configuration (--config FILE, or TIMEWARD_STATE_DIR=…), once \
             the daemon has run",
            path.display()
        );
        return INVALID;
    };
    if json {
        println!("{}", String::from_utf8_lossy(&bytes));
        return OK;
    }
    match serde_json::from_slice::<Briefs>(&bytes) {
        Ok(b) => {
            print!("{}", text(&b.briefs));
            OK
        }
        Err(e) => {
            eprintln!("{}: cannot be read: {e}", path.display());
            INVALID
        }
    }
}
