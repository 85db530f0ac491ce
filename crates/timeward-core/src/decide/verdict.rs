//! The verdict of step 2 of the decision procedure, with the sentence that explains it: a blocked organiser,
//! then the first deciding rule, then the thresholds and the delegates' topics.

use super::context::Context;
use super::facts::{matches, Facts};
use super::local::{Local, Span};
use super::text::Put;
use crate::rules::{Delegate, Effect, Phrase, Rule, Rules, Verdict};

/// step 2 of the decision procedure, with the sentence that explains it.
pub(super) fn verdict(
    ctx: &Context<'_>,
    facts: &Facts<'_>,
    occ: &[Span],
    local: &[Local],
    score: i64,
) -> Outcome {
    let rules = ctx.rules;
    let th = &rules.thresholds;
    let assistant = rules.executive.assistant.clone();
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
    if let Some(decided) = by_rule(ctx, facts, occ, local) {
        return decided;
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
    if let Some((d, p)) = topic_delegate(rules, facts) {
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

type Outcome = (Verdict, Option<String>, String);

/// The first rule with a deciding effect (a verdict or a delegate) that matches.
fn by_rule(ctx: &Context<'_>, facts: &Facts<'_>, occ: &[Span], local: &[Local]) -> Option<Outcome> {
    let rules = ctx.rules;
    let deciding = rules.rules.iter().find_map(|r: &Rule| match &r.then {
        Effect::Points(_) => None,
        effect => matches(ctx, facts, occ, local, &r.when).then_some((r.name.as_str(), effect)),
    });
    let (name, effect) = deciding?;
    Some(match effect {
        Effect::DelegateTo(to) => (
            Verdict::Delegate,
            Some(to.clone()),
            sentence!("rule {name:?}: delegate to {}", rules.delegate_name(to)),
        ),
        Effect::Verdict(Verdict::Delegate) => match topic_delegate(rules, facts) {
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
                rules.executive.assistant.clone(),
                sentence!("rule {name:?}: delegate; no delegate's topic matches, so the assistant"),
            ),
        },
        Effect::Verdict(v) => (v.clone(), None, sentence!("rule {name:?}: {}", v.as_str())),
        Effect::Points(_) => return None,
    })
}

/// The first delegate whose topic the request mentions, with the phrase found.
fn topic_delegate<'r>(rules: &'r Rules, facts: &Facts<'_>) -> Option<(&'r Delegate, &'r Phrase)> {
    rules
        .delegates
        .iter()
        .find_map(|d| facts.mentions(&d.topics).map(|(p, _)| (d, p)))
}
