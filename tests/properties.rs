//! Invariants of `decide` over generated calendars (proptest): determinism, scores that
//! add up, monotonicity in VIPs and goals, and no conflict without busy time.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

use timeward::calendar::{Kind, Snapshot};
use timeward::decide::decide;
use timeward::demo::{calendar, rules_toml, Shape, EXEC};
use timeward::rules::Rules;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 13, 0, 0)
        .single()
        .expect("valid")
}

fn snapshot(seed: u64, events: usize, requests: usize) -> Snapshot {
    let shape = Shape {
        events,
        requests,
        days: 21,
        request_days: 21,
        recurring_one_in: 5,
    };
    calendar(seed, shape, now(), Tz::America__New_York)
}

fn rules(text: &str) -> Rules {
    Rules::parse(text, "generated.toml").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn scores(s: &Snapshot, r: &Rules) -> Vec<(String, i64)> {
    decide(s, r, &[], now())
        .decisions
        .into_iter()
        .map(|d| (d.id, d.score))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The daemon keeps a compacted snapshot between cycles: it must decide and place
    /// exactly as the full one does.
    #[test]
    fn compacting_a_snapshot_changes_no_suggestion(seed in any::<u64>(), n in 1usize..80, goals in 0usize..5, nrules in 0usize..12) {
        let s = snapshot(seed, n, n / 3 + 1);
        let text = format!("{}\n{}", rules_toml(seed, goals, nrules), timeward::demo::one_on_ones_toml(seed, 2));
        let r = rules(&text);
        let mut c = s.clone();
        c.compact(EXEC);
        prop_assert_eq!(
            timeward::suggest(&s, &r, &[], now()).to_json(),
            timeward::suggest(&c, &r, &[], now()).to_json()
        );
    }

    #[test]
    fn same_input_same_bytes(seed in any::<u64>(), n in 1usize..60, goals in 0usize..5, nrules in 0usize..12) {
        let s = snapshot(seed, n, n / 2 + 1);
        let r = rules(&rules_toml(seed, goals, nrules));
        prop_assert_eq!(decide(&s, &r, &[], now()).to_json(), decide(&s, &r, &[], now()).to_json());
    }

    #[test]
    fn score_is_the_sum_of_the_reasons(seed in any::<u64>(), n in 1usize..60, goals in 0usize..5, nrules in 0usize..12) {
        let s = snapshot(seed, n, n / 2 + 1);
        let r = rules(&rules_toml(seed, goals, nrules));
        for d in decide(&s, &r, &[], now()).decisions {
            prop_assert_eq!(d.score, d.reasons.iter().map(|x| x.points).sum::<i64>());
            prop_assert_eq!(d.reasons[0].source.as_str(), "base");
        }
    }

    #[test]
    fn adding_a_vip_never_lowers_a_score(seed in any::<u64>(), n in 1usize..40, who in 0usize..40) {
        let s = snapshot(seed, n, n / 2 + 1);
        let text = rules_toml(seed, 2, 6);
        let before = scores(&s, &rules(&text));
        // Make one generated person (at any domain) a VIP.
        let person = format!("p{who}@");
        let domain = s.events.iter().filter_map(|e| e.organizer.as_deref()).find(|o| o.starts_with(&person)).map(str::to_string);
        let vip = domain.unwrap_or_else(|| format!("p{who}@acme.example"));
        let after = scores(&s, &rules(&text.replace("vip = [\"*@board.example\"]", &format!("vip = [\"*@board.example\", \"{vip}\"]"))));
        prop_assert_eq!(before.len(), after.len());
        for ((id, b), (id2, a)) in before.iter().zip(&after) {
            prop_assert_eq!(id, id2);
            prop_assert!(a >= b, "{}: {} -> {}", id, b, a);
        }
    }

    #[test]
    fn adding_a_matching_goal_never_lowers_a_score(seed in any::<u64>(), n in 1usize..40, weight in 0i64..60, pick in 0usize..40) {
        let s = snapshot(seed, n, n / 2 + 1);
        let text = rules_toml(seed, 2, 6);
        let before = scores(&s, &rules(&text));
        let e = &s.events[pick % s.events.len()];
        let word = e.title.split_whitespace().next().unwrap_or("sync").to_lowercase();
        let org = e.organizer.clone().unwrap_or_else(|| "x@acme.example".into());
        let goal = format!("\n[[goals]]\nname = \"New goal\"\nweight = {weight}\nkeywords = [\"{word}\"]\npeople = [\"{org}\"]\n");
        let after = scores(&s, &rules(&format!("{text}{goal}")));
        for ((id, b), (_, a)) in before.iter().zip(&after) {
            prop_assert!(a >= b, "{}: {} -> {}", id, b, a);
        }
    }

    #[test]
    fn no_busy_time_means_no_conflict(seed in any::<u64>(), n in 1usize..60) {
        // Every event is a request: nothing is busy.
        let s = snapshot(seed, n, n);
        let r = rules(&rules_toml(seed, 3, 6));
        prop_assert!(s.events.iter().all(|e| e.kind(EXEC) != Kind::Busy));
        for d in decide(&s, &r, &[], now()).decisions {
            prop_assert!(d.reasons.iter().all(|x| x.source != "conflict" && x.source != "buffer"), "{:?}", d.reasons);
        }
    }
}
