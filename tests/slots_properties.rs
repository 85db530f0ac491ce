//! Invariants of 1:1 placement over generated calendars and series (proptest): no
//! reservation overlaps busy time (with its buffer), focus time or another reservation;
//! each lies in working hours and in its series' window; the output is sorted and
//! deterministic; and placing is idempotent (the output fed back as `previous` comes back
//! unchanged).

use chrono::{DateTime, Datelike, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

use timeward::calendar::{expand, Kind, Snapshot};
use timeward::decide::Reservation;
use timeward::demo::{calendar, one_on_ones_toml, rules_toml, Shape, EXEC};
use timeward::rules::{Rules, SlotWindow};
use timeward::slots::place;

const NY: Tz = Tz::America__New_York;

fn snapshot(seed: u64, events: usize) -> Snapshot {
    let shape = Shape {
        events,
        requests: events / 5,
        days: 35,
        request_days: 28,
        recurring_one_in: 5,
    };
    calendar(seed, shape, now(seed), NY)
}

/// Some time in the week of Monday 2026-12-07, not always on the hour.
fn now(seed: u64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 13, 0, 0)
        .single()
        .expect("valid")
        + TimeDelta::minutes((seed % (5 * 24 * 4)) as i64 * 15 + (seed % 7) as i64)
}

fn rules(seed: u64, series: usize) -> Rules {
    let text = format!(
        "{}{}",
        rules_toml(seed, 2, 4),
        one_on_ones_toml(seed, series)
    );
    Rules::parse(&text, "generated.toml").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn inside(w: &SlotWindow, r: &Reservation) -> bool {
    let s = r.start.with_timezone(&NY);
    let e = r.end.with_timezone(&NY);
    let m = |t: chrono::DateTime<Tz>| t.hour() * 60 + t.minute();
    s.date_naive() == e.date_naive()
        && w.days.contains(&s.weekday())
        && m(s) >= w.time.start
        && m(e) <= w.time.end
}

fn overlaps(a: (DateTime<Utc>, DateTime<Utc>), b: (DateTime<Utc>, DateTime<Utc>)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn reservations_respect_every_constraint(seed in any::<u64>(), n in 0usize..120, series in 1usize..6) {
        let s = snapshot(seed, n);
        let r = rules(seed, series);
        let now = now(seed);
        let (got, unplaced) = place(&s, &r, &[], now);
        // Four weeks of working days: every series gets slots or says why not.
        prop_assert!(!got.is_empty() || !unplaced.is_empty());

        let (occ, _) = expand(&s.events, NY, now - TimeDelta::days(2), now + r.limits.horizon + TimeDelta::days(2));
        let busy: Vec<_> = occ
            .iter()
            .filter(|o| s.events[o.event].kind(EXEC) == Kind::Busy)
            .map(|o| (o.start, o.end))
            .collect();
        let buffer = r.limits.buffer;
        for (i, res) in got.iter().enumerate() {
            prop_assert!(res.start >= now, "{res:?} starts before now {now}");
            for b in &busy {
                prop_assert!(!overlaps((res.start - buffer, res.end + buffer), *b), "{res:?} is within {buffer} of busy {b:?}");
            }
            for other in &got[i + 1..] {
                prop_assert!(!overlaps((res.start, res.end), (other.start, other.end)), "{res:?} overlaps {other:?}");
            }
            let def = r.one_on_ones.iter().find(|d| d.title == res.series).expect("a series of the rules");
            prop_assert_eq!(res.end - res.start, def.duration);
            let local = res.start.with_timezone(&NY);
            prop_assert_eq!(local.minute() % 15, 0, "{:?} is not on a quarter hour", res);
            let hours = r.hours_on(local.weekday());
            let working = hours.is_some_and(|h| inside(&SlotWindow { days: vec![local.weekday()], time: h }, res));
            prop_assert!(working, "{res:?} is outside working hours");
            let in_window = inside(&def.prefer, res) || def.fallback.as_ref().is_none_or(|f| inside(f, res));
            prop_assert!(in_window, "{res:?} is outside prefer and fallback");
            for f in &r.focus {
                let m = |t: DateTime<Utc>| { let l = t.with_timezone(&NY); l.hour() * 60 + l.minute() };
                let hit = f.days.contains(&local.weekday()) && m(res.start) < f.time.end && m(res.end) > f.time.start;
                prop_assert!(!hit, "{res:?} overlaps focus time");
            }
        }
    }

    #[test]
    fn sorted_deterministic_and_idempotent(seed in any::<u64>(), n in 0usize..120, series in 1usize..6) {
        let s = snapshot(seed, n);
        let r = rules(seed, series);
        let now = now(seed);
        let (first, unplaced) = place(&s, &r, &[], now);
        let keys: Vec<_> = first.iter().map(|x| (x.start, x.series.clone())).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        prop_assert_eq!(&keys, &sorted);
        prop_assert_eq!(place(&s, &r, &[], now), (first.clone(), unplaced.clone()));
        let again = place(&s, &r, &first, now);
        prop_assert_eq!(again, (first, unplaced));
    }
}
