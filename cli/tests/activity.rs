//! Activity from the CLI: `check --log` writes events, `activity analyze`
//! reads any number of logs (bad lines reported with their number, the rest
//! kept), keeps events and findings in the state database, and `activity
//! react` turns a finding into a change request that goes through approval.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

struct Env {
    dir: PathBuf,
}

impl Env {
    fn new(name: &str) -> Env {
        Env { dir: support::scratch("activity", name) }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    fn run(&self, args: &[&str]) -> Output {
        support::clearance().args(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    fn fails(&self, args: &[&str], code: &str) {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("[{code}]")), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// A synthetic month of the demo org (with login hours for service).
    fn month(&self) -> String {
        let log = self.path("month.jsonl");
        let text = self.ok(&["activity", "generate", "tests/orgs/activity-org.json", "--records", "examples/reference-records.json"]);
        std::fs::write(&log, text).unwrap();
        log
    }
}

const ORG: &str = "tests/orgs/activity-org.json";

#[test]
fn check_writes_one_event_per_request_and_analyze_reads_them() {
    let env = Env::new("log");
    let requests = env.path("requests.jsonl");
    std::fs::write(
        &requests,
        [
            r#"{"user": "ceo_chen", "action": "read", "object": "Account", "record_id": "acc_eu_1", "context": {"mfa": true, "ip": "10.1.2.3", "time": "2026-11-30T02:00:00Z"}}"#,
            r#"{"user": "rep_east_bob", "action": "read", "object": "Account", "record_id": "acc_us_2", "context": {"time": "2026-11-30T02:01:00Z"}}"#,
            r#"{"user": "nobody", "action": "read", "object": "Account", "record_id": "acc_eu_1"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let log = env.path("decisions.jsonl");
    let run = |path: &str| env.ok(&["check", ORG, "--records", "examples/reference-records.json", "--requests", &requests, "--log", path]);
    run(&log);
    run(&log);
    let lines: Vec<Value> = std::fs::read_to_string(&log).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 6, "--log appends");
    assert_eq!(lines[0]["time"], "2026-11-30T02:00:00Z");
    assert_eq!(lines[0]["allowed"], true);
    assert_eq!(lines[0]["fields"], serde_json::json!(["annual_revenue"]), "a read lists the sensitive fields it exposes");
    assert_eq!(lines[1]["stage"], "no_record_access");
    assert_eq!(lines[2]["stage"], "unknown_user");
    assert!(lines[2]["time"].as_str().unwrap().starts_with("20"), "without context.time, the clock");
    let report = env.json(&["activity", "analyze", &log, "--format", "json"]);
    assert_eq!(report["events"], 6);
    assert_eq!(report["users"], 3);
}

#[test]
fn malformed_lines_are_reported_with_their_number_and_the_rest_is_analysed() {
    let env = Env::new("bad");
    let month = env.month();
    let good = std::fs::read_to_string(&month).unwrap();
    let n = good.lines().count();
    let broken = env.path("broken.jsonl");
    std::fs::write(&broken, format!("{good}not json\n{{\"time\": \"yesterday\", \"user\": \"a\", \"action\": \"read\", \"object\": \"A\", \"allowed\": true}}\n\n{{\"user\": 1}}\n")).unwrap();
    let out = env.run(&["activity", "analyze", &broken, &month, "--policy", ORG]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in [n + 1, n + 2, n + 4] {
        assert!(stderr.contains(&format!("broken.jsonl:{line}:")), "line {line} reported: {stderr}");
    }
    let report = env.json(&["activity", "analyze", &broken, "--format", "json"]);
    assert_eq!(report["events"], n);
    assert_eq!(report["skipped_count"], 3);
    let codes: Vec<&str> = report["skipped"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["json_syntax", "bad_event", "bad_event"]);
}

#[test]
fn findings_are_stored_and_become_change_requests() {
    let env = Env::new("react");
    let db = env.path("state.db");
    let month = env.month();
    let report = env.json(&["activity", "analyze", &month, "--policy", ORG, "--db", &db, "--format", "json"]);
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.len() >= 8);
    // Stored: re-analysing the database alone finds the same, and they list.
    // Evidence then cites the stored events (`DB#events:SEQ`), the same lines.
    let ids =
        |findings: &Value| -> Vec<String> { findings.as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect() };
    let again = env.json(&["activity", "analyze", "--policy", ORG, "--db", &db, "--format", "json"]);
    assert_eq!(ids(&again["findings"]), ids(&report["findings"]));
    assert_eq!(again["findings"][0]["events"][0]["line"], report["findings"][0]["events"][0]["line"]);
    assert_eq!(env.json(&["activity", "findings", "--db", &db]), again["findings"]);

    let dormant = findings.iter().find(|f| f["kind"] == "dormant_privilege" && f["changes"][0]["op"] == "revoke_permission_set").unwrap();
    let id = dormant["id"].as_str().unwrap();
    // Without change control: the change set, a file for `change propose`.
    let set = env.json(&["activity", "react", id, "--db", &db]);
    assert_eq!(set, dormant["changes"]);
    // With it: a pending request that someone else approves and applies.
    env.ok(&["versions", "init", ORG, "--as", "admin_ivy", "--db", &db]);
    let request = env.json(&["activity", "react", id, "--db", &db, "--as", "admin_ivy"]);
    assert_eq!(request["state"], "pending");
    assert_eq!(request["changes"], dormant["changes"]);
    let rid = request["id"].as_str().unwrap();
    env.ok(&["change", "approve", rid, "--as", "fin_mgr_fiona", "--db", &db]);
    env.fails(&["change", "apply", rid, "--as", "admin_ivy", "--db", &db], "self_apply");
    let applied = env.json(&["change", "apply", rid, "--as", "fin_mgr_fiona", "--db", &db]);
    assert_eq!(applied["state"], "applied");

    let unknown = env.run(&["activity", "react", "nope", "--db", &db]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown finding `nope`"));
}

#[test]
fn thresholds_come_from_the_policy_and_bad_ones_are_refused() {
    let env = Env::new("config");
    let month = env.month();
    let mut policy: Value =
        serde_json::from_str(&std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(ORG)).unwrap()).unwrap();
    policy["activity"] = serde_json::json!({"export_threshold": 1000, "burst_denials": 1000});
    let relaxed = env.path("relaxed.json");
    std::fs::write(&relaxed, policy.to_string()).unwrap();
    let kinds = |policy: &str| -> Vec<String> {
        let report = env.json(&["activity", "analyze", &month, "--policy", policy, "--format", "json"]);
        report["findings"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap().to_owned()).collect()
    };
    assert!(kinds(ORG).contains(&"export_volume".to_owned()));
    let relaxed_kinds = kinds(&relaxed);
    assert!(!relaxed_kinds.contains(&"export_volume".to_owned()) && !relaxed_kinds.contains(&"denial_burst".to_owned()));

    policy["activity"] = serde_json::json!({"spike_factor": 0.5, "usual_hour_share": 2, "surprise": 1});
    let bad = env.path("bad.json");
    std::fs::write(&bad, policy.to_string()).unwrap();
    let out = env.run(&["validate", &bad, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let problems: Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<&str> = problems.as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"/activity/surprise") || paths.contains(&"/activity"), "{problems}");
}

#[test]
fn a_large_file_read_on_every_core_reports_what_one_reader_does() {
    let env = Env::new("parallel");
    let month = std::fs::read_to_string(env.month()).unwrap();
    // Over the 16 MB above which files are split: the month, many times, with a bad line inside.
    let copies = 16usize.div_ceil(month.len() >> 20).max(1) + 1;
    let mut text = month.repeat(copies / 2);
    text.push_str("{\"broken\": true}\n");
    text.push_str(&month.repeat(copies - copies / 2));
    let big = env.path("big.jsonl");
    std::fs::write(&big, &text).unwrap();
    let parallel = env.json(&["activity", "analyze", &big, "--policy", ORG, "--format", "json"]);
    let out = support::clearance()
        .args(["activity", "analyze", "-", "--policy", ORG, "--format", "json"])
        .stdin(std::fs::File::open(&big).unwrap())
        .output()
        .unwrap();
    let mut sequential: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The same report, but for the log's name (stdin is `-`).
    let renamed =
        serde_json::to_string(&sequential).unwrap().replace("\"source\":\"-\"", &format!("\"source\":{}", serde_json::json!(big)));
    sequential = serde_json::from_str(&renamed).unwrap();
    assert_eq!(parallel["skipped"][0]["line"], (month.lines().count() * (copies / 2) + 1) as u64);
    assert_eq!(parallel, sequential);
}
