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

/// The validators of the last good fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cursor {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

pub enum Fetched {
    Unchanged,
    Changed(Snapshot, Cursor),
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
    pub fn new(timeout: Duration) -> Result<Fetcher, String> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Fetcher {
            client: Client::builder(TokioExecutor::new()).build(https),
            timeout,
        })
    }

    /// Fetches `url` unless it is unchanged since `cursor`.
    pub async fn fetch(&self, url: &str, cursor: &Cursor) -> Result<Fetched, String> {
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
            .map_err(|_| format!("{shown}: not a valid URL"))?;
        let work = async {
            let resp = self
                .client
                .request(req)
                .await
                .map_err(|e| format!("{shown}: {}", error_chain(&e)))?;
            let status = resp.status();
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Fetched::Unchanged);
            }
            if !status.is_success() {
                return Err(format!("{shown}: the server answered {status}"));
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
                .map_err(|e| format!("{shown}: reading the calendar failed: {e}"))?
                .to_bytes();
            let snapshot = super::ics::parse_bytes(&body, &shown).map_err(|e| e.to_string())?;
            Ok(Fetched::Changed(snapshot, next))
        };
        tokio::time::timeout(self.timeout, work)
            .await
            .map_err(|_| format!("{shown}: no answer within {}s", self.timeout.as_secs()))?
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
