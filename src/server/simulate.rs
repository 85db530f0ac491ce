//! What a rules edit would change, on the calendar and plan the daemon holds: the desk's
//! Rules page previews with it, and `POST /api/simulate` (the edited rules as the body,
//! the feed token as bearer) answers `timeward simulate` while the daemon runs.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header::CONTENT_TYPE, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{not_found_response, Bearer, Shared};
use crate::rules::Rules;
use crate::whatif::Difference;

/// The difference `new` would make now; `None` before the first cycle.
pub fn difference(shared: &Shared, new: &Rules) -> Option<Difference> {
    let (snapshot, current) = shared.current().calendar.clone()?;
    let previous = (shared.lookup)(None)
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .and_then(|t| crate::decide::previous_reservations(&t).ok())
        .unwrap_or_default();
    let (before, after) = crate::whatif::plans(
        &snapshot,
        &current,
        new,
        &previous,
        chrono::Utc::now(),
        crate::cores(),
    );
    Some(crate::whatif::difference(&before, &after))
}

/// `POST /api/simulate`: 200 with the difference as JSON; 422 with every error of the
/// rules (file:line:col and the fix) as text; 503 before the first cycle.
pub(super) async fn simulate(
    method: Method,
    _: Bearer,
    State(shared): State<Shared>,
    body: Bytes,
) -> Response {
    if method != Method::POST {
        return not_found_response();
    }
    let text = String::from_utf8_lossy(&body).replace("\r\n", "\n");
    let new = match Rules::parse(&text, "NEW") {
        Ok(r) => r,
        Err(e) => return (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).into_response(),
    };
    let worked = tokio::task::spawn_blocking(move || difference(&shared, &new)).await;
    match worked {
        Ok(Some(diff)) => {
            let mut r = diff.to_json().into_response();
            r.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            r
        }
        Ok(None) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "no cycle has finished yet: nothing to compare with",
        )
            .into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the simulation failed (a bug)",
        )
            .into_response(),
    }
}
