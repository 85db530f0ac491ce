//! Acting on a suggestion from the desk, against the fake Google Calendar through the real
//! client: approve sends the executive's answer (one patch of their attendee entry, the
//! organiser told), "answer differently" delegates with a note, each answer is on record,
//! a double or retried POST sends nothing more, a crash after the send and before the
//! record sends nothing twice, and with `[actions] respond` off nothing is ever written.

mod support;

use std::time::Duration;

use chrono::Utc;
use serde_json::Value;
use support::daemon::{request, Daemon, TempDir};
use support::desk::{form_of, post, sign_in};
use support::fake_google::Fake;

const EXEC: &str = "dana@acme.example";

fn invitation(id: &str, summary: &str, hours_ahead: i64, from: &str) -> Value {
    let start = support::daemon::slot(Utc::now(), hours_ahead, 15);
    support::fake_google::invitation(id, summary, start.into(), from, (EXEC, "needsAction"))
}

fn config(dir: &std::path::Path, fake: &Fake, respond: bool) {
    let key = fake.service_account_key(dir);
    std::fs::write(dir.join("rules.toml"), support::daemon::rules(40)).expect("rules");
    std::fs::write(
        dir.join("timeward.toml"),
        format!(
            "rules = {:?}\nstate_dir = {:?}\nlisten = \"127.0.0.1:0\"\npoll_interval = \"1s\"\n\n[source]\nkind = \"google\"\nauth = \"service_account\"\nservice_account_key = {:?}\nsubject = \"{EXEC}\"\napi_base_url = {:?}\n\n[actions]\nrespond = {respond}\n",
            dir.join("rules.toml"),
            dir.join("state"),
            key,
            fake.base
        ),
    )
    .expect("config");
}

fn me(fake: &Fake, id: &str) -> Value {
    let e = fake.event(id).expect("the event");
    e["attendees"]
        .as_array()
        .expect("attendees")
        .iter()
        .find(|a| a["email"] == EXEC)
        .cloned()
        .expect("the executive's entry")
}

#[test]
fn approve_sends_once_and_is_on_record() {
    let fake = Fake::start();
    fake.put(invitation(
        "launch",
        "Launch planning",
        0,
        "ana@acme.example",
    ));
    let dir = TempDir::new("act-approve");
    config(dir.path(), &fake, true);
    let d = Daemon::start(dir.path());
    d.wait_ready();
    let cookie = sign_in(&d);
    let (csrf, key, page) = form_of(&d, &cookie, "launch");
    assert!(page.contains("Approve: accept"), "{page}");
    assert_eq!(fake.count("write"), 0, "nothing is sent without a click");

    let body = format!("csrf={csrf}&key={key}&id=launch&choice=approve");
    let r = post(&d, &cookie, &body);
    assert_eq!(r.status, 200, "{}", r.head);
    assert!(
        r.text().contains("sent</strong>: answered accepted"),
        "{}",
        r.text()
    );
    assert_eq!(fake.count("patch"), 1);
    assert_eq!(me(&fake, "launch")["responseStatus"], "accepted");
    assert_eq!(
        fake.send_updates().last().map(String::as_str),
        Some("all"),
        "the organiser is told"
    );

    // The same form again (a double click, a retried POST): nothing more is sent.
    let again = post(&d, &cookie, &body);
    assert!(
        again
            .text()
            .contains("already sent: nothing was sent again"),
        "{}",
        again.text()
    );
    // Once answered, the page offers no form, only what is on record (the request may
    // already have left the pending list); a POST of another form (an old tab) is
    // refused, not sent as a second answer.
    let after = request(
        &d.addr,
        "GET",
        "/desk/decision/launch",
        &[("Cookie", &cookie)],
    );
    assert_eq!(after.status, 200);
    assert!(
        !after.text().contains("name=\"key\""),
        "no form once answered"
    );
    assert!(after.text().contains("On record"), "{}", after.text());
    let other = post(
        &d,
        &cookie,
        &format!(
            "csrf={csrf}&key={}&id=launch&choice=answer&answer=declined",
            "a".repeat(64)
        ),
    );
    assert!(
        other.text().contains("Nothing was sent: "),
        "{}",
        other.text()
    );
    assert_eq!(fake.count("patch"), 1, "one answer, once");

    // On record, in the API and on the page.
    let api: Value = serde_json::from_slice(&d.api("/api/decisions/launch").body).expect("JSON");
    let actions = api["actions"].as_array().expect("actions");
    assert_eq!(actions.len(), 1, "{api}");
    assert_eq!(actions[0]["state"], "sent");
    assert_eq!(actions[0]["answer"], "accepted");
    assert_eq!(actions[0]["suggested"], "accept");

    // The next poll sees the request answered: it leaves the feed.
    d.wait_for("the answered request to leave the feed", |d| {
        !d.feed().text().contains("X-TIMEWARD-EVENT-ID:launch")
    });
    let (status, _) = d.stop(Duration::from_secs(10));
    assert!(status.success());
}

#[test]
fn answer_differently_delegates_with_a_note() {
    let fake = Fake::start();
    fake.put(invitation("budget", "Budget review", 1, "cfo@acme.example"));
    let dir = TempDir::new("act-delegate");
    config(dir.path(), &fake, true);
    let d = Daemon::start(dir.path());
    d.wait_ready();
    let cookie = sign_in(&d);
    let (csrf, key, _) = form_of(&d, &cookie, "budget");
    let r = post(
        &d,
        &cookie,
        &format!(
            "csrf={csrf}&key={key}&id=budget&choice=answer&answer=delegated&delegate_to=cos%40acme.example&note=Sam+will+cover"
        ),
    );
    assert!(
        r.text().contains("cos@acme.example added as a guest"),
        "{}",
        r.text()
    );
    let mine = me(&fake, "budget");
    assert_eq!(mine["responseStatus"], "declined");
    assert_eq!(
        mine["comment"],
        "Delegated to cos@acme.example. Sam will cover"
    );
    let guests: Vec<String> = fake.event("budget").expect("event")["attendees"]
        .as_array()
        .expect("attendees")
        .iter()
        .filter_map(|a| a["email"].as_str().map(str::to_string))
        .collect();
    assert!(
        guests.contains(&"cos@acme.example".to_string()),
        "{guests:?}"
    );
    assert_eq!(fake.count("patch"), 1);
    let (status, _) = d.stop(Duration::from_secs(10));
    assert!(status.success());
}

#[test]
fn with_respond_off_nothing_is_written_and_the_desk_says_how_to_turn_it_on() {
    let fake = Fake::start();
    fake.put(invitation(
        "launch",
        "Launch planning",
        0,
        "ana@acme.example",
    ));
    let dir = TempDir::new("act-off");
    config(dir.path(), &fake, false);
    let d = Daemon::start(dir.path());
    d.wait_ready();
    let cookie = sign_in(&d);
    let (csrf, key, page) = form_of(&d, &cookie, "launch");
    assert!(page.contains("Sending is off"), "{page}");
    assert!(page.contains("[actions] respond = true"), "{page}");
    let r = post(
        &d,
        &cookie,
        &format!("csrf={csrf}&key={key}&id=launch&choice=approve"),
    );
    let text = r.text();
    assert!(text.contains("Nothing was sent: sending is off"), "{text}");
    assert!(
        text.contains("It would have sent: <strong>accepted</strong>"),
        "{text}"
    );
    // Without the CSRF token: refused as well.
    let bad = post(&d, &cookie, &format!("key={key}&id=launch&choice=approve"));
    assert_eq!(bad.status, 403);
    assert_eq!(fake.count("write"), 0, "no write call with respond off");
    let (status, _) = d.stop(Duration::from_secs(10));
    assert!(status.success());
}

#[test]
fn a_crash_after_the_send_sends_nothing_twice() {
    let fake = Fake::start();
    fake.put(invitation(
        "launch",
        "Launch planning",
        0,
        "ana@acme.example",
    ));
    let dir = TempDir::new("act-crash");
    config(dir.path(), &fake, true);
    let d = Daemon::start_with(dir.path(), &[("TW_TEST_EXIT_AFTER_SEND", "1")]);
    d.wait_ready();
    let cookie = sign_in(&d);
    let (csrf, key, _) = form_of(&d, &cookie, "launch");
    let body = format!("csrf={csrf}&key={key}&id=launch&choice=approve");
    // The daemon dies after the send, before recording it: the POST gets no page.
    let _ = std::panic::catch_unwind(|| post(&d, &cookie, &body));
    assert_eq!(fake.count("patch"), 1);
    d.kill9();

    let d = Daemon::start(dir.path());
    d.wait_ready();
    // Settled from the calendar: sent, once.
    let api: Value =
        serde_json::from_slice(&d.api("/api/decisions/launch").body).unwrap_or_default();
    if let Some(actions) = api["actions"].as_array() {
        assert_eq!(actions.len(), 1, "{api}");
        assert_eq!(actions[0]["state"], "sent", "{api}");
    }
    // The same form sent again after the restart (the browser retries): nothing more.
    let again = post(&d, &cookie, &body);
    assert!(again.text().contains("already sent"), "{}", again.text());
    assert_eq!(fake.count("patch"), 1, "one answer at the fake");
    let (status, _) = d.stop(Duration::from_secs(10));
    assert!(status.success());
}
