//! Writes a generated calendar and rules file, for benchmarks of the daemon:
//!   cargo run --release --example generate -- EVENTS OUT_DIR
//! gives OUT_DIR/calendar.ics (EVENTS events, a tenth of them requests in the next four
//! weeks) and OUT_DIR/rules.toml (5 goals, 50 rules, 3 recurring 1:1s).

use chrono::Utc;
use chrono_tz::Tz;
use timeward::demo::{calendar, one_on_ones_toml, rules_toml, to_ics, Shape};

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let events: usize = args
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or("usage: generate EVENTS OUT_DIR")?;
    let out = std::path::PathBuf::from(args.next().ok_or("usage: generate EVENTS OUT_DIR")?);
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let shape = Shape {
        events,
        requests: events / 10,
        days: 364,
        request_days: 28,
        recurring_one_in: 10,
    };
    let snap = calendar(42, shape, Utc::now(), Tz::America__New_York);
    let write = |name: &str, text: String| {
        std::fs::write(out.join(name), text).map_err(|e| format!("{name}: {e}"))
    };
    write("calendar.ics", to_ics(&snap))?;
    write(
        "rules.toml",
        format!("{}\n{}", rules_toml(42, 5, 50), one_on_ones_toml(42, 3)),
    )?;
    Ok(())
}
