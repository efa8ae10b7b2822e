//! Shared helpers of Clearance's cross-layer tests: the scenario corpus
//! (`scenarios/*.json`, the same test-file format `clearance test` reads) and
//! the bad-input corpus (`bad/*.json`).

use std::path::{Path, PathBuf};

/// The PostgreSQL server the tests may use (`CLEARANCE_POSTGRES`, set by
/// `scripts/test.sh`, which starts one); `None` skips a test, unless
/// `CLEARANCE_REQUIRE_POSTGRES` is set (as in CI): then a missing server fails.
///
/// # Panics
/// When PostgreSQL is required and not configured.
pub fn postgres_url() -> Option<String> {
    let Ok(url) = std::env::var("CLEARANCE_POSTGRES") else {
        assert!(
            std::env::var("CLEARANCE_REQUIRE_POSTGRES").is_err(),
            "CLEARANCE_POSTGRES is not set: run scripts/test.sh, which starts PostgreSQL"
        );
        eprintln!("skipping: CLEARANCE_POSTGRES is not set (scripts/test.sh starts a server)");
        return None;
    };
    Some(url)
}

/// The folder of this crate (`tests/`).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every JSON file of a corpus folder, sorted.
pub fn corpus(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(folder))
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "json")).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// Runs one scenario file natively and returns a report line per failing
/// case (empty when all pass) and the number of cases run.
///
/// This is the one `check` helper every layer's replay of the corpus mirrors.
pub fn check(file: &Path) -> (Vec<String>, usize) {
    let suite = match clearance_cli::load::load_suite(file) {
        Ok(suite) => suite,
        Err(error) => return (vec![format!("{}: cannot load: {error}", file.display())], 0),
    };
    let outcomes = clearance_core::suite::run(&suite.engine, suite.dataset.as_ref(), &suite.cases);
    let failures = outcomes
        .iter()
        .filter(|o| !o.passed())
        .map(|o| format!("{} :: {}\n    {}\n    actual: {}", file.display(), o.name, o.failures.join("\n    "), o.actual))
        .collect();
    (failures, outcomes.len())
}
