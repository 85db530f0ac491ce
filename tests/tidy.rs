//! Tidy: the boundary between the pure core and the I/O shell. The core is its own crate
//! (`crates/timeward-core`), so the compiler keeps async runtimes, the store, HTTP and
//! Google out of it: they are not its dependencies (checked below on its Cargo.toml).
//! This test checks what the compiler cannot see: the core names no file system, network,
//! environment, process, clock, or the machine's core count. And every source file starts
//! with a `//!` line saying what it owns.

use std::path::{Path, PathBuf};

const CORE: &str = "crates/timeward-core/src";
const FORBIDDEN: &[&str] = &[
    "std::fs",
    "std::net",
    "std::env",
    "std::process",
    "Utc::now",
    "Local::now",
    "SystemTime::now",
    "Instant::now",
    "chrono::Local",
    "rrule::Tz::LOCAL",
    "Tz::LOCAL",
    "available_parallelism",
];
/// Crates the core may never depend on.
const NOT_IN_THE_CORE: &[&str] = &[
    "tokio",
    "hyper",
    "axum",
    "sled",
    "notify",
    "google",
    "yup-oauth2",
    "reqwest",
    "tracing",
];

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_file() {
        if path.extension().is_some_and(|e| e == "rs") {
            out.push(path.to_path_buf());
        }
        return;
    }
    if let Ok(entries) = std::fs::read_dir(path) {
        let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            rust_files(&p, out);
        }
    }
}

/// The forbidden names used in code (comments are not code).
fn violations(source: &str) -> Vec<(usize, &'static str)> {
    let mut found = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        for f in FORBIDDEN {
            if code.contains(f) {
                found.push((i + 1, *f));
            }
        }
    }
    found
}

#[test]
fn the_checker_catches_what_it_should() {
    assert_eq!(violations("let t = Utc::now();"), vec![(1, "Utc::now")]);
    assert_eq!(
        violations("use std::fs::read;\nfn f() {}"),
        vec![(1, "std::fs")]
    );
    assert!(violations("// reads no std::fs, no Utc::now").is_empty());
}

#[test]
fn the_core_does_no_io_and_reads_no_clock() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join(CORE), &mut files);
    assert!(files.len() >= 10, "the core's files are found: {files:?}");
    let mut problems = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable source");
        for (line, name) in violations(&text) {
            problems.push(format!(
                "{}:{line}: the pure core names `{name}`",
                f.display()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_core_depends_on_no_runtime_store_http_or_google_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("crates/timeward-core/Cargo.toml"))
        .expect("the core's Cargo.toml");
    let deps: Vec<&str> = manifest
        .lines()
        .skip_while(|l| !l.starts_with("[dependencies]"))
        .skip(1)
        .take_while(|l| !l.starts_with('['))
        .filter_map(|l| l.split('=').next())
        .map(str::trim)
        .filter(|n| !n.is_empty() && !n.starts_with('#'))
        .collect();
    assert!(deps.contains(&"chrono"), "{deps:?}");
    for dep in deps {
        assert!(
            !NOT_IN_THE_CORE.iter().any(|n| dep.contains(n)),
            "the core depends on {dep}"
        );
    }
}

#[test]
fn every_source_file_says_what_it_owns() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "crates", "tests", "benches", "examples"] {
        rust_files(&root.join(dir), &mut files);
    }
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            !std::fs::read_to_string(f)
                .unwrap_or_default()
                .starts_with("//!")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a leading //! line: {missing:?}"
    );
}
