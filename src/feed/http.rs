//! The feed's HTTP server (SPEC §6), on hyper's HTTP/1 server. Part of the shell.
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

use std::convert::Infallible;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{
    HeaderValue, AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED,
};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

/// One rendered feed with its validators.
#[derive(Debug, Clone)]
pub struct FeedBody {
    pub bytes: Bytes,
    /// A strong ETag, quoted.
    pub etag: String,
    /// When these bytes were first served (the HTTP date has whole seconds).
    pub modified: SystemTime,
}

impl FeedBody {
    pub fn new(bytes: Bytes, modified: SystemTime) -> FeedBody {
        let etag = format!("\"{:016x}\"", fnv(&bytes));
        FeedBody {
            bytes,
            etag,
            modified,
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
}

/// The JSON API's answers, looked up when asked (they are not held in memory):
/// `None` is `/api/decisions`, the last cycle's plan (SPEC §5); `Some(id)` is
/// `/api/decisions/ID`, one decision with its history. `None` out is a 404.
pub type Lookup = Arc<dyn Fn(Option<&str>) -> Option<Bytes> + Send + Sync>;

/// The state the server shares with the daemon.
#[derive(Clone)]
pub struct Shared {
    served: Arc<RwLock<Arc<Served>>>,
    token: Arc<str>,
    lookup: Lookup,
}

impl Shared {
    pub fn new(token: &str, lookup: Lookup) -> Shared {
        Shared {
            served: Arc::new(RwLock::new(Arc::new(Served::default()))),
            token: token.into(),
            lookup,
        }
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

/// Serves until `stop` turns true, then stops accepting and lets open requests finish
/// (each connection ends within its timeout).
pub async fn serve(
    listener: TcpListener,
    shared: Shared,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
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
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(respond(&shared, &req)) }
            });
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

type Body = Full<Bytes>;

fn not_found() -> Response<Body> {
    let mut r = Response::new(Body::new(Bytes::new()));
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

/// Compares in time that depends only on the lengths, so the token cannot be guessed
/// byte by byte from response times.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Answers one request.
pub fn respond(shared: &Shared, req: &Request<Incoming>) -> Response<Body> {
    let head = req.method() == Method::HEAD;
    if req.method() != Method::GET && !head {
        return not_found();
    }
    let path = req.uri().path();
    let served = shared.current();
    if path == "/healthz" {
        let mut r = json(served.health.clone(), head);
        if !served.healthy {
            *r.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        }
        return r;
    }
    if let Some(rest) = path.strip_prefix("/feed/") {
        let Some(token) = rest.strip_suffix(".ics") else {
            return not_found();
        };
        if !same(token.as_bytes(), shared.token.as_bytes()) {
            return not_found();
        }
        return match &served.feed {
            Some(feed) => feed_response(feed, req, head),
            None => not_found(),
        };
    }
    if path == "/api/decisions" || path.starts_with("/api/decisions/") {
        let bearer = req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !same(bearer.trim().as_bytes(), shared.token.as_bytes()) {
            return not_found();
        }
        if path == "/api/decisions" {
            return match (shared.lookup)(None) {
                Some(body) => json(body, head),
                None => not_found(),
            };
        }
        let raw = &path["/api/decisions/".len()..];
        let Ok(id) = percent_encoding::percent_decode_str(raw).decode_utf8() else {
            return not_found();
        };
        return match (shared.lookup)(Some(&id)) {
            Some(body) => json(body, head),
            None => not_found(),
        };
    }
    not_found()
}

fn json(body: Bytes, head: bool) -> Response<Body> {
    let mut r = Response::new(Body::new(if head { Bytes::new() } else { body }));
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn feed_response(feed: &FeedBody, req: &Request<Incoming>, head: bool) -> Response<Body> {
    let h = req.headers();
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
        let mut r = Response::new(Body::new(Bytes::new()));
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let body = if head {
            Bytes::new()
        } else {
            feed.bytes.clone()
        };
        let mut r = Response::new(Body::new(body));
        r.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/calendar; charset=utf-8"),
        );
        if head {
            r.headers_mut().insert(
                hyper::header::CONTENT_LENGTH,
                HeaderValue::from(feed.bytes.len()),
            );
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

/// The ETag's hash: stable across runs, so a restart that renders the same feed serves
/// the same ETag.
fn fnv(bytes: &[u8]) -> u64 {
    crate::fnv1a(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
        assert!(!same(b"", b"a"));
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
