//! A fake Google Calendar v3 API on 127.0.0.1, for the real `google-calendar3` client:
//! `events.list` with paging, sync tokens (and Google's 400 for filters sent with one),
//! deletions as cancelled items, a 410 on demand, the bearer token checked, and a count
//! of requests by kind. It keeps events as Google's JSON.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};

pub const TOKEN: &str = "fake-access-token";

#[derive(Default)]
pub struct State {
    /// id → the event as Google sends it.
    events: BTreeMap<String, Value>,
    /// id → the change counter when it last changed.
    changed: BTreeMap<String, u64>,
    seq: u64,
    /// sync token → the change counter it was issued at.
    tokens: HashMap<String, u64>,
    /// Requests by kind: "list", "list_full", "list_sync".
    pub counts: BTreeMap<&'static str, usize>,
    /// Answer the list request with this number (1-based, counted over all list
    /// requests) with 410 Gone.
    pub gone_at_list: Option<usize>,
}

pub struct Fake {
    pub base: String,
    pub state: Arc<Mutex<State>>,
}

impl Fake {
    /// Starts the fake on a free port, on its own thread and runtime.
    pub fn start() -> Fake {
        let state = Arc::new(Mutex::new(State::default()));
        let (tx, rx) = std::sync::mpsc::channel();
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                tx.send(listener.local_addr().expect("addr"))
                    .expect("report the address");
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let state = Arc::clone(&shared);
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(move |req| {
                            let state = Arc::clone(&state);
                            async move { Ok::<_, Infallible>(handle(&state, req)) }
                        });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            });
        });
        let addr = rx.recv().expect("the fake's address");
        Fake {
            base: format!("http://{addr}/calendar/v3/"),
            state,
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut s = self.state.lock().expect("fake state");
        f(&mut s)
    }

    /// Adds or replaces an event (Google's JSON; `id` required).
    pub fn put(&self, event: Value) {
        self.with(|s| {
            let id = event["id"].as_str().expect("an id").to_string();
            s.seq += 1;
            let seq = s.seq;
            s.changed.insert(id.clone(), seq);
            s.events.insert(id, event);
        });
    }

    /// Cancels an event (a deletion, as Google records it).
    pub fn cancel(&self, id: &str) {
        self.with(|s| {
            s.seq += 1;
            let seq = s.seq;
            let mut e = s.events.get(id).cloned().unwrap_or(json!({ "id": id }));
            e["status"] = json!("cancelled");
            s.events.insert(id.to_string(), e);
            s.changed.insert(id.to_string(), seq);
        });
    }

    pub fn count(&self, kind: &str) -> usize {
        self.with(|s| s.counts.get(kind).copied().unwrap_or(0))
    }

    pub fn reset_counts(&self) {
        self.with(|s| s.counts.clear());
    }

    /// The next list request (counting from now) whose number is `n` answers 410.
    pub fn gone_at_next(&self, n: usize) {
        self.with(|s| {
            let done = s.counts.get("list").copied().unwrap_or(0);
            s.gone_at_list = Some(done + n);
        });
    }

    /// The events as Google would list them in a full sync now (not cancelled).
    pub fn live_ids(&self) -> Vec<String> {
        self.with(|s| {
            s.events
                .iter()
                .filter(|(_, e)| e["status"] != "cancelled")
                .map(|(id, _)| id.clone())
                .collect()
        })
    }
}

fn query(req: &Request<Incoming>) -> HashMap<String, String> {
    req.uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| {
            let v = percent_encoding::percent_decode_str(&v.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned();
            (k.to_string(), v)
        })
        .collect()
}

fn reply(status: StatusCode, body: Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    r
}

fn error(status: StatusCode, reason: &str, message: &str) -> Response<Full<Bytes>> {
    reply(
        status,
        json!({ "error": {
            "code": status.as_u16(),
            "message": message,
            "errors": [{ "domain": "global", "reason": reason, "message": message }]
        }}),
    )
}

/// The end of an event as an instant, for `timeMin` (all-day: the end date's midnight UTC).
fn end_of(e: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    let end = &e["end"];
    if let Some(t) = end["dateTime"].as_str() {
        return chrono::DateTime::parse_from_rfc3339(t)
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc));
    }
    end["date"]
        .as_str()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

fn handle(state: &Mutex<State>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let auth = req
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if auth != format!("Bearer {TOKEN}") {
        return error(StatusCode::UNAUTHORIZED, "authError", "Invalid Credentials");
    }
    let path = req.uri().path().to_string();
    let Some(rest) = path.strip_prefix("/calendar/v3/calendars/") else {
        return error(StatusCode::NOT_FOUND, "notFound", "Not Found");
    };
    let Some(_calendar) = rest.strip_suffix("/events") else {
        return error(StatusCode::NOT_FOUND, "notFound", "Not Found");
    };
    if req.method() != hyper::Method::GET {
        return error(StatusCode::METHOD_NOT_ALLOWED, "notAllowed", "Not Allowed");
    }
    let q = query(&req);
    let mut s = state.lock().expect("fake state");
    *s.counts.entry("list").or_default() += 1;
    let n = s.counts["list"];
    let sync = q.get("syncToken").cloned();
    *s.counts
        .entry(if sync.is_some() {
            "list_sync"
        } else {
            "list_full"
        })
        .or_default() += 1;
    if let Some(token) = &sync {
        const FORBIDDEN: [&str; 8] = [
            "timeMin",
            "timeMax",
            "q",
            "orderBy",
            "iCalUID",
            "updatedMin",
            "privateExtendedProperty",
            "sharedExtendedProperty",
        ];
        if let Some(bad) = FORBIDDEN.iter().find(|k| q.contains_key(**k)) {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid",
                &format!("{bad} cannot be used with syncToken"),
            );
        }
        if !s.tokens.contains_key(token) || s.gone_at_list == Some(n) {
            return error(
                StatusCode::GONE,
                "fullSyncRequired",
                "Sync token is no longer valid, a full sync is required.",
            );
        }
    } else if s.gone_at_list == Some(n) {
        // A page of a full sync whose page token expired.
        return error(StatusCode::GONE, "fullSyncRequired", "Gone");
    }
    let max: usize = q
        .get("maxResults")
        .and_then(|m| m.parse().ok())
        .unwrap_or(250)
        .min(2500);
    let items: Vec<&Value> = match &sync {
        Some(token) => {
            let since = s.tokens[token];
            let mut changed: Vec<(&u64, &String)> = s
                .changed
                .iter()
                .filter(|(_, seq)| **seq > since)
                .map(|(id, seq)| (seq, id))
                .collect();
            changed.sort();
            changed
                .iter()
                .filter_map(|(_, id)| s.events.get(*id))
                .collect()
        }
        None => {
            let min = q
                .get("timeMin")
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
            s.events
                .values()
                .filter(|e| e["status"] != "cancelled" || e.get("recurringEventId").is_some())
                .filter(|e| {
                    e.get("recurrence").is_some()
                        || min.is_none_or(|m| end_of(e).is_none_or(|end| end > m))
                })
                .collect()
        }
    };
    let offset: usize = q
        .get("pageToken")
        .and_then(|p| p.strip_prefix("page-"))
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let page: Vec<Value> = items
        .iter()
        .skip(offset)
        .take(max)
        .map(|v| (*v).clone())
        .collect();
    let more = offset + max < items.len();
    let mut body = json!({
        "kind": "calendar#events",
        "summary": "dana@acme.example",
        "timeZone": "America/New_York",
        "items": page,
    });
    if more {
        body["nextPageToken"] = json!(format!("page-{}", offset + max));
    } else {
        let token = format!("sync-{}-{}", s.seq, s.tokens.len());
        let seq = s.seq;
        s.tokens.insert(token.clone(), seq);
        body["nextSyncToken"] = json!(token);
    }
    reply(StatusCode::OK, body)
}
