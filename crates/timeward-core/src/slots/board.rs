//! The board a placement looks at: the executive's busy time around the periods.

use chrono::{DateTime, TimeDelta, Utc};

use super::Board;
use crate::calendar::index::Interval;
use crate::calendar::{IntervalIndex, Kind, Snapshot};
use crate::rules::Rules;

impl<'a> Board<'a> {
    pub(super) fn new(
        snapshot: &Snapshot,
        rules: &'a Rules,
        now: DateTime<Utc>,
        cache: Option<&mut crate::calendar::expand::RuleCache>,
    ) -> Board<'a> {
        let tz = rules.executive.timezone;
        let exec = rules.executive.email.as_str();
        // Periods reach back to the start of the one holding `now` (its busy time, before
        // `now` too, decides the usual slot) and forward to the horizon; busy time just
        // outside counts for buffers.
        let margin = rules.limits.buffer + TimeDelta::days(1);
        let longest = rules
            .one_on_ones
            .iter()
            .map(|s| i64::from(s.every.days.max(1)))
            .max()
            .unwrap_or(1);
        let mut cache = cache;
        let (occurrences, _) = crate::calendar::expand::expand_kept(
            &snapshot.events,
            tz,
            (
                now - TimeDelta::days(longest) - margin,
                now + rules.limits.horizon + margin,
            ),
            1,
            cache.as_deref_mut(),
        );
        let kinds = crate::calendar::kinds::kinds_of(
            &snapshot.events,
            &occurrences,
            exec,
            cache.map(|c| &mut c.kinds),
        );
        let busy = occurrences
            .iter()
            .filter(|o| kinds[o.event] == Kind::Busy)
            .map(|o| Interval {
                start: o.start,
                end: o.end,
                value: (),
            })
            .collect();
        Board {
            rules,
            tz,
            now,
            busy: IntervalIndex::new(busy),
        }
    }
}
