//! Answers the assistant sends by hand (an .ics source without a mail server): the desk
//! holds each message for a while, for the session that asked, and serves it as a
//! download (`/desk/handout/KEY`) beside a `mailto:` link. Memory only, a few at a time.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};

use super::{Read, Signed};
use crate::server::{not_found_response, Shared};
use crate::source::mail::Handout;

/// How many are held, and for how long.
const HELD: usize = 32;
const FOR: Duration = Duration::from_secs(60 * 60);

struct Held {
    key: String,
    session: String,
    at: Instant,
    handout: Handout,
}

#[derive(Clone, Default)]
pub struct Handouts(Arc<Mutex<VecDeque<Held>>>);

impl Handouts {
    /// Holds `h` for `session`; its download key.
    pub fn hold(&self, session: &str, h: Handout) -> Option<String> {
        let key = crate::server::random_id()?;
        let mut q = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        q.retain(|x| x.at.elapsed() < FOR);
        while q.len() >= HELD {
            q.pop_front();
        }
        q.push_back(Held {
            key: key.clone(),
            session: session.to_string(),
            at: Instant::now(),
            handout: h,
        });
        Some(key)
    }

    fn get(&self, session: &str, key: &str) -> Option<Handout> {
        let q = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        q.iter()
            .find(|x| x.key == key && x.session == session && x.at.elapsed() < FOR)
            .map(|x| x.handout.clone())
    }
}

/// `GET /desk/handout/KEY`: the message as a file.
pub(super) async fn download(
    _: Read,
    signed: Signed,
    State(shared): State<Shared>,
    Path(key): Path<String>,
) -> Response {
    let Some(h) = shared
        .desk
        .as_ref()
        .and_then(|d| d.handouts.get(&signed.id, &key))
    else {
        return not_found_response();
    };
    let mut r = h.ics.into_response();
    let headers = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&h.content_type) {
        headers.insert(CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", h.filename)) {
        headers.insert(CONTENT_DISPOSITION, v);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The page that hands the messages over.
pub fn page(shared: &Shared, session: &str, what: &str, handouts: Vec<Handout>) -> Markup {
    let held: Vec<(Handout, Option<String>)> = handouts
        .into_iter()
        .map(|h| {
            let key = shared
                .desk
                .as_ref()
                .and_then(|d| d.handouts.hold(session, h.clone()));
            (h, key)
        })
        .collect();
    html! {
        div class="card" {
            p {
                "timeward has no mail server to send this answer (" strong { (what) } "), so nothing was sent. "
                "Send it yourself: download the file and attach it to a mail, or use the prepared mail."
            }
            @for (h, key) in &held {
                p {
                    "For " (h.label) " (" (h.to) "): "
                    @if let Some(k) = key {
                        a href=(format!("/desk/handout/{k}")) download=(h.filename) { "Download " (h.filename) }
                        " · "
                    }
                    a href=(h.mailto) { "Write the mail" }
                }
            }
            p class="muted" {
                "To let timeward send answers itself, add an " code { "[actions.smtp]" }
                " table to the configuration (the mail server, and the password in a file)."
            }
        }
    }
}
