//! A busy calendar beside the primary source, through the real daemon over loopback: the
//! executive's personal calendar served at an http URL. An edit to it reaches the feed
//! within a poll; when it fails the feed stays served, `/healthz` says degraded and why,
//! and its last good events still count; it recovers when the calendar comes back. No
//! title or description from it appears in the feed, the API, the desk, the state files
//! or the log (at debug level).

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;
use support::daemon::{request, slot, Daemon, TempDir};
use support::desk::sign_in;

/// Serves one file at any path, or 500 while `failing`.
struct Calendar {
    url: String,
    failing: Arc<AtomicBool>,
}

impl Calendar {
    fn serve(file: PathBuf) -> Calendar {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!(
            "http://{}/dana/private-3f9c/basic.ics",
            listener.local_addr().expect("addr")
        );
        let failing = Arc::new(AtomicBool::new(false));
        let fail = Arc::clone(&failing);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { continue };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && s.read(&mut byte).is_ok_and(|n| n == 1) {
                    head.push(byte[0]);
                }
                let (status, body) = if fail.load(Ordering::SeqCst) {
                    ("500 Internal Server Error", Vec::new())
                } else {
                    ("200 OK", std::fs::read(&file).unwrap_or_default())
                };
                let _ = s.write_all(
                    format!(
                        "HTTP/1.1 {status}\r\nContent-Type: text/calendar\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .as_bytes(),
                );
                let _ = s.write_all(&body);
            }
        });
        Calendar { url, failing }
    }
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn vcalendar(events: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n{events}END:VCALENDAR\r\n")
}

fn event(uid: &str, start: DateTime<Utc>, minutes: i64, extra: &str) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:{}\r\nDTEND:{}\r\n{extra}END:VEVENT\r\n",
        stamp(start),
        stamp(start + TimeDelta::minutes(minutes))
    )
}

fn setup(dir: &Path, url: &str) -> DateTime<Utc> {
    let at = slot(Utc::now(), 0, 15);
    // With the 1:1 with the assistant, whose agenda says when a calendar fails.
    let rules = format!(
        "{}\n[[one_on_ones]]\nwith = \"sam@acme.example\"\ntitle = \"Dana / Sam\"\nevery = \"1w\"\n\
         duration = \"30m\"\nprefer = {{ days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"], time = \"08:00-18:00\" }}\n",
        support::daemon::rules(40)
    );
    std::fs::write(dir.join("rules.toml"), rules).expect("rules");
    std::fs::write(
        dir.join("work.ics"),
        vcalendar(&event(
            "budget@acme.example",
            at,
            60,
            "SUMMARY:Budget review\r\nORGANIZER:mailto:cfo@acme.example\r\n\
             ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:dana@acme.example\r\n",
        )),
    )
    .expect("work calendar");
    std::fs::write(dir.join("personal.ics"), vcalendar("")).expect("personal calendar");
    std::fs::write(
        dir.join("timeward.toml"),
        format!(
            "rules = {:?}\nstate_dir = {:?}\nlisten = \"127.0.0.1:0\"\npoll_interval = \"1s\"\n\
             busy_calendars = [{url:?}]\n\n[source]\nkind = \"ics\"\npath = {:?}\n",
            dir.join("rules.toml"),
            dir.join("state"),
            dir.join("work.ics"),
        ),
    )
    .expect("config");
    at
}

fn budget(d: &Daemon) -> Value {
    let v: Value =
        serde_json::from_slice(&d.api("/api/decisions/budget@acme.example").body).expect("JSON");
    v["decision"].clone()
}

fn conflicts(d: &Daemon) -> bool {
    budget(d)["reasons"]
        .as_array()
        .is_some_and(|r| r.iter().any(|r| r["source"] == "conflict"))
}

#[test]
fn personal_time_counts_and_its_text_stays_home() {
    let dir = TempDir::new("busy");
    let personal = Calendar::serve(dir.path().join("personal.ics"));
    let at = setup(dir.path(), &personal.url);
    let d = Daemon::start(dir.path());
    d.wait_ready();
    assert!(!conflicts(&d), "nothing personal yet: {}", budget(&d));
    let health = d.health();
    assert_eq!(health["busy"][0]["ok"], true, "{health:#}");
    assert!(
        !health.to_string().contains("private-3f9c"),
        "the URL's secret path stays out of /healthz"
    );

    // An edit to the personal calendar reaches the feed within a poll.
    std::fs::write(
        dir.path().join("personal.ics"),
        vcalendar(&event(
            "recital@me.example",
            at + TimeDelta::minutes(30),
            90,
            "SUMMARY:PERSONALTITLE recital\r\nDESCRIPTION:PERSONALDESC row 3\r\n",
        )),
    )
    .expect("edit");
    let started = Instant::now();
    d.wait_for("the personal event to count", conflicts);
    let took = started.elapsed();
    eprintln!("personal edit to the feed: {took:?} (poll interval 1 s)");
    let reasons = budget(&d)["reasons"].to_string();
    assert!(
        reasons.contains("overlaps \\\"a private event\\\""),
        "{reasons}"
    );
    d.wait_for("the feed to say so", |d| {
        // Unfolded: a long DESCRIPTION line is folded at 75 octets.
        d.feed()
            .text()
            .replace("\r\n ", "")
            .contains("overlaps \"a private event\"")
    });

    // The personal calendar fails: the feed is still served, its events still count,
    // /healthz is degraded and says why.
    personal.failing.store(true, Ordering::SeqCst);
    d.wait_for("/healthz to say the busy calendar fails", |d| {
        d.health()["busy"][0]["ok"] == false
    });
    let health = d.health();
    assert_eq!(health["status"], "degraded", "{health:#}");
    assert_eq!(health["busy"][0]["stale"], true);
    assert!(
        health["busy"][0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("500")),
        "{health:#}"
    );
    assert_eq!(d.feed().status, 200);
    assert!(conflicts(&d), "its last good events still count");
    d.wait_for("the 1:1 agenda to say so", |_| {
        std::fs::read_to_string(dir.path().join("state/briefs.json"))
            .is_ok_and(|b| b.contains("Fix: the busy calendar http://127.0.0.1:"))
    });
    let cookie = sign_in(&d);
    let page = request(&d.addr, "GET", "/desk/health", &[("Cookie", &cookie)]).text();
    assert!(page.contains("its last good events still count"), "{page}");

    // It comes back.
    personal.failing.store(false, Ordering::SeqCst);
    d.wait_for("/healthz to recover", |d| d.health()["status"] == "ok");

    // Nothing of its text anywhere.
    let mut seen = vec![
        d.feed().text(),
        String::from_utf8_lossy(&d.api("/api/decisions").body).to_string(),
        String::from_utf8_lossy(&d.api("/api/decisions/budget@acme.example").body).to_string(),
        d.health().to_string(),
    ];
    for page in [
        "/desk",
        "/desk/decision/budget%40acme.example",
        "/desk/health",
        "/desk/agenda",
    ] {
        let r = request(&d.addr, "GET", page, &[("Cookie", &cookie)]);
        assert_eq!(r.status, 200, "{page}");
        seen.push(r.text());
    }
    for f in ["decisions.json", "briefs.json", "feed.ics"] {
        seen.push(std::fs::read_to_string(dir.path().join("state").join(f)).unwrap_or_default());
    }
    seen.push(d.log_text());
    for text in &seen {
        assert!(
            !text.contains("PERSONALTITLE")
                && !text.contains("PERSONALDESC")
                && !text.contains("private-3f9c"),
            "a busy calendar's text (or its address's secret path) leaks: {}",
            &text[..text.len().min(2000)]
        );
    }
    assert!(
        seen[0].contains("Budget review"),
        "the work calendar's own titles stay"
    );
    let (status, _) = d.stop(Duration::from_secs(10));
    assert!(status.success());
}

fn google_event(
    id: &str,
    calendar: &str,
    ical_uid: &str,
    start: DateTime<Utc>,
    extra: Value,
) -> Value {
    let mut e = serde_json::json!({
        "id": id,
        "iCalUID": ical_uid,
        "status": "confirmed",
        "_calendar": calendar,
        "start": { "dateTime": start.to_rfc3339() },
        "end": { "dateTime": (start + TimeDelta::hours(1)).to_rfc3339() },
    });
    if let (Some(m), Some(x)) = (e.as_object_mut(), extra.as_object()) {
        m.extend(x.clone());
    }
    e
}

/// A second Google calendar of the same account as a busy calendar (`google:ID`): its
/// events count, anonymous; its copy of an invitation the primary holds (same iCalUID)
/// counts once, so the invitation does not conflict with itself.
#[test]
fn another_google_calendar_counts_and_its_copies_count_once() {
    let fake = support::fake_google::Fake::start();
    let at = slot(Utc::now(), 0, 15);
    let invite = |from: &str| {
        serde_json::json!({
            "summary": "Budget review",
            "organizer": { "email": from },
            "attendees": [
                { "email": "dana@acme.example", "self": true, "responseStatus": "needsAction" },
                { "email": from, "responseStatus": "accepted" }
            ]
        })
    };
    fake.put(google_event(
        "budget",
        "primary",
        "budget@acme.example",
        at,
        invite("cfo@acme.example"),
    ));
    let mut sync = invite("ops@acme.example");
    sync["summary"] = serde_json::json!("Sync");
    let later = at + TimeDelta::hours(3);
    fake.put(google_event(
        "sync",
        "primary",
        "sync@acme.example",
        later,
        sync,
    ));
    let family = "family@group.calendar.google.com";
    // The family calendar's copy of the budget review, and the recital over the sync.
    fake.put(google_event(
        "copy",
        family,
        "budget@acme.example",
        at,
        serde_json::json!({ "summary": "PERSONALTITLE copy" }),
    ));
    fake.put(google_event(
        "recital",
        family,
        "recital@me.example",
        later,
        serde_json::json!({ "summary": "PERSONALTITLE recital" }),
    ));

    let dir = TempDir::new("busy-google");
    let key = fake.service_account_key(dir.path());
    std::fs::write(dir.path().join("rules.toml"), support::daemon::rules(40)).expect("rules");
    std::fs::write(
        dir.path().join("timeward.toml"),
        format!(
            "rules = {:?}\nstate_dir = {:?}\nlisten = \"127.0.0.1:0\"\npoll_interval = \"1s\"\n\
             busy_calendars = [\"google:{family}\"]\n\n[source]\nkind = \"google\"\n\
             auth = \"service_account\"\nservice_account_key = {key:?}\nsubject = \"dana@acme.example\"\n\
             api_base_url = {:?}\n",
            dir.path().join("rules.toml"),
            dir.path().join("state"),
            fake.base
        ),
    )
    .expect("config");
    let d = Daemon::start(dir.path());
    d.wait_ready();
    let reasons = |id: &str| {
        let v: Value =
            serde_json::from_slice(&d.api(&format!("/api/decisions/{id}")).body).expect("JSON");
        v["decision"]["reasons"].to_string()
    };
    d.wait_for("the family calendar to count", |_| {
        reasons("sync").contains("a private event")
    });
    assert!(
        !reasons("budget").contains("conflict"),
        "its own copy is the same meeting: {}",
        reasons("budget")
    );
    assert_eq!(d.health()["busy"][0]["ok"], true);
    assert!(!d.feed().text().contains("PERSONALTITLE"));
    assert!(!d.log_text().contains("PERSONALTITLE"));
    let (status, _) = d.stop(Duration::from_secs(10));
    assert!(status.success());
}
