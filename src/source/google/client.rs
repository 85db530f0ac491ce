//! The Calendar API client: the hub (rustls, any base URL), Google's errors, what to
//! retry, paging through `events.list`, and one write with `sendUpdates` explicit.

use std::time::Duration;

use google_calendar3::api::{Event, Scope};
use google_calendar3::hyper_rustls::HttpsConnector;
use google_calendar3::hyper_util::client::legacy::connect::HttpConnector;
use google_calendar3::CalendarHub;

/// Events a page: Google's maximum.
const PAGE: i32 = 2500;

/// Why a poll failed. The kept events stay as they were.
#[derive(Debug, thiserror::Error)]
pub enum GoogleError {
    #[error("Google Calendar did not answer within {0}s")]
    Timeout(u64),
    #[error("Google Calendar answered {code}{}: {message}", reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default())]
    Api {
        code: i64,
        reason: Option<String>,
        message: String,
    },
    #[error("Google Calendar: {0}")]
    Other(String),
    #[error(transparent)]
    Token(#[from] super::token::NotPrivate),
}

impl GoogleError {
    pub(crate) fn from_client(e: google_calendar3::Error) -> GoogleError {
        match e {
            google_calendar3::Error::BadRequest(v) => {
                let err = &v["error"];
                GoogleError::Api {
                    code: err["code"].as_i64().unwrap_or(400),
                    reason: err["errors"][0]["reason"].as_str().map(str::to_string),
                    message: err["message"].as_str().unwrap_or("").to_string(),
                }
            }
            google_calendar3::Error::Failure(resp) => GoogleError::Api {
                code: i64::from(resp.status().as_u16()),
                reason: None,
                message: resp.status().canonical_reason().unwrap_or("failure").into(),
            },
            other => GoogleError::Other(other.to_string()),
        }
    }

    /// Google's "the sync token is no longer valid": sync in full.
    pub fn is_full_sync_required(&self) -> bool {
        matches!(self, GoogleError::Api { code: 410, .. })
    }
}

/// Retries what Google says to retry — 429, 403 `rateLimitExceeded` /
/// `userRateLimitExceeded`, any 5xx, and network errors — after `Retry-After` when the
/// answer has one, else after a capped exponential backoff with jitter; never another
/// 4xx. The client itself retries nothing.
#[derive(Debug, Clone)]
pub struct Retrying {
    attempts: u32,
    pub max_attempts: u32,
    pub base: Duration,
    pub cap: Duration,
}

impl Default for Retrying {
    fn default() -> Self {
        Retrying {
            attempts: 0,
            max_attempts: 5,
            base: Duration::from_millis(200),
            cap: Duration::from_secs(8),
        }
    }
}

impl Retrying {
    fn next(&mut self, asked: Option<Duration>) -> google_calendar3::common::Retry {
        use google_calendar3::common::Retry;
        self.attempts += 1;
        if self.attempts >= self.max_attempts {
            return Retry::Abort;
        }
        if let Some(d) = asked {
            return Retry::After(d.min(Duration::from_secs(60)));
        }
        let exp = self
            .base
            .saturating_mul(1u32 << (self.attempts - 1).min(16))
            .min(self.cap);
        // Full jitter in [exp/2, exp]: clients that failed together do not retry together.
        let r = f64::from(getrandom::u32().unwrap_or(u32::MAX / 2)) / f64::from(u32::MAX);
        Retry::After(exp.mul_f64(0.5 + r / 2.0))
    }
}

/// `Retry-After` in seconds or as an HTTP date.
fn retry_after(resp: &google_calendar3::common::Response) -> Option<Duration> {
    let v = resp.headers().get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    httpdate::parse_http_date(v).ok().map(|t| {
        t.duration_since(std::time::SystemTime::now())
            .unwrap_or_default()
    })
}

impl google_calendar3::common::Delegate for Retrying {
    fn http_error(
        &mut self,
        _err: &google_calendar3::hyper_util::client::legacy::Error,
    ) -> google_calendar3::common::Retry {
        self.next(None)
    }

    fn http_failure(
        &mut self,
        resp: &google_calendar3::common::Response,
        err: Option<&serde_json::Value>,
    ) -> google_calendar3::common::Retry {
        let status = resp.status().as_u16();
        let reason = err.and_then(|e| e["error"]["errors"][0]["reason"].as_str());
        let transient = status == 429
            || status >= 500
            || (status == 403
                && matches!(reason, Some("rateLimitExceeded" | "userRateLimitExceeded")));
        if transient {
            self.next(retry_after(resp))
        } else {
            google_calendar3::common::Retry::Abort
        }
    }
}

pub type Hub = CalendarHub<HttpsConnector<HttpConnector>>;

pub(crate) type ListCall<'a> =
    google_calendar3::api::EventListCall<'a, HttpsConnector<HttpConnector>>;

/// Pages through `events.list` (2 500 a page, retried as [`Retrying`] says, each call
/// under `timeout`) with the query `configure` sets; returns every item and the last
/// page's `nextSyncToken`. Nothing is returned unless every page arrived.
pub(crate) async fn list_all(
    hub: &Hub,
    calendar_id: &str,
    timeout: Duration,
    configure: impl for<'a> Fn(ListCall<'a>) -> ListCall<'a>,
) -> Result<(Vec<Event>, Option<String>), GoogleError> {
    let mut items = Vec::new();
    let mut page: Option<String> = None;
    loop {
        let mut retrying = Retrying::default();
        let mut call = configure(
            hub.events()
                .list(calendar_id)
                .delegate(&mut retrying)
                .max_results(PAGE)
                .add_scope(Scope::Event),
        );
        if let Some(p) = &page {
            call = call.page_token(p);
        }
        let (_, list) = tokio::time::timeout(timeout, call.doit())
            .await
            .map_err(|_| GoogleError::Timeout(timeout.as_secs()))?
            .map_err(GoogleError::from_client)?;
        items.extend(list.items.unwrap_or_default());
        match list.next_page_token {
            Some(p) => page = Some(p),
            None => return Ok((items, list.next_sync_token)),
        }
    }
}

/// One write to a calendar.
pub(crate) enum Write<'a> {
    Insert(Event),
    Patch(Event, &'a str),
    Delete(&'a str),
}

/// Sends one write, retried as [`Retrying`] says, with `sendUpdates` explicit.
pub(crate) async fn write(
    hub: &Hub,
    calendar_id: &str,
    timeout: Duration,
    send_updates: &str,
    w: Write<'_>,
) -> Result<(), GoogleError> {
    let mut retrying = Retrying::default();
    let events = hub.events();
    let call = async {
        match w {
            Write::Insert(e) => events
                .insert(e, calendar_id)
                .delegate(&mut retrying)
                .send_updates(send_updates)
                .add_scope(Scope::Event)
                .doit()
                .await
                .map(|_| ()),
            Write::Patch(e, id) => events
                .patch(e, calendar_id, id)
                .delegate(&mut retrying)
                .send_updates(send_updates)
                .add_scope(Scope::Event)
                .doit()
                .await
                .map(|_| ()),
            Write::Delete(id) => events
                .delete(calendar_id, id)
                .delegate(&mut retrying)
                .send_updates(send_updates)
                .add_scope(Scope::Event)
                .doit()
                .await
                .map(|_| ()),
        }
    };
    tokio::time::timeout(timeout, call)
        .await
        .map_err(|_| GoogleError::Timeout(timeout.as_secs()))?
        .map_err(GoogleError::from_client)
}

/// 13 base32hex characters (0-9, a-v) of a hash: what Google accepts in event ids.
pub(crate) fn base32hex(h: u64) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
    (0..13)
        .rev()
        .map(|i| char::from(ALPHABET[((h >> (i * 5)) & 31) as usize]))
        .collect()
}

pub(super) fn connector() -> HttpsConnector<HttpConnector> {
    google_calendar3::hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .build()
}

/// A client for the Calendar API at `base_url` (`None`: Google's), authorised by `auth`:
/// rustls with the webpki roots (no CA bundle needed), https to Google and plain http to
/// a loopback fake or a corporate proxy's endpoint.
pub fn hub(base_url: Option<&str>, auth: impl google_calendar3::common::GetToken + 'static) -> Hub {
    let client = google_calendar3::hyper_util::client::legacy::Client::builder(
        google_calendar3::hyper_util::rt::TokioExecutor::new(),
    )
    .build(connector());
    let mut hub = CalendarHub::new(client, auth);
    if let Some(base) = base_url {
        let base = if base.ends_with('/') {
            base.to_string()
        } else {
            format!("{base}/")
        };
        hub.base_url(base);
    }
    hub
}
