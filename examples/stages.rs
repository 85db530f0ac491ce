//! Where one cycle's time goes (a measuring aid; BENCHMARKS.md).
use std::time::Instant;
use timeward::demo::{rules_toml, to_ics};
use timeward::rules::Rules;
use timeward::store::Store;
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
/// The minor page faults of this process so far (`/proc/self/stat`, field 10; 0 where
/// that cannot be read).
fn faults() -> u64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(") ")?.1;
            after.split(' ').nth(7)?.parse().ok()
        })
        .unwrap_or(0)
}
fn t<R>(name: &str, mut f: impl FnMut() -> R) -> R {
    let mut best = f64::MAX;
    let mut r = None;
    let before = faults();
    for _ in 0..7 {
        let s = Instant::now();
        r = Some(f());
        best = best.min(s.elapsed().as_secs_f64() * 1000.0);
    }
    let per_run = (faults() - before) / 7;
    eprintln!("{name:36} {best:8.2} ms {per_run:6} faults");
    r.expect("ran")
}
fn main() {
    let now = timeward::demo::benchmark_now();
    let dir = std::env::temp_dir().join("tw-stages");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let text = to_ics(&timeward::demo::benchmark_calendar());
    let changed = text.replacen("SUMMARY:", "SUMMARY:moved ", 1);
    let rules_text = format!(
        "{}\n{}",
        rules_toml(42, 5, 50),
        timeward::demo::one_on_ones_toml(42, 3)
    );
    let rules = Rules::parse(&rules_text, "bench.toml").expect("rules");
    let exec = rules.executive.email.clone();
    let store = Store::open(&dir).expect("store");
    let ics = dir.join("calendar.ics");
    std::fs::write(&ics, &text).expect("write calendar");
    let (_, feed) = timeward::daemon::cycle_from_file(&store, &dir, &ics, &rules, now, None, &[])
        .expect("cycle");
    t("full cycle (cycle_from_file)", || {
        timeward::daemon::cycle_from_file(&store, &dir, &ics, &rules, now, Some(feed.clone()), &[])
            .expect("cycle")
    });
    t("  read the file (source::ics::load_for)", || {
        timeward::source::ics::load_for(&ics, Some(&exec)).expect("reads")
    });
    let mut snap = t("parse (scratch)", || {
        timeward::calendar::ics::parse_bytes_on(text.as_bytes(), 2).expect("parses")
    });
    let _ = t("parse compacted as read (scratch)", || {
        timeward::calendar::ics::parse_bytes_compacted_on(text.as_bytes(), 2, &exec)
            .expect("parses")
    });
    let mut reuse = timeward::calendar::ics::Reuse::new();
    let _ = timeward::calendar::ics::parse_bytes_reusing(text.as_bytes(), 2, &mut reuse);
    reuse.compact(&exec);
    let mut flip = false;
    t("parse reusing, one event changed", || {
        flip = !flip;
        let b = if flip {
            changed.as_bytes()
        } else {
            text.as_bytes()
        };
        timeward::calendar::ics::parse_bytes_reusing(b, 2, &mut reuse).expect("parses")
    });
    t("compact", || {
        let mut s = snap.clone();
        s.compact(&exec);
        s
    });
    snap.compact(&exec);
    let prev = store.reservations().expect("reservations");
    let plan = t("suggest", || timeward::suggest(&snap, &rules, &prev, now));
    let (held, _) = t("  place", || {
        timeward::slots::place(&snap, &rules, &prev, now)
    });
    let prep = t("  prepare", || {
        timeward::decide::Prepared::new(&snap, &rules, now, 2)
    });
    let _ = t("  decide prepared", || {
        timeward::decide::decide_prepared(&snap, &rules, &held, &prep, 2)
    });
    let _ = t("  decide prepared (1 thread)", || {
        timeward::decide::decide_prepared(&snap, &rules, &held, &prep, 1)
    });
    let entries = t("feed entries", || {
        timeward::feed::entries(&plan, &rules, &[])
    });
    let versions = t("advance", || {
        timeward::feed::advance(&store.versions().expect("versions"), &entries, now)
    });
    let _ = t("render (scratch)", || {
        timeward::feed::render(&entries, &versions, "x", chrono::TimeDelta::minutes(1))
    });
    let mut rendered = timeward::feed::Rendered::default();
    let feed = t("render reusing (nothing changed)", || {
        timeward::feed::render_reusing(
            &entries,
            &versions,
            "x",
            chrono::TimeDelta::minutes(1),
            &mut rendered,
        )
    });
    let json = t("decisions to_json", || plan.to_json());
    let _ = t("record_cycle (nothing changed)", || {
        store.record_cycle(&plan, &versions, now).expect("record")
    });
    poll_stages(&store, std::sync::Arc::new(snap.clone()), &rules, now);
    let state = timeward::state_dir::StateDir::at(&dir);
    t("write feed (atomic, fsync)", || {
        state.write_feed(feed.as_bytes()).expect("write")
    });
    t("write decisions.json (atomic, fsync)", || {
        state.write_decisions(json.as_bytes()).expect("write")
    });
}

/// The incremental path, poll result to feed served, step by step: two calendars in turn
/// that differ in one invitation moved by an hour (the mean of the rounds after two).
fn poll_stages(
    store: &Store,
    a: std::sync::Arc<timeward::calendar::Snapshot>,
    rules: &Rules,
    now: chrono::DateTime<chrono::Utc>,
) {
    use std::sync::Arc;
    let exec = rules.executive.email.clone();
    let moved = timeward::demo::one_invitation_moved(&a, &exec, now);
    let b = Arc::new(moved);
    let same = t("compare 10k events (equality)", || {
        a.events
            .iter()
            .zip(&b.events)
            .filter(|(x, y)| x == y)
            .count()
    });
    eprintln!("  {same} equal");
    let mut kept = timeward::daemon::Kept::default();
    let mut sums = std::collections::BTreeMap::<&str, (f64, u64)>::new();
    let rounds = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(40);
    let mut last_text = None;
    // PAUSE_MS=200: a pause before each round, as the daemon's polls are spaced (its
    // data has then gone cold in the processor's caches).
    let pause = std::env::var("PAUSE_MS")
        .ok()
        .and_then(|p| p.parse().ok())
        .map(std::time::Duration::from_millis);
    for round in 0..rounds {
        if let Some(pause) = pause {
            std::thread::sleep(pause);
        }
        let snap = if round % 2 == 0 { &a } else { &b };
        let mut lap = (Instant::now(), faults());
        let mut mark = |name: &'static str| {
            if round >= 2 {
                let sum = sums.entry(name).or_default();
                sum.0 += lap.0.elapsed().as_secs_f64() * 1000.0;
                sum.1 += faults() - lap.1;
            }
            lap = (Instant::now(), faults());
        };
        let previous = store.reservations().expect("reservations");
        mark("a store.reservations");
        let (plan, made) = timeward::suggest_reusing(snap, rules, &previous, now, &mut kept.memo);
        mark("b suggest_reusing (place || prepare, decide)");
        let _changes = store.verdict_changes(&plan, now).expect("changes");
        mark("c verdict changes (1:1 agendas)");
        let (entries, digests) =
            timeward::feed::entries_reusing(&plan, &made, rules, &[], &mut kept.events);
        mark("d entries_reusing");
        let last = store.last_versions().expect("versions");
        mark("e last_versions");
        let versions = std::sync::Arc::new(timeward::feed::advance_digested(
            &last, &entries, &digests, now,
        ));
        mark("f advance");
        let text = timeward::feed::render_reusing(
            &entries,
            &versions,
            "x",
            chrono::TimeDelta::minutes(1),
            &mut kept.rendered,
        );
        mark("g render_reusing");
        store
            .record_numbered(&plan, &made, &versions, now)
            .expect("record");
        mark("h record_numbered");
        store.flush().expect("flush");
        mark("h2 (after serving) flush");
        mark("i shrink");
        drop((entries, versions));
        mark("j drop");
        let same = last_text
            .as_ref()
            .is_some_and(|t: &std::sync::Arc<String>| **t == *text);
        mark("l compare with the last feed");
        assert!(!same, "the feed changes at every round");
        last_text = Some(text.clone());
        let json = plan.to_json_reusing(&made, &mut kept.json);
        mark("k (after serving) to_json_reusing");
        drop(json);
        kept.memo.give_back(plan);
    }
    let n = f64::from(rounds - 2);
    for (name, (total, faulted)) in sums {
        eprintln!(
            "{name:36} {:8.3} ms {:6.0} faults",
            total / n,
            faulted as f64 / n
        );
    }
}
