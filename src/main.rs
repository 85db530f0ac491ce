//! The `timeward` command line: parses arguments and hands them to `timeward::cli`.
//! Exit codes: 0 success, 1 invalid input, 2 usage error.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};

/// mimalloc: scoring writes a few short strings for every reason, and on two threads
/// glibc's malloc made `decide` a third slower (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The mimalloc options: commit arenas as they are used, and give freed memory back at
/// once rather than keep it for the next cycle (idle resident memory of the daemon with
/// 10 000 events: about 90 MiB without them, under 50 MiB with them; and `decide` zeroes
/// fewer fresh pages; BENCHMARKS.md). mimalloc reads its options when it starts, before
/// `main`, so they are set as its defaults by a constructor that runs before anything is
/// allocated; `MIMALLOC_*` variables in the environment still win.
#[used]
#[link_section = ".init_array"]
static ALLOCATOR_OPTIONS: extern "C" fn() = allocator_options;

extern "C" fn allocator_options() {
    use libmimalloc_sys::{mi_option_set_default, mi_option_t};
    // `mi_option_e` of mimalloc 3's mimalloc.h (the bindings name neither); the daemon
    // test `the_allocator_options_are_in_force` reads them back from mimalloc's own report.
    const ARENA_EAGER_COMMIT: mi_option_t = 4;
    const PURGE_DELAY: mi_option_t = 15;
    // SAFETY: sets two entries of mimalloc's option table, which is what this function
    // is for; it runs once, on the main thread, before any other code of this program.
    unsafe {
        mi_option_set_default(ARENA_EAGER_COMMIT, 0);
        mi_option_set_default(PURGE_DELAY, 0);
    }
}

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
        /// A calendar that only contributes busy time, e.g. the executive's personal one
        /// (repeatable); its events are only ever "a private event"
        #[arg(long, value_name = "FILE.ics")]
        busy_calendar: Vec<PathBuf>,
        /// The rules file
        #[arg(long)]
        rules: PathBuf,
        /// The moment to decide at (RFC 3339); default: now
        #[arg(long, value_parser = parse_time)]
        now: Option<DateTime<Utc>>,
        /// An earlier `decide --json` output: its 1:1 reservations stay put where still free
        #[arg(long, value_name = "FILE.json")]
        previous: Option<PathBuf>,
        /// Print the plan as JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Show what a rules edit would change before it takes effect: only the suggestions,
    /// 1:1s and unplaced periods that differ (writes nothing; exit 1 for invalid rules)
    Simulate {
        /// The edited rules file
        new: PathBuf,
        /// The current rules (default: the configured rules file)
        #[arg(long)]
        rules: Option<PathBuf>,
        /// The calendar (.ics); default: the configured source, read once
        #[arg(long)]
        calendar: Option<PathBuf>,
        /// The daemon's configuration file (default: config/timeward.toml)
        #[arg(long)]
        config: Option<PathBuf>,
        /// The moment to decide at (RFC 3339); default: now
        #[arg(long, value_parser = parse_time)]
        now: Option<DateTime<Utc>>,
        /// Print the difference as JSON
        #[arg(long)]
        json: bool,
    },
    /// Print the agendas of the coming 1:1s with the assistant (what needs the executive),
    /// as the daemon's last cycle wrote them
    Brief {
        /// The daemon's configuration file (default: config/timeward.toml)
        #[arg(long)]
        config: Option<PathBuf>,
        /// Print them as JSON
        #[arg(long)]
        json: bool,
    },
    /// Run the daemon: poll the calendar, decide, serve the suggestions feed
    Run {
        /// The configuration file (default: config/timeward.toml); TIMEWARD_* variables override it
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Sign in to a calendar service and keep the token in the state directory
    Auth {
        #[command(subcommand)]
        service: AuthService,
    },
    /// Print a stored decision with its reasons and the history of its changes
    Explain {
        /// The request's id (the JSON `id`, the event's UID)
        id: String,
        /// The daemon's configuration file (default: config/timeward.toml)
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Show the calendar as timeward sees it: every occurrence in [from, to)
    Agenda {
        /// The calendar (.ics)
        #[arg(long)]
        calendar: PathBuf,
        /// A calendar that only contributes busy time, e.g. the executive's personal one
        /// (repeatable); its events are only ever "a private event"
        #[arg(long, value_name = "FILE.ics")]
        busy_calendar: Vec<PathBuf>,
        /// Start of the window (RFC 3339)
        #[arg(long, value_parser = parse_time)]
        from: DateTime<Utc>,
        /// End of the window (RFC 3339)
        #[arg(long, value_parser = parse_time)]
        to: DateTime<Utc>,
        /// A rules file: names the executive (busy / request / other, and why) and the
        /// time zone
        #[arg(long)]
        rules: Option<PathBuf>,
        /// The time zone to show times in (an IANA name such as America/New_York);
        /// default: the rules' zone, else UTC
        #[arg(long, value_parser = parse_zone)]
        tz: Option<chrono_tz::Tz>,
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum AuthService {
    /// Google's installed-app sign-in: prints an address to open in a browser, which
    /// returns to 127.0.0.1; the token goes to STATE_DIR/google-token.json (mode 0600)
    Google {
        /// The OAuth client file (a Desktop client from the Google Cloud console)
        #[arg(long, value_name = "FILE")]
        client_secret: PathBuf,
        /// The daemon's configuration file, for its state directory
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

fn parse_zone(s: &str) -> Result<chrono_tz::Tz, String> {
    s.parse()
        .map_err(|_| format!("{s:?} is not a time zone: use an IANA name such as America/New_York"))
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!("{s:?} is not an RFC 3339 time such as 2026-12-07T08:00:00-05:00 ({e})")
        })
}

fn main() -> ExitCode {
    timeward::panic::install_quiet_hook();
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check { rules } => timeward::cli::check(&rules),
        Command::Decide {
            calendar,
            busy_calendar,
            rules,
            now,
            previous,
            json,
        } => timeward::cli::decide(
            &calendar,
            &busy_calendar,
            &rules,
            now.unwrap_or_else(Utc::now),
            previous.as_deref(),
            json,
        ),
        Command::Agenda {
            calendar,
            busy_calendar,
            from,
            to,
            rules,
            tz,
            json,
        } => timeward::cli::agenda(&timeward::cli::AgendaArgs {
            calendar: &calendar,
            busy: &busy_calendar,
            from,
            to,
            rules: rules.as_deref(),
            tz,
            json,
        }),
        Command::Run { config } => run(config.as_deref()),
        Command::Auth {
            service:
                AuthService::Google {
                    client_secret,
                    config,
                },
        } => auth_google(&client_secret, config.as_deref()),
        Command::Explain { id, config } => timeward::cli::explain(config.as_deref(), &id),
        Command::Brief { config, json } => timeward::cli::brief(config.as_deref(), json),
        Command::Simulate {
            new,
            rules,
            calendar,
            config,
            now,
            json,
        } => timeward::cli::simulate(&timeward::cli::SimulateArgs {
            new: &new,
            rules: rules.as_deref(),
            calendar: calendar.as_deref(),
            config: config.as_deref(),
            now: now.unwrap_or_else(Utc::now),
            json,
        }),
    };
    ExitCode::from(code)
}

/// `timeward run`: the config, the logger, the runtime, the socket and the signals; then
/// `daemon::run` does the rest.
fn run(config: Option<&std::path::Path>) -> u8 {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
                // yup-oauth2 logs signed JWTs and access tokens at debug: never, whatever
                // RUST_LOG says.
                .add_directive(
                    "yup_oauth2=warn"
                        .parse()
                        .unwrap_or_else(|_| tracing_subscriber::filter::LevelFilter::WARN.into()),
                ),
        )
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    if timeward::config::default_file_missing(config) {
        tracing::warn!(
            "no {} here: running on the defaults and TIMEWARD_* variables (the demo calendar, \
             config/rules.toml, ./state); copy the commented example from the repository, or \
             pass --config FILE",
            timeward::config::DEFAULT_FILE
        );
    }
    let config = match timeward::config::load_default(config, std::env::vars()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return timeward::cli::INVALID;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // A cycle's blocking work (reading, deciding, writing) runs on tokio's blocking
        // threads; each keeps its allocator heap's spare pages while it lives (10 s by
        // default). Let them end soon after a cycle, and their pages go back: the idle
        // daemon with 10 000 events holds 39–40 MiB after its first cycle instead of
        // 45–48 (BENCHMARKS.md, "Idle memory"). A new one costs microseconds per cycle.
        .thread_keep_alive(std::time::Duration::from_millis(500))
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return timeward::cli::INVALID;
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(config.listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!(
                    "listen: cannot bind {}: {e}\n    fix: choose a free address and port in listen (or TIMEWARD_LISTEN)",
                    config.listen
                );
                return timeward::cli::INVALID;
            }
        };
        let (tx, rx) = tokio::sync::mpsc::channel(8);
        tokio::spawn(signals(tx));
        let clock: timeward::daemon::Clock = std::sync::Arc::new(Utc::now);
        match timeward::daemon::run(config, listener, clock, rx).await {
            Ok(()) => timeward::cli::OK,
            Err(e) => {
                eprintln!("{e}");
                timeward::cli::INVALID
            }
        }
    })
}

/// SIGHUP reloads; SIGTERM and SIGINT stop.
async fn signals(tx: tokio::sync::mpsc::Sender<timeward::daemon::Signal>) {
    use timeward::daemon::Signal;
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut hup), Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::hangup()),
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot install signal handlers");
        return;
    };
    loop {
        let s = tokio::select! {
            _ = hup.recv() => Signal::Reload,
            _ = term.recv() => Signal::Stop,
            _ = int.recv() => Signal::Stop,
        };
        if tx.send(s).await.is_err() {
            return;
        }
    }
}

/// `timeward auth google --client-secret FILE [--config FILE]`
fn auth_google(client_secret: &std::path::Path, config: Option<&std::path::Path>) -> u8 {
    let config = match timeward::config::load_default(config, std::env::vars()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return timeward::cli::INVALID;
        }
    };
    if let Err(e) = timeward::state_dir::make_private_dir(&config.state_dir) {
        eprintln!("{}: {e}", config.state_dir.display());
        return timeward::cli::INVALID;
    }
    let token = config.state_dir.join(timeward::source::google::token::FILE);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return timeward::cli::INVALID;
        }
    };
    match runtime.block_on(timeward::source::google::sign_in(client_secret, &token)) {
        Ok(()) => {
            println!("signed in; the token is in {}", token.display());
            timeward::cli::OK
        }
        Err(e) => {
            eprintln!("{e}");
            timeward::cli::INVALID
        }
    }
}
