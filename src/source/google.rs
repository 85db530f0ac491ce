//! The Google Calendar source: Google's incremental sync with the `google-calendar3`
//! client. Part of the shell.
//!
//! A full sync pages through `events.list` (2 500 a page, hidden invitations shown,
//! recurring series as masters plus exceptions, a `timeMin` bound) and keeps the
//! `nextSyncToken`; later polls send only the sync token (and page tokens), so an idle
//! poll is one request. A 410 (`fullSyncRequired`) drops the kept events and syncs in full.
//! A cancelled event is deleted; a cancelled *instance* of a series is kept, as the
//! override that removes that instance. A full sync replaces the kept events only when it
//! completes, so a failure midway loses nothing.
//!
//! The events are turned into a [`Snapshot`] by writing them as iCalendar and reading that
//! with the same parser and recurrence engine as the .ics source, so the two sources
//! decide alike (tested across sources).

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use google_calendar3::api::{Event, EventDateTime, Scope};
use google_calendar3::hyper_rustls::HttpsConnector;
use google_calendar3::hyper_util::client::legacy::connect::HttpConnector;
use google_calendar3::CalendarHub;
use icalendar::{Component, Property};

use crate::calendar::Snapshot;

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

/// What a poll found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polled {
    Unchanged,
    Changed,
}

pub type Hub = CalendarHub<HttpsConnector<HttpConnector>>;

type ListCall<'a> = google_calendar3::api::EventListCall<'a, HttpsConnector<HttpConnector>>;

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

/// The HTTP client yup-oauth2 reaches the token endpoint with (the same TLS setup).
fn oauth_client(
) -> google_calendar3::yup_oauth2::client::CustomHyperClientBuilder<HttpsConnector<HttpConnector>> {
    google_calendar3::yup_oauth2::client::CustomHyperClientBuilder::from(
        google_calendar3::hyper_util::client::legacy::Client::builder(
            google_calendar3::hyper_util::rt::TokioExecutor::new(),
        )
        .build(connector()),
    )
}

fn connector() -> HttpsConnector<HttpConnector> {
    google_calendar3::hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .build()
}

/// Connects to the calendar `g` names, signed in as its `auth` says:
/// - a service account (with domain-wide delegation to `subject`, the executive, for
///   Workspace), its key from a file; tokens come from the key's `token_uri`;
/// - the installed-app sign-in, whose token `timeward auth google` stored in
///   `token_file`. The daemon never opens a browser: a missing, revoked or expired
///   sign-in is an error that says to run `timeward auth google` again.
///
/// Least scope: `calendar.events`.
pub async fn connect(
    g: &crate::config::Google,
    token_file: &std::path::Path,
    timeout: Duration,
    time_min: DateTime<Utc>,
) -> Result<GoogleCalendar, GoogleError> {
    use crate::config::GoogleAuth;
    use google_calendar3::yup_oauth2;
    let client = oauth_client();
    let auth = match &g.auth {
        GoogleAuth::ServiceAccount { key, subject } => {
            let path = key.display().to_string();
            let key = yup_oauth2::read_service_account_key(key)
                .await
                .map_err(|e| {
                    GoogleError::Other(format!("{path}: not a service account key: {e}"))
                })?;
            let mut builder = yup_oauth2::ServiceAccountAuthenticator::with_client(key, client)
                .with_timeout(timeout);
            if let Some(subject) = subject {
                builder = builder.subject(subject.clone());
            }
            builder
                .build()
                .await
                .map_err(|e| GoogleError::Other(format!("{path}: {e}")))?
        }
        GoogleAuth::Installed { client_secret } => {
            let secret = read_client_secret(client_secret).await?;
            let store = crate::source::google_token::TokenFile::open(token_file)
                .map_err(GoogleError::Other)?;
            if !store.exists() {
                return Err(GoogleError::Other(format!(
                    "not signed in to Google ({} is missing)\n    fix: run timeward auth google --client-secret {}",
                    token_file.display(),
                    client_secret.display()
                )));
            }
            // `Interactive`: if the stored token cannot be renewed, yup-oauth2 falls back
            // to a fresh sign-in, and only this method lets NoBrowser's refusal end it at
            // once (the loopback method would wait for a browser that never comes).
            yup_oauth2::InstalledFlowAuthenticator::with_client(
                secret,
                yup_oauth2::InstalledFlowReturnMethod::Interactive,
                client,
            )
            .with_storage(Box::new(store))
            .flow_delegate(Box::new(NoBrowser {
                client_secret: client_secret.display().to_string(),
            }))
            .with_timeout(timeout)
            .build()
            .await
            .map_err(|e| GoogleError::Other(e.to_string()))?
        }
    };
    let hub = hub(g.api_base_url.as_deref(), auth);
    Ok(GoogleCalendar::new(hub, &g.calendar_id, timeout, time_min))
}

async fn read_client_secret(
    path: &std::path::Path,
) -> Result<google_calendar3::yup_oauth2::ApplicationSecret, GoogleError> {
    google_calendar3::yup_oauth2::read_application_secret(path)
        .await
        .map_err(|e| {
            GoogleError::Other(format!(
                "{}: not an OAuth client file ({e})\n    fix: download the JSON of a Desktop OAuth client from the Google Cloud console",
                path.display()
            ))
        })
}

/// The daemon's stand-in for the browser: it cannot sign in, so it says how to.
struct NoBrowser {
    client_secret: String,
}

impl google_calendar3::yup_oauth2::authenticator_delegate::InstalledFlowDelegate for NoBrowser {
    fn present_user_url<'a>(
        &'a self,
        _url: &'a str,
        _need_code: bool,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, String>> + Send + 'a>>
    {
        Box::pin(async move {
            Err(format!(
                "Google refused to renew the sign-in (revoked, or expired: an OAuth app in \"Testing\" gets 7-day tokens)\n    fix: run timeward auth google --client-secret {}",
                self.client_secret
            ))
        })
    }
}

/// `timeward auth google`: the installed-app sign-in with a loopback redirect. Prints
/// the address to open; the browser comes back to 127.0.0.1; the token is stored in
/// `token_file` (0600, written atomically).
pub async fn sign_in(
    client_secret: &std::path::Path,
    token_file: &std::path::Path,
) -> Result<(), GoogleError> {
    use google_calendar3::yup_oauth2;
    let secret = read_client_secret(client_secret).await?;
    let store =
        crate::source::google_token::TokenFile::open(token_file).map_err(GoogleError::Other)?;
    let client = oauth_client();
    let auth = yup_oauth2::InstalledFlowAuthenticator::with_client(
        secret,
        yup_oauth2::InstalledFlowReturnMethod::HTTPRedirect,
        client,
    )
    .with_storage(Box::new(store))
    .build()
    .await
    .map_err(|e| GoogleError::Other(e.to_string()))?;
    auth.token(&[Scope::Event.as_ref()])
        .await
        .map_err(|e| GoogleError::Other(e.to_string()))?;
    Ok(())
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

/// One Google calendar, kept in sync.
pub struct GoogleCalendar {
    hub: Hub,
    calendar_id: String,
    timeout: Duration,
    /// The lower bound of a full sync: events that ended before it are not fetched.
    time_min: DateTime<Utc>,
    sync_token: Option<String>,
    events: BTreeMap<String, Event>,
}

impl GoogleCalendar {
    pub fn new(hub: Hub, calendar_id: &str, timeout: Duration, time_min: DateTime<Utc>) -> Self {
        GoogleCalendar {
            hub,
            calendar_id: calendar_id.to_string(),
            timeout,
            time_min,
            sync_token: None,
            events: BTreeMap::new(),
        }
    }

    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    pub fn calendar_id(&self) -> &str {
        &self.calendar_id
    }

    pub fn sync_token(&self) -> Option<&str> {
        self.sync_token.as_deref()
    }

    /// The ids of the kept events that are not cancelled, sorted.
    pub fn ids(&self) -> Vec<String> {
        self.events
            .iter()
            .filter(|(_, e)| e.status.as_deref() != Some("cancelled"))
            .map(|(id, _)| id.clone())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Moves the lower bound of the next full sync (the daemon keeps it a little behind now).
    pub fn set_time_min(&mut self, t: DateTime<Utc>) {
        self.time_min = t;
    }

    /// One poll: incremental when a sync token is held, else a full sync; a 410 turns
    /// an incremental poll into a full sync.
    pub async fn poll(&mut self) -> Result<Polled, GoogleError> {
        let Some(token) = self.sync_token.clone() else {
            return self.full_sync().await;
        };
        match self.incremental(&token).await {
            Err(e) if e.is_full_sync_required() => {
                tracing::info!("Google asked for a full sync (410)");
                self.sync_token = None;
                self.full_sync().await
            }
            other => other,
        }
    }

    async fn full_sync(&mut self) -> Result<Polled, GoogleError> {
        let time_min = self.time_min;
        let (items, token) = list_all(&self.hub, &self.calendar_id, self.timeout, |c| {
            c.show_hidden_invitations(true)
                .single_events(false)
                .time_min(time_min)
        })
        .await?;
        // Replaced only now: a failure midway kept the last good events.
        let mut fresh: BTreeMap<String, Event> = BTreeMap::new();
        for e in items {
            apply(&mut fresh, e);
        }
        self.events = fresh;
        self.sync_token = token;
        Ok(Polled::Changed)
    }

    async fn incremental(&mut self, token: &str) -> Result<Polled, GoogleError> {
        // Only the sync token (and the page token): Google refuses timeMin and the other
        // filters with it.
        let (items, next) = list_all(&self.hub, &self.calendar_id, self.timeout, |c| {
            c.sync_token(token)
                .show_hidden_invitations(true)
                .single_events(false)
        })
        .await?;
        // Applied only when the last page arrived: a failure midway changes nothing.
        let changed = !items.is_empty();
        for e in items {
            apply(&mut self.events, e);
        }
        if next.is_some() {
            self.sync_token = next;
        }
        Ok(if changed {
            Polled::Changed
        } else {
            Polled::Unchanged
        })
    }

    /// The kept events as the calendar model sees them. `exec` is the executive's
    /// address in the rules: Google marks the calendar's owner with `self`, whatever
    /// address the rules use.
    pub fn snapshot(&self, exec: &str) -> Snapshot {
        crate::calendar::ics::parse(&to_ics(self.events.values(), exec)).unwrap_or_default()
    }
}

/// Applies one item of a list: a cancelled event goes; a cancelled instance of a series
/// stays, as the override that removes the instance; anything else is kept as sent.
fn apply(events: &mut BTreeMap<String, Event>, e: Event) {
    let Some(id) = e.id.clone() else { return };
    let cancelled = e.status.as_deref() == Some("cancelled");
    if cancelled && e.recurring_event_id.is_none() {
        events.remove(&id);
        // Its exceptions go with it.
        events.retain(|_, x| x.recurring_event_id.as_deref() != Some(id.as_str()));
    } else {
        events.insert(id, e);
    }
}

/// Google events as one iCalendar document, for the .ics parser.
pub fn to_ics<'a>(events: impl IntoIterator<Item = &'a Event>, exec: &str) -> String {
    let mut cal = icalendar::Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"));
    cal.append_property(Property::new("PRODID", "-//timeward//google//EN"));
    for e in events {
        if let Some(ev) = vevent(e, exec) {
            cal.push(ev);
        }
    }
    cal.done().to_string()
}

fn time(name: &str, t: &EventDateTime) -> Option<Property> {
    if let Some(d) = t.date {
        let mut p = Property::new(name, d.format("%Y%m%d").to_string());
        p.add_parameter("VALUE", "DATE");
        return Some(p);
    }
    let utc = t.date_time?;
    // The client keeps only the instant; the zone is in `time_zone` (recurrences and
    // wall-clock rules need it).
    match t
        .time_zone
        .as_deref()
        .and_then(|z| z.parse::<chrono_tz::Tz>().ok())
    {
        Some(tz) => {
            let local = utc.with_timezone(&tz).naive_local();
            let mut p = Property::new(name, local.format("%Y%m%dT%H%M%S").to_string());
            p.add_parameter("TZID", tz.name());
            Some(p)
        }
        None => Some(Property::new(
            name,
            utc.format("%Y%m%dT%H%M%SZ").to_string(),
        )),
    }
}

fn vevent(e: &Event, exec: &str) -> Option<icalendar::Event> {
    // timeward's own 1:1 holds (reserve mode) are its output, not the calendar's: the
    // placer keeps them as its previous reservations instead.
    if super::google_reserve::is_hold(e) {
        return None;
    }
    let id = e.id.as_deref()?;
    let mut ev = icalendar::Event::new();
    // An exception carries its series' id as UID, as in iCalendar.
    ev.uid(e.recurring_event_id.as_deref().unwrap_or(id));
    ev.add_property("DTSTAMP", "20000101T000000Z");
    let cancelled = e.status.as_deref() == Some("cancelled");
    match (&e.start, &e.end) {
        (Some(s), Some(end)) => {
            ev.append_property(time("DTSTART", s)?);
            ev.append_property(time("DTEND", end)?);
        }
        // A cancelled instance comes without times: its original start is enough.
        _ if cancelled => {
            let o = e.original_start_time.as_ref()?;
            ev.append_property(time("DTSTART", o)?);
        }
        _ => return None,
    }
    if let Some(o) = &e.original_start_time {
        ev.append_property(time("RECURRENCE-ID", o)?);
    }
    if let Some(s) = &e.summary {
        ev.summary(s);
    }
    if let Some(d) = &e.description {
        ev.description(d);
    }
    for line in e.recurrence.iter().flatten() {
        // "RRULE:FREQ=WEEKLY", "EXDATE;TZID=Europe/Berlin:20261208T100000", …
        if let Some((head, value)) = line.split_once(':') {
            let mut parts = head.split(';');
            let name = parts.next().unwrap_or("");
            let mut p = Property::new(name, value);
            for param in parts {
                if let Some((k, v)) = param.split_once('=') {
                    p.add_parameter(k, v);
                }
            }
            ev.append_multi_property(p);
        }
    }
    if let Some(o) = &e.organizer {
        let email = if o.self_ == Some(true) {
            Some(exec)
        } else {
            o.email.as_deref()
        };
        if let Some(email) = email {
            ev.add_property("ORGANIZER", format!("mailto:{email}"));
        }
    }
    for a in e.attendees.iter().flatten() {
        let email = if a.self_ == Some(true) {
            exec
        } else {
            match a.email.as_deref() {
                Some(m) => m,
                None => continue,
            }
        };
        let mut p = Property::new("ATTENDEE", format!("mailto:{email}"));
        p.add_parameter(
            "PARTSTAT",
            match a.response_status.as_deref() {
                Some("accepted") => "ACCEPTED",
                Some("tentative") => "TENTATIVE",
                Some("declined") => "DECLINED",
                _ => "NEEDS-ACTION",
            },
        );
        if a.optional == Some(true) {
            p.add_parameter("ROLE", "OPT-PARTICIPANT");
        }
        ev.append_multi_property(p);
    }
    if cancelled {
        ev.add_property("STATUS", "CANCELLED");
    } else if e.status.as_deref() == Some("tentative") {
        ev.add_property("STATUS", "TENTATIVE");
    }
    // Working locations are not meetings; focus time and out-of-office are busy (they
    // are opaque by default, as Google sends them).
    let transparent = e.transparency.as_deref() == Some("transparent")
        || e.event_type.as_deref() == Some("workingLocation");
    if transparent {
        ev.add_property("TRANSP", "TRANSPARENT");
    }
    if matches!(e.visibility.as_deref(), Some("private" | "confidential")) {
        ev.add_property("CLASS", "PRIVATE");
    }
    Some(ev.done())
}
