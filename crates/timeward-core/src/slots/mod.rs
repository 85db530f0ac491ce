//! Recurring 1:1 reservations: one slot per period of each `[[one_on_ones]]`
//! series, placed in file order, each series' slots blocking the next.
//!
//! Pure core: the calendar, the rules, the previous run's reservations and `now` are
//! arguments. Placement keeps people's plans: a reservation from the previous run that is
//! still free stays where it is; every other period takes the series' usual slot (day of
//! the period and wall-clock time) when it is free, else the earliest free slot in
//! `prefer`, else in `fallback`. Wall-clock times hold across daylight saving, because
//! every candidate is a local time turned into an instant on its own day.

mod board;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Timelike, Utc};
use chrono_tz::Tz;

use crate::calendar::tz::local_to_utc;
use crate::calendar::{IntervalIndex, Snapshot};
use crate::decide::{Reservation, Unplaced};
use crate::rules::values::{format_duration, weekday_name, Window};
use crate::rules::{OneOnOne, Rules, SlotWindow};

/// Periods are counted from this Monday, so that a fortnight (or any `Nd`) starts on the
/// same day whichever day timeward runs: the periods of one run are the periods of the next.
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 5).unwrap_or(NaiveDate::MIN)
}

/// Places every series' slots for the periods from the one holding `now` up to, not
/// including, the one holding `now + horizon`. Returns the reservations sorted by (start,
/// series) and the periods that found no slot, sorted by (period start, series).
pub fn place(
    snapshot: &Snapshot,
    rules: &Rules,
    previous: &[Reservation],
    now: DateTime<Utc>,
) -> (Vec<Reservation>, Vec<Unplaced>) {
    place_kept(snapshot, rules, previous, now, None)
}

/// [`place`] with the series' instants kept in `cache` between runs (the same result;
/// see [`crate::calendar::expand::RuleCache`]).
pub fn place_kept(
    snapshot: &Snapshot,
    rules: &Rules,
    previous: &[Reservation],
    now: DateTime<Utc>,
    cache: Option<&mut crate::calendar::expand::RuleCache>,
) -> (Vec<Reservation>, Vec<Unplaced>) {
    if rules.one_on_ones.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let board = Board::new(snapshot, rules, now, cache);
    let series: Vec<Series<'_>> = rules
        .one_on_ones
        .iter()
        .map(|s| Series::new(s, &board, previous))
        .collect();

    // Pass 1, in file order: every previous reservation that is still free keeps its place,
    // before anything new is placed, so that no new slot can take it.
    let mut held: Vec<Reservation> = Vec::new();
    let mut taken: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    let mut kept: Vec<Vec<Option<Reservation>>> = Vec::new();
    for s in &series {
        let mut mine = Vec::with_capacity(s.periods.len());
        for p in &s.periods {
            let keep = s.previous_in(p).find(|r| {
                r.start <= now
                    || s.fits_window(&board, r.start) && board.free(r.start, r.end, &taken).is_ok()
            });
            if let Some(r) = keep {
                taken.push((r.start, r.end));
            }
            mine.push(keep.map(|r| Reservation {
                series: s.def.title.clone(),
                with: s.def.with.clone(),
                start: r.start,
                end: r.end,
            }));
        }
        kept.push(mine);
    }

    // Pass 2, in file order: the other periods take the usual slot, else the earliest free
    // slot in `prefer`, else in `fallback`, else are reported.
    let mut unplaced = Vec::new();
    for (s, mine) in series.iter().zip(kept) {
        let usual = s.usual(&board, &taken);
        for (p, keep) in s.periods.iter().zip(mine) {
            if let Some(r) = keep {
                held.push(r);
                continue;
            }
            match s.choose(&board, p, usual, &taken) {
                Choice::Slot(start, end) => {
                    taken.push((start, end));
                    held.push(Reservation {
                        series: s.def.title.clone(),
                        with: s.def.with.clone(),
                        start,
                        end,
                    });
                }
                Choice::Skip => {}
                Choice::None(reason) => unplaced.push(Unplaced {
                    series: s.def.title.clone(),
                    with: s.def.with.clone(),
                    period_start: board.instant(p.first, 0),
                    period_end: board.instant(p.first + TimeDelta::days(i64::from(p.days)), 0),
                    reason,
                }),
            }
        }
    }
    let mut out = held;
    out.sort_by(|a, b| (a.start, &a.series).cmp(&(b.start, &b.series)));
    unplaced.sort_by(|a, b| (a.period_start, &a.series).cmp(&(b.period_start, &b.series)));
    (out, unplaced)
}

/// What a slot is checked against: busy time, focus blocks, working hours, `now`.
struct Board<'a> {
    rules: &'a Rules,
    tz: Tz,
    now: DateTime<Utc>,
    busy: IntervalIndex<()>,
}

/// Why a candidate slot cannot be used, in the order the checks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Block {
    Past,
    Busy,
    Buffer,
    Focus,
    Reserved,
}

impl<'a> Board<'a> {
    /// The instant the executive's wall clock reads `minutes` past midnight on `day`.
    fn instant(&self, day: NaiveDate, minutes: u32) -> DateTime<Utc> {
        let t = day.and_time(NaiveTime::MIN) + TimeDelta::minutes(i64::from(minutes));
        local_to_utc(self.tz, t)
    }

    fn local_day(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// Whether `[start, end)` is free: strictly after now, clear of busy time and its buffer, focus
    /// blocks and the slots already taken.
    fn free(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        taken: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> Result<(), Block> {
        // A slot that starts at `now` is already under way.
        if start <= self.now {
            return Err(Block::Past);
        }
        self.free_at_any_time(start, end, taken)
    }

    /// [`Board::free`] without the check against `now`.
    fn free_at_any_time(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        taken: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> Result<(), Block> {
        if self.busy.any_overlapping(start, end) {
            return Err(Block::Busy);
        }
        let buffer = self.rules.limits.buffer;
        if buffer > TimeDelta::zero() && self.busy.any_overlapping(start - buffer, end + buffer) {
            return Err(Block::Buffer);
        }
        if self.in_focus(start, end) {
            return Err(Block::Focus);
        }
        if taken.iter().any(|&(s, e)| s < end && e > start) {
            return Err(Block::Reserved);
        }
        Ok(())
    }

    fn in_focus(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        let ls = start.with_timezone(&self.tz).naive_local();
        let le = end.with_timezone(&self.tz).naive_local();
        let mut day = ls.date();
        while day <= le.date() {
            for f in &self.rules.focus {
                if f.days.contains(&day.weekday()) {
                    let fs =
                        day.and_time(NaiveTime::MIN) + TimeDelta::minutes(i64::from(f.time.start));
                    let fe =
                        day.and_time(NaiveTime::MIN) + TimeDelta::minutes(i64::from(f.time.end));
                    if ls < fe && le > fs {
                        return true;
                    }
                }
            }
            day = day.succ_opt().unwrap_or(day);
            if day == NaiveDate::MAX {
                break;
            }
        }
        false
    }
}

/// One period of a series: its first local day and its length in days.
#[derive(Debug, Clone, Copy)]
struct Period {
    first: NaiveDate,
    days: u32,
}

/// A place in a period: which day of it, and the wall-clock minute the slot starts.
type Usual = (u32, u32);

enum Choice {
    Slot(DateTime<Utc>, DateTime<Utc>),
    /// No working time in the period's window (a weekend for `1d`), or none left after now.
    Skip,
    None(String),
}

struct Series<'a> {
    def: &'a OneOnOne,
    periods: Vec<Period>,
    /// The previous run's reservations of this series, by start.
    previous: Vec<&'a Reservation>,
    tz: Tz,
}

impl<'a> Series<'a> {
    fn new(def: &'a OneOnOne, board: &Board<'_>, previous: &'a [Reservation]) -> Series<'a> {
        let n = i64::from(def.every.days.max(1));
        let index = |day: NaiveDate| (day - epoch()).num_days().div_euclid(n);
        let first = index(board.local_day(board.now));
        let last = index(board.local_day(board.now + board.rules.limits.horizon));
        let periods = (first..last)
            .map(|i| Period {
                first: epoch() + TimeDelta::days(i * n),
                days: def.every.days.max(1),
            })
            .collect();
        let mut previous: Vec<&Reservation> = previous
            .iter()
            .filter(|r| r.series == def.title && r.end - r.start == def.duration)
            .collect();
        previous.sort_by_key(|r| r.start);
        Series {
            def,
            periods,
            previous,
            tz: board.tz,
        }
    }

    fn period_days(&self, p: &Period) -> impl Iterator<Item = NaiveDate> {
        let first = p.first;
        (0..p.days).map(move |i| first + TimeDelta::days(i64::from(i)))
    }

    fn previous_in<'s>(&'s self, p: &Period) -> impl Iterator<Item = &'a Reservation> + 's {
        let (from, to) = (p.first, p.first + TimeDelta::days(i64::from(p.days)));
        self.previous.iter().copied().filter(move |r| {
            let d = r.start.with_timezone(&self.tz).date_naive();
            d >= from && d < to
        })
    }

    /// The allowed minutes of `day` for a window: its time within working hours, if the
    /// window covers the day. `None` window = all working hours.
    fn allowed(board: &Board<'_>, window: Option<&SlotWindow>, day: NaiveDate) -> Option<Window> {
        let hours = board.rules.hours_on(day.weekday())?;
        match window {
            None => Some(hours),
            Some(w) if w.days.contains(&day.weekday()) => {
                let start = hours.start.max(w.time.start);
                let end = hours.end.min(w.time.end);
                (start < end).then_some(Window { start, end })
            }
            Some(_) => None,
        }
    }

    /// Every quarter-hour start in `window` over the period, in time order, as (day offset,
    /// minute, start, end).
    fn candidates<'s>(
        &'s self,
        board: &'s Board<'_>,
        p: &Period,
        window: Option<&'s SlotWindow>,
    ) -> impl Iterator<Item = (u32, u32, DateTime<Utc>, DateTime<Utc>)> + 's {
        let minutes = u32::try_from(self.def.duration.num_minutes()).unwrap_or(u32::MAX);
        self.period_days(p)
            .enumerate()
            .flat_map(move |(offset, day)| {
                let allowed = Self::allowed(board, window, day);
                let (from, to) = allowed.map_or((1, 0), |w| (w.start.div_ceil(15) * 15, w.end));
                (from..=to.saturating_sub(minutes))
                    .step_by(15)
                    .filter(move |m| m + minutes <= to && allowed.is_some())
                    .map(move |m| {
                        let start = board.instant(day, m);
                        let offset = u32::try_from(offset).unwrap_or(u32::MAX);
                        (offset, m, start, start + self.def.duration)
                    })
            })
    }

    /// Whether a slot starting at `start` lies inside `prefer` or `fallback`, in working
    /// hours, on a quarter hour.
    fn fits_window(&self, board: &Board<'_>, start: DateTime<Utc>) -> bool {
        let local = start.with_timezone(&board.tz).naive_local();
        let m = local.hour() * 60 + local.minute();
        let minutes = u32::try_from(self.def.duration.num_minutes()).unwrap_or(u32::MAX);
        let inside = |w: Option<&SlotWindow>| {
            Self::allowed(board, w, local.date())
                .is_some_and(|a| m >= a.start && m + minutes <= a.end)
        };
        m.is_multiple_of(15)
            && local.second() == 0
            && (inside(Some(&self.def.prefer)) || inside(self.def.fallback.as_ref()))
    }

    /// The usual slot: the most common place of the previous run's reservations when they
    /// lie in `prefer`; else the earliest `prefer` slot of the first period that has a
    /// free one, reckoned without `now` so that a run late on a Monday does not make
    /// Monday afternoon the usual time for good.
    fn usual(&self, board: &Board<'_>, taken: &[(DateTime<Utc>, DateTime<Utc>)]) -> Option<Usual> {
        let mut counts: HashMap<Usual, (usize, DateTime<Utc>)> = HashMap::new();
        for r in &self.previous {
            let local = r.start.with_timezone(&board.tz).naive_local();
            let n = i64::from(self.def.every.days.max(1));
            let since = (local.date() - epoch()).num_days();
            let offset = u32::try_from(since.rem_euclid(n)).unwrap_or(0);
            let minute = local.hour() * 60 + local.minute();
            let in_prefer =
                Self::allowed(board, Some(&self.def.prefer), local.date()).is_some_and(|a| {
                    minute >= a.start
                        && minute
                            + u32::try_from(self.def.duration.num_minutes()).unwrap_or(u32::MAX)
                            <= a.end
                });
            if in_prefer {
                let e = counts.entry((offset, minute)).or_insert((0, r.start));
                e.0 += 1;
            }
        }
        if let Some((&u, _)) = counts
            .iter()
            .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
        {
            return Some(u);
        }
        self.periods.iter().find_map(|p| {
            self.candidates(board, p, Some(&self.def.prefer))
                .find(|&(_, _, s, e)| board.free_at_any_time(s, e, taken).is_ok())
                .map(|(offset, m, _, _)| (offset, m))
        })
    }

    fn choose(
        &self,
        board: &Board<'_>,
        p: &Period,
        usual: Option<Usual>,
        taken: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> Choice {
        if let Some((offset, minute)) = usual {
            if let Some((_, _, s, e)) = self
                .candidates(board, p, Some(&self.def.prefer))
                .find(|&(o, m, _, _)| o == offset && m == minute)
            {
                if board.free(s, e, taken).is_ok() {
                    return Choice::Slot(s, e);
                }
            }
        }
        if let Some((_, _, s, e)) = self
            .candidates(board, p, Some(&self.def.prefer))
            .find(|&(_, _, s, e)| board.free(s, e, taken).is_ok())
        {
            return Choice::Slot(s, e);
        }
        let fallback = self.def.fallback.as_ref();
        let mut blocks: HashMap<Block, usize> = HashMap::new();
        let mut any_after_now = false;
        for (_, _, s, e) in self.candidates(board, p, fallback) {
            match board.free(s, e, taken) {
                Ok(()) => return Choice::Slot(s, e),
                Err(Block::Past) => {}
                Err(b) => {
                    any_after_now = true;
                    *blocks.entry(b).or_default() += 1;
                }
            }
        }
        if !any_after_now {
            return Choice::Skip;
        }
        Choice::None(self.unplaced_reason(board, p, &blocks))
    }

    /// "no free 30m slot in Mon/Tue 09:00-17:30 of the week of 2027-01-11: 30 starts
    /// overlap busy events, 8 overlap focus time".
    fn unplaced_reason(
        &self,
        board: &Board<'_>,
        p: &Period,
        blocks: &HashMap<Block, usize>,
    ) -> String {
        let window = match &self.def.fallback {
            Some(w) => format!(
                "{} {}",
                w.days
                    .iter()
                    .map(|d| weekday_name(*d))
                    .collect::<Vec<_>>()
                    .join("/"),
                w.time
            ),
            None => "the working hours".to_string(),
        };
        let period = match self.def.every.days {
            1 => format!("{}", p.first),
            7 => format!("the week of {}", p.first),
            14 => format!("the fortnight of {}", p.first),
            n if n.is_multiple_of(7) => format!("the {} weeks from {}", n / 7, p.first),
            n => format!("the {n} days from {}", p.first),
        };
        let mut why: Vec<(Block, usize)> = blocks.iter().map(|(b, n)| (*b, *n)).collect();
        why.sort();
        let parts: Vec<String> = why
            .iter()
            .map(|(b, n)| match b {
                Block::Past => format!("{n} already past"),
                Block::Busy => format!("{n} overlap busy events"),
                Block::Buffer => format!(
                    "{n} are within the {} buffer of a meeting",
                    format_duration(board.rules.limits.buffer)
                ),
                Block::Focus => format!("{n} overlap focus time"),
                Block::Reserved => format!("{n} overlap another 1:1"),
            })
            .collect();
        format!(
            "no free {} slot in {window} of {period}: of its {} quarter-hour starts, {}",
            format_duration(self.def.duration),
            blocks.values().sum::<usize>(),
            parts.join(", ")
        )
    }
}
