//! Asking the running daemon through its API (the feed token as bearer, the address it
//! recorded in the state directory): for commands that need what it holds while it holds
//! the store.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;

use crate::config::Config;

/// `method path` with `body`; the status and the body, or why the daemon could not be asked.
pub fn request(
    config: &Config,
    method: hyper::Method,
    path: &str,
    body: Bytes,
) -> Result<(hyper::StatusCode, Bytes), String> {
    let token = match &config.feed_token {
        Some(t) => t.clone(),
        None => std::fs::read_to_string(config.state_dir.join("feed_token"))
            .map_err(|e| format!("{}: {e}", config.state_dir.join("feed_token").display()))?
            .trim()
            .to_string(),
    };
    let mut addr = crate::state_dir::StateDir::at(&config.state_dir)
        .address()
        .unwrap_or(config.listen);
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let url = format!("http://{addr}{path}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http::<Full<Bytes>>();
        let req = hyper::Request::builder()
            .method(method)
            .uri(url.as_str())
            .header("authorization", format!("Bearer {token}"))
            .body(Full::new(body))
            .map_err(|e| e.to_string())?;
        let resp = tokio::time::timeout(std::time::Duration::from_secs(30), client.request(req))
            .await
            .map_err(|_| format!("{url}: no answer within 30s"))?
            .map_err(|e| format!("http://{addr}: {e}"))?;
        let status = resp.status();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, body))
    })
}
