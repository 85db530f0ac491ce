//! Scoring one request: each contribution of SPEC §3 step 1 in the order the spec lists
//! them, each at most once and each with its reason; then the verdict of step 2.

use chrono::{DateTime, Datelike, NaiveDateTime, NaiveTime, TimeDelta, Timelike, Utc, Weekday};

use super::context::{Context, Request};
use super::plan::{Decision, Reason, Text};
use crate::calendar::{Event, Role};
use crate::rules::values::{format_duration, normalize, weekday_name, Window};
use crate::rules::{Conditions, Effect, Phrase, Rule, Verdict, Words};

/// `format!` into a buffer sized for a typical reason, so that writing one does not grow
/// it several times (reasons are written for every request).
macro_rules! sentence {
    ($($arg:tt)*) => {{
        use std::fmt::Write as _;
        let mut s = String::with_capacity(96);
        // Writing to a String cannot fail.
        let _ = write!(s, $($arg)*);
        s
    }};
}

/// A reason sentence from its pieces, each written straight into the buffer: the hot
/// sentences (conflicts, buffers, verdicts) skip `format!`'s machinery, which showed as
/// a tenth of all scoring in profiles.
macro_rules! line {
    ($($piece:expr),* $(,)?) => {{
        let mut s = String::with_capacity(96);
        $( Put::put($piece, &mut s); )*
        s
    }};
}

/// A piece of a reason sentence.
trait Put {
    fn put(self, s: &mut String);
}

impl Put for &str {
    fn put(self, s: &mut String) {
        s.push_str(self);
    }
}

impl Put for &String {
    fn put(self, s: &mut String) {
        s.push_str(self);
    }
}

impl Put for i64 {
    fn put(self, s: &mut String) {
        if self < 0 {
            s.push('-');
        }
        self.unsigned_abs().put(s);
    }
}

impl Put for u64 {
    fn put(self, s: &mut String) {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        let mut n = self;
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        s.extend(buf[i..].iter().map(|&b| char::from(b)));
    }
}

impl Put for usize {
    fn put(self, s: &mut String) {
        (self as u64).put(s);
    }
}

type Span = (DateTime<Utc>, DateTime<Utc>);
/// An occurrence in the executive's wall-clock time.
type Local = (NaiveDateTime, NaiveDateTime);

/// What the request says about itself, prepared once.
struct Facts<'a> {
    event: &'a Event,
    title: String,
    description: String,
    title_words: Words,
    description_words: Words,
    /// Every attendee address except the executive's.
    others: Vec<&'a str>,
    /// Distinct people invited, the executive and organiser included.
    size: usize,
    /// The rule conditions that depend on the event alone, worked out once rather than
    /// once per rule.
    recurring: bool,
    has_agenda: bool,
    exec_optional: bool,
    external: bool,
}

impl<'a> Facts<'a> {
    fn new(event: &'a Event, rules: &crate::rules::Rules) -> Facts<'a> {
        let exec = rules.executive.email.as_str();
        let others: Vec<&str> = event
            .attendees
            .iter()
            .map(|a| a.email.as_str())
            .filter(|a| *a != exec)
            .collect();
        // Distinct people, counted without collecting them (a handful per request).
        let emails = || {
            event
                .attendees
                .iter()
                .map(|a| a.email.as_str())
                .chain(event.organizer.as_deref())
        };
        let size = emails()
            .enumerate()
            .filter(|&(i, a)| !emails().take(i).any(|b| b == a))
            .count();
        let title = normalize(&event.title);
        let description = normalize(&event.description);
        Facts {
            event,
            title_words: Words::of(&title),
            description_words: Words::of(&description),
            title,
            description,
            others,
            size,
            recurring: event.is_recurring(),
            has_agenda: event.description.lines().any(|l| !l.trim().is_empty()),
            exec_optional: event.attendee(exec).map(|a| a.role) == Some(Role::Optional),
            external: event
                .organizer
                .as_deref()
                .is_some_and(|o| !rules.is_known(o)),
        }
    }

    /// The first phrase found, and where ("title" or "description").
    fn mentions<'p>(&self, phrases: &'p [Phrase]) -> Option<(&'p Phrase, &'static str)> {
        phrases.iter().find_map(|p| {
            if p.found_in_words(&self.title, &self.title_words) {
                Some((p, "title"))
            } else if p.found_in_words(&self.description, &self.description_words) {
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
            sentence!("{place} mentions {}", Quoted(phrase.as_str()))
        }
    }
}

fn reason(points: i64, source: impl Into<Text>, detail: impl Into<Text>) -> Reason {
    Reason {
        points,
        source: source.into(),
        detail: detail.into(),
    }
}

pub(super) fn decide_one(ctx: &Context<'_>, index: usize, req: &Request) -> Decision {
    let rules = ctx.rules;
    let w = &rules.weights;
    let event = &ctx.events[req.event];
    let facts = Facts::new(event, rules);
    let occ = &req.occurrences;
    let local: Vec<Local> = occ
        .iter()
        .map(|&(s, e)| (ctx.local(s), ctx.local(e)))
        .collect();
    let (first_start, first_end) = occ[0];
    let organizer = event.organizer.as_deref();
    let mut reasons = Vec::with_capacity(16);
    reasons.push(reason(w.base, "base", "starting score"));

    // Goals active now.
    for (goal, source) in ctx.goals.iter().zip(&ctx.goal_sources) {
        let by_keyword = facts
            .mentions(&goal.keywords)
            .map(|(p, place)| facts.mention_detail(p, place));
        let by_person = || {
            if let Some(o) = organizer.filter(|o| goal.people.iter().any(|p| p.matches(o))) {
                return Some(sentence!("organiser {o} is one of the goal's people"));
            }
            facts
                .others
                .iter()
                .find(|a| goal.people.iter().any(|p| p.matches(a)))
                .map(|a| sentence!("attendee {a} is one of the goal's people"))
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
            sentence!("organiser {o} is a VIP"),
        ));
    } else if let Some(a) = facts
        .others
        .iter()
        .find(|a| rules.vip.iter().any(|p| p.matches(a)))
    {
        reasons.push(reason(
            w.vip_attendee,
            "vip",
            sentence!("attendee {a} is a VIP"),
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
                line!("organiser ", o, " is outside the known domains"),
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
        let mut detail = line!(
            "overlaps ",
            Quoted(what),
            " (",
            When(ctx, hit.start, hit.end),
            ")"
        );
        if occ.len() > 1 {
            Put::put("; ", &mut detail);
            Put::put(conflicts.len(), &mut detail);
            Put::put(" of ", &mut detail);
            Put::put(occ.len(), &mut detail);
            Put::put(" occurrences conflict", &mut detail);
        }
        reasons.push(reason(w.conflict, "conflict", detail));
    }

    // Conflicts with reserved 1:1s.
    if let Some(hit) = occ
        .iter()
        .find_map(|&(s, e)| ctx.held.first_overlapping(s, e))
    {
        let r = &ctx.reservations[hit.value];
        let detail = line!(
            "overlaps the 1:1 ",
            Quoted(&r.series),
            " (",
            When(ctx, r.start, r.end),
            ")"
        );
        reasons.push(reason(w.conflict_one_on_one, "one-on-one", detail));
    }

    // Focus blocks.
    if let Some(detail) = local.iter().find_map(|&(s, e)| {
        rules.focus.iter().find_map(|f| {
            let hit = local_days(s, e).any(|(day, ls, le)| {
                f.days.contains(&day.weekday()) && window_overlaps(day, f.time, ls, le)
            });
            hit.then(|| sentence!("overlaps focus time ({} {})", days_list(&f.days), f.time))
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
        let detail = sentence!(
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
            let detail = line!(
                side,
                " ",
                Quoted(what),
                " (",
                When(ctx, hit.start, hit.end),
                "), less than the ",
                &format_duration(buffer),
                " buffer"
            );
            reasons.push(reason(w.buffer, "buffer", detail));
        }
    }

    // Size.
    if i64::try_from(facts.size).unwrap_or(i64::MAX) > w.large_meeting_size {
        let detail = sentence!(
            "{} people invited, more than {}",
            facts.size,
            w.large_meeting_size
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
            .first_overlapping_where(s, e, |hit| hit.value != index)
    }) {
        let other = &ctx.events[ctx.requests[hit.value].event];
        let detail = line!(
            "also overlaps the pending request ",
            Quoted(other.public_title()),
            " (",
            When(ctx, hit.start, hit.end),
            ")"
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
        return (
            Verdict::Decline,
            None,
            sentence!("organiser {o} is blocked"),
        );
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
                sentence!("rule {name:?}: delegate to {}", rules.delegate_name(to)),
            );
        }
        Some((name, Effect::Verdict(Verdict::Delegate))) => {
            return match topic_delegate() {
                Some((d, p)) => (
                    Verdict::Delegate,
                    Some(d.email.clone()),
                    sentence!(
                        "rule {name:?}: delegate; topic {:?} goes to {}",
                        p.as_str(),
                        rules.delegate_name(&d.email)
                    ),
                ),
                None => (
                    Verdict::Delegate,
                    assistant,
                    sentence!(
                        "rule {name:?}: delegate; no delegate's topic matches, so the assistant"
                    ),
                ),
            };
        }
        Some((name, Effect::Verdict(v))) => {
            return (v.clone(), None, sentence!("rule {name:?}: {}", v.as_str()))
        }
        Some((_, Effect::Points(_))) | None => {}
    }
    if score >= th.accept {
        return (
            Verdict::Accept,
            None,
            line!(
                "score ",
                score,
                " is at least the accept threshold ",
                th.accept
            ),
        );
    }
    if let Some((d, p)) = topic_delegate() {
        return (
            Verdict::Delegate,
            Some(d.email.clone()),
            sentence!(
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
            line!(
                "score ",
                score,
                " is below the decline threshold ",
                th.decline
            ),
        );
    }
    (
        Verdict::Delegate,
        assistant,
        line!(
            "score ",
            score,
            " is between decline (",
            th.decline,
            ") and accept (",
            th.accept,
            "): the assistant decides"
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
    let organizer = facts.event.organizer.as_deref();
    c.from
        .as_ref()
        .is_none_or(|ps| organizer.is_some_and(|o| ps.iter().any(|p| p.matches(o))))
        && c.attendee
            .as_ref()
            .is_none_or(|ps| facts.others.iter().any(|a| ps.iter().any(|p| p.matches(a))))
        && c.title_has
            .as_ref()
            .is_none_or(|ps| facts.mentions(ps).is_some())
        && c.recurring.is_none_or(|want| facts.recurring == want)
        && c.has_agenda.is_none_or(|want| facts.has_agenda == want)
        && c.exec_optional
            .is_none_or(|want| facts.exec_optional == want)
        && c.external.is_none_or(|want| facts.external == want)
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
    let list = |v: &[String]| sentence!("[{}]", v.join(", "));
    let mut parts = Vec::new();
    if let Some(ps) = &c.from {
        parts.push(sentence!(
            "from {}",
            list(&ps.iter().map(ToString::to_string).collect::<Vec<_>>())
        ));
    }
    if let Some(ps) = &c.attendee {
        parts.push(sentence!(
            "attendee {}",
            list(&ps.iter().map(ToString::to_string).collect::<Vec<_>>())
        ));
    }
    if let Some(ps) = &c.title_has {
        parts.push(sentence!(
            "title_has {}",
            list(
                &ps.iter()
                    .map(|p| sentence!("{:?}", p.as_str()))
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
            parts.push(sentence!("{name} = {v}"));
        }
    }
    if let Some(n) = c.attendees_over {
        parts.push(sentence!("attendees_over = {n}"));
    }
    if let Some(d) = c.duration_over {
        parts.push(sentence!("duration_over = {}", format_duration(d)));
    }
    if let Some(days) = &c.days {
        parts.push(sentence!("days = {}", days_list(days)));
    }
    if let Some(w) = c.time {
        parts.push(sentence!("time = {w}"));
    }
    if let Some(d) = c.notice_under {
        parts.push(sentence!("notice_under = {}", format_duration(d)));
    }
    if parts.is_empty() {
        "matches every request".into()
    } else {
        sentence!("matches {}", parts.join(", "))
    }
}

fn days_list(days: &[Weekday]) -> String {
    days.iter()
        .map(|d| weekday_name(*d))
        .collect::<Vec<_>>()
        .join("/")
}

/// "Wed 2026-12-09 12:00-13:00" in the executive's zone.
#[derive(Clone, Copy)]
struct When<'c>(&'c Context<'c>, DateTime<Utc>, DateTime<Utc>);

impl Put for When<'_> {
    fn put(self, s: &mut String) {
        let ls = self.0.local(self.1);
        let le = self.0.local(self.2);
        Day(ls.date()).put(s);
        s.push(' ');
        Hm(ls).put(s);
        if ls.date() == le.date() {
            s.push('-');
        } else {
            s.push_str(" to ");
            Day(le.date()).put(s);
            s.push(' ');
        }
        Hm(le).put(s);
    }
}

/// A name in double quotes, escaped as `{:?}` would, without its per-character walk for
/// the plain names that nearly every calendar has.
#[derive(Clone, Copy)]
struct Quoted<'s>(&'s str);

impl Put for Quoted<'_> {
    fn put(self, s: &mut String) {
        let plain = self
            .0
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\');
        if plain {
            s.push('"');
            s.push_str(self.0);
            s.push('"');
        } else {
            use std::fmt::Write as _;
            // Writing to a String cannot fail.
            let _ = write!(s, "{:?}", self.0);
        }
    }
}

/// The pieces also format with `{}`, for the sentences that are not hot.
macro_rules! display_by_put {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let mut s = String::with_capacity(32);
                Put::put(*self, &mut s);
                f.write_str(&s)
            }
        }
    )*};
}
display_by_put!(Quoted<'_>, When<'_>, Day, Hm);

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
            None => Some(line!(
                Day(day),
                " ",
                Hm(ls),
                "-",
                Hm(le),
                " is on ",
                name,
                ", which has no working hours"
            )),
            Some(w) if ls < at(day, w.start) || le > at(day, w.end) => Some(sentence!(
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
            return Some(sentence!(
                "{label} would have {} meetings, more than {max}",
                load.meetings + 1
            ));
        }
    }
    if let Some(max) = limits.max_meeting_minutes_per_day {
        let total = load.minutes + minutes;
        if total > max {
            return Some(sentence!(
                "{label} would have {} of meetings, more than {}",
                format_duration(TimeDelta::minutes(total)),
                format_duration(TimeDelta::minutes(max))
            ));
        }
    }
    None
}

/// "Wed 2026-12-09", written without chrono's format parser (reasons are built per request).
#[derive(Clone, Copy)]
struct Day(chrono::NaiveDate);

impl Put for Day {
    fn put(self, s: &mut String) {
        const NAMES: [&[u8; 3]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
        let d = self.0;
        let mut buf = *b"Mon 0000-00-00";
        buf[..3].copy_from_slice(NAMES[d.weekday().num_days_from_monday() as usize]);
        let year = u32::try_from(d.year()).unwrap_or(0).min(9999);
        digits(&mut buf[4..8], year);
        digits(&mut buf[9..11], d.month());
        digits(&mut buf[12..14], d.day());
        s.extend(buf.iter().map(|&b| char::from(b)));
    }
}

/// "14:05".
#[derive(Clone, Copy)]
struct Hm(NaiveDateTime);

impl Put for Hm {
    fn put(self, s: &mut String) {
        let mut buf = *b"00:00";
        digits(&mut buf[..2], self.0.hour());
        digits(&mut buf[3..], self.0.minute());
        s.extend(buf.iter().map(|&b| char::from(b)));
    }
}

/// Writes `n` as zero-padded decimal digits filling `out` (reasons are built per request,
/// and the padding machinery of `format!` showed in profiles).
fn digits(out: &mut [u8], mut n: u32) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn quoted_writes_what_debug_writes() {
        for s in [
            "Board prep",
            "",
            "say \"hi\"",
            "back\\slash",
            "tab\there",
            "line\nbreak",
            "Café ☕",
            "\u{301}accent first",
            "zero\u{200b}width",
        ] {
            assert_eq!(Quoted(s).to_string(), format!("{s:?}"), "{s:?}");
        }
    }

    #[test]
    fn day_and_time_are_zero_padded() {
        let t = chrono::NaiveDate::from_ymd_opt(2027, 3, 4)
            .and_then(|d| d.and_hms_opt(9, 5, 0))
            .expect("valid");
        assert_eq!(Day(t.date()).to_string(), "Thu 2027-03-04");
        assert_eq!(Hm(t).to_string(), "09:05");
    }
}
