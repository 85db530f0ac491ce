//! No input breaks it: property tests (proptest) of the .ics reader, the rules parser and
//! the HTTP server on what real transfers and editors produce — arbitrary bytes,
//! multi-byte text folded at every offset, real calendars cut, flipped, duplicated,
//! swapped, stretched by a 100 kB line, given odd RRULE parts. The properties: nothing
//! panics (the reader's own guards are not allowed to hide one: a hook counts every
//! panic), each case ends in bounded time, and every event the mutation did not touch is
//! still read. `PROPTEST_CASES=20000 cargo test --test robustness` runs the long version.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use timeward::calendar::ics::parse_bytes;
use timeward::rules::Rules;

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// Counts every panic raised outside the tests, caught or not, so a guard inside the reader
/// cannot hide one.
fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // The tests' own failed assertions (and proptest re-running them while it
            // shrinks a failing case) are not what is counted.
            if info
                .location()
                .is_none_or(|l| !l.file().starts_with("tests/"))
            {
                PANICS.fetch_add(1, Ordering::SeqCst);
            }
            default(info);
        }));
    });
}

/// Runs `body` and fails if any panic was raised (and caught) outside the tests meanwhile.
fn without_hidden_panics(body: impl FnOnce()) {
    count_panics();
    let before = PANICS.load(Ordering::SeqCst);
    body();
    assert_eq!(
        PANICS.load(Ordering::SeqCst),
        before,
        "a panic was caught inside"
    );
}

/// The number of cases: PROPTEST_CASES, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn runner(default: u32) -> TestRunner {
    TestRunner::new(Config {
        cases: cases(default),
        failure_persistence: None,
        ..Config::default()
    })
}

/// A bound far above any real case (milliseconds), so that only a hang trips it.
const BOUND: Duration = Duration::from_secs(20);

const RULES: &str = include_str!("../config/rules.example.toml");

/// The whole core on what was read: the reader, expansion, placement and scoring.
fn read_and_decide(bytes: &[u8]) -> Option<timeward::calendar::Snapshot> {
    let started = Instant::now();
    let snapshot = parse_bytes(bytes).ok();
    if let Some(s) = &snapshot {
        let rules = Rules::parse(RULES, "rules.example.toml").expect("the example rules");
        let now = Utc
            .with_ymd_and_hms(2024, 9, 9, 12, 0, 0)
            .single()
            .expect("a time");
        let _ = timeward::suggest(s, &rules, &[], now);
    }
    assert!(started.elapsed() < BOUND, "took {:?}", started.elapsed());
    snapshot
}

fn uids(s: &timeward::calendar::Snapshot) -> std::collections::BTreeSet<String> {
    s.events.iter().map(|e| e.uid.clone()).collect()
}

/// Real calendars: the fixtures, the quirks, and the corpus's (readable) calendars.
fn real_calendars() -> Vec<(String, Vec<u8>)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [
        "tests/fixtures",
        "tests/fixtures/quirks",
        "tests/corpus/python-icalendar",
        "tests/corpus/recurring-ical-events",
        "config",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).expect("folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "ics") {
                let bytes = std::fs::read(&path).expect("read");
                if parse_bytes(&bytes).is_ok_and(|s| !s.events.is_empty()) {
                    out.push((path.display().to_string(), bytes));
                }
            }
        }
    }
    out.sort();
    out
}

/// Every real calendar read with its events compacted as they are read (as the daemon
/// reads a file) is the whole read compacted after, for the first attendee it names.
#[test]
fn real_calendars_compacted_as_read_are_compacted_after() {
    use timeward::calendar::ics::parse_bytes_compacted_on;
    let mut compacted_something = 0;
    for (name, bytes) in real_calendars() {
        let full = parse_bytes(&bytes).expect("read before");
        let exec = full
            .events
            .iter()
            .find_map(|e| e.attendees.first().map(|a| a.email.clone()))
            .unwrap_or_else(|| "nobody@example.com".into());
        let mut after = full.clone();
        after.compact(&exec);
        compacted_something += usize::from(after.events != full.events);
        for threads in [1, 2] {
            let as_read = parse_bytes_compacted_on(&bytes, threads, &exec).expect("reads");
            assert_eq!(as_read.events, after.events, "{name}, {threads} threads");
            assert_eq!(
                as_read.warnings, after.warnings,
                "{name}, {threads} threads"
            );
        }
    }
    assert!(compacted_something > 10, "{compacted_something}");
}

#[test]
fn arbitrary_bytes_never_panic() {
    without_hidden_panics(|| {
        // Raw bytes, and bytes behind a calendar's first line (so the reader goes deeper).
        let strategy = (
            any::<bool>(),
            proptest::collection::vec(any::<u8>(), 0..4096),
        );
        runner(256)
            .run(&strategy, |(framed, body)| {
                let bytes = if framed {
                    let mut b = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n".to_vec();
                    b.extend_from_slice(&body);
                    b.extend_from_slice(b"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
                    b
                } else {
                    body
                };
                read_and_decide(&bytes);
                Ok(())
            })
            .expect("no failing case");
    });
}

/// Text with one-, two-, three- and four-byte characters.
fn multibyte_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('a'),
            Just('Z'),
            Just('ü'),
            Just('ß'),
            Just('€'),
            Just('–'),
            Just('中'),
            Just('🎉'),
            Just('x'),
        ],
        1..60,
    )
    .prop_map(|v| v.into_iter().collect())
}

/// Folds a content line every `width` octets, wherever that falls (inside a character too).
fn fold(line: &str, width: usize) -> Vec<u8> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    for (i, chunk) in bytes.chunks(width).enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\r\n ");
        }
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(b"\r\n");
    out
}

#[test]
fn multibyte_text_folded_at_every_offset_is_read_whole() {
    without_hidden_panics(|| {
        let strategy = (
            proptest::collection::vec(multibyte_text(), 1..6),
            1usize..76,
        );
        runner(256)
            .run(&strategy, |(titles, width)| {
                let mut cal = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n".to_vec();
                for (i, t) in titles.iter().enumerate() {
                    cal.extend_from_slice(
                        format!(
                            "BEGIN:VEVENT\r\nUID:e{i}\r\nDTSTAMP:20240901T000000Z\r\n\
                             DTSTART:20240910T{:02}0000Z\r\nDTEND:20240910T{:02}3000Z\r\n",
                            8 + i,
                            8 + i
                        )
                        .as_bytes(),
                    );
                    cal.extend(fold(&format!("SUMMARY:{t}"), width));
                    cal.extend(fold(&format!("DESCRIPTION:{t} {t}"), width));
                    cal.extend_from_slice(b"END:VEVENT\r\n");
                }
                cal.extend_from_slice(b"END:VCALENDAR\r\n");
                let s = read_and_decide(&cal).expect("a whole calendar reads");
                prop_assert!(s.warnings.is_empty(), "{:?}", s.warnings);
                prop_assert_eq!(s.events.len(), titles.len());
                for (e, t) in s.events.iter().zip(&titles) {
                    prop_assert_eq!(&e.title, t);
                    prop_assert_eq!(&e.description, &format!("{t} {t}"));
                }
                Ok(())
            })
            .expect("no failing case");
    });
}

#[derive(Debug, Clone)]
enum Mutation {
    /// The file cut at a byte (a partial download).
    Cut(usize),
    /// Bytes of one VEVENT replaced.
    Flip { event: usize, at: Vec<(usize, u8)> },
    /// One VEVENT written twice.
    Duplicate(usize),
    /// DTSTART and DTEND of one VEVENT swapped.
    SwapEnds(usize),
    /// A 100 kB line added to one VEVENT.
    LongLine(usize),
    /// An odd RRULE added to one VEVENT.
    OddRule(usize, &'static str),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Cut),
        (
            any::<usize>(),
            proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)
        )
            .prop_map(|(event, at)| Mutation::Flip { event, at }),
        any::<usize>().prop_map(Mutation::Duplicate),
        any::<usize>().prop_map(Mutation::SwapEnds),
        any::<usize>().prop_map(Mutation::LongLine),
        (
            any::<usize>(),
            prop_oneof![
                Just("RRULE:FREQ=WEEKLY;COUNT=-1;UNTIL=20240930T000000Z"),
                Just("RRULE:FREQ=DAILY;INTERVAL=0"),
                Just("RRULE:FREQ=MONTHLY;BYMONTHDAY=32"),
                Just("RRULE:FREQ=YEARLY;UNTIL=2025"),
                Just("RRULE:FREQ=SECONDLY;COUNT=100000"),
                Just("RRULE:FREQ=MINUTELY;UNTIL=99991231T235959Z"),
                Just("RRULE:FREQ=YEARLY;BYWEEKNO=53;BYDAY=-1SU;BYSETPOS=-366"),
                Just("RRULE:FREQ=DAILY;BYHOUR=25;BYMINUTE=61"),
                Just("RRULE:"),
                Just("RRULE:FREQ=WEEKLY;BYDAY=ü;WKST=€"),
            ]
        )
            .prop_map(|(e, r)| Mutation::OddRule(e, r)),
    ]
}

/// The byte ranges of the VEVENT blocks (BEGIN line to END line) in a calendar.
fn vevents(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut at = 0;
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        let t = line.trim_ascii_end();
        if t.eq_ignore_ascii_case(b"BEGIN:VEVENT") {
            start = Some(at);
        } else if t.eq_ignore_ascii_case(b"END:VEVENT") {
            if let Some(s) = start.take() {
                out.push((s, at + line.len()));
            }
        }
        at += line.len();
    }
    out
}

/// Applies `m`; returns the new bytes and the range of the event it touched, if one.
fn apply(bytes: &[u8], m: &Mutation) -> (Vec<u8>, Option<(usize, usize)>) {
    let events = vevents(bytes);
    let pick = |i: usize| events.get(i % events.len().max(1)).copied();
    let insert = |range: (usize, usize), line: &[u8]| {
        // After the BEGIN:VEVENT line.
        let begin_end = bytes[range.0..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(range.0, |p| range.0 + p + 1);
        let mut out = bytes[..begin_end].to_vec();
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&bytes[begin_end..]);
        out
    };
    match m {
        Mutation::Cut(at) => (bytes[..at % (bytes.len() + 1)].to_vec(), None),
        Mutation::Flip { event, at } => {
            let Some(r) = pick(*event) else {
                return (bytes.to_vec(), None);
            };
            // Inside the event: its own bytes, not the line break that ends it (without
            // which END:VCALENDAR joins its line and the file reads as cut off).
            let mut out = bytes.to_vec();
            for (i, b) in at {
                out[r.0 + i % (r.1 - r.0 - 1).max(1)] = *b;
            }
            (out, Some(r))
        }
        Mutation::Duplicate(e) => {
            let Some(r) = pick(*e) else {
                return (bytes.to_vec(), None);
            };
            let mut out = bytes[..r.1].to_vec();
            out.extend_from_slice(&bytes[r.0..]);
            (out, None)
        }
        Mutation::SwapEnds(e) => {
            let Some(r) = pick(*e) else {
                return (bytes.to_vec(), None);
            };
            let block = String::from_utf8_lossy(&bytes[r.0..r.1])
                .replace("DTSTART", "\u{1}")
                .replace("DTEND", "DTSTART")
                .replace('\u{1}', "DTEND");
            let mut out = bytes[..r.0].to_vec();
            out.extend_from_slice(block.as_bytes());
            out.extend_from_slice(&bytes[r.1..]);
            (out, Some(r))
        }
        Mutation::LongLine(e) => match pick(*e) {
            Some(r) => {
                let line = format!("X-LONG:{}", "ü€x".repeat(100_000 / 6));
                (insert(r, line.as_bytes()), Some(r))
            }
            None => (bytes.to_vec(), None),
        },
        Mutation::OddRule(e, rule) => match pick(*e) {
            Some(r) => (insert(r, rule.as_bytes()), Some(r)),
            None => (bytes.to_vec(), None),
        },
    }
}

#[test]
fn mangled_real_calendars_never_panic_and_keep_every_untouched_event() {
    without_hidden_panics(|| {
        let calendars = real_calendars();
        assert!(calendars.len() > 100, "{}", calendars.len());
        let strategy = (0..calendars.len(), mutation());
        runner(512)
            .run(&strategy, |(which, m)| {
                let (name, bytes) = &calendars[which];
                let original = parse_bytes(bytes).expect("it read before");
                let (mangled, touched) = apply(bytes, &m);
                let after = read_and_decide(&mangled);
                // What must still be read: every UID of the original whose events lie outside
                // the touched block (a cut file may be refused whole, never half-read).
                if matches!(m, Mutation::Cut(_)) {
                    return Ok(());
                }
                let after = after.ok_or_else(|| {
                    TestCaseError::fail(format!("{name}: {m:?} made the whole file unreadable"))
                })?;
                let touched_uids: std::collections::BTreeSet<String> = match touched {
                    Some(r) => {
                        let block = parse_bytes(
                            &[
                                b"BEGIN:VCALENDAR\r\n".as_slice(),
                                &bytes[r.0..r.1],
                                b"END:VCALENDAR\r\n",
                            ]
                            .concat(),
                        );
                        block.map(|b| uids(&b)).unwrap_or_default()
                    }
                    None => Default::default(),
                };
                let missing: Vec<String> = uids(&original)
                    .difference(&uids(&after))
                    .filter(|u| !touched_uids.contains(*u))
                    .cloned()
                    .collect();
                prop_assert!(missing.is_empty(), "{name}: {m:?} lost {missing:?}");
                Ok(())
            })
            .expect("no failing case");
    });
}

/// The differences between the reader's lexer and the `icalendar` crate's parser that it
/// replaced: the lexer skips no more events; where it skips as many, it reads the same
/// events (equal in every field); where it reads an event the crate's parser gave up on (a
/// line that lost its fold, white space after END:VEVENT), only events of the UIDs it
/// read besides may differ (that copy may now be the one kept of two).
fn lexer_agrees(bytes: &[u8]) -> Result<(), String> {
    use timeward::calendar::ics::{parse_bytes_with, Reader};
    use timeward::calendar::{Event, Snapshot};
    // A UTF-8 calendar is framed from its text, each event's lines unfolded only as it is
    // read: the same components, lines, numbers and warnings as from its lines.
    if let Some(difference) = timeward::calendar::ics::framings_differ(bytes) {
        return Err(difference);
    }
    let crate_read = parse_bytes_with(bytes, Reader::IcalendarCrate);
    let ours = parse_bytes_with(bytes, Reader::Lexer);
    let skipped = |s: &Snapshot| {
        s.warnings
            .iter()
            .filter(|w| w.message.starts_with("event skipped"))
            .count()
    };
    let not_in = |a: &Snapshot, b: &Snapshot| -> Vec<Event> {
        let mut left: Vec<&Event> = b.events.iter().collect();
        let mut out = Vec::new();
        for e in &a.events {
            match left.iter().position(|x| *x == e) {
                Some(i) => {
                    left.remove(i);
                }
                None => out.push(e.clone()),
            }
        }
        out
    };
    match (crate_read, ours) {
        (Err(a), Err(b)) if a == b => Ok(()),
        (Ok(a), Ok(b)) => {
            let (missing, extra) = (not_in(&a, &b), not_in(&b, &a));
            let extra_uids: std::collections::BTreeSet<&str> =
                extra.iter().map(|e| e.uid.as_str()).collect();
            let unexplained: Vec<&Event> = missing
                .iter()
                .filter(|e| !extra_uids.contains(e.uid.as_str()))
                .collect();
            if skipped(&b) > skipped(&a)
                || (skipped(&b) == skipped(&a) && !(missing.is_empty() && extra.is_empty()))
                || !unexplained.is_empty()
            {
                return Err(format!(
                    "the lexer skipped {} event(s) where the crate's parser skipped {}; read \
                     differently: {unexplained:?}; read besides: {extra:?}",
                    skipped(&b),
                    skipped(&a)
                ));
            }
            Ok(())
        }
        (a, b) => Err(format!(
            "the crate's parser: {:?}; the lexer: {:?}",
            a.map(|s| s.events.len()),
            b.map(|s| s.events.len())
        )),
    }
}

/// Found by the property below on CI: a line break inside a quoted parameter value
/// (`DESCRIPTION;ALTREP="data:t` / `xt/html,…`). Both halves are not content lines: the
/// event is read without them, with a warning for each — the lexer used to take the `t`
/// after the quote's `:` for the description.
#[test]
fn a_line_broken_inside_a_quoted_parameter_loses_no_event() {
    use timeward::calendar::ics::{parse_bytes_with, Reader};
    let mangled = found_case(FOUND[0]);
    assert!(
        String::from_utf8_lossy(&mangled).contains("ALTREP=\"data:t\nxt/html"),
        "the mutation no longer breaks the quoted value"
    );
    let ours = parse_bytes_with(&mangled, Reader::Lexer).expect("read");
    assert_eq!(ours.events.len(), 1, "{:?}", ours.warnings);
    assert_eq!(ours.events[0].uid, "20055546456446");
    let warned: Vec<usize> = ours.warnings.iter().map(|w| w.line).collect();
    assert_eq!(warned, [17, 18]);
    assert_eq!(ours.events[0].description, "");
}

/// Found by a long run of the property below: a line break inside `BEGIN:VALARM` left
/// `BEGIN:V`, `LARM` and `END:VALARM`. The crate's parser closed `V` with `END:VALARM` (it
/// compares a prefix); the lexer gave the event up. Now the event's END closes what is
/// open in it, and the stray END is left out with a warning.
#[test]
fn a_line_break_inside_begin_valarm_loses_no_event() {
    use timeward::calendar::ics::{parse_bytes_with, Reader};
    let mangled = found_case(FOUND[1]);
    assert!(
        String::from_utf8_lossy(&mangled).contains("BEGIN:V\nLARM"),
        "the mutation no longer breaks the BEGIN line"
    );
    let ours = parse_bytes_with(&mangled, Reader::Lexer).expect("read");
    assert_eq!(ours.events.len(), 1, "{:?}", ours.warnings);
    let warned: Vec<usize> = ours.warnings.iter().map(|w| w.line).collect();
    assert_eq!(warned, [10, 15]);
}

/// The cases runs of the property below found (a corpus file, and the byte flipped in
/// its first event), kept.
const FOUND: [(&str, (usize, u8)); 4] = [
    // `DESCRIPTION;ALTREP="data:t` / `xt/html,…`: a line broken inside a quoted value.
    (
        "python-icalendar/calendars__issue_350.ics",
        (7568089005620925979, 10),
    ),
    // `BEGIN:V` / `LARM` … `END:VALARM`.
    (
        "python-icalendar/calendars__issue_1426.ics",
        (12930912619150406767, 10),
    ),
    // `DTEND;TZID=\0Western/Central Europe";…`: a quote that never closes.
    (
        "python-icalendar/calendars__issue_526_calendar_with_event_subset.ics",
        (8720638824827063716, 0),
    ),
    // `END:VEVENT` → ` ND:VEVENT`, folded into `END:VALARM`: the event lost its END
    // with its alarm open (the crate's parser closed VALARM with `END:VALARMND`).
    (
        "recurring-ical-events/alarm_absolute_repeat.ics",
        (17292736588094756620, 32),
    ),
];

/// A found case's mangled bytes.
fn found_case((file, at): (&str, (usize, u8))) -> Vec<u8> {
    let original = std::fs::read(format!("tests/corpus/{file}")).expect("the corpus file");
    let (mangled, _) = apply(
        &original,
        &Mutation::Flip {
            event: 0,
            at: vec![at],
        },
    );
    assert_ne!(mangled, original, "{file}");
    mangled
}

#[test]
fn mangled_calendars_found_by_long_runs_read_as_the_crate_did() {
    for case in FOUND {
        if let Err(e) = lexer_agrees(&found_case(case)) {
            panic!("{}: {e}", case.0);
        }
    }
}

#[test]
fn the_lexer_reads_real_and_mangled_calendars_as_the_icalendar_crate_did() {
    let calendars = real_calendars();
    for (name, bytes) in &calendars {
        if let Err(e) = lexer_agrees(bytes) {
            panic!("{name}: {e}");
        }
    }
    let strategy = (0..calendars.len(), mutation());
    runner(512)
        .run(&strategy, |(which, m)| {
            let (name, bytes) = &calendars[which];
            let (mangled, _) = apply(bytes, &m);
            lexer_agrees(&mangled).map_err(|e| TestCaseError::fail(format!("{name}: {m:?}: {e}")))
        })
        .expect("no failing case");
}

#[test]
fn rules_files_with_any_edit_never_panic() {
    without_hidden_panics(|| {
        let strategy = (
            proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 0..64),
        );
        runner(512)
            .run(&strategy, |(flips, cut, insert)| {
                let mut bytes = RULES.as_bytes().to_vec();
                for (at, b) in flips {
                    let i = at % bytes.len();
                    bytes[i] = b;
                }
                let at = cut % (bytes.len() + 1);
                bytes.splice(at..at, insert);
                let text = String::from_utf8_lossy(&bytes);
                let started = Instant::now();
                let _ = Rules::parse(&text, "rules.toml");
                prop_assert!(started.elapsed() < BOUND);
                Ok(())
            })
            .expect("no failing case");
        runner(256)
            .run(&".{0,400}", |text| {
                let _ = Rules::parse(&text, "rules.toml");
                Ok(())
            })
            .expect("no failing case");
    });
}

#[test]
fn any_http_request_leaves_the_server_serving() {
    use support::daemon::{setup, Daemon, TempDir};
    let dir = TempDir::new("fuzz-http");
    setup(dir.path(), "1m");
    let d = Daemon::start(dir.path());
    let good = d.wait_ready();
    let feed_path = d.feed_path();
    let requests = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..2048),
        (
            prop_oneof![
                Just("GET"),
                Just("HEAD"),
                Just("POST"),
                Just("PUT"),
                Just("G\u{e9}T")
            ],
            prop_oneof![
                Just("/".to_string()),
                Just(feed_path.clone()),
                Just("/healthz".to_string()),
                Just("/api/decisions".to_string()),
                "/[a-z0-9%./?=&ü€-]{0,200}",
            ],
            proptest::collection::vec(("[A-Za-z-]{1,20}", "[ -~ü€]{0,300}"), 0..8),
        )
            .prop_map(|(m, p, h)| {
                let mut r = format!("{m} {p} HTTP/1.1\r\nHost: x\r\n");
                for (k, v) in h {
                    r.push_str(&format!("{k}: {v}\r\n"));
                }
                r.push_str("\r\n");
                r.into_bytes()
            }),
    ];
    runner(64)
        .run(&requests, |bytes| {
            let mut s = TcpStream::connect(&d.addr).expect("connect");
            s.set_read_timeout(Some(Duration::from_secs(10))).ok();
            let _ = s.write_all(&bytes);
            let _ = s.shutdown(std::net::Shutdown::Write);
            let mut sink = Vec::new();
            let _ = s.read_to_end(&mut sink);
            Ok(())
        })
        .expect("no failing case");
    // Still serving the same feed, and nothing in the log says it panicked.
    let after = d.feed();
    assert_eq!(after.status, 200);
    assert_eq!(after.body, good.body);
    let log = d.log_text();
    assert!(
        !log.contains("panicked") && !log.contains("internal error"),
        "{log}"
    );
}
