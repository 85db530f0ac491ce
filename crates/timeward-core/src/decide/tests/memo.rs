//! A run that carries decisions over from the last (`decide_reusing`) gives the plan a
//! run from scratch gives, for each kind of change a decision reads from around it; and
//! it does carry over the decisions a change cannot reach.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use super::super::{decide_on, Memo, Prepared};
use super::*;

/// `decide_reusing` on a calendar prepared for it.
fn decide_reusing(
    snapshot: &Arc<Snapshot>,
    rules: &Rules,
    held: &[Reservation],
    now: DateTime<Utc>,
    threads: usize,
    memo: &mut Memo,
) -> (crate::decide::Plan, Vec<u64>) {
    let prepared = Prepared::new(snapshot, rules, now, threads);
    super::super::decide_reusing(snapshot, rules, held, &prepared, threads, memo)
}

/// One step: the calendar, the held 1:1s and `now`.
type Step = (Vec<Event>, Vec<Reservation>, DateTime<Utc>);

/// Runs the steps with one memo, each against a run from scratch; what each carried.
fn carried(steps: Vec<Step>, extra: &str) -> Vec<usize> {
    let rules = rules(extra);
    let mut memo = Memo::new();
    let mut numbers: Vec<(String, u64)> = Vec::new();
    let mut json = crate::decide::JsonMade::default();
    let mut feed = crate::feed::Made::default();
    steps
        .into_iter()
        .enumerate()
        .map(|(i, (events, held, now))| {
            let snapshot = Arc::new(Snapshot {
                events,
                warnings: Vec::new(),
            });
            let (plan, made) = decide_reusing(&snapshot, &rules, &held, now, 1, &mut memo);
            let scratch = decide_on(&snapshot, &rules, &held, now, 1);
            assert_eq!(plan, scratch, "step {i}");
            assert_eq!(plan.to_json(), scratch.to_json(), "step {i}");
            let mut written = Vec::new();
            plan.write_json(&mut written).expect("into memory");
            assert_eq!(written, scratch.to_json().into_bytes(), "step {i}");
            // What is built from the decisions, kept by their numbers, is the same too.
            assert_eq!(
                plan.to_json_reusing(&made, &mut json),
                scratch.to_json(),
                "step {i}"
            );
            let (events, digests) =
                crate::feed::entries_reusing(&plan, &made, &rules, &[], &mut feed);
            assert_eq!(
                events,
                crate::feed::entries(&scratch, &rules, &[]),
                "step {i}"
            );
            let fresh: Vec<u64> = events.iter().map(crate::feed::digest).collect();
            assert_eq!(digests, fresh, "step {i}");
            // A carried decision keeps its number, and so does one scored again that came
            // out the same; a decision that changed gets a new one.
            let now_numbers = numbered(&plan, &made);
            let kept = now_numbers.iter().filter(|n| numbers.contains(n)).count();
            assert_eq!(kept, memo.reused() + memo.same_again(), "step {i}");
            numbers = now_numbers;
            let reused = memo.reused();
            memo.give_back(plan);
            reused
        })
        .collect()
}

/// Each decision's id with the number it was made under.
fn numbered(plan: &crate::decide::Plan, made: &[u64]) -> Vec<(String, u64)> {
    plan.decisions
        .iter()
        .zip(made)
        .map(|(d, &n)| (d.id.clone(), n))
        .collect()
}

fn held(day: u32, h: u32) -> Reservation {
    Reservation {
        series: "Dana / Sam".into(),
        with: "sam@acme.example".into(),
        start: ny(day, h, 0),
        end: ny(day, h, 30),
    }
}

/// Two requests on different days, and busy time beside the first.
fn base() -> Vec<Event> {
    vec![
        internal("r1", "Roadmap", 10, 11, 0, 60),
        internal("r2", "Budget", 11, 14, 0, 60),
        busy("b1", "Standup", 10, 9, 0, 30),
    ]
}

#[test]
fn busy_time_moved_into_the_buffer_is_seen() {
    let mut moved = base();
    // Ends five minutes before r1: inside the 10-minute buffer, not overlapping.
    moved[2] = busy("b1", "Standup", 10, 10, 25, 30);
    let mut retitled = moved.clone();
    retitled[2].title = "Standup (moved)".into();
    let reused = carried(
        vec![
            (base(), vec![], now()),
            (moved, vec![], now()),
            (retitled, vec![], now()),
        ],
        "",
    );
    // r2, on another day, is carried each time; r1 is scored again.
    assert_eq!(reused, vec![0, 1, 1]);
}

#[test]
fn an_emptied_calendar_and_back() {
    let reused = carried(
        vec![
            (base(), vec![held(10, 15)], now()),
            (vec![], vec![held(10, 15)], now()),
            (base(), vec![], now()),
        ],
        "",
    );
    assert_eq!(reused, vec![0, 0, 0]);
}

#[test]
fn the_load_of_a_day_is_seen() {
    let mut more = base();
    more.push(busy("b2", "Review", 10, 15, 0, 120));
    more.push(busy("b3", "Sync", 10, 16, 0, 60));
    carried(vec![(base(), vec![], now()), (more, vec![], now())], "");
}

#[test]
fn a_decision_scored_again_the_same_keeps_its_number() {
    // A short meeting added late on r1's day: its load changes (r1 is scored again), but
    // not past a limit, so r1's decision is the same, and keeps its number.
    let mut more = base();
    more.push(busy("b2", "Review", 10, 17, 0, 15));
    let rules = rules("");
    let mut memo = Memo::new();
    let first = Arc::new(Snapshot {
        events: base(),
        warnings: Vec::new(),
    });
    let (plan, made) = decide_reusing(&first, &rules, &[], now(), 1, &mut memo);
    let before = numbered(&plan, &made);
    memo.give_back(plan);
    let second = Arc::new(Snapshot {
        events: more,
        warnings: Vec::new(),
    });
    let (plan, made) = decide_reusing(&second, &rules, &[], now(), 1, &mut memo);
    assert_eq!(plan, decide_on(&second, &rules, &[], now(), 1));
    assert_eq!((memo.reused(), memo.same_again()), (1, 1));
    assert_eq!(numbered(&plan, &made), before);
}

#[test]
fn another_request_at_the_same_time_is_seen() {
    let mut more = base();
    more.push(internal("r3", "Offsite", 10, 11, 30, 60));
    let mut renamed = more.clone();
    renamed[3].title = "Offsite planning".into();
    let reused = carried(
        vec![
            (base(), vec![], now()),
            (more, vec![], now()),
            (renamed, vec![], now()),
        ],
        "",
    );
    assert_eq!(reused, vec![0, 1, 1]);
}

#[test]
fn a_moved_one_on_one_is_seen() {
    let reused = carried(
        vec![
            (base(), vec![held(10, 11)], now()),
            (base(), vec![held(10, 15)], now()),
            (base(), vec![held(10, 15)], now()),
        ],
        "",
    );
    assert_eq!(reused, vec![0, 1, 2]);
}

#[test]
fn the_clock_reaching_the_notice_is_seen() {
    let later = |hours| now() + TimeDelta::hours(hours);
    let rule =
        "[[rules]]\nname = \"short\"\nif = { notice_under = \"60h\" }\nthen = { points = -5 }\n";
    carried(
        vec![
            (base(), vec![], now()),
            (base(), vec![], later(30)),
            (base(), vec![], later(52)),
            (base(), vec![], later(60)),
        ],
        rule,
    );
}

#[test]
fn the_clock_moving_within_a_minute_is_not_seen() {
    // r1 is 45 h away (inside the 60-hour rule, which its suggestion says to the minute),
    // r2 72 h (outside it).
    let at = |seconds| now() + TimeDelta::hours(30) + TimeDelta::seconds(seconds);
    let rule =
        "[[rules]]\nname = \"short\"\nif = { notice_under = \"60h\" }\nthen = { points = -5 }\n";
    let reused = carried(
        vec![
            (base(), vec![], now()),
            // r1 comes inside the rule's notice: scored again.
            (base(), vec![], at(-30)),
            // Ten seconds on, the same minutes to go: both carried over.
            (base(), vec![], at(-20)),
            // A minute less to go for r1: scored again.
            (base(), vec![], at(20)),
        ],
        rule,
    );
    assert_eq!(reused, vec![0, 1, 2, 1]);
}

#[test]
fn changed_rules_score_everything_again() {
    let rules_a = rules("");
    let rules_b = rules("[weights]\nconflict = -50\n");
    let snapshot = Arc::new(Snapshot {
        events: base(),
        warnings: Vec::new(),
    });
    let mut memo = Memo::new();
    let (plan, _) = decide_reusing(&snapshot, &rules_a, &[], now(), 1, &mut memo);
    memo.give_back(plan);
    let (plan, _) = decide_reusing(&snapshot, &rules_b, &[], now(), 1, &mut memo);
    assert_eq!(memo.reused(), 0);
    assert_eq!(plan, decide_on(&snapshot, &rules_b, &[], now(), 1));
    memo.give_back(plan);
    let (plan, _) = decide_reusing(&snapshot, &rules_b, &[], now(), 1, &mut memo);
    assert_eq!(memo.reused(), 2);
    // A plan not handed back: nothing to carry over, everything scored again.
    drop(plan);
    let (plan, _) = decide_reusing(&snapshot, &rules_b, &[], now(), 1, &mut memo);
    assert_eq!(memo.reused(), 0);
    assert_eq!(plan, decide_on(&snapshot, &rules_b, &[], now(), 1));
    // Nor is another run's plan taken.
    let other = decide_on(&snapshot, &rules_b, &[], now() + TimeDelta::hours(1), 1);
    memo.give_back(other);
    decide_reusing(&snapshot, &rules_b, &[], now(), 1, &mut memo);
    assert_eq!(memo.reused(), 0);
}

#[test]
fn a_goal_that_ends_is_seen() {
    let goal = "[[goals]]\nname = \"Roadmap\"\nweight = 25\nkeywords = [\"roadmap\"]\nuntil = \"2026-12-07\"\n";
    // Past midnight in New York, the goal no longer counts (r1 is on the 10th).
    let reused = carried(
        vec![
            (base(), vec![], now()),
            (base(), vec![], now() + TimeDelta::hours(17)),
        ],
        goal,
    );
    assert_eq!(reused, vec![0, 0]);
}
