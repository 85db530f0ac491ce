//! The feed: RFC 5545 shape, summaries, stable UIDs and bytes, SEQUENCE
//! that rises only on change, and no private text.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use super::{advance, entries, render, FeedEvent, Versions};
use crate::calendar::ics::parse;
use crate::decide::Plan;
use crate::rules::Rules;

const RULES: &str =
    include_str!("../../../../tests/scenarios/one-on-ones-under-pressure/rules.toml");
const CALENDAR: &str =
    include_str!("../../../../tests/scenarios/one-on-ones-under-pressure/calendar.ics");

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 13, 0, 0)
        .single()
        .expect("valid")
}

fn plan_of(calendar: &str, rules: &Rules) -> Plan {
    let snapshot = parse(calendar).expect("the calendar parses");
    crate::suggest(&snapshot, rules, &[], now(), 1)
}

fn rules() -> Rules {
    Rules::parse(RULES, "rules.toml").expect("rules parse")
}

fn feed(events: &[FeedEvent], versions: &Versions) -> String {
    render(
        events,
        versions,
        "Dana's suggestions",
        TimeDelta::minutes(1),
    )
}

#[test]
fn the_feed_is_rfc5545_shaped() {
    let rules = rules();
    let events = entries(&plan_of(CALENDAR, &rules), &rules, &[]);
    let text = feed(&events, &advance(&Versions::new(), &events, now()));
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    for line in text.split_terminator("\r\n") {
        assert!(!line.contains('\n'), "bare LF in {line:?}");
        assert!(line.len() <= 75, "line longer than 75 octets: {line:?}");
    }
    for needle in [
        "X-WR-CALNAME:Dana's suggestions",
        "REFRESH-INTERVAL;VALUE=DURATION:PT60S",
        "X-PUBLISHED-TTL:PT60S",
        "PRODID:-//timeward//suggestions//EN",
    ] {
        assert!(text.contains(needle), "{needle:?} missing:\n{text}");
    }
    for once in ["VERSION:", "PRODID:", "CALSCALE:"] {
        assert_eq!(
            text.matches(&format!("\r\n{once}")).count(),
            1,
            "{once} once"
        );
    }
    // 3 requests (one occurrence each) and 5 reservations.
    let vevents = text.matches("BEGIN:VEVENT").count();
    assert_eq!(vevents, 8);
    let unfolded = text.replace("\r\n ", "");
    for prop in [
        "DTSTAMP:",
        "UID:",
        "SEQUENCE:",
        "STATUS:TENTATIVE",
        "TRANSP:TRANSPARENT",
    ] {
        assert_eq!(
            unfolded.matches(&format!("\r\n{prop}")).count(),
            vevents,
            "{prop} on every VEVENT"
        );
    }
    // The crate's own parser reads it back.
    let back: icalendar::Calendar = text.parse().expect("parses back");
    assert_eq!(back.components.len(), vevents);
}

#[test]
fn summaries_and_timeward_properties() {
    let rules = rules();
    let events = entries(&plan_of(CALENDAR, &rules), &rules, &[]);
    let text = feed(&events, &advance(&Versions::new(), &events, now())).replace("\r\n ", "");
    for needle in [
        "SUMMARY:Decline · Roadmap review",
        "SUMMARY:Delegate → sam@acme.example · Hiring sync",
        "SUMMARY:1:1 · Dana / Sam weekly",
        "CATEGORIES:timeward,decline",
        "CATEGORIES:timeward,reservation",
        "X-TIMEWARD-VERDICT:delegate",
        "X-TIMEWARD-SCORE:-5",
        "X-TIMEWARD-DELEGATE-TO:sam@acme.example",
        "X-TIMEWARD-EVENT-ID:vendor-pitch",
        "RELATED-TO:vendor-pitch",
        "DTSTART:20261209T193000Z",
    ] {
        assert!(text.contains(needle), "{needle:?} missing:\n{text}");
    }
    // The description carries the score and every reason, one per line.
    assert!(
        text.contains("DESCRIPTION:Score -5\\n+50 base: starting score\\n-10 external:"),
        "{text}"
    );
    // Feed UIDs are not the originals'.
    assert!(!text.contains("UID:vendor-pitch"));
}

#[test]
fn same_plan_same_bytes_and_sequence_rises_only_on_change() {
    let rules = rules();
    let events = entries(&plan_of(CALENDAR, &rules), &rules, &[]);
    let v1 = advance(&Versions::new(), &events, now());
    let first = feed(&events, &v1);

    // A later cycle with nothing changed: same versions, same bytes (same ETag).
    let later = now() + TimeDelta::minutes(5);
    let v2 = advance(&v1, &events, later);
    assert_eq!(v2, v1);
    assert_eq!(feed(&events, &v2), first);

    // The roadmap review gets a VIP organiser: its suggestion changes, nothing else does.
    let changed_rules = Rules::parse(
        &RULES.replace(
            "[limits]",
            "[people]\nvip = [\"lee@acme.example\"]\n\n[limits]",
        ),
        "rules.toml",
    )
    .expect("rules parse");
    let events3 = entries(&plan_of(CALENDAR, &changed_rules), &changed_rules, &[]);
    let v3 = advance(&v2, &events3, later);
    let changed: Vec<&std::sync::Arc<str>> = v3
        .iter()
        .filter(|(uid, v)| v2.get(*uid).is_some_and(|old| old.sequence != v.sequence))
        .map(|(uid, _)| uid)
        .collect();
    // Lee organises both the roadmap review and the hiring sync.
    assert_eq!(changed.len(), 2, "{v3:#?}");
    for uid in changed {
        assert_eq!(v3[&**uid].sequence, 1);
        assert_eq!(v3[&**uid].changed, later);
    }
    let text3 = feed(&events3, &v3);
    assert_ne!(text3, first);
    assert!(text3.contains("SEQUENCE:1"));
}

#[test]
fn private_text_never_reaches_the_feed() {
    let calendar = CALENDAR.replace(
        "SUMMARY:Roadmap review\n",
        "SUMMARY:Secret merger talks\nDESCRIPTION:codename bluebird\nCLASS:PRIVATE\n",
    );
    assert!(calendar.contains("CLASS:PRIVATE"));
    let rules = rules();
    let events = entries(&plan_of(&calendar, &rules), &rules, &[]);
    let text = feed(&events, &advance(&Versions::new(), &events, now()));
    let flat = text.replace("\r\n ", "").to_lowercase();
    assert!(
        !flat.contains("merger") && !flat.contains("bluebird"),
        "{text}"
    );
    assert!(flat.contains("summary:decline · a private event"), "{text}");
}

/// The feed's tag, made while rendering from the pieces written and the hashes kept,
/// is the tag of its bytes; and it differs when the bytes do.
#[test]
fn the_tag_made_while_rendering_is_the_tag_of_the_bytes() {
    use super::{render_reusing, tag, Rendered};
    let rules = rules();
    let events = entries(&plan_of(CALENDAR, &rules), &rules, &[]);
    let versions = advance(&Versions::new(), &events, now());
    let mut retitled = events.clone();
    retitled[0].summary = format!("{} (moved)", retitled[0].summary).into();
    let retitled_versions = advance(&versions, &retitled, now() + TimeDelta::hours(1));
    let mut cache = Rendered::default();
    let minute = TimeDelta::minutes(1);
    let mut seen = std::collections::HashSet::new();
    for (events, versions, name) in [
        (&events, &versions, "Dana"),
        (&events, &versions, "Dana"),
        (&retitled, &retitled_versions, "Dana"),
        (&retitled, &retitled_versions, "Sam"),
        (&events, &Versions::new(), "Dana"),
    ] {
        let text = render_reusing(events, versions, name, minute, &mut cache);
        assert_eq!(cache.tag(), tag(text.as_bytes()));
        // From scratch, the same bytes and tag.
        assert_eq!(
            super::render_tagged(events, versions, name, minute),
            (text.to_string(), cache.tag())
        );
        seen.insert((text.to_string(), cache.tag()));
    }
    // The room taken for a feed from scratch holds it, whatever its text needs escaped
    // or folded (a rendering that outgrew it would be slower, not wrong).
    let mut worst = events.clone();
    for e in &mut worst {
        e.summary = "ü€😀,".repeat(100).into();
        e.description = ",;\n\\".repeat(1000).into();
    }
    let (text, _) = super::render_tagged(&worst, &versions, "Dana", minute);
    let fixed = super::head("Dana", minute).len() + super::END.len();
    assert!(text.len() - fixed <= super::room(&worst), "{}", text.len());
    assert!(
        text.len() - fixed > super::room(&worst) / 3,
        "{}",
        text.len()
    );
    // Many events (written on two threads): the same bytes and tag as one by one.
    let many: Vec<FeedEvent> = (0..700)
        .map(|i| {
            let mut e = events[i % events.len()].clone();
            e.uid = format!("{i}-{}", e.uid).into();
            e
        })
        .collect();
    let many_versions = advance(&Versions::new(), &many, now());
    let (two, two_tag) = super::render_tagged(&many, &many_versions, "Dana", minute);
    let mut fresh = Rendered::default();
    let one = render_reusing(&many, &many_versions, "Dana", minute, &mut fresh);
    assert_eq!((two.as_str(), two_tag), (one.as_str(), fresh.tag()));
    assert_eq!(two.matches("BEGIN:VEVENT").count(), 700);
    // Four different texts, four different tags.
    let texts: std::collections::HashSet<_> = seen.iter().map(|(t, _)| t).collect();
    let tags: std::collections::HashSet<_> = seen.iter().map(|(_, t)| t).collect();
    assert_eq!((texts.len(), tags.len()), (4, 4));
    assert_ne!(tag(b""), tag(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"));
}

/// The last feed's texts are found by walking both feeds in order (an event out of order
/// is made afresh) as events are added, dropped or moved: each feed the same bytes as
/// from scratch.
#[test]
fn a_feed_reusing_the_last_is_its_text_from_scratch_as_events_come_and_go() {
    use super::{render_reusing, Rendered};
    let rules = rules();
    let events = entries(&plan_of(CALENDAR, &rules), &rules, &[]);
    assert!(events.len() >= 4, "{}", events.len());
    let minute = TimeDelta::minutes(1);
    let mut dropped = events.clone();
    dropped.remove(1);
    let mut added = events.clone();
    let mut new = events[0].clone();
    new.uid = format!("new-{}", new.uid).into();
    added.insert(0, new);
    let mut moved = events.clone();
    moved.swap(0, events.len() - 1);
    let mut cache = Rendered::default();
    let mut versions = Versions::new();
    for (i, feed) in [&events, &dropped, &added, &moved, &events, &events]
        .into_iter()
        .enumerate()
    {
        versions = advance(&versions, feed, now());
        let text = render_reusing(feed, &versions, "Dana", minute, &mut cache);
        let scratch = super::render_tagged(feed, &versions, "Dana", minute);
        assert_eq!((text.to_string(), cache.tag()), scratch, "feed {i}");
    }
}
