//! `decide` over a generated calendar of 10 000 events (1 000 pending requests, 50 rules,
//! 5 goals), and the part of it that expands and indexes the calendar; and `simulate` (the
//! plans under the current rules and an edit of one goal's weight, and their difference)
//! against one whole run. Figures go in BENCHMARKS.md; per request = total / 1 000.

use criterion::{criterion_group, criterion_main, Criterion};

use timeward::decide::{decide_on, Context};
use timeward::demo::rules_toml;
use timeward::rules::Rules;

// The allocator of the shipped binary (src/main.rs), so that the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let now = timeward::demo::benchmark_now();
    let snapshot = timeward::demo::benchmark_calendar();
    let rules =
        Rules::parse(&rules_toml(42, 5, 50), "bench.toml").expect("generated rules are valid");
    assert_eq!(rules.rules.len(), 50);
    assert_eq!(rules.goals.len(), 5);
    let plan = decide_on(&snapshot, &rules, &[], now, timeward::cores());
    assert!(
        plan.decisions.len() >= 950,
        "most requests are pending: {}",
        plan.decisions.len()
    );
    eprintln!("pending requests decided: {}", plan.decisions.len());

    let mut g = c.benchmark_group("decide");
    g.sample_size(20);
    g.bench_function("10k_events_1k_requests_50_rules_5_goals", |b| {
        b.iter(|| decide_on(&snapshot, &rules, &[], now, timeward::cores()))
    });
    g.bench_function("expand_and_index_only", |b| {
        b.iter(|| {
            Context::build(&snapshot, &rules, &[], now, timeward::cores())
                .requests
                .len()
        })
    });
    // simulate: one goal's weight raised by 15, as an assistant's edit would.
    let text = rules_toml(42, 5, 50);
    let edited = text.replacen("weight = ", "weight = 1", 1);
    assert_ne!(text, edited);
    let new = Rules::parse(&edited, "new.toml").expect("the edit is valid");
    let (a, b) = timeward::whatif::plans(&snapshot, &rules, &new, &[], now, timeward::cores());
    let diff = timeward::whatif::difference(&a, &b);
    eprintln!("simulate: {} suggestion(s) change", diff.decisions.len());
    g.bench_function("one_run_suggest", |b| {
        b.iter(|| {
            timeward::suggest(&snapshot, &rules, &[], now)
                .decisions
                .len()
        })
    });
    g.bench_function("simulate_goal_edit", |b| {
        b.iter(|| {
            let (a, b) =
                timeward::whatif::plans(&snapshot, &rules, &new, &[], now, timeward::cores());
            timeward::whatif::difference(&a, &b).decisions.len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
