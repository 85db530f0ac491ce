//! Per-request work that does not depend on the rules (beyond the executive's zone).

use chrono::NaiveDateTime;

use crate::calendar::Event;
use crate::rules::values::normalize;
use crate::rules::Words;

/// A request's text, normalised for matching, and its occurrences in local time: what
/// does not depend on the rules beyond the executive's zone, so a what-if's second run
/// reuses the first's (see `Prepared`).
pub struct RequestText {
    pub(super) title: String,
    pub(super) description: String,
    pub(super) title_words: Words,
    pub(super) description_words: Words,
    pub(super) local: Vec<(NaiveDateTime, NaiveDateTime)>,
}

impl RequestText {
    pub(super) fn new(event: &Event, local: Vec<(NaiveDateTime, NaiveDateTime)>) -> RequestText {
        let title = normalize(&event.title);
        let description = normalize(&event.description);
        RequestText {
            title_words: Words::of(&title),
            description_words: Words::of(&description),
            title,
            description,
            local,
        }
    }
}
