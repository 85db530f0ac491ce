//! Acceptance 5 of the daemon issue: kill -9 the daemon at random moments, mid-cycle
//! included, at least 50 times. Every restart must open the store, keep every history
//! entry of every cycle that had completed before the kill, and serve the feed. 50 kills
//! with `SOAK=full` (`.ci/run`), 5 in a plain `cargo test`.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::Utc;
use support::daemon::{calendar, setup, Daemon, TempDir};

/// The history entries (their times) of one decision, as the running daemon reports them.
fn history(d: &Daemon, id: &str) -> BTreeSet<String> {
    let r = d.api(&format!("/api/decisions/{id}"));
    if r.status != 200 {
        return BTreeSet::new();
    }
    let v: serde_json::Value = serde_json::from_slice(&r.body).expect("JSON");
    v["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|h| h["at"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn kill_9_at_random_moments_loses_no_completed_cycle() {
    let kills = support::soak(50, 5);
    let dir = TempDir::new("crash");
    setup(dir.path(), "1s");
    // A heavier calendar, so that a cycle takes long enough to be killed in the middle.
    let heavy = |title: &str| calendar(Utc::now(), title, 3000);
    std::fs::write(dir.path().join("calendar.ics"), heavy("Launch planning")).expect("calendar");

    // A fixed seed: the same delays on every run (xorshift).
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut kept: BTreeSet<String> = BTreeSet::new();
    let mut restored_feeds = 0;
    for round in 0..kills {
        let had_feed = dir.path().join("state/feed.ics").is_file();
        let d = Daemon::start(dir.path());
        // The store opened (the daemon serves) and the feed of the last run is there.
        if had_feed {
            let feed = d.feed();
            assert_eq!(
                feed.status, 200,
                "round {round}: the last feed is served at once"
            );
            assert!(
                feed.text().ends_with("END:VCALENDAR\r\n"),
                "round {round}: whole"
            );
            restored_feeds += 1;
        }
        let now = history(&d, "launch@acme.example");
        let lost: Vec<&String> = kept.difference(&now).collect();
        assert!(
            lost.is_empty(),
            "round {round}: history of completed cycles lost: {lost:?}\nlog:\n{}",
            d.log_text()
        );

        // Flip the launch meeting's title, so the next cycle records a change.
        let title = if round % 2 == 0 {
            "Planning"
        } else {
            "Launch planning"
        };
        std::fs::write(dir.path().join("calendar.ics"), heavy(title)).expect("calendar");

        std::thread::sleep(Duration::from_millis(next() % 1500));
        // What a completed cycle recorded: entries up to the last cycle /healthz reports
        // (it is reported only after the store's flush).
        let last = d.health()["last_cycle"]["at"].as_str().map(str::to_string);
        let entries = history(&d, "launch@acme.example");
        if let Some(last) = last {
            let last = chrono::DateTime::parse_from_rfc3339(&last).expect("time");
            kept.extend(
                entries
                    .into_iter()
                    .filter(|at| chrono::DateTime::parse_from_rfc3339(at).is_ok_and(|t| t <= last)),
            );
        }
        d.kill9();
    }
    let d = Daemon::start(dir.path());
    d.wait_ready();
    let now = history(&d, "launch@acme.example");
    assert!(kept.is_subset(&now));
    assert!(
        kept.len() >= kills / 5,
        "the test saw cycles complete between kills ({} history entries)",
        kept.len()
    );
    assert!(
        restored_feeds >= kills - 2,
        "{restored_feeds} restarts served a feed"
    );
    println!(
        "{kills} kills; {} history entries kept across them; {restored_feeds} restarts served the last feed at once",
        kept.len()
    );
}
