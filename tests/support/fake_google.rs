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
/// The refresh token the fake token endpoint honours.
pub const REFRESH_TOKEN: &str = "fake-refresh-token";

/// What can go wrong, in percent of list requests.
#[derive(Debug, Clone, Copy, Default)]
pub struct Faults {
    /// 5xx answers (half of them JSON 503s, half plain-text 500s).
    pub server_errors: u32,
    /// 429s with `Retry-After: 0`.
    pub rate_limited: u32,
    /// 200s whose body is cut in half.
    pub truncated: u32,
    /// Each answer waits up to this long.
    pub max_delay_ms: u64,
}

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
    /// The service account's public key (PKCS#1 DER) and e-mail, for the token endpoint.
    pub service_account: Option<(Vec<u8>, String)>,
    /// Token grants refused with `invalid_grant` from now on.
    pub refuse_grants: bool,
    /// Faults injected into list requests.
    pub faults: Faults,
    rng: u64,
    truncate_next: bool,
    /// The `sendUpdates` of every write.
    pub send_updates: Vec<String>,
    /// The `sub` of every granted JWT (domain-wide delegation).
    pub subjects: Vec<String>,
    /// host:port, for the audience check.
    pub host: String,
}

impl State {
    /// xorshift64: the same faults on every run.
    fn roll(&mut self) -> u64 {
        let mut x = self.rng.max(1);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        x
    }

    fn service_account_host(&self) -> &str {
        &self.host
    }
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
                        let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                            let state = Arc::clone(&state);
                            async move {
                                if req.method() != hyper::Method::GET
                                    && req.uri().path() != "/token"
                                {
                                    let method = req.method().clone();
                                    let path = req.uri().path().to_string();
                                    let q = query(&req);
                                    let authorized = req
                                        .headers()
                                        .get(hyper::header::AUTHORIZATION)
                                        .and_then(|v| v.to_str().ok())
                                        == Some(&format!("Bearer {TOKEN}"));
                                    let body = http_body_util::BodyExt::collect(req.into_body())
                                        .await
                                        .map(|b| b.to_bytes())
                                        .unwrap_or_default();
                                    if !authorized {
                                        return Ok(error(
                                            StatusCode::UNAUTHORIZED,
                                            "authError",
                                            "Invalid Credentials",
                                        ));
                                    }
                                    return Ok::<_, Infallible>(write(
                                        &state, &method, &path, &q, &body,
                                    ));
                                }
                                if req.uri().path() == "/token" {
                                    let body = http_body_util::BodyExt::collect(req.into_body())
                                        .await
                                        .map(|b| b.to_bytes())
                                        .unwrap_or_default();
                                    return Ok::<_, Infallible>(token(&state, &body));
                                }
                                let delay = {
                                    let mut s = state.lock().expect("fake state");
                                    let max = s.faults.max_delay_ms;
                                    if max == 0 {
                                        0
                                    } else {
                                        s.roll() % (max + 1)
                                    }
                                };
                                if delay > 0 {
                                    tokio::time::sleep(std::time::Duration::from_millis(delay))
                                        .await;
                                }
                                Ok::<_, Infallible>(handle(&state, req))
                            }
                        });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            });
        });
        let addr = rx.recv().expect("the fake's address");
        state.lock().expect("fake state").host = addr.to_string();
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

    /// The token endpoint's address, for a key file's `token_uri`.
    pub fn token_uri(&self) -> String {
        self.base.replace("/calendar/v3/", "/token")
    }

    /// Writes a service-account key file whose `token_uri` is this fake, and lets the
    /// fake check the JWTs signed with it.
    pub fn service_account_key(&self, dir: &std::path::Path) -> std::path::PathBuf {
        let fixtures =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/google");
        let pem = std::fs::read_to_string(fixtures.join("service-account.pem")).expect("test key");
        let public = std::fs::read(fixtures.join("service-account.pub.der")).expect("public key");
        let email = "timeward@test-project.iam.gserviceaccount.com";
        let key = json!({
            "type": "service_account",
            "project_id": "test-project",
            "private_key_id": "test-key",
            "private_key": pem,
            "client_email": email,
            "client_id": "1",
            "auth_uri": "http://127.0.0.1/unused",
            "token_uri": self.token_uri(),
        });
        let path = dir.join("service-account.json");
        std::fs::write(&path, key.to_string()).expect("write key");
        self.with(|s| s.service_account = Some((public, email.to_string())));
        path
    }

    pub fn refuse_grants(&self, refuse: bool) {
        self.with(|s| s.refuse_grants = refuse);
    }

    pub fn faults(&self, faults: Faults) {
        self.with(|s| {
            s.faults = faults;
            if s.rng == 0 {
                s.rng = 0x2545_f491_4f6c_dd1d;
            }
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

    /// The live events of one calendar (written there by the client).
    pub fn events_in(&self, calendar: &str) -> Vec<Value> {
        self.with(|s| {
            s.events
                .values()
                .filter(|e| e["status"] != "cancelled")
                .filter(|e| e["_calendar"].as_str().unwrap_or("primary") == calendar)
                .cloned()
                .collect()
        })
    }

    /// One event as the fake holds it.
    pub fn event(&self, id: &str) -> Option<Value> {
        self.with(|s| s.events.get(id).cloned())
    }

    /// The `sendUpdates` of every write, in order.
    pub fn send_updates(&self) -> Vec<String> {
        self.with(|s| s.send_updates.clone())
    }

    /// The live events that carry timeward's reservation tag.
    pub fn holds(&self) -> Vec<Value> {
        self.with(|s| {
            s.events
                .values()
                .filter(|e| e["status"] != "cancelled")
                .filter(|e| e["extendedProperties"]["private"]["timeward"] == "reservation")
                .cloned()
                .collect()
        })
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
    *state
        .lock()
        .expect("fake state")
        .counts
        .entry("request")
        .or_default() += 1;
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
    let Some(calendar) = rest.strip_suffix("/events") else {
        return error(StatusCode::NOT_FOUND, "notFound", "Not Found");
    };
    if req.method() != hyper::Method::GET {
        return error(StatusCode::METHOD_NOT_ALLOWED, "notAllowed", "Not Allowed");
    }
    let q = query(&req);
    let mut s = state.lock().expect("fake state");
    let f = s.faults;
    if f.server_errors + f.rate_limited + f.truncated > 0 {
        let r = (s.roll() % 100) as u32;
        if r < f.server_errors {
            *s.counts.entry("fault").or_default() += 1;
            if r.is_multiple_of(2) {
                return error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "backendError",
                    "Backend Error",
                );
            }
            let mut plain = Response::new(Full::new(Bytes::from_static(b"<html>oops</html>")));
            *plain.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            return plain;
        }
        if r < f.server_errors + f.rate_limited {
            *s.counts.entry("fault").or_default() += 1;
            let mut r = error(
                StatusCode::TOO_MANY_REQUESTS,
                "rateLimitExceeded",
                "Rate Limit Exceeded",
            );
            r.headers_mut().insert(
                hyper::header::RETRY_AFTER,
                hyper::header::HeaderValue::from_static("0"),
            );
            return r;
        }
        if r < f.server_errors + f.rate_limited + f.truncated {
            *s.counts.entry("fault").or_default() += 1;
            s.truncate_next = true;
        }
    }
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
                .filter(|e| e["_calendar"].as_str().unwrap_or("primary") == calendar)
                .collect()
        }
        None => {
            let min = q
                .get("timeMin")
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
            let private = q
                .get("privateExtendedProperty")
                .and_then(|p| p.split_once('='));
            s.events
                .values()
                .filter(|e| e["status"] != "cancelled" || e.get("recurringEventId").is_some())
                .filter(|e| private.is_none_or(|(k, v)| e["extendedProperties"]["private"][k] == v))
                .filter(|e| e["_calendar"].as_str().unwrap_or("primary") == calendar)
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
    if std::mem::take(&mut s.truncate_next) {
        let text = body.to_string();
        let half = text.len() / 2;
        return reply_raw(StatusCode::OK, text[..half].to_string());
    }
    reply(StatusCode::OK, body)
}

fn reply_raw(status: StatusCode, text: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(text)));
    *r.status_mut() = status;
    r
}

/// The OAuth token endpoint for the service-account grant (RFC 7523): checks the JWT's
/// RS256 signature against the service account's public key, its issuer, audience and
/// scope, and answers with the token the API accepts.
fn token(state: &Mutex<State>, body: &[u8]) -> Response<Full<Bytes>> {
    use base64::Engine as _;
    let mut s = state.lock().expect("fake state");
    *s.counts.entry("token").or_default() += 1;
    let form: HashMap<String, String> = String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| {
            (
                k.to_string(),
                percent_encoding::percent_decode_str(v)
                    .decode_utf8_lossy()
                    .into_owned(),
            )
        })
        .collect();
    let refuse = |why: &str| {
        reply(
            StatusCode::BAD_REQUEST,
            json!({ "error": "invalid_grant", "error_description": why }),
        )
    };
    if s.refuse_grants {
        return refuse("refused by the test");
    }
    if form.get("grant_type").map(String::as_str) == Some("refresh_token") {
        if form.get("refresh_token").map(String::as_str) != Some(REFRESH_TOKEN) {
            return refuse("unknown refresh token");
        }
        *s.counts.entry("token_refreshed").or_default() += 1;
        return reply(
            StatusCode::OK,
            json!({ "access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600 }),
        );
    }
    if form.get("grant_type").map(String::as_str)
        != Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
    {
        return refuse("not a JWT bearer grant");
    }
    let Some((public, email)) = s.service_account.clone() else {
        return refuse("no service account registered");
    };
    let jwt = form.get("assertion").cloned().unwrap_or_default();
    let parts: Vec<&str> = jwt.split('.').collect();
    if parts.len() != 3 {
        return refuse("malformed JWT");
    }
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let unpad = |p: &str| p.trim_end_matches('=').to_string();
    let (Ok(claims), Ok(signature)) = (b64.decode(unpad(parts[1])), b64.decode(unpad(parts[2])))
    else {
        return refuse("bad base64");
    };
    // RFC 7515 signs the encoded header and claims exactly as sent.
    let signed = format!("{}.{}", parts[0], parts[1]);
    let key = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        public,
    );
    if key.verify(signed.as_bytes(), &signature).is_err() {
        return refuse("bad signature");
    }
    let claims: Value = serde_json::from_slice(&claims).unwrap_or_default();
    let token_uri = format!("http://{}/token", s.service_account_host());
    if claims["iss"] != email.as_str() || claims["aud"] != token_uri.as_str() {
        return refuse("wrong issuer or audience");
    }
    if !claims["scope"].as_str().is_some_and(|sc| {
        sc.split(' ')
            .any(|x| x == "https://www.googleapis.com/auth/calendar.events")
    }) {
        return refuse("scope calendar.events not asked");
    }
    *s.counts.entry("token_granted").or_default() += 1;
    if let Some(sub) = claims["sub"].as_str() {
        s.subjects.push(sub.to_string());
    }
    reply(
        StatusCode::OK,
        json!({ "access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600 }),
    )
}

/// events.insert (409 for an id that exists), events.patch, events.delete.
fn write(
    state: &Mutex<State>,
    method: &hyper::Method,
    path: &str,
    q: &HashMap<String, String>,
    body: &[u8],
) -> Response<Full<Bytes>> {
    let mut s = state.lock().expect("fake state");
    *s.counts.entry("write").or_default() += 1;
    s.send_updates
        .push(q.get("sendUpdates").cloned().unwrap_or_default());
    let Some(rest) = path.strip_prefix("/calendar/v3/calendars/") else {
        return error(StatusCode::NOT_FOUND, "notFound", "Not Found");
    };
    let mut parts = rest.split('/');
    let (cal, events, id) = (parts.next(), parts.next(), parts.next());
    let cal = cal.unwrap_or("primary").to_string();
    if events != Some("events") {
        return error(StatusCode::NOT_FOUND, "notFound", "Not Found");
    }
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let live = |s: &State, id: &str| s.events.get(id).is_some_and(|e| e["status"] != "cancelled");
    match (method.as_str(), id) {
        ("POST", None) => {
            *s.counts.entry("insert").or_default() += 1;
            let Some(id) = body["id"].as_str().map(str::to_string) else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "required",
                    "id required by this fake",
                );
            };
            if live(&s, &id) {
                return error(
                    StatusCode::CONFLICT,
                    "duplicate",
                    "The requested identifier already exists.",
                );
            }
            let mut e = body.clone();
            e["status"] = json!("confirmed");
            // Which calendar it is in (the fake keeps one map of events).
            e["_calendar"] = json!(cal);
            s.seq += 1;
            let seq = s.seq;
            s.changed.insert(id.clone(), seq);
            s.events.insert(id, e.clone());
            reply(StatusCode::OK, e)
        }
        ("PATCH", Some(id)) => {
            *s.counts.entry("patch").or_default() += 1;
            if !live(&s, id) {
                return error(StatusCode::NOT_FOUND, "notFound", "Not Found");
            }
            let mut e = s.events[id].clone();
            let organiser = e["organizer"]["email"].as_str().unwrap_or("").to_string();
            if let (Some(target), Some(fields)) = (e.as_object_mut(), body.as_object()) {
                for (k, v) in fields {
                    if k == "attendees" && organiser != SUBJECT {
                        // As Google: a guest's patch changes only their own entry
                        // (responseStatus, comment) and, if guests may invite others, adds
                        // guests; the rest of the list stays as the organiser left it.
                        let merged = guest_patch(
                            target.get("attendees"),
                            v,
                            target.get("guestsCanInviteOthers"),
                        );
                        target.insert(k.clone(), merged);
                        continue;
                    }
                    target.insert(k.clone(), v.clone());
                }
            }
            s.seq += 1;
            let seq = s.seq;
            s.changed.insert(id.to_string(), seq);
            s.events.insert(id.to_string(), e.clone());
            reply(StatusCode::OK, e)
        }
        ("DELETE", Some(id)) => {
            *s.counts.entry("delete").or_default() += 1;
            if !live(&s, id) {
                return error(StatusCode::GONE, "deleted", "Resource has been deleted");
            }
            s.seq += 1;
            let seq = s.seq;
            if let Some(e) = s.events.get_mut(id) {
                e["status"] = json!("cancelled");
            }
            s.changed.insert(id.to_string(), seq);
            let mut r = Response::new(Full::new(Bytes::new()));
            *r.status_mut() = StatusCode::NO_CONTENT;
            r
        }
        _ => error(StatusCode::METHOD_NOT_ALLOWED, "notAllowed", "Not Allowed"),
    }
}

/// The executive, as the service account's subject and the installed sign-in's user.
const SUBJECT: &str = "dana@acme.example";

/// The attendee list after a guest's patch (see the events.patch reference: attendees
/// other than oneself can be changed only by the organiser).
fn guest_patch(old: Option<&Value>, new: &Value, can_invite: Option<&Value>) -> Value {
    let mut list: Vec<Value> = old.and_then(Value::as_array).cloned().unwrap_or_default();
    let is_me = |a: &Value| {
        a["self"] == json!(true)
            || a["email"]
                .as_str()
                .is_some_and(|e| e.eq_ignore_ascii_case(SUBJECT))
    };
    for a in new.as_array().into_iter().flatten() {
        let email = a["email"].as_str().unwrap_or("");
        if is_me(a) {
            if let Some(mine) = list.iter_mut().find(|x| is_me(x)) {
                mine["responseStatus"] = a["responseStatus"].clone();
                mine["comment"] = a["comment"].clone();
            }
        } else if !list.iter().any(|x| x["email"].as_str() == Some(email))
            && can_invite != Some(&json!(false))
        {
            list.push(json!({ "email": email, "responseStatus": "needsAction" }));
        }
    }
    Value::Array(list)
}

/// An invitation as Google lists it: an hour from `start` (in New York), organised by
/// `from`, the executive `exec` invited with `status` (`needsAction`, `accepted`, …).
pub fn invitation(
    id: &str,
    summary: &str,
    start: chrono::DateTime<chrono::FixedOffset>,
    from: &str,
    (exec, status): (&str, &str),
) -> Value {
    let end = start + chrono::TimeDelta::hours(1);
    json!({
        "id": id,
        "status": "confirmed",
        "summary": summary,
        "start": { "dateTime": start.to_rfc3339(), "timeZone": "America/New_York" },
        "end": { "dateTime": end.to_rfc3339(), "timeZone": "America/New_York" },
        "organizer": { "email": from },
        "attendees": [
            { "email": exec, "self": true, "responseStatus": status },
            { "email": from, "responseStatus": "accepted", "organizer": true }
        ]
    })
}
