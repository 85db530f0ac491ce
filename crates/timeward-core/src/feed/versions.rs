//! Each feed event's version: its SEQUENCE and DTSTAMP move only when what it says does.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{digest, FeedEvent, Version, Versions};

/// The versions for this cycle's events: unchanged events keep theirs; changed ones get
/// `sequence + 1` and `changed = now`; new ones start at 0. Events no longer in the feed
/// are dropped.
pub fn advance(previous: &Versions, events: &[FeedEvent], now: DateTime<Utc>) -> Versions {
    let digests: Vec<u64> = events.iter().map(digest).collect();
    advance_digested(previous, events, &digests, now)
}

/// [`advance`] with each event's digest given (by [`entries_reusing`]).
pub fn advance_digested(
    previous: &Versions,
    events: &[FeedEvent],
    digests: &[u64],
    now: DateTime<Utc>,
) -> Versions {
    let mut pairs: Vec<(Arc<str>, u64)> = events
        .iter()
        .zip(digests)
        .map(|(e, &digest)| (e.uid.clone(), digest))
        .collect();
    // In UID order first (the map keeps the last of a UID given twice, as it would).
    crate::order::sort_packed(
        &mut pairs,
        |(uid, _)| Some(crate::order::first_four(uid)),
        |a, b| a.0.cmp(&b.0),
    );
    // Then walked beside the last versions, also in UID order, instead of looking each
    // up: most UIDs are the very text the last cycle's key is (shared), found without
    // comparing a byte.
    let mut old = previous.iter().peekable();
    // The last version found, for a UID given twice.
    let mut was_last: Option<Version> = None;
    let mut out: Vec<(Arc<str>, Version)> = Vec::with_capacity(pairs.len());
    for (uid, digest) in pairs {
        let was = match out.last() {
            Some((l, _)) if same_uid(l, &uid) => was_last,
            _ => {
                while old
                    .next_if(|(o, _)| !same_uid(o, &uid) && **o < uid)
                    .is_some()
                {}
                old.next_if(|(o, _)| same_uid(o, &uid)).map(|(_, v)| *v)
            }
        };
        let v = match was {
            Some(v) if v.digest == digest => v,
            Some(v) => Version {
                sequence: v.sequence.saturating_add(1),
                changed: now,
                digest,
            },
            None => Version {
                sequence: 0,
                changed: now,
                digest,
            },
        };
        was_last = was;
        out.push((uid, v));
    }
    out.into_iter().collect()
}

/// Whether two feed UIDs are the same text: at once when they are one shared text (as a
/// UID carried over from the last cycle is).
pub fn same_uid(a: &Arc<str>, b: &Arc<str>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{TimeZone, Utc};

    use super::super::{FeedEvent, Version, Versions, What};
    use super::advance_digested;

    /// The versions as they were worked out before the walk: each UID looked up.
    fn looked_up(
        previous: &Versions,
        events: &[FeedEvent],
        digests: &[u64],
        now: chrono::DateTime<Utc>,
    ) -> Versions {
        events
            .iter()
            .zip(digests)
            .map(|(e, &digest)| {
                let v = match previous.get(&e.uid) {
                    Some(v) if v.digest == digest => *v,
                    Some(v) => Version {
                        sequence: v.sequence + 1,
                        changed: now,
                        digest,
                    },
                    None => Version {
                        sequence: 0,
                        changed: now,
                        digest,
                    },
                };
                (e.uid.clone(), v)
            })
            .collect()
    }

    fn event(uid: Arc<str>) -> FeedEvent {
        let at = Utc
            .with_ymd_and_hms(2026, 12, 7, 9, 0, 0)
            .single()
            .expect("valid");
        FeedEvent {
            uid,
            summary: "".into(),
            description: "".into(),
            start: at,
            end: at,
            what: What::Reservation,
        }
    }

    #[test]
    fn the_walk_gives_what_looking_each_uid_up_gives() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) % n
        };
        let t0 = Utc
            .with_ymd_and_hms(2026, 12, 1, 0, 0, 0)
            .single()
            .expect("valid");
        let mut events: Vec<FeedEvent> = (0..40)
            .map(|i| event(format!("{:04x}-{i}@x", i * 7919 % 65_536).into()))
            .collect();
        let mut versions = Versions::new();
        for round in 0..300 {
            // Some events go, some come (new text, or a copy of a kept UID's text that is
            // not the shared one), some are given twice.
            events.retain(|_| next(10) != 0);
            for _ in 0..next(6) {
                let uid: Arc<str> = match (next(3), events.is_empty()) {
                    (0, false) => {
                        let i = usize::try_from(next(events.len() as u64)).expect("small");
                        let text: &str = &events[i].uid;
                        text.into()
                    }
                    (1, false) => {
                        let i = usize::try_from(next(events.len() as u64)).expect("small");
                        Arc::clone(&events[i].uid)
                    }
                    _ => format!("{:04x}-r{round}@x", next(65_536)).into(),
                };
                events.push(event(uid));
            }
            let digests: Vec<u64> = events.iter().map(|_| next(3)).collect();
            let now = t0 + chrono::TimeDelta::minutes(round);
            let want = looked_up(&versions, &events, &digests, now);
            let got = advance_digested(&versions, &events, &digests, now);
            assert_eq!(got, want, "round {round}");
            versions = got;
        }
    }
}
