//! The assistant's desk through the real daemon: signing in with the log's link, the
//! pages (every pending request with its verdict and reasons, one decision with its
//! history, the 1:1s, health), CSRF on forms, and the uniform 404 for anything without a
//! session. No private event's text on any page.

mod support;

use std::time::Duration;

use support::daemon::{request, request_with_body, setup, Daemon, Resp, TempDir, SECRETS};

/// The `desk=` link of the start-up log, as a path.
fn desk_link(d: &Daemon) -> String {
    let log = d.log_text();
    let url = log
        .split_whitespace()
        .find_map(|w| w.strip_prefix("desk=http://"))
        .expect("the desk link in the log");
    let (_, path) = url.split_once('/').expect("a path");
    format!("/{path}")
}

/// Signs in; the session cookie's `name=value`.
fn sign_in(d: &Daemon) -> (String, Resp) {
    let r = d.get(&desk_link(d));
    assert_eq!(r.status, 303, "{}", r.head);
    let cookie = r.header("set-cookie").expect("a session cookie");
    let pair = cookie.split(';').next().expect("name=value").to_string();
    (pair, r)
}

fn get_as(d: &Daemon, cookie: &str, path: &str) -> Resp {
    request(&d.addr, "GET", path, &[("Cookie", cookie)])
}

fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    page[at..].split('"').next().expect("its value").to_string()
}

fn post_form(d: &Daemon, cookie: &str, path: &str, body: &str) -> Resp {
    request_with_body(
        &d.addr,
        "POST",
        path,
        &[
            ("Cookie", cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body.as_bytes(),
    )
}

#[test]
fn without_a_session_the_desk_is_the_uniform_404() {
    let dir = TempDir::new("desk-404");
    setup(dir.path(), "1m");
    let d = Daemon::start(dir.path());
    d.wait_ready();
    let unknown = d.get("/no-such-page");
    assert_eq!(unknown.status, 404);
    let wrong = format!("/desk/login?token={}", "0".repeat(d.token.len()));
    let forged = "timeward_session=".to_string() + &"a".repeat(64);
    let probes = [
        d.get("/desk"),
        d.get("/desk/"),
        d.get("/desk/health"),
        d.get("/desk/one-on-ones"),
        d.get("/desk/decision/vendor%40acme.example"),
        d.get("/desk/login"),
        d.get(&wrong),
        d.get("/desk/login?token=%zz"),
        request(&d.addr, "GET", "/desk", &[("Cookie", &forged)]),
        post_form(&d, &forged, "/desk/logout", "csrf=x"),
        request(&d.addr, "DELETE", "/desk", &[]),
    ];
    for p in &probes {
        assert_eq!(p.status, 404, "{}", p.head);
        assert_eq!(
            p.without_date(),
            unknown.without_date(),
            "every 404 is the same"
        );
    }
    let (status, _) = d.stop(Duration::from_secs(10));
    assert!(status.success());
}

#[test]
fn the_log_link_signs_in_and_the_pages_show_every_pending_request() {
    let dir = TempDir::new("desk-pages");
    setup(dir.path(), "1m");
    let d = Daemon::start(dir.path());
    d.wait_ready();
    let (cookie, login) = sign_in(&d);
    let set = login.header("set-cookie").expect("cookie");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/desk", "Max-Age=43200"] {
        assert!(set.contains(attr), "{attr} in {set}");
    }
    assert!(!set.contains("Secure"), "plain http: {set}");
    assert_eq!(login.header("location").as_deref(), Some("/desk"));
    // Through a TLS proxy the cookie is Secure.
    let proxied = request(
        &d.addr,
        "GET",
        &desk_link(&d),
        &[("X-Forwarded-Proto", "https")],
    );
    assert!(proxied
        .header("set-cookie")
        .expect("cookie")
        .contains("; Secure"));

    let api: serde_json::Value =
        serde_json::from_slice(&d.api("/api/decisions").body).expect("plan");
    let decisions = api["decisions"].as_array().expect("decisions");
    assert!(decisions.len() >= 3, "{api}");
    let waiting = get_as(&d, &cookie, "/desk");
    assert_eq!(waiting.status, 200);
    assert_eq!(waiting.header("cache-control").as_deref(), Some("no-store"));
    let html = waiting.text();
    for dec in decisions {
        let title = dec["title"].as_str().expect("title");
        let escaped = title
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(html.contains(&escaped), "{title} on the Waiting page");
        assert!(html.contains(dec["verdict"].as_str().expect("verdict")));
        for r in dec["reasons"].as_array().expect("reasons") {
            let source = r["source"].as_str().expect("source");
            assert!(html.contains(source), "reason {source} shown");
        }
    }
    assert!(
        html.contains("a private event"),
        "the private request, by its public name"
    );

    // The filter keeps one verdict.
    let declines = get_as(&d, &cookie, "/desk?verdict=decline").text();
    for dec in decisions {
        let title = dec["title"].as_str().expect("title");
        if dec["verdict"] != "decline" && !title.contains('&') {
            assert!(
                !declines.contains(&format!("<strong>{title}</strong>")),
                "{title} filtered out"
            );
        }
    }

    // One decision, with its history.
    let id = decisions[0]["id"].as_str().expect("id");
    let path = format!("/desk/decision/{}", id.replace('@', "%40"));
    let one = get_as(&d, &cookie, &path);
    assert_eq!(one.status, 200, "{path}");
    assert!(one.text().contains("History"));
    assert!(one.text().contains("starting score"));

    // The day around a request: the private appointment the vendor pitch overlaps, unnamed.
    let vendor = get_as(&d, &cookie, "/desk/decision/vendor%40acme.example").text();
    assert!(vendor.contains("The day around it"), "{vendor}");
    assert!(
        vendor.contains("a private event <strong class=\"verdict decline\">overlaps</strong>"),
        "{vendor}"
    );

    // Nothing private on any page.
    let mut pages = vec![html, declines, one.text()];
    for p in [
        "/desk/one-on-ones",
        "/desk/health",
        "/desk/agenda",
        "/desk/rules",
    ] {
        let r = get_as(&d, &cookie, p);
        assert_eq!(r.status, 200, "{p}");
        pages.push(r.text());
    }
    for dec in decisions {
        let id = dec["id"].as_str().expect("id").replace('@', "%40");
        pages.push(get_as(&d, &cookie, &format!("/desk/decision/{id}")).text());
    }
    for page in &pages {
        for secret in SECRETS {
            let word = secret.split(' ').nth(1).unwrap_or(secret);
            assert!(
                !page.contains(secret) && !page.contains(word),
                "a page leaks {secret:?}"
            );
        }
    }
    let (status, _) = d.stop(Duration::from_secs(10));
    assert!(status.success());
}

#[test]
fn forms_need_the_csrf_token_and_a_session_survives_a_restart() {
    let dir = TempDir::new("desk-csrf");
    setup(dir.path(), "1m");
    let d = Daemon::start(dir.path());
    d.wait_ready();
    let (cookie, _) = sign_in(&d);
    let page = get_as(&d, &cookie, "/desk").text();
    let csrf = csrf_of(&page);
    assert_eq!(csrf.len(), 64);

    // Without the token, or with another, the POST is refused and nothing changes.
    for body in ["", "csrf=", &format!("csrf={}", "0".repeat(64))] {
        let r = post_form(&d, &cookie, "/desk/logout", body);
        assert_eq!(r.status, 403, "{body:?}: {}", r.head);
        assert_eq!(get_as(&d, &cookie, "/desk").status, 200, "still signed in");
    }

    // The session is in the store: a restart keeps it.
    let (status, _) = d.stop(Duration::from_secs(10));
    assert!(status.success());
    let d = Daemon::start(dir.path());
    d.wait_ready();
    assert_eq!(
        get_as(&d, &cookie, "/desk").status,
        200,
        "signed in after a restart"
    );

    // With it, signing out ends the session: the desk is a 404 again.
    let r = post_form(&d, &cookie, "/desk/logout", &format!("csrf={csrf}"));
    assert_eq!(r.status, 200, "{}", r.head);
    assert!(r
        .header("set-cookie")
        .expect("cleared")
        .contains("Max-Age=0"));
    assert_eq!(get_as(&d, &cookie, "/desk").status, 404);
    let (status, _) = d.stop(Duration::from_secs(10));
    assert!(status.success());
}
