//! The bad-input corpus: malformed policies, each with the exact problems

#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]
//! (code and JSON Pointer) the compiler must report, all at once.

use clearance_core::Engine;
use serde_json::Value;

#[test]
fn every_malformed_policy_reports_exact_problems() {
    let mut failures = Vec::new();
    let mut count = 0;
    for file in clearance_tests::corpus("bad") {
        let cases: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for case in cases {
            count += 1;
            let name = case["name"].as_str().unwrap();
            let result = match case.get("text") {
                Some(text) => Engine::from_json(text.as_str().unwrap()),
                None => Engine::from_value(&case["policy"]),
            };
            let Err(error) = result else {
                failures.push(format!("{name}: compiled without error"));
                continue;
            };
            let mut actual: Vec<(String, String)> = error.problems().iter().map(|p| (p.code.clone(), p.path.clone())).collect();
            let mut expected: Vec<(String, String)> = case["problems"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p["code"].as_str().unwrap().to_owned(), p["path"].as_str().unwrap().to_owned()))
                .collect();
            actual.sort();
            expected.sort();
            if actual != expected {
                failures.push(format!("{name}: expected {expected:?}, got {actual:?} ({error})"));
            }
            if let Some(text) = case.get("message_contains").and_then(Value::as_str)
                && !error.problems().iter().any(|p| p.message.contains(text))
            {
                failures.push(format!("{name}: no message contains `{text}`: {error}"));
            }
            for problem in error.problems() {
                let first = problem.message.chars().next().unwrap_or('x');
                if first.is_uppercase() || problem.message.ends_with('.') {
                    failures.push(format!("{name}: message breaks the style guide: `{}`", problem.message));
                }
            }
        }
    }
    assert!(count >= 30, "the bad-input corpus must hold at least 30 policies, found {count}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn malformed_requests_and_records_are_errors_not_panics() {
    let engine = Engine::from_json(clearance_core::generate::REFERENCE_ORG).unwrap();
    let bad_records = [
        (r#"[{"id": "x", "object": "Account", "owner": "nobody", "fields": {}}]"#, "unknown_user", "/0/owner"),
        (
            r#"[{"id": "x", "object": "Account", "owner": "rep_east_alice", "fields": {"annual_revenue": "lots"}}]"#,
            "bad_type",
            "/0/fields/annual_revenue",
        ),
        (r#"[{"id": "x", "object": "Account", "owner": "rep_east_alice", "fields": {"nme": "a"}}]"#, "unknown_field", "/0/fields/nme"),
        (
            r#"[{"id": "x", "object": "Contact", "owner": "rep_east_alice", "fields": {"account_id": "missing"}}]"#,
            "unknown_record",
            "/0/fields/account_id",
        ),
        (
            r#"[{"id": "x", "object": "Account", "owner": "rep_east_alice"}, {"id": "x", "object": "Account", "owner": "rep_east_alice"}]"#,
            "duplicate_id",
            "/1/id",
        ),
        (r#"[{"id": "x", "object": "Widget", "owner": "rep_east_alice"}]"#, "unknown_object", "/0/object"),
        (
            r#"[{"id": "x", "object": "Account", "owner": "rep_east_alice", "team": [{"user": "rep_east_bob", "access": "owner"}]}]"#,
            "bad_value",
            "/0/team/0/access",
        ),
        (
            r#"[{"id": "x", "object": "Account", "owner": "rep_east_alice", "shares": [{"with": {"group": "nope"}, "access": "read"}]}]"#,
            "unknown_group",
            "/0/shares/0/with/group",
        ),
        (r#"{"id": "x"}"#, "bad_type", ""),
    ];
    for (text, code, path) in bad_records {
        let value: Value = serde_json::from_str(text).unwrap();
        let error = engine.load_records(&value).expect_err(text);
        let first = &error.problems()[0];
        assert_eq!((first.code.as_str(), first.path.as_str()), (code, path), "{text}: {error}");
    }
}

#[test]
fn record_problems_keep_their_input_positions() {
    let engine = Engine::from_json(clearance_core::generate::REFERENCE_ORG).unwrap();
    let records = r#"[
        {"id": "a", "object": "Account", "owner": "nobody"},
        {"id": "c", "object": "Contact", "owner": "rep_east_alice", "fields": {"account_id": "missing"}}
    ]"#;
    let error = engine.load_records(&serde_json::from_str(records).unwrap()).unwrap_err();
    let found: Vec<(&str, &str)> = error.problems().iter().map(|p| (p.code.as_str(), p.path.as_str())).collect();
    assert_eq!(found, [("unknown_user", "/0/owner"), ("unknown_record", "/1/fields/account_id")]);

    // JSON Lines: a line that is not JSON is reported with its line, and the rest still load and report.
    let dir = std::env::temp_dir().join(format!("clearance-jsonl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("records.jsonl");
    std::fs::write(&file, "{\"id\": \"a\", \"object\": \"Account\", \"owner\": \"rep_east_alice\"}\n\nnot json\n{\"id\": \"a\", \"object\": \"Account\", \"owner\": \"rep_east_alice\"}\n").unwrap();
    let error = clearance_cli::load::load_records(&engine, &file).unwrap_err();
    let found: Vec<(&str, &str)> = error.problems().iter().map(|p| (p.code.as_str(), p.path.as_str())).collect();
    assert_eq!(found, [("json_syntax", "/1"), ("duplicate_id", "/2/id")]);
    assert!(error.problems()[0].message.contains("line 3"), "{error}");
}
