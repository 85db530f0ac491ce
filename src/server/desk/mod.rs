//! The assistant's desk: pages under `/desk` on the daemon's listener — what waits for an
//! answer and why, one decision with its history, the 1:1s, health.
//!
//! It is the assistant's alone. `GET /desk/login?token=FEED_TOKEN` (the link the start-up
//! log prints) sets a session cookie (`HttpOnly`, `SameSite=Strict`, `Secure` when the
//! request came through a TLS proxy); the sessions are kept in the store. Every form
//! carries the session's CSRF token, and a POST without it is refused. Without a session,
//! every desk address is the server's uniform empty 404.

mod brief;
pub mod day;
pub mod handout;
pub mod pages;
mod rules;
pub mod sessions;

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, FromRequestParts, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use maud::Markup;
use serde::Deserialize;

use super::{is_token, not_found_response, Read, Shared};
use crate::actions::{ActionOutcome, ActionRequest, Choice};
use crate::store::actions::Answer;
use sessions::Session;

/// The cookie's name.
const COOKIE_NAME: &str = "timeward_session";

/// The desk's routes, to be nested under `/desk`.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/login", any(login))
        .route("/logout", any(logout))
        .route("/", any(waiting))
        .route("/one-on-ones", any(one_on_ones))
        .route("/health", any(health))
        .route("/decision/{*id}", any(decision))
        .route("/act", any(act))
        .route("/handout/{key}", any(handout::download))
        .route("/agenda", any(brief::agenda))
        .route("/rules", any(rules::rules))
}

/// A request from a signed-in browser; any other is the uniform 404.
pub struct Signed {
    id: String,
    session: Session,
}

impl FromRequestParts<Shared> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, shared: &Shared) -> Result<Self, Response> {
        let sessions = shared.desk.as_ref().ok_or_else(not_found_response)?;
        let id = parts
            .headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().strip_prefix(COOKIE_NAME)?.strip_prefix('='))
            .next()
            .ok_or_else(not_found_response)?
            .to_string();
        let session = sessions.get(&id).ok_or_else(not_found_response)?;
        Ok(Signed { id, session })
    }
}

/// A POST; any other method is the uniform 404 (as `Read` is for GET and HEAD).
pub struct Post;

impl<S: Sync> FromRequestParts<S> for Post {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        if parts.method == axum::http::Method::POST {
            Ok(Post)
        } else {
            Err(not_found_response())
        }
    }
}

/// An HTML page that no cache keeps.
fn page(markup: Markup) -> Response {
    let mut r = markup.into_response();
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

#[derive(Deserialize)]
struct LoginQuery {
    token: Option<String>,
}

async fn login(
    _: Read,
    State(shared): State<Shared>,
    q: Result<Query<LoginQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let token = q.ok().and_then(|Query(q)| q.token);
    let (Some(sessions), Some(token)) = (shared.desk.as_ref(), token) else {
        return not_found_response();
    };
    if !is_token(&shared, &token) {
        return not_found_response();
    }
    let Some((id, _)) = sessions.create() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "cannot start a session").into_response();
    };
    // Behind a TLS proxy the cookie is only ever sent back over TLS.
    let tls = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let cookie = format!(
        "{COOKIE_NAME}={id}; Path=/desk; HttpOnly; SameSite=Strict; Max-Age={}{}",
        sessions.length.as_secs(),
        if tls { "; Secure" } else { "" }
    );
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(SET_COOKIE, v);
    }
    r.headers_mut()
        .insert(LOCATION, HeaderValue::from_static("/desk"));
    r
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

/// Whether a form's CSRF token is the session's (compared in constant time).
fn csrf_ok(signed: &Signed, given: Option<&str>) -> bool {
    use subtle::ConstantTimeEq;
    given.is_some_and(|g| bool::from(g.as_bytes().ct_eq(signed.session.csrf.as_bytes())))
}

fn refused() -> Response {
    (
        StatusCode::FORBIDDEN,
        "refused: this form is not from the desk (reload the page and try again)",
    )
        .into_response()
}

async fn logout(
    _: Post,
    signed: Signed,
    State(shared): State<Shared>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let csrf = form.ok().and_then(|Form(f)| f.csrf);
    if !csrf_ok(&signed, csrf.as_deref()) {
        return refused();
    }
    if let Some(sessions) = shared.desk.as_ref() {
        sessions.remove(&signed.id);
    }
    let mut r = page(maud::html! { p { "Signed out." } });
    r.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_static(
            "timeward_session=; Path=/desk; HttpOnly; SameSite=Strict; Max-Age=0",
        ),
    );
    r
}

fn plan(shared: &Shared) -> Option<pages::PlanView> {
    let bytes = (shared.lookup)(None)?;
    serde_json::from_slice(&bytes).ok()
}

#[derive(Deserialize)]
struct WaitingQuery {
    verdict: Option<String>,
}

async fn waiting(
    _: Read,
    signed: Signed,
    State(shared): State<Shared>,
    q: Result<Query<WaitingQuery>, QueryRejection>,
) -> Response {
    let verdict = q.ok().and_then(|Query(q)| q.verdict);
    let filter = verdict
        .as_deref()
        .filter(|v| ["accept", "delegate", "decline"].contains(v));
    let body = match plan(&shared) {
        Some(p) => {
            // An .ics calendar shows an answered request until the executive's own
            // calendar learns of the answer.
            let answered = shared.answered.as_ref().map(|f| f()).unwrap_or_default();
            pages::waiting(&p, filter, &answered)
        }
        None => maud::html! { p { "No cycle has finished yet: see Health." } },
    };
    page(pages::layout("Waiting", &signed.session.csrf, body))
}

async fn one_on_ones(_: Read, signed: Signed, State(shared): State<Shared>) -> Response {
    let body = match plan(&shared) {
        Some(p) => pages::one_on_ones(&p),
        None => maud::html! { p { "No cycle has finished yet: see Health." } },
    };
    page(pages::layout("1:1s", &signed.session.csrf, body))
}

async fn health(_: Read, signed: Signed, State(shared): State<Shared>) -> Response {
    let value: serde_json::Value =
        serde_json::from_slice(&shared.current().health).unwrap_or_default();
    page(pages::layout(
        "Health",
        &signed.session.csrf,
        pages::health(&value),
    ))
}

/// `/desk/decision/ID` (ID percent-encoded), read raw like the API's.
async fn decision(_: Read, signed: Signed, State(shared): State<Shared>, uri: Uri) -> Response {
    // Nested under /desk, the path here starts at /decision/.
    let raw = uri.path().strip_prefix("/decision/").unwrap_or("");
    let Ok(id) = percent_encoding::percent_decode_str(raw).decode_utf8() else {
        return not_found_response();
    };
    #[derive(Deserialize)]
    struct One {
        decision: Option<crate::store::StoredDecision>,
        history: Vec<crate::store::HistoryEntry>,
        #[serde(default)]
        actions: Vec<crate::store::actions::ActionRecord>,
    }
    let Some(one) = (shared.lookup)(Some(&id)).and_then(|b| serde_json::from_slice::<One>(&b).ok())
    else {
        return not_found_response();
    };
    let Some(d) = &one.decision else {
        // No longer waiting: what is on record.
        let body = pages::record(&one.history, &one.actions);
        return page(pages::layout(
            "A request no longer waiting",
            &signed.session.csrf,
            body,
        ));
    };
    let key = sessions::random_id().unwrap_or_default();
    // "Approve" sends the suggestion; a delegation to the assistant leaves it to them.
    let assistant_decides = d.verdict == crate::rules::Verdict::Delegate
        && d.reasons
            .iter()
            .rfind(|r| r.source == "verdict")
            .is_some_and(|r| r.detail.contains("the assistant"));
    let forms = pages::Forms {
        csrf: &signed.session.csrf,
        key: &key,
        respond: shared.respond,
        approvable: !assistant_decides,
    };
    let body = maud::html! {
        (pages::decision(d, &one.history))
        (day::around(&shared.current(), &d.id, d.start, d.end))
        (pages::act(d, &one.actions, &forms))
    };
    page(pages::layout(&d.title, &signed.session.csrf, body))
}

#[derive(Deserialize)]
struct ActForm {
    csrf: Option<String>,
    key: Option<String>,
    id: Option<String>,
    choice: Option<String>,
    answer: Option<String>,
    delegate_to: Option<String>,
    note: Option<String>,
}

/// What the form asks for, or `None` for a form that is not the desk's.
fn choice_of(f: &ActForm) -> Option<Choice> {
    match (f.choice.as_deref(), f.answer.as_deref()) {
        (Some("approve"), _) => Some(Choice::Approve),
        (Some("answer"), Some(a)) => {
            let answer = match a {
                "accepted" => Answer::Accepted,
                "tentative" => Answer::Tentative,
                "declined" => Answer::Declined,
                "delegated" => Answer::Delegated,
                _ => return None,
            };
            Some(Choice::Answer {
                answer,
                delegate_to: f.delegate_to.clone().filter(|t| !t.trim().is_empty()),
            })
        }
        _ => None,
    }
}

fn outcome_page(shared: &Shared, signed: &Signed, outcome: Option<ActionOutcome>) -> Markup {
    match outcome {
        Some(ActionOutcome::Handouts { what, handouts }) => {
            handout::page(shared, &signed.id, &what, handouts)
        }
        Some(ActionOutcome::Done { record, repeated }) => maud::html! {
            p class="card" {
                @if repeated { "This form was already sent: nothing was sent again. " }
                strong { (format!("{:?}", record.state).to_lowercase()) } ": " (record.result)
            }
        },
        Some(ActionOutcome::Off { would_send }) => maud::html! {
            p class="card" {
                "Nothing was sent: sending is off. It would have sent: " strong { (would_send) } ". "
                "To let the desk send, set " code { "[actions] respond = true" } " in the configuration (or "
                code { "TIMEWARD_ACTIONS__RESPOND=true" } ") and restart timeward."
            }
        },
        Some(ActionOutcome::Refused(why)) => {
            maud::html! { p class="card" { "Nothing was sent: " (why) } }
        }
        None => {
            maud::html! { p class="card" { "No answer from timeward in time; the request's page shows what is on record." } }
        }
    }
}

/// A click on "Approve" or "Send this answer": handed to the daemon, which alone sends.
async fn act(
    _: Post,
    signed: Signed,
    State(shared): State<Shared>,
    form: Result<Form<ActForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return refused();
    };
    if !csrf_ok(&signed, f.csrf.as_deref()) {
        return refused();
    }
    let Some(choice) = choice_of(&f) else {
        return refused();
    };
    let (Some(id), Some(key)) = (f.id, f.key.filter(|k| k.len() == 64)) else {
        return refused();
    };
    let Some(tx) = shared.actions.clone() else {
        return not_found_response();
    };
    let back = format!(
        "/desk/decision/{}",
        percent_encoding::utf8_percent_encode(&id, percent_encoding::NON_ALPHANUMERIC)
    );
    let (reply, rx) = tokio::sync::oneshot::channel();
    let req = ActionRequest {
        id,
        key,
        choice,
        note: f.note,
        reply,
    };
    if tx.send(req).await.is_err() {
        return (StatusCode::SERVICE_UNAVAILABLE, "timeward is stopping").into_response();
    }
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(90), rx)
        .await
        .ok()
        .and_then(Result::ok);
    let body = maud::html! { (outcome_page(&shared, &signed, outcome)) p { a href=(back) { "Back to the request" } } };
    page(pages::layout("Answer", &signed.session.csrf, body))
}
