//! An event's ATTENDEE lines.

use icalendar::parser::{Component, Property};

use super::{address, bare_address, param, props};
use crate::calendar::{Attendee, PartStat, Role};

/// The ATTENDEE lines, with their answers and roles (addresses lower-cased).
pub(super) fn attendees_of(c: &Component<'_>) -> Vec<Attendee> {
    props(c, "ATTENDEE").filter_map(attendee_of).collect()
}

/// The one attendee an event compacted for `exec` keeps ([`Event::compact`]): the
/// executive's entry, else the first; the others are not read.
pub(super) fn kept_attendee(c: &Component<'_>, exec: &str) -> Option<Attendee> {
    props(c, "ATTENDEE")
        .filter(|p| is_address(p.val.as_str(), exec))
        .find_map(attendee_of)
        .or_else(|| props(c, "ATTENDEE").find_map(attendee_of))
}

/// Whether `address(value)` is `exec`, without making it where it is ASCII.
fn is_address(value: &str, exec: &str) -> bool {
    let v = bare_address(value);
    if v.is_ascii() {
        v.len() == exec.len()
            && v.bytes()
                .zip(exec.bytes())
                .all(|(a, b)| a.to_ascii_lowercase() == b)
    } else {
        address(value) == exec
    }
}

/// One ATTENDEE line, unless its address is empty.
fn attendee_of(p: &Property<'_>) -> Option<Attendee> {
    let a = Attendee {
        email: address(p.val.as_str()),
        partstat: match param(p, "PARTSTAT") {
            None => PartStat::NeedsAction,
            Some(v) => [
                ("NEEDS-ACTION", PartStat::NeedsAction),
                ("ACCEPTED", PartStat::Accepted),
                ("TENTATIVE", PartStat::Tentative),
                ("DECLINED", PartStat::Declined),
                ("DELEGATED", PartStat::Delegated),
            ]
            .into_iter()
            .find_map(|(word, p)| v.eq_ignore_ascii_case(word).then_some(p))
            .unwrap_or(PartStat::Other),
        },
        role: param(p, "ROLE")
            .and_then(|v| {
                [
                    ("CHAIR", Role::Chair),
                    ("OPT-PARTICIPANT", Role::Optional),
                    ("NON-PARTICIPANT", Role::NonParticipant),
                ]
                .into_iter()
                .find_map(|(word, r)| v.eq_ignore_ascii_case(word).then_some(r))
            })
            .unwrap_or(Role::Required),
    };
    (!a.email.is_empty()).then_some(a)
}
