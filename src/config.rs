//! The daemon's configuration: `config/timeward.toml` (or `--config FILE`)
//! layered under `TIMEWARD_*` environment variables, read raw with the `config` crate and
//! then validated into [`Config`]. Part of the shell. A bad value fails at start with the
//! key, what is wrong and what to write instead.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// The configuration as written, before validation. Unknown keys are errors, so that a
/// typo does not silently fall back to a default.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default = "default_rules")]
    rules: String,
    #[serde(default = "default_state_dir")]
    state_dir: String,
    #[serde(default = "default_listen")]
    listen: String,
    #[serde(default = "default_poll")]
    poll_interval: String,
    #[serde(default)]
    feed_token: String,
    #[serde(default = "default_desk_session")]
    desk_session: String,
    #[serde(default)]
    source: RawSource,
    #[serde(default)]
    actions: RawActions,
    /// Calendars that only contribute busy time.
    busy_calendars: Option<busy::RawList>,
    #[serde(default = "default_busy_max_age")]
    busy_max_age: String,
    #[serde(default)]
    incremental: bool,
}

/// `[actions]`: what the desk may do on the executive's behalf. All off by default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawActions {
    /// Send the executive's answer to an invitation when the assistant clicks for it.
    #[serde(default)]
    respond: bool,
    /// How answers to invitations from an .ics source are mailed.
    smtp: Option<smtp::RawSmtp>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    #[serde(default)]
    kind: String,
    url: Option<String>,
    path: Option<String>,
    // The Google source's keys.
    calendar_id: Option<String>,
    mode: Option<String>,
    auth: Option<String>,
    client_secret: Option<String>,
    service_account_key: Option<String>,
    subject: Option<String>,
    api_base_url: Option<String>,
    publish_calendar: Option<String>,
}

fn default_rules() -> String {
    "config/rules.toml".into()
}
fn default_state_dir() -> String {
    "state".into()
}
fn default_listen() -> String {
    "127.0.0.1:8765".into()
}
fn default_busy_max_age() -> String {
    "1d".into()
}

fn default_desk_session() -> String {
    "12h".into()
}

fn default_poll() -> String {
    "1m".into()
}

/// Where the calendar comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The bundled demo calendar, moved to the current week.
    Demo,
    /// An .ics file, re-read when its modification time changes.
    File(PathBuf),
    /// An .ics URL, fetched with a conditional GET (ETag / Last-Modified).
    Url(String),
    /// A Google calendar, kept in sync with Google's incremental sync.
    Google(Google),
}

/// The Google source's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Google {
    pub calendar_id: String,
    pub auth: GoogleAuth,
    /// `mode = "reserve"`: write the 1:1 holds into the calendar. Off by default.
    pub reserve: bool,
    /// A secondary calendar to mirror the suggestions into (`mode = "publish"`, or
    /// `"reserve"`; `"suggest"` refuses it, since it never writes).
    pub publish_calendar: Option<String>,
    /// `None`: Google's own.
    pub api_base_url: Option<String>,
}

/// How timeward signs in to Google.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoogleAuth {
    /// A Workspace service account: its key file (whose `token_uri` gives the tokens) and
    /// the user to act as (domain-wide delegation), usually the executive.
    ServiceAccount {
        key: PathBuf,
        subject: Option<String>,
    },
    /// The installed-app sign-in: the OAuth client file from Google; the token is kept
    /// in the state directory by `timeward auth google`.
    Installed { client_secret: PathBuf },
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub rules: PathBuf,
    pub state_dir: PathBuf,
    pub listen: SocketAddr,
    pub poll_interval: Duration,
    /// `None`: generated once and kept in the state directory.
    pub feed_token: Option<String>,
    /// How long a sign-in to the desk lasts.
    pub desk_session: Duration,
    /// `[actions] respond`: the desk may send the executive's answer to an invitation
    /// (each time the assistant clicks for it; never by itself). Off by default.
    pub respond: bool,
    /// `[actions.smtp]`: where answers to invitations read from an .ics file or URL are
    /// mailed (iMIP). `None`: the desk offers each answer as a download instead.
    pub smtp: Option<Smtp>,
    pub source: Source,
    /// `busy_calendars`: calendars that only contribute busy time.
    pub busy: Vec<BusyCalendar>,
    /// `busy_max_age`: how long a failing busy calendar's last events are trusted.
    pub busy_max_age: Duration,
    /// `incremental`: keep the last read's events and the last feed's text between cycles,
    /// so that a change re-reads and re-writes only what changed (less CPU per change,
    /// about 10 MiB more resident with 10 000 events). Off by default.
    pub incremental: bool,
}

/// A configuration that cannot be used: the key, what is wrong, and the fix.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {key}: {message}\n    fix: {fix}")]
pub struct ConfigError {
    pub origin: String,
    pub key: String,
    pub message: String,
    pub fix: String,
}

fn err(origin: &str, key: &str, message: impl Into<String>, fix: impl Into<String>) -> ConfigError {
    ConfigError {
        origin: origin.to_string(),
        key: key.to_string(),
        message: message.into(),
        fix: fix.into(),
    }
}

/// The shipped default file when none is named; a named file must exist.
pub const DEFAULT_FILE: &str = "config/timeward.toml";

/// [`load`] of `file`, or of [`DEFAULT_FILE`] if it exists when no file is named.
pub fn load_default(
    file: Option<&Path>,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Config, ConfigError> {
    match file {
        Some(f) => load(f, true, env),
        None => load(Path::new(DEFAULT_FILE), false, env),
    }
}

/// Reads `file` (which must exist when `required`) under the `TIMEWARD_*` variables of
/// `env`, and validates the result.
pub fn load(
    file: &Path,
    required: bool,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Config, ConfigError> {
    let origin = file.display().to_string();
    if required && !file.is_file() {
        return Err(err(
            &origin,
            "--config",
            "the file does not exist",
            "give the path of a timeward.toml (config/timeward.toml is the commented example)",
        ));
    }
    let mut credentials = None;
    let vars: std::collections::HashMap<String, String> = env
        .into_iter()
        .filter(|(k, v)| {
            if k == "CREDENTIALS_DIRECTORY" {
                credentials = Some(PathBuf::from(v));
            }
            k.starts_with("TIMEWARD_")
        })
        .collect();
    let raw: Raw = config::Config::builder()
        .add_source(
            config::File::from(file)
                .format(config::FileFormat::Toml)
                .required(required),
        )
        .add_source(
            config::Environment::with_prefix("TIMEWARD")
                .prefix_separator("_")
                .separator("__")
                .source(Some(vars.clone())),
        )
        .build()
        .and_then(config::Config::try_deserialize)
        .map_err(|e| {
            err(
                &origin,
                "",
                e.to_string(),
                "compare with config/timeward.toml; the keys are rules, state_dir, listen, \
                 poll_interval, feed_token, incremental and [source] (kind, path, url, …)",
            )
        })?;
    let raw = with_credentials(raw, credentials.as_deref());
    validate(raw, &origin, credentials.as_deref()).map_err(|mut e| {
        // A value set in the environment is blamed on its variable, not on the file.
        let var = format!("TIMEWARD_{}", e.key.to_uppercase().replace('.', "__"));
        if vars.contains_key(&var) {
            e.origin = format!("the environment variable {var}");
        } else if !file.is_file() {
            e.origin = format!("the defaults ({origin} does not exist)");
        }
        e
    })
}

/// Whether no file was named and the default one is missing (then only the defaults and
/// the environment count; the daemon says so at start).
pub fn default_file_missing(file: Option<&Path>) -> bool {
    file.is_none() && !Path::new(DEFAULT_FILE).is_file()
}

/// systemd credentials (`LoadCredential=`): in `$CREDENTIALS_DIRECTORY`, a file
/// `feed_token` fills an empty `feed_token`, a file `source_url` fills the `url` of an
/// `ics` source that names neither a path nor a URL, and a file
/// `google_service_account_key` is the key of a `google` source that names none. Secrets then stay out of the config
/// file and the unit.
fn with_credentials(mut raw: Raw, dir: Option<&Path>) -> Raw {
    let Some(dir) = dir else { return raw };
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    if raw.feed_token.trim().is_empty() {
        if let Some(t) = read("feed_token") {
            raw.feed_token = t;
        }
    }
    if raw.source.kind == "ics" && raw.source.url.is_none() && raw.source.path.is_none() {
        raw.source.url = read("source_url");
    }
    // A Google service account's key: the credential's file itself (it is JSON).
    let key = dir.join("google_service_account_key");
    if raw.source.kind == "google"
        && raw
            .source
            .service_account_key
            .as_deref()
            .is_none_or(|k| k.trim().is_empty())
        && key.is_file()
    {
        raw.source.service_account_key = Some(key.display().to_string());
    }
    raw
}

/// A duration of at least `min` (said as `min_said`), or the error for `key` with `fix`.
fn duration(
    (origin, key): (&str, &str),
    value: &str,
    (min, min_said): (Duration, &str),
    fix: &str,
) -> Result<Duration, ConfigError> {
    crate::rules::values::parse_duration(value)
        .ok()
        .and_then(|d| d.to_std().ok())
        .filter(|d| *d >= min)
        .ok_or_else(|| {
            err(
                origin,
                key,
                format!("{value:?} is not a duration of at least {min_said}"),
                fix,
            )
        })
}

fn validate(raw: Raw, origin: &str, credentials: Option<&Path>) -> Result<Config, ConfigError> {
    let listen: SocketAddr = raw.listen.parse().map_err(|_| {
        err(
            origin,
            "listen",
            format!("{:?} is not an address and port", raw.listen),
            "write listen = \"127.0.0.1:8765\" (port 0 picks a free port)",
        )
    })?;
    let poll = duration(
        (origin, "poll_interval"),
        &raw.poll_interval,
        (Duration::from_secs(1), "1s"),
        "write poll_interval = \"1m\" (or \"30s\", \"5m\")",
    )?;
    let token = raw.feed_token.trim().to_string();
    if !token.is_empty()
        && (token.len() < 22
            || !token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    {
        return Err(err(
            origin,
            "feed_token",
            "must be at least 22 letters, digits, '-' or '_' (128 bits): it is the feed's only lock",
            "leave feed_token = \"\" and timeward generates one and keeps it in state_dir",
        ));
    }
    if raw.rules.trim().is_empty() {
        return Err(err(
            origin,
            "rules",
            "is empty",
            "write rules = \"config/rules.toml\"",
        ));
    }
    if raw.state_dir.trim().is_empty() {
        return Err(err(
            origin,
            "state_dir",
            "is empty",
            "write state_dir = \"state\"",
        ));
    }
    let source = source(raw.source, origin)?;
    let desk_session = duration(
        (origin, "desk_session"),
        &raw.desk_session,
        (Duration::from_secs(60), "1m"),
        "write desk_session = \"12h\" (or \"30m\", \"7d\")",
    )?;
    let smtp = smtp::smtp(raw.actions.smtp, credentials, origin)?;
    let (busy, busy_max_age) = busy::busy(raw.busy_calendars, &raw.busy_max_age, &source, origin)?;
    Ok(Config {
        busy,
        busy_max_age,
        incremental: raw.incremental,
        respond: raw.actions.respond,
        smtp,
        desk_session,
        rules: PathBuf::from(raw.rules),
        state_dir: PathBuf::from(raw.state_dir),
        listen,
        poll_interval: poll,
        feed_token: (!token.is_empty()).then_some(token),
        source,
    })
}

/// The `[source]` table: the demo, an .ics file or URL, or Google.
fn source(s: RawSource, origin: &str) -> Result<Source, ConfigError> {
    Ok(match s.kind.as_str() {
        "" | "demo" => Source::Demo,
        "ics" => {
            match (s.path, s.url) {
                (Some(p), None) if !p.trim().is_empty() => Source::File(PathBuf::from(p)),
                (None, Some(u)) if u.starts_with("http://") || u.starts_with("https://") => {
                    Source::Url(u)
                }
                (None, Some(u)) => return Err(err(
                    origin,
                    "source.url",
                    format!("{} is not an http(s) URL", redact_url(&u)),
                    "write url = \"https://…/basic.ics\", or path = \"calendar.ics\" for a file",
                )),
                (Some(_), Some(_)) => {
                    return Err(err(
                        origin,
                        "source",
                        "has both path and url",
                        "keep one: path = \"calendar.ics\" or url = \"https://…/basic.ics\"",
                    ))
                }
                _ => {
                    return Err(err(
                        origin,
                        "source",
                        "kind = \"ics\" needs a path or a url",
                        "add path = \"calendar.ics\" or url = \"https://…/basic.ics\"",
                    ))
                }
            }
        }
        "google" => Source::Google(google::google(s, origin)?),
        other => {
            let near = ["demo", "ics", "google"]
                .into_iter()
                .find(|k| strsim::levenshtein(k, other) <= 2)
                .map(|k| format!("did you mean \"{k}\"? "))
                .unwrap_or_default();
            return Err(err(
                origin,
                "source.kind",
                format!("unknown kind {other:?}"),
                format!("{near}kind is one of \"demo\", \"ics\", \"google\""),
            ));
        }
    })
}

/// A URL with only its scheme and host: calendar addresses carry secrets in their path
/// ("secret address in iCal format"), which must not reach logs or `/healthz`.
pub fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = host.rsplit('@').next().unwrap_or(host);
            format!("{scheme}://{host}/…")
        }
        None => "(not a URL)".into(),
    }
}

mod busy;
mod google;
mod smtp;

pub use busy::BusyCalendar;
pub use smtp::{Security, Smtp};

#[cfg(test)]
mod tests;
