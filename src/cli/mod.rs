//! The commands a person runs (`check`, `decide`, `agenda`, `explain`): read the files,
//! call the core, print for a person (or JSON). Part of the shell: it reads files and
//! writes to stdout/stderr; it decides nothing itself. Each command returns its exit
//! code: 0 success, 1 invalid input.

mod agenda;
mod brief;
mod daemon_api;
mod explain;
mod simulate;
mod summary;
mod table;
mod wrap;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

pub use brief::brief;
pub use explain::{explain, explain_text};
pub use simulate::{simulate, SimulateArgs};
pub use summary::summary;
pub use table::table;
pub use wrap::width;

use crate::calendar::{expand, Snapshot, Warning};
use crate::decide::{previous_reservations, Reservation};
use crate::source;

pub const OK: u8 = 0;
pub const INVALID: u8 = 1;

/// The rules file, or an error that names the file and says what to do.
pub fn load_rules(path: &Path) -> Result<crate::rules::Rules, String> {
    crate::rules_file::load(path).map_err(|e| e.to_string())
}

fn load_calendar(path: &Path) -> Result<Snapshot, String> {
    source::ics::load(path).map_err(|e| e.to_string())
}

/// The calendar with the busy calendars' time merged in, anonymous (see
/// `calendar::busy`): `exec` decides what blocks the executive's time in them.
fn load_with_busy(path: &Path, busy: &[PathBuf], exec: &str) -> Result<Snapshot, String> {
    let primary = load_calendar(path)?;
    if busy.is_empty() {
        return Ok(primary);
    }
    let mut read = Vec::new();
    for b in busy {
        read.push((
            b.display().to_string(),
            crate::calendar::busy::anonymize(load_calendar(b)?, exec),
        ));
    }
    let refs: Vec<(&str, &Snapshot)> = read.iter().map(|(n, s)| (n.as_str(), s)).collect();
    Ok(crate::calendar::busy::merge(
        &primary,
        &refs,
        &std::collections::HashSet::new(),
    ))
}

/// The value, or `None` after printing the error for the person at the terminal.
fn reported<T, E: std::fmt::Display>(r: Result<T, E>) -> Option<T> {
    r.map_err(|e| eprintln!("{e}")).ok()
}

fn print_warnings(path: &Path, warnings: &[Warning]) {
    for w in warnings {
        eprintln!("{}:{}: warning: {}", path.display(), w.line, w.message);
    }
}

/// `timeward check [--rules FILE]`
pub fn check(path: &Path) -> u8 {
    match load_rules(path) {
        Ok(rules) => {
            print!("{}", summary(&path.display().to_string(), &rules));
            OK
        }
        Err(e) => {
            eprintln!("{e}");
            INVALID
        }
    }
}

/// Reads the reservations of an earlier `decide --json` output.
pub fn load_previous(path: &Path) -> Result<Vec<Reservation>, String> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{name}: cannot read the previous plan: {e}"))?;
    previous_reservations(&text).map_err(|e| format!("{name}:{e}"))
}

/// `timeward decide --calendar FILE --rules FILE [--now T] [--previous FILE.json] [--json]`
pub fn decide(
    calendar: &Path,
    busy: &[PathBuf],
    rules: &Path,
    now: DateTime<Utc>,
    previous: Option<&Path>,
    json: bool,
) -> u8 {
    let Some(rules) = reported(load_rules(rules)) else {
        return INVALID;
    };
    let Some(snapshot) = reported(load_with_busy(calendar, busy, &rules.executive.email)) else {
        return INVALID;
    };
    let Some(previous) = reported(previous.map(load_previous).transpose()) else {
        return INVALID;
    };
    let plan = crate::suggest(&snapshot, &rules, &previous.unwrap_or_default(), now);
    print_warnings(calendar, &plan.warnings);
    if json {
        println!("{}", plan.to_json());
    } else {
        print!("{}", table(&plan, &rules, width()));
    }
    OK
}

/// What `timeward agenda` is asked.
pub struct AgendaArgs<'a> {
    pub calendar: &'a Path,
    /// Calendars that only contribute busy time (shown as "a private event").
    pub busy: &'a [PathBuf],
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub rules: Option<&'a Path>,
    /// The zone to show times in; else the rules' zone; else UTC.
    pub tz: Option<Tz>,
    pub json: bool,
}

/// `timeward agenda --calendar FILE --from T --to T [--rules FILE] [--tz ZONE] [--json]`
pub fn agenda(args: &AgendaArgs<'_>) -> u8 {
    let Some(rules) = reported(args.rules.map(load_rules).transpose()) else {
        return INVALID;
    };
    let exec = rules.as_ref().map_or("", |r| r.executive.email.as_str());
    let Some(snapshot) = reported(load_with_busy(args.calendar, args.busy, exec)) else {
        return INVALID;
    };
    let tz = args
        .tz
        .or(rules.as_ref().map(|r| r.executive.timezone))
        .unwrap_or(Tz::UTC);
    let (occurrences, warnings) = expand(&snapshot.events, tz, args.from, args.to);
    print_warnings(args.calendar, &snapshot.warnings);
    print_warnings(args.calendar, &warnings);
    let items = agenda::items(&snapshot, rules.as_ref(), tz, &occurrences);
    if args.json {
        match serde_json::to_string_pretty(&agenda::AgendaJson { occurrences: items }) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("cannot write JSON: {e}");
                return INVALID;
            }
        }
    } else {
        print!(
            "{}",
            agenda::text(&items, tz, (args.from, args.to), rules.is_some())
        );
    }
    OK
}
