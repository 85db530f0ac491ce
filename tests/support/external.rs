//! The external programs some tests run against (Python `icalendar`, `recurring-ical-events`
//! and vdirsyncer; Mozilla's ical.js), installed on first use into a cache under the target
//! directory, so that a plain `cargo test` works on a fresh clone where only Rust, Python 3
//! and Node are present. The install happens once per target directory (a lock file keeps
//! parallel test binaries from racing) and again only when `tests/external/requirements.txt`
//! or `package-lock.json` changes.

use std::path::{Path, PathBuf};
use std::process::Command;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/external`, where the scripts and the requirement lists live.
pub fn scripts() -> PathBuf {
    manifest_dir().join("tests/external")
}

/// The cache: `<target>/external`. The test binary lives in `<target>/<profile>/deps`.
fn cache() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let target = exe
        .ancestors()
        .nth(3)
        .map_or_else(|| manifest_dir().join("target"), Path::to_path_buf);
    target.join("external")
}

/// Runs `install` once for `name` while `inputs` are unchanged, under a lock.
fn once(name: &str, inputs: &[&Path], install: impl FnOnce(&Path)) -> PathBuf {
    let dir = cache().join(name);
    std::fs::create_dir_all(cache()).expect("create the external tools' cache");
    let mut stamp = String::new();
    for input in inputs {
        stamp.push_str(&std::fs::read_to_string(input).unwrap_or_default());
    }
    let stamp_file = cache().join(format!("{name}.installed"));
    let lock = std::fs::File::create(cache().join(format!("{name}.lock"))).expect("lock file");
    lock.lock().expect("lock the external tools' cache");
    if std::fs::read_to_string(&stamp_file).ok().as_deref() != Some(stamp.as_str()) {
        eprintln!(
            "installing {name} for the tests into {} (once)",
            dir.display()
        );
        let _ = std::fs::remove_dir_all(&dir);
        install(&dir);
        std::fs::write(&stamp_file, &stamp).expect("write the install stamp");
    }
    drop(lock);
    dir
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A Python with `tests/external/requirements.txt` installed (a venv in the cache).
pub fn python() -> PathBuf {
    let requirements = scripts().join("requirements.txt");
    let venv = once("python", &[&requirements], |dir| {
        run(
            Command::new("python3").args(["-m", "venv"]).arg(dir),
            "python3 -m venv",
        );
        run(
            Command::new(dir.join("bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
                .arg(&requirements),
            "pip install -r tests/external/requirements.txt",
        );
    });
    venv.join("bin/python")
}

/// A program the venv installed (vdirsyncer).
pub fn python_tool(name: &str) -> PathBuf {
    python()
        .parent()
        .map_or_else(|| PathBuf::from(name), |bin| bin.join(name))
}

/// The `node_modules` folder with ical.js (`npm ci` from `tests/external/package-lock.json`).
pub fn node_modules() -> PathBuf {
    let lock = scripts().join("package-lock.json");
    let package = scripts().join("package.json");
    let dir = once("node", &[&lock, &package], |dir| {
        std::fs::create_dir_all(dir).expect("node cache");
        std::fs::copy(&package, dir.join("package.json")).expect("copy package.json");
        std::fs::copy(&lock, dir.join("package-lock.json")).expect("copy package-lock.json");
        run(
            Command::new("npm")
                .args(["ci", "--silent", "--no-audit", "--no-fund", "--prefix"])
                .arg(dir),
            "npm ci (ical.js)",
        );
    });
    dir.join("node_modules")
}

/// `node SCRIPT` for a script in `tests/external`, run from beside the installed
/// `node_modules` (ES modules ignore NODE_PATH, so the script is copied there).
pub fn node(script: &str) -> Command {
    let modules = node_modules();
    let dir = modules.parent().map_or_else(cache, Path::to_path_buf);
    let copy = dir.join(script);
    std::fs::copy(scripts().join(script), &copy).expect("copy the node script");
    let mut cmd = Command::new("node");
    cmd.arg(copy);
    cmd
}
