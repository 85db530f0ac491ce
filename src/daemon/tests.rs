//! The loop's schedule in-process, on tokio's paused clock: a source that keeps failing is
//! retried after 1, 2, 4 … seconds, up to the poll interval, and a good read returns to
//! the poll interval — exactly, and without waiting.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use tokio::time::Instant;

use super::{Clock, Daemon};
use crate::config::{Config, Source};
use crate::server::Shared;
use crate::store::Store;

fn daemon(dir: &std::path::Path, calendar: &std::path::Path) -> Daemon {
    let clock: Clock = Arc::new(|| {
        Utc.with_ymd_and_hms(2026, 12, 7, 13, 0, 0)
            .single()
            .expect("valid")
    });
    daemon_with(dir, calendar, Vec::new(), clock)
}

fn daemon_with(
    dir: &std::path::Path,
    calendar: &std::path::Path,
    busy: Vec<crate::config::BusyCalendar>,
    clock: Clock,
) -> Daemon {
    let rules = dir.join("rules.toml");
    std::fs::write(
        &rules,
        "[executive]\nemail = \"dana@acme.example\"\ntimezone = \"America/New_York\"\n",
    )
    .expect("rules");
    let config = Config {
        rules,
        state_dir: dir.join("state"),
        listen: "127.0.0.1:0".parse().expect("address"),
        poll_interval: Duration::from_secs(10),
        feed_token: Some("t".repeat(32)),
        desk_session: Duration::from_secs(3600),
        respond: false,
        smtp: None,
        busy,
        busy_max_age: std::time::Duration::from_secs(3600),
        incremental: false,
        source: Source::File(calendar.to_path_buf()),
    };
    let store = Store::open(&config.state_dir).expect("store");
    let shared = Shared::new("t", Arc::new(|_: Option<&str>| None));
    let mut d = Daemon::new(config, store, shared, clock).expect("a daemon");
    d.reload_rules();
    d
}

#[tokio::test(start_paused = true)]
async fn a_failing_source_backs_off_then_polls_on_schedule() {
    let dir = std::env::temp_dir().join(format!("timeward-backoff-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let calendar = dir.join("calendar.ics");
    let mut d = daemon(&dir, &calendar);
    let mut waits = Vec::new();
    for _ in 0..6 {
        d.poll_and_cycle().await;
        waits.push(d.next_poll - Instant::now());
        tokio::time::sleep_until(d.next_poll).await;
    }
    let secs: Vec<u64> = waits.iter().map(Duration::as_secs).collect();
    assert_eq!(
        secs,
        [1, 2, 4, 8, 10, 10],
        "backoff up to the poll interval"
    );
    assert!(d.source_status.error.is_some());

    // The calendar appears: the next read is good, and the schedule is the interval.
    std::fs::write(
        &calendar,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nEND:VCALENDAR\r\n",
    )
    .expect("calendar");
    d.poll_and_cycle().await;
    assert!(
        d.source_status.error.is_none(),
        "{:?}",
        d.source_status.error
    );
    assert_eq!(d.failures, 0);
    assert_eq!((d.next_poll - Instant::now()).as_secs(), 10);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A busy calendar that fails keeps its last good events for `busy_max_age` (here 1 h),
/// then they are dropped; it counts again once it reads again. The primary is not held up.
#[tokio::test(start_paused = true)]
async fn a_failing_busy_calendar_is_trusted_for_its_max_age_then_dropped() {
    let dir = std::env::temp_dir().join(format!("timeward-busy-age-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let calendar = dir.join("work.ics");
    let empty = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nEND:VCALENDAR\r\n";
    std::fs::write(&calendar, empty).expect("work");
    let personal = dir.join("personal.ics");
    let yoga = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n\
                UID:yoga\r\nDTSTART:20261208T140000Z\r\nDTEND:20261208T150000Z\r\n\
                SUMMARY:SECRET yoga\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    std::fs::write(&personal, yoga).expect("personal");
    let at = Arc::new(std::sync::Mutex::new(
        Utc.with_ymd_and_hms(2026, 12, 7, 13, 0, 0)
            .single()
            .expect("valid"),
    ));
    let now = Arc::clone(&at);
    let clock: Clock = Arc::new(move || *now.lock().expect("clock"));
    let mut d = daemon_with(
        &dir,
        &calendar,
        vec![crate::config::BusyCalendar::File(personal.clone())],
        clock,
    );
    let busy_events = |d: &Daemon| {
        d.snapshot
            .as_ref()
            .map_or(0, |s| s.events.iter().filter(|e| e.uid == "yoga").count())
    };
    d.poll_and_cycle().await;
    assert_eq!(busy_events(&d), 1);
    assert!(d
        .snapshot
        .as_ref()
        .is_some_and(|s| s.events[0].title.is_empty()));

    // Gone for 30 minutes: stale, still counted, and said.
    std::fs::remove_file(&personal).expect("remove");
    *at.lock().expect("clock") += chrono::TimeDelta::minutes(30);
    d.poll_and_cycle().await;
    assert_eq!(busy_events(&d), 1, "its last good events still count");
    assert!(!d.busy[0].ok());
    assert!(
        d.source_status.error.is_none(),
        "the primary is not held up"
    );
    // Gone for longer than busy_max_age: dropped.
    *at.lock().expect("clock") += chrono::TimeDelta::minutes(45);
    d.poll_and_cycle().await;
    assert_eq!(busy_events(&d), 0, "dropped after busy_max_age");
    // Back: counted again.
    std::fs::write(&personal, yoga).expect("personal");
    *at.lock().expect("clock") += chrono::TimeDelta::minutes(1);
    d.poll_and_cycle().await;
    assert_eq!(busy_events(&d), 1);
    assert!(d.busy[0].ok());
}
