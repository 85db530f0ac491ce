//! The docs cannot drift from the binary: every fenced block in `README.md` and `docs/` is
//! of a known kind, and each kind is checked —
//! - `toml rules`: a whole rules file, read by the rules parser;
//! - `toml rules-part`: a section, read after a minimal `[executive]`;
//! - `toml config`: a daemon configuration, read by the configuration loader;
//! - `sh`: each line run (in a scratch copy of `config/`, `timeward` being this build),
//!   and it must succeed; blocks of one file run in order in one directory;
//! - `sh daemon`: the daemon started as written, on a free port, until it serves its feed,
//!   then stopped with SIGTERM, which must end it cleanly;
//! - `sh root` (system steps: install, systemctl, docker): every command is one of those,
//!   every file it installs from the repository exists (they are not run here);
//! - `sh cargo`: a cargo command whose test target exists;
//! - `caddyfile`, `nginx`: validated by `caddy` or `nginx` when installed, else said skipped;
//! - `text`: output and listings, not run.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::daemon::{binary, TempDir};

struct Block {
    file: String,
    line: usize,
    info: String,
    body: String,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn doc_files() -> Vec<PathBuf> {
    let mut files = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// The fenced blocks of a Markdown text, with the line each starts on.
fn blocks(file: &str, text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        if let Some(rest) = line.strip_prefix("```") {
            match open.take() {
                Some(b) => out.push(b),
                None => {
                    open = Some(Block {
                        file: file.to_string(),
                        line: i + 1,
                        info: rest.trim().to_string(),
                        body: String::new(),
                    })
                }
            }
        } else if let Some(b) = open.as_mut() {
            b.body.push_str(line);
            b.body.push('\n');
        }
    }
    assert!(open.is_none(), "{file}: a fenced block is not closed");
    out
}

fn all_blocks() -> Vec<Block> {
    doc_files()
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).expect("readable doc");
            let name = f.strip_prefix(root()).unwrap_or(f).display().to_string();
            blocks(&name, &text)
        })
        .collect()
}

const KINDS: [&str; 11] = [
    "text",
    "toml rules",
    "toml rules-part",
    "toml config",
    "sh",
    "sh daemon",
    "sh root",
    "sh cargo",
    "caddyfile",
    "nginx",
    "",
];

#[test]
fn every_block_is_of_a_known_kind() {
    let blocks = all_blocks();
    assert!(
        blocks.len() >= 20,
        "the docs' blocks are found: {}",
        blocks.len()
    );
    for b in &blocks {
        assert!(
            KINDS[..KINDS.len() - 1].contains(&b.info.as_str()),
            "{}:{}: a block of kind {:?}: say which kind it is ({:?})",
            b.file,
            b.line,
            b.info,
            &KINDS[..KINDS.len() - 1]
        );
    }
}

#[test]
fn rules_snippets_are_valid_rules() {
    let base = "[executive]\nemail = \"dana@acme.example\"\ntimezone = \"America/New_York\"\n\n";
    let mut n = 0;
    for b in all_blocks() {
        let text = match b.info.as_str() {
            "toml rules" => b.body.clone(),
            "toml rules-part" => format!("{base}{}", b.body),
            _ => continue,
        };
        n += 1;
        if let Err(e) = timeward::rules::Rules::parse(&text, &format!("{}:{}", b.file, b.line)) {
            panic!(
                "{}:{}: the snippet is not valid rules:\n{e}",
                b.file, b.line
            );
        }
    }
    assert!(n >= 10, "rules snippets found: {n}");
}

#[test]
fn config_snippets_are_valid_configurations() {
    let dir = TempDir::new("docs-config");
    // As systemd would pass them: the credentials the examples leave out of the file.
    let credentials = dir.path().join("credentials");
    std::fs::create_dir_all(&credentials).expect("credentials dir");
    std::fs::write(credentials.join("smtp_password"), "example\n").expect("write");
    let env = vec![(
        "CREDENTIALS_DIRECTORY".to_string(),
        credentials.display().to_string(),
    )];
    let mut n = 0;
    for b in all_blocks().into_iter().filter(|b| b.info == "toml config") {
        n += 1;
        let path = dir.path().join(format!("config-{n}.toml"));
        std::fs::write(&path, &b.body).expect("write");
        if let Err(e) = timeward::config::load(&path, true, env.clone()) {
            panic!("{}:{}: the configuration is refused:\n{e}", b.file, b.line);
        }
    }
    assert!(n >= 3, "config snippets found: {n}");
}

/// A scratch directory with a copy of the repository's `config/`, and a `bin/` with
/// `timeward` (this build) to put first on the PATH.
fn scratch(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    std::fs::create_dir_all(dir.path().join("config")).expect("config dir");
    for e in std::fs::read_dir(root().join("config")).expect("config/") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), dir.path().join("config").join(e.file_name())).expect("copy");
    }
    std::fs::create_dir_all(dir.path().join("bin")).expect("bin dir");
    std::os::unix::fs::symlink(binary(), dir.path().join("bin/timeward")).expect("link");
    dir
}

fn shell(dir: &Path, command: &str) -> Command {
    // The README's `cargo run --release --` is this build of timeward.
    let command = command.replace("cargo run --release --", "timeward");
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &command])
        .current_dir(dir)
        .env("PATH", path)
        .env("TIMEWARD_LISTEN", "127.0.0.1:0");
    cmd
}

fn lines(body: &str) -> impl Iterator<Item = &str> {
    body.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

#[test]
fn every_command_runs_as_written() {
    let mut n = 0;
    for file in doc_files() {
        let name = file
            .strip_prefix(root())
            .unwrap_or(&file)
            .display()
            .to_string();
        let text = std::fs::read_to_string(&file).expect("doc");
        let dir = scratch(&format!("docs-sh-{}", name.replace('/', "-")));
        for b in blocks(&name, &text) {
            for command in lines(&b.body) {
                match b.info.as_str() {
                    "sh" => {
                        n += 1;
                        let out = shell(dir.path(), command).output().expect("sh");
                        assert!(
                            out.status.success(),
                            "{}:{}: `{command}` failed ({}):\n{}{}",
                            b.file,
                            b.line,
                            out.status,
                            String::from_utf8_lossy(&out.stdout),
                            String::from_utf8_lossy(&out.stderr)
                        );
                    }
                    "sh daemon" => {
                        n += 1;
                        run_daemon_until_it_serves(dir.path(), command, &b);
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(n >= 8, "commands found: {n}");
}

fn run_daemon_until_it_serves(dir: &Path, command: &str, b: &Block) {
    let log = dir.join("daemon.log");
    let mut child = shell(dir, &format!("exec env {command}"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log"))
        .spawn()
        .expect("start");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("feed=http://") {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "{}:{}: `{command}` exited ({status}):\n{text}",
                b.file, b.line
            );
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "{}:{}: `{command}` served nothing in 60 s:\n{text}",
                b.file, b.line
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = child.id().to_string();
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            assert!(status.success(), "{}:{}: exit {status}", b.file, b.line);
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{}:{}: no exit on SIGTERM",
            b.file,
            b.line
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn system_steps_name_real_files_and_known_commands() {
    let known = ["cargo", "install", "sed", "systemctl", "docker"];
    let mut n = 0;
    for b in all_blocks().into_iter().filter(|b| b.info == "sh root") {
        for command in lines(&b.body) {
            n += 1;
            let first = command.split_whitespace().next().unwrap_or("");
            assert!(
                known.contains(&first),
                "{}:{}: `{command}`: a system step must be one of {known:?}",
                b.file,
                b.line
            );
            if first == "install" {
                // Every repository file it installs exists (globs are expanded by the shell).
                for arg in command.split_whitespace().skip(1) {
                    let local = !arg.starts_with('-') && !arg.starts_with('/') && arg.contains('/');
                    if local && !arg.contains('*') && !arg.starts_with("target/") {
                        assert!(root().join(arg).exists(), "{}:{}: no {arg}", b.file, b.line);
                    }
                }
            }
        }
    }
    assert!(n >= 5, "system steps found: {n}");
}

#[test]
fn cargo_commands_name_real_targets() {
    for b in all_blocks().into_iter().filter(|b| b.info == "sh cargo") {
        for command in lines(&b.body) {
            assert!(
                command.contains("cargo "),
                "{}:{}: {command}",
                b.file,
                b.line
            );
            if let Some(t) = command.split("--test ").nth(1) {
                let target = t.split_whitespace().next().unwrap_or("");
                assert!(
                    root().join(format!("tests/{target}.rs")).is_file(),
                    "{}:{}: no test target {target}",
                    b.file,
                    b.line
                );
            }
        }
    }
}

#[test]
fn proxy_configurations_validate_where_the_proxy_is_installed() {
    let dir = TempDir::new("docs-proxy");
    for b in all_blocks() {
        let (tool, args): (&str, Vec<String>) = match b.info.as_str() {
            "caddyfile" => {
                let f = dir.path().join("Caddyfile");
                std::fs::write(&f, &b.body).expect("write");
                (
                    "caddy",
                    vec![
                        "validate".into(),
                        "--adapter".into(),
                        "caddyfile".into(),
                        "--config".into(),
                        f.display().to_string(),
                    ],
                )
            }
            "nginx" => {
                // The certificate paths are the reader's; a throwaway pair stands in.
                let Some((cert, key)) = throwaway_certificate(dir.path()) else {
                    eprintln!("{}:{}: skipped: openssl is not installed", b.file, b.line);
                    continue;
                };
                let body: Vec<String> = b
                    .body
                    .lines()
                    .map(|l| match l.trim_start() {
                        t if t.starts_with("ssl_certificate_key") => {
                            format!("ssl_certificate_key {};", key.display())
                        }
                        t if t.starts_with("ssl_certificate") => {
                            format!("ssl_certificate {};", cert.display())
                        }
                        _ => l.to_string(),
                    })
                    .collect();
                let f = dir.path().join("nginx.conf");
                let conf = format!(
                    "pid {}/nginx.pid;\nerror_log stderr;\nevents {{}}\nhttp {{\naccess_log off;\n{}\n}}\n",
                    dir.path().display(),
                    body.join("\n")
                );
                std::fs::write(&f, conf).expect("write");
                let prefix = format!("{}/", dir.path().display());
                (
                    "nginx",
                    vec![
                        "-t".into(),
                        "-p".into(),
                        prefix,
                        "-c".into(),
                        f.display().to_string(),
                    ],
                )
            }
            _ => continue,
        };
        match Command::new(tool).args(&args).output() {
            Ok(out) => assert!(
                out.status.success(),
                "{}:{}: {tool} refuses it:\n{}",
                b.file,
                b.line,
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(_) => eprintln!("{}:{}: skipped: {tool} is not installed", b.file, b.line),
        }
    }
}

#[test]
fn no_doc_points_at_a_file_that_is_not_in_the_repository() {
    for file in doc_files() {
        let text = std::fs::read_to_string(&file).expect("doc");
        let dir = file.parent().unwrap_or(root());
        for (i, line) in text.lines().enumerate() {
            for link in line.split("](").skip(1) {
                let target = link.split(')').next().unwrap_or("");
                let path = target.split('#').next().unwrap_or("");
                if path.is_empty() || path.starts_with("http") {
                    continue;
                }
                assert!(
                    dir.join(path).exists(),
                    "{}:{}: links to {path}, which is not in the repository",
                    file.display(),
                    i + 1
                );
            }
            assert!(
                !line.contains("SPEC") && !line.contains("../shared"),
                "{}:{}: names a document the repository does not ship",
                file.display(),
                i + 1
            );
        }
    }
}

/// A self-signed certificate and key in `dir`, made with openssl (if installed).
fn throwaway_certificate(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let out = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=timeward.example.com", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .ok()?;
    out.status.success().then_some((cert, key))
}
