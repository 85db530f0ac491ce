//! Unit tests of the rules file's value types: durations, windows, weekdays, patterns
//! and phrases.

use super::*;

/// The ASCII fast path of `normalize` agrees with the Unicode path.
#[test]
fn normalize_ascii_matches_unicode_rules() {
    let slow = |s: &str| {
        let mut out = String::new();
        let mut space = false;
        for c in s.chars() {
            if c.is_whitespace() {
                space = !out.is_empty();
                continue;
            }
            if space {
                out.push(' ');
                space = false;
            }
            out.extend(c.to_lowercase());
        }
        out
    };
    for b in 0u8..128 {
        let c = char::from(b);
        for s in [format!("A{c}b"), format!("{c}{c}Xy {c}"), format!("  Q{c}")] {
            assert_eq!(normalize(&s), slow(&s), "{s:?}");
        }
    }
    assert_eq!(normalize("  Launch\tPLAN\r\n v2 "), "launch plan v2");
    assert_eq!(normalize("Ünïcode  TITLE"), "ünïcode title");
}

#[test]
fn durations() {
    let ok: &[(&str, i64)] = &[
        ("30m", 1800),
        ("1h30m", 5400),
        ("24h", 86_400),
        ("2w", 1_209_600),
        ("1d", 86_400),
        ("30s", 30),
        ("0m", 0),
    ];
    for (s, secs) in ok {
        assert_eq!(parse_duration(s).map(|d| d.num_seconds()), Ok(*secs), "{s}");
        assert_eq!(
            parse_duration(&format_duration(TimeDelta::seconds(*secs))),
            parse_duration(s)
        );
    }
    for bad in ["", "10", "10x", "h", "1.5h", "-5m", "m30"] {
        assert!(parse_duration(bad).is_err(), "{bad} should be refused");
    }
}

#[test]
fn windows() {
    assert_eq!(
        Window::parse("09:00-17:30"),
        Ok(Window {
            start: 540,
            end: 1050
        })
    );
    assert_eq!(
        Window::parse("22:00-24:00"),
        Ok(Window {
            start: 1320,
            end: 1440
        })
    );
    for bad in [
        "17:00-09:00",
        "9-17",
        "09:00",
        "25:00-26:00",
        "09:60-10:00",
        "09:00-09:00",
    ] {
        assert!(Window::parse(bad).is_err(), "{bad} should be refused");
    }
    assert_eq!(
        Window {
            start: 540,
            end: 1050
        }
        .to_string(),
        "09:00-17:30"
    );
}

#[test]
fn weekdays() {
    assert_eq!(parse_weekday("mon"), Some(Weekday::Mon));
    assert_eq!(parse_weekday("Sun"), Some(Weekday::Sun));
    assert_eq!(parse_weekday("tuesday"), Some(Weekday::Tue));
    assert_eq!(parse_weekday("tues"), None);
}

#[test]
fn patterns() {
    let cases: &[(&str, &str, bool)] = &[
        ("*@sequoia.example", "partner@sequoia.example", true),
        ("*@sequoia.example", "partner@eu.sequoia.example", false),
        ("*@Sequoia.Example", "partner@sequoia.example", true),
        ("chair@board.example", "chair@board.example", true),
        ("chair@board.example", "vice@board.example", false),
        ("*", "anyone@anywhere.example", true),
    ];
    for (p, email, want) in cases {
        let pat = Pattern::parse(p).expect("valid pattern");
        assert_eq!(pat.matches(email), *want, "{p} vs {email}");
    }
    for bad in [
        "sequoia.example",
        "@x",
        "*@",
        "a@*.example",
        "two@@x",
        "a b@x",
    ] {
        assert!(Pattern::parse(bad).is_err(), "{bad} should be refused");
    }
}

#[test]
fn phrases_match_at_word_boundaries() {
    let cases: &[(&str, &str, bool)] = &[
        ("demo", "Vendor demo: AcmeCRM", true),
        ("demo", "Site demolition review", false),
        ("demo", "pre-demo sync", true),
        ("series b", "Series  B term sheet", true),
        ("series b", "Series Bravo", false),
        ("vp eng", "VP Engineering chat", false),
        ("vp eng", "vp eng: final", true),
        ("term sheet", "termsheet", false),
        ("café", "Meet at the CAFÉ", true),
        ("demo", "demo", true),
        ("demo", "demos and demo", true),
        ("1:1", "Dana 1:1 catch-up", true),
        ("1:1", "Dana 1-1 catch-up", false),
        ("q&a", "Town hall Q&A", true),
        ("#launch", "prep #launch", true),
        ("demo day", "demo dayz", false),
        ("demo day", "the demo day!", true),
    ];
    for (p, text, want) in cases {
        let phrase = Phrase::new(p).expect("non-empty");
        let text = normalize(text);
        assert_eq!(phrase.found_in(&text), *want, "{p:?} in {text:?}");
        assert_eq!(
            phrase.found_in_words(&text, &Words::of(&text)),
            *want,
            "{p:?} in {text:?} with the word prefilter"
        );
    }
}
