//! The `[source]` table of a Google source: the calendar, the mode, and how to sign in.

use std::path::PathBuf;

use super::{err, redact_url, ConfigError, Google, GoogleAuth, RawSource};

pub(super) fn google(s: RawSource, origin: &str) -> Result<Google, ConfigError> {
    let mode = s.mode.as_deref().unwrap_or("suggest");
    let reserve = match mode {
        "suggest" | "publish" => false,
        "reserve" => true,
        other => {
            return Err(err(
                origin,
                "source.mode",
                format!("unknown mode {other:?}"),
                "mode is \"suggest\" (never writes), \"publish\" (writes only the \
                 publish_calendar) or \"reserve\" (writes the 1:1 holds, and the \
                 publish_calendar if named)",
            ))
        }
    };
    let publish = s
        .publish_calendar
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string);
    match (mode, &publish) {
        ("suggest", Some(_)) => return Err(err(
            origin,
            "source.publish_calendar",
            "mode = \"suggest\" never writes to Google, and publishing writes to that calendar",
            "set mode = \"publish\" (writes only that calendar) or leave publish_calendar empty",
        )),
        ("publish", None) => {
            return Err(err(
                origin,
                "source.publish_calendar",
                "mode = \"publish\" needs the calendar to publish to",
                "add publish_calendar = \"ID\" (a secondary calendar the assistant is shared on)",
            ))
        }
        _ => {}
    }
    let auth = match s.auth.as_deref().unwrap_or("installed") {
        "service_account" => GoogleAuth::ServiceAccount {
            key: s
                .service_account_key
                .filter(|k| !k.trim().is_empty())
                .map(PathBuf::from)
                .ok_or_else(|| {
                    err(
                        origin,
                        "source.service_account_key",
                        "auth = \"service_account\" needs the key file",
                        "add service_account_key = \"key.json\" (the JSON key Google gave for the service account)",
                    )
                })?,
            subject: s.subject.filter(|x| !x.trim().is_empty()),
        },
        "installed" => GoogleAuth::Installed {
            client_secret: s
                .client_secret
                .filter(|k| !k.trim().is_empty())
                .map(PathBuf::from)
                .ok_or_else(|| {
                    err(
                        origin,
                        "source.client_secret",
                        "auth = \"installed\" needs the OAuth client file",
                        "add client_secret = \"client_secret.json\" (a Desktop OAuth client from the Google Cloud console), then run timeward auth google",
                    )
                })?,
        },
        other => {
            return Err(err(
                origin,
                "source.auth",
                format!("unknown auth {other:?}"),
                "auth is \"installed\" or \"service_account\"",
            ))
        }
    };
    let base = s.api_base_url.filter(|u| !u.trim().is_empty());
    if let Some(u) = &base {
        if !(u.starts_with("http://") || u.starts_with("https://")) {
            return Err(err(
                origin,
                "source.api_base_url",
                format!("{} is not an http(s) URL", redact_url(u)),
                "write api_base_url = \"https://www.googleapis.com/calendar/v3/\" or leave it out",
            ));
        }
    }
    Ok(Google {
        calendar_id: s
            .calendar_id
            .filter(|c| !c.trim().is_empty())
            .unwrap_or_else(|| "primary".into()),
        auth,
        reserve,
        publish_calendar: publish,
        api_base_url: base,
    })
}
