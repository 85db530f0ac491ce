//! Each feed event's version: its SEQUENCE and DTSTAMP move only when what it says does.

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
    let mut pairs: Vec<(std::sync::Arc<str>, Version)> = events
        .iter()
        .zip(digests)
        .map(|(e, &digest)| {
            let v = match previous.get(&e.uid) {
                Some(v) if v.digest == digest => *v,
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
            (e.uid.clone(), v)
        })
        .collect();
    // In UID order first (the map keeps the last of a UID given twice, as it would).
    crate::order::sort_packed(
        &mut pairs,
        |(uid, _)| Some(crate::order::first_four(uid)),
        |a, b| a.0.cmp(&b.0),
    );
    pairs.into_iter().collect()
}
