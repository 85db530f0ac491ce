//! The calendar around a request: the executive's busy time on its day (in the rules'
//! zone), each marked where it overlaps the request. Private events stay "a private event".

use chrono::{DateTime, TimeDelta, Utc};
use maud::{html, Markup};

use crate::calendar::{expand, Kind};
use crate::server::Served;

struct Busy {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    all_day: bool,
    title: String,
}

/// The day of `start` around the request `id` (`start`–`end`), if a cycle has run.
pub fn around(served: &Served, id: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> Markup {
    let Some((snapshot, rules)) = &served.calendar else {
        return html! {};
    };
    let tz = rules.executive.timezone;
    let day = start.with_timezone(&tz).date_naive();
    let midnight = |d: chrono::NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(tz).earliest())
            .map(|t| t.with_timezone(&Utc))
    };
    let (Some(from), Some(to)) = (midnight(day), midnight(day + TimeDelta::days(1))) else {
        return html! {};
    };
    let (occurrences, _) = expand(&snapshot.events, tz, from, to);
    let exec = rules.executive.email.as_str();
    let mut busy: Vec<Busy> = occurrences
        .iter()
        .filter_map(|o| {
            let e = snapshot.events.get(o.event)?;
            (e.uid != id && e.kind(exec) == Kind::Busy).then(|| Busy {
                start: o.start,
                end: o.end,
                all_day: o.all_day,
                title: e.public_title().to_string(),
            })
        })
        .collect();
    busy.sort_by_key(|b| (b.start, b.end));
    html! {
        h2 { "The day around it: " (day.format("%A %Y-%m-%d")) }
        @if busy.is_empty() { p class="muted" { "Nothing else blocks the executive's time that day." } }
        ul {
            @for b in &busy {
                @let clash = !b.all_day && b.start < end && start < b.end;
                li {
                    @if b.all_day { "all day" } @else {
                        (b.start.with_timezone(&tz).format("%H:%M")) "–" (b.end.with_timezone(&tz).format("%H:%M"))
                    }
                    " " (b.title)
                    @if clash { " " strong class="verdict decline" { "overlaps" } }
                }
            }
            li class="muted" {
                (start.with_timezone(&tz).format("%H:%M")) "–" (end.with_timezone(&tz).format("%H:%M"))
                " this request"
            }
        }
    }
}
