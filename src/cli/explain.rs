//! `timeward explain ID`: a stored decision, its reasons and its history, in the
//! executive's time. It reads the daemon's store where the daemon keeps it (the same
//! configuration, file and `TIMEWARD_*` variables), never creates one, and asks the
//! running daemon's API when the daemon holds the store's lock.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{load_rules, INVALID, OK};
use crate::config::Config;
use crate::store::actions::ActionRecord;
use crate::store::{HistoryEntry, Store, StoredDecision};

type Explained = (Option<StoredDecision>, Vec<HistoryEntry>, Vec<ActionRecord>);

/// `timeward explain ID [--config FILE]`
pub fn explain(config: Option<&Path>, id: &str) -> u8 {
    let config = match crate::config::load_default(config, std::env::vars()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return INVALID;
        }
    };
    let store_dir = config.state_dir.join("store");
    if !store_dir.is_dir() {
        eprintln!(
            "{}: no store here: the daemon has not run with this state directory\n    fix: \
             run `timeward explain` with the daemon's configuration (--config FILE, or \
             TIMEWARD_STATE_DIR=… as the service sets it; the systemd unit uses \
             /var/lib/timeward)",
            store_dir.display()
        );
        return INVALID;
    }
    let found = match Store::open(&config.state_dir) {
        Ok(store) => (|| Ok((store.decision(id)?, store.history(id)?, store.actions(id)?)))()
            .map_err(|e: crate::store::StoreError| e.to_string()),
        Err(open) => explain_from_daemon(&config, id)
            .map_err(|e| format!("{open}\n(asking the running daemon instead failed: {e})")),
    };
    // The executive's zone, from the rules the daemon uses (UTC if they cannot be read).
    let tz = load_rules(&config.rules).map_or(Tz::UTC, |r| r.executive.timezone);
    match found {
        Ok((Some(d), history, actions)) => {
            print!("{}", explain_text(&d, &history, tz));
            print!("{}", actions_text(&actions, tz));
            OK
        }
        Ok((None, history, actions)) if !history.is_empty() || !actions.is_empty() => {
            println!("{id}  (no longer waiting for an answer)");
            print!("{}", actions_text(&actions, tz));
            OK
        }
        Ok((None, _, _)) => {
            eprintln!(
                "no decision with id {id:?} in {}: the ids are the `id` fields of \
                 `timeward decide --json` and /api/decisions",
                config.state_dir.display()
            );
            INVALID
        }
        Err(e) => {
            eprintln!("{e}");
            INVALID
        }
    }
}

fn explain_from_daemon(config: &Config, id: &str) -> Result<Explained, String> {
    let path = percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC);
    let (status, body) = super::daemon_api::request(
        config,
        hyper::Method::GET,
        &format!("/api/decisions/{path}"),
        hyper::body::Bytes::new(),
    )?;
    if status == hyper::StatusCode::NOT_FOUND {
        return Ok((None, Vec::new(), Vec::new()));
    }
    #[derive(serde::Deserialize)]
    struct One {
        decision: Option<StoredDecision>,
        history: Vec<HistoryEntry>,
        #[serde(default)]
        actions: Vec<ActionRecord>,
    }
    let one: One = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    Ok((one.decision, one.history, one.actions))
}

/// A time in `tz`, to the minute (seconds only when there are some).
fn local(t: DateTime<Utc>, tz: Tz) -> String {
    let l = t.with_timezone(&tz);
    if t.timestamp() % 60 == 0 {
        l.format("%a %Y-%m-%d %H:%M").to_string()
    } else {
        l.format("%a %Y-%m-%d %H:%M:%S").to_string()
    }
}

/// The text `timeward explain` prints, times in `tz`.
pub fn explain_text(d: &StoredDecision, history: &[HistoryEntry], tz: Tz) -> String {
    let mut s = String::new();
    let verdict = |v: &crate::rules::Verdict, to: &Option<String>| match to {
        Some(to) => format!("{} → {to}", v.as_str()),
        None => v.as_str().to_string(),
    };
    let _ = writeln!(s, "{}  {}", d.id, d.title);
    let _ = writeln!(
        s,
        "  when:      {} – {} ({})",
        local(d.start, tz),
        local(d.end, tz),
        tz.name()
    );
    if let Some(o) = &d.organizer {
        let _ = writeln!(s, "  organizer: {o}");
    }
    let _ = writeln!(
        s,
        "  verdict:   {} (score {})",
        verdict(&d.verdict, &d.delegate_to),
        d.score
    );
    let _ = writeln!(s, "  reasons (their points add up to the score):");
    for r in &d.reasons {
        let _ = writeln!(s, "    {:>+5}  {}: {}", r.points, r.source, r.detail);
    }
    let _ = writeln!(s, "  history ({} change(s), oldest first):", history.len());
    for h in history {
        let _ = writeln!(
            s,
            "    {}  {} (score {})",
            local(h.at, tz),
            verdict(&h.verdict, &h.delegate_to),
            h.score
        );
        for r in &h.reasons {
            let _ = writeln!(s, "        {:>+5}  {}: {}", r.points, r.source, r.detail);
        }
    }
    s
}

/// The answers sent (or tried) from the desk, on record.
pub fn actions_text(actions: &[ActionRecord], tz: Tz) -> String {
    let mut s = String::new();
    if actions.is_empty() {
        return s;
    }
    let _ = writeln!(s, "  answers from the desk:");
    for a in actions {
        let to = a
            .delegate_to
            .as_deref()
            .map(|t| format!(" to {t}"))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "    {}  {}{to} (suggested {}): {:?}: {}",
            local(a.at, tz),
            a.answer.as_str(),
            a.suggested,
            a.state,
            a.result
        );
        if let Some(n) = &a.note {
            let _ = writeln!(s, "        note: {n}");
        }
    }
    s
}
