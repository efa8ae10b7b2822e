//! The CLI contract of SPEC §5: outputs, keys and exit codes.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_clearance"))
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

const ORG: &str = "examples/reference-org.json";
const RECORDS: &str = "examples/reference-records.json";

#[test]
fn validate_accepts_the_reference_org_and_reports_problems_as_json() {
    let ok = run(&["validate", ORG, "--format", "json"], None);
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&ok.stdout).trim(), "[]");

    let dir = std::env::temp_dir().join(format!("clearance-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"roles": [{"id": "r", "parent": "ghost"}], "users": [{"id": "u", "role": "nope"}]}"#).unwrap();
    let out = run(&["validate", bad.to_str().unwrap(), "--format", "json"], None);
    assert_eq!(out.status.code(), Some(1));
    let problems: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let problems = problems.as_array().unwrap();
    assert_eq!(problems.len(), 2);
    for problem in problems {
        let keys: Vec<&String> = problem.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["code", "message", "path"]);
    }
    assert_eq!(problems[0]["path"], "/roles/0/parent");
    assert_eq!(problems[1]["code"], "unknown_role");
}

#[test]
fn check_prints_one_decision_per_line_in_order_with_contract_keys() {
    let requests = concat!(
        r#"{"user": "rep_east_alice", "action": "read", "object": "Account", "record_id": "acc_eu_1"}"#,
        "\n",
        r#"{"user": "rep_east_bob", "action": "read", "object": "Account", "record_id": "acc_us_2"}"#,
        "\n\n",
        r#"{"user": "ceo_chen", "action": "read", "object": "Account", "record_id": "acc_eu_1"}"#,
        "\n"
    );
    let out = run(&["check", ORG, "--records", RECORDS, "--requests", "-"], Some(requests));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    let allowed = ["allowed", "level", "stage", "reasons", "denial", "remedy", "fields", "message"];
    for line in &lines {
        for key in line.as_object().unwrap().keys() {
            assert!(allowed.contains(&key.as_str()), "unexpected key `{key}`");
        }
        assert!(line["message"].is_string() && line["reasons"].is_array());
    }
    assert_eq!(lines[0]["allowed"], true);
    assert_eq!(lines[0]["fields"]["read"], serde_json::json!(["industry", "name", "region"]));
    assert_eq!(lines[1]["stage"], "no_record_access");
    assert_eq!(lines[2]["stage"], "mfa_required");
    assert_eq!(lines[2]["remedy"], "mfa");
}

#[test]
fn check_reports_bad_lines_in_place_and_exits_1() {
    let requests = "{\"user\": \"rep_east_alice\", \"action\": \"read\", \"object\": \"Account\", \"record_id\": \"nope\"}\nnot json\n{\"user\": \"rep_east_alice\", \"action\": \"create\", \"object\": \"Account\"}\n";
    let out = run(&["check", ORG, "--records", RECORDS, "--requests", "-"], Some(requests));
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "every input line gets an output line");
    assert_eq!(lines[0]["error"][0]["code"], "unknown_record");
    assert_eq!(lines[0]["error"][0]["line"], 1);
    assert_eq!(lines[1]["error"][0]["code"], "json_syntax");
    assert_eq!(lines[2]["allowed"], true);
}

#[test]
fn explain_speaks_english_and_chinese() {
    let request = r#"{"user": "rep_east_eve", "action": "read", "object": "Account", "record_id": "acc_eu_1"}"#;
    let en = run(&["explain", ORG, "--records", RECORDS, "--requests", "-"], Some(request));
    assert!(String::from_utf8_lossy(&en.stdout).contains("the user is inactive"));
    let zh = run(&["explain", ORG, "--records", RECORDS, "--requests", "-", "--lang", "zh"], Some(request));
    assert!(String::from_utf8_lossy(&zh.stdout).contains("该用户已停用"));
}

#[test]
fn usage_errors_exit_2_and_missing_files_exit_1() {
    assert_eq!(run(&["check"], None).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"], None).status.code(), Some(2));
    let missing = run(&["validate", "no/such/file.json"], None);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read `no/such/file.json`"));
}

#[test]
fn test_command_passes_the_corpus_and_fails_a_wrong_expectation() {
    let ok = run(&["test", "tests/scenarios/reference.json", "tests/scenarios/branch.json"], None);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stdout));
    assert!(String::from_utf8_lossy(&ok.stdout).contains(" passed, 0 failed"));

    let dir = std::env::temp_dir().join(format!("clearance-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("wrong.json");
    let org = repo().join(ORG).canonicalize().unwrap();
    let suite = serde_json::json!({"policy": org, "cases": [{"name": "wrong", "request": {"user": "rep_east_alice", "action": "create", "object": "Account"}, "expect": {"allowed": false, "stage": "no_privilege"}}]});
    std::fs::write(&file, suite.to_string()).unwrap();
    let failed = run(&["test", file.to_str().unwrap()], None);
    assert_eq!(failed.status.code(), Some(1));
    let text = String::from_utf8_lossy(&failed.stdout);
    assert!(text.contains("FAIL") && text.contains("allowed: expected false, got true") && text.contains("0 passed, 1 failed"), "{text}");
}

#[test]
fn checked_in_json_schema_is_current() {
    let out = run(&["schema"], None);
    let generated: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let checked_in: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("schema/policy.schema.json")).unwrap()).unwrap();
    assert!(
        generated == checked_in,
        "schema/policy.schema.json is stale: run `cargo run -p clearance-cli -- schema > schema/policy.schema.json`"
    );
}

#[test]
fn filter_who_can_lint_and_diff_follow_the_contract() {
    let ids = run(&["filter", ORG, "--records", RECORDS, "--user", "rep_east_alice", "--action", "read", "--object", "Account"], None);
    assert_eq!(ids.status.code(), Some(0));
    let ids: serde_json::Value = serde_json::from_slice(&ids.stdout).unwrap();
    assert_eq!(ids, serde_json::json!(["acc_eu_1", "acc_eu_2", "acc_us_1"]));

    let who = run(
        &[
            "who-can",
            ORG,
            "--records",
            RECORDS,
            "--record",
            "acc_eu_2",
            "--action",
            "edit",
            "--context",
            r#"{"mfa": true, "ip": "10.0.0.1"}"#,
        ],
        None,
    );
    assert_eq!(who.status.code(), Some(0));
    let who: Vec<serde_json::Value> = serde_json::from_slice(&who.stdout).unwrap();
    assert!(who.iter().all(|hit| hit.as_object().unwrap().keys().collect::<Vec<_>>() == ["reasons", "user"]));
    assert!(
        who.iter().any(|hit| hit["user"] == "rep_east_alice" && hit["reasons"].as_array().unwrap().iter().any(|r| r["kind"] == "team"))
    );

    let bad_context =
        run(&["filter", ORG, "--records", RECORDS, "--user", "x", "--action", "read", "--object", "Account", "--context", "[1]"], None);
    assert_eq!(bad_context.status.code(), Some(1));

    let lint = run(&["lint", ORG, "--format", "json"], None);
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&lint.stdout).unwrap();
    assert!(findings.iter().any(|f| f["code"] == "separation_of_duty_conflict" && f["path"] == "/users/8"));

    let diff = run(&["diff", ORG, "tests/orgs/reference-bob-moved.json", "--records", RECORDS], None);
    assert_eq!(diff.status.code(), Some(0));
    let diff: serde_json::Value = serde_json::from_slice(&diff.stdout).unwrap();
    let keys: Vec<&String> = diff.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["changes", "summary"]);
    let change = &diff["changes"][0];
    assert_eq!(change.as_object().unwrap().keys().collect::<Vec<_>>(), ["action", "change", "reasons", "record", "user"]);
    assert!(diff["summary"]["users"]["rep_east_bob"]["lost"].as_u64().unwrap() >= 1);
}
