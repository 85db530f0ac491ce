//! Answers to invitations read from an .ics file, mailed as iMIP through a real SMTP
//! server (Python's aiosmtpd on loopback) and read back the way a mail client does
//! (Python's `email` and `icalendar`): the REPLY to the organiser with the executive's
//! PARTSTAT, the REQUEST to a delegate, UID, SEQUENCE and RECURRENCE-ID as the invitation
//! had them. Without a mail server the desk hands the REPLY over instead; with
//! `[actions] respond` off nothing reaches the server.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::America::New_York;
use serde_json::Value;
use support::daemon::{request, Daemon, TempDir};
use support::desk::{form_of, post, sign_in};

/// An SMTP server that keeps what it is given, as files in `dir`.
struct Sink {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Sink {
    fn start(dir: &Path) -> Sink {
        let dir = dir.join("mail");
        std::fs::create_dir_all(&dir).expect("mail dir");
        let mut child = Command::new(support::external::python())
            .arg(support::external::scripts().join("smtp_sink.py"))
            .arg(&dir)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the SMTP sink");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the sink's port");
        let port = line.trim().parse().expect("a port");
        Sink { child, port, dir }
    }

    fn count(&self) -> usize {
        std::fs::read_dir(&self.dir)
            .map(|d| {
                d.flatten()
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".eml"))
                    .count()
            })
            .unwrap_or(0)
    }

    fn wait_for(&self, n: usize) {
        let until = Instant::now() + Duration::from_secs(30);
        while self.count() < n {
            assert!(Instant::now() < until, "{} mail(s), not {n}", self.count());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every mail as `check_imip.py` reads it.
    fn read(&self) -> Vec<Value> {
        let out = Command::new(support::external::python())
            .arg(support::external::scripts().join("check_imip.py"))
            .arg(&self.dir)
            .output()
            .expect("run check_imip.py");
        assert!(
            out.status.success(),
            "icalendar could not read a mail:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("JSON")
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&New_York)
        .format("%Y%m%dT%H%M%S")
        .to_string()
}

const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n\
    BEGIN:STANDARD\r\nDTSTART:19701101T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n\
    TZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\n\
    BEGIN:DAYLIGHT\r\nDTSTART:19700308T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n\
    TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

/// Three invitations: one to accept, one to delegate, and a weekly series (accepted)
/// whose moved second instance awaits the answer. Returns the calendar and that
/// instance's original start.
fn calendar(now: DateTime<Utc>) -> (String, DateTime<Utc>) {
    let slot = |n, h| support::daemon::slot(now, n, h);
    let invite = |uid: &str, start: DateTime<Utc>, summary: &str, from: &str| {
        format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nSEQUENCE:4\r\nDTSTAMP:20261101T000000Z\r\n\
             DTSTART:{}\r\nDTEND:{}\r\nSUMMARY:{summary}\r\nORGANIZER;CN=Org:mailto:{from}\r\n\
             ATTENDEE;CN=Dana Reyes;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:dana@acme.example\r\n\
             ATTENDEE;PARTSTAT=ACCEPTED:mailto:{from}\r\nEND:VEVENT\r\n",
            stamp(start),
            stamp(start + TimeDelta::hours(1))
        )
    };
    let first = slot(0, 18);
    let moved_from = first + TimeDelta::days(7);
    let series = format!(
        "BEGIN:VEVENT\r\nUID:weekly@partner.example\r\nSEQUENCE:1\r\nDTSTAMP:20261101T000000Z\r\n\
         DTSTART;TZID=America/New_York:{}\r\nDURATION:PT30M\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n\
         SUMMARY:Partner sync\r\nORGANIZER:mailto:lee@partner.example\r\n\
         ATTENDEE;PARTSTAT=ACCEPTED:mailto:dana@acme.example\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:weekly@partner.example\r\nSEQUENCE:2\r\nDTSTAMP:20261101T000000Z\r\n\
         RECURRENCE-ID;TZID=America/New_York:{}\r\nDTSTART;TZID=America/New_York:{}\r\n\
         DURATION:PT30M\r\nSUMMARY:Partner sync (moved)\r\nORGANIZER:mailto:lee@partner.example\r\n\
         ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:dana@acme.example\r\nEND:VEVENT\r\n",
        local(first),
        local(moved_from),
        local(moved_from + TimeDelta::hours(2))
    );
    let text = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//timeward tests//imip//EN\r\n{VTIMEZONE}{}{}{series}END:VCALENDAR\r\n",
        invite("launch@acme.example", slot(0, 15), "Launch planning für Köln", "ana@acme.example"),
        invite("vendor@acme.example", slot(1, 15), "Vendor pitch", "rep@vendor.example"),
    );
    (text, moved_from)
}

fn setup(dir: &Path, smtp: Option<u16>, respond: bool) -> DateTime<Utc> {
    std::fs::write(dir.join("rules.toml"), support::daemon::rules(40)).expect("rules");
    let (text, moved_from) = calendar(Utc::now());
    std::fs::write(dir.join("calendar.ics"), text).expect("calendar");
    let mut config = format!(
        "rules = {:?}\nstate_dir = {:?}\nlisten = \"127.0.0.1:0\"\npoll_interval = \"1s\"\n\n\
         [source]\nkind = \"ics\"\npath = {:?}\n\n[actions]\nrespond = {respond}\n",
        dir.join("rules.toml"),
        dir.join("state"),
        dir.join("calendar.ics"),
    );
    if let Some(port) = smtp {
        config.push_str(&format!(
            "\n[actions.smtp]\nserver = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\n"
        ));
    }
    std::fs::write(dir.join("timeward.toml"), config).expect("config");
    moved_from
}

fn act(d: &Daemon, cookie: &str, id: &str, rest: &str) -> String {
    let (csrf, key, _) = form_of(d, cookie, &urlencode(id));
    let r = post(
        d,
        cookie,
        &format!("csrf={csrf}&key={key}&id={}&{rest}", urlencode(id)),
    );
    assert_eq!(r.status, 200, "{}", r.head);
    r.text()
}

fn urlencode(s: &str) -> String {
    s.replace('@', "%40")
}

/// The one attendee entry of `address` in a mail's first VEVENT.
fn attendee<'a>(event: &'a Value, address: &str) -> &'a Value {
    event["attendees"]
        .as_array()
        .expect("attendees")
        .iter()
        .find(|a| a["address"] == format!("mailto:{address}"))
        .unwrap_or_else(|| panic!("no {address} in {event}"))
}

#[test]
fn answers_reach_the_organiser_and_the_delegate_as_imip() {
    let dir = TempDir::new("imip");
    let sink = Sink::start(dir.path());
    let moved_from = setup(dir.path(), Some(sink.port), true);
    let d = Daemon::start(dir.path());
    d.wait_ready();
    let cookie = sign_in(&d);

    let said = act(&d, &cookie, "launch@acme.example", "choice=approve");
    assert!(
        said.contains("accepted mailed to the organiser ana@acme.example"),
        "{said}"
    );
    let said = act(
        &d,
        &cookie,
        "vendor@acme.example",
        "choice=answer&answer=delegated&delegate_to=cos%40acme.example&note=Chief+of+staff+covers",
    );
    assert!(said.contains("forwarded to cos@acme.example"), "{said}");
    act(
        &d,
        &cookie,
        "weekly@partner.example",
        "choice=answer&answer=declined",
    );
    sink.wait_for(4);
    let mails = sink.read();
    assert_eq!(mails.len(), 4, "{mails:#?}");

    // Accept: a REPLY to the organiser.
    let m = &mails[0];
    assert_eq!(m["envelope"]["to"][0], "ana@acme.example");
    assert_eq!(m["envelope"]["from"], "dana@acme.example");
    assert_eq!(m["content_type"], "text/calendar");
    assert_eq!(m["method_param"], "REPLY");
    assert_eq!(m["method"], "REPLY");
    assert_eq!(m["subject"], "Accepted: Launch planning für Köln");
    let e = &m["events"][0];
    assert_eq!(e["uid"], "launch@acme.example");
    assert_eq!(e["sequence"], 4);
    assert_eq!(e["recurrence_id"], Value::Null);
    assert_eq!(e["attendees"].as_array().map(Vec::len), Some(1));
    assert_eq!(attendee(e, "dana@acme.example")["partstat"], "ACCEPTED");

    // Delegate: PARTSTAT=DELEGATED;DELEGATED-TO to the organiser, with the note...
    let m = &mails[1];
    assert_eq!(m["envelope"]["to"][0], "rep@vendor.example");
    assert_eq!(m["method_param"], "REPLY");
    let e = &m["events"][0];
    assert_eq!(e["uid"], "vendor@acme.example");
    assert_eq!(e["sequence"], 4);
    assert_eq!(e["comment"], "Chief of staff covers");
    let me = attendee(e, "dana@acme.example");
    assert_eq!(me["partstat"], "DELEGATED");
    assert_eq!(me["delegated_to"], "mailto:cos@acme.example");
    // ...and the REQUEST to the delegate (RFC 5546 §3.2.2.3).
    let m = &mails[2];
    assert_eq!(m["envelope"]["to"][0], "cos@acme.example");
    assert_eq!(m["method_param"], "REQUEST");
    assert_eq!(m["method"], "REQUEST");
    let e = &m["events"][0];
    assert_eq!(e["uid"], "vendor@acme.example");
    assert_eq!(e["sequence"], 4);
    assert_eq!(attendee(e, "dana@acme.example")["partstat"], "DELEGATED");
    assert_eq!(
        attendee(e, "dana@acme.example")["delegated_to"],
        "mailto:cos@acme.example"
    );
    let cos = attendee(e, "cos@acme.example");
    assert_eq!(cos["partstat"], "NEEDS-ACTION");
    assert_eq!(cos["delegated_from"], "mailto:dana@acme.example");
    assert_eq!(cos["rsvp"], "TRUE");
    assert_eq!(attendee(e, "rep@vendor.example")["partstat"], "ACCEPTED");

    // The moved instance of a series: answered with its RECURRENCE-ID and SEQUENCE.
    let m = &mails[3];
    assert_eq!(m["envelope"]["to"][0], "lee@partner.example");
    let e = &m["events"][0];
    assert_eq!(e["uid"], "weekly@partner.example");
    assert_eq!(e["sequence"], 2);
    assert_eq!(e["recurrence_id"], stamp(moved_from));
    assert_eq!(attendee(e, "dana@acme.example")["partstat"], "DECLINED");
    assert_eq!(m["events"].as_array().map(Vec::len), Some(1));

    // On record, and a second send of the same form sends nothing.
    let api: Value =
        serde_json::from_slice(&d.api("/api/decisions/launch@acme.example").body).expect("JSON");
    assert_eq!(api["actions"][0]["state"], "sent", "{api}");
    let waiting = request(&d.addr, "GET", "/desk", &[("Cookie", &cookie)]).text();
    assert!(waiting.contains("answered from the desk"), "{waiting}");
    let page = request(
        &d.addr,
        "GET",
        "/desk/decision/launch%40acme.example",
        &[("Cookie", &cookie)],
    )
    .text();
    assert!(page.contains("sent: accepted mailed"), "{page}");
    assert!(!page.contains("name=\"key\""), "no second answer offered");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sink.count(), 4, "nothing more was mailed");
    let log = d.log_text();
    assert!(
        !log.contains("Köln") && !log.contains("Vendor pitch"),
        "{log}"
    );
    let (status, _) = d.stop(Duration::from_secs(10));
    assert!(status.success());
}

#[test]
fn without_a_mail_server_the_desk_hands_the_reply_over() {
    let dir = TempDir::new("imip-handout");
    setup(dir.path(), None, false);
    let d = Daemon::start(dir.path());
    d.wait_ready();
    let cookie = sign_in(&d);
    let page = act(&d, &cookie, "launch@acme.example", "choice=approve");
    assert!(page.contains("nothing was sent"), "{page}");
    assert!(
        page.contains("mailto:ana%40acme%2Eexample?subject=Accepted"),
        "{page}"
    );
    let marker = "href=\"/desk/handout/";
    let at = page.find(marker).expect("a download link") + marker.len() - "/desk/handout/".len();
    let link = page[at..].split('"').next().expect("link").to_string();
    let file = request(&d.addr, "GET", &link, &[("Cookie", &cookie)]);
    assert_eq!(file.status, 200);
    assert_eq!(
        file.header("content-type").as_deref(),
        Some("text/calendar; method=REPLY; charset=UTF-8")
    );
    assert!(file
        .header("content-disposition")
        .is_some_and(|v| v.contains("reply.ics")));
    let text = file.text();
    assert!(text.contains("METHOD:REPLY"), "{text}");
    assert!(text.contains("PARTSTAT=ACCEPTED"), "{text}");
    // Only for the session that asked.
    assert_eq!(request(&d.addr, "GET", &link, &[]).status, 404);
    // Nothing was sent, so nothing is on record.
    let api: Value =
        serde_json::from_slice(&d.api("/api/decisions/launch@acme.example").body).expect("JSON");
    assert_eq!(api["actions"], serde_json::json!([]), "{api}");
    let (status, _) = d.stop(Duration::from_secs(10));
    assert!(status.success());
}

#[test]
fn with_respond_off_nothing_reaches_the_mail_server() {
    let dir = TempDir::new("imip-off");
    let sink = Sink::start(dir.path());
    setup(dir.path(), Some(sink.port), false);
    let d = Daemon::start(dir.path());
    d.wait_ready();
    let cookie = sign_in(&d);
    let page = act(&d, &cookie, "launch@acme.example", "choice=approve");
    assert!(page.contains("Nothing was sent: sending is off"), "{page}");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sink.count(), 0);
    let (status, _) = d.stop(Duration::from_secs(10));
    assert!(status.success());
}
