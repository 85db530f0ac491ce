//! The offline commands (`check`, `decide`, `agenda`): read the files, call the core, print.
//! Part of the shell: it reads files and writes to stdout/stderr; it decides nothing itself.
//! Each command returns its exit code: 0 success, 1 invalid input.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::calendar::{expand, Kind, Snapshot, Status, Warning};
use crate::decide::{previous_reservations, rfc3339, Plan, Reservation};
use crate::rules::values::{format_duration, weekday_name};
use crate::rules::{Rules, Verdict};
use crate::source;

pub const OK: u8 = 0;
pub const INVALID: u8 = 1;

use crate::rules_file::load as load_rules;

fn load_calendar(path: &Path) -> Result<Snapshot, String> {
    source::ics::load(path).map_err(|e| e.to_string())
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

/// `timeward check --rules FILE`
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

/// A short account of what a rules file declares.
pub fn summary(name: &str, r: &Rules) -> String {
    let mut s = String::new();
    let ex = &r.executive;
    let _ = writeln!(s, "{name}: ok");
    let who = if ex.name.is_empty() {
        ex.email.clone()
    } else {
        format!("{} <{}>", ex.name, ex.email)
    };
    let _ = writeln!(s, "executive    {who}, {}", ex.timezone.name());
    if let Some(a) = &ex.assistant {
        let _ = writeln!(s, "assistant    {a}");
    }
    let hours: Vec<String> = (0..7)
        .filter_map(|i| {
            let d = crate::rules::values::weekday_from_monday(i);
            r.hours_on(d).map(|w| format!("{} {w}", weekday_name(d)))
        })
        .collect();
    let _ = writeln!(
        s,
        "hours        {}",
        if hours.is_empty() {
            "none".into()
        } else {
            hours.join(", ")
        }
    );
    let l = &r.limits;
    let _ = writeln!(
        s,
        "limits       horizon {}, notice {}, buffer {}, {} meetings/day, {} of meetings/day",
        format_duration(l.horizon),
        format_duration(l.min_notice),
        format_duration(l.buffer),
        l.max_meetings_per_day
            .map_or("no limit on".into(), |n| n.to_string()),
        l.max_meeting_minutes_per_day
            .map_or("no limit on".into(), |m| format_duration(
                chrono::TimeDelta::minutes(m)
            )),
    );
    let _ = writeln!(
        s,
        "thresholds   accept >= {}, decline < {}",
        r.thresholds.accept, r.thresholds.decline
    );
    let _ = writeln!(s, "goals        {}", r.goals.len());
    for g in &r.goals {
        let until = g.until.map(|d| format!(", until {d}")).unwrap_or_default();
        let _ = writeln!(s, "  {:+} {}{until}", g.weight, g.name);
    }
    let _ = writeln!(
        s,
        "people       {} VIP pattern(s), {} blocked",
        r.vip.len(),
        r.blocked.len()
    );
    let _ = writeln!(s, "focus        {} block(s)", r.focus.len());
    let _ = writeln!(s, "delegates    {}", r.delegates.len());
    for d in &r.delegates {
        let topics: Vec<&str> = d.topics.iter().map(|t| t.as_str()).collect();
        let _ = writeln!(
            s,
            "  {} <{}>: {}",
            d.name.as_deref().unwrap_or("-"),
            d.email,
            topics.join(", ")
        );
    }
    let _ = writeln!(s, "rules        {}", r.rules.len());
    for (i, rule) in r.rules.iter().enumerate() {
        let then = match &rule.then {
            crate::rules::Effect::Verdict(v) => v.as_str().to_string(),
            crate::rules::Effect::DelegateTo(to) => format!("delegate to {to}"),
            crate::rules::Effect::Points(n) => format!("{n:+} points"),
        };
        let _ = writeln!(s, "  {}. {} → {then}", i + 1, rule.name);
    }
    let _ = writeln!(s, "1:1s         {}", r.one_on_ones.len());
    for o in &r.one_on_ones {
        let days: Vec<&str> = o.prefer.days.iter().map(|d| weekday_name(*d)).collect();
        let _ = writeln!(
            s,
            "  {} with {}: {} every {}, prefer {} {}",
            o.title,
            o.with,
            format_duration(o.duration),
            format_duration(chrono::TimeDelta::days(i64::from(o.every.days))),
            days.join("/"),
            o.prefer.time
        );
    }
    s
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
    rules: &Path,
    now: DateTime<Utc>,
    previous: Option<&Path>,
    json: bool,
) -> u8 {
    let Some(rules) = reported(load_rules(rules)) else {
        return INVALID;
    };
    let Some(snapshot) = reported(load_calendar(calendar)) else {
        return INVALID;
    };
    let previous = match previous.map(load_previous).transpose() {
        Ok(p) => p.unwrap_or_default(),
        Err(e) => {
            eprintln!("{e}");
            return INVALID;
        }
    };
    let plan = crate::suggest(&snapshot, &rules, &previous, now);
    print_warnings(calendar, &plan.warnings);
    if json {
        println!("{}", plan.to_json());
    } else {
        print!("{}", table(&plan, &rules));
    }
    OK
}

fn verdict_label(v: &Verdict, to: Option<&str>, rules: &Rules) -> String {
    match (v, to) {
        (Verdict::Delegate, Some(to)) => format!("delegate → {}", rules.delegate_name(to)),
        (v, _) => v.as_str().to_string(),
    }
}

fn span(tz: Tz, s: DateTime<Utc>, e: DateTime<Utc>) -> String {
    let ls = s.with_timezone(&tz);
    let le = e.with_timezone(&tz);
    if ls.date_naive() == le.date_naive() {
        format!(
            "{} {}-{}",
            ls.format("%a %Y-%m-%d"),
            ls.format("%H:%M"),
            le.format("%H:%M")
        )
    } else {
        format!(
            "{} → {}",
            ls.format("%a %Y-%m-%d %H:%M"),
            le.format("%a %m-%d %H:%M")
        )
    }
}

/// The readable form of a plan: one block per decision with its strongest reasons.
pub fn table(plan: &Plan, rules: &Rules) -> String {
    let tz = plan.timezone;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} pending request(s) from {} ({}), horizon {}\n",
        plan.decisions.len(),
        plan.now.with_timezone(&tz).format("%a %Y-%m-%d %H:%M"),
        tz.name(),
        format_duration(rules.limits.horizon)
    );
    let _ = writeln!(s, "{:<30} {:<28} {:>5}  TITLE", "VERDICT", "WHEN", "SCORE");
    for d in &plan.decisions {
        let when = span(tz, d.start, d.end);
        let more = if d.occurrences.len() > 1 {
            format!(" (+{} more)", d.occurrences.len() - 1)
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "{:<30} {:<28} {:>5}  {}{more}",
            verdict_label(&d.verdict, d.delegate_to.as_deref(), rules),
            when,
            d.score,
            d.title
        );
        let mut top: Vec<_> = d.reasons.iter().skip(1).filter(|r| r.points != 0).collect();
        top.sort_by_key(|r| std::cmp::Reverse(r.points.abs()));
        for r in top.iter().take(3) {
            let _ = writeln!(s, "{:<30} {:+} {}: {}", "", r.points, r.source, r.detail);
        }
        if let Some(v) = d.reasons.iter().rfind(|r| r.source == "verdict") {
            let _ = writeln!(s, "{:<30} = {}", "", v.detail);
        }
    }
    if !plan.reservations.is_empty() {
        let _ = writeln!(s, "\n1:1 reservations");
        for r in &plan.reservations {
            let _ = writeln!(
                s,
                "  {:<28} {} (with {})",
                span(tz, r.start, r.end),
                r.series,
                r.with
            );
        }
    }
    if !plan.unplaced.is_empty() {
        let _ = writeln!(s, "\n1:1 periods without a slot");
        for u in &plan.unplaced {
            let _ = writeln!(s, "  {}: {}", u.series, u.reason);
        }
    }
    s
}

#[derive(Serialize)]
struct AgendaJson {
    occurrences: Vec<AgendaItem>,
}

#[derive(Serialize)]
struct AgendaItem {
    id: String,
    title: String,
    start: String,
    end: String,
    all_day: bool,
    kind: &'static str,
}

/// `timeward agenda --calendar FILE --from T --to T [--rules FILE] [--json]`
pub fn agenda(
    calendar: &Path,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    rules: Option<&Path>,
    json: bool,
) -> u8 {
    let Some(rules) = reported(rules.map(load_rules).transpose()) else {
        return INVALID;
    };
    let Some(snapshot) = reported(load_calendar(calendar)) else {
        return INVALID;
    };
    let tz = rules.as_ref().map_or(Tz::UTC, |r| r.executive.timezone);
    let (occurrences, warnings) = expand(&snapshot.events, tz, from, to);
    print_warnings(calendar, &snapshot.warnings);
    print_warnings(calendar, &warnings);
    let items: Vec<AgendaItem> = occurrences
        .iter()
        .filter_map(|o| {
            let e = &snapshot.events[o.event];
            (e.status != Status::Cancelled).then(|| AgendaItem {
                id: e.uid.clone(),
                title: e.public_title().to_string(),
                start: rfc3339(o.start, tz),
                end: rfc3339(o.end, tz),
                all_day: o.all_day,
                kind: rules
                    .as_ref()
                    .map_or(Kind::Other, |r| e.kind(&r.executive.email))
                    .as_str(),
            })
        })
        .collect();
    if json {
        let out = serde_json::to_string_pretty(&AgendaJson { occurrences: items });
        match out {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("cannot write JSON: {e}");
                return INVALID;
            }
        }
    } else {
        println!("{} occurrence(s), times in {}", items.len(), tz.name());
        for it in &items {
            println!(
                "{:<25} {:<25} {:<7} {}  [{}]",
                it.start, it.end, it.kind, it.title, it.id
            );
        }
    }
    OK
}

/// `timeward explain ID [--config FILE]`: a stored decision, its reasons and its history.
/// The running daemon holds the store's lock; then the answer comes from its API.
pub fn explain(config: Option<&Path>, id: &str) -> u8 {
    let config = match crate::config::load_default(config, std::env::vars()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return INVALID;
        }
    };
    let found = match crate::store::Store::open(&config.state_dir) {
        Ok(store) => store
            .decision(id)
            .map_err(|e| e.to_string())
            .and_then(|d| Ok((d, store.history(id).map_err(|e| e.to_string())?))),
        Err(open) => explain_from_daemon(&config, id)
            .map_err(|e| format!("{open}\n(asking the running daemon instead failed: {e})")),
    };
    match found {
        Ok((Some(d), history)) => {
            print!("{}", explain_text(&d, &history));
            OK
        }
        Ok((None, _)) => {
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

type Explained = (
    Option<crate::store::StoredDecision>,
    Vec<crate::store::HistoryEntry>,
);

fn explain_from_daemon(config: &crate::config::Config, id: &str) -> Result<Explained, String> {
    use http_body_util::{BodyExt, Empty};
    use hyper::body::Bytes;
    let token = match &config.feed_token {
        Some(t) => t.clone(),
        None => std::fs::read_to_string(config.state_dir.join("feed_token"))
            .map_err(|e| format!("{}: {e}", config.state_dir.join("feed_token").display()))?
            .trim()
            .to_string(),
    };
    let mut addr = std::fs::read_to_string(config.state_dir.join(crate::state_dir::ADDRESS_FILE))
        .ok()
        .and_then(|a| a.trim().parse().ok())
        .unwrap_or(config.listen);
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let path = percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC);
    let url = format!("http://{addr}/api/decisions/{path}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http::<Empty<Bytes>>();
        let req = hyper::Request::get(url.as_str())
            .header("authorization", format!("Bearer {token}"))
            .body(Empty::new())
            .map_err(|e| e.to_string())?;
        let resp = tokio::time::timeout(std::time::Duration::from_secs(10), client.request(req))
            .await
            .map_err(|_| format!("{url}: no answer within 10s"))?
            .map_err(|e| format!("http://{addr}: {e}"))?;
        if resp.status() == hyper::StatusCode::NOT_FOUND {
            return Ok((None, Vec::new()));
        }
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        #[derive(serde::Deserialize)]
        struct One {
            decision: crate::store::StoredDecision,
            history: Vec<crate::store::HistoryEntry>,
        }
        let one: One = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        Ok((Some(one.decision), one.history))
    })
}

/// The text `timeward explain` prints.
pub fn explain_text(
    d: &crate::store::StoredDecision,
    history: &[crate::store::HistoryEntry],
) -> String {
    let mut s = String::new();
    let verdict = match &d.delegate_to {
        Some(to) => format!("{} → {to}", d.verdict.as_str()),
        None => d.verdict.as_str().to_string(),
    };
    let _ = writeln!(s, "{}  {}", d.id, d.title);
    let _ = writeln!(
        s,
        "  when:      {} – {}",
        d.start.to_rfc3339(),
        d.end.to_rfc3339()
    );
    if let Some(o) = &d.organizer {
        let _ = writeln!(s, "  organizer: {o}");
    }
    let _ = writeln!(s, "  verdict:   {verdict} (score {})", d.score);
    let _ = writeln!(s, "  reasons:");
    for r in &d.reasons {
        let _ = writeln!(s, "    {:>+5}  {}: {}", r.points, r.source, r.detail);
    }
    let _ = writeln!(s, "  history ({} change(s), oldest first):", history.len());
    for h in history {
        let verdict = match &h.delegate_to {
            Some(to) => format!("{} → {to}", h.verdict.as_str()),
            None => h.verdict.as_str().to_string(),
        };
        let _ = writeln!(
            s,
            "    {}  {verdict} (score {})",
            h.at.to_rfc3339(),
            h.score
        );
        for r in &h.reasons {
            let _ = writeln!(s, "        {:>+5}  {}: {}", r.points, r.source, r.detail);
        }
    }
    s
}
