//! Incremental cycles equal cycles from scratch, byte for byte. A property test: a
//! generated calendar file goes through random sequences of the edits calendars see (a
//! title rewritten, a meeting moved, an invitation answered, an event deleted, copied or
//! broken, lines added above everything else, which moves every line number), with the
//! clock moving between cycles. After every edit two daemons' cycles run side by side, on
//! stores that have seen the same cycles: one the way the daemon runs after its first
//! cycle (events whose text is unchanged taken from the last read, feed events whose
//! content is unchanged copied from the last feed, the store comparing with its memory of
//! the last cycle and writing only changed keys), one from scratch (its store opened
//! afresh each cycle). Their feeds, `decisions.json`, stored decisions, history and
//! feed versions must be identical, and the incremental one must really have reused.

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use timeward::daemon::{cycle_from_file, cycle_from_file_reusing, Caches};
use timeward::rules::Rules;
use timeward::store::Store;

#[derive(Debug, Clone)]
enum Edit {
    Retitle(usize, &'static str),
    Move(usize, i64),
    Answer(usize, &'static str),
    Delete(usize),
    Copy(usize),
    Break(usize),
    LinesAbove(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (
            any::<usize>(),
            prop_oneof![
                Just("board review"),
                Just("hiring sync"),
                Just("vendor pitch")
            ]
        )
            .prop_map(|(k, t)| Edit::Retitle(k, t)),
        // By up to three hours in 5-minute steps: a few minutes brings a meeting
        // within another's buffer.
        (any::<usize>(), -36i64..=36).prop_map(|(k, m)| Edit::Move(k, m * 5)),
        (
            any::<usize>(),
            prop_oneof![Just("ACCEPTED"), Just("DECLINED"), Just("NEEDS-ACTION")]
        )
            .prop_map(|(k, p)| Edit::Answer(k, p)),
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Copy),
        any::<usize>().prop_map(Edit::Break),
        (1usize..4).prop_map(Edit::LinesAbove),
    ]
}

/// The calendar as its header, its VEVENT blocks and its end.
struct Text {
    head: String,
    events: Vec<String>,
}

impl Text {
    fn parse(text: &str) -> Text {
        let first = text.find("BEGIN:VEVENT").expect("events");
        let last = text.rfind("END:VCALENDAR").expect("end");
        let events = text[first..last]
            .split_inclusive("END:VEVENT\r\n")
            .map(str::to_string)
            .collect();
        Text {
            head: text[..first].to_string(),
            events,
        }
    }

    fn render(&self) -> String {
        format!("{}{}END:VCALENDAR\r\n", self.head, self.events.concat())
    }

    fn apply(&mut self, e: &Edit) {
        let n = self.events.len().max(1);
        match *e {
            Edit::Retitle(k, title) => {
                let ev = &mut self.events[k % n];
                if let Some(at) = ev.find("SUMMARY:") {
                    let end = ev[at..].find("\r\n").map_or(ev.len(), |i| at + i);
                    ev.replace_range(at..end, &format!("SUMMARY:{title}"));
                }
            }
            Edit::Move(k, minutes) => {
                let ev = &mut self.events[k % n];
                if let Some(at) = ev.find("DTSTART;TZID=America/New_York:") {
                    let v = at + "DTSTART;TZID=America/New_York:".len();
                    if let Ok(t) =
                        chrono::NaiveDateTime::parse_from_str(&ev[v..v + 15], "%Y%m%dT%H%M%S")
                    {
                        let moved = (t + TimeDelta::minutes(minutes))
                            .format("%Y%m%dT%H%M%S")
                            .to_string();
                        ev.replace_range(v..v + 15, &moved);
                    }
                }
            }
            Edit::Answer(k, partstat) => {
                let ev = &mut self.events[k % n];
                for old in [
                    "PARTSTAT=NEEDS-ACTION",
                    "PARTSTAT=ACCEPTED",
                    "PARTSTAT=DECLINED",
                    "PARTSTAT=TENTATIVE",
                ] {
                    if let Some(at) = ev.find(old) {
                        ev.replace_range(at..at + old.len(), &format!("PARTSTAT={partstat}"));
                        break;
                    }
                }
            }
            Edit::Delete(k) => {
                if self.events.len() > 1 {
                    self.events.remove(k % n);
                }
            }
            Edit::Copy(k) => {
                let ev = self.events[k % n].replace("UID:gen", "UID:copy");
                self.events.insert((k / 7) % n, ev);
            }
            Edit::Break(k) => {
                let ev = &mut self.events[k % n];
                *ev = ev.replacen("DTSTART;", "DTSTART;X=\"broken:", 1);
            }
            Edit::LinesAbove(lines) => {
                for i in 0..lines {
                    self.head.push_str(&format!("X-NOTE-{i}:added above\r\n"));
                }
            }
        }
    }
}

fn rules() -> Rules {
    let text = format!(
        "{}\n{}",
        timeward::demo::rules_toml(7, 5, 20),
        timeward::demo::one_on_ones_toml(7, 3)
    );
    Rules::parse(&text, "rules.toml").expect("generated rules")
}

fn start() -> DateTime<Utc> {
    timeward::demo::benchmark_now()
}

fn calendar() -> String {
    let shape = timeward::demo::Shape {
        events: 240,
        requests: 60,
        days: 60,
        request_days: 28,
        recurring_one_in: 8,
    };
    timeward::demo::to_ics(&timeward::demo::calendar(
        7,
        shape,
        start(),
        chrono_tz::Tz::America__New_York,
    ))
}

/// Everything a cycle leaves behind that a user or the next cycle sees.
fn state(dir: &std::path::Path, store: &Store) -> (Vec<u8>, Vec<u8>, String) {
    let state = timeward::state_dir::StateDir::at(dir);
    let feed = std::fs::read(state.feed_path()).expect("feed");
    let decisions = std::fs::read(state.decisions_path()).expect("decisions.json");
    let stored = store.decisions().expect("decisions");
    let history: Vec<_> = stored
        .iter()
        .map(|d| store.history(&d.id).expect("history"))
        .collect();
    let versions = store.versions().expect("versions");
    let held = store.reservations().expect("reservations");
    (
        feed,
        decisions,
        format!("{stored:?}\n{history:?}\n{versions:?}\n{held:?}"),
    )
}

/// (id, verdict, delegate, score, reasons) of each stored decision, and whether its last
/// history entry says the same.
fn stored_summary(store: &Store) -> Vec<(String, String, Option<String>, i64, usize, bool)> {
    let mut out: Vec<_> = store
        .decisions()
        .expect("decisions")
        .into_iter()
        .map(|d| {
            let last = store.history(&d.id).expect("history").pop();
            let agrees = last.is_some_and(|h| {
                h.verdict == d.verdict && h.score == d.score && h.delegate_to == d.delegate_to
            });
            (
                d.id,
                d.verdict.as_str().to_string(),
                d.delegate_to,
                d.score,
                d.reasons.len(),
                agrees,
            )
        })
        .collect();
    out.sort();
    out
}

/// The same of `decisions.json`.
fn decided_summary(json: &[u8]) -> Vec<(String, String, Option<String>, i64, usize, bool)> {
    let v: serde_json::Value = serde_json::from_slice(json).expect("decisions.json");
    let mut out: Vec<_> = v["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap_or_default().to_string(),
                d["verdict"].as_str().unwrap_or_default().to_string(),
                d["delegate_to"].as_str().map(str::to_string),
                d["score"].as_i64().unwrap_or_default(),
                d["reasons"].as_array().map_or(0, Vec::len),
                true,
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn incremental_cycles_equal_cycles_from_scratch() {
    let rules = rules();
    let original = calendar();
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    // The clock moves by whole minutes, or by seconds (a decision inside a notice says
    // how soon it starts to the minute: seconds may or may not change that).
    let clock = prop_oneof![(0i64..90).prop_map(|m| m * 60), 0i64..120];
    let strategy = proptest::collection::vec((edit(), clock), 1..6);
    let reused_somewhere = std::cell::Cell::new(0usize);
    let carried_somewhere = std::cell::Cell::new(0usize);
    runner
        .run(&strategy, |steps| {
            let root = tempfile::tempdir().expect("temp dir");
            let (a_dir, b_dir) = (root.path().join("incremental"), root.path().join("scratch"));
            std::fs::create_dir_all(&a_dir).expect("dir");
            std::fs::create_dir_all(&b_dir).expect("dir");
            let a_store = Store::open(&a_dir).expect("store");
            // From scratch: the store opened afresh for every cycle, so that it compares
            // with what its trees hold rather than with its memory of the last cycle.
            let b_store = || -> Store {
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
                loop {
                    match Store::open(&b_dir) {
                        Ok(s) => return s,
                        // sled's lock outlives a dropped store by a moment.
                        Err(_) if std::time::Instant::now() < deadline => {
                            std::thread::sleep(std::time::Duration::from_millis(20))
                        }
                        Err(e) => panic!("{e}"),
                    }
                }
            };
            let file = root.path().join("calendar.ics");
            let mut text = Text::parse(&original);
            let mut caches = Caches::default();
            // The reader alone, through its own reuse: every event and warning (with its
            // line) as a fresh read gives them, once both are compacted.
            let mut reuse = timeward::calendar::ics::Reuse::new();
            let exec = rules.executive.email.clone();
            let mut read_alike = |text: &str| -> Result<(), TestCaseError> {
                let mut a =
                    timeward::calendar::ics::parse_bytes_reusing(text.as_bytes(), 2, &mut reuse)
                        .expect("reads");
                reuse.compact(&exec);
                let mut b = timeward::calendar::ics::parse_bytes(text.as_bytes()).expect("reads");
                a.compact(&exec);
                b.compact(&exec);
                prop_assert_eq!(&a.events, &b.events);
                prop_assert_eq!(&a.warnings, &b.warnings);
                Ok(())
            };
            read_alike(&text.render())?;
            let (mut a_feed, mut b_feed) = (None, None);
            let mut now = start();
            let mut cycle = |text: &str, now: DateTime<Utc>, caches: &mut Caches| {
                std::fs::write(&file, text).expect("write the calendar");
                let (_, a) = cycle_from_file_reusing(
                    &a_store,
                    &a_dir,
                    &file,
                    &rules,
                    now,
                    a_feed.take(),
                    &[],
                    caches,
                )
                .expect("incremental cycle");
                let (_, b) =
                    cycle_from_file(&b_store(), &b_dir, &file, &rules, now, b_feed.take(), &[])
                        .expect("cycle from scratch");
                a_feed = Some(a);
                b_feed = Some(b);
            };
            cycle(&text.render(), now, &mut caches);
            for (e, seconds) in &steps {
                text.apply(e);
                now += TimeDelta::seconds(*seconds);
                cycle(&text.render(), now, &mut caches);
                read_alike(&text.render())?;
                reused_somewhere.set(reused_somewhere.get() + caches.reuse.reused);
                carried_somewhere.set(carried_somewhere.get() + caches.kept.memo.reused());
                let (a, b) = (state(&a_dir, &a_store), state(&b_dir, &b_store()));
                prop_assert!(a.0 == b.0, "the feeds differ after {e:?}");
                prop_assert!(a.1 == b.1, "decisions.json differs after {e:?}");
                prop_assert_eq!(&a.2, &b.2, "the stores differ after {:?}", e);
                // And what is stored is what was decided (an oracle outside the store).
                prop_assert_eq!(
                    stored_summary(&a_store),
                    decided_summary(&a.1),
                    "the store is not the plan after {:?}",
                    e
                );
            }
            Ok(())
        })
        .expect("incremental equals scratch");
    assert!(
        reused_somewhere.get() > 0,
        "the incremental cycles reused nothing"
    );
    assert!(
        carried_somewhere.get() > 0,
        "the incremental cycles scored every request again"
    );
}
