//! The calendar prepared once per run for scoring: occurrences expanded over the horizon,
//! busy time, reservations and pending requests in interval indexes, and each day's
//! meeting load, so that every check on a request occurrence costs O(log n).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use super::plan::{Reservation, Text};
use super::request_text::RequestText;
use crate::calendar::index::Interval;
use crate::calendar::kinds::kinds_of;
use crate::calendar::{expand, Event, IntervalIndex, Kind, Snapshot, Warning};
use crate::rules::{Goal, Rules};

/// Meetings already on one local day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayLoad {
    pub meetings: u32,
    pub minutes: i64,
}

/// A pending request: one per UID, with its occurrences inside the horizon.
#[derive(Debug, Clone)]
pub struct Request {
    /// The event whose title, people and description speak for the request.
    pub event: usize,
    pub occurrences: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

/// The part of a run that depends on the calendar and on only four things of the rules
/// (the executive, their zone, the horizon, the buffer): the occurrences sorted into busy
/// time, daily loads and pending requests. Two runs on one calendar with rules that agree
/// on those four (a what-if) share it.
pub struct Prepared {
    key: (Tz, String, TimeDelta, TimeDelta),
    now: DateTime<Utc>,
    busy: Arc<IntervalIndex<usize>>,
    pending: Arc<IntervalIndex<usize>>,
    requests: Arc<Vec<Request>>,
    /// Without the reservations, which each run adds.
    load: BTreeMap<NaiveDate, DayLoad>,
    warnings: Vec<Warning>,
    /// Each request's normalised text and local times, made by the first run that needs
    /// them and reused by the next.
    texts: Arc<Vec<OnceLock<RequestText>>>,
}

fn key_of(rules: &Rules) -> (Tz, String, TimeDelta, TimeDelta) {
    (
        rules.executive.timezone,
        rules.executive.email.clone(),
        rules.limits.horizon,
        rules.limits.buffer,
    )
}

impl Prepared {
    pub fn new(snapshot: &Snapshot, rules: &Rules, now: DateTime<Utc>, threads: usize) -> Prepared {
        Prepared::new_kept(snapshot, rules, now, threads, None)
    }

    /// [`Prepared::new`] with the series' instants kept in `cache` between runs (the
    /// same result; see [`expand::RuleCache`]).
    pub fn new_kept(
        snapshot: &Snapshot,
        rules: &Rules,
        now: DateTime<Utc>,
        threads: usize,
        cache: Option<&mut expand::RuleCache>,
    ) -> Prepared {
        let key = key_of(rules);
        let (tz, exec, horizon, buffer) = (key.0, key.1.as_str(), key.2, key.3);
        let horizon_end = now + horizon;
        // Busy time a little beyond the horizon counts for buffers and whole-day loads.
        let margin = TimeDelta::days(2) + buffer;
        let events = snapshot.events.as_slice();
        let mut cache = cache;
        let (occurrences, warnings) = expand::expand_kept(
            events,
            tz,
            (now - margin, horizon_end + margin),
            threads,
            cache.as_deref_mut(),
        );
        // Only the events with an occurrence here are ever looked at.
        let kinds = kinds_of(events, &occurrences, exec, cache.map(|c| &mut c.kinds));
        let Sorted {
            busy,
            load,
            requests,
        } = sort_occurrences(&occurrences, events, &kinds, tz, now, horizon_end);
        let pending = pending_index(&requests);
        let texts = Arc::new(requests.iter().map(|_| OnceLock::new()).collect());
        Prepared {
            texts,
            key,
            now,
            busy: Arc::new(busy),
            pending: Arc::new(pending),
            requests: Arc::new(requests),
            load,
            warnings,
        }
    }

    /// The moment it was prepared for.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Whether a run with `rules` at `now` may use this.
    pub fn fits(&self, rules: &Rules, now: DateTime<Utc>) -> bool {
        self.now == now && self.key == key_of(rules)
    }
}

pub struct Context<'a> {
    pub rules: &'a Rules,
    pub events: &'a [Event],
    pub reservations: &'a [Reservation],
    pub now: DateTime<Utc>,
    pub tz: Tz,
    pub busy: Arc<IntervalIndex<usize>>,
    pub held: IntervalIndex<usize>,
    pub pending: Arc<IntervalIndex<usize>>,
    pub load: BTreeMap<NaiveDate, DayLoad>,
    pub requests: Arc<Vec<Request>>,
    /// See [`Prepared`]: one per request.
    pub texts: Arc<Vec<OnceLock<RequestText>>>,
    pub goals: Vec<&'a Goal>,
    /// Each rule's conditions in words, made once per run.
    pub rule_details: Vec<Text>,
    /// "rule: NAME" and "goal: NAME", made once per run.
    pub rule_sources: Vec<Text>,
    pub goal_sources: Vec<Text>,
    pub warnings: Vec<Warning>,
}

impl<'a> Context<'a> {
    pub fn build(
        snapshot: &'a Snapshot,
        rules: &'a Rules,
        reservations: &'a [Reservation],
        now: DateTime<Utc>,
        threads: usize,
    ) -> Context<'a> {
        let prepared = Prepared::new(snapshot, rules, now, threads);
        Context::with(snapshot, rules, reservations, &prepared)
    }

    /// A run's context on a calendar already prepared for rules that agree with `rules`
    /// (see [`Prepared::fits`]).
    pub fn with(
        snapshot: &'a Snapshot,
        rules: &'a Rules,
        reservations: &'a [Reservation],
        prepared: &Prepared,
    ) -> Context<'a> {
        let tz = rules.executive.timezone;
        let now = prepared.now;
        let events = snapshot.events.as_slice();
        let mut load = prepared.load.clone();
        for r in reservations {
            add_load(&mut load, tz, r.start, r.end);
        }
        let held = held_index(reservations);
        let busy = Arc::clone(&prepared.busy);
        let pending = Arc::clone(&prepared.pending);
        let requests = Arc::clone(&prepared.requests);
        let texts = Arc::clone(&prepared.texts);
        let warnings = prepared.warnings.clone();
        let goals: Vec<&Goal> = rules
            .goals
            .iter()
            .filter(|g| goal_active(g, tz, now))
            .collect();
        let goal_sources = goals
            .iter()
            .map(|g| shared(format!("goal: {}", g.name)))
            .collect();
        Context {
            rules,
            events,
            reservations,
            now,
            tz,
            busy,
            held,
            pending,
            load,
            requests,
            texts,
            goals,
            rule_sources: rules
                .rules
                .iter()
                .map(|r| shared(format!("rule: {}", r.name)))
                .collect(),
            goal_sources,
            rule_details: rules
                .rules
                .iter()
                .map(|r| shared(super::describe::describe(&r.when)))
                .collect(),
            warnings,
        }
    }

    pub fn local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        t.with_timezone(&self.tz).naive_local()
    }
}

fn shared(s: String) -> Text {
    Text::Shared(Arc::from(s))
}

/// A goal counts until the end of its `until` day in the executive's zone.
fn goal_active(goal: &Goal, tz: Tz, now: DateTime<Utc>) -> bool {
    match goal.until {
        None => true,
        Some(day) => now.with_timezone(&tz).date_naive() <= day,
    }
}

fn add_load(
    load: &mut BTreeMap<NaiveDate, DayLoad>,
    tz: Tz,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) {
    let day = start.with_timezone(&tz).date_naive();
    let entry = load.entry(day).or_default();
    entry.meetings += 1;
    entry.minutes += (end - start).num_minutes();
}

/// The occurrences sorted into busy time, daily loads and requests.
struct Sorted {
    busy: IntervalIndex<usize>,
    load: BTreeMap<NaiveDate, DayLoad>,
    requests: Vec<Request>,
}

fn sort_occurrences(
    occurrences: &[expand::Occurrence],
    events: &[Event],
    kinds: &[Kind],
    tz: Tz,
    now: DateTime<Utc>,
    horizon_end: DateTime<Utc>,
) -> Sorted {
    let mut busy = Vec::new();
    let mut load: BTreeMap<NaiveDate, DayLoad> = BTreeMap::new();
    // At its size from the start: growing it rehashes every UID (most requests are one
    // event each).
    let requested = kinds.iter().filter(|&&k| k == Kind::Request).count();
    let mut by_uid: HashMap<&str, usize> = HashMap::with_capacity(requested);
    let mut requests: Vec<Request> = Vec::new();
    for o in occurrences {
        match kinds[o.event] {
            Kind::Busy => {
                busy.push(Interval {
                    start: o.start,
                    end: o.end,
                    value: o.event,
                });
                if !o.all_day && o.end > o.start {
                    add_load(&mut load, tz, o.start, o.end);
                }
            }
            Kind::Request if o.end > now && o.start < horizon_end => {
                let e = &events[o.event];
                let i = *by_uid.entry(e.uid.as_str()).or_insert_with(|| {
                    requests.push(Request {
                        event: o.event,
                        occurrences: Vec::new(),
                    });
                    requests.len() - 1
                });
                let r = &mut requests[i];
                // The series master speaks for the request over an override.
                if events[r.event].recurrence_id.is_some() && e.recurrence_id.is_none() {
                    r.event = o.event;
                }
                r.occurrences.push((o.start, o.end));
            }
            _ => {}
        }
    }
    Sorted {
        busy: IntervalIndex::new(busy),
        load,
        requests,
    }
}

fn held_index(reservations: &[Reservation]) -> IntervalIndex<usize> {
    IntervalIndex::new(
        reservations
            .iter()
            .enumerate()
            .map(|(i, r)| Interval {
                start: r.start,
                end: r.end,
                value: i,
            })
            .collect(),
    )
}

fn pending_index(requests: &[Request]) -> IntervalIndex<usize> {
    IntervalIndex::new(
        requests
            .iter()
            .enumerate()
            .flat_map(|(i, r)| {
                r.occurrences.iter().map(move |&(s, e)| Interval {
                    start: s,
                    end: e,
                    value: i,
                })
            })
            .collect(),
    )
}
