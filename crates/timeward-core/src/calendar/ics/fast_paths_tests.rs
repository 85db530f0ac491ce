//! The reader's fast paths agree with the `icalendar` crate they stand in for: the
//! lexer's properties with the crate's parser, line by line, and the hand-read dates and
//! times with `DatePerhapsTime::from_property`.

use icalendar::DatePerhapsTime;
use proptest::prelude::*;

use super::event::quick_time;
use super::lexer::property;

/// The crate's reading of one content line, inside a component.
fn crate_property(line: &str) -> Option<icalendar::parser::Property<'static>> {
    let text = format!("BEGIN:X\r\n{line}\r\nEND:X\r\n");
    let parsed = icalendar::parser::read_calendar(&text).ok()?;
    let c = parsed.components.first()?;
    match c.properties.as_slice() {
        [p] => Some(icalendar::parser::Property {
            name: p.name.clone().into_owned(),
            val: p.val.clone().into_owned(),
            params: p
                .params
                .iter()
                .map(|x| icalendar::parser::Parameter {
                    key: x.key.clone().into_owned(),
                    val: x.val.clone().map(|v| v.into_owned()),
                })
                .collect(),
        }),
        _ => None,
    }
}

fn line_part() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("DTSTART".to_string()),
        Just("SUMMARY".to_string()),
        Just("X-APPLE-X".to_string()),
        Just("categories".to_string()),
        Just("ATTENDEE".to_string()),
        Just(";".to_string()),
        Just(":".to_string()),
        Just("=".to_string()),
        Just("\"".to_string()),
        Just(",".to_string()),
        Just(" ".to_string()),
        Just("\\\\".to_string()),
        Just("\\n".to_string()),
        Just("\\,".to_string()),
        Just("VALUE=TEXT".to_string()),
        Just("VALUE=DATE".to_string()),
        Just("TZID=Europe/Berlin".to_string()),
        Just("CN=\"Doe, J\"".to_string()),
        Just("20240910T090000Z".to_string()),
        Just("Grüße".to_string()),
        "[a-zA-Z0-9_./-]{0,6}",
    ]
}

proptest! {
    /// Wherever the crate reads a content line as one property, the lexer reads the same.
    #[test]
    fn lexer_properties_are_the_crates(parts in proptest::collection::vec(line_part(), 1..8)) {
        let line: String = parts.concat();
        if line.contains(['\r', '\n']) || line.to_ascii_uppercase().starts_with("BEGIN")
            || line.to_ascii_uppercase().starts_with("END")
            // What the reader handed to the crate's parser (the rest it left out).
            || !super::lines::is_content_line(&line) {
            return Ok(());
        }
        if let Some(expected) = crate_property(&line) {
            let ours = property(&line);
            prop_assert_eq!(ours.as_ref(), Some(&expected), "{}", line);
        }
    }

    /// Where the hand-read date or time answers, it is the crate's answer.
    #[test]
    fn quick_times_are_the_crates(
        params in proptest::collection::vec(prop_oneof![
            Just(";TZID=Europe/Berlin"), Just(";VALUE=DATE"), Just(";VALUE=DATE-TIME"),
            Just(";tzid=X"), Just(";VALUE=PERIOD"), Just(";X=1"),
        ], 0..3),
        value in prop_oneof![
            "[0-9]{8}", "[0-9]{8}T[0-9]{6}", "[0-9]{8}T[0-9]{6}Z",
            "20[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9])T(0[0-9]|1[0-9]|2[0-3])[0-5][0-9][0-5][0-9]Z?",
            "20[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9])",
            "[0-9Tt:Z-]{6,17}",
        ],
    ) {
        let line = format!("DTSTART{}:{value}", params.concat());
        let p = property(&line).expect("a property");
        if let Some(quick) = quick_time(&p) {
            let owned: icalendar::Property = p.clone().into();
            prop_assert_eq!(Some(quick), DatePerhapsTime::from_property(&owned), "{}", line);
        }
    }
}

#[test]
fn the_usual_shapes_take_the_quick_way() {
    for line in [
        "DTSTART:20240910T090000Z",
        "DTSTART:20240910T090000",
        "DTSTART;TZID=Europe/Berlin:20240910T090000",
        "DTSTART;VALUE=DATE:20240910",
        "DTSTART:20240910",
    ] {
        let p = property(line).expect("a property");
        let owned: icalendar::Property = p.clone().into();
        assert_eq!(
            quick_time(&p),
            DatePerhapsTime::from_property(&owned),
            "{line}"
        );
        assert!(quick_time(&p).is_some(), "{line}");
    }
    // Not the usual shapes: left to the crate.
    for line in [
        "DTSTART:20240910t090000",
        "DTSTART:20240910T235960Z",
        "DTSTART;tzid=X:20240910T090000",
    ] {
        assert_eq!(
            quick_time(&property(line).expect("a property")),
            None,
            "{line}"
        );
    }
}

/// A generated calendar of 3 000 events (300 awaiting the executive) as .ics text.
fn demo_text(seed: u64) -> String {
    crate::demo::to_ics(&demo_calendar(seed))
}

fn demo_calendar(seed: u64) -> crate::calendar::Snapshot {
    let shape = crate::demo::Shape {
        events: 3_000,
        requests: 300,
        days: 90,
        request_days: 28,
        recurring_one_in: 10,
    };
    let now = crate::demo::benchmark_now();
    crate::demo::calendar(seed, shape, now, chrono_tz::Tz::UTC)
}

#[test]
fn a_large_calendar_reads_the_same_on_any_number_of_threads() {
    let mut text = demo_text(3);
    // A broken event and a line to skip, so that warnings are joined in order too.
    text = text.replacen("DTSTART", "DTSTART;X=\"unclosed:", 7);
    text = text.replacen("SUMMARY", "not a content line\r\nSUMMARY", 5);
    let one = super::parse_bytes(text.as_bytes()).expect("reads");
    assert_eq!(one.events.len(), 3_000 - 7);
    assert!(one.warnings.len() >= 12, "{:?}", one.warnings.len());
    for threads in [2, 3, 7] {
        let many = super::parse_bytes_on(text.as_bytes(), threads).expect("reads");
        assert_eq!(many.events, one.events, "{threads} threads");
        assert_eq!(many.warnings, one.warnings, "{threads} threads");
    }
}

/// Compacting each event as it is read gives the snapshot that compacting the whole read
/// gives, on any number of threads, for the executive of the calendar and for another.
#[test]
fn compacting_as_read_is_compacting_after() {
    // Each event's attendees in another order (the executive anywhere among them), and
    // the executive's address written in capitals in every third event.
    let mut calendar = demo_calendar(5);
    for (i, e) in calendar.events.iter_mut().enumerate() {
        let n = e.attendees.len().max(1);
        e.attendees.rotate_left(i % n);
        for a in e.attendees.iter_mut().filter(|_| i % 3 == 0) {
            if a.email == crate::demo::EXEC {
                a.email = a.email.to_uppercase();
            }
        }
    }
    let text = crate::demo::to_ics(&calendar);
    let full = super::parse_bytes(text.as_bytes()).expect("reads");
    let not_first = full
        .events
        .iter()
        .filter(|e| {
            e.attendees
                .iter()
                .skip(1)
                .any(|a| a.email == crate::demo::EXEC)
        })
        .count();
    assert!(not_first > 100, "{not_first}");
    for exec in [crate::demo::EXEC, "someone.else@acme.example"] {
        let mut after = full.clone();
        after.compact(exec);
        assert_ne!(after.events, full.events, "compaction drops something here");
        for threads in [1, 2, 3] {
            let as_read =
                super::parse_bytes_compacted_on(text.as_bytes(), threads, exec).expect("reads");
            assert_eq!(as_read.events, after.events, "{exec}, {threads} threads");
            assert_eq!(
                as_read.warnings, after.warnings,
                "{exec}, {threads} threads"
            );
        }
    }
}
