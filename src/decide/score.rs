//! Scoring one request: each contribution of SPEC §3 step 1 in the order the spec lists
//! them, each at most once and each with its reason; then the verdict of step 2.

use chrono::{DateTime, Datelike, NaiveDateTime, NaiveTime, TimeDelta, Timelike, Utc, Weekday};

use super::context::{Context, Request};
use super::plan::{Decision, Reason};
use crate::calendar::{Event, Role};
use crate::rules::values::{format_duration, normalize, weekday_name, Window};
use crate::rules::{Conditions, Effect, Phrase, Rule, Verdict};

type Span = (DateTime<Utc>, DateTime<Utc>);
/// An occurrence in the executive's wall-clock time.
type Local = (NaiveDateTime, NaiveDateTime);

/// What the request says about itself, prepared once.
struct Facts<'a> {
    event: &'a Event,
    title: String,
    description: String,
    /// Every attendee address except the executive's.
    others: Vec<&'a str>,
    /// Distinct people invited, the executive and organiser included.
    size: usize,
}

impl<'a> Facts<'a> {
    fn new(event: &'a Event, exec: &str) -> Facts<'a> {
        let others: Vec<&str> = event
            .attendees
            .iter()
            .map(|a| a.email.as_str())
            .filter(|a| *a != exec)
            .collect();
        let mut everyone: Vec<&str> = event.attendees.iter().map(|a| a.email.as_str()).collect();
        everyone.extend(event.organizer.as_deref());
        everyone.sort_unstable();
        everyone.dedup();
        Facts {
            event,
            title: normalize(&event.title),
            description: normalize(&event.description),
            others,
            size: everyone.len(),
        }
    }

    /// The first phrase found, and where ("title" or "description").
    fn mentions<'p>(&self, phrases: &'p [Phrase]) -> Option<(&'p Phrase, &'static str)> {
        phrases.iter().find_map(|p| {
            if p.found_in(&self.title) {
                Some((p, "title"))
            } else if p.found_in(&self.description) {
                Some((p, "description"))
            } else {
                None
            }
        })
    }

    fn mention_detail(&self, phrase: &Phrase, place: &str) -> String {
        if self.event.private {
            "a private event that matches a keyword".into()
        } else {
            format!("{place} mentions {:?}", phrase.as_str())
        }
    }
}

fn reason(points: i64, source: impl Into<String>, detail: impl Into<String>) -> Reason {
    Reason {
        points,
        source: source.into(),
        detail: detail.into(),
    }
}

pub(super) fn decide_one(ctx: &Context<'_>, index: usize, req: &Request) -> Decision {
    let rules = ctx.rules;
    let w = &rules.weights;
    let exec = rules.executive.email.as_str();
    let event = &ctx.events[req.event];
    let facts = Facts::new(event, exec);
    let occ = &req.occurrences;
    let local: Vec<Local> = occ
        .iter()
        .map(|&(s, e)| (ctx.local(s), ctx.local(e)))
        .collect();
    let (first_start, first_end) = occ[0];
    let organizer = event.organizer.as_deref();
    let mut reasons = vec![reason(w.base, "base", "starting score")];

    // Goals active now.
    for (goal, source) in ctx.goals.iter().zip(&ctx.goal_sources) {
        let by_keyword = facts
            .mentions(&goal.keywords)
            .map(|(p, place)| facts.mention_detail(p, place));
        let by_person = || {
            if let Some(o) = organizer.filter(|o| goal.people.iter().any(|p| p.matches(o))) {
                return Some(format!("organiser {o} is one of the goal's people"));
            }
            facts
                .others
                .iter()
                .find(|a| goal.people.iter().any(|p| p.matches(a)))
                .map(|a| format!("attendee {a} is one of the goal's people"))
        };
        if let Some(detail) = by_keyword.or_else(by_person) {
            reasons.push(reason(goal.weight, source.clone(), detail));
        }
    }

    // VIPs.
    let vip_organizer = organizer.filter(|o| rules.vip.iter().any(|p| p.matches(o)));
    if let Some(o) = vip_organizer {
        reasons.push(reason(
            w.vip_organizer,
            "vip",
            format!("organiser {o} is a VIP"),
        ));
    } else if let Some(a) = facts
        .others
        .iter()
        .find(|a| rules.vip.iter().any(|p| p.matches(a)))
    {
        reasons.push(reason(
            w.vip_attendee,
            "vip",
            format!("attendee {a} is a VIP"),
        ));
    }

    // External organiser.
    if let Some(o) = organizer {
        let in_goal = ctx
            .goals
            .iter()
            .any(|g| g.people.iter().any(|p| p.matches(o)));
        if !rules.is_known(o) && vip_organizer.is_none() && !in_goal {
            reasons.push(reason(
                w.external,
                "external",
                format!("organiser {o} is outside the known domains"),
            ));
        }
    }

    // Conflicts with busy time.
    let conflicts: Vec<(Span, &crate::calendar::index::Interval<usize>)> = occ
        .iter()
        .filter_map(|&(s, e)| ctx.busy.first_overlapping(s, e).map(|hit| ((s, e), hit)))
        .collect();
    if let Some((_, hit)) = conflicts.first() {
        let what = ctx.events[hit.value].public_title();
        let mut detail = format!("overlaps {what:?} ({})", when(ctx, hit.start, hit.end));
        if occ.len() > 1 {
            detail.push_str(&format!(
                "; {} of {} occurrences conflict",
                conflicts.len(),
                occ.len()
            ));
        }
        reasons.push(reason(w.conflict, "conflict", detail));
    }

    // Conflicts with reserved 1:1s.
    if let Some(hit) = occ
        .iter()
        .find_map(|&(s, e)| ctx.held.first_overlapping(s, e))
    {
        let r = &ctx.reservations[hit.value];
        let detail = format!(
            "overlaps the 1:1 {:?} ({})",
            r.series,
            when(ctx, r.start, r.end)
        );
        reasons.push(reason(w.conflict_one_on_one, "one-on-one", detail));
    }

    // Focus blocks.
    if let Some(detail) = local.iter().find_map(|&(s, e)| {
        rules.focus.iter().find_map(|f| {
            let hit = local_days(s, e).any(|(day, ls, le)| {
                f.days.contains(&day.weekday()) && window_overlaps(day, f.time, ls, le)
            });
            hit.then(|| format!("overlaps focus time ({} {})", days_list(&f.days), f.time))
        })
    }) {
        reasons.push(reason(w.focus, "focus", detail));
    }

    // Working hours.
    if let Some(detail) = local.iter().find_map(|&(s, e)| outside_hours(ctx, s, e)) {
        reasons.push(reason(w.outside_working_hours, "working hours", detail));
    }

    // Notice.
    let notice = first_start - ctx.now;
    if notice < rules.limits.min_notice {
        let detail = format!(
            "starts in {}, less than the {} notice asked",
            format_duration(rounded(notice.max(TimeDelta::zero()))),
            format_duration(rules.limits.min_notice)
        );
        reasons.push(reason(w.short_notice, "notice", detail));
    }

    // Daily limits.
    if let Some(detail) = occ
        .iter()
        .zip(&local)
        .find_map(|(&(s, e), l)| over_daily_limit(ctx, l.0.date(), (e - s).num_minutes()))
    {
        reasons.push(reason(w.over_daily_limit, "daily limit", detail));
    }

    // Buffers, for occurrences that do not overlap busy time.
    let buffer = rules.limits.buffer;
    if buffer > TimeDelta::zero() {
        let near = occ.iter().find_map(|&(s, e)| {
            if ctx.busy.any_overlapping(s, e) {
                return None;
            }
            ctx.busy
                .first_overlapping(s - buffer, e + buffer)
                .map(|hit| (s, hit))
        });
        if let Some((s, hit)) = near {
            let what = ctx.events[hit.value].public_title();
            let side = if hit.end <= s {
                "right after"
            } else {
                "right before"
            };
            let detail = format!(
                "{side} {what:?} ({}), less than the {} buffer",
                when(ctx, hit.start, hit.end),
                format_duration(buffer)
            );
            reasons.push(reason(w.buffer, "buffer", detail));
        }
    }

    // Size.
    if i64::try_from(facts.size).unwrap_or(i64::MAX) > w.large_meeting_size {
        let detail = format!(
            "{} people invited, more than {}",
            facts.size, w.large_meeting_size
        );
        reasons.push(reason(w.large_meeting, "large meeting", detail));
    }

    // Rules that add points.
    for (i, rule) in rules.rules.iter().enumerate() {
        if let Effect::Points(n) = rule.then {
            if matches(ctx, &facts, occ, &local, &rule.when) {
                reasons.push(reason(
                    n,
                    ctx.rule_sources[i].clone(),
                    ctx.rule_details[i].clone(),
                ));
            }
        }
    }

    // Information only: another pending request at the same time.
    if let Some(hit) = occ.iter().find_map(|&(s, e)| {
        ctx.pending
            .overlapping(s, e)
            .into_iter()
            .find(|hit| hit.value != index)
    }) {
        let other = &ctx.events[ctx.requests[hit.value].event];
        let detail = format!(
            "also overlaps the pending request {:?} ({})",
            other.public_title(),
            when(ctx, hit.start, hit.end)
        );
        reasons.push(reason(0, "info", detail));
    }

    let score: i64 = reasons.iter().map(|r| r.points).sum();
    let (verdict, delegate_to, why) = verdict(ctx, &facts, occ, &local, score);
    reasons.push(reason(0, "verdict", why));

    Decision {
        id: event.uid.clone(),
        title: event.public_title().to_string(),
        start: first_start,
        end: first_end,
        occurrences: occ.clone(),
        organizer: organizer.map(str::to_string),
        verdict,
        delegate_to,
        score,
        reasons,
    }
}

/// SPEC §3 step 2, with the sentence that explains it.
fn verdict(
    ctx: &Context<'_>,
    facts: &Facts<'_>,
    occ: &[Span],
    local: &[Local],
    score: i64,
) -> (Verdict, Option<String>, String) {
    let rules = ctx.rules;
    let th = &rules.thresholds;
    let assistant = rules.executive.assistant.clone();
    let topic_delegate = || {
        rules
            .delegates
            .iter()
            .find_map(|d| facts.mentions(&d.topics).map(|(p, _)| (d, p)))
    };
    if let Some(o) = facts
        .event
        .organizer
        .as_deref()
        .filter(|o| rules.blocked.iter().any(|p| p.matches(o)))
    {
        return (Verdict::Decline, None, format!("organiser {o} is blocked"));
    }
    let deciding = rules.rules.iter().find_map(|r: &Rule| match &r.then {
        Effect::Points(_) => None,
        effect => matches(ctx, facts, occ, local, &r.when).then_some((r.name.as_str(), effect)),
    });
    match deciding {
        Some((name, Effect::DelegateTo(to))) => {
            return (
                Verdict::Delegate,
                Some(to.clone()),
                format!("rule {name:?}: delegate to {}", rules.delegate_name(to)),
            );
        }
        Some((name, Effect::Verdict(Verdict::Delegate))) => {
            return match topic_delegate() {
                Some((d, p)) => (
                    Verdict::Delegate,
                    Some(d.email.clone()),
                    format!(
                        "rule {name:?}: delegate; topic {:?} goes to {}",
                        p.as_str(),
                        rules.delegate_name(&d.email)
                    ),
                ),
                None => (
                    Verdict::Delegate,
                    assistant,
                    format!(
                        "rule {name:?}: delegate; no delegate's topic matches, so the assistant"
                    ),
                ),
            };
        }
        Some((name, Effect::Verdict(v))) => {
            return (v.clone(), None, format!("rule {name:?}: {}", v.as_str()))
        }
        Some((_, Effect::Points(_))) | None => {}
    }
    if score >= th.accept {
        return (
            Verdict::Accept,
            None,
            format!(
                "score {score} is at least the accept threshold {}",
                th.accept
            ),
        );
    }
    if let Some((d, p)) = topic_delegate() {
        return (
            Verdict::Delegate,
            Some(d.email.clone()),
            format!(
                "score {score} is below accept ({}); topic {:?} goes to {}",
                th.accept,
                p.as_str(),
                rules.delegate_name(&d.email)
            ),
        );
    }
    if score < th.decline {
        return (
            Verdict::Decline,
            None,
            format!(
                "score {score} is below the decline threshold {}",
                th.decline
            ),
        );
    }
    (
        Verdict::Delegate,
        assistant,
        format!(
            "score {score} is between decline ({}) and accept ({}): the assistant decides",
            th.decline, th.accept
        ),
    )
}

/// Whether every condition given holds for the request.
fn matches(
    ctx: &Context<'_>,
    facts: &Facts<'_>,
    occ: &[Span],
    local: &[Local],
    c: &Conditions,
) -> bool {
    let exec = ctx.rules.executive.email.as_str();
    let e = facts.event;
    let organizer = e.organizer.as_deref();
    c.from
        .as_ref()
        .is_none_or(|ps| organizer.is_some_and(|o| ps.iter().any(|p| p.matches(o))))
        && c.attendee
            .as_ref()
            .is_none_or(|ps| facts.others.iter().any(|a| ps.iter().any(|p| p.matches(a))))
        && c.title_has
            .as_ref()
            .is_none_or(|ps| facts.mentions(ps).is_some())
        && c.recurring.is_none_or(|want| e.is_recurring() == want)
        && c.has_agenda
            .is_none_or(|want| e.description.lines().any(|l| !l.trim().is_empty()) == want)
        && c.exec_optional
            .is_none_or(|want| (e.attendee(exec).map(|a| a.role) == Some(Role::Optional)) == want)
        && c.external
            .is_none_or(|want| organizer.is_some_and(|o| !ctx.rules.is_known(o)) == want)
        && c.attendees_over.is_none_or(|n| facts.size > n as usize)
        && c.duration_over
            .is_none_or(|d| occ.iter().any(|&(s, e)| e - s > d))
        && c.days
            .as_ref()
            .is_none_or(|days| local.iter().any(|(s, _)| days.contains(&s.weekday())))
        && c.time.is_none_or(|w| {
            local.iter().any(|&(s, e)| {
                local_days(s, e).any(|(day, ls, le)| window_overlaps(day, w, ls, le))
            })
        })
        && c.notice_under
            .is_none_or(|d| occ.first().is_some_and(|&(s, _)| s - ctx.now < d))
}

/// The conditions of a rule, as the rules file writes them.
pub(super) fn describe(c: &Conditions) -> String {
    let list = |v: &[String]| format!("[{}]", v.join(", "));
    let mut parts = Vec::new();
    if let Some(ps) = &c.from {
        parts.push(format!(
            "from {}",
            list(&ps.iter().map(ToString::to_string).collect::<Vec<_>>())
        ));
    }
    if let Some(ps) = &c.attendee {
        parts.push(format!(
            "attendee {}",
            list(&ps.iter().map(ToString::to_string).collect::<Vec<_>>())
        ));
    }
    if let Some(ps) = &c.title_has {
        parts.push(format!(
            "title_has {}",
            list(
                &ps.iter()
                    .map(|p| format!("{:?}", p.as_str()))
                    .collect::<Vec<_>>()
            )
        ));
    }
    for (name, v) in [
        ("recurring", c.recurring),
        ("has_agenda", c.has_agenda),
        ("exec_optional", c.exec_optional),
        ("external", c.external),
    ] {
        if let Some(v) = v {
            parts.push(format!("{name} = {v}"));
        }
    }
    if let Some(n) = c.attendees_over {
        parts.push(format!("attendees_over = {n}"));
    }
    if let Some(d) = c.duration_over {
        parts.push(format!("duration_over = {}", format_duration(d)));
    }
    if let Some(days) = &c.days {
        parts.push(format!("days = {}", days_list(days)));
    }
    if let Some(w) = c.time {
        parts.push(format!("time = {w}"));
    }
    if let Some(d) = c.notice_under {
        parts.push(format!("notice_under = {}", format_duration(d)));
    }
    if parts.is_empty() {
        "matches every request".into()
    } else {
        format!("matches {}", parts.join(", "))
    }
}

fn days_list(days: &[Weekday]) -> String {
    days.iter()
        .map(|d| weekday_name(*d))
        .collect::<Vec<_>>()
        .join("/")
}

/// "Wed 2026-12-09 12:00-13:00" in the executive's zone.
fn when(ctx: &Context<'_>, s: DateTime<Utc>, e: DateTime<Utc>) -> String {
    let ls = ctx.local(s);
    let le = ctx.local(e);
    if ls.date() == le.date() {
        format!("{} {}-{}", Day(ls.date()), Hm(ls), Hm(le))
    } else {
        format!(
            "{} to {}",
            format_args!("{} {}", Day(ls.date()), Hm(ls)),
            format_args!("{} {}", Day(le.date()), Hm(le))
        )
    }
}

fn rounded(d: TimeDelta) -> TimeDelta {
    TimeDelta::minutes(d.num_minutes())
}

/// The local days an occurrence touches, each with the part of the occurrence on it.
fn local_days(
    ls: NaiveDateTime,
    le: NaiveDateTime,
) -> impl Iterator<Item = (chrono::NaiveDate, NaiveDateTime, NaiveDateTime)> {
    let le = le.max(ls);
    let first = ls.date();
    let last = if le > ls && le.time() == NaiveTime::MIN {
        le.date() - TimeDelta::days(1)
    } else {
        le.date()
    };
    first
        .iter_days()
        .take_while(move |d| *d <= last)
        .map(move |d| {
            let day_start = d.and_time(NaiveTime::MIN);
            let day_end = day_start + TimeDelta::days(1);
            (d, ls.max(day_start), le.min(day_end))
        })
}

fn at(day: chrono::NaiveDate, minutes: u32) -> NaiveDateTime {
    day.and_time(NaiveTime::MIN) + TimeDelta::minutes(i64::from(minutes))
}

fn window_overlaps(
    day: chrono::NaiveDate,
    w: Window,
    ls: NaiveDateTime,
    le: NaiveDateTime,
) -> bool {
    if ls == le {
        return ls >= at(day, w.start) && ls < at(day, w.end);
    }
    ls < at(day, w.end) && le > at(day, w.start)
}

fn outside_hours(ctx: &Context<'_>, s: NaiveDateTime, e: NaiveDateTime) -> Option<String> {
    local_days(s, e).find_map(|(day, ls, le)| {
        let name = weekday_name(day.weekday());
        match ctx.rules.hours_on(day.weekday()) {
            None => Some(format!(
                "{} {}-{} is on {name}, which has no working hours",
                Day(day),
                Hm(ls),
                Hm(le)
            )),
            Some(w) if ls < at(day, w.start) || le > at(day, w.end) => Some(format!(
                "{} {}-{} is outside working hours ({name} {w})",
                Day(day),
                Hm(ls),
                Hm(le)
            )),
            Some(_) => None,
        }
    })
}

fn over_daily_limit(ctx: &Context<'_>, day: chrono::NaiveDate, minutes: i64) -> Option<String> {
    let limits = &ctx.rules.limits;
    let load = ctx.load.get(&day).copied().unwrap_or_default();
    let label = Day(day);
    if let Some(max) = limits.max_meetings_per_day {
        if load.meetings + 1 > max {
            return Some(format!(
                "{label} would have {} meetings, more than {max}",
                load.meetings + 1
            ));
        }
    }
    if let Some(max) = limits.max_meeting_minutes_per_day {
        let total = load.minutes + minutes;
        if total > max {
            return Some(format!(
                "{label} would have {} of meetings, more than {}",
                format_duration(TimeDelta::minutes(total)),
                format_duration(TimeDelta::minutes(max))
            ));
        }
    }
    None
}

/// "Wed 2026-12-09", written without chrono's format parser (reasons are built per request).
struct Day(chrono::NaiveDate);

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let d = self.0;
        let name = NAMES[d.weekday().num_days_from_monday() as usize];
        write!(f, "{name} {:04}-{:02}-{:02}", d.year(), d.month(), d.day())
    }
}

/// "14:05".
struct Hm(NaiveDateTime);

impl std::fmt::Display for Hm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.0.hour(), self.0.minute())
    }
}
