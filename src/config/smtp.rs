//! `[actions.smtp]`: the mail server through which answers to invitations read from an
//! .ics file or URL go to their organisers (iMIP). The password comes from a file or the
//! systemd credential `smtp_password`, never from the configuration itself.

use std::path::Path;

use serde::Deserialize;

use super::{err, ConfigError};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSmtp {
    server: Option<String>,
    port: Option<u16>,
    security: Option<String>,
    username: Option<String>,
    password_file: Option<String>,
    from: Option<String>,
}

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS (port 587), refused if the server cannot.
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No TLS: only to a mail server on this machine.
    None,
}

/// The validated `[actions.smtp]` table.
#[derive(Clone, PartialEq, Eq)]
pub struct Smtp {
    pub server: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The From address; `None`: the executive's, from the rules.
    pub from: Option<String>,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp")
            .field("server", &self.server)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "(set)"))
            .field("from", &self.from)
            .finish()
    }
}

fn loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

pub(super) fn smtp(
    raw: Option<RawSmtp>,
    credentials: Option<&Path>,
    origin: &str,
) -> Result<Option<Smtp>, ConfigError> {
    let Some(raw) = raw else { return Ok(None) };
    let server = raw
        .server
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            err(
                origin,
                "actions.smtp.server",
                "[actions.smtp] needs the mail server's name",
                "add server = \"smtp.example.com\" (or remove [actions.smtp]: the desk then offers each answer as a download)",
            )
        })?;
    let security = match raw.security.as_deref().unwrap_or("starttls") {
        "starttls" => Security::StartTls,
        "tls" => Security::Tls,
        "none" if loopback(&server) => Security::None,
        "none" => {
            return Err(err(
                origin,
                "actions.smtp.security",
                format!("\"none\" sends mail (and the password) unprotected to {server}"),
                "use security = \"starttls\" (port 587) or \"tls\" (port 465); \"none\" is only for a mail server on this machine",
            ))
        }
        other => {
            return Err(err(
                origin,
                "actions.smtp.security",
                format!("unknown security {other:?}"),
                "security is \"starttls\" (port 587), \"tls\" (port 465) or \"none\" (a server on this machine only)",
            ))
        }
    };
    let port = raw.port.unwrap_or(match security {
        Security::StartTls => 587,
        Security::Tls => 465,
        Security::None => 25,
    });
    let password = password(raw.password_file.as_deref(), credentials, origin)?;
    let username = raw
        .username
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty());
    match (&username, &password) {
        (Some(_), None) => {
            return Err(err(
                origin,
                "actions.smtp.password_file",
                "a username is set but no password",
                "add password_file = \"/etc/timeward/smtp-password\", or LoadCredential=smtp_password:… in the unit",
            ))
        }
        (None, Some(_)) => {
            return Err(err(
                origin,
                "actions.smtp.username",
                "a password is given but no username",
                "add username = \"assistant@example.com\"",
            ))
        }
        _ => {}
    }
    let from = raw
        .from
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty());
    if let Some(f) = &from {
        if f.parse::<lettre::message::Mailbox>().is_err() {
            return Err(err(
                origin,
                "actions.smtp.from",
                format!("{f:?} is not a mail address"),
                "write from = \"dana@example.com\" or \"Dana Whitfield <dana@example.com>\" (or leave it out: the executive's address from the rules)",
            ));
        }
    }
    Ok(Some(Smtp {
        server,
        port,
        security,
        username,
        password,
        from,
    }))
}

/// From `password_file`, else the systemd credential `smtp_password`.
fn password(
    file: Option<&str>,
    credentials: Option<&Path>,
    origin: &str,
) -> Result<Option<String>, ConfigError> {
    match file.map(str::trim) {
        Some(file) if !file.is_empty() => read_secret(Path::new(file)).map(Some).map_err(|e| {
            err(
                origin,
                "actions.smtp.password_file",
                format!("{file}: cannot be read: {e}"),
                "give a file that holds only the password (mode 0600), or pass it as the systemd credential smtp_password",
            )
        }),
        _ => Ok(credentials
            .map(|d| d.join("smtp_password"))
            .filter(|p| p.is_file())
            .and_then(|p| read_secret(&p).ok())),
    }
}

fn read_secret(path: &Path) -> Result<String, std::io::Error> {
    let text = std::fs::read_to_string(path)?;
    let secret = text.trim_end_matches(['\r', '\n']).to_string();
    if secret.is_empty() {
        return Err(std::io::Error::other("the file is empty"));
    }
    Ok(secret)
}
