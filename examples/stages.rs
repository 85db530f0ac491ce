//! Where one cycle's time goes (a measuring aid; BENCHMARKS.md).
use std::time::Instant;
use timeward::demo::{rules_toml, to_ics};
use timeward::rules::Rules;
use timeward::store::Store;
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
fn t<R>(name: &str, mut f: impl FnMut() -> R) -> R {
    let mut best = f64::MAX;
    let mut r = None;
    for _ in 0..7 {
        let s = Instant::now();
        r = Some(f());
        best = best.min(s.elapsed().as_secs_f64() * 1000.0);
    }
    eprintln!("{name:36} {best:8.2} ms");
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
    let mut snap = t("parse (scratch)", || {
        timeward::calendar::ics::parse_bytes_on(text.as_bytes(), 2).expect("parses")
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
    let state = timeward::state_dir::StateDir::at(&dir);
    t("write feed (atomic, fsync)", || {
        state.write_feed(feed.as_bytes()).expect("write")
    });
    t("write decisions.json (atomic, fsync)", || {
        state.write_decisions(json.as_bytes()).expect("write")
    });
}
