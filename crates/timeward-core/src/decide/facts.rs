//! What a request says about itself (prepared once per request), and whether a rule's
//! conditions hold for it.

use chrono::Datelike;

use super::context::Context;

use super::local::{local_days, window_overlaps, Local, Span};
use super::request_text::RequestText;
use super::text::Quoted;
use crate::calendar::{Event, Role};
use crate::rules::{Conditions, Phrase, Words};

/// What the request says about itself, prepared once.
pub(super) struct Facts<'a> {
    pub(super) event: &'a Event,
    pub(super) title: &'a str,
    pub(super) description: &'a str,
    pub(super) title_words: &'a Words,
    pub(super) description_words: &'a Words,
    /// Every attendee address except the executive's.
    pub(super) others: Vec<&'a str>,
    /// Distinct people invited, the executive and organiser included.
    pub(super) size: usize,
    /// The rule conditions that depend on the event alone, worked out once rather than
    /// once per rule.
    pub(super) recurring: bool,
    pub(super) has_agenda: bool,
    pub(super) exec_optional: bool,
    pub(super) external: bool,
}

impl<'a> Facts<'a> {
    pub(super) fn new(
        event: &'a Event,
        text: &'a RequestText,
        rules: &crate::rules::Rules,
    ) -> Facts<'a> {
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
        Facts {
            event,
            title_words: &text.title_words,
            description_words: &text.description_words,
            title: &text.title,
            description: &text.description,
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
    pub(super) fn mentions<'p>(&self, phrases: &'p [Phrase]) -> Option<(&'p Phrase, &'static str)> {
        phrases.iter().find_map(|p| {
            if p.found_in_words(self.title, self.title_words) {
                Some((p, "title"))
            } else if p.found_in_words(self.description, self.description_words) {
                Some((p, "description"))
            } else {
                None
            }
        })
    }

    pub(super) fn mention_detail(&self, phrase: &Phrase, place: &str) -> String {
        if self.event.private {
            "a private event that matches a keyword".into()
        } else {
            sentence!("{place} mentions {}", Quoted(phrase.as_str()))
        }
    }
}

/// Whether every condition given holds for the request.
pub(super) fn matches(
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
