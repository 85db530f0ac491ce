//! The store: schema, a cycle recorded and read back after reopening, history only on
//! change, and a newer schema refused.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use super::{Store, StoreError, SCHEMA};
use crate::calendar::ics::parse;
use crate::decide::Plan;
use crate::feed::{advance, entries, Versions};
use crate::rules::Rules;

const RULES: &str = include_str!("../../tests/scenarios/one-on-ones-under-pressure/rules.toml");
const CALENDAR: &str =
    include_str!("../../tests/scenarios/one-on-ones-under-pressure/calendar.ics");

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 13, 0, 0)
        .single()
        .expect("valid")
}

fn plan(rules_text: &str) -> (Plan, Versions) {
    let rules = Rules::parse(rules_text, "rules.toml").expect("rules");
    let snapshot = parse(CALENDAR).expect("calendar");
    let plan = crate::suggest(&snapshot, &rules, &[], now());
    let events = entries(&plan, &rules);
    let versions = advance(&Versions::new(), &events, now());
    (plan, versions)
}

fn dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("timeward-store-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

#[test]
fn a_cycle_survives_reopening_and_history_grows_only_on_change() {
    let d = dir("cycle");
    let (p1, v1) = plan(RULES);
    {
        let s = Store::open(&d).expect("open");
        assert_eq!(s.schema().expect("schema"), SCHEMA);
        let c = s.record_cycle(&p1, &v1, now()).expect("record");
        assert_eq!(c.new, 3);
        // The same plan again: nothing new in the history.
        let c = s
            .record_cycle(&p1, &v1, now() + TimeDelta::minutes(1))
            .expect("record");
        assert_eq!((c.new, c.changed, c.gone), (0, 0, 0));
        assert_eq!(s.history_len(), 3);
    }
    let s = Store::open(&d).expect("reopen");
    assert_eq!(s.decisions().expect("decisions").len(), 3);
    assert_eq!(s.reservations().expect("reservations"), p1.reservations);
    assert_eq!(s.versions().expect("versions"), v1);
    let d1 = s.decision("vendor-pitch").expect("read").expect("stored");
    assert_eq!((d1.verdict.as_str(), d1.score), ("decline", -5));
    assert_eq!(
        s.meta("last_cycle").expect("meta").as_deref(),
        Some("2026-12-07T13:01:00+00:00")
    );

    // Lee becomes a VIP: two suggestions change, each gets one more history entry.
    let (p2, v2) = plan(&RULES.replace(
        "[limits]",
        "[people]\nvip = [\"lee@acme.example\"]\n\n[limits]",
    ));
    let later = now() + TimeDelta::hours(1);
    let c = s.record_cycle(&p2, &v2, later).expect("record");
    assert_eq!(c.changed, 2);
    let h = s.history("roadmap").expect("history");
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].at, now());
    assert_eq!(h[1].at, later);
    assert!(h[1].score > h[0].score);
    assert!(h[1].reasons.iter().any(|r| r.source == "vip"));
}

#[test]
fn a_store_from_a_newer_timeward_is_refused() {
    let d = dir("newer");
    {
        let db = sled::open(d.join("store")).expect("sled");
        let meta = db.open_tree("meta").expect("tree");
        meta.insert("schema", &(SCHEMA + 1).to_be_bytes())
            .expect("insert");
        db.flush().expect("flush");
    }
    match Store::open(&d) {
        Err(StoreError::Newer { found, .. }) => assert_eq!(found, SCHEMA + 1),
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a newer schema was opened"),
    }
}
