//! One daemon cycle on a 10 000-event calendar file, source read to feed written:
//! read and parse the .ics, place 1:1s, decide, record the cycle in the sled store (one
//! transaction, flushed), render the feed and write it atomically. Also the parse alone.
//! Figures go in BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion};

use timeward::demo::{rules_toml, to_ics};
use timeward::rules::Rules;
use timeward::store::Store;

// The allocator of the shipped binary (src/main.rs), so that the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let now = timeward::demo::benchmark_now();
    let dir = std::env::temp_dir().join(format!("timeward-bench-cycle-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ics = dir.join("calendar.ics");
    let text = to_ics(&timeward::demo::benchmark_calendar());
    std::fs::write(&ics, &text).expect("write calendar");
    eprintln!("calendar: {} bytes", text.len());
    let rules_text = format!(
        "{}\n{}",
        rules_toml(42, 5, 50),
        timeward::demo::one_on_ones_toml(42, 3)
    );
    let rules = Rules::parse(&rules_text, "bench.toml").expect("generated rules are valid");
    let store = Store::open(&dir).expect("store");

    let (first, feed) =
        timeward::daemon::cycle_from_file(&store, &dir, &ics, &rules, now, None, &[])
            .expect("cycle");
    eprintln!("{first:?}");
    assert_eq!(first.events, 10_000);
    assert!(first.decisions >= 950);

    let mut g = c.benchmark_group("cycle");
    g.sample_size(20);
    g.bench_function("10k events, source read to feed written", |b| {
        b.iter(|| {
            timeward::daemon::cycle_from_file(
                &store,
                &dir,
                &ics,
                &rules,
                now,
                Some(feed.clone()),
                &[],
            )
            .expect("cycle")
        })
    });
    g.bench_function("10k events, read and parse only", |b| {
        b.iter(|| timeward::source::ics::load(&ics).expect("parses"))
    });

    // One request's title changed between two cycles, as the daemon runs them after its
    // first: two files that differ in that one event, read in turn.
    let other = dir.join("calendar-b.ics");
    let changed = text.replacen("SUMMARY:", "SUMMARY:moved ", 1);
    assert_ne!(changed, text);
    std::fs::write(&other, &changed).expect("write calendar");
    let mut caches = timeward::daemon::Caches::default();
    let mut feed = Some(feed);
    let mut flip = false;
    let one = |caches: &mut timeward::daemon::Caches, feed: &mut Option<_>, flip: &mut bool| {
        *flip = !*flip;
        let path = if *flip { &other } else { &ics };
        let (summary, f) = timeward::daemon::cycle_from_file_reusing(
            &store,
            &dir,
            path,
            &rules,
            now,
            feed.take(),
            &[],
            caches,
        )
        .expect("cycle");
        *feed = Some(f);
        summary
    };
    // Warm the caches (the first cycle reads everything).
    one(&mut caches, &mut feed, &mut flip);
    let s = one(&mut caches, &mut feed, &mut flip);
    assert!(s.feed_changed, "{s:?}");
    assert_eq!(caches.reuse.reused, 9_999);
    g.bench_function("10k events, one event changed (incremental)", |b| {
        b.iter(|| one(&mut caches, &mut feed, &mut flip))
    });

    // The daemon's path from a poll's result to the feed it serves, with `incremental`:
    // the calendar already read (as a Google poll hands it over, or the reader's cache
    // for a file), decide (scoring again only what the change reaches), record in the
    // store (flushed), render; the files are written after the feed is served. Two
    // calendars in turn that differ in one invitation its organiser moved by an hour
    // (its suggestion moves, so each cycle's feed differs from the last).
    let exec = rules.executive.email.clone();
    let mut read = timeward::calendar::ics::parse_bytes(text.as_bytes()).expect("parses");
    read.compact(&exec);
    let a = std::sync::Arc::new(read);
    let moved = timeward::demo::one_invitation_moved(&a, &exec, now);
    assert!(moved.events != a.events, "an invitation moved");
    let b = std::sync::Arc::new(moved);
    let mut kept = timeward::daemon::Kept::default();
    let mut served = feed.take();
    let mut turn = false;
    let mut at = now;
    // Timed from the poll's result to the feed ready to serve, as the daemon's log says
    // `served_ms`; what the daemon does after serving (the store's flush, the files,
    // handing the plan back to what it keeps, dropping the cycle's leftovers) is done
    // outside the measure.
    let mut poll = |kept: &mut timeward::daemon::Kept, step: i64| {
        turn = !turn;
        let snapshot = if turn { &b } else { &a };
        at += chrono::TimeDelta::seconds(step);
        let started = std::time::Instant::now();
        let ready = timeward::daemon::decide_and_record(
            &store,
            &dir,
            snapshot,
            &rules,
            at,
            served.take(),
            Some(&mut *kept),
        )
        .expect("cycle");
        let took = started.elapsed();
        served = Some(ready.feed.clone());
        // As the daemon does after serving: the store made durable (beside the files).
        store.flush().expect("flush");
        ready.files.hand_back(kept);
        (took, served.clone())
    };
    let one = poll(&mut kept, 0).1.expect("served");
    let other = poll(&mut kept, 0).1.expect("served");
    assert!(one.bytes != other.bytes, "the feed changes");
    assert!(one.etag != other.etag, "and so does its ETag");
    eprintln!("carried over: {} decisions", kept.memo.reused());
    assert!(kept.memo.reused() > 800, "{}", kept.memo.reused());
    g.bench_function(
        "10k events, one invitation moved, poll result to feed served (incremental)",
        |b| b.iter_custom(|n| (0..n).map(|_| poll(&mut kept, 0).0).sum()),
    );
    // The same with the clock 30 s on at each poll, as in a daemon: besides the moved
    // invitation, the requests inside the notice say how soon they start to the minute,
    // so every other poll their suggestions change too.
    g.bench_function(
        "10k events, one invitation moved, clock 30 s on, poll result to feed served (incremental)",
        |b| b.iter_custom(|n| (0..n).map(|_| poll(&mut kept, 30).0).sum()),
    );
    g.finish();
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
