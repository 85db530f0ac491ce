//! Table-driven tests of the rules language: what parses, and what each error says.

use chrono::{NaiveDate, TimeDelta, Weekday};

use crate::rules::{Effect, Pattern, Rules, Verdict, Window};

const HEAD: &str = "[executive]\nemail = \"dana@acme.example\"\ntimezone = \"America/New_York\"\n";

fn parse(body: &str) -> Result<Rules, Vec<String>> {
    Rules::parse(&format!("{HEAD}{body}"), "rules.toml").map_err(|e| {
        e.errors
            .iter()
            .map(|x| {
                format!(
                    "{}:{} {}: {} | {}",
                    x.line,
                    x.col,
                    x.key,
                    x.message,
                    x.hint.clone().unwrap_or_default()
                )
            })
            .collect()
    })
}

/// `body` must fail with exactly one error whose rendering contains every `needle`.
fn check_error(body: &str, needles: &[&str]) {
    match parse(body) {
        Ok(_) => panic!("expected an error for:\n{body}"),
        Err(errors) => {
            assert_eq!(errors.len(), 1, "expected one error, got {errors:#?}");
            for n in needles {
                assert!(
                    errors[0].contains(n),
                    "{:?} does not contain {n:?}",
                    errors[0]
                );
            }
        }
    }
}

#[test]
fn minimal_file_takes_the_defaults() {
    let r = parse("").expect("valid");
    assert_eq!(r.executive.email, "dana@acme.example");
    assert_eq!(r.executive.known_domains, vec!["acme.example".to_string()]);
    assert_eq!(r.limits.horizon, TimeDelta::weeks(4));
    assert_eq!(r.thresholds.accept, 70);
    assert_eq!(r.thresholds.decline, 40);
    assert_eq!(r.weights.base, 50);
    assert_eq!(r.weights.conflict_one_on_one, -25);
    assert_eq!(
        r.hours_on(Weekday::Mon),
        Some(Window {
            start: 540,
            end: 1020
        })
    );
    assert_eq!(r.hours_on(Weekday::Sat), None);
}

#[test]
fn full_example_parses() {
    let text = include_str!("../../../../../config/rules.example.toml");
    let r = Rules::parse(text, "rules.example.toml").unwrap_or_else(|e| panic!("{e}"));
    assert!(!r.goals.is_empty());
    assert!(!r.rules.is_empty());
}

#[test]
fn values_are_read() {
    let r = parse(
        r#"
[working_hours]
mon = "08:30-12:00"
fri = "09:00-13:00"
[limits]
horizon = "2w"
min_notice = "1h30m"
buffer = "10m"
max_meetings_per_day = 6
max_meeting_hours_per_day = 4.5
[thresholds]
accept = 60
decline = 20
[[goals]]
name = "Series B"
weight = 30
keywords = ["Series  B"]
people = ["*@sequoia.example"]
until = 2027-03-31
[people]
vip = ["chair@board.example"]
blocked = ["*"]
[[rules]]
name = "points"
if = { days = ["mon", "fri"], time = "12:00-13:00", attendees_over = 3 }
then = { points = -5 }
[[rules]]
name = "verdict"
then = "Decline"
[[rules]]
name = "to"
if = { from = ["a@b.example"] }
then = { delegate_to = "COS@acme.example" }
[weights]
base = 40
"#,
    )
    .expect("valid");
    assert_eq!(
        r.hours_on(Weekday::Mon),
        Some(Window {
            start: 510,
            end: 720
        })
    );
    assert_eq!(r.hours_on(Weekday::Tue), None);
    assert_eq!(r.limits.min_notice, TimeDelta::minutes(90));
    assert_eq!(r.limits.max_meeting_minutes_per_day, Some(270));
    assert_eq!(r.goals[0].keywords[0].as_str(), "series b");
    assert_eq!(r.goals[0].until, NaiveDate::from_ymd_opt(2027, 3, 31));
    assert_eq!(r.blocked, vec![Pattern::Everyone]);
    assert_eq!(r.rules[0].when.days, Some(vec![Weekday::Mon, Weekday::Fri]));
    assert_eq!(r.rules[0].then, Effect::Points(-5));
    assert_eq!(r.rules[1].then, Effect::Verdict(Verdict::Decline));
    assert_eq!(
        r.rules[2].then,
        Effect::DelegateTo("cos@acme.example".into())
    );
    assert_eq!(r.weights.base, 40);
    assert_eq!(r.weights.focus, -30);
}

#[test]
fn errors_name_line_column_key_and_fix() {
    // (body, what the one error must mention). The body starts on line 4.
    let cases: &[(&str, &[&str])] = &[
        ("[limits]\nbufer = \"10m\"\n", &["5:1", "limits.bufer", "unknown key", "did you mean \"buffer\"", "known keys here"]),
        ("[limits]\nbuffer = 10\n", &["5:10", "limits.buffer", "must be a string", "found integer", "duration like"]),
        ("[limits]\nbuffer = \"10x\"\n", &["5:10", "limits.buffer", "not a duration", "\"1h30m\""]),
        ("[working_hours]\ntues = \"09:00-17:00\"\n", &["5:1", "working_hours.tues", "unknown weekday", "did you mean \"tue\""]),
        ("[[focus]]\ndays = [\"mon\", \"thurs\"]\ntime = \"09:00-11:00\"\n", &["5:16", "focus[1].days[1]", "unknown weekday \"thurs\"", "did you mean \"thu\""]),
        ("[working_hours]\nmon = \"17:00-09:00\"\n", &["5:7", "working_hours.mon", "ends before it starts", "09:00-17:30"]),
        ("[thresholds]\naccept = 40\ndecline = 40\n", &["5:10", "thresholds.accept", "accept (40) must be greater than decline (40)"]),
        ("[thresholds]\naccept = \"70\"\n", &["5:10", "thresholds.accept", "must be a whole number", "without quotes"]),
        ("[[rules]]\nname = \"x\"\nthen = { delegate_to = \"cos\" }\n", &["6:24", "rules[1].then.delegate_to", "not an e-mail address"]),
        ("[[rules]]\nname = \"x\"\nthen = \"acept\"\n", &["6:8", "rules[1].then", "unknown verdict", "did you mean \"accept\""]),
        ("[[rules]]\nname = \"x\"\nif = { recuring = true }\nthen = \"accept\"\n", &["6:8", "rules[1].if.recuring", "did you mean \"recurring\""]),
        ("[[rules]]\nname = \"x\"\nif = { recurring = \"yes\" }\nthen = \"accept\"\n", &["6:20", "rules[1].if.recurring", "true or false"]),
        ("[[rules]]\nname = \"x\"\nthen = { points = 5, delegate_to = \"a@b.example\" }\n", &["rules[1].then", "one effect"]),
        ("[[rules]]\nname = \"x\"\n", &["4:1", "rules[1].then", "is missing"]),
        ("[people]\nvip = [\"board.example\"]\n", &["5:8", "people.vip[0]", "not an address pattern", "*@domain"]),
        ("[[goals]]\nname = \"g\"\nweight = 10\nuntil = \"March\"\n", &["7:9", "goals[1].until", "not a date", "2027-03-31"]),
        ("[[one_on_ones]]\nwith = \"sam@acme.example\"\nevery = \"90m\"\nduration = \"30m\"\nprefer = { days = [\"mon\"], time = \"09:00-10:00\" }\n", &["6:9", "one_on_ones[1].every", "whole number of days or weeks"]),
        ("[[one_on_ones]]\nwith = \"a@acme.example\"\ntitle = \"1:1\"\nevery = \"1w\"\nduration = \"30m\"\nprefer = { days = [\"mon\"], time = \"09:00-10:00\" }\n[[one_on_ones]]\nwith = \"b@acme.example\"\ntitle = \"1:1\"\nevery = \"1w\"\nduration = \"30m\"\nprefer = { days = [\"mon\"], time = \"09:00-10:00\" }\n", &["12:9", "one_on_ones[2].title", "title of an earlier 1:1", "its own title"]),
        ("[limits]\nhorizon = \"4w\"\n[limits.extra]\n", &["6:9", "limits.extra", "unknown key \"extra\""]),
        ("[weights]\nconflict = -40\nconflicts = -40\n", &["6:1", "weights.conflicts", "did you mean \"conflict\""]),
        ("[extras]\n", &["4:2", "unknown key \"extras\"", "known keys here: executive"]),
        ("[limits\nbuffer = \"10m\"\n", &["4:", "not valid TOML"]),
    ];
    for (body, needles) in cases {
        check_error(body, needles);
    }
}

#[test]
fn executive_errors() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[people]\n",
            &["1:1", "executive", "is missing", "[executive]"],
        ),
        (
            "[executive]\nemail = \"dana\"\ntimezone = \"America/New_York\"\n",
            &["2:9", "executive.email", "not an e-mail address"],
        ),
        (
            "[executive]\nemail = \"dana@acme.example\"\ntimezone = \"America/NewYork\"\n",
            &[
                "3:12",
                "executive.timezone",
                "unknown time zone",
                "did you mean \"America/New_York\"",
            ],
        ),
        (
            "[executive]\nemail = \"dana@acme.example\"\n",
            &["1:1", "executive.timezone", "is missing"],
        ),
    ];
    for (text, needles) in cases {
        let err = Rules::parse(text, "r.toml")
            .expect_err("must fail")
            .to_string();
        for n in *needles {
            assert!(err.contains(n), "{err:?} does not contain {n:?}");
        }
    }
}

#[test]
fn every_error_is_reported_in_file_order() {
    let err = parse(
        "[limits]\nbuffer = \"x\"\nhorizon = 3\n[working_hours]\nmonday2 = \"09:00-17:00\"\n",
    )
    .expect_err("three errors");
    assert_eq!(err.len(), 3, "{err:#?}");
    assert!(
        err[0].starts_with("5:") && err[1].starts_with("6:") && err[2].starts_with("8:"),
        "{err:#?}"
    );
}

#[test]
fn rendered_error_starts_with_file_line_col() {
    let err = Rules::parse(
        &format!("{HEAD}[limits]\nbuffer = \"x\"\n"),
        "config/rules.toml",
    )
    .expect_err("fails");
    let text = err.to_string();
    assert!(
        text.starts_with("config/rules.toml:5:10: limits.buffer: "),
        "{text}"
    );
    assert!(text.contains("\n    fix: "), "{text}");
}
