//! Scoring again only the requests a change can reach. A run on a calendar that changed
//! in a few events keeps every decision of the last run whose inputs are all unchanged:
//! its own event and occurrences, the busy time, 1:1s and other requests around them
//! (within the buffer), the loads of its days, the rules, the active goals, and how near
//! it is to `now` as it reads that (inside the notice a rule or the limits look at: the
//! minutes to its first occurrence, and which side of each notice it is on). A decision
//! scored again that comes out the same keeps its number (what was built from it stands).
//! What a decision reads is listed in `score.rs`; this module names the same inputs, and
//! `tests/incremental.rs` holds the result equal to a run from scratch, byte for byte.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::context::{Context, DayLoad, Request};
use super::plan::{Decision, Plan, Reservation};
use crate::calendar::index::Interval;
use crate::calendar::{IntervalIndex, Snapshot};
use crate::rules::Rules;

/// Every decision made gets a number no other has had in this process, which a decision
/// carried over from the last run keeps: what is built from a decision (its feed events,
/// its JSON) can be kept by that number.
static MADE: AtomicU64 = AtomicU64::new(1);

pub(super) fn stamp() -> u64 {
    MADE.fetch_add(1, Ordering::Relaxed)
}

/// What a run keeps for the next (see the module's text).
#[derive(Default)]
pub struct Memo {
    last: Option<Last>,
    /// The last run's plan, once its caller hands it back: carried decisions are moved
    /// out of it instead of being copied.
    plan: Option<Plan>,
    reused: usize,
    same_again: usize,
    /// The series' instants, one cache for placing the 1:1s and one for deciding (their
    /// windows differ).
    pub(crate) rules_placing: crate::calendar::expand::RuleCache,
    pub(crate) rules_deciding: crate::calendar::expand::RuleCache,
}

impl Memo {
    pub fn new() -> Memo {
        Memo::default()
    }

    /// Hands back the plan the last run made (after the caller is done with it), so that
    /// the next run can carry its decisions over. Without it, the next run scores every
    /// request; a plan that is not the last run's is refused the same way.
    pub fn give_back(&mut self, plan: Plan) {
        if let Some(last) = &self.last {
            if last.now == plan.now && last.positions.len() == plan.decisions.len() {
                self.plan = Some(plan);
            }
        }
    }

    /// How many decisions the last run carried over instead of scoring.
    pub fn reused(&self) -> usize {
        self.reused
    }

    /// How many decisions the last run scored again and found the same (they kept their
    /// numbers, as carried ones do).
    pub fn same_again(&self) -> usize {
        self.same_again
    }
}

pub(super) struct Last {
    pub snapshot: Arc<Snapshot>,
    pub rules: Rules,
    pub now: DateTime<Utc>,
    pub goals: Vec<String>,
    pub busy: Arc<IntervalIndex<usize>>,
    pub pending: Arc<IntervalIndex<usize>>,
    pub requests: Arc<Vec<Request>>,
    pub reservations: Vec<Reservation>,
    pub held: IntervalIndex<usize>,
    pub load: BTreeMap<NaiveDate, DayLoad>,
    /// By request, as `requests`: the number its decision was made under, and where the
    /// decision stands in the plan.
    pub numbers: Vec<u64>,
    pub positions: Vec<usize>,
}

impl Memo {
    /// The last run and its plan (when it was handed back).
    pub(super) fn take(&mut self) -> Option<(Last, Plan)> {
        let last = self.last.take()?;
        let plan = self.plan.take()?;
        Some((last, plan))
    }

    pub(super) fn keep(&mut self, last: Last, reused: usize, same_again: usize) {
        self.last = Some(last);
        self.plan = None;
        self.reused = reused;
        self.same_again = same_again;
    }
}

/// Names of the goals active in `ctx`.
pub(super) fn goal_names(ctx: &Context<'_>) -> Vec<String> {
    ctx.goals.iter().map(|g| g.name.clone()).collect()
}

/// What the last run decided for one of this run's requests.
pub(super) enum Before {
    /// Nothing: a new request, or a run that could carry nothing over.
    Unknown,
    /// The decision still holds: carried over with its number.
    Holds(Decision, u64),
    /// Something it reads changed: scored again, and if the new decision is the same,
    /// it keeps this number (what was built from it still stands).
    Was(Decision, u64),
}

/// The decisions of `last` that still hold in `ctx` (at `now`), by this run's request,
/// and the ones that may not (to be compared with their new scoring).
pub(super) fn carry(last: Last, plan: Plan, ctx: &Context<'_>, snapshot: &Snapshot) -> Vec<Before> {
    let none = || (0..ctx.requests.len()).map(|_| Before::Unknown).collect();
    if last.rules != *ctx.rules || last.goals != goal_names(ctx) {
        return none();
    }
    let changed = Changed::between(&last, ctx, snapshot);
    let rules = ctx.rules;
    // What a decision reads of the clock: how long until its first occurrence, against
    // `min_notice` and the rules' `notice_under`, and in whole minutes ("starts in 5 h 12
    // min"). A request further away than all of them at both times does not see it move;
    // nor does one nearer whose minutes and sides of every threshold are the same.
    let thresholds: Vec<TimeDelta> = std::iter::once(rules.limits.min_notice)
        .chain(rules.rules.iter().filter_map(|r| r.when.notice_under))
        .collect();
    let notice = thresholds
        .iter()
        .copied()
        .fold(TimeDelta::MIN, TimeDelta::max);
    let unmoved = |first: DateTime<Utc>| {
        let (was, is) = (first - last.now, first - ctx.now);
        (was >= notice && is >= notice)
            || (was.num_minutes() == is.num_minutes()
                && thresholds.iter().all(|&t| (was < t) == (is < t)))
    };
    let pad = rules.limits.buffer.max(TimeDelta::zero()) + TimeDelta::seconds(1);
    let old_events = &last.snapshot.events;
    let found = last_requests(&last, ctx);
    let mut decisions: Vec<Option<Decision>> = plan.decisions.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(ctx.requests.len());
    for (k, req) in ctx.requests.iter().enumerate() {
        let event = &ctx.events[req.event];
        let kept = found[k].and_then(|i| {
            let old = &last.requests[i];
            let first = req.occurrences.first()?.0;
            let reading = old_events[old.event].same_reading(event);
            let same = old.occurrences == req.occurrences
                && (reading || old_events[old.event] == *event)
                && unmoved(first)
                && !req.occurrences.iter().any(|&(s, e)| {
                    changed.around.any_overlapping(s - pad, e + pad)
                        || (!changed.days.is_empty() && changed.days.contains(&ctx.local(s).date()))
                });
            let d = decisions.get_mut(*last.positions.get(i)?)?.take()?;
            let n = *last.numbers.get(i)?;
            // Its decision was made for the old event: of the same reading, the same UID
            // (not compared again: both are cold in memory by now).
            (reading || d.id == event.uid).then_some(if same {
                Before::Holds(d, n)
            } else {
                Before::Was(d, n)
            })
        });
        out.push(kept.unwrap_or(Before::Unknown));
    }
    out
}

/// For each of this run's requests, the last run's request of the same UID, if any.
/// Most often it is at the same place (or the place next to it, when a request moved
/// past others) and of the same reading (so of the same UID: two requests have
/// different UIDs); the others are looked for by UID among the last run's requests that
/// no request of this run matched that way.
fn last_requests(last: &Last, ctx: &Context<'_>) -> Vec<Option<usize>> {
    let old_events = &last.snapshot.events;
    let uid_of = |j: usize| old_events[last.requests[j].event].uid.as_str();
    let mut matched = vec![false; last.requests.len()];
    let mut shift: isize = 0;
    let mut found: Vec<Option<usize>> =
        ctx.requests
            .iter()
            .enumerate()
            .map(|(k, req)| {
                let event = &ctx.events[req.event];
                for step in [0, -1, 1] {
                    let Some(j) = k.checked_add_signed(shift + step) else {
                        continue;
                    };
                    let same = last.requests.get(j).is_some_and(|old| {
                        !matched[j] && old_events[old.event].same_reading(event)
                    });
                    if same {
                        shift += step;
                        matched[j] = true;
                        return Some(j);
                    }
                }
                None
            })
            .collect();
    let missed: Vec<usize> = (0..found.len()).filter(|&k| found[k].is_none()).collect();
    if missed.is_empty() {
        return found;
    }
    let unmatched: Vec<usize> = (0..matched.len()).filter(|&j| !matched[j]).collect();
    let uid = |k: usize| ctx.events[ctx.requests[k].event].uid.as_str();
    if missed.len().saturating_mul(unmatched.len()) <= 4096 {
        for k in missed {
            found[k] = unmatched.iter().copied().find(|&j| uid_of(j) == uid(k));
        }
    } else {
        let by_uid: HashMap<&str, usize> = unmatched.iter().map(|&j| (uid_of(j), j)).collect();
        for k in missed {
            found[k] = by_uid.get(uid(k)).copied();
        }
    }
    found
}

/// Where the calendar around the requests changed between two runs: times whose busy
/// time, 1:1s or pending requests differ in anything a decision says of them, and days
/// whose meeting load differs.
struct Changed {
    around: IntervalIndex<u8>,
    days: std::collections::HashSet<NaiveDate>,
}

type Span = (DateTime<Utc>, DateTime<Utc>);

impl Changed {
    fn between(last: &Last, ctx: &Context<'_>, snapshot: &Snapshot) -> Changed {
        let (old, new) = (&last.snapshot.events, &snapshot.events);
        let mut spans: Vec<Span> = Vec::new();
        differ(
            last.busy.as_slice(),
            ctx.busy.as_slice(),
            |v| Title(&old[v]),
            |v| Title(&new[v]),
            &mut spans,
        );
        differ(
            last.pending.as_slice(),
            ctx.pending.as_slice(),
            |v| {
                let e = &old[last.requests[v].event];
                Named(e)
            },
            |v| Named(&new[ctx.requests[v].event]),
            &mut spans,
        );
        differ(
            last.held.as_slice(),
            ctx.held.as_slice(),
            |v| last.reservations[v].series.as_str(),
            |v| ctx.reservations[v].series.as_str(),
            &mut spans,
        );
        let mut days = std::collections::HashSet::new();
        for (day, load) in &last.load {
            if ctx.load.get(day) != Some(load) {
                days.insert(*day);
            }
        }
        for (day, load) in &ctx.load {
            if last.load.get(day) != Some(load) {
                days.insert(*day);
            }
        }
        let around = IntervalIndex::new(
            spans
                .into_iter()
                .map(|(start, end)| Interval {
                    start,
                    // An empty span still marks its instant.
                    end: end.max(start + TimeDelta::seconds(1)),
                    value: 0,
                })
                .collect(),
        );
        Changed { around, days }
    }
}

/// An event as a decision names it: by its public title (the same for two events of the
/// same reading, which are then not read again).
struct Title<'e>(&'e crate::calendar::Event);

impl PartialEq for Title<'_> {
    fn eq(&self, other: &Title<'_>) -> bool {
        self.0.same_reading(other.0) || self.0.public_title() == other.0.public_title()
    }
}

/// A request as a decision names it: by its UID and public title.
struct Named<'e>(&'e crate::calendar::Event);

impl PartialEq for Named<'_> {
    fn eq(&self, other: &Named<'_>) -> bool {
        let (a, b) = (self.0, other.0);
        a.same_reading(b) || (a.uid == b.uid && a.public_title() == b.public_title())
    }
}

/// The spans where two sorted interval lists differ: a span in one and not the other, or
/// a span whose intervals (in index order, which decides which one a request cites) say
/// different things by `old_key` and `new_key`.
fn differ<K: PartialEq>(
    old: &[Interval<usize>],
    new: &[Interval<usize>],
    old_key: impl Fn(usize) -> K,
    new_key: impl Fn(usize) -> K,
    out: &mut Vec<Span>,
) {
    let group = |items: &[Interval<usize>], from: usize| -> usize {
        let at = (items[from].start, items[from].end);
        from + items[from..]
            .iter()
            .take_while(|it| (it.start, it.end) == at)
            .count()
    };
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        let a = old.get(i).map(|it| (it.start, it.end));
        let b = new.get(j).map(|it| (it.start, it.end));
        match (a, b) {
            (Some(a), Some(b)) if a == b => {
                let (gi, gj) = (group(old, i), group(new, j));
                let same = gi - i == gj - j
                    && old[i..gi]
                        .iter()
                        .zip(&new[j..gj])
                        .all(|(x, y)| old_key(x.value) == new_key(y.value));
                if !same {
                    out.push(a);
                }
                (i, j) = (gi, gj);
            }
            (Some(a), Some(b)) if a < b => {
                out.push(a);
                i += 1;
            }
            (Some(a), None) => {
                out.push(a);
                i += 1;
            }
            (_, Some(b)) => {
                out.push(b);
                j += 1;
            }
            (None, None) => break,
        }
    }
}
