//! Prints, for each reader, the median and the best of `ROUNDS` (default 30) reads of the
//! benchmark calendar, the rounds interleaved so that the machine's drift hits all alike.

use std::time::Instant;

use timeward_core::calendar::ics::{parse_bytes_on, parse_bytes_with, Reader};

// The allocator of timeward's binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let text = timeward_core::demo::to_ics(&timeward_core::demo::benchmark_calendar());
    let bytes = text.as_bytes();
    println!(
        "calendar: {} bytes, {} VEVENTs; {rounds} rounds",
        bytes.len(),
        text.matches("BEGIN:VEVENT").count()
    );
    type Read<'a> = Box<dyn Fn() -> usize + 'a>;
    let readers: Vec<(&str, Read<'_>)> = vec![
        (
            "timeward, icalendar crate's parser (before)",
            Box::new(|| {
                parse_bytes_with(bytes, Reader::IcalendarCrate).map_or(0, |s| s.events.len())
            }),
        ),
        (
            "calcard 0.3, whole file, its own model only",
            Box::new(|| {
                calcard::icalendar::ICalendar::parse(&text)
                    .map_or(0, |c| c.components.len().saturating_sub(1))
            }),
        ),
        (
            "timeward, memchr lexer, 1 thread",
            Box::new(|| parse_bytes_with(bytes, Reader::Lexer).map_or(0, |s| s.events.len())),
        ),
        (
            "timeward, memchr lexer, 2 threads (as the daemon reads)",
            Box::new(|| parse_bytes_on(bytes, 2).map_or(0, |s| s.events.len())),
        ),
    ];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); readers.len()];
    for _ in 0..rounds {
        for (i, (_, read)) in readers.iter().enumerate() {
            let started = Instant::now();
            let n = read();
            times[i].push(started.elapsed().as_secs_f64() * 1000.0);
            assert!(n >= 9_000, "reader {i} read {n} events");
        }
    }
    for ((name, _), t) in readers.iter().zip(&mut times) {
        t.sort_by(f64::total_cmp);
        println!(
            "{name:58} median {:7.1} ms   best {:7.1} ms",
            t[t.len() / 2],
            t[0]
        );
    }
}
