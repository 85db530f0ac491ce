//! The differential corpus test: every calendar in `tests/corpus/` (python `icalendar`'s
//! and `recurring-ical-events`' test calendars, real exports and edge cases among them) is
//! expanded by `timeward agenda` and by a peer reader (Python `icalendar` +
//! `recurring-ical-events`, installed on first use), and the occurrences compared. Where
//! they differ, or timeward refuses a file, `tests/corpus/differences.tsv` must say why
//! (README, "Choices"); a listed file that now agrees fails the test too, so the list
//! stays true. Nothing may panic, whatever the peer makes of the file.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};

use chrono::{DateTime, Utc};
use serde_json::Value;

const FROM: &str = "1990-01-01T00:00:00Z";
const TO: &str = "2035-01-01T00:00:00Z";

type Row = (String, String, String);

fn utc(s: &str) -> String {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc).to_rfc3339())
        .unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn rows(list: &[Value]) -> BTreeSet<Row> {
    list.iter()
        .map(|o| {
            let id = o["id"].as_str().unwrap_or_default();
            // Made-up ids for events without a UID; the peer leaves them empty.
            let id = if id.starts_with("no-uid-") { "" } else { id };
            (
                id.to_string(),
                utc(o["start"].as_str().unwrap_or_default()),
                utc(o["end"].as_str().unwrap_or_default()),
            )
        })
        .collect()
}

#[test]
fn corpus_agrees_with_a_peer_reader_or_says_why() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = Vec::new();
    for dir in [
        "tests/corpus/python-icalendar",
        "tests/corpus/recurring-ical-events",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).expect("corpus folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "ics") {
                let rel = path.strip_prefix(root).expect("inside the repo");
                files.push(rel.display().to_string());
            }
        }
    }
    files.sort();
    assert!(files.len() > 200, "the corpus is there: {}", files.len());

    // The listed differences: file → (kind, reason).
    let listed: BTreeMap<String, (String, String)> =
        std::fs::read_to_string(root.join("tests/corpus/differences.tsv"))
            .expect("tests/corpus/differences.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let f: Vec<&str> = l.splitn(3, '\t').collect();
                assert_eq!(f.len(), 3, "file, kind, reason: {l}");
                assert!(matches!(f[1], "differs" | "refused"), "{l}");
                assert!(f[2].len() > 10, "a reason: {l}");
                (
                    format!("tests/corpus/{}", f[0]),
                    (f[1].to_string(), f[2].to_string()),
                )
            })
            .collect();

    // The peer, once for every file.
    let mut peer = Command::new(support::external::python())
        .current_dir(root)
        .arg(support::external::scripts().join("peer_occurrences.py"))
        .args(["--many", FROM, TO])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the peer starts");
    peer.stdin
        .take()
        .expect("stdin")
        .write_all(files.join("\n").as_bytes())
        .expect("paths to the peer");
    let out = peer.wait_with_output().expect("the peer finishes");
    assert!(out.status.success(), "the peer failed");
    let peer: BTreeMap<String, Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("a JSON line");
            (v["file"].as_str().unwrap_or_default().to_string(), v)
        })
        .collect();

    let (mut agree, mut differ, mut unreadable, mut refused) = (0, 0, 0, 0);
    let mut problems = Vec::new();
    for file in &files {
        let out = support::agenda_json(file, FROM, TO);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0 | 1)) && !stderr.contains("panicked"),
            "{file}: exit {:?}\n{stderr}",
            out.status.code()
        );
        let listing = listed.get(file).map(|(k, _)| k.as_str());
        if out.status.code() == Some(1) {
            refused += 1;
            assert!(
                stderr.starts_with(file.as_str()),
                "{file}: the message names it: {stderr}"
            );
            if listing != Some("refused") {
                problems.push(format!("{file}: refused, not listed: {}", stderr.trim()));
            }
            continue;
        }
        let ours: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let ours = rows(ours["occurrences"].as_array().expect("occurrences"));
        let theirs = &peer[file];
        let Some(list) = theirs["rows"].as_array() else {
            unreadable += 1;
            continue;
        };
        if ours == rows(list) {
            agree += 1;
            if listing.is_some() {
                problems.push(format!("{file}: agrees now; take it off differences.tsv"));
            }
        } else {
            differ += 1;
            if listing != Some("differs") {
                let theirs = rows(list);
                problems.push(format!(
                    "{file}: differs, not listed\n  timeward only: {:?}\n  peer only: {:?}",
                    ours.difference(&theirs).take(3).collect::<Vec<_>>(),
                    theirs.difference(&ours).take(3).collect::<Vec<_>>()
                ));
            }
        }
    }
    println!(
        "corpus: {} calendars; {agree} agree with the peer, {differ} differ (each listed with \
         its reason), {unreadable} the peer cannot read, {refused} timeward refuses (listed)",
        files.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Answering every invitation of the corpus (each attendee of each event in turn as the
/// executive, as an answer from the desk would): nothing panics inside the iTIP writer,
/// and every REPLY and forwarded REQUEST it writes reads back as a calendar with the
/// invitation's UID.
#[test]
fn every_invitation_of_the_corpus_can_be_answered_or_says_why() {
    use timeward::calendar::ics::itip::{answer, Answer, Answering, ItipError};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let now = DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z")
        .expect("time")
        .with_timezone(&Utc);
    let (mut written, mut tried) = (0, 0);
    for dir in [
        "tests/corpus/python-icalendar",
        "tests/corpus/recurring-ical-events",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).expect("corpus folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "ics") {
                continue;
            }
            let bytes = std::fs::read(&path).expect("read");
            let Ok(snapshot) = timeward::calendar::ics::parse_bytes(&bytes) else {
                continue;
            };
            for e in &snapshot.events {
                for a in &e.attendees {
                    for choice in [
                        Answer::Accepted,
                        Answer::DelegatedTo("sam@acme.example".into()),
                    ] {
                        tried += 1;
                        let said = answer(
                            &bytes,
                            &Answering {
                                uid: &e.uid,
                                executive: &a.email,
                                answer: &choice,
                                note: Some("Gern, bis dann"),
                                now,
                            },
                        );
                        match said {
                            Ok(m) => {
                                written += 1;
                                for text in std::iter::once(&m.reply).chain(m.request.iter()) {
                                    let back = timeward::calendar::ics::parse(text).unwrap_or_else(
                                        |err| panic!("{}: {err}\n{text}", path.display()),
                                    );
                                    assert!(
                                        back.events.iter().any(|x| x.uid == e.uid),
                                        "{}: {text}",
                                        path.display()
                                    );
                                }
                            }
                            Err(ItipError::Unreadable(why)) => {
                                assert!(
                                    !why.contains("internal error"),
                                    "{}: {why}",
                                    path.display()
                                )
                            }
                            Err(_) => {}
                        }
                    }
                }
            }
        }
    }
    eprintln!("iTIP: {written} message set(s) written of {tried} tried");
    assert!(
        written > 20,
        "the corpus has invitations: {written} of {tried}"
    );
}
