//! Starting the real `timeward` binary as a daemon on 127.0.0.1 (port 0) in a temporary
//! directory, and talking HTTP/1.1 to it over a plain socket, so the tests see exactly the
//! bytes a calendar client sees.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, TimeDelta, Utc, Weekday};

/// A fresh directory under the system temp dir, removed at drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let n = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let p = std::env::temp_dir().join(format!("timeward-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The rules the daemon tests use: one goal whose weight a test can change.
pub fn rules(launch_weight: i64) -> String {
    format!(
        r#"[executive]
name = "Dana Reyes"
email = "dana@acme.example"
timezone = "America/New_York"
assistant = "sam@acme.example"
known_domains = ["acme.example"]

[[goals]]
name = "Launch"
weight = {launch_weight}
keywords = ["launch"]

[[delegates]]
email = "cos@acme.example"
name = "Chief of Staff"
topics = ["vendor"]
"#
    )
}

/// Titles and descriptions of private events: they must appear nowhere the daemon writes.
pub const SECRETS: [&str; 4] = [
    "SECRETTITLE merger talks",
    "SECRETDESC acquire Zeta",
    "SECRETBUSY oncologist",
    "SECRETBUSYDESC second opinion",
];

/// A weekday at least three days after `now`, at `hour`:00 UTC (morning in New York).
pub fn slot(now: DateTime<Utc>, nth: i64, hour: u32) -> DateTime<Utc> {
    let mut day = now.date_naive() + TimeDelta::days(3);
    let mut seen = 0;
    loop {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            if seen == nth {
                break;
            }
            seen += 1;
        }
        day += TimeDelta::days(1);
    }
    day.and_hms_opt(hour, 0, 0).expect("valid hour").and_utc()
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A calendar with requests a few days ahead of `now`: a launch meeting (its title can be
/// changed), a vendor pitch that clashes with a private appointment, a private request,
/// and `filler` busy events to make it heavier.
pub fn calendar(now: DateTime<Utc>, launch_title: &str, filler: usize) -> String {
    let mut s =
        String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//timeward tests//daemon//EN\r\n");
    let mut event = |uid: &str, start: DateTime<Utc>, mins: i64, extra: &str| {
        s.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:{}\r\nDTEND:{}\r\n{extra}END:VEVENT\r\n",
            stamp(start),
            stamp(start + TimeDelta::minutes(mins))
        ));
    };
    let request = |from: &str| {
        format!(
            "ORGANIZER:mailto:{from}\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:dana@acme.example\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:{from}\r\n"
        )
    };
    event(
        "launch@acme.example",
        slot(now, 0, 15),
        60,
        &format!("SUMMARY:{launch_title}\r\n{}", request("ana@acme.example")),
    );
    event(
        "vendor@acme.example",
        slot(now, 1, 15),
        60,
        &format!("SUMMARY:Vendor pitch\r\n{}", request("rep@vendor.example")),
    );
    event(
        "private-busy@acme.example",
        slot(now, 1, 15),
        60,
        &format!(
            "SUMMARY:{}\r\nDESCRIPTION:{}\r\nCLASS:PRIVATE\r\nORGANIZER:mailto:dana@acme.example\r\n",
            SECRETS[2], SECRETS[3]
        ),
    );
    event(
        "private-request@acme.example",
        slot(now, 2, 16),
        30,
        &format!(
            "SUMMARY:{}\r\nDESCRIPTION:{}\r\nCLASS:PRIVATE\r\n{}",
            SECRETS[0],
            SECRETS[1],
            request("ceo@other.example")
        ),
    );
    for i in 0..filler {
        let start = slot(now, 3 + (i as i64 % 15), 13 + (i % 8) as u32);
        event(
            &format!("filler-{i}@acme.example"),
            start,
            15,
            "SUMMARY:Standing item\r\nORGANIZER:mailto:dana@acme.example\r\n",
        );
    }
    s.push_str("END:VCALENDAR\r\n");
    s
}

/// Writes the rules, a calendar and a config (listen on port 0, poll every second).
pub fn setup(dir: &Path, poll: &str) {
    std::fs::write(dir.join("rules.toml"), rules(40)).expect("write rules");
    std::fs::write(
        dir.join("calendar.ics"),
        calendar(Utc::now(), "Launch planning", 0),
    )
    .expect("write calendar");
    std::fs::write(
        dir.join("timeward.toml"),
        format!(
            "rules = {:?}\nstate_dir = {:?}\nlisten = \"127.0.0.1:0\"\npoll_interval = {poll:?}\n\n[source]\nkind = \"ics\"\npath = {:?}\n",
            dir.join("rules.toml"),
            dir.join("state"),
            dir.join("calendar.ics")
        ),
    )
    .expect("write config");
}

/// A running daemon.
pub struct Daemon {
    pub child: Option<Child>,
    pub dir: PathBuf,
    pub addr: String,
    pub token: String,
    pub log: PathBuf,
}

/// One HTTP response as read off the socket.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// The response without its `date` header: what must not differ between two 404s.
    pub fn without_date(&self) -> String {
        let head: Vec<&str> = self
            .head
            .lines()
            .filter(|l| !l.to_ascii_lowercase().starts_with("date:"))
            .collect();
        format!("{}\n\n{}", head.join("\n"), self.text())
    }
}

/// Sends one request with `Connection: close` and reads the whole answer.
pub fn request(addr: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> Resp {
    request_with_body(addr, method, path, headers, b"")
}

/// [`request`] with a body (its `Content-Length` added).
pub fn request_with_body(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    let mut s = TcpStream::connect(addr).expect("connect to the daemon");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    s.write_all(&bytes).expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read the answer");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    Resp {
        status,
        head,
        body: raw[split + 4..].to_vec(),
    }
}

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_timeward")
}

impl Daemon {
    /// Starts `timeward run --config dir/timeward.toml` and waits for its feed URL.
    pub fn start(dir: &Path) -> Daemon {
        Daemon::start_with(dir, &[])
    }

    pub fn start_with(dir: &Path, env: &[(&str, &str)]) -> Daemon {
        let config = dir.join("timeward.toml");
        Daemon::launch(
            dir,
            &["run".as_ref(), "--config".as_ref(), config.as_os_str()],
            env,
            dir,
        )
    }

    /// `timeward run` with no `--config`, in `cwd` (the shipped config/timeward.toml).
    pub fn start_with_cwd(cwd: &str, env: &[(&str, &str)], logs: &Path) -> Daemon {
        Daemon::launch(Path::new(cwd), &["run".as_ref()], env, logs)
    }

    fn launch(cwd: &Path, args: &[&std::ffi::OsStr], env: &[(&str, &str)], dir: &Path) -> Daemon {
        let log = dir.join(format!(
            "daemon-{}.log",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        let file = std::fs::File::create(&log).expect("log file");
        let mut cmd = Command::new(binary());
        cmd.args(args)
            .current_dir(cwd)
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(file));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start timeward");
        let mut d = Daemon {
            child: Some(child),
            dir: dir.to_path_buf(),
            addr: String::new(),
            token: String::new(),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = std::fs::read_to_string(&d.log).unwrap_or_default();
            if let Some(url) = text
                .split_whitespace()
                .find_map(|w| w.strip_prefix("feed=http://"))
            {
                let (addr, rest) = url.split_once('/').expect("a feed URL");
                d.addr = addr.to_string();
                d.token = rest
                    .trim_start_matches("feed/")
                    .trim_end_matches(".ics")
                    .to_string();
                return d;
            }
            if let Some(Ok(Some(status))) = d.child.as_mut().map(Child::try_wait) {
                panic!("timeward exited ({status}) before serving:\n{text}");
            }
            assert!(
                Instant::now() < deadline,
                "no feed URL in the log within 30 s:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn feed_path(&self) -> String {
        format!("/feed/{}.ics", self.token)
    }

    pub fn get(&self, path: &str) -> Resp {
        request(&self.addr, "GET", path, &[])
    }

    pub fn feed(&self) -> Resp {
        self.get(&self.feed_path())
    }

    pub fn api(&self, path: &str) -> Resp {
        let bearer = format!("Bearer {}", self.token);
        request(&self.addr, "GET", path, &[("Authorization", &bearer)])
    }

    pub fn health(&self) -> serde_json::Value {
        serde_json::from_slice(&self.get("/healthz").body).expect("healthz is JSON")
    }

    /// Waits until the feed is served with a completed cycle of this run.
    pub fn wait_ready(&self) -> Resp {
        self.wait_for("a completed cycle", |d| {
            d.health()["last_cycle"].is_object() && d.feed().status == 200
        });
        self.feed()
    }

    /// Polls `check` every 20 ms for up to 10 s; returns how long it took.
    pub fn wait_for(&self, what: &str, check: impl FnMut(&Daemon) -> bool) -> Duration {
        self.wait_within(what, Duration::from_secs(10), check)
    }

    /// Polls `check` every 20 ms for up to `limit`; returns how long it took.
    pub fn wait_within(
        &self,
        what: &str,
        limit: Duration,
        mut check: impl FnMut(&Daemon) -> bool,
    ) -> Duration {
        let started = Instant::now();
        while started.elapsed() < limit {
            if check(self) {
                return started.elapsed();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("{what}: not within {limit:?}; log:\n{}", self.log_text());
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(ok.success(), "kill -{sig} failed");
    }

    /// SIGTERM, then waits up to `within` for the exit.
    pub fn stop(mut self, within: Duration) -> (ExitStatus, Duration) {
        self.signal("TERM");
        let started = Instant::now();
        let mut child = self.child.take().expect("running");
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return (status, started.elapsed());
            }
            if started.elapsed() > within {
                let _ = child.kill();
                panic!("timeward did not exit within {within:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// kill -9: no chance to flush or clean up.
    pub fn kill9(mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
