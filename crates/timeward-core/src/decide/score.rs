//! Scoring one request: each contribution of step 1 of the decision procedure in a fixed order
//! them, each at most once and each with its reason; then the verdict of step 2.

use chrono::{Datelike, TimeDelta};

use super::context::{Context, Request};
use super::facts::{matches, Facts};
use super::local::{local_days, outside_hours, over_daily_limit, window_overlaps, Local, Span};
use super::plan::{Decision, Reason, Text};
use super::request_text::RequestText;
use super::text::{days_list, rounded, Put, Quoted, When};
use super::verdict::verdict;
use crate::rules::values::format_duration;
use crate::rules::Effect;

fn reason(points: i64, source: impl Into<Text>, detail: impl Into<Text>) -> Reason {
    Reason {
        points,
        source: source.into(),
        detail: detail.into(),
    }
}

/// What one request is scored on, gathered once.
struct Scoring<'c, 'e> {
    ctx: &'c Context<'c>,
    facts: Facts<'e>,
    occ: &'c [Span],
    local: &'e [Local],
    organizer: Option<&'e str>,
}

pub(super) fn decide_one(ctx: &Context<'_>, index: usize, req: &Request) -> Decision {
    let event = &ctx.events[req.event];
    let occ = &req.occurrences;
    let text = ctx.texts[index].get_or_init(|| {
        let local = occ
            .iter()
            .map(|&(s, e)| (ctx.local(s), ctx.local(e)))
            .collect();
        RequestText::new(event, local)
    });
    let s = Scoring {
        ctx,
        facts: Facts::new(event, text, ctx.rules),
        occ,
        local: &text.local,
        organizer: event.organizer.as_deref(),
    };
    let mut reasons = Vec::with_capacity(16);
    reasons.push(reason(ctx.rules.weights.base, "base", "starting score"));
    s.goals(&mut reasons);
    let vip_organizer = s.vip(&mut reasons);
    reasons.extend(s.external(vip_organizer));
    reasons.extend(s.conflict());
    reasons.extend(s.one_on_one());
    reasons.extend(s.focus());
    reasons.extend(s.working_hours());
    reasons.extend(s.notice());
    reasons.extend(s.daily_limit());
    reasons.extend(s.buffer());
    reasons.extend(s.size());
    s.point_rules(&mut reasons);
    reasons.extend(s.pending_at_the_same_time(index));

    let score: i64 = reasons.iter().map(|r| r.points).sum();
    let (verdict, delegate_to, why) = verdict(ctx, &s.facts, occ, s.local, score);
    reasons.push(reason(0, "verdict", why));
    let (first_start, first_end) = occ[0];
    Decision {
        id: event.uid.clone(),
        title: event.public_title().to_string(),
        start: first_start,
        end: first_end,
        occurrences: occ.clone(),
        organizer: s.organizer.map(str::to_string),
        verdict,
        delegate_to,
        score,
        reasons,
    }
}

impl Scoring<'_, '_> {
    /// Goals active now.
    fn goals(&self, reasons: &mut Vec<Reason>) {
        let (ctx, facts) = (self.ctx, &self.facts);
        for (goal, source) in ctx.goals.iter().zip(&ctx.goal_sources) {
            let by_keyword = facts
                .mentions(&goal.keywords)
                .map(|(p, place)| facts.mention_detail(p, place));
            let by_person = || {
                if let Some(o) = self
                    .organizer
                    .filter(|o| goal.people.iter().any(|p| p.matches(o)))
                {
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
    }

    /// VIPs; gives the organiser when they are one.
    fn vip(&self, reasons: &mut Vec<Reason>) -> Option<&str> {
        let rules = self.ctx.rules;
        let w = &rules.weights;
        let vip_organizer = self
            .organizer
            .filter(|o| rules.vip.iter().any(|p| p.matches(o)));
        if let Some(o) = vip_organizer {
            reasons.push(reason(
                w.vip_organizer,
                "vip",
                sentence!("organiser {o} is a VIP"),
            ));
        } else if let Some(a) = self
            .facts
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
        vip_organizer
    }

    /// External organiser.
    fn external(&self, vip_organizer: Option<&str>) -> Option<Reason> {
        let (ctx, rules) = (self.ctx, self.ctx.rules);
        let o = self.organizer?;
        let in_goal = ctx
            .goals
            .iter()
            .any(|g| g.people.iter().any(|p| p.matches(o)));
        (!rules.is_known(o) && vip_organizer.is_none() && !in_goal).then(|| {
            reason(
                rules.weights.external,
                "external",
                line!("organiser ", o, " is outside the known domains"),
            )
        })
    }

    /// Conflicts with busy time.
    fn conflict(&self) -> Option<Reason> {
        let (ctx, occ) = (self.ctx, self.occ);
        let conflicts: Vec<(Span, &crate::calendar::index::Interval<usize>)> = occ
            .iter()
            .filter_map(|&(s, e)| ctx.busy.first_overlapping(s, e).map(|hit| ((s, e), hit)))
            .collect();
        let (_, hit) = conflicts.first()?;
        let what = ctx.events[hit.value].public_title();
        let mut detail = line!(
            "overlaps ",
            Quoted(what),
            " (",
            When(ctx.tz, hit.start, hit.end),
            ")"
        );
        if occ.len() > 1 {
            Put::put("; ", &mut detail);
            Put::put(conflicts.len(), &mut detail);
            Put::put(" of ", &mut detail);
            Put::put(occ.len(), &mut detail);
            Put::put(" occurrences conflict", &mut detail);
        }
        Some(reason(ctx.rules.weights.conflict, "conflict", detail))
    }

    /// Conflicts with reserved 1:1s.
    fn one_on_one(&self) -> Option<Reason> {
        let ctx = self.ctx;
        let hit = self
            .occ
            .iter()
            .find_map(|&(s, e)| ctx.held.first_overlapping(s, e))?;
        let r = &ctx.reservations[hit.value];
        let detail = line!(
            "overlaps the 1:1 ",
            Quoted(&r.series),
            " (",
            When(ctx.tz, r.start, r.end),
            ")"
        );
        Some(reason(
            ctx.rules.weights.conflict_one_on_one,
            "one-on-one",
            detail,
        ))
    }

    /// Focus blocks.
    fn focus(&self) -> Option<Reason> {
        let rules = self.ctx.rules;
        let detail = self.local.iter().find_map(|&(s, e)| {
            rules.focus.iter().find_map(|f| {
                let hit = local_days(s, e).any(|(day, ls, le)| {
                    f.days.contains(&day.weekday()) && window_overlaps(day, f.time, ls, le)
                });
                hit.then(|| sentence!("overlaps focus time ({} {})", days_list(&f.days), f.time))
            })
        })?;
        Some(reason(rules.weights.focus, "focus", detail))
    }

    /// Working hours.
    fn working_hours(&self) -> Option<Reason> {
        let detail = self
            .local
            .iter()
            .find_map(|&(s, e)| outside_hours(self.ctx, s, e))?;
        Some(reason(
            self.ctx.rules.weights.outside_working_hours,
            "working hours",
            detail,
        ))
    }

    /// Notice.
    fn notice(&self) -> Option<Reason> {
        let rules = self.ctx.rules;
        let notice = self.occ[0].0 - self.ctx.now;
        (notice < rules.limits.min_notice).then(|| {
            let detail = sentence!(
                "starts in {}, less than the {} notice asked",
                format_duration(rounded(notice.max(TimeDelta::zero()))),
                format_duration(rules.limits.min_notice)
            );
            reason(rules.weights.short_notice, "notice", detail)
        })
    }

    /// Daily limits.
    fn daily_limit(&self) -> Option<Reason> {
        let detail = self.occ.iter().zip(self.local).find_map(|(&(s, e), l)| {
            over_daily_limit(self.ctx, l.0.date(), (e - s).num_minutes())
        })?;
        Some(reason(
            self.ctx.rules.weights.over_daily_limit,
            "daily limit",
            detail,
        ))
    }

    /// Buffers, for occurrences that do not overlap busy time.
    fn buffer(&self) -> Option<Reason> {
        let ctx = self.ctx;
        let buffer = ctx.rules.limits.buffer;
        if buffer <= TimeDelta::zero() {
            return None;
        }
        let (s, hit) = self.occ.iter().find_map(|&(s, e)| {
            if ctx.busy.any_overlapping(s, e) {
                return None;
            }
            ctx.busy
                .first_overlapping(s - buffer, e + buffer)
                .map(|hit| (s, hit))
        })?;
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
            When(ctx.tz, hit.start, hit.end),
            "), less than the ",
            &format_duration(buffer),
            " buffer"
        );
        Some(reason(ctx.rules.weights.buffer, "buffer", detail))
    }

    /// Size.
    fn size(&self) -> Option<Reason> {
        let w = &self.ctx.rules.weights;
        let size = self.facts.size;
        (i64::try_from(size).unwrap_or(i64::MAX) > w.large_meeting_size).then(|| {
            let detail = sentence!(
                "{} people invited, more than {}",
                size,
                w.large_meeting_size
            );
            reason(w.large_meeting, "large meeting", detail)
        })
    }

    /// Rules that add points.
    fn point_rules(&self, reasons: &mut Vec<Reason>) {
        let ctx = self.ctx;
        for (i, rule) in ctx.rules.rules.iter().enumerate() {
            if let Effect::Points(n) = rule.then {
                if matches(ctx, &self.facts, self.occ, self.local, &rule.when) {
                    reasons.push(reason(
                        n,
                        ctx.rule_sources[i].clone(),
                        ctx.rule_details[i].clone(),
                    ));
                }
            }
        }
    }

    /// Information only: another pending request at the same time.
    fn pending_at_the_same_time(&self, index: usize) -> Option<Reason> {
        let ctx = self.ctx;
        let hit = self.occ.iter().find_map(|&(s, e)| {
            ctx.pending
                .first_overlapping_where(s, e, |hit| hit.value != index)
        })?;
        let other = &ctx.events[ctx.requests[hit.value].event];
        let detail = line!(
            "also overlaps the pending request ",
            Quoted(other.public_title()),
            " (",
            When(ctx.tz, hit.start, hit.end),
            ")"
        );
        Some(reason(0, "info", detail))
    }
}
