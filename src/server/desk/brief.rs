//! The desk's Agenda page: the agendas of the coming 1:1s with the assistant, as the last
//! cycle built them (every line, where the feed's DESCRIPTION is cut).

use axum::extract::State;
use axum::response::Response;
use maud::html;

use super::{page, pages, Read, Signed};
use crate::server::Shared;

use crate::brief::JsonBriefs as Briefs;

pub(super) async fn agenda(_: Read, signed: Signed, State(shared): State<Shared>) -> Response {
    let briefs = shared
        .current()
        .briefs
        .as_ref()
        .and_then(|b| serde_json::from_slice::<Briefs>(b).ok())
        .map(|b| b.briefs);
    let body = html! {
        @match &briefs {
            None => p { "No cycle has finished yet: see Health." },
            Some(list) if list.is_empty() => p {
                "No 1:1 with an agenda is held in the horizon: a " code { "[[one_on_ones]]" }
                " series with the assistant (or with " code { "agenda = true" } ") gets one."
            },
            Some(list) => {
                p class="muted" { "What needs the executive, most important first: each line is also in the 1:1's description in the feed." }
                @for b in list {
                    @let when = chrono::DateTime::parse_from_rfc3339(&b.start)
                        .map_or_else(|_| b.start.clone(), |t| t.format("%a %Y-%m-%d %H:%M").to_string());
                    h2 { (b.series) " with " (b.with) " · " (when) }
                    @if b.lines.is_empty() { p { "Nothing needs the executive." } }
                    ul { @for l in &b.lines { li { (l) } } }
                }
            }
        }
    };
    page(pages::layout("Agenda", &signed.session.csrf, body))
}
