//! Signing in: a service account, or an installed-app sign-in whose token is kept in the
//! state directory (see [`super::token`]), and connecting a synced calendar with either.

use google_calendar3::api::Scope;
use std::time::Duration;

use chrono::{DateTime, Utc};
use google_calendar3::hyper_rustls::HttpsConnector;
use google_calendar3::hyper_util::client::legacy::connect::HttpConnector;

use super::client::{connector, hub, GoogleError};
use super::sync::GoogleCalendar;

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
            let store = super::token::TokenFile::open(token_file)?;
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
    if !path.is_file() {
        return Err(GoogleError::Other(format!(
            "{}: no such file\n    fix: download the JSON of a Desktop OAuth client from the \
             Google Cloud console and give its path",
            path.display()
        )));
    }
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
    let store = super::token::TokenFile::open(token_file)?;
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
