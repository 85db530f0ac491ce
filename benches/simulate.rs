//! `simulate` against one whole run (`suggest`) on the `decide` benchmark's calendar
//! (10 000 events, 1 000 requests, 50 rules, 5 goals), measured interleaved — one run,
//! one simulate, one run, … — so that the machine's drift hits both alike. Prints the
//! medians and their ratio (target: simulate under 2× one run).
//!
//!     cargo bench --bench simulate

use std::time::Instant;

use timeward::demo::rules_toml;
use timeward::rules::Rules;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A change made to the parsed rules.
type Edit = Box<dyn Fn(&mut Rules)>;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let now = timeward::demo::benchmark_now();
    let snapshot = timeward::demo::benchmark_calendar();
    let rules = Rules::parse(&rules_toml(42, 5, 50), "bench.toml").expect("valid");
    let threads = timeward::cores();
    let edits: [(&str, Edit); 3] = [
        (
            "a goal's weight +5",
            Box::new(|r: &mut Rules| r.goals[0].weight += 5),
        ),
        (
            "the accept threshold -10",
            Box::new(|r: &mut Rules| r.thresholds.accept -= 10),
        ),
        (
            "the last rule removed",
            Box::new(|r: &mut Rules| {
                r.rules.pop();
            }),
        ),
    ];
    println!("rounds: 200 of each, interleaved; medians in ms");
    for (name, edit) in &edits {
        let mut new = rules.clone();
        edit(&mut new);
        let (a, b) = timeward::whatif::plans(&snapshot, &rules, &new, &[], now, threads);
        let changes = timeward::whatif::difference(&a, &b).decisions.len();
        let (mut one, mut sim) = (Vec::new(), Vec::new());
        for _ in 0..200 {
            let t = Instant::now();
            std::hint::black_box(timeward::suggest(&snapshot, &rules, &[], now));
            one.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            let (a, b) = timeward::whatif::plans(&snapshot, &rules, &new, &[], now, threads);
            std::hint::black_box(timeward::whatif::difference(&a, &b));
            sim.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let (one, sim) = (median(one), median(sim));
        println!(
            "{name:<28} {changes:>4} change(s): one run {one:.2}, simulate {sim:.2}, ratio {:.2}",
            sim / one
        );
    }
}
