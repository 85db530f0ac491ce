//! The agenda's text: capped, the rest counted; nothing for a 1:1 without an agenda.

use chrono::{TimeZone, Utc};

use super::Brief;

#[test]
fn a_long_agenda_is_cut_and_the_rest_counted() {
    let at = Utc
        .with_ymd_and_hms(2026, 12, 8, 14, 0, 0)
        .single()
        .expect("t");
    let b = Brief {
        series: "Dana / Sam".into(),
        with: "sam@acme.example".into(),
        start: at,
        end: at,
        lines: (0..20).map(|i| format!("item {i}")).collect(),
    };
    let text = b.text();
    assert_eq!(text.lines().count(), super::MAX_LINES + 1);
    assert!(
        text.ends_with("… and 8 more (the desk's Agenda page has them all)"),
        "{text}"
    );
    let empty = Brief {
        lines: Vec::new(),
        ..b
    };
    assert_eq!(empty.text(), "Nothing needs the executive.");
}
