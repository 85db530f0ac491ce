//! Each weight of the score contributes once, with its reason; goals and conditions.

use super::*;

#[test]
fn each_weight_contributes_once_with_a_reason() {
    // (case, calendar, extra rules, expected contributions after the base)
    type Case = (
        &'static str,
        Vec<Event>,
        &'static str,
        Vec<(&'static str, i64)>,
    );
    let cases: Vec<Case> = vec![
        (
            "plain internal request",
            vec![internal("r", "Sync", 8, 14, 0, 60)],
            "",
            vec![],
        ),
        (
            "external organiser",
            vec![request("r", "Sync", 8, 14, 0, 60, "x@outside.example")],
            "",
            vec![("external", -10)],
        ),
        (
            "external but in a goal's people",
            vec![request("r", "Sync", 8, 14, 0, 60, "x@vc.example")],
            "[[goals]]\nname = \"Raise\"\nweight = 30\npeople = [\"*@vc.example\"]\n",
            vec![("goal: Raise", 30)],
        ),
        (
            "VIP organiser is not external",
            vec![request("r", "Sync", 8, 14, 0, 60, "chair@board.example")],
            "[people]\nvip = [\"chair@board.example\"]\n",
            vec![("vip", 60)],
        ),
        (
            "VIP attendee",
            vec![{
                let mut e = internal("r", "Sync", 8, 14, 0, 60);
                e.attendees.push(Attendee {
                    email: "chair@board.example".into(),
                    partstat: PartStat::Accepted,
                    role: Role::Required,
                });
                e
            }],
            "[people]\nvip = [\"chair@board.example\"]\n",
            vec![("vip", 20)],
        ),
        (
            "conflict",
            vec![
                internal("r", "Sync", 8, 14, 0, 60),
                busy("b", "Board call", 8, 14, 30, 60),
            ],
            "",
            vec![("conflict", -40)],
        ),
        (
            "focus block",
            vec![internal("r", "Sync", 8, 10, 30, 60)],
            "[[focus]]\ndays = [\"tue\"]\ntime = \"09:00-11:00\"\n",
            vec![("focus", -30)],
        ),
        (
            "focus on another day",
            vec![internal("r", "Sync", 9, 10, 30, 60)],
            "[[focus]]\ndays = [\"tue\"]\ntime = \"09:00-11:00\"\n",
            vec![],
        ),
        (
            "ends after working hours",
            vec![internal("r", "Sync", 8, 17, 0, 60)],
            "",
            vec![("working hours", -50)],
        ),
        (
            "ends exactly at the end of working hours",
            vec![internal("r", "Sync", 8, 16, 30, 60)],
            "",
            vec![],
        ),
        (
            "on a day without working hours",
            vec![internal("r", "Sync", 12, 10, 0, 60)],
            "",
            vec![("working hours", -50)],
        ),
        (
            "short notice",
            vec![internal("r", "Sync", 7, 15, 0, 60)],
            "",
            vec![("notice", -15)],
        ),
        (
            "exactly the notice asked",
            vec![internal("r", "Sync", 8, 8, 0, 60)],
            "",
            vec![("working hours", -50)],
        ),
        (
            "over the meetings per day",
            vec![
                internal("r", "Sync", 8, 16, 0, 30),
                busy("a", "A", 8, 9, 0, 30),
                busy("b", "B", 8, 10, 0, 30),
                busy("c", "C", 8, 11, 0, 30),
            ],
            "",
            vec![("daily limit", -20)],
        ),
        (
            "over the meeting hours per day",
            vec![
                internal("r", "Sync", 8, 15, 0, 60),
                busy("a", "A", 8, 9, 0, 150),
            ],
            "",
            vec![("daily limit", -20)],
        ),
        (
            "all-day busy events block but do not count as meetings",
            vec![internal("r", "Sync", 8, 15, 0, 60), {
                let mut e = busy("ooo", "Out of office", 8, 0, 0, 0);
                e.start = EventTime::Date(NaiveDate::from_ymd_opt(2026, 12, 8).expect("valid"));
                e.length = Length::Days(1);
                e
            }],
            "",
            vec![("conflict", -40)],
        ),
        (
            "buffer after",
            vec![
                internal("r", "Sync", 8, 14, 0, 60),
                busy("b", "B", 8, 13, 0, 60),
            ],
            "",
            vec![("buffer", -5)],
        ),
        (
            "buffer before",
            vec![
                internal("r", "Sync", 8, 14, 0, 60),
                busy("b", "B", 8, 15, 5, 30),
            ],
            "",
            vec![("buffer", -5)],
        ),
        (
            "buffer kept",
            vec![
                internal("r", "Sync", 8, 14, 0, 60),
                busy("b", "B", 8, 15, 10, 30),
            ],
            "",
            vec![],
        ),
        (
            "conflict replaces buffer",
            vec![
                internal("r", "Sync", 8, 14, 0, 60),
                busy("b", "B", 8, 14, 30, 60),
                busy("c", "C", 8, 15, 0, 30),
            ],
            "",
            vec![("conflict", -40)],
        ),
        (
            "large meeting",
            vec![with_guests(internal("r", "Sync", 8, 14, 0, 60), 9)],
            "",
            vec![("large meeting", -10)],
        ),
        (
            "exactly the large meeting size",
            vec![with_guests(internal("r", "Sync", 8, 14, 0, 60), 8)],
            "",
            vec![],
        ),
        (
            "custom weight",
            vec![request("r", "Sync", 8, 14, 0, 60, "x@outside.example")],
            "[weights]\nexternal = -3\n",
            vec![("external", -3)],
        ),
    ];
    for (name, events, extra, want) in cases {
        let d = only(&run(events, extra), "r");
        let want: Vec<(String, i64)> = want.into_iter().map(|(s, p)| (s.to_string(), p)).collect();
        assert_eq!(contributions(&d), want, "{name}: {:#?}", d.reasons);
        assert_eq!(d.reasons[0].source, "base", "{name}");
        assert_eq!(
            d.score,
            d.reasons.iter().map(|r| r.points).sum::<i64>(),
            "{name}"
        );
    }
}

#[test]
fn goals_match_keywords_at_word_boundaries_and_expire() {
    let goal = "[[goals]]\nname = \"Demo day\"\nweight = 25\nkeywords = [\"demo\"]\n";
    let cases: &[(&str, &str, &str, i64)] = &[
        ("keyword in title", "Vendor demo: AcmeCRM", goal, 75),
        ("keyword inside a longer word", "Site demolition review", goal, 50),
        ("keyword in description only", "Sync", goal, 75),
        ("goal ended yesterday", "Vendor demo", "[[goals]]\nname = \"Demo day\"\nweight = 25\nkeywords = [\"demo\"]\nuntil = \"2026-12-06\"\n", 50),
        ("goal ends today", "Vendor demo", "[[goals]]\nname = \"Demo day\"\nweight = 25\nkeywords = [\"demo\"]\nuntil = \"2026-12-07\"\n", 75),
    ];
    for (name, title, extra, score) in cases {
        let mut e = internal("r", title, 8, 14, 0, 60);
        if *name == "keyword in description only" {
            e.description = "We will demo the new dashboard.".into();
        }
        let d = only(&run(vec![e], extra), "r");
        assert_eq!(d.score, *score, "{name}: {:#?}", d.reasons);
    }
}

#[test]
fn conditions_each_select_what_they_say() {
    // Each rule adds -7 when its condition holds; the request is a recurring, external,
    // 4-person, 90-minute meeting on Tuesday 14:00 with the executive optional and no agenda.
    let mut e = request(
        "r",
        "Quarterly pricing review",
        8,
        14,
        0,
        90,
        "x@partner.example",
    );
    e.attendees[0].role = Role::Optional;
    e.attendees.push(Attendee {
        email: "lee@acme.example".into(),
        partstat: PartStat::Accepted,
        role: Role::Required,
    });
    e.attendees.push(Attendee {
        email: "kim@partner.example".into(),
        partstat: PartStat::Accepted,
        role: Role::Required,
    });
    e.recurrence = Some(Box::new(Recurrence {
        rrules: vec!["FREQ=WEEKLY".into()],
        ..Recurrence::default()
    }));
    let cases: &[(&str, bool)] = &[
        ("from = [\"*@partner.example\"]", true),
        ("from = [\"*@acme.example\"]", false),
        ("from = [\"*\"]", true),
        ("attendee = [\"lee@acme.example\"]", true),
        ("attendee = [\"dana@acme.example\"]", false),
        ("title_has = [\"pricing\"]", true),
        ("title_has = [\"price\"]", false),
        ("recurring = true", true),
        ("recurring = false", false),
        ("has_agenda = false", true),
        ("has_agenda = true", false),
        ("exec_optional = true", true),
        ("exec_optional = false", false),
        ("external = true", true),
        ("external = false", false),
        ("attendees_over = 3", true),
        ("attendees_over = 4", false),
        ("duration_over = \"1h\"", true),
        ("duration_over = \"90m\"", false),
        ("days = [\"tue\"]", true),
        ("days = [\"mon\", \"wed\"]", false),
        ("time = \"15:00-16:00\"", true),
        ("time = \"15:30-16:00\"", false),
        ("notice_under = \"2d\"", true),
        ("notice_under = \"1d\"", false),
        ("from = [\"*@partner.example\"], days = [\"tue\"]", true),
        ("from = [\"*@partner.example\"], days = [\"wed\"]", false),
    ];
    for (cond, holds) in cases {
        let extra =
            format!("[[rules]]\nname = \"probe\"\nif = {{ {cond} }}\nthen = {{ points = -7 }}\n");
        let d = only(&run(vec![e.clone()], &extra), "r");
        let hit = d
            .reasons
            .iter()
            .any(|r| r.source == "rule: probe" && r.points == -7);
        assert_eq!(hit, *holds, "{cond}: {:#?}", d.reasons);
    }
}
