//! The difference between two plans: only what changes, reasons added and removed, 1:1s
//! that move, unplaced periods that appear or go.

use chrono::{TimeZone, Utc};

use super::{difference, plans};
use crate::calendar::ics;
use crate::rules::Rules;

const CALENDAR: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n\
BEGIN:VEVENT\r\nUID:r1\r\nDTSTART:20261208T150000Z\r\nDTEND:20261208T160000Z\r\n\
SUMMARY:Hiring sync\r\nORGANIZER:mailto:ana@acme.example\r\n\
ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:dana@acme.example\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:r2\r\nDTSTART:20261209T150000Z\r\nDTEND:20261209T160000Z\r\n\
SUMMARY:Coffee\r\nORGANIZER:mailto:bo@acme.example\r\n\
ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:dana@acme.example\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

fn rules(weight: i64, extra: &str) -> Rules {
    let text = format!(
        "[executive]\nemail = \"dana@acme.example\"\ntimezone = \"America/New_York\"\n\
         assistant = \"sam@acme.example\"\nknown_domains = [\"acme.example\"]\n\n\
         [[goals]]\nname = \"Hiring\"\nweight = {weight}\nkeywords = [\"hiring\"]\n{extra}"
    );
    Rules::parse(&text, "rules.toml").expect("valid rules")
}

fn run(current: &Rules, new: &Rules) -> super::Difference {
    let snapshot = ics::parse(CALENDAR).expect("calendar");
    let now = Utc
        .with_ymd_and_hms(2026, 12, 7, 13, 0, 0)
        .single()
        .expect("now");
    let (a, b) = plans(&snapshot, current, new, &[], now, 1);
    difference(&a, &b)
}

#[test]
fn identical_rules_change_nothing() {
    let d = run(&rules(10, ""), &rules(10, ""));
    assert!(!d.changed);
    assert_eq!(d.text(), "no suggestion changes\n");
}

#[test]
fn a_raised_goal_lists_the_request_with_its_points_before_and_after() {
    let d = run(&rules(10, ""), &rules(30, ""));
    assert_eq!(d.decisions.len(), 1, "{d:#?}");
    let c = &d.decisions[0];
    assert_eq!(c.id, "r1");
    assert_eq!(
        c.before.as_ref().map(|s| s.verdict.as_str()),
        Some("delegate")
    );
    assert_eq!(
        c.after.as_ref().map(|s| (s.verdict.as_str(), s.score)),
        Some(("accept", 80))
    );
    assert_eq!(
        c.reasons_removed
            .iter()
            .map(|r| r.points)
            .collect::<Vec<_>>(),
        vec![10, 0]
    );
    assert!(c.reasons_removed[0].source == "goal: Hiring");
    assert_eq!(c.reasons_added[0].points, 30);
    assert!(c.reasons_added[0].source == "goal: Hiring");
    let text = d.text();
    assert!(text.contains("- +10 goal: Hiring"), "{text}");
    assert!(text.contains("+ +30 goal: Hiring"), "{text}");
    assert!(
        text.contains("delegate → sam@acme.example (score 60) → accept (score 80)"),
        "{text}"
    );
    // The untouched request is not listed.
    assert!(!text.contains("Coffee"), "{text}");
}

#[test]
fn a_new_verdict_rule_lists_what_it_catches() {
    let rule = "\n[[rules]]\nname = \"No coffee\"\nif = { title_has = [\"coffee\"] }\nthen = \"decline\"\n";
    let d = run(&rules(10, ""), &rules(10, rule));
    assert_eq!(d.decisions.len(), 1, "{d:#?}");
    assert_eq!(d.decisions[0].id, "r2");
    assert_eq!(
        d.decisions[0].after.as_ref().map(|s| s.verdict.as_str()),
        Some("decline")
    );
    assert!(
        d.decisions[0]
            .reasons_added
            .iter()
            .any(|r| r.detail.contains("No coffee")),
        "{:#?}",
        d.decisions[0]
    );
}

#[test]
fn a_daily_limit_adds_and_removes_its_reasons() {
    let busy = "BEGIN:VEVENT\r\nUID:b1\r\nDTSTART:20261208T140000Z\r\nDTEND:20261208T143000Z\r\n\
        SUMMARY:Standup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let snapshot = ics::parse(&CALENDAR.replace("END:VCALENDAR\r\n", busy)).expect("calendar");
    let now = Utc
        .with_ymd_and_hms(2026, 12, 7, 13, 0, 0)
        .single()
        .expect("now");
    let limited = rules(10, "\n[limits]\nmax_meetings_per_day = 1\n");
    let (a, b) = plans(&snapshot, &rules(10, ""), &limited, &[], now, 1);
    let d = difference(&a, &b);
    let c = d
        .decisions
        .iter()
        .find(|c| c.id == "r1")
        .expect("r1 changes");
    assert!(
        c.reasons_added
            .iter()
            .any(|r| r.points < 0 && r.detail.contains("meeting")),
        "{c:#?}"
    );
    // And back: the same reasons vanish.
    let back = difference(&b, &a);
    let c = back
        .decisions
        .iter()
        .find(|c| c.id == "r1")
        .expect("r1 changes back");
    assert!(c
        .reasons_removed
        .iter()
        .any(|r| r.points < 0 && r.detail.contains("meeting")));
}
