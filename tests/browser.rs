//! The desk in a real browser: Debian's Chromium driven over WebDriver (chromedriver,
//! through `fantoccini`), against the daemon on the demo calendar served by the fake
//! Google Calendar. Sign in through the log's link, see every pending request of the demo
//! with its verdict and reasons, approve one with a note: it shows as sent, the fake
//! received exactly one patch with the executive's new status and the note, and the
//! history shows the action. Without the session cookie, or without the CSRF token,
//! nothing is served or sent.
//!
//! Where Chromium or chromedriver is missing, the test says that it skipped (CI installs
//! both and sets `REQUIRE_BROWSER=1`, which turns the skip into a failure).
//! `SCREENSHOT=path.png` keeps a picture of the Waiting page (the README's).

mod support;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{TimeDelta, TimeZone, Utc};
use fantoccini::{ClientBuilder, Locator};
use serde_json::{json, Map, Value};
use support::daemon::{request_with_body, Daemon, TempDir};
use support::fake_google::Fake;
use timeward::calendar::{Event, EventTime, Length, PartStat, Status};

const CHROMIUM: &str = "/usr/bin/chromium";
const DRIVER: &str = "/usr/bin/chromedriver";

fn browser_missing() -> bool {
    let missing = !Path::new(CHROMIUM).exists() || !Path::new(DRIVER).exists();
    if missing {
        assert!(
            std::env::var_os("REQUIRE_BROWSER").is_none(),
            "REQUIRE_BROWSER is set but {CHROMIUM} or {DRIVER} is missing"
        );
        eprintln!(
            "SKIPPED: the browser test needs Debian's chromium and chromium-driver \
             ({CHROMIUM}, {DRIVER}); `apt-get install chromium chromium-driver` (.ci/run does)"
        );
    }
    missing
}

struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(DRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let until = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < until, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver { child, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A demo event as Google's API returns it.
fn google_json(e: &Event, n: usize) -> Value {
    let instant = |t: &EventTime| match *t {
        EventTime::Utc(n) => json!({ "dateTime": n.and_utc().to_rfc3339() }),
        EventTime::Zoned(n, tz) => {
            let at = tz.from_local_datetime(&n).earliest().expect("a local time");
            json!({ "dateTime": at.to_rfc3339(), "timeZone": tz.name() })
        }
        EventTime::Floating(n) => json!({ "dateTime": n.and_utc().to_rfc3339() }),
        EventTime::Date(d) => json!({ "date": d.to_string() }),
    };
    let end = match (e.start, e.length) {
        (EventTime::Date(d), Length::Days(k)) => EventTime::Date(d + TimeDelta::days(k)),
        (EventTime::Zoned(n, tz), Length::Exact(l)) => EventTime::Zoned(n + l, tz),
        (EventTime::Utc(n), Length::Exact(l)) => EventTime::Utc(n + l),
        (EventTime::Floating(n), Length::Exact(l)) => EventTime::Floating(n + l),
        (t, _) => t,
    };
    let status = |p: PartStat| match p {
        PartStat::Accepted => "accepted",
        PartStat::Declined => "declined",
        PartStat::Tentative => "tentative",
        _ => "needsAction",
    };
    let mut v = Map::new();
    v.insert("id".into(), json!(format!("demo{n}")));
    v.insert(
        "status".into(),
        json!(if e.status == Status::Cancelled {
            "cancelled"
        } else {
            "confirmed"
        }),
    );
    v.insert("summary".into(), json!(e.title));
    v.insert("description".into(), json!(e.description));
    v.insert("start".into(), instant(&e.start));
    v.insert("end".into(), instant(&end));
    if let Some(o) = &e.organizer {
        v.insert("organizer".into(), json!({ "email": o }));
    }
    let attendees: Vec<Value> = e
        .attendees
        .iter()
        .map(|a| {
            json!({
                "email": a.email,
                "responseStatus": status(a.partstat),
                "self": a.email == "dana@acme.example",
            })
        })
        .collect();
    v.insert("attendees".into(), json!(attendees));
    if let Some(r) = &e.recurrence {
        let rules: Vec<String> = r.rrules.iter().map(|x| format!("RRULE:{x}")).collect();
        v.insert("recurrence".into(), json!(rules));
    }
    if e.transparent {
        v.insert("transparency".into(), json!("transparent"));
    }
    if e.private {
        v.insert("visibility".into(), json!("private"));
    }
    Value::Object(v)
}

fn config(dir: &Path, fake: &Fake) {
    let key = fake.service_account_key(dir);
    // A copy of the example rules: the Rules page writes to it.
    let rules = dir.join("rules.toml");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("config/rules.example.toml"),
        &rules,
    )
    .expect("copy the rules");
    std::fs::write(
        dir.join("timeward.toml"),
        format!(
            "rules = {rules:?}\nstate_dir = {:?}\nlisten = \"127.0.0.1:0\"\npoll_interval = \"1s\"\n\n\
             [actions]\nrespond = true\n\n[source]\nkind = \"google\"\nauth = \"service_account\"\n\
             service_account_key = {key:?}\nsubject = \"dana@acme.example\"\napi_base_url = {:?}\n",
            dir.join("state"),
            fake.base
        ),
    )
    .expect("config");
}

fn chrome_options(profile: &Path) -> fantoccini::wd::Capabilities {
    let mut caps = Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1100,1400",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    caps
}

/// Puts `text` in the Rules page's editor (as typing it would) and clicks `button`; the
/// page's main text after.
async fn submit_rules(
    browser: &fantoccini::Client,
    text: &str,
    button: &str,
    answer: &str,
) -> String {
    browser.goto_rules_if_needed().await;
    browser
        .execute(
            "document.querySelector('textarea[name=text]').value = arguments[0];",
            vec![json!(text)],
        )
        .await
        .expect("set the editor");
    browser
        .find(Locator::Css(&format!("button[value={button}]")))
        .await
        .expect("the button")
        .click()
        .await
        .expect("click");
    // The answer page, not the one the click left.
    arrive(browser, answer).await;
    main_text(browser).await
}

/// Waits until the page shows `css` (after a click that loads a new page).
async fn arrive(browser: &fantoccini::Client, css: &str) {
    browser
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css} on the page: {e}"));
}

/// Clicks what `locator` finds (`what` names it in a failure).
async fn click(browser: &fantoccini::Client, locator: Locator<'_>, what: &str) {
    browser
        .find(locator)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {what}: {e}"));
}

async fn main_text(browser: &fantoccini::Client) -> String {
    browser
        .find(Locator::Css("main"))
        .await
        .expect("main")
        .text()
        .await
        .expect("text")
}

trait RulesPage {
    async fn goto_rules_if_needed(&self);
}

impl RulesPage for fantoccini::Client {
    async fn goto_rules_if_needed(&self) {
        let url = self.current_url().await.expect("url");
        if url.path() != "/desk/rules" {
            let rules = url.join("/desk/rules").expect("the Rules page");
            self.goto(rules.as_str()).await.expect("open Rules");
        }
    }
}

/// The Rules page: a preview shows the difference; a save with an error shows it at its
/// line and changes nothing; a good save reaches the feed through the hot reload.
async fn rules_page(browser: &fantoccini::Client, d: &Daemon, file: &Path) {
    let original = std::fs::read_to_string(file).expect("the rules");
    browser.goto_rules_if_needed().await;
    let shown = browser
        .find(Locator::Css("textarea[name=text]"))
        .await
        .expect("the editor")
        .prop("value")
        .await
        .expect("its value")
        .unwrap_or_default();
    assert_eq!(shown, original, "the editor holds the file");

    // Lower the accept threshold: the grey-zone requests at 50 or more become accepts.
    assert!(original.contains("accept = 70"));
    let edited = original.replace("accept = 70", "accept = 45");
    let plan: Value = serde_json::from_slice(&d.api("/api/decisions").body).expect("JSON");
    let crossing: Vec<String> = plan["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .filter(|x| x["verdict"] == "delegate" && x["score"].as_i64() >= Some(45))
        .filter(|x| x["delegate_to"] == "sam@acme.example")
        .map(|x| x["title"].as_str().expect("title").to_string())
        .collect();
    assert!(
        !crossing.is_empty(),
        "the demo has grey-zone requests: {plan}"
    );
    let preview = submit_rules(browser, &edited, "preview", "pre.diff").await;
    assert!(preview.contains("suggestion(s) change"), "{preview}");
    for t in &crossing {
        assert!(
            preview.contains(t.as_str()),
            "{t} not in the preview: {preview}"
        );
    }
    assert!(preview.contains("→ accept"), "{preview}");
    assert_eq!(
        std::fs::read_to_string(file).expect("rules"),
        original,
        "a preview writes nothing"
    );

    // A typo: shown at its line, nothing saved.
    let typo = edited.replace("accept = 45", "acept = 45");
    let page = submit_rules(browser, &typo, "save", "ol.listing").await;
    assert!(page.contains("error(s): nothing was saved"), "{page}");
    let err = browser
        .find(Locator::Css("ol.listing li.err"))
        .await
        .expect("the line with the error")
        .text()
        .await
        .expect("text");
    assert!(
        err.contains("acept = 45") && err.contains("did you mean \"accept\""),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(file).expect("rules"),
        original,
        "nothing saved"
    );

    // The good edit: saved, the old file kept beside it, and the hot reload takes it up.
    let page = submit_rules(browser, &edited, "save", "p.saved").await;
    assert!(page.contains("Saved."), "{page}");
    assert_eq!(std::fs::read_to_string(file).expect("rules"), edited);
    let mut previous = file.as_os_str().to_owned();
    previous.push(".previous");
    assert_eq!(
        std::fs::read_to_string(previous).expect("the previous file"),
        original
    );
    let first = crossing[0].clone();
    d.wait_for("the edit to reach the feed", |d| {
        d.feed().text().contains(&format!("Accept · {first}"))
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_in_a_real_browser() {
    if browser_missing() {
        return;
    }
    let fake = Fake::start();
    let demo = timeward::source::demo::snapshot(Utc::now());
    for (n, e) in demo.events.iter().enumerate() {
        fake.put(google_json(e, n));
    }
    let dir = TempDir::new("browser");
    config(dir.path(), &fake);
    let d = Daemon::start(dir.path());
    d.wait_ready();
    let plan: Value = serde_json::from_slice(&d.api("/api/decisions").body).expect("JSON");
    let decisions = plan["decisions"].as_array().expect("decisions").clone();
    assert!(decisions.len() >= 3, "the demo has requests: {plan}");
    let link = d
        .log_text()
        .split_whitespace()
        .find_map(|w| w.strip_prefix("desk=").map(str::to_string))
        .expect("the desk link in the log");

    let driver = Driver::start();
    let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(chrome_options(&dir.path().join("chromium")))
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a browser session");

    // Sign in through the log's link: the Waiting page, every pending request on it.
    browser.goto(&link).await.expect("open the link");
    let url = browser.current_url().await.expect("url");
    assert_eq!(url.path(), "/desk", "the link signs in and goes to Waiting");
    let cards = browser
        .find_all(Locator::Css("article.card"))
        .await
        .expect("cards");
    assert_eq!(cards.len(), decisions.len(), "one card per pending request");
    let mut texts = Vec::new();
    for c in &cards {
        texts.push(c.text().await.expect("card text"));
    }
    for dec in &decisions {
        let title = dec["title"].as_str().expect("title");
        let card = texts
            .iter()
            .find(|t| t.contains(title))
            .unwrap_or_else(|| panic!("{title:?} is not on the Waiting page: {texts:#?}"));
        assert!(
            card.contains(dec["verdict"].as_str().expect("verdict")),
            "{card}"
        );
        for r in dec["reasons"].as_array().expect("reasons") {
            let detail = r["detail"].as_str().expect("detail");
            assert!(card.contains(detail), "{detail:?} not in {card}");
        }
    }
    if let Some(path) = std::env::var_os("SCREENSHOT") {
        let png = browser.screenshot().await.expect("a screenshot");
        std::fs::write(&path, png).expect("write the screenshot");
    }

    // Approve one accept, with a note.
    let chosen = decisions
        .iter()
        .find(|d| d["verdict"] == "accept")
        .expect("an accept in the demo");
    let id = chosen["id"].as_str().expect("id").to_string();
    let title = chosen["title"].as_str().expect("title");
    click(&browser, Locator::LinkText(title), "the request's link").await;
    arrive(&browser, "form.approve").await;
    assert_eq!(fake.count("patch"), 0, "nothing is sent before the click");
    browser
        .find(Locator::Css("form.approve textarea[name=note]"))
        .await
        .expect("the note")
        .send_keys("Looking forward to it")
        .await
        .expect("type the note");
    click(
        &browser,
        Locator::Css("form.approve button[type=submit]"),
        "Approve",
    )
    .await;
    arrive(&browser, "a[href^='/desk/decision/']").await;
    let body = main_text(&browser).await;
    assert!(body.contains("sent: answered accepted"), "{body}");
    assert_eq!(fake.count("patch"), 1, "exactly one patch");
    let me = fake.event(&id).expect("the event")["attendees"]
        .as_array()
        .expect("attendees")
        .iter()
        .find(|a| a["email"] == "dana@acme.example")
        .cloned()
        .expect("the executive");
    assert_eq!(me["responseStatus"], "accepted");
    assert_eq!(me["comment"], "Looking forward to it");

    // The history shows the action.
    click(&browser, Locator::LinkText("Back to the request"), "back").await;
    arrive(&browser, "main h2").await;
    let page = main_text(&browser).await;
    assert!(page.contains("On record"), "{page}");
    assert!(
        page.contains("accepted · suggested accept · sent"),
        "{page}"
    );
    assert!(page.contains("Note: Looking forward to it"), "{page}");

    rules_page(&browser, &d, &dir.path().join("rules.toml")).await;

    // A POST without the CSRF token, with the browser's own session: refused.
    let cookie = browser
        .get_named_cookie("timeward_session")
        .await
        .expect("the session cookie");
    assert!(cookie.http_only().unwrap_or(false), "HttpOnly");
    let pair = format!("timeward_session={}", cookie.value());
    let r = request_with_body(
        &d.addr,
        "POST",
        "/desk/act",
        &[
            ("Cookie", &pair),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        format!("key={}&id={id}&choice=approve", "b".repeat(64)).as_bytes(),
    );
    assert_eq!(r.status, 403);
    // Without the cookie: the uniform empty 404, in the browser too.
    browser
        .delete_all_cookies()
        .await
        .expect("forget the session");
    browser
        .goto(&format!("http://{}/desk", d.addr))
        .await
        .expect("open /desk");
    let source = browser.source().await.expect("source");
    assert!(!source.contains("Waiting"), "{source}");
    assert!(!source.contains(title), "{source}");
    assert_eq!(fake.count("patch"), 1, "still one patch");

    browser.close().await.expect("close the browser");
    let (status, _) = d.stop(Duration::from_secs(10));
    assert!(status.success());
}
