//! The `timeward` command line: parses arguments and hands them to `timeward::cli`.
//! Exit codes (SPEC §5): 0 success, 1 invalid input, 2 usage error.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "timeward",
    version,
    about = "Guards an executive's time: suggests accept, delegate or decline for every meeting request, with reasons"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a rules file and print a summary (exit 0), or every error with file:line:col (exit 1)
    Check {
        /// The rules file
        #[arg(long, default_value = "config/rules.toml")]
        rules: PathBuf,
    },
    /// Decide every pending request in an iCalendar file (offline, writes nothing)
    Decide {
        /// The calendar (.ics)
        #[arg(long)]
        calendar: PathBuf,
        /// The rules file
        #[arg(long)]
        rules: PathBuf,
        /// The moment to decide at (RFC 3339); default: now
        #[arg(long, value_parser = parse_time)]
        now: Option<DateTime<Utc>>,
        /// An earlier `decide --json` output: its 1:1 reservations stay put where still free
        #[arg(long, value_name = "FILE.json")]
        previous: Option<PathBuf>,
        /// Print the JSON of SPEC §5 instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Show the calendar as timeward sees it: every occurrence in [from, to)
    Agenda {
        /// The calendar (.ics)
        #[arg(long)]
        calendar: PathBuf,
        /// Start of the window (RFC 3339)
        #[arg(long, value_parser = parse_time)]
        from: DateTime<Utc>,
        /// End of the window (RFC 3339)
        #[arg(long, value_parser = parse_time)]
        to: DateTime<Utc>,
        /// A rules file: names the executive (busy / request) and the time zone
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!("{s:?} is not an RFC 3339 time such as 2026-12-07T08:00:00-05:00 ({e})")
        })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check { rules } => timeward::cli::check(&rules),
        Command::Decide {
            calendar,
            rules,
            now,
            previous,
            json,
        } => timeward::cli::decide(
            &calendar,
            &rules,
            now.unwrap_or_else(Utc::now),
            previous.as_deref(),
            json,
        ),
        Command::Agenda {
            calendar,
            from,
            to,
            rules,
            json,
        } => timeward::cli::agenda(&calendar, from, to, rules.as_deref(), json),
    };
    ExitCode::from(code)
}
