//! An iCalendar URL (the "secret address in iCal format" that Google, Outlook and iCloud
//! publish) fetched with a conditional GET: `If-None-Match` / `If-Modified-Since` from the
//! last good fetch, so an unchanged calendar costs one 304. Part of the shell. The URL's
//! path is a secret: messages name only its scheme and host.

use std::time::Duration;

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, USER_AGENT};
use hyper::{Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::calendar::Snapshot;
use crate::config::redact_url;

/// Why a fetch failed. The URL is named by its scheme and host only.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0}: not a valid URL")]
    BadUrl(String),
    #[error("{url}: {why}")]
    Network { url: String, why: String },
    #[error("{url}: the server answered {status}")]
    Status { url: String, status: StatusCode },
    #[error("{url}: reading the calendar failed: {why}")]
    Body { url: String, why: String },
    #[error("{url}: no answer within {secs}s")]
    Timeout { url: String, secs: u64 },
    #[error(transparent)]
    Calendar(#[from] super::ics::FileError),
}

/// The validators of the last good fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cursor {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

pub enum Fetched {
    Unchanged,
    /// The calendar, the cursor for the next GET, and the bytes it was read from.
    Changed(Snapshot, Cursor, hyper::body::Bytes),
}

type HttpsClient = Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Empty<Bytes>,
>;

/// A client for http and https (rustls with the webpki roots, so a slim container needs
/// no CA bundle).
pub struct Fetcher {
    client: HttpsClient,
    timeout: Duration,
}

/// The most a calendar may weigh: a 10 000-event export is a few MB.
const MAX_BYTES: usize = 64 * 1024 * 1024;

impl Fetcher {
    pub fn new(timeout: Duration) -> Fetcher {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .build();
        Fetcher {
            client: Client::builder(TokioExecutor::new()).build(https),
            timeout,
        }
    }

    /// Fetches `url` unless it is unchanged since `cursor`.
    pub async fn fetch(&self, url: &str, cursor: &Cursor) -> Result<Fetched, FetchError> {
        let shown = redact_url(url);
        let mut req =
            Request::get(url).header(USER_AGENT, concat!("timeward/", env!("CARGO_PKG_VERSION")));
        if let Some(e) = &cursor.etag {
            req = req.header(IF_NONE_MATCH, e);
        }
        if let Some(m) = &cursor.last_modified {
            req = req.header(IF_MODIFIED_SINCE, m);
        }
        let req = req
            .body(Empty::<Bytes>::new())
            .map_err(|_| FetchError::BadUrl(shown.clone()))?;
        let work = async {
            let resp = self
                .client
                .request(req)
                .await
                .map_err(|e| FetchError::Network {
                    url: shown.clone(),
                    why: error_chain(&e),
                })?;
            let status = resp.status();
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Fetched::Unchanged);
            }
            if !status.is_success() {
                return Err(FetchError::Status {
                    url: shown.clone(),
                    status,
                });
            }
            let header = |name| {
                resp.headers()
                    .get(name)
                    .and_then(|v: &hyper::header::HeaderValue| v.to_str().ok())
                    .map(str::to_string)
            };
            let next = Cursor {
                etag: header(ETAG),
                last_modified: header(LAST_MODIFIED),
            };
            let body = Limited::new(resp.into_body(), MAX_BYTES)
                .collect()
                .await
                .map_err(|e| FetchError::Body {
                    url: shown.clone(),
                    why: e.to_string(),
                })?
                .to_bytes();
            let snapshot = super::ics::parse_bytes(&body, &shown)?;
            Ok(Fetched::Changed(snapshot, next, body))
        };
        tokio::time::timeout(self.timeout, work)
            .await
            .map_err(|_| FetchError::Timeout {
                url: shown.clone(),
                secs: self.timeout.as_secs(),
            })?
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// A URL as the daemon's source: a conditional GET each poll.
pub struct UrlSource {
    url: String,
    fetcher: Fetcher,
    cursor: Cursor,
    /// The last good read's bytes, which answers to invitations are written from.
    last: Option<hyper::body::Bytes>,
    mailer: Option<super::mail::Mailer>,
}

impl UrlSource {
    pub fn new(url: String, mailer: Option<super::mail::Mailer>) -> UrlSource {
        UrlSource {
            url,
            fetcher: Fetcher::new(Duration::from_secs(30)),
            cursor: Cursor::default(),
            last: None,
            mailer,
        }
    }
}

#[async_trait::async_trait]
impl super::CalendarSource for UrlSource {
    fn name(&self) -> String {
        redact_url(&self.url)
    }

    fn kind(&self) -> &'static str {
        "ics url"
    }

    async fn poll(
        &mut self,
        poll: super::Poll<'_>,
    ) -> Result<Option<Snapshot>, super::SourceError> {
        // A full read (a fresh start, a reload) fetches unconditionally.
        let cursor = if poll.full {
            Cursor::default()
        } else {
            self.cursor.clone()
        };
        match self.fetcher.fetch(&self.url, &cursor).await? {
            Fetched::Unchanged => Ok(None),
            Fetched::Changed(snapshot, next, body) => {
                self.cursor = next;
                self.last = Some(body);
                Ok(Some(snapshot))
            }
        }
    }

    fn answers_show(&self) -> bool {
        false
    }

    async fn handouts(
        &mut self,
        r: &super::Respond<'_>,
    ) -> Option<Result<Vec<super::mail::Handout>, super::SourceError>> {
        if self.mailer.is_some() {
            return None;
        }
        let bytes = self.last.as_deref().unwrap_or_default();
        Some(super::mail::handouts(bytes, r).map_err(super::SourceError::from))
    }

    async fn respond(&mut self, r: &super::Respond<'_>) -> Result<String, super::SourceError> {
        let mailer = self
            .mailer
            .as_ref()
            .ok_or(super::SourceError::CannotRespond(self.kind()))?;
        let bytes = self.last.as_deref().unwrap_or_default();
        Ok(mailer.send(bytes, r).await?)
    }
}
