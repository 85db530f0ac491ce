//! The Google source's sync against the fake Calendar API on 127.0.0.1, through the real
//! `google-calendar3` client: full sync in pages, idle polls, incremental changes, a 410
//! in the middle of paging, and the same calendar through Google and as an .ics file
//! giving the same decisions.

mod support;

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use support::fake_google::{Fake, TOKEN};
use timeward::rules::Rules;
use timeward::source::google::{hub, GoogleCalendar, Polled};

const EXEC: &str = "dana@acme.example";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 13, 0, 0)
        .single()
        .expect("valid")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn calendar(fake: &Fake) -> GoogleCalendar {
    GoogleCalendar::new(
        hub(Some(&fake.base), TOKEN.to_string()),
        "primary",
        Duration::from_secs(10),
        now() - chrono::TimeDelta::days(1),
    )
}

fn rules() -> Rules {
    Rules::parse(
        r#"[executive]
name = "Dana Reyes"
email = "dana@acme.example"
timezone = "America/New_York"
assistant = "sam@acme.example"
known_domains = ["acme.example"]

[[goals]]
name = "Launch"
weight = 30
keywords = ["launch"]
"#,
        "rules.toml",
    )
    .expect("rules")
}

/// A Google event: `start` in New York wall-clock "YYYY-MM-DDTHH:MM", an hour long.
fn event(id: &str, summary: &str, start: &str, from: &str, me: &str) -> Value {
    let tz = chrono_tz::Tz::America__New_York;
    let local = chrono::NaiveDateTime::parse_from_str(start, "%Y-%m-%dT%H:%M").expect("time");
    let s = local.and_local_timezone(tz).single().expect("unambiguous");
    support::fake_google::invitation(
        id,
        summary,
        s.fixed_offset(),
        from,
        ("dana.reyes@acme.example", me),
    )
}

fn decide(cal: &mut GoogleCalendar) -> timeward::decide::Plan {
    timeward::suggest(&cal.snapshot(EXEC), &rules(), &[], now())
}

#[test]
fn a_full_sync_pages_through_2500_at_a_time() {
    let fake = Fake::start();
    for i in 0..10_000 {
        let day = 8 + (i % 20);
        fake.put(event(
            &format!("e{i:05}"),
            "Standing item",
            &format!("2026-12-{day:02}T{:02}:00", 9 + i % 8),
            "ops@acme.example",
            "accepted",
        ));
    }
    let rt = runtime();
    let mut cal = calendar(&fake);
    assert_eq!(rt.block_on(cal.poll()).expect("full sync"), Polled::Changed);
    assert_eq!(cal.len(), 10_000);
    assert_eq!(fake.count("list"), 4, "10 000 events, 2 500 a page");
    assert_eq!(fake.count("list_sync"), 0);
    assert!(cal.sync_token().is_some());
    assert_eq!(cal.snapshot(EXEC).events.len(), 10_000);

    // An idle poll: exactly one request, nothing changed.
    fake.reset_counts();
    assert_eq!(rt.block_on(cal.poll()).expect("idle"), Polled::Unchanged);
    assert_eq!(fake.count("list"), 1);
    assert_eq!(fake.count("list_sync"), 1);
}

#[test]
fn incremental_changes_arrive_with_the_sync_token() {
    let fake = Fake::start();
    fake.put(event(
        "staff",
        "Staff meeting",
        "2026-12-08T10:00",
        EXEC,
        "accepted",
    ));
    fake.put(event(
        "move-me",
        "Launch review",
        "2026-12-09T10:00",
        "ana@acme.example",
        "needsAction",
    ));
    fake.put(event(
        "drop-me",
        "Vendor pitch",
        "2026-12-10T10:00",
        "rep@vendor.example",
        "needsAction",
    ));
    // A weekly series of requests, four weeks.
    let mut series = event(
        "series",
        "Launch sync",
        "2026-12-08T15:00",
        "ana@acme.example",
        "needsAction",
    );
    series["recurrence"] = json!(["RRULE:FREQ=WEEKLY;COUNT=4"]);
    fake.put(series);

    let rt = runtime();
    let mut cal = calendar(&fake);
    rt.block_on(cal.poll()).expect("full sync");
    let plan = decide(&mut cal);
    let ids: Vec<&str> = plan.decisions.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    let occurrences = |plan: &timeward::decide::Plan, id: &str| {
        plan.decisions
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.occurrences.len())
    };
    assert_eq!(occurrences(&plan, "series"), Some(4));

    // The changes: a new invitation, a moved event, a cancelled event, and in the series
    // one instance moved and one deleted.
    fake.put(event(
        "new",
        "Launch budget",
        "2026-12-11T11:00",
        "cfo@acme.example",
        "needsAction",
    ));
    fake.put(event(
        "move-me",
        "Launch review",
        "2026-12-09T14:00",
        "ana@acme.example",
        "needsAction",
    ));
    fake.cancel("drop-me");
    let mut moved = event(
        "series_20261215T200000Z",
        "Launch sync",
        "2026-12-16T15:00",
        "ana@acme.example",
        "needsAction",
    );
    moved["recurringEventId"] = json!("series");
    moved["originalStartTime"] =
        json!({ "dateTime": "2026-12-15T20:00:00Z", "timeZone": "America/New_York" });
    fake.put(moved);
    fake.put(json!({
        "id": "series_20261222T200000Z",
        "status": "cancelled",
        "recurringEventId": "series",
        "originalStartTime": { "dateTime": "2026-12-22T20:00:00Z", "timeZone": "America/New_York" }
    }));

    fake.reset_counts();
    assert_eq!(
        rt.block_on(cal.poll()).expect("incremental"),
        Polled::Changed
    );
    assert_eq!(fake.count("list_full"), 0, "no full sync");
    assert_eq!(fake.count("list_sync"), 1);

    let plan = decide(&mut cal);
    let find = |id: &str| plan.decisions.iter().find(|d| d.id == id);
    assert!(find("new").is_some(), "the new invitation is pending");
    assert!(find("drop-me").is_none(), "the cancelled event is gone");
    let moved = find("move-me").expect("moved event");
    assert_eq!(
        moved.start,
        Utc.with_ymd_and_hms(2026, 12, 9, 19, 0, 0)
            .single()
            .expect("t")
    );
    let series = find("series").expect("series");
    let starts: Vec<String> = series
        .occurrences
        .iter()
        .map(|(s, _)| s.format("%Y-%m-%dT%H:%MZ").to_string())
        .collect();
    assert_eq!(
        starts,
        [
            "2026-12-08T20:00Z",
            "2026-12-16T20:00Z",
            "2026-12-29T20:00Z"
        ],
        "the 15th moved to the 16th, the 22nd deleted"
    );
}

#[test]
fn a_410_in_the_middle_of_paging_resyncs_in_full_with_nothing_stale() {
    let fake = Fake::start();
    for i in 0..3000 {
        fake.put(event(
            &format!("e{i:04}"),
            "Standing item",
            &format!("2026-12-{:02}T10:00", 8 + i % 20),
            EXEC,
            "accepted",
        ));
    }
    let rt = runtime();
    let mut cal = calendar(&fake);
    rt.block_on(cal.poll()).expect("full sync");
    assert_eq!(cal.len(), 3000);

    // 2 600 changes (two pages of incremental sync), one of them a deletion; the second
    // page answers 410.
    for i in 0..2600 {
        fake.put(event(
            &format!("e{i:04}"),
            "Standing item, moved",
            &format!("2026-12-{:02}T11:00", 8 + i % 20),
            EXEC,
            "accepted",
        ));
    }
    fake.cancel("e2999");
    fake.reset_counts();
    fake.gone_at_next(2);
    assert_eq!(rt.block_on(cal.poll()).expect("resync"), Polled::Changed);
    assert_eq!(
        fake.count("list_sync"),
        2,
        "two incremental pages, the second 410"
    );
    assert_eq!(
        fake.count("list_full"),
        2,
        "then a full sync of 2 999 events"
    );
    assert_eq!(cal.len(), 2999);
    let snap = cal.snapshot(EXEC);
    let mut uids: Vec<String> = snap.events.iter().map(|e| e.uid.clone()).collect();
    uids.sort();
    assert_eq!(uids, fake.live_ids(), "exactly the live events");
    assert!(snap
        .events
        .iter()
        .filter(|e| e.uid.as_str() < "e2600")
        .all(|e| e.title == "Standing item, moved"));
}

#[test]
fn sync_tokens_go_alone() {
    // The fake answers 400 to a filter sent with a sync token, as Google does: a
    // second poll that succeeds shows that none was sent.
    let fake = Fake::start();
    fake.put(event(
        "a",
        "Launch",
        "2026-12-08T10:00",
        "ana@acme.example",
        "needsAction",
    ));
    let rt = runtime();
    let mut cal = calendar(&fake);
    rt.block_on(cal.poll()).expect("full");
    rt.block_on(cal.poll())
        .expect("incremental without timeMin");
    assert_eq!(fake.count("list_sync"), 1);
}

#[test]
fn the_same_calendar_from_google_and_from_ics_decides_alike() {
    // One calendar written twice: as Google's JSON and as an .ics file.
    let fake = Fake::start();
    fake.put(event(
        "staff@acme.example",
        "Staff meeting",
        "2026-12-08T10:00",
        EXEC,
        "accepted",
    ));
    fake.put(event(
        "launch@acme.example",
        "Launch review",
        "2026-12-08T10:30",
        "ana@acme.example",
        "needsAction",
    ));
    fake.put(event(
        "pitch@vendor.example",
        "Vendor pitch",
        "2026-12-09T16:30",
        "rep@vendor.example",
        "needsAction",
    ));
    let mut private = event(
        "doctor@acme.example",
        "Oncologist",
        "2026-12-10T09:00",
        EXEC,
        "accepted",
    );
    private["visibility"] = json!("private");
    fake.put(private);
    fake.put(event(
        "clash@acme.example",
        "Budget",
        "2026-12-10T09:30",
        "cfo@acme.example",
        "needsAction",
    ));
    let mut series = event(
        "weekly@acme.example",
        "Launch sync",
        "2026-12-08T15:00",
        "ana@acme.example",
        "needsAction",
    );
    series["recurrence"] = json!([
        "RRULE:FREQ=WEEKLY;COUNT=3",
        "EXDATE;TZID=America/New_York:20261215T150000"
    ]);
    fake.put(series);
    let mut offsite = json!({
        "id": "offsite@acme.example", "status": "confirmed", "summary": "Offsite",
        "start": { "date": "2026-12-11" }, "end": { "date": "2026-12-12" },
        "organizer": { "email": "dana.reyes@acme.example", "self": true }
    });
    offsite["transparency"] = json!("opaque");
    fake.put(offsite);
    fake.put(event(
        "friday@acme.example",
        "Friday sync",
        "2026-12-11T13:00",
        "ana@acme.example",
        "needsAction",
    ));

    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:staff@acme.example\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=America/New_York:20261208T100000\r\nDTEND;TZID=America/New_York:20261208T110000\r\nSUMMARY:Staff meeting\r\nORGANIZER:mailto:dana@acme.example\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:dana@acme.example\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:dana@acme.example\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:launch@acme.example\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=America/New_York:20261208T103000\r\nDTEND;TZID=America/New_York:20261208T113000\r\nSUMMARY:Launch review\r\nORGANIZER:mailto:ana@acme.example\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:dana@acme.example\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:ana@acme.example\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:pitch@vendor.example\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=America/New_York:20261209T163000\r\nDTEND;TZID=America/New_York:20261209T173000\r\nSUMMARY:Vendor pitch\r\nORGANIZER:mailto:rep@vendor.example\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:dana@acme.example\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:rep@vendor.example\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:doctor@acme.example\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=America/New_York:20261210T090000\r\nDTEND;TZID=America/New_York:20261210T100000\r\nSUMMARY:Oncologist\r\nCLASS:PRIVATE\r\nORGANIZER:mailto:dana@acme.example\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:dana@acme.example\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:dana@acme.example\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:clash@acme.example\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=America/New_York:20261210T093000\r\nDTEND;TZID=America/New_York:20261210T103000\r\nSUMMARY:Budget\r\nORGANIZER:mailto:cfo@acme.example\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:dana@acme.example\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:cfo@acme.example\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:weekly@acme.example\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=America/New_York:20261208T150000\r\nDTEND;TZID=America/New_York:20261208T160000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEXDATE;TZID=America/New_York:20261215T150000\r\nSUMMARY:Launch sync\r\nORGANIZER:mailto:ana@acme.example\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:dana@acme.example\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:ana@acme.example\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:offsite@acme.example\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20261211\r\nDTEND;VALUE=DATE:20261212\r\nSUMMARY:Offsite\r\nORGANIZER:mailto:dana@acme.example\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:friday@acme.example\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=America/New_York:20261211T130000\r\nDTEND;TZID=America/New_York:20261211T140000\r\nSUMMARY:Friday sync\r\nORGANIZER:mailto:ana@acme.example\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:dana@acme.example\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:ana@acme.example\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";
    let from_ics = timeward::calendar::ics::parse(ics).expect("ics");
    let rt = runtime();
    let mut cal = calendar(&fake);
    rt.block_on(cal.poll()).expect("sync");
    let rules = rules();
    let mapped = cal.snapshot(EXEC);
    let a = timeward::suggest(&mapped, &rules, &[], now());
    let b = timeward::suggest(&from_ics, &rules, &[], now());
    // The API's fields are mapped straight onto the calendar model: the same events as
    // writing them as iCalendar text and reading that (all but the text's line numbers).
    let kept: Vec<google_calendar3::api::Event> = cal
        .ids()
        .iter()
        .filter_map(|id| cal.event(id).cloned())
        .collect();
    let mut via_text =
        timeward::calendar::ics::parse(&timeward::source::google::to_ics(&kept, EXEC))
            .expect("parses");
    for e in &mut via_text.events {
        e.line = 0;
    }
    assert_eq!(mapped.events.len(), 8);
    assert_eq!(mapped.events, via_text.events);
    assert_eq!(mapped.warnings, via_text.warnings);
    assert_eq!(a.decisions.len(), 5, "{}", a.to_json());
    assert_eq!(a.to_json(), b.to_json());
    // The private appointment is named as such in the clash's reasons.
    let clash = a
        .decisions
        .iter()
        .find(|d| d.id == "clash@acme.example")
        .expect("clash");
    assert!(clash
        .reasons
        .iter()
        .any(|r| r.detail.as_str().contains("a private event")));
    assert!(!a.to_json().contains("Oncologist"));
}

#[test]
fn a_service_account_signs_in_against_the_token_endpoint() {
    let fake = Fake::start();
    fake.put(event(
        "a",
        "Launch",
        "2026-12-08T10:00",
        "ana@acme.example",
        "needsAction",
    ));
    let dir = support::daemon::TempDir::new("sa");
    let key = fake.service_account_key(dir.path());
    let g = timeward::config::Google {
        reserve: false,
        publish_calendar: None,
        calendar_id: "primary".into(),
        auth: timeward::config::GoogleAuth::ServiceAccount {
            key,
            subject: Some(EXEC.into()),
        },
        api_base_url: Some(fake.base.clone()),
    };
    let rt = runtime();
    let unused = dir.path().join("unused-token.json");
    let mut cal = rt
        .block_on(timeward::source::google::connect(
            &g,
            &unused,
            Duration::from_secs(10),
            now() - chrono::TimeDelta::days(7),
        ))
        .expect("authenticator");
    rt.block_on(cal.poll()).expect("sync with a granted token");
    assert_eq!(cal.len(), 1);
    assert_eq!(
        fake.count("token_granted"),
        1,
        "one grant, then the token is reused"
    );
    rt.block_on(cal.poll()).expect("incremental");
    assert_eq!(fake.count("token_granted"), 1);
    let subjects = fake.state.lock().expect("state").subjects.clone();
    assert_eq!(
        subjects,
        [EXEC],
        "acting as the executive (domain-wide delegation)"
    );

    // A refused grant (a revoked key): a clear error, nothing lost.
    let fake2 = Fake::start();
    let key2 = fake2.service_account_key(dir.path());
    fake2.refuse_grants(true);
    let g2 = timeward::config::Google {
        auth: timeward::config::GoogleAuth::ServiceAccount {
            key: key2,
            subject: None,
        },
        api_base_url: Some(fake2.base.clone()),
        ..g
    };
    let mut cal2 = rt
        .block_on(timeward::source::google::connect(
            &g2,
            &unused,
            Duration::from_secs(10),
            now(),
        ))
        .expect("authenticator");
    let err = rt.block_on(cal2.poll()).expect_err("no token");
    assert!(
        err.to_string().contains("invalid_grant")
            || err.to_string().to_lowercase().contains("token"),
        "{err}"
    );
    assert_eq!(fake2.count("list"), 0, "no API call without a token");
}

/// A Google event at an instant (the daemon runs on the real clock).
fn event_at(id: &str, summary: &str, start: DateTime<Utc>, from: &str, me: &str) -> Value {
    support::fake_google::invitation(
        id,
        summary,
        start.fixed_offset(),
        from,
        ("dana.reyes@acme.example", me),
    )
}

fn google_daemon_config(dir: &std::path::Path, fake: &Fake) {
    let key = fake.service_account_key(dir);
    std::fs::write(dir.join("rules.toml"), support::daemon::rules(40)).expect("rules");
    std::fs::write(
        dir.join("timeward.toml"),
        format!(
            "rules = {:?}\nstate_dir = {:?}\nlisten = \"127.0.0.1:0\"\npoll_interval = \"1s\"\n\n[source]\nkind = \"google\"\nauth = \"service_account\"\nservice_account_key = {:?}\nsubject = \"dana@acme.example\"\napi_base_url = {:?}\n",
            dir.join("rules.toml"),
            dir.join("state"),
            key,
            fake.base
        ),
    )
    .expect("config");
}

#[test]
fn the_daemon_serves_a_google_calendar() {
    let fake = Fake::start();
    let t = Utc::now();
    fake.put(event_at(
        "launch",
        "Launch planning",
        support::daemon::slot(t, 0, 15),
        "ana@acme.example",
        "needsAction",
    ));
    fake.put(event_at(
        "staff",
        "Staff meeting",
        support::daemon::slot(t, 1, 15),
        EXEC,
        "accepted",
    ));
    let dir = support::daemon::TempDir::new("gdaemon");
    google_daemon_config(dir.path(), &fake);
    let d = support::daemon::Daemon::start(dir.path());
    let feed = d.wait_ready().text();
    assert!(feed.contains("X-TIMEWARD-EVENT-ID:launch"), "{feed}");
    assert!(
        feed.contains("X-TIMEWARD-SCORE:90"),
        "the goal matched: {feed}"
    );
    assert_eq!(d.health()["source"]["kind"], "google");

    // A new invitation arrives with the next poll.
    fake.put(event_at(
        "budget",
        "Budget review",
        support::daemon::slot(t, 2, 16),
        "cfo@acme.example",
        "needsAction",
    ));
    d.wait_for("the new invitation in the feed", |d| {
        d.feed().text().contains("X-TIMEWARD-EVENT-ID:budget")
    });
    // Idle polls: one list request each, never a full sync again.
    let full = fake.count("list_full");
    let sync = fake.count("list_sync");
    // One a second: the loop is not kept busy by anything else (it once was, by the
    // access events of reading the rules file, and then no poll came at all).
    let took = d.wait_within("two more polls", Duration::from_secs(30), |_| {
        fake.count("list_sync") >= sync + 2
    });
    println!("two idle polls in {took:?}");
    assert_eq!(fake.count("list_full"), full);
    assert_eq!(fake.count("token_granted"), 1);
    assert_eq!(fake.count("write"), 0, "suggest mode never writes");
    // The log runs at debug in these tests: still no token and no signed JWT in it.
    let log = d.log_text();
    assert!(log.contains("DEBUG"), "the log is at debug level");
    assert!(!log.contains(TOKEN), "the access token leaked into the log");
    assert!(!log.contains("eyJ"), "a JWT leaked into the log");
}

#[test]
fn a_refused_sign_in_degrades_the_daemon_and_it_recovers() {
    let fake = Fake::start();
    fake.put(event_at(
        "launch",
        "Launch planning",
        support::daemon::slot(Utc::now(), 0, 15),
        "ana@acme.example",
        "needsAction",
    ));
    let dir = support::daemon::TempDir::new("gdenied");
    google_daemon_config(dir.path(), &fake);
    fake.refuse_grants(true);
    let d = support::daemon::Daemon::start(dir.path());
    d.wait_for("the sign-in error on /healthz", |d| {
        d.health()["source"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("invalid_grant"))
    });
    assert_ne!(d.health()["status"], "ok");
    assert!(d.child.is_some());
    fake.refuse_grants(false);
    d.wait_for("recovery after the grant works again", |d| {
        d.health()["status"] == "ok" && d.feed().text().contains("X-TIMEWARD-EVENT-ID:launch")
    });
}

#[test]
fn two_hundred_polls_through_faults_never_leave_a_partial_calendar() {
    use support::fake_google::Faults;
    let fake = Fake::start();
    for i in 0..40 {
        fake.put(event(
            &format!("e{i:03}"),
            "Standing item",
            &format!("2026-12-{:02}T10:00", 8 + i % 20),
            EXEC,
            "accepted",
        ));
    }
    let rt = runtime();
    let mut cal = calendar(&fake);
    rt.block_on(cal.poll())
        .expect("first sync, before the faults");
    fake.faults(Faults {
        server_errors: 30,
        rate_limited: 10,
        truncated: 5,
        max_delay_ms: 20,
    });
    let (mut ok, mut failed) = (0, 0);
    for round in 0..200 {
        // The calendar changes now and then: a new event, a cancellation.
        if round % 7 == 0 {
            fake.put(event(
                &format!("n{round:03}"),
                "New",
                "2026-12-15T11:00",
                "ana@acme.example",
                "needsAction",
            ));
        }
        if round % 11 == 0 {
            fake.cancel(&format!("e{:03}", round % 40));
        }
        let before = cal.ids();
        match rt.block_on(cal.poll()) {
            Ok(_) => {
                ok += 1;
                assert_eq!(
                    cal.ids(),
                    fake.live_ids(),
                    "round {round}: a good poll is whole"
                );
            }
            Err(e) => {
                failed += 1;
                assert_eq!(
                    cal.ids(),
                    before,
                    "round {round}: a failed poll ({e}) changes nothing"
                );
            }
        }
    }
    assert!(
        fake.count("fault") > 100,
        "faults were injected: {}",
        fake.count("fault")
    );
    assert!(
        ok > 150,
        "retries get most polls through: {ok} ok, {failed} failed"
    );
    println!(
        "200 polls through faults: {ok} succeeded, {failed} failed and changed nothing, {} faults",
        fake.count("fault")
    );
    // The faults stop: the next poll converges.
    fake.faults(Faults::default());
    fake.put(event(
        "last",
        "Last one",
        "2026-12-16T11:00",
        "ana@acme.example",
        "needsAction",
    ));
    rt.block_on(cal.poll()).expect("a clean poll");
    assert_eq!(cal.ids(), fake.live_ids());
}

#[test]
fn other_4xx_are_not_retried() {
    let fake = Fake::start();
    let rt = runtime();
    // A wrong token: 401 once, no retries.
    let mut cal = GoogleCalendar::new(
        hub(Some(&fake.base), "wrong-token".to_string()),
        "primary",
        Duration::from_secs(10),
        now(),
    );
    let err = rt.block_on(cal.poll()).expect_err("refused");
    assert!(err.to_string().contains("401"), "{err}");
    assert_eq!(fake.count("request"), 1, "asked once, not retried");
}

#[test]
fn the_daemon_rides_out_faults_and_converges_when_they_stop() {
    use support::fake_google::Faults;
    let fake = Fake::start();
    let t = Utc::now();
    for i in 0..5 {
        fake.put(event_at(
            &format!("r{i}"),
            "Launch item",
            support::daemon::slot(t, i, 15),
            "ana@acme.example",
            "needsAction",
        ));
    }
    let dir = support::daemon::TempDir::new("gfaults");
    google_daemon_config(dir.path(), &fake);
    let d = support::daemon::Daemon::start(dir.path());
    let first = d.wait_ready().text();
    assert_eq!(first.matches("X-TIMEWARD-VERDICT:").count(), 5);
    fake.faults(Faults {
        server_errors: 30,
        rate_limited: 10,
        truncated: 5,
        max_delay_ms: 200,
    });
    // 200 polls under faults with SOAK=full (about four minutes at one a
    // second), 30 in a plain `cargo test`.
    let polls_wanted = support::soak(200, 30);
    let started = Instant::now();
    let first_poll = fake.count("list_sync");
    let mut fetches = 0;
    while fake.count("list_sync") < first_poll + polls_wanted {
        assert!(
            started.elapsed() < Duration::from_secs(900),
            "{polls_wanted} polls took too long"
        );
        let feed = d.feed();
        assert_eq!(feed.status, 200, "the feed is always served");
        let text = feed.text();
        assert!(text.ends_with("END:VCALENDAR\r\n"), "never partial");
        assert_eq!(
            text.matches("X-TIMEWARD-VERDICT:").count(),
            5,
            "never empty or short"
        );
        assert!(d.child.is_some());
        fetches += 1;
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(
        fake.count("fault") > 3,
        "faults were injected: {}",
        fake.count("fault")
    );
    // The faults stop and a new invitation arrives: in the feed within two polls.
    fake.faults(Faults::default());
    let polls = fake.count("list_sync");
    fake.put(event_at(
        "late",
        "Launch late",
        support::daemon::slot(t, 6, 15),
        "ana@acme.example",
        "needsAction",
    ));
    d.wait_within("the new invitation", Duration::from_secs(30), |d| {
        d.feed().text().contains("X-TIMEWARD-EVENT-ID:late")
    });
    let took = fake.count("list_sync") - polls;
    assert!(took <= 2, "converged in {took} polls");
    assert_eq!(fake.count("write"), 0, "suggest mode never writes");
    println!(
        "{polls_wanted} polls under faults ({} faults injected) in {:?}: {fetches} fetches, all whole; converged in {took} poll(s)",
        fake.count("fault"),
        started.elapsed()
    );
}

/// An installed-app client file whose token endpoint is the fake.
fn client_secret(dir: &std::path::Path, fake: &Fake) -> std::path::PathBuf {
    let path = dir.join("client_secret.json");
    std::fs::write(
        &path,
        json!({ "installed": {
            "client_id": "test-client.apps.googleusercontent.com",
            "client_secret": "test-secret",
            "auth_uri": "http://127.0.0.1:9/unused",
            "token_uri": fake.token_uri(),
            "redirect_uris": ["http://127.0.0.1"]
        }})
        .to_string(),
    )
    .expect("client secret");
    path
}

/// A token file as `timeward auth google` leaves it, with its access token expired.
fn expired_sign_in(path: &std::path::Path, refresh: &str) {
    use google_calendar3::yup_oauth2::storage::{TokenInfo, TokenStorage};
    let store = timeward::source::google::token::TokenFile::open(path).expect("private");
    let token = TokenInfo {
        access_token: Some("expired-access-token".into()),
        refresh_token: Some(refresh.into()),
        expires_at: Some(time::OffsetDateTime::UNIX_EPOCH),
        id_token: None,
    };
    runtime()
        .block_on(store.set(&["https://www.googleapis.com/auth/calendar.events"], token))
        .expect("store");
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("file").permissions().mode() & 0o777
}

#[test]
fn the_installed_sign_in_refreshes_its_token_and_keeps_it_private() {
    let fake = Fake::start();
    fake.put(event(
        "a",
        "Launch",
        "2026-12-08T10:00",
        "ana@acme.example",
        "needsAction",
    ));
    let dir = support::daemon::TempDir::new("installed");
    let token = dir.path().join(timeward::source::google::token::FILE);
    expired_sign_in(&token, support::fake_google::REFRESH_TOKEN);
    assert_eq!(mode(&token), 0o600, "written owner-only");
    let g = timeward::config::Google {
        reserve: false,
        publish_calendar: None,
        calendar_id: "primary".into(),
        auth: timeward::config::GoogleAuth::Installed {
            client_secret: client_secret(dir.path(), &fake),
        },
        api_base_url: Some(fake.base.clone()),
    };
    let rt = runtime();
    let mut cal = rt
        .block_on(timeward::source::google::connect(
            &g,
            &token,
            Duration::from_secs(10),
            now(),
        ))
        .expect("connect");
    rt.block_on(cal.poll())
        .expect("a refreshed token reads the calendar");
    assert_eq!(fake.count("token_refreshed"), 1);
    assert_eq!(cal.len(), 1);
    // The new access token replaced the old one in the file, atomically and still 0600.
    let stored = std::fs::read_to_string(&token).expect("token file");
    assert!(
        stored.contains(TOKEN) && !stored.contains("expired-access-token"),
        "{stored}"
    );
    assert_eq!(mode(&token), 0o600);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left");

    // A token file others can read is refused, with the fix.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let err = rt
        .block_on(timeward::source::google::connect(
            &g,
            &token,
            Duration::from_secs(10),
            now(),
        ))
        .err()
        .expect("refused");
    assert!(err.to_string().contains("chmod 600"), "{err}");

    // No token at all: says how to sign in, opens no browser.
    std::fs::remove_file(&token).expect("rm");
    let err = rt
        .block_on(timeward::source::google::connect(
            &g,
            &token,
            Duration::from_secs(10),
            now(),
        ))
        .err()
        .expect("not signed in");
    assert!(err.to_string().contains("timeward auth google"), "{err}");
}

#[test]
fn a_revoked_sign_in_says_to_sign_in_again_without_a_browser() {
    let fake = Fake::start();
    let dir = support::daemon::TempDir::new("revoked");
    let token = dir.path().join(timeward::source::google::token::FILE);
    expired_sign_in(&token, "revoked-refresh-token");
    let g = timeward::config::Google {
        reserve: false,
        publish_calendar: None,
        calendar_id: "primary".into(),
        auth: timeward::config::GoogleAuth::Installed {
            client_secret: client_secret(dir.path(), &fake),
        },
        api_base_url: Some(fake.base.clone()),
    };
    let rt = runtime();
    let mut cal = rt
        .block_on(timeward::source::google::connect(
            &g,
            &token,
            Duration::from_secs(10),
            now(),
        ))
        .expect("connect");
    // No waiting for a browser: the poll ends on its own (the deadline only catches a
    // hang, it measures nothing).
    let err = rt
        .block_on(async { tokio::time::timeout(Duration::from_secs(60), cal.poll()).await })
        .expect("no waiting for a browser")
        .expect_err("refused");
    assert!(err.to_string().contains("timeward auth google"), "{err}");
    assert_eq!(fake.count("list"), 0);
}

fn reservation(series: &str, start: &str) -> timeward::decide::Reservation {
    let s = DateTime::parse_from_rfc3339(start)
        .expect("time")
        .with_timezone(&Utc);
    timeward::decide::Reservation {
        series: series.into(),
        with: "sam@acme.example".into(),
        start: s,
        end: s + chrono::TimeDelta::minutes(30),
    }
}

fn rules_with_one_on_one() -> Rules {
    Rules::parse(
        r#"[executive]
email = "dana@acme.example"
timezone = "America/New_York"

[[one_on_ones]]
with = "sam@acme.example"
title = "Dana / Sam"
every = "1w"
duration = "30m"
prefer = { days = ["mon"], time = "09:00-10:00" }
"#,
        "rules.toml",
    )
    .expect("rules")
}

#[test]
fn reserve_mode_writes_holds_once_moves_them_in_place_and_survives_a_crash() {
    use timeward::source::google::reserve::{holds, Holds};
    let fake = Fake::start();
    let rules = rules_with_one_on_one();
    let rt = runtime();
    let hub = hub(Some(&fake.base), TOKEN.to_string());
    let t = Duration::from_secs(10);
    let plan = [
        reservation("Dana / Sam", "2026-12-07T14:00:00Z"),
        reservation("Dana / Sam", "2026-12-14T14:00:00Z"),
        reservation("Dana / Sam", "2026-12-21T14:00:00Z"),
    ];
    let mut written = rt
        .block_on(Holds::reconcile(&hub, "primary", t))
        .expect("reconcile");
    let w = rt
        .block_on(written.apply(&hub, &holds(&plan, &rules), now()))
        .expect("write");
    assert_eq!((w.inserted, w.patched, w.deleted), (3, 0, 0));
    assert_eq!(fake.holds().len(), 3);
    assert!(fake
        .state
        .lock()
        .expect("state")
        .send_updates
        .iter()
        .all(|s| s == "all"));
    let ids: Vec<String> = fake
        .holds()
        .iter()
        .map(|e| e["id"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        ids.iter().all(|id| id.len() >= 5
            && id
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='v').contains(&c))),
        "{ids:?}"
    );

    // Nothing changed: nothing written.
    let writes = fake.count("write");
    let w = rt
        .block_on(written.apply(&hub, &holds(&plan, &rules), now()))
        .expect("again");
    assert_eq!((w.inserted, w.patched, w.deleted), (0, 0, 0));
    assert_eq!(fake.count("write"), writes);

    // The second week's slot moves to Tuesday: patched, not duplicated; the third is dropped.
    let moved = [
        reservation("Dana / Sam", "2026-12-07T14:00:00Z"),
        reservation("Dana / Sam", "2026-12-15T15:00:00Z"),
    ];
    let w = rt
        .block_on(written.apply(&hub, &holds(&moved, &rules), now()))
        .expect("move");
    assert_eq!((w.inserted, w.patched, w.deleted), (0, 1, 1));
    let live = fake.holds();
    assert_eq!(live.len(), 2);
    assert!(live.iter().any(|e| e["start"]["dateTime"]
        .as_str()
        .is_some_and(|s| s.starts_with("2026-12-15T15:00"))));

    // A crash after the insert, before the store knew: a restart that reconciles sees
    // the hold and writes nothing.
    let more = [
        reservation("Dana / Sam", "2026-12-07T14:00:00Z"),
        reservation("Dana / Sam", "2026-12-15T15:00:00Z"),
        reservation("Dana / Sam", "2026-12-28T14:00:00Z"),
    ];
    rt.block_on(written.apply(&hub, &holds(&more, &rules), now()))
        .expect("insert");
    let writes = fake.count("write");
    let mut restarted = rt
        .block_on(Holds::reconcile(&hub, "primary", t))
        .expect("reconcile");
    assert_eq!(restarted.written().count(), 3);
    let w = rt
        .block_on(restarted.apply(&hub, &holds(&more, &rules), now()))
        .expect("after restart");
    assert_eq!((w.inserted, w.patched, w.deleted), (0, 0, 0));
    assert_eq!(fake.count("write"), writes);
    // Even knowing nothing, an insert that meets its own hold (409) patches it.
    let mut blank = Holds::unknown("primary", t);
    let w = rt
        .block_on(blank.apply(&hub, &holds(&more, &rules), now()))
        .expect("blind");
    assert_eq!(
        (w.inserted, w.patched),
        (0, 3),
        "three 409s turned into patches"
    );
    assert_eq!(fake.count("insert") - 4, 3, "the three inserts were tried");
    assert_eq!(fake.holds().len(), 3, "exactly one event per reservation");

    // The holds are timeward's output: a sync of the calendar does not see them as busy.
    let mut cal = calendar(&fake);
    rt.block_on(cal.poll()).expect("sync");
    assert!(
        cal.snapshot(EXEC).events.is_empty(),
        "holds are not read back as events"
    );
}

#[test]
fn the_daemon_in_reserve_mode_writes_each_hold_once_across_kill_9() {
    let fake = Fake::start();
    fake.put(event_at(
        "launch",
        "Launch planning",
        support::daemon::slot(Utc::now(), 0, 15),
        "ana@acme.example",
        "needsAction",
    ));
    let dir = support::daemon::TempDir::new("greserve");
    google_daemon_config(dir.path(), &fake);
    let config = dir.path().join("timeward.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, format!("{text}mode = \"reserve\"\n")).expect("config");
    std::fs::write(
        dir.path().join("rules.toml"),
        format!(
            "{}\n[[one_on_ones]]\nwith = \"sam@acme.example\"\ntitle = \"Dana / Sam\"\nevery = \"1w\"\nduration = \"30m\"\nprefer = {{ days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"], time = \"09:00-17:00\" }}\n",
            support::daemon::rules(40)
        ),
    )
    .expect("rules");
    let d = support::daemon::Daemon::start(dir.path());
    d.wait_ready();
    d.wait_for("holds in Google", |_| !fake.holds().is_empty());
    let placed = d.api("/api/decisions");
    let plan: Value = serde_json::from_slice(&placed.body).expect("plan");
    let n = plan["reservations"].as_array().map_or(0, Vec::len);
    assert!(n >= 4, "a 1:1 a week over the 4-week horizon: {n}");
    d.wait_for("every hold written", |_| fake.holds().len() == n);
    // Idle cycles write nothing.
    let writes = fake.count("write");
    let polls = fake.count("list_sync");
    d.wait_within("two more polls", Duration::from_secs(30), |_| {
        fake.count("list_sync") >= polls + 2
    });
    assert_eq!(fake.count("write"), writes, "no write when nothing changed");
    // kill -9 and start again, twice: still one event per reservation, nothing rewritten.
    d.kill9();
    for _ in 0..2 {
        let d = support::daemon::Daemon::start(dir.path());
        d.wait_ready();
        let polls = fake.count("list_sync");
        d.wait_within(
            "two polls after the restart",
            Duration::from_secs(30),
            |_| fake.count("list_sync") >= polls + 2,
        );
        assert_eq!(fake.holds().len(), n, "exactly one event per reservation");
        assert_eq!(fake.count("insert"), n, "no insert after a restart");
        d.kill9();
    }
    let ids: std::collections::BTreeSet<String> = fake
        .holds()
        .iter()
        .map(|e| e["id"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(ids.len(), n);
}

#[test]
fn google_fields_map_onto_the_calendar_model() {
    use timeward::calendar::{Kind, PartStat, Role};
    let focus = json!({
        "id": "focus", "status": "confirmed", "summary": "Deep work", "eventType": "focusTime",
        "start": { "dateTime": "2026-12-08T14:00:00Z", "timeZone": "America/New_York" },
        "end": { "dateTime": "2026-12-08T16:00:00Z", "timeZone": "America/New_York" },
        "organizer": { "email": "dana.reyes@acme.example", "self": true }
    });
    let ooo = json!({
        "id": "ooo", "status": "confirmed", "summary": "Out of office", "eventType": "outOfOffice",
        "start": { "dateTime": "2026-12-09T14:00:00Z", "timeZone": "America/New_York" },
        "end": { "dateTime": "2026-12-09T22:00:00Z", "timeZone": "America/New_York" },
        "organizer": { "email": "dana.reyes@acme.example", "self": true }
    });
    let office = json!({
        "id": "office", "status": "confirmed", "summary": "Office", "eventType": "workingLocation",
        "start": { "date": "2026-12-10" }, "end": { "date": "2026-12-11" },
        "organizer": { "email": "dana.reyes@acme.example", "self": true }
    });
    let mut optional = event(
        "opt",
        "FYI review",
        "2026-12-11T10:00",
        "ana@acme.example",
        "tentative",
    );
    optional["attendees"][0]["optional"] = json!(true);
    let mut confidential = event(
        "conf",
        "Board",
        "2026-12-11T12:00",
        "chair@board.example",
        "accepted",
    );
    confidential["visibility"] = json!("confidential");
    let events: Vec<google_calendar3::api::Event> = [focus, ooo, office, optional, confidential]
        .into_iter()
        .map(|v| serde_json::from_value(v).expect("a Google event"))
        .collect();
    let snap = timeward::source::google::snapshot(&events, EXEC);
    let mut via_text =
        timeward::calendar::ics::parse(&timeward::source::google::to_ics(&events, EXEC))
            .expect("parses");
    for e in &mut via_text.events {
        e.line = 0;
    }
    assert_eq!(snap.events, via_text.events);
    let by = |uid: &str| snap.events.iter().find(|e| e.uid == uid).expect(uid);
    assert_eq!(by("focus").kind(EXEC), Kind::Busy, "focus time is busy");
    assert_eq!(by("ooo").kind(EXEC), Kind::Busy, "out of office is busy");
    assert_eq!(
        by("office").kind(EXEC),
        Kind::Other,
        "a working location is not"
    );
    assert!(by("office").is_all_day());
    let opt = by("opt").attendee(EXEC).expect("the executive, by `self`");
    assert_eq!(
        (opt.partstat, opt.role),
        (PartStat::Tentative, Role::Optional)
    );
    assert!(by("conf").private, "confidential stays private");
    assert_eq!(by("conf").public_title(), "a private event");
}

#[test]
fn publish_calendar_mirrors_the_feed_into_a_secondary_calendar() {
    let fake = Fake::start();
    let t = Utc::now();
    fake.put(event_at(
        "launch",
        "Launch planning",
        support::daemon::slot(t, 0, 15),
        "ana@acme.example",
        "needsAction",
    ));
    fake.put(event_at(
        "pitch",
        "Vendor pitch",
        support::daemon::slot(t, 1, 15),
        "rep@vendor.example",
        "needsAction",
    ));
    let dir = support::daemon::TempDir::new("gpublish");
    google_daemon_config(dir.path(), &fake);
    let config = dir.path().join("timeward.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    // Suggest mode refuses it: it never writes.
    std::fs::write(
        &config,
        format!("{text}publish_calendar = \"timeward-suggestions\"\n"),
    )
    .expect("config");
    let refused = std::process::Command::new(support::daemon::binary())
        .args(["run", "--config"])
        .arg(&config)
        .output()
        .expect("run");
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("mode = \"publish\""));
    std::fs::write(
        &config,
        format!("{text}mode = \"publish\"\npublish_calendar = \"timeward-suggestions\"\n"),
    )
    .expect("config");
    let d = support::daemon::Daemon::start(dir.path());
    let feed = d.wait_ready().text();
    let n = feed.matches("BEGIN:VEVENT").count();
    d.wait_for("the feed mirrored", |_| {
        fake.events_in("timeward-suggestions").len() == n
    });
    let mirrored = fake.events_in("timeward-suggestions");
    assert!(
        mirrored.iter().any(|e| e["summary"]
            .as_str()
            .is_some_and(|s| s.ends_with("· Launch planning"))),
        "{mirrored:?}"
    );
    assert!(mirrored.iter().all(|e| e["transparency"] == "transparent"));
    // Idle cycles write nothing; the executive's own calendar is never written.
    let writes = fake.count("write");
    let polls = fake.count("list_sync");
    d.wait_within("two more polls", Duration::from_secs(30), |_| {
        fake.count("list_sync") >= polls + 2
    });
    assert_eq!(fake.count("write"), writes);
    assert_eq!(
        fake.events_in("primary").len(),
        2,
        "only the secondary calendar is written"
    );
    assert!(fake
        .state
        .lock()
        .expect("state")
        .send_updates
        .iter()
        .all(|s| s == "none"));
    // A new invitation: one more mirrored event; a cancelled one: its mirror goes.
    fake.put(event_at(
        "budget",
        "Budget review",
        support::daemon::slot(t, 2, 16),
        "cfo@acme.example",
        "needsAction",
    ));
    fake.cancel("pitch");
    d.wait_for("the mirror follows", |d| {
        let feed = d.feed().text();
        let mirror = fake.events_in("timeward-suggestions");
        let has = |what: &str| {
            mirror
                .iter()
                .any(|e| e["summary"].as_str().is_some_and(|s| s.contains(what)))
        };
        feed.contains("X-TIMEWARD-EVENT-ID:budget")
            && !feed.contains("X-TIMEWARD-EVENT-ID:pitch")
            && has("Budget review")
            && !has("Vendor pitch")
            && mirror.len() == feed.matches("BEGIN:VEVENT").count()
    });
    assert!(!fake
        .events_in("timeward-suggestions")
        .iter()
        .any(|e| e["summary"]
            .as_str()
            .is_some_and(|s| s.contains("Vendor pitch"))));
    // A restart publishes nothing new.
    let inserts = fake.count("insert");
    d.kill9();
    let d = support::daemon::Daemon::start(dir.path());
    d.wait_ready();
    let polls = fake.count("list_sync");
    d.wait_within(
        "two polls after the restart",
        Duration::from_secs(30),
        |_| fake.count("list_sync") >= polls + 2,
    );
    assert_eq!(
        fake.count("insert"),
        inserts,
        "nothing republished after a restart"
    );
}
