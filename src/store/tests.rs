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
    let events = entries(&plan, &rules, &[]);
    let versions = advance(&Versions::new(), &events, now());
    (plan, versions)
}

/// Runs `open` until sled's lock on the directory is free: a store dropped a moment ago
/// may still hold it while sled's flusher thread ends.
fn reopened<T, E: std::fmt::Debug>(open: impl Fn() -> Result<T, E>) -> T {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match open() {
            Ok(v) => return v,
            Err(e) if std::time::Instant::now() > deadline => panic!("reopening: {e:?}"),
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    }
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
        // As the store remembers them (and below, as reopened, from the tree).
        assert!(!p1.reservations.is_empty());
        assert_eq!(s.reservations().expect("reservations"), p1.reservations);
    }
    let s = reopened(|| Store::open(&d));
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
    let opened = reopened(|| match Store::open(&d) {
        Err(StoreError::Open { .. }) => Err("locked"),
        other => Ok(other),
    });
    match opened {
        Err(StoreError::Newer { found, .. }) => assert_eq!(found, SCHEMA + 1),
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a newer schema was opened"),
    }
}

/// A store as schema 1 left it: its trees and records are the bytes that build wrote
/// (serde_json of the same structs, verdicts as lowercase words), the dead `events` tree
/// and `source_cursor` entry included.
fn schema_1_store(d: &std::path::Path) {
    let db = sled::open(d.join("store")).expect("sled");
    let meta = db.open_tree("meta").expect("tree");
    meta.insert("schema", &1u32.to_be_bytes()).expect("insert");
    meta.insert("source_cursor", r#"["\"abc\"",null]"#.as_bytes())
        .expect("insert");
    meta.insert("last_cycle", "2026-12-07T13:00:00+00:00".as_bytes())
        .expect("insert");
    let events = db.open_tree("events").expect("tree");
    events
        .insert(
            "vendor-pitch",
            r#"{"uid":"vendor-pitch","title":"Vendor pitch","kind":"request"}"#.as_bytes(),
        )
        .expect("insert");
    let decision = r#"{"id":"vendor-pitch","title":"Vendor pitch","start":"2026-12-08T15:00:00Z","end":"2026-12-08T15:30:00Z","organizer":"sales@vendor.example","verdict":"decline","delegate_to":null,"score":-5,"reasons":[{"points":0,"source":"base","detail":"starting score"},{"points":-5,"source":"external","detail":"organiser sales@vendor.example is outside the known domains"}]}"#;
    db.open_tree("decisions")
        .expect("tree")
        .insert("vendor-pitch", decision.as_bytes())
        .expect("insert");
    let entry = r#"{"at":"2026-12-07T13:00:00Z","verdict":"delegate","delegate_to":"ann@acme.example","score":3,"reasons":[]}"#;
    let mut key = b"vendor-pitch".to_vec();
    key.push(0);
    key.extend_from_slice(&now().timestamp_micros().to_be_bytes());
    db.open_tree("history")
        .expect("tree")
        .insert(key, entry.as_bytes())
        .expect("insert");
    db.flush().expect("flush");
}

#[test]
fn a_schema_1_store_is_migrated_and_keeps_its_suggestions() {
    use crate::rules::Verdict;
    let d = dir("schema-1");
    schema_1_store(&d);
    {
        let s = reopened(|| Store::open(&d));
        assert_eq!(s.schema().expect("schema"), 2);
        let v = s.decision("vendor-pitch").expect("read").expect("kept");
        assert_eq!(
            (v.verdict, v.score, v.reasons.len()),
            (Verdict::Decline, -5, 2)
        );
        let h = s.history("vendor-pitch").expect("history");
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].verdict, Verdict::Delegate);
        assert_eq!(h[0].delegate_to.as_deref(), Some("ann@acme.example"));
        assert_eq!(s.meta("source_cursor").expect("meta"), None);
        assert_eq!(
            s.meta("last_cycle").expect("meta").as_deref(),
            Some("2026-12-07T13:00:00+00:00")
        );
        // A cycle on the migrated store sees the kept decision as its previous one.
        let (p, v) = plan(RULES);
        let c = s.record_cycle(&p, &v, now()).expect("record");
        assert_eq!((c.new, c.changed), (2, 0), "vendor-pitch was already known");
    }
    let db = reopened(|| sled::open(d.join("store")));
    let trees: Vec<String> = db
        .tree_names()
        .iter()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    assert!(!trees.contains(&"events".to_string()), "{trees:?}");
    assert!(trees.contains(&"decisions".to_string()), "{trees:?}");
}

/// The verdict changes the agendas read come from the store's memory of each request's
/// history after the first read, and equal a fresh read of the trees after every cycle:
/// verdicts that change, one that changes back, and a cycle at an earlier instant.
#[test]
fn verdict_changes_from_memory_equal_a_fresh_read() {
    let d = dir("verdicts");
    let (p1, v1) = plan(RULES);
    let mut flipped = p1.clone();
    for x in &mut flipped.decisions {
        x.verdict = match x.verdict {
            crate::rules::Verdict::Accept => crate::rules::Verdict::Decline,
            _ => crate::rules::Verdict::Accept,
        };
    }
    let s = Store::open(&d).expect("open");
    let at = |minutes: i64| now() + TimeDelta::minutes(minutes);
    let steps = [
        (&p1, 0),
        (&flipped, 10),
        (&p1, 20),
        (&flipped, 5),
        (&flipped, 30),
    ];
    let mut seen = 0;
    for (i, (p, minutes)) in steps.into_iter().enumerate() {
        let remembered = s.verdict_changes(p, at(minutes)).expect("changes");
        s.record_cycle(p, &v1, at(minutes)).expect("record");
        let after = s.verdict_changes(p, at(minutes + 1)).expect("changes");
        // A store that has never read them (a copy of this one): straight from the trees.
        let copy = d.join(format!("copy-{i}"));
        copy_dir(&d.join("store"), &copy.join("store"));
        let other = reopened(|| Store::open(&copy));
        assert_eq!(
            after,
            other.verdict_changes(p, at(minutes + 1)).expect("changes"),
            "step {i}"
        );
        seen = seen.max(remembered.len());
    }
    assert!(seen > 0, "some verdicts changed");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}
