//! What is a request, output order, threads, and busy/request/other.

use super::*;

#[test]
fn scoring_on_several_threads_gives_what_one_thread_gives() {
    use crate::demo::{calendar, rules_toml, Shape};
    let shape = Shape {
        events: 2_000,
        requests: 600,
        days: 60,
        request_days: 28,
        recurring_one_in: 10,
    };
    let snapshot = calendar(7, shape, now(), Tz::America__New_York);
    let rules = Rules::parse(&rules_toml(7, 5, 20), "gen.toml").expect("generated rules parse");
    let ctx = super::super::Context::build(&snapshot, &rules, &[], now(), 1);
    assert!(ctx.requests.len() > 500, "{}", ctx.requests.len());
    let all: Vec<usize> = (0..ctx.requests.len()).collect();
    let one = super::super::score_all(&ctx, 1, &all);
    // And a scattered few, as a run that carries the rest over scores them.
    let few: Vec<usize> = all.iter().copied().filter(|i| i % 3 == 1).collect();
    let some = super::super::score_all(&ctx, 1, &few);
    for threads in [2, 3, 7] {
        assert_eq!(
            super::super::score_all(&ctx, threads, &all),
            one,
            "{threads} threads"
        );
        assert_eq!(
            super::super::score_all(&ctx, threads, &few),
            some,
            "{threads} threads, some"
        );
    }
    assert_eq!(some.len(), few.len());
    assert!(few.iter().zip(&some).all(|(&i, d)| *d == one[i]));
}

#[test]
fn expanding_on_several_threads_gives_what_one_thread_gives() {
    use crate::calendar::expand::expand_on;
    let shape = crate::demo::Shape {
        events: 9_000,
        requests: 900,
        days: 120,
        request_days: 28,
        recurring_one_in: 5,
    };
    let tz = chrono_tz::Tz::America__New_York;
    let mut snapshot = crate::demo::calendar(7, shape, now(), tz);
    // An override and a bad rule, so that skips and warnings are in play too.
    let mut moved = snapshot.events[1].clone();
    moved.recurrence = None;
    moved.recurrence_id = Some(snapshot.events[1].start);
    snapshot.events.push(moved);
    snapshot.events[4000].recurrence = Some(Box::new(crate::calendar::Recurrence {
        rrules: vec!["FREQ=SOMETIMES".into()],
        ..Default::default()
    }));
    let (from, to) = (now() - TimeDelta::days(3), now() + TimeDelta::days(40));
    let one = expand_on(&snapshot.events, tz, from, to, 1);
    assert!(one.0.len() > 1000, "{}", one.0.len());
    assert_eq!(one.1.len(), 1, "{:?}", one.1);
    for threads in [2, 3, 7] {
        assert_eq!(
            expand_on(&snapshot.events, tz, from, to, threads),
            one,
            "{threads} threads"
        );
    }
}

/// What an event is to the executive (busy, request or neither), as a table: (case, organiser, the
/// executive's entry, another guest, cancelled, transparent) → kind.
#[test]
fn busy_request_or_other() {
    use crate::calendar::Kind;
    const OTHER: &str = "pat@acme.example";
    type Case<'a> = (
        &'a str,
        Option<&'a str>,
        Option<PartStat>,
        bool,
        bool,
        bool,
        Kind,
    );
    let cases: &[Case<'_>] = &[
        (
            "no attendees: the executive's own block",
            None,
            None,
            false,
            false,
            false,
            Kind::Busy,
        ),
        (
            "organised by the executive",
            Some(EXEC),
            None,
            true,
            false,
            false,
            Kind::Busy,
        ),
        (
            "organised, own entry accepted",
            Some(EXEC),
            Some(PartStat::Accepted),
            true,
            false,
            false,
            Kind::Busy,
        ),
        (
            "organised, own entry needs action: still the organiser's",
            Some(EXEC),
            Some(PartStat::NeedsAction),
            true,
            false,
            false,
            Kind::Busy,
        ),
        (
            "organised, own entry declined: not busy",
            Some(EXEC),
            Some(PartStat::Declined),
            true,
            false,
            false,
            Kind::Other,
        ),
        (
            "organised, declined, transparent",
            Some(EXEC),
            Some(PartStat::Declined),
            true,
            false,
            true,
            Kind::Other,
        ),
        (
            "invited, accepted",
            Some(OTHER),
            Some(PartStat::Accepted),
            true,
            false,
            false,
            Kind::Busy,
        ),
        (
            "invited, tentative",
            Some(OTHER),
            Some(PartStat::Tentative),
            true,
            false,
            false,
            Kind::Busy,
        ),
        (
            "invited, declined",
            Some(OTHER),
            Some(PartStat::Declined),
            true,
            false,
            false,
            Kind::Other,
        ),
        (
            "invited, needs action: a request",
            Some(OTHER),
            Some(PartStat::NeedsAction),
            true,
            false,
            false,
            Kind::Request,
        ),
        (
            "invited, needs action, cancelled",
            Some(OTHER),
            Some(PartStat::NeedsAction),
            true,
            true,
            false,
            Kind::Other,
        ),
        (
            "accepted but transparent",
            Some(OTHER),
            Some(PartStat::Accepted),
            true,
            false,
            true,
            Kind::Other,
        ),
        (
            "someone else's meeting",
            Some(OTHER),
            None,
            true,
            false,
            false,
            Kind::Other,
        ),
        (
            "organised, cancelled",
            Some(EXEC),
            None,
            true,
            true,
            false,
            Kind::Other,
        ),
    ];
    for &(name, organizer, own, guest, cancelled, transparent, want) in cases {
        let mut e = event("k", "k", 8, 10, 0, 30);
        e.organizer = organizer.map(str::to_string);
        if let Some(partstat) = own {
            e.attendees.push(Attendee {
                email: EXEC.into(),
                partstat,
                role: Role::Required,
            });
        }
        if guest {
            e.attendees.push(Attendee {
                email: OTHER.into(),
                partstat: PartStat::Accepted,
                role: Role::Required,
            });
        }
        if cancelled {
            e.status = Status::Cancelled;
        }
        e.transparent = transparent;
        assert_eq!(e.kind(EXEC), want, "{name}");
    }
}
