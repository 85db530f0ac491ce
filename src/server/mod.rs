//! The feed's HTTP server: an axum router (routes, a typed bearer extractor, one fallback
//! 404; tower's request timeout and concurrency limit) served over hyper's HTTP/1
//! connections, whose header timeout and connection cap this module keeps. Part of the
//! shell.
//!
//! Routes: `GET|HEAD /feed/TOKEN.ics` (ETag, Last-Modified, 304s), `GET /healthz`,
//! `GET /api/decisions` and `GET /api/decisions/ID` with `Authorization: Bearer TOKEN`.
//! Everything else, a wrong token included, gets the same empty 404, so a prober learns
//! nothing. The server is guarded: headers must arrive within [`Limits::header_timeout`],
//! a connection lives at most [`Limits::connection_timeout`], at most
//! [`Limits::max_connections`] are served at once, and request bodies are never read.
//!
//! What it serves is a [`Served`] value that the daemon swaps in whole after each cycle;
//! a request never sees half of one cycle and half of the next.

pub mod desk;
pub mod simulate;

use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{
    HeaderValue, AUTHORIZATION, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, ETAG,
    IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::any;
use axum::Router;
use hyper::body::Bytes;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::limit::ConcurrencyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// One rendered feed with its validators.
#[derive(Debug, Clone)]
pub struct FeedBody {
    pub bytes: Bytes,
    /// A strong ETag, quoted.
    pub etag: String,
    /// When these bytes were first served (the HTTP date has whole seconds).
    pub modified: SystemTime,
    /// The number the ETag is made of (`feed::tag`): the next cycle compares it, and the
    /// length, instead of the bytes.
    pub tag: u64,
}

impl FeedBody {
    pub fn new(bytes: Bytes, modified: SystemTime) -> FeedBody {
        let tag = crate::feed::tag(&bytes);
        FeedBody::tagged(bytes, tag, modified)
    }

    /// A feed whose ETag number is given: its `feed::tag`, which a cycle makes while it
    /// renders the feed, without reading the whole text again.
    pub fn tagged(bytes: Bytes, etag: u64, modified: SystemTime) -> FeedBody {
        FeedBody {
            bytes,
            etag: format!("\"{etag:016x}\""),
            modified,
            tag: etag,
        }
    }
}

/// Everything the server answers with, as of one moment.
#[derive(Debug, Clone, Default)]
pub struct Served {
    pub feed: Option<FeedBody>,
    /// `/healthz`: JSON without private details.
    pub health: Bytes,
    /// Whether `/healthz` answers 200 (a feed is being served) or 503.
    pub healthy: bool,
    /// The last cycle's calendar and rules: the desk shows the day around a request.
    pub calendar: Option<(Arc<crate::calendar::Snapshot>, Arc<crate::rules::Rules>)>,
    /// The 1:1 agendas of the last cycle (JSON).
    pub briefs: Option<Bytes>,
}

/// The JSON API's answers, looked up when asked (they are not held in memory):
/// `None` is `/api/decisions`, the last cycle's plan; `Some(id)` is
/// `/api/decisions/ID`, one decision with its history. `None` out is a 404.
pub type Lookup = Arc<dyn Fn(Option<&str>) -> Option<Bytes> + Send + Sync>;

/// 256 random bits, hex: session ids, CSRF tokens, one-time keys.
pub fn random_id() -> Option<String> {
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).ok()?;
    Some(raw.iter().map(|b| format!("{b:02x}")).collect())
}

/// The state the server shares with the daemon.
#[derive(Clone)]
pub struct Shared {
    served: Arc<RwLock<Arc<Served>>>,
    token: Arc<str>,
    lookup: Lookup,
    /// The desk's sign-ins; `None`: no desk (its addresses are the uniform 404).
    desk: Option<desk::sessions::Sessions>,
    /// Where the desk's clicks go (the daemon).
    actions: Option<tokio::sync::mpsc::Sender<crate::actions::ActionRequest>>,
    /// `[actions] respond`: whether the desk may send answers.
    respond: bool,
    /// The rules file the desk's Rules page edits.
    rules_file: Option<std::path::PathBuf>,
    /// The requests answered from the desk (the store's records).
    answered: Option<Answered>,
}

/// The ids of the requests with an answer sent from the desk.
pub type Answered = Arc<dyn Fn() -> std::collections::HashSet<String> + Send + Sync>;

impl Shared {
    pub fn new(token: &str, lookup: Lookup) -> Shared {
        Shared {
            served: Arc::new(RwLock::new(Arc::new(Served::default()))),
            token: token.into(),
            lookup,
            desk: None,
            actions: None,
            respond: false,
            rules_file: None,
            answered: None,
        }
    }

    /// The desk marks the requests `answered` names as answered from the desk.
    pub fn with_answered(mut self, answered: Answered) -> Shared {
        self.answered = Some(answered);
        self
    }

    /// The desk's Rules page edits `path` (the daemon's hot reload takes it from there).
    pub fn with_rules_file(mut self, path: std::path::PathBuf) -> Shared {
        self.rules_file = Some(path);
        self
    }

    /// The desk's clicks go to `tx`.
    pub fn with_actions(
        mut self,
        tx: tokio::sync::mpsc::Sender<crate::actions::ActionRequest>,
        respond: bool,
    ) -> Shared {
        self.actions = Some(tx);
        self.respond = respond;
        self
    }

    /// With the desk, its sessions kept in `sessions`.
    pub fn with_desk(mut self, sessions: desk::sessions::Sessions) -> Shared {
        self.desk = Some(sessions);
        self
    }

    /// What is being served now.
    pub fn current(&self) -> Arc<Served> {
        match self.served.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Replaces what is served, in one step.
    pub fn publish(&self, served: Served) {
        let new = Arc::new(served);
        match self.served.write() {
            Ok(mut g) => *g = new,
            Err(poisoned) => *poisoned.into_inner() = new,
        }
    }

    /// Changes only the health part.
    pub fn set_health(&self, health: Bytes, healthy: bool) {
        let mut s = (*self.current()).clone();
        s.health = health;
        s.healthy = healthy;
        self.publish(s);
    }
}

/// The guards on the server.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_timeout: Duration,
    pub connection_timeout: Duration,
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(5),
            connection_timeout: Duration::from_secs(60),
            max_connections: 256,
        }
    }
}

/// The routes. Every answer that is not a success is the same empty 404: an unknown
/// path, a wrong method, a wrong token, an unknown id.
pub fn router(shared: Shared, limits: Limits) -> Router {
    Router::new()
        .route("/healthz", any(healthz))
        .route("/feed/{file}", any(feed))
        .route("/api/decisions", any(decisions))
        .route("/api/decisions/{*id}", any(decision))
        .route("/api/simulate", any(simulate::simulate))
        .nest("/desk", desk::routes())
        .fallback(not_found)
        .layer(ConcurrencyLimitLayer::new(limits.max_connections.max(1)))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.connection_timeout,
        ))
        .with_state(shared)
}

/// Serves until `stop` turns true, then stops accepting and lets open requests finish
/// (each connection ends within its timeout).
pub async fn serve(
    listener: TcpListener,
    shared: Shared,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let app = router(shared, limits);
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    loop {
        let permit = tokio::select! {
            p = Arc::clone(&permits).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => return,
            },
            _ = stop.changed() => return,
        };
        let (stream, _) = tokio::select! {
            a = listener.accept() => match a {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stop.changed() => return,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            // The header timeout and buffer cap are the connection's, which axum's own
            // `serve` does not expose: hence hyper's builder here.
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .max_buf_size(16 * 1024)
                .serve_connection(TokioIo::new(stream), service);
            let _ = tokio::time::timeout(limits.connection_timeout, conn).await;
            drop(permit);
        });
    }
}

pub(crate) fn not_found_response() -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

async fn not_found() -> Response {
    not_found_response()
}

/// The feed token, compared in constant time, so it cannot be guessed byte by byte from
/// response times.
pub(crate) fn is_token(shared: &Shared, given: &str) -> bool {
    bool::from(given.as_bytes().ct_eq(shared.token.as_bytes()))
}

/// A GET or a HEAD (whose body is left out); any other method is the uniform 404 (axum's
/// own 405 would say that the path exists, and its `Allow` header which methods).
pub(crate) struct Read {
    head: bool,
}

impl<S: Sync> FromRequestParts<S> for Read {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        match parts.method {
            Method::GET => Ok(Read { head: false }),
            Method::HEAD => Ok(Read { head: true }),
            _ => Err(not_found_response()),
        }
    }
}

/// A request that carries `Authorization: Bearer TOKEN`; any other is the uniform 404.
pub struct Bearer;

impl FromRequestParts<Shared> for Bearer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, shared: &Shared) -> Result<Self, Response> {
        let given = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if is_token(shared, given.trim()) {
            Ok(Bearer)
        } else {
            Err(not_found_response())
        }
    }
}

async fn healthz(Read { head }: Read, State(shared): State<Shared>) -> Response {
    let served = shared.current();
    let mut r = json(served.health.clone(), head);
    if !served.healthy {
        *r.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    }
    r
}

/// `/feed/TOKEN.ics`. The path is read raw (not through axum's `Path`, whose rejection
/// would be a 400 that differs from the uniform 404).
async fn feed(
    Read { head }: Read,
    State(shared): State<Shared>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let token = uri
        .path()
        .strip_prefix("/feed/")
        .and_then(|rest| rest.strip_suffix(".ics"));
    match (token, &shared.current().feed) {
        (Some(token), Some(feed)) if is_token(&shared, token) => {
            feed_response(feed, &headers, head)
        }
        _ => not_found_response(),
    }
}

/// `/api/decisions`: the last cycle's plan.
async fn decisions(Read { head }: Read, _: Bearer, State(shared): State<Shared>) -> Response {
    match (shared.lookup)(None) {
        Some(body) => json(body, head),
        None => not_found_response(),
    }
}

/// `/api/decisions/ID` (ID percent-encoded): one decision with its history.
async fn decision(
    Read { head }: Read,
    _: Bearer,
    State(shared): State<Shared>,
    uri: Uri,
) -> Response {
    let raw = uri.path().strip_prefix("/api/decisions/").unwrap_or("");
    let Ok(id) = percent_encoding::percent_decode_str(raw).decode_utf8() else {
        return not_found_response();
    };
    match (shared.lookup)(Some(&id)) {
        Some(body) => json(body, head),
        None => not_found_response(),
    }
}

fn json(body: Bytes, head: bool) -> Response {
    let mut r = Response::new(Body::from(if head { Bytes::new() } else { body }));
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn feed_response(feed: &FeedBody, h: &HeaderMap, head: bool) -> Response {
    let fresh = match h.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
        Some(tags) => tags.split(',').any(|t| {
            let t = t.trim();
            t == "*" || t.strip_prefix("W/").unwrap_or(t) == feed.etag
        }),
        None => h
            .get(IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok())
            .is_some_and(|since| whole_seconds(feed.modified) <= since),
    };
    let mut r = if fresh {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let body = if head {
            Bytes::new()
        } else {
            feed.bytes.clone()
        };
        let mut r = Response::new(Body::from(body));
        r.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/calendar; charset=utf-8"),
        );
        if head {
            r.headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(feed.bytes.len()));
        }
        r
    };
    let headers = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&feed.etag) {
        headers.insert(ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(feed.modified)) {
        headers.insert(LAST_MODIFIED, v);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

fn whole_seconds(t: SystemTime) -> SystemTime {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole() {
        let shared = Shared::new("abc", Arc::new(|_: Option<&str>| None));
        assert!(is_token(&shared, "abc"));
        assert!(!is_token(&shared, "abd"));
        assert!(!is_token(&shared, "abcd"));
        assert!(!is_token(&shared, "ab"));
        assert!(!is_token(&shared, ""));
    }

    #[test]
    fn the_etag_follows_the_bytes() {
        let t = SystemTime::UNIX_EPOCH;
        let a = FeedBody::new(Bytes::from_static(b"one"), t);
        let b = FeedBody::new(Bytes::from_static(b"one"), t);
        let c = FeedBody::new(Bytes::from_static(b"two"), t);
        assert_eq!(a.etag, b.etag);
        assert_ne!(a.etag, c.etag);
        assert!(a.etag.starts_with('"') && a.etag.ends_with('"'));
    }
}
