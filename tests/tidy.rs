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

/// The code's files: the shell's `src/` and the core's `src/`.
fn code_files() -> Vec<(PathBuf, &'static str)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["src", CORE] {
        let mut files = Vec::new();
        rust_files(&root.join(dir), &mut files);
        out.extend(files.into_iter().map(|f| (f, dir)));
    }
    out
}

fn is_test_file(f: &Path) -> bool {
    f.file_name().is_some_and(|n| n == "tests.rs")
        || f.components().any(|c| c.as_os_str() == "tests")
}

#[test]
fn no_source_file_is_over_500_lines() {
    let long: Vec<String> = code_files()
        .iter()
        .filter_map(|(f, _)| {
            let n = std::fs::read_to_string(f).ok()?.lines().count();
            (n > 500).then(|| format!("{}: {n} lines", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these files: {long:?}");
}

/// Functions (outside tests) and their lengths in lines, from `fn` to its closing brace.
fn function_lengths(source: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = source.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let code = line.split("//").next().unwrap_or("").trim_start();
        let Some(at) = code.find("fn ").filter(|&at| {
            let before = &code[..at];
            before.split_whitespace().all(|w| {
                [
                    "pub",
                    "pub(crate)",
                    "pub(super)",
                    "async",
                    "const",
                    "unsafe",
                ]
                .contains(&w)
            })
        }) else {
            continue;
        };
        if i > 0 && lines[i - 1].trim() == "#[test]" {
            continue;
        }
        let name: String = code[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let (mut depth, mut opened) = (0i64, false);
        for (j, l) in lines.iter().enumerate().skip(i) {
            let c = l.split("//").next().unwrap_or("");
            if !opened && c.trim_end().ends_with(';') && !c.contains('{') {
                break;
            }
            for ch in c.chars() {
                match ch {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if opened && depth <= 0 {
                out.push((name.clone(), j - i + 1));
                break;
            }
        }
    }
    out
}

#[test]
fn the_length_checker_counts_what_it_should() {
    let src =
        "fn short() {\n    1;\n}\n\npub(crate) async fn two(\n    a: u8,\n) -> u8 {\n    a\n}\n";
    assert_eq!(
        function_lengths(src),
        vec![("short".into(), 3), ("two".into(), 5)]
    );
    assert!(function_lengths("#[test]\nfn t() {\n}\n").is_empty());
}

#[test]
fn no_function_is_over_100_lines() {
    let mut long = Vec::new();
    for (f, _) in code_files().iter().filter(|(f, _)| !is_test_file(f)) {
        let text = std::fs::read_to_string(f).expect("readable source");
        for (name, n) in function_lengths(&text) {
            if n > 100 {
                long.push(format!("{}: fn {name} is {n} lines", f.display()));
            }
        }
    }
    assert!(long.is_empty(), "split these functions: {long:?}");
}

/// A file's module path under its crate's `src`: `daemon/mod.rs` is `daemon`,
/// `source/google/client.rs` is `source::google::client`, `lib.rs` is the root.
fn module_of(file: &Path, src: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap_or(file);
    let mut parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The modules a file names through `crate::` and `super::` paths, resolved to the
/// longest known module, leaving out its own ancestors and descendants (a parent and its
/// children naming each other is how Rust modules are written).
fn module_edges(
    module: &[String],
    source: &str,
    known: &std::collections::BTreeSet<Vec<String>>,
) -> std::collections::BTreeSet<Vec<String>> {
    let mut out = std::collections::BTreeSet::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (start, _) in code
            .match_indices("crate::")
            .chain(code.match_indices("super::"))
        {
            if start > 0 && code[..start].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let path: Vec<&str> = code[start..]
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or("")
                .split("::")
                .filter(|p| !p.is_empty())
                .collect();
            let mut base: Vec<String> = module.to_vec();
            let mut rest = path.as_slice();
            if rest.first() == Some(&"crate") {
                base.clear();
                rest = &rest[1..];
            } else {
                while rest.first() == Some(&"super") {
                    base.pop();
                    rest = &rest[1..];
                }
            }
            let mut target = base.clone();
            let mut best = base;
            for p in rest {
                target.push((*p).to_string());
                if known.contains(&target) {
                    best = target.clone();
                }
            }
            let related = best.starts_with(module) || module.starts_with(&best);
            if !related {
                out.insert(best);
            }
        }
    }
    out
}

#[test]
fn no_module_import_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["src", CORE] {
        let src = root.join(dir);
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let modules: Vec<(Vec<String>, PathBuf)> = files
            .iter()
            .filter(|f| !is_test_file(f))
            .map(|f| (module_of(f, &src), f.clone()))
            .collect();
        let known: std::collections::BTreeSet<Vec<String>> =
            modules.iter().map(|(m, _)| m.clone()).collect();
        let mut graph = std::collections::BTreeMap::new();
        for (m, f) in &modules {
            let text = std::fs::read_to_string(f).expect("readable source");
            graph.insert(m.clone(), module_edges(m, &text, &known));
        }
        // A cycle is two modules that reach each other.
        let reach = |from: &Vec<String>| {
            let mut seen = std::collections::BTreeSet::new();
            let mut todo = vec![from.clone()];
            while let Some(m) = todo.pop() {
                for n in graph.get(&m).into_iter().flatten() {
                    if seen.insert(n.clone()) {
                        todo.push(n.clone());
                    }
                }
            }
            seen
        };
        let mut cycles = Vec::new();
        for (m, edges) in &graph {
            for n in edges {
                if reach(n).contains(m) {
                    cycles.push(format!(
                        "{} -> {} -> … -> {}",
                        m.join("::"),
                        n.join("::"),
                        m.join("::")
                    ));
                }
            }
        }
        assert!(cycles.is_empty(), "{dir}: import cycles: {cycles:#?}");
        assert!(
            graph.len() >= 10,
            "{dir}: the modules are found: {}",
            graph.len()
        );
    }
}

#[test]
fn the_cycle_checker_sees_siblings_not_parents() {
    let known: std::collections::BTreeSet<Vec<String>> = [
        vec!["daemon".to_string()],
        vec!["daemon".into(), "cycle".into()],
        vec!["cli".into()],
    ]
    .into_iter()
    .collect();
    let m = vec!["daemon".to_string(), "cycle".to_string()];
    let edges = module_edges(&m, "use super::Daemon;\nuse crate::cli::load;\n", &known);
    assert_eq!(edges, [vec!["cli".to_string()]].into_iter().collect());
}
