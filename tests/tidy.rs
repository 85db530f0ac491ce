//! Tidy: the boundary between the pure core and the I/O shell, enforced as a test.
//! The core (`calendar`, `rules`, `decide`, `slots`, `demo`) may not name an async runtime,
//! the store, an HTTP stack, the file system, the network or a clock; every source file
//! starts with a `//!` line saying what it owns.

use std::path::{Path, PathBuf};

const CORE: &[&str] = &[
    "src/calendar",
    "src/rules",
    "src/decide",
    "src/slots",
    "src/demo.rs",
];
const FORBIDDEN: &[&str] = &[
    "tokio",
    "sled",
    "hyper",
    "axum",
    "reqwest",
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
    for dir in CORE {
        rust_files(&root.join(dir), &mut files);
    }
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
fn every_source_file_says_what_it_owns() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches", "examples"] {
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
