//! `/healthz`: the last cycle, the source and the rules, with no private detail.

use chrono::{DateTime, Utc};
use hyper::body::Bytes;
use serde::Serialize;

use super::{CycleReport, Daemon};

impl Daemon {
    pub(super) fn publish_health(&self) {
        let served = self.shared.current();
        let ok = self.rules_error.is_none()
            && self.busy.iter().all(super::busy::Busy::ok)
            && self.write_error.is_none()
            && self.source_status.error.is_none()
            && self.cycle_error.is_none()
            && self.last_cycle.is_some();
        let status = if ok {
            "ok"
        } else if self.last_cycle.is_none() && served.feed.is_none() {
            "starting"
        } else {
            "degraded"
        };
        let health = Health {
            status,
            feed: FeedHealth {
                served: served.feed.is_some(),
                etag: served.feed.as_ref().map(|f| f.etag.as_str()),
                last_modified: served
                    .feed
                    .as_ref()
                    .map(|f| httpdate::fmt_http_date(f.modified)),
            },
            last_cycle: self.last_cycle.as_ref(),
            cycle_error: self.cycle_error.as_deref(),
            consecutive_failures: self.failures,
            write_error: self.write_error.as_deref(),
            source: SourceHealth {
                kind: self.source.kind(),
                name: self.source.name(),
                ok: self.source_status.error.is_none(),
                error: self.source_status.error.as_deref(),
                last_read: self.source_status.last_read,
            },
            busy: self.busy.iter().map(super::busy::Busy::health).collect(),
            rules: RulesHealth {
                file: self.config.rules.display().to_string(),
                ok: self.rules_error.is_none() && self.rules.is_some(),
                in_force: self.rules.is_some(),
                error: self.rules_error.as_deref(),
            },
        };
        let body = serde_json::to_vec_pretty(&health).unwrap_or_default();
        self.shared
            .set_health(Bytes::from(body), served.feed.is_some());
    }
}

#[derive(Serialize)]
struct Health<'a> {
    status: &'static str,
    feed: FeedHealth<'a>,
    last_cycle: Option<&'a CycleReport>,
    cycle_error: Option<&'a str>,
    consecutive_failures: u32,
    /// Reserve mode: the last failure to write the 1:1 holds, if any.
    write_error: Option<&'a str>,
    source: SourceHealth<'a>,
    /// The busy calendars: each ok, or stale (its last good events in use) with why.
    busy: Vec<super::busy::BusyHealth<'a>>,
    rules: RulesHealth<'a>,
}

#[derive(Serialize)]
struct FeedHealth<'a> {
    served: bool,
    etag: Option<&'a str>,
    last_modified: Option<String>,
}

#[derive(Serialize)]
struct SourceHealth<'a> {
    kind: &'static str,
    name: String,
    ok: bool,
    error: Option<&'a str>,
    last_read: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
struct RulesHealth<'a> {
    file: String,
    ok: bool,
    /// Whether some good rules are in force (the last good ones when `error` is set).
    in_force: bool,
    error: Option<&'a str>,
}
