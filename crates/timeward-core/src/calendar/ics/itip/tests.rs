//! The iTIP messages: what the organiser's and the delegate's calendars match on.

use chrono::{TimeZone, Utc};

use super::{answer, Answer, Answering, ItipError};

const EXEC: &str = "dana@acme.example";

fn calendar(body: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n\
         BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n\
         TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n\
         BEGIN:VTIMEZONE\r\nTZID:America/Chicago\r\nBEGIN:STANDARD\r\nDTSTART:19701101T020000\r\n\
         TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0600\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n\
         {body}END:VCALENDAR\r\n"
    )
}

const SINGLE: &str = "BEGIN:VEVENT\r\nUID:one@example.org\r\nSEQUENCE:3\r\n\
    DTSTAMP:20261101T090000Z\r\nDTSTART;TZID=Europe/Berlin:20261203T100000\r\n\
    DTEND;TZID=Europe/Berlin:20261203T110000\r\nSUMMARY:Planung für Köln\r\n\
    ORGANIZER;CN=Jürgen:mailto:Juergen@Partner.example\r\n\
    ATTENDEE;CN=Dana Whitfield;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:DANA@acme.example\r\n\
    ATTENDEE;PARTSTAT=ACCEPTED:mailto:juergen@partner.example\r\n\
    BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\n";

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0)
        .single()
        .expect("a time")
}

fn ask(
    text: &str,
    uid: &str,
    a: &Answer,
    note: Option<&str>,
) -> Result<super::Messages, ItipError> {
    answer(
        text.as_bytes(),
        &Answering {
            uid,
            executive: EXEC,
            answer: a,
            note,
            now: now(),
        },
    )
}

/// The unfolded content lines of one VEVENT (the `n`th) of a message.
fn vevent(text: &str, n: usize) -> Vec<String> {
    let unfolded = text.replace("\r\n ", "");
    let mut out = Vec::new();
    let mut seen = 0;
    let mut inside = false;
    for l in unfolded.split("\r\n") {
        if l == "BEGIN:VEVENT" {
            seen += 1;
            inside = seen == n + 1;
        } else if l == "END:VEVENT" {
            inside = false;
        } else if inside {
            out.push(l.to_string());
        }
    }
    out
}

#[test]
fn a_reply_carries_what_the_organiser_matches_on() {
    let m = ask(
        &calendar(SINGLE),
        "one@example.org",
        &Answer::Accepted,
        Some("Gern, bis dann"),
    )
    .expect("a reply");
    assert_eq!(m.organizer, "juergen@partner.example");
    assert_eq!(m.summary.as_deref(), Some("Planung für Köln"));
    assert!(m.request.is_none());
    assert!(m.reply.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(m.reply.contains("\r\nMETHOD:REPLY\r\n"));
    let e = vevent(&m.reply, 0);
    for want in [
        "UID:one@example.org",
        "SEQUENCE:3",
        "DTSTAMP:20261201T120000Z",
        "DTSTART;TZID=Europe/Berlin:20261203T100000",
        "ORGANIZER;CN=Jürgen:mailto:Juergen@Partner.example",
        "ATTENDEE;CN=Dana Whitfield;PARTSTAT=ACCEPTED:mailto:dana@acme.example",
        "COMMENT:Gern\\, bis dann",
    ] {
        assert!(e.iter().any(|l| l == want), "{want} not in {e:#?}");
    }
    // Only the executive answers; no alarms, no other attendee.
    assert_eq!(e.iter().filter(|l| l.starts_with("ATTENDEE")).count(), 1);
    assert!(!m.reply.contains("VALARM"));
    // The zone it names is defined, the other is not copied.
    assert!(m.reply.contains("TZID:Europe/Berlin"));
    assert!(!m.reply.contains("America/Chicago"));
    assert!(m.reply.lines().all(|l| l.len() <= 76), "{}", m.reply);
}

#[test]
fn a_delegation_replies_delegated_and_forwards_the_request() {
    let m = ask(
        &calendar(SINGLE),
        "one@example.org",
        &Answer::DelegatedTo("Sam@Acme.example".into()),
        None,
    )
    .expect("messages");
    let e = vevent(&m.reply, 0);
    assert!(
        e.iter().any(|l| l
            == "ATTENDEE;CN=Dana Whitfield;DELEGATED-TO=\"mailto:sam@acme.example\";PARTSTAT=DELEGATED:mailto:dana@acme.example"),
        "{e:#?}"
    );
    let request = m.request.expect("the request to the delegate");
    assert!(request.contains("\r\nMETHOD:REQUEST\r\n"));
    let r = vevent(&request, 0);
    for want in [
        "UID:one@example.org",
        "SEQUENCE:3",
        "SUMMARY:Planung für Köln",
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:juergen@partner.example",
        "ATTENDEE;DELEGATED-FROM=\"mailto:dana@acme.example\";PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:sam@acme.example",
    ] {
        assert!(r.iter().any(|l| l == want), "{want} not in {r:#?}");
    }
    assert!(r.iter().any(|l| l.starts_with("ATTENDEE;")
        && l.contains("PARTSTAT=DELEGATED")
        && l.contains("DELEGATED-TO=\"mailto:sam@acme.example\"")
        && l.ends_with(":mailto:dana@acme.example")));
    assert!(!request.contains("VALARM"));
}

const SERIES: &str = "BEGIN:VEVENT\r\nUID:weekly@example.org\r\nSEQUENCE:1\r\n\
    DTSTART;TZID=Europe/Berlin:20261201T090000\r\nDURATION:PT30M\r\nRRULE:FREQ=WEEKLY\r\n\
    SUMMARY:Weekly\r\nORGANIZER:mailto:lee@partner.example\r\n\
    ATTENDEE;PARTSTAT=ACCEPTED:mailto:dana@acme.example\r\nEND:VEVENT\r\n\
    BEGIN:VEVENT\r\nUID:weekly@example.org\r\nSEQUENCE:2\r\n\
    RECURRENCE-ID;TZID=Europe/Berlin:20261208T090000\r\n\
    DTSTART;TZID=Europe/Berlin:20261208T150000\r\nDURATION:PT30M\r\n\
    SUMMARY:Weekly (moved)\r\nORGANIZER:mailto:lee@partner.example\r\n\
    ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:dana@acme.example\r\nEND:VEVENT\r\n";

#[test]
fn a_moved_instance_is_answered_with_its_recurrence_id() {
    let m = ask(
        &calendar(SERIES),
        "weekly@example.org",
        &Answer::Declined,
        None,
    )
    .expect("a reply");
    let e = vevent(&m.reply, 0);
    assert!(
        e.contains(&"RECURRENCE-ID;TZID=Europe/Berlin:20261208T090000".to_string()),
        "{e:#?}"
    );
    assert!(e.contains(&"SEQUENCE:2".to_string()));
    assert!(e.contains(&"ATTENDEE;PARTSTAT=DECLINED:mailto:dana@acme.example".to_string()));
    // The accepted master is not answered again.
    assert!(vevent(&m.reply, 1).is_empty());
}

#[test]
fn a_waiting_master_is_answered_for_the_whole_series() {
    let text = calendar(&SERIES.replacen("PARTSTAT=ACCEPTED", "PARTSTAT=NEEDS-ACTION", 1));
    let m = ask(&text, "weekly@example.org", &Answer::Tentative, None).expect("a reply");
    let master = vevent(&m.reply, 0);
    assert!(
        !master.iter().any(|l| l.starts_with("RECURRENCE-ID")),
        "{master:#?}"
    );
    assert!(master.contains(&"ATTENDEE;PARTSTAT=TENTATIVE:mailto:dana@acme.example".to_string()));
    let moved = vevent(&m.reply, 1);
    assert!(moved
        .iter()
        .any(|l| l.starts_with("RECURRENCE-ID;TZID=Europe/Berlin:20261208T090000")));
}

#[test]
fn nothing_to_answer_is_said_without_the_events_text() {
    let text = calendar(SINGLE);
    assert_eq!(
        ask(&text, "other@example.org", &Answer::Accepted, None),
        Err(ItipError::NotWaiting("other@example.org".into()))
    );
    let answered = calendar(&SINGLE.replace("PARTSTAT=NEEDS-ACTION", "PARTSTAT=ACCEPTED"));
    assert!(matches!(
        ask(&answered, "one@example.org", &Answer::Declined, None),
        Err(ItipError::NotWaiting(_))
    ));
    let no_organizer =
        calendar(&SINGLE.replace("ORGANIZER;CN=Jürgen:mailto:Juergen@Partner.example\r\n", ""));
    assert_eq!(
        ask(&no_organizer, "one@example.org", &Answer::Accepted, None),
        Err(ItipError::NoOrganizer)
    );
    for cut in [&text[..text.len() / 2], "", "\u{0}\u{1}garbage"] {
        let said = ask(cut, "one@example.org", &Answer::Accepted, None);
        assert!(said.is_err(), "{said:?}");
        assert!(!format!("{said:?}").contains("Köln"));
    }
}

#[test]
fn a_private_invitation_keeps_its_title_out_of_the_reply() {
    let text = calendar(&SINGLE.replace("SEQUENCE:3\r\n", "SEQUENCE:3\r\nCLASS:PRIVATE\r\n"));
    let m = ask(&text, "one@example.org", &Answer::Accepted, None).expect("a reply");
    assert_eq!(m.summary, None);
    assert!(!m.reply.contains("Köln"));
}
