//! Replays the scenario corpus natively through the same runner as `clearance test`.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

use clearance_tests::{check, corpus};

#[test]
fn scenario_corpus_passes() {
    let files = corpus("scenarios");
    assert!(files.len() >= 2, "scenario corpus is missing");
    let mut failures = Vec::new();
    let mut total = 0;
    for file in &files {
        let (failed, run) = check(file);
        failures.extend(failed);
        total += run;
    }
    assert!(total >= 80, "the corpus must hold at least 80 cases, found {total}");
    assert!(failures.is_empty(), "{} of {total} scenario cases failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn a_wrong_expectation_fails() {
    // The runner must be able to fail: flip one expectation and run it.
    let dir = std::env::temp_dir().join(format!("clearance-flip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let org = clearance_tests::root().join("../examples/reference-org.json");
    let suite = serde_json::json!({
        "policy": org.display().to_string(),
        "cases": [{"name": "flipped", "request": {"user": "rep_east_alice", "action": "create", "object": "Account"}, "expect": {"allowed": false}}]
    });
    let file = dir.join("flipped.json");
    std::fs::write(&file, suite.to_string()).unwrap();
    let (failures, run) = check(&file);
    assert_eq!(run, 1);
    assert_eq!(failures.len(), 1, "a wrong expectation must be reported");
    assert!(failures[0].contains("allowed: expected false, got true"), "{}", failures[0]);
}
