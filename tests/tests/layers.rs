//! Architecture invariants that a compiler does not check, read from the
//! sources (ARCHITECTURE.md states them).

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The files of a module: `name.rs` and everything under `name/`.
fn module(name: &str) -> Vec<PathBuf> {
    let core = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/src");
    let mut files = vec![core.join(format!("{name}.rs"))];
    let dir = core.join(name);
    if dir.is_dir() {
        sources(&dir, &mut files);
    }
    files
}

/// Every `crate::…`-path a module's files name outside comments.
fn named(files: &[PathBuf], forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).expect("a source file");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for name in forbidden {
                if code.contains(name) {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    found
}

// Architecture Invariant: the compiled form is a layer below the compiler,
// the bundle reader and activity monitoring; both compiling and loading a
// bundle produce it, and it decodes no policy text itself.
#[test]
fn the_compiled_engine_imports_nothing_above_it() {
    let forbidden = ["crate::compile", "crate::bundle", "crate::activity", "crate::change", "decode_policy", "parse_policy", "crate::json"];
    let found = named(&module("engine"), &forbidden);
    assert!(found.is_empty(), "the engine module reaches above itself:\n{}", found.join("\n"));
}

// Architecture Invariant: a condition's compiled form knows neither how it
// was resolved nor how it is evaluated.
#[test]
fn a_compiled_condition_imports_neither_its_resolver_nor_its_evaluator() {
    let core = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/src/condition/compiled.rs");
    let found = named(&[core], &["resolve", "eval", "crate::dataset", "crate::engine"]);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_check_finds_what_it_forbids() {
    // The helper itself must be able to fail: the compiler names the engine.
    assert!(!named(&module("compile"), &["crate::engine"]).is_empty());
}
