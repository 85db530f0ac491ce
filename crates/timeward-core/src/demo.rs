//! Generated calendars and rules: for benchmarks, property tests and demos.
//!
//! Pure: everything follows from the seed and the `now` handed in; no clock, no I/O. A
//! small xorshift generator keeps the output the same on every machine.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;

use crate::calendar::{
    Attendee, Event, EventTime, Length, PartStat, Recurrence, Role, Snapshot, Status,
};

/// A deterministic pseudo-random sequence (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The executive of generated calendars.
pub const EXEC: &str = "dana@acme.example";

const TOPICS: &[&str] = &[
    "series b",
    "term sheet",
    "candidate",
    "vendor",
    "demo",
    "partnership",
    "architecture",
    "budget",
    "roadmap",
    "pricing",
    "hiring",
    "launch",
    "incident review",
    "board",
    "offsite",
];
const WORDS: &[&str] = &[
    "sync", "review", "planning", "chat", "update", "workshop", "call", "1:1", "briefing",
];
const DOMAINS: &[&str] = &[
    "acme.example",
    "acme.example",
    "acme.example",
    "sequoia.example",
    "board.example",
    "crmvendor.example",
    "gmail.example",
    "coldoutreach.example",
];

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub events: usize,
    pub requests: usize,
    /// Days after the Monday of `now`'s week that events are spread over.
    pub days: i64,
    /// Days that requests are spread over (inside the horizon).
    pub request_days: i64,
    /// One in this many events recurs weekly (0: none).
    pub recurring_one_in: u64,
}

/// A calendar of `shape.events` events, `shape.requests` of them awaiting the executive,
/// the others busy, declined or transparent, on working days around `now` in `tz`.
pub fn calendar(seed: u64, shape: Shape, now: DateTime<Utc>, tz: Tz) -> Snapshot {
    let mut rng = Rng::new(seed);
    let local = now.with_timezone(&tz).date_naive();
    let monday = local - TimeDelta::days(i64::from(local.weekday().num_days_from_monday()));
    let mut events = Vec::with_capacity(shape.events);
    for i in 0..shape.events {
        let is_request = i < shape.requests;
        let span = if is_request {
            shape.request_days
        } else {
            shape.days
        };
        let day = monday + TimeDelta::days(rng.below(span.max(1) as u64) as i64);
        let minute = 7 * 60 + rng.below(48) as u32 * 15; // 07:00 to 18:45
        let start = day.and_time(NaiveTime::MIN) + TimeDelta::minutes(i64::from(minute));
        let length = TimeDelta::minutes(15 * (1 + rng.below(8) as i64));
        let domain = *rng.pick(DOMAINS);
        let organizer = format!("p{}@{domain}", rng.below(40));
        let title = format!("{} {}", rng.pick(TOPICS), rng.pick(WORDS));
        let mut attendees = vec![Attendee {
            email: EXEC.into(),
            partstat: if is_request {
                PartStat::NeedsAction
            } else {
                *rng.pick(&[
                    PartStat::Accepted,
                    PartStat::Accepted,
                    PartStat::Tentative,
                    PartStat::Declined,
                ])
            },
            role: if rng.below(8) == 0 {
                Role::Optional
            } else {
                Role::Required
            },
        }];
        for k in 0..rng.below(14) {
            attendees.push(Attendee {
                email: format!("a{k}@{}", rng.pick(DOMAINS)),
                partstat: PartStat::Accepted,
                role: Role::Required,
            });
        }
        let recurring = shape.recurring_one_in > 0 && rng.below(shape.recurring_one_in) == 0;
        events.push(Event {
            uid: format!("gen-{seed}-{i}"),
            title,
            description: if rng.below(3) == 0 {
                String::new()
            } else {
                format!("Agenda: {}", rng.pick(TOPICS))
            },
            start: EventTime::Zoned(start, tz),
            length: Length::Exact(length),
            recurrence: recurring.then(|| {
                Box::new(Recurrence {
                    rrules: vec!["FREQ=WEEKLY;COUNT=8".into()],
                    ..Recurrence::default()
                })
            }),
            recurrence_id: None,
            this_and_future: false,
            organizer: Some(organizer),
            attendees,
            status: if rng.below(40) == 0 {
                Status::Cancelled
            } else {
                Status::Confirmed
            },
            transparent: !is_request && rng.below(20) == 0,
            private: rng.below(15) == 0,
            line: 0,
            origin: crate::calendar::Origin::new(),
        });
    }
    Snapshot {
        events,
        warnings: Vec::new(),
    }
}

/// The benchmarks' moment: Monday 2026-12-07 13:00 UTC (08:00 in New York).
pub fn benchmark_now() -> DateTime<Utc> {
    chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 7, 13, 0, 0)
        .single()
        .unwrap_or_default()
}

/// `snapshot` with one invitation to `exec` (not recurring, starting more than two days
/// after `now`) moved an hour later, as its organiser would: the benchmarks' one change.
pub fn one_invitation_moved(snapshot: &Snapshot, exec: &str, now: DateTime<Utc>) -> Snapshot {
    let mut moved = snapshot.clone();
    let soon = now.naive_utc() + TimeDelta::days(2);
    let found = moved.events.iter_mut().find(|e| {
        e.kind(exec) == crate::calendar::Kind::Request
            && !e.is_recurring()
            && matches!(e.start, EventTime::Zoned(t, _) if t > soon)
    });
    if let Some(e) = found {
        if let EventTime::Zoned(t, tz) = e.start {
            e.start = EventTime::Zoned(t + TimeDelta::hours(1), tz);
            // Moved: no longer the reading it was.
            e.origin = crate::calendar::Origin::new();
        }
    }
    moved
}

/// The benchmarks' calendar at [`benchmark_now`]: 10 000 events in New York, 1 000 of
/// them requests spread over the 4-week horizon, 9 000 others over a year, one in ten
/// recurring weekly.
pub fn benchmark_calendar() -> Snapshot {
    let shape = Shape {
        events: 10_000,
        requests: 1_000,
        days: 364,
        request_days: 28,
        recurring_one_in: 10,
    };
    calendar(42, shape, benchmark_now(), Tz::America__New_York)
}

/// A rules file with `goals` goals and `rules` rules over the generated vocabulary.
pub fn rules_toml(seed: u64, goals: usize, rules: usize) -> String {
    let mut rng = Rng::new(seed ^ 0xA5A5);
    let mut s = String::from(
        "[executive]\nname = \"Dana Reyes\"\nemail = \"dana@acme.example\"\ntimezone = \"America/New_York\"\n\
         assistant = \"sam@acme.example\"\nknown_domains = [\"acme.example\"]\n\n\
         [working_hours]\nmon = \"09:00-17:30\"\ntue = \"09:00-17:30\"\nwed = \"09:00-17:30\"\nthu = \"09:00-17:30\"\nfri = \"09:00-13:00\"\n\n\
         [[focus]]\ndays = [\"tue\", \"thu\"]\ntime = \"09:00-11:00\"\n\n\
         [limits]\nhorizon = \"4w\"\nmin_notice = \"24h\"\nbuffer = \"10m\"\nmax_meetings_per_day = 6\nmax_meeting_hours_per_day = 5\n\n\
         [people]\nvip = [\"*@board.example\"]\nblocked = [\"*@coldoutreach.example\"]\n\n\
         [[delegates]]\nemail = \"cos@acme.example\"\nname = \"Chief of Staff\"\ntopics = [\"vendor\", \"demo\", \"partnership\"]\n\n",
    );
    for g in 0..goals {
        let _ = write!(
            s,
            "[[goals]]\nname = \"Goal {g}\"\nweight = {}\nkeywords = [\"{}\", \"{}\"]\npeople = [\"*@{}\"]\n\n",
            10 + rng.below(30),
            rng.pick(TOPICS),
            rng.pick(TOPICS),
            rng.pick(DOMAINS)
        );
    }
    let conditions = [
        "recurring = true, has_agenda = false".to_string(),
        "exec_optional = true".to_string(),
        "external = true".to_string(),
        "attendees_over = 8".to_string(),
        "duration_over = \"90m\"".to_string(),
        "days = [\"fri\"], time = \"12:00-17:00\"".to_string(),
        "notice_under = \"48h\"".to_string(),
    ];
    for r in 0..rules {
        let cond = match rng.below(4) {
            0 => format!("title_has = [\"{}\"]", rng.pick(TOPICS)),
            1 => format!("from = [\"*@{}\"]", rng.pick(DOMAINS)),
            _ => rng.pick(&conditions).clone(),
        };
        // Mostly points, a few verdicts late in the file, as real rule files have.
        let then = if r + 5 >= rules && rng.below(2) == 0 {
            "\"delegate\"".to_string()
        } else {
            format!("{{ points = {} }}", rng.below(21) as i64 - 10)
        };
        let _ = write!(
            s,
            "[[rules]]\nname = \"Rule {r}\"\nif = {{ {cond} }}\nthen = {then}\n\n"
        );
    }
    s
}

/// `[[one_on_ones]]` tables for `n` series with varied periods, lengths and windows, to
/// append to [`rules_toml`].
pub fn one_on_ones_toml(seed: u64, n: usize) -> String {
    const EVERY: &[&str] = &["1w", "1w", "2w", "1d", "3d"];
    const DURATION: &[&str] = &["15m", "30m", "30m", "45m", "1h", "90m"];
    const DAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri"];
    let mut rng = Rng::new(seed ^ 0x1_0_1);
    let mut s = String::new();
    for i in 0..n {
        let day = *rng.pick(DAYS);
        let other = *rng.pick(DAYS);
        let start = 8 + rng.below(9);
        let len = 1 + rng.below(3);
        let _ = write!(
            s,
            "[[one_on_ones]]\nwith = \"report{i}@acme.example\"\ntitle = \"1:1 {i}\"\nevery = \"{}\"\n\
             duration = \"{}\"\nprefer = {{ days = [\"{day}\", \"{other}\"], time = \"{start:02}:00-{:02}:00\" }}\n",
            rng.pick(EVERY),
            rng.pick(DURATION),
            start + len
        );
        if rng.below(2) == 0 {
            let _ = writeln!(
                s,
                "fallback = {{ days = [\"mon\", \"tue\", \"wed\", \"thu\"], time = \"09:00-16:00\" }}"
            );
        }
        s.push('\n');
    }
    s
}

/// A snapshot as iCalendar text, for benchmarks and tests of the file and URL sources
/// (the generated shapes: zoned or UTC times, exact lengths, RRULEs, attendees).
pub fn to_ics(snapshot: &Snapshot) -> String {
    use icalendar::{Component, Property};
    let mut cal = icalendar::Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"));
    cal.append_property(Property::new("PRODID", "-//timeward//generated//EN"));
    let time = |name: &str, t: &EventTime| -> Property {
        match t {
            EventTime::Utc(n) => Property::new(name, n.format("%Y%m%dT%H%M%SZ").to_string()),
            EventTime::Zoned(n, tz) => {
                let mut p = Property::new(name, n.format("%Y%m%dT%H%M%S").to_string());
                p.add_parameter("TZID", tz.name());
                p
            }
            EventTime::Floating(n) => Property::new(name, n.format("%Y%m%dT%H%M%S").to_string()),
            EventTime::Date(d) => {
                let mut p = Property::new(name, d.format("%Y%m%d").to_string());
                p.add_parameter("VALUE", "DATE");
                p
            }
        }
    };
    for e in &snapshot.events {
        let mut ev = icalendar::Event::new();
        ev.uid(&e.uid)
            .summary(&e.title)
            .add_property("DTSTAMP", "20261101T000000Z")
            .append_property(time("DTSTART", &e.start));
        if !e.description.is_empty() {
            ev.description(&e.description);
        }
        match e.length {
            Length::Exact(d) => {
                ev.add_property("DURATION", format!("PT{}M", d.num_minutes()));
            }
            Length::Days(n) => {
                ev.add_property("DURATION", format!("P{n}D"));
            }
        }
        if let Some(r) = &e.recurrence {
            for rule in &r.rrules {
                ev.add_property("RRULE", rule.as_str());
            }
        }
        if let Some(o) = &e.organizer {
            ev.add_property("ORGANIZER", format!("mailto:{o}"));
        }
        for a in &e.attendees {
            let mut p = Property::new("ATTENDEE", format!("mailto:{}", a.email));
            p.add_parameter(
                "PARTSTAT",
                match a.partstat {
                    PartStat::NeedsAction => "NEEDS-ACTION",
                    PartStat::Accepted => "ACCEPTED",
                    PartStat::Tentative => "TENTATIVE",
                    PartStat::Declined => "DECLINED",
                    PartStat::Delegated => "DELEGATED",
                    PartStat::Other => "X-OTHER",
                },
            );
            p.add_parameter(
                "ROLE",
                match a.role {
                    Role::Chair => "CHAIR",
                    Role::Required => "REQ-PARTICIPANT",
                    Role::Optional => "OPT-PARTICIPANT",
                    Role::NonParticipant => "NON-PARTICIPANT",
                },
            );
            ev.append_multi_property(p);
        }
        if e.status == Status::Cancelled {
            ev.add_property("STATUS", "CANCELLED");
        }
        if e.transparent {
            ev.add_property("TRANSP", "TRANSPARENT");
        }
        if e.private {
            ev.add_property("CLASS", "PRIVATE");
        }
        cal.push(ev.done());
    }
    cal.done().to_string()
}

#[cfg(test)]
mod ics_tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn generated_calendars_survive_a_round_trip_through_ics() {
        let now = Utc
            .with_ymd_and_hms(2026, 12, 7, 13, 0, 0)
            .single()
            .expect("valid");
        let shape = Shape {
            events: 300,
            requests: 40,
            days: 60,
            request_days: 28,
            recurring_one_in: 10,
        };
        let snap = calendar(7, shape, now, Tz::America__New_York);
        let text = to_ics(&snap);
        let back = crate::calendar::ics::parse(&text).expect("parses");
        assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        assert_eq!(back.events.len(), snap.events.len());
        for (a, b) in snap.events.iter().zip(&back.events) {
            let mut b = b.clone();
            b.line = a.line;
            assert_eq!(a, &b);
        }
    }
}
