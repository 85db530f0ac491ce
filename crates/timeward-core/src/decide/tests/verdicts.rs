//! The verdict's order, private titles, recurring requests and reservations.

use super::*;

#[test]
fn verdict_order() {
    let topics =
        "[[delegates]]\nemail = \"cos@acme.example\"\nname = \"CoS\"\ntopics = [\"vendor\"]\n";
    // (case, title, organizer, extra rules, verdict, delegate_to)
    type Case<'a> = (&'a str, &'a str, &'a str, String, Verdict, Option<&'a str>);
    let cases: Vec<Case> = vec![
        ("accept at threshold", "Sync", "ops@acme.example", "[thresholds]\naccept = 50\ndecline = 10\n".into(), Verdict::Accept, None),
        ("assistant in between", "Sync", "ops@acme.example", String::new(), Verdict::Delegate, Some("sam@acme.example")),
        ("decline below", "Sync", "x@outside.example", "[thresholds]\naccept = 90\ndecline = 45\n".into(), Verdict::Decline, None),
        ("topic beats decline", "Vendor pitch", "x@outside.example", format!("[thresholds]\naccept = 90\ndecline = 45\n{topics}"), Verdict::Delegate, Some("cos@acme.example")),
        ("accept beats topic", "Vendor pitch", "ops@acme.example", format!("[thresholds]\naccept = 50\ndecline = 10\n{topics}"), Verdict::Accept, None),
        (
            "first verdict rule wins",
            "Sync",
            "ops@acme.example",
            "[[rules]]\nname = \"a\"\nthen = \"decline\"\n[[rules]]\nname = \"b\"\nthen = \"accept\"\n".into(),
            Verdict::Decline,
            None,
        ),
        (
            "points rules do not stop a later verdict rule",
            "Sync",
            "ops@acme.example",
            "[[rules]]\nname = \"a\"\nthen = { points = 100 }\n[[rules]]\nname = \"b\"\nthen = \"decline\"\n".into(),
            Verdict::Decline,
            None,
        ),
        (
            "a rule that does not match is skipped",
            "Sync",
            "ops@acme.example",
            "[[rules]]\nname = \"a\"\nif = { external = true }\nthen = \"decline\"\n[[rules]]\nname = \"b\"\nthen = \"accept\"\n".into(),
            Verdict::Accept,
            None,
        ),
        ("blocked beats every rule", "Sync", "spam@cold.example", "[people]\nblocked = [\"*@cold.example\"]\n[[rules]]\nname = \"a\"\nthen = \"accept\"\n".into(), Verdict::Decline, None),
        ("blocked beats a VIP score", "Sync", "spam@cold.example", "[people]\nblocked = [\"*@cold.example\"]\nvip = [\"*@cold.example\"]\n".into(), Verdict::Decline, None),
        ("delegate_to rule", "Sync", "ops@acme.example", "[[rules]]\nname = \"a\"\nthen = { delegate_to = \"lee@acme.example\" }\n".into(), Verdict::Delegate, Some("lee@acme.example")),
        ("delegate rule finds the topic's delegate", "Vendor pitch", "ops@acme.example", format!("{topics}[[rules]]\nname = \"a\"\nthen = \"delegate\"\n"), Verdict::Delegate, Some("cos@acme.example")),
        ("delegate rule without a topic goes to the assistant", "Sync", "ops@acme.example", format!("{topics}[[rules]]\nname = \"a\"\nthen = \"delegate\"\n"), Verdict::Delegate, Some("sam@acme.example")),
    ];
    for (name, title, organizer, extra, verdict, to) in cases {
        let d = only(
            &run(vec![request("r", title, 8, 14, 0, 60, organizer)], &extra),
            "r",
        );
        assert_eq!(
            (d.verdict.clone(), d.delegate_to.as_deref()),
            (verdict, to),
            "{name}: {:#?}",
            d.reasons
        );
        let last = d.reasons.last().map(|r| (r.source.as_str(), r.points));
        assert_eq!(
            last,
            Some(("verdict", 0)),
            "{name}: the verdict is explained"
        );
    }
}

#[test]
fn private_events_are_named_a_private_event() {
    let mut dentist = busy("b", "Dentist: root canal", 8, 14, 30, 60);
    dentist.private = true;
    dentist.description = "Dr. Molar".into();
    let d = only(
        &run(vec![internal("r", "Sync", 8, 14, 0, 60), dentist], ""),
        "r",
    );
    let text = format!("{:?}", d.reasons);
    assert!(text.contains("\\\"a private event\\\""), "{text}");
    assert!(
        !text.contains("Dentist") && !text.contains("Molar"),
        "{text}"
    );

    let mut secret = internal("s", "Acquisition talks", 8, 16, 0, 30);
    secret.private = true;
    let d = only(&run(vec![secret], ""), "s");
    assert_eq!(d.title, "a private event");
}

#[test]
fn recurring_requests_are_checked_on_every_occurrence_in_the_horizon() {
    // Weekly on Wednesdays 16:00 from 2026-12-09; only the 2026-12-23 occurrence conflicts,
    // and one on 2027-01-06 is beyond the 4-week horizon (ends 2027-01-04 08:00).
    let mut r = internal("r", "Weekly sync", 9, 16, 0, 30);
    r.recurrence = Some(Box::new(Recurrence {
        rrules: vec!["FREQ=WEEKLY;BYDAY=WE".into()],
        ..Recurrence::default()
    }));
    r.description = "Agenda: numbers".into();
    let clash = busy("b", "Holiday party", 23, 15, 0, 120);
    let d = only(&run(vec![r.clone(), clash], ""), "r");
    assert_eq!(d.occurrences.len(), 4, "{:?}", d.occurrences);
    assert_eq!(contributions(&d), vec![("conflict".to_string(), -40)]);
    assert!(
        d.reasons
            .iter()
            .any(|x| x.detail.contains("1 of 4 occurrences")),
        "{:#?}",
        d.reasons
    );
    // A busy event past the horizon does not count.
    let late = busy("b", "Late clash", 30, 16, 0, 60);
    let mut far = r;
    far.recurrence = Some(Box::new(Recurrence {
        rrules: vec!["FREQ=WEEKLY;BYDAY=WE;COUNT=3".into()],
        ..Recurrence::default()
    }));
    let d = only(&run(vec![far, late], ""), "r");
    assert_eq!(d.occurrences.len(), 3);
    assert_eq!(contributions(&d), vec![]);
}

#[test]
fn what_is_a_request() {
    let mut accepted = internal("a", "Accepted", 8, 14, 0, 60);
    accepted.attendees[0].partstat = PartStat::Accepted;
    let mut cancelled = internal("c", "Cancelled", 8, 14, 0, 60);
    cancelled.status = Status::Cancelled;
    let mut own = internal("o", "Own", 8, 14, 0, 60);
    own.organizer = Some(EXEC.into());
    let past = internal("p", "Past", 4, 14, 0, 60);
    let beyond = internal("f", "Far", 31, 14, 0, 60); // horizon ends 2027-01-04; still inside
    let mut transparent = internal("t", "Transparent invitation", 8, 15, 0, 60);
    transparent.transparent = true;
    let ids: Vec<String> = run(
        vec![accepted, cancelled, own, past, beyond, transparent],
        "",
    )
    .into_iter()
    .map(|d| d.id)
    .collect();
    assert_eq!(ids, vec!["t".to_string(), "f".to_string()]);
}

#[test]
fn reservations_lower_overlapping_requests_and_count_for_daily_limits() {
    let held = [Reservation {
        series: "Dana / Sam weekly".into(),
        with: "sam@acme.example".into(),
        start: ny(8, 14, 0),
        end: ny(8, 14, 30),
    }];
    let d = only(
        &run_with(vec![internal("r", "Sync", 8, 14, 0, 60)], "", &held),
        "r",
    );
    assert_eq!(contributions(&d), vec![("one-on-one".to_string(), -25)]);
    assert!(
        d.reasons[1].detail.contains("Dana / Sam weekly"),
        "{:#?}",
        d.reasons
    );

    let many = [
        Reservation {
            series: "A".into(),
            with: "a@acme.example".into(),
            start: ny(8, 9, 0),
            end: ny(8, 9, 30),
        },
        Reservation {
            series: "B".into(),
            with: "b@acme.example".into(),
            start: ny(8, 10, 0),
            end: ny(8, 10, 30),
        },
        Reservation {
            series: "C".into(),
            with: "c@acme.example".into(),
            start: ny(8, 11, 0),
            end: ny(8, 11, 30),
        },
    ];
    let d = only(
        &run_with(vec![internal("r", "Sync", 8, 15, 0, 30)], "", &many),
        "r",
    );
    assert_eq!(contributions(&d), vec![("daily limit".to_string(), -20)]);
}

#[test]
fn output_is_sorted_and_deterministic() {
    let events = vec![
        internal("b", "Second", 9, 10, 0, 30),
        internal("a", "Same time", 9, 10, 0, 30),
        internal("c", "First", 8, 15, 0, 30),
    ];
    let snapshot = Snapshot {
        events,
        warnings: Vec::new(),
    };
    let r = rules("");
    let one = decide(&snapshot, &r, &[], now());
    let two = decide(&snapshot, &r, &[], now());
    assert_eq!(one.to_json(), two.to_json());
    let ids: Vec<&str> = one.decisions.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, vec!["c", "a", "b"]);
    assert!(
        one.decisions[1]
            .reasons
            .iter()
            .any(|r| r.source == "info" && r.points == 0),
        "overlapping requests are noted"
    );
}
