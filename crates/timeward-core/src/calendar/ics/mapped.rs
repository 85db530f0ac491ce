//! Events that come as properties rather than as text (the Google source maps its API's
//! fields onto iCalendar properties): read by the same [`event_from`] as a file's VEVENTs,
//! so that both sources interpret times, zones, recurrences and people alike, without
//! writing iCalendar text and parsing it again.

use std::panic::{catch_unwind, AssertUnwindSafe};

use icalendar::parser::{Component, Property};

use super::event::event_from;
use super::lines::Block;
use super::{keep_one_copy, Revision, Zones};
use crate::calendar::{Event, Snapshot, Warning};

/// One event read from a component, ready to join a [`Snapshot`] (see [`snapshot_of`]).
#[derive(Debug, Clone)]
pub struct ReadEvent {
    pub event: Event,
    pub warnings: Vec<Warning>,
    revision: Revision,
}

/// One content line (`EXDATE;TZID=Europe/Berlin:20261208T100000`, say) as a property, or
/// `None` where it is not NAME[;PARAMS]:VALUE.
pub fn content_line(line: &str) -> Option<Property<'_>> {
    super::lexer::property(line)
}

/// Reads one VEVENT given as a component (its properties as a file would hold them,
/// values unescaped), behind a panic guard. The error says why it cannot be an event.
pub fn event_of(component: &Component<'_>) -> Result<ReadEvent, String> {
    let block = Block {
        name: "VEVENT",
        lines: &[],
        unclosed: false,
    };
    let zones = Zones {
        calendar: None,
        custom: std::collections::HashMap::new(),
    };
    let mut warnings = Vec::new();
    let read = catch_unwind(AssertUnwindSafe(|| {
        event_from(component, &block, &zones, &mut warnings, None)
    }))
    .map_err(|_| "reading it failed inside timeward (a bug; please report it)".to_string())?;
    let (event, revision) = read?;
    Ok(ReadEvent {
        event,
        warnings,
        revision,
    })
}

/// The snapshot of these events, as the .ics reader would make it of a file holding them
/// in this order (two copies of one event: one is kept).
pub fn snapshot_of<'a>(events: impl IntoIterator<Item = &'a ReadEvent>) -> Snapshot {
    let mut snapshot = Snapshot::default();
    let mut revisions = Vec::new();
    for r in events {
        snapshot.events.push(r.event.clone());
        snapshot.warnings.extend(r.warnings.iter().cloned());
        revisions.push(r.revision);
    }
    keep_one_copy(&mut snapshot, &revisions);
    snapshot.events.shrink_to_fit();
    snapshot
}
