//! The daemon's cycle run outside the daemon, on a file or on a calendar already read:
//! for benchmarks, tools and the tests that hold the incremental cycle equal to one from
//! scratch. The same functions the daemon runs, in the same order.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use super::cycle::{run_cycle, CycleError, Input, Ready};
use crate::calendar::Snapshot;
use crate::rules::Rules;
use crate::server::FeedBody;
use crate::store::Store;

/// What [`cycle_from_file`] did.
#[derive(Debug, Clone, Copy)]
pub struct CycleSummary {
    pub events: usize,
    pub decisions: usize,
    pub reservations: usize,
    pub feed_bytes: usize,
    pub feed_changed: bool,
}

/// One whole cycle as the daemon runs it for a file source — read and parse the
/// calendar, place, decide, record in the store, write the feed — for benchmarks and tools.
/// `problems` go first on the 1:1 agendas.
pub fn cycle_from_file(
    store: &Store,
    dir: &Path,
    calendar: &Path,
    rules: &Rules,
    now: DateTime<Utc>,
    previous_feed: Option<FeedBody>,
    problems: &[String],
) -> Result<(CycleSummary, FeedBody), CycleError> {
    cycle_from(
        store,
        dir,
        calendar,
        rules,
        now,
        previous_feed,
        problems,
        None,
    )
}

/// What one cycle keeps for the next, as the daemon keeps it with `incremental`: the
/// calendar's events by their text, and [`Kept`].
#[derive(Default)]
pub struct Caches {
    pub reuse: crate::calendar::ics::Reuse,
    pub kept: Kept,
}

/// What an incremental daemon's cycle keeps for the next: the decisions (a request is
/// scored again only where the calendar changed around it), each decision's feed events
/// and JSON by the number it was made under, and the last feed's text.
#[derive(Default)]
pub struct Kept {
    pub memo: crate::decide::Memo,
    pub events: crate::feed::Made,
    pub json: crate::decide::JsonMade,
    pub rendered: crate::feed::Rendered,
}

/// [`cycle_from_file`] as the daemon runs it after the first cycle with `incremental`:
/// only the events whose text changed are read, only the feed events that changed are
/// written again (for benchmarks and the tests that hold it equal to a cycle from
/// scratch).
#[allow(clippy::too_many_arguments)]
pub fn cycle_from_file_reusing(
    store: &Store,
    dir: &Path,
    calendar: &Path,
    rules: &Rules,
    now: DateTime<Utc>,
    previous_feed: Option<FeedBody>,
    problems: &[String],
    caches: &mut Caches,
) -> Result<(CycleSummary, FeedBody), CycleError> {
    cycle_from(
        store,
        dir,
        calendar,
        rules,
        now,
        previous_feed,
        problems,
        Some(caches),
    )
}

#[allow(clippy::too_many_arguments)]
fn cycle_from(
    store: &Store,
    dir: &Path,
    calendar: &Path,
    rules: &Rules,
    now: DateTime<Utc>,
    previous_feed: Option<FeedBody>,
    problems: &[String],
    caches: Option<&mut Caches>,
) -> Result<(CycleSummary, FeedBody), CycleError> {
    let exec = &rules.executive.email;
    let (snapshot, mut kept) = match caches {
        Some(c) => {
            let mut s = crate::source::ics::load_reusing(calendar, &mut c.reuse)?;
            c.reuse.compact(exec);
            s.compact(exec);
            (s, Some(&mut c.kept))
        }
        // Compacted as it is read.
        None => (crate::source::ics::load_for(calendar, Some(exec))?, None),
    };
    let snapshot = Arc::new(snapshot);
    let (done, files) = run_cycle(
        store,
        dir,
        Input {
            snapshot: &snapshot,
            rules,
            now,
            refresh: TimeDelta::minutes(1),
            previous_feed,
            problems,
        },
        kept.as_deref_mut(),
    )?;
    let mut files = files;
    let written = Ready::write_files(dir, store, &mut files);
    if let Some(k) = kept {
        files.hand_back(k);
    }
    written?;
    Ok((
        CycleSummary {
            events: snapshot.events.len(),
            decisions: done.decisions,
            reservations: done.reservations,
            feed_bytes: done.feed.bytes.len(),
            feed_changed: done.feed_changed,
        },
        done.feed,
    ))
}

/// The daemon's cycle on a calendar already read (a poll's result), up to the moment its
/// feed can be served: decide (with `kept`, only what changed), record in the store,
/// render. For the benchmark of that path; the daemon runs the same. The daemon then
/// serves `feed`, writes the files and hands them back to `kept`
/// ([`Ready::write_files`], [`super::Files::hand_back`]).
#[allow(clippy::too_many_arguments)]
pub fn decide_and_record(
    store: &Store,
    dir: &Path,
    snapshot: &Arc<Snapshot>,
    rules: &Rules,
    now: DateTime<Utc>,
    previous_feed: Option<FeedBody>,
    kept: Option<&mut Kept>,
) -> Result<Ready, CycleError> {
    let (done, files) = run_cycle(
        store,
        dir,
        Input {
            snapshot,
            rules,
            now,
            refresh: TimeDelta::minutes(1),
            previous_feed,
            problems: &[],
        },
        kept,
    )?;
    Ok(Ready {
        feed: done.feed,
        files,
    })
}
