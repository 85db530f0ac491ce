//! Placing 10 1:1 series over a 12-week horizon in a 10 000-event calendar. The
//! figure goes in BENCHMARKS.md (target: under 10 ms). Also the same with the first run's
//! reservations as `previous`, the daemon's steady state.

use chrono::{TimeZone, Utc};
use chrono_tz::Tz;
use criterion::{criterion_group, criterion_main, Criterion};

use timeward::demo::{calendar, one_on_ones_toml, rules_toml, Shape};
use timeward::rules::Rules;
use timeward::slots::place;

// The allocator of the shipped binary (src/main.rs), so that the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let now = Utc
        .with_ymd_and_hms(2026, 12, 7, 13, 0, 0)
        .single()
        .expect("valid");
    let shape = Shape {
        events: 10_000,
        requests: 1_000,
        // Three years from this week: about eight events a day, six of them busy, as a
        // full executive calendar has; 1 000 requests inside the horizon.
        days: 3 * 364,
        request_days: 84,
        recurring_one_in: 10,
    };
    let snapshot = calendar(42, shape, now, Tz::America__New_York);
    let text = rules_toml(42, 5, 50).replace("horizon = \"4w\"", "horizon = \"12w\"")
        + &one_on_ones_toml(42, 10);
    let rules = Rules::parse(&text, "bench.toml").expect("generated rules are valid");
    assert_eq!(rules.one_on_ones.len(), 10);
    assert_eq!(rules.limits.horizon, chrono::TimeDelta::weeks(12));
    let (first, unplaced) = place(&snapshot, &rules, &[], now);
    eprintln!(
        "reservations placed: {}, unplaced periods: {}",
        first.len(),
        unplaced.len()
    );
    assert!(
        first.len() > 100,
        "most periods get a slot: {}",
        first.len()
    );

    let mut g = c.benchmark_group("slots");
    g.sample_size(20);
    g.bench_function("10_series_12_weeks_10k_events", |b| {
        b.iter(|| place(&snapshot, &rules, &[], now))
    });
    g.bench_function("same_with_previous", |b| {
        b.iter(|| place(&snapshot, &rules, &first, now))
    });
    // The same 10 000 events packed into one year: about 25 a day, most days fully booked,
    // so most periods search every candidate and end unplaced — the slow path.
    let dense = calendar(42, Shape { days: 364, ..shape }, now, Tz::America__New_York);
    let (placed, unplaced) = place(&dense, &rules, &[], now);
    eprintln!(
        "dense calendar: reservations placed: {}, unplaced periods: {}",
        placed.len(),
        unplaced.len()
    );
    g.bench_function("dense_year_mostly_unplaced", |b| {
        b.iter(|| place(&dense, &rules, &[], now))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
