//! Reading a calendar again after a change: each VEVENT whose text is the same as in the
//! last read (and read with the same time zones) is taken from that read instead of being
//! read again, its line numbers moved to where it now stands. One changed event in a
//! large file then costs splitting the file into events and reading that one event.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

use super::lines::Span;
use super::{BlockRead, Revision, Zones};
use crate::calendar::{Event, Warning};

/// What the last read of a calendar gave, by the text of each VEVENT. Held by the shell
/// between reads of one source; [`Reuse::compact`] keeps it as small as the snapshot the
/// daemon keeps.
#[derive(Default)]
pub struct Reuse {
    /// The time zones the events were read with (a changed VTIMEZONE or X-WR-TIMEZONE
    /// reads every event again).
    zones: u64,
    blocks: HashMap<(u64, usize), Kept>,
    /// Keyed afresh for each process: the text of a block cannot be made to collide.
    keys: std::hash::RandomState,
    /// How many VEVENTs the last read took from the one before (for tests and logs).
    pub reused: usize,
    /// The executive the kept events were compacted for.
    compacted_for: Option<String>,
}

struct Kept {
    /// The block's first line in the read that made it.
    line: usize,
    /// Compacted already (for the one executive a source reads for).
    compact: bool,
    events: Events,
    warnings: Vec<Warning>,
}

/// A block's events and warnings as kept, moved by `shift` lines.
/// A block's events with their revisions, or why it holds none.
type Events = Result<Vec<(Event, Revision)>, String>;

fn shifted(k: &Kept, shift: isize) -> (Vec<Warning>, Events) {
    let at = |line: usize| line.saturating_add_signed(shift);
    let warnings = k
        .warnings
        .iter()
        .map(|w| Warning {
            line: at(w.line),
            message: w.message.clone(),
        })
        .collect();
    let events = k.events.as_ref().map(|events| {
        events
            .iter()
            .map(|(e, r)| {
                let mut e = e.clone();
                e.line = at(e.line);
                (e, *r)
            })
            .collect()
    });
    (warnings, events.map_err(Clone::clone))
}

impl Reuse {
    pub fn new() -> Reuse {
        Reuse::default()
    }

    /// Keeps of each kept event only what deciding uses for `exec`, as
    /// `Snapshot::compact` does (a snapshot made of compacted and fresh events, compacted
    /// again, is the snapshot of a fresh read, compacted).
    pub fn compact(&mut self, exec: &str) {
        if self.compacted_for.as_deref() != Some(exec) {
            if self.compacted_for.is_some() {
                // Another executive: what was dropped for the last one may matter now.
                self.blocks.clear();
            }
            self.compacted_for = Some(exec.to_string());
        }
        for k in self.blocks.values_mut().filter(|k| !k.compact) {
            if let Ok(events) = &mut k.events {
                for (e, _) in events {
                    e.compact(exec);
                }
            }
            k.compact = true;
        }
    }

    fn key(&self, block: &Span<'_>) -> (u64, usize) {
        let mut h = self.keys.build_hasher();
        let size = block.hash_into(&mut h);
        (h.finish(), size)
    }

    fn zones_key(&self, zones: &Zones) -> u64 {
        let mut h = self.keys.build_hasher();
        h.write(zones.calendar.map_or("", |z| z.name()).as_bytes());
        let mut custom: Vec<(&String, &chrono_tz::Tz)> = zones.custom.iter().collect();
        custom.sort_by(|a, b| a.0.cmp(b.0));
        for (k, v) in custom {
            h.write(k.as_bytes());
            h.write_u8(0);
            h.write(v.name().as_bytes());
            h.write_u8(0);
        }
        h.finish()
    }
}

/// Reads the VEVENT blocks, taking from `reuse` each that the last read had, and keeps
/// this read's blocks in `reuse` for the next.
pub(super) fn read_blocks_reusing<'b, 'a: 'b>(
    blocks: &[&'b Span<'a>],
    zones: &Zones,
    (reader, threads): (super::Reader, usize),
    reuse: &mut Reuse,
) -> Vec<BlockRead<'b, 'a>> {
    let zones_key = reuse.zones_key(zones);
    if reuse.zones != zones_key {
        reuse.blocks.clear();
        reuse.zones = zones_key;
    }
    let keys: Vec<(u64, usize)> = blocks.iter().map(|b| reuse.key(b)).collect();
    let mut old = std::mem::take(&mut reuse.blocks);
    let mut out: Vec<Option<BlockRead<'b, 'a>>> = Vec::with_capacity(blocks.len());
    let mut fresh = Vec::new();
    let mut kept = HashMap::with_capacity(blocks.len());
    for (block, key) in blocks.iter().zip(&keys) {
        match old.remove(key) {
            Some(mut k) => {
                let shift = block.line() as isize - k.line as isize;
                if shift != 0 {
                    let (warnings, events) = shifted(&k, shift);
                    k.warnings = warnings;
                    k.events = events;
                    k.line = block.line();
                }
                let (warnings, events) = shifted(&k, 0);
                out.push(Some((block, warnings, Ok(events))));
                kept.insert(*key, k);
            }
            None => {
                out.push(None);
                fresh.push(*block);
            }
        }
    }
    reuse.reused = blocks.len() - fresh.len();
    let mut read_now = super::read_blocks(&fresh, zones, (reader, None), threads).into_iter();
    for (slot, key) in out.iter_mut().zip(&keys) {
        if slot.is_some() {
            continue;
        }
        let Some(r) = read_now.next() else { break };
        if let (block, warnings, Ok(events)) = &r {
            kept.insert(
                *key,
                Kept {
                    line: block.line(),
                    compact: false,
                    events: events.clone(),
                    warnings: warnings.clone(),
                },
            );
        }
        *slot = Some(r);
    }
    reuse.blocks = kept;
    out.into_iter().flatten().collect()
}
