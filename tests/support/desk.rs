//! Signing in to the desk and sending its forms, as a browser would.

use super::daemon::{request, request_with_body, Daemon, Resp};

/// Signs in through the start-up log's desk link; the session cookie (`name=value`).
pub fn sign_in(d: &Daemon) -> String {
    let log = d.log_text();
    let url = log
        .split_whitespace()
        .find_map(|w| w.strip_prefix("desk=http://"))
        .expect("the desk link");
    let path = format!("/{}", url.split_once('/').expect("a path").1);
    let r = d.get(&path);
    assert_eq!(r.status, 303);
    r.header("set-cookie")
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_string()
}

/// The value of the form field `name` in a page.
pub fn field(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        + marker.len();
    page[at..].split('"').next().expect("value").to_string()
}

/// The decision page's CSRF token and one-time key, and the page.
pub fn form_of(d: &Daemon, cookie: &str, id: &str) -> (String, String, String) {
    let page = request(
        &d.addr,
        "GET",
        &format!("/desk/decision/{id}"),
        &[("Cookie", cookie)],
    );
    assert_eq!(page.status, 200, "{}", page.head);
    let text = page.text();
    (field(&text, "csrf"), field(&text, "key"), text)
}

/// POSTs a form to `/desk/act`.
pub fn post(d: &Daemon, cookie: &str, body: &str) -> Resp {
    request_with_body(
        &d.addr,
        "POST",
        "/desk/act",
        &[
            ("Cookie", cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body.as_bytes(),
    )
}
