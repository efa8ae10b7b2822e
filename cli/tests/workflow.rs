//! The change-control cycle from the CLI against SQLite: propose, approve
//! (not by the author), apply, versions, restore, reviews; the audit log
//! verifies and a tampered row is named; export → import → export is
//! identical and a bad import changes nothing.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod support;

use std::path::PathBuf;
use std::process::{Command, Output};

struct Env {
    dir: PathBuf,
}

impl Env {
    fn new(name: &str) -> Env {
        Env { dir: support::scratch("workflow", name) }
    }

    fn db(&self) -> String {
        self.dir.join("state.db").display().to_string()
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    fn run(&self, args: &[&str]) -> Output {
        let db = self.db();
        let mut all: Vec<&str> = args.to_vec();
        if !matches!(args, ["state", "import", ..]) || !args.contains(&"--db") {
            all.extend(["--db", &db]);
        }
        support::clearance().args(&all).output().unwrap()
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn fails(&self, args: &[&str], code: &str) {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?} should fail");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&format!("[{code}]")), "{args:?}: expected [{code}], got {stderr}");
    }
}

const MOVE_BOB: &str = r#"[{"op": "move_user", "user": "rep_east_bob", "role": "sales_rep_west"}]"#;

#[test]
fn request_approve_apply_restore_and_audit() {
    let env = Env::new("cycle");
    let v1 = env.json(&["versions", "init", "examples/reference-org.json", "--as", "admin_ivy"])["version"].as_str().unwrap().to_owned();
    let changes = env.file("move.json", MOVE_BOB);
    let proposed = env.json(&["change", "propose", &changes, "--as", "mgr_east_mike", "--records", "examples/reference-records.json"]);
    assert_eq!(proposed["id"], "R1");
    assert_eq!(proposed["state"], "pending");
    assert_eq!(proposed["summary"][0], "move user `rep_east_bob` to role `sales_rep_west`");
    assert!(proposed["diff"]["summary"]["total"]["gained"].as_u64().unwrap() > 0);

    env.fails(&["change", "approve", "R1", "--as", "mgr_east_mike"], "self_approval");
    env.fails(&["change", "approve", "R1", "--as", "rep_east_alice"], "not_an_approver");
    env.fails(&["change", "apply", "R1", "--as", "admin_ivy"], "bad_state");
    assert_eq!(env.json(&["change", "approve", "R1", "--as", "admin_ivy", "--comment", "ok"])["state"], "approved");
    let applied = env.json(&["change", "apply", "R1", "--as", "admin_ivy"]);
    let v2 = applied["applied_version"].as_str().unwrap().to_owned();
    assert_ne!(v1, v2);

    // A request drafted before another change landed is stale.
    let wide = env.file("wide.json", r#"[{"op": "set_user_active", "user": "rep_east_eve", "active": true}]"#);
    env.json(&["change", "propose", &wide, "--as", "mgr_east_mike"]);
    env.json(&["change", "propose", &changes, "--as", "dir_diana"]); // R3, drafted against the same version as R2
    env.json(&["change", "approve", "R2", "--as", "admin_ivy"]);
    env.json(&["change", "approve", "R3", "--as", "admin_ivy"]);
    env.json(&["change", "apply", "R2", "--as", "admin_ivy"]);
    env.fails(&["change", "apply", "R3", "--as", "admin_ivy"], "stale_request");

    // Restoring v1 is a request like any other; applied, the version equals v1.
    let restore = env.json(&["versions", "restore", &v1[..10], "--as", "mgr_east_mike"]);
    let id = restore["id"].as_str().unwrap().to_owned();
    env.json(&["change", "approve", &id, "--as", "fin_mgr_fiona"]);
    assert_eq!(env.json(&["change", "apply", &id, "--as", "admin_ivy"])["applied_version"], v1.as_str());
    let versions = env.json(&["versions", "list"]);
    assert_eq!(versions.as_array().unwrap().len(), 4);
    assert_eq!(versions[3]["version"], v1.as_str());

    let diff = env.json(&["versions", "diff", &v1[..10], &v2[..10], "--records", "examples/reference-records.json"]);
    assert!(diff["changes"].as_array().unwrap().iter().any(|c| c["user"] == "rep_east_bob"));

    let verified = env.json(&["audit", "verify"]);
    assert_eq!(verified["valid"], true);
    let entries = verified["entries"].as_u64().unwrap();
    assert!(entries >= 12, "{entries} audit entries");

    // Tamper with one stored entry: verify names it.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let body: String = conn.query_row("SELECT body FROM audit WHERE seq = 3", [], |r| r.get(0)).unwrap();
    conn.execute("UPDATE audit SET body = ?1 WHERE seq = 3", [body.replace("admin_ivy", "admin_ivx")]).unwrap();
    let out = env.run(&["audit", "verify", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let problems: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(problems[0]["code"], "broken_chain");
    assert_eq!(problems[0]["path"], "/audit/2");
    conn.execute("UPDATE audit SET body = ?1 WHERE seq = 3", [&body]).unwrap();
    assert_eq!(env.run(&["audit", "verify"]).status.code(), Some(0));
    // A request or a version edited where it is stored no longer matches what the log recorded.
    let request: String = conn.query_row("SELECT body FROM requests WHERE id = 'R1'", [], |r| r.get(0)).unwrap();
    conn.execute("UPDATE requests SET body = ?1 WHERE id = 'R1'", [request.replace("mgr_east_mike", "admin_ivy")]).unwrap();
    let out = env.run(&["audit", "verify", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()[0]["path"], "/requests/0");
    conn.execute("UPDATE requests SET body = ?1 WHERE id = 'R1'", [&request]).unwrap();
    let (hash, policy): (String, String) =
        conn.query_row("SELECT hash, policy FROM versions WHERE seq = 2", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    let edited: clearance_core::policy::Policy = serde_json::from_str(&policy.replace("Chen Wei", "Chen Wu")).unwrap();
    conn.execute(
        "UPDATE versions SET policy = ?1, hash = ?2 WHERE seq = 2",
        [serde_json::to_string(&edited).unwrap(), clearance_core::change::version(&edited)],
    )
    .unwrap();
    let out = env.run(&["audit", "verify", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "a version edited with a matching hash is still found");
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()[0]["path"], "/versions/1");
    conn.execute("UPDATE versions SET policy = ?1, hash = ?2 WHERE seq = 2", [&policy, &hash]).unwrap();
    assert_eq!(env.run(&["audit", "verify"]).status.code(), Some(0));
    // Deleting the newest entry is found against the recorded head.
    conn.execute("DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)", []).unwrap();
    assert_eq!(env.run(&["audit", "verify"]).status.code(), Some(1));
}

#[test]
fn export_import_round_trip_and_bad_imports_change_nothing() {
    let env = Env::new("export");
    env.json(&["versions", "init", "examples/reference-org.json", "--as", "admin_ivy"]);
    let changes = env.file("move.json", MOVE_BOB);
    env.json(&["change", "propose", &changes, "--as", "mgr_east_mike"]);
    env.json(&["review", "start", "--as", "admin_ivy", "--due", "2026-12-31T00:00:00Z"]);
    env.json(&["review", "start", "--as", "admin_ivy", "--due", "2027-01-31T00:00:00Z"]);
    let first = env.run(&["state", "export"]).stdout;
    let export = env.file("export.json", &String::from_utf8(first.clone()).unwrap());
    let other = env.dir.join("other.db").display().to_string();
    let export_of = |db: &str| Command::new(env!("CARGO_BIN_EXE_clearance")).args(["state", "export", "--db", db]).output().unwrap().stdout;
    env.json(&["state", "import", &export, "--db", &other, "--as", "admin_ivy", "--at", "2026-12-01T00:00:00Z"]);
    let original: serde_json::Value = serde_json::from_slice(&first).unwrap();
    let mut again: serde_json::Value = serde_json::from_slice(&export_of(&other)).unwrap();
    let entry = again["audit"].as_array_mut().unwrap().pop().unwrap();
    assert_eq!((entry["action"].as_str(), entry["actor"].as_str()), (Some("state_imported"), Some("admin_ivy")), "the import is recorded");
    assert_eq!(again, original, "export → import → export is identical, but for the import's own entry");
    let verify = Command::new(env!("CARGO_BIN_EXE_clearance")).args(["audit", "verify", "--db", &other]).output().unwrap();
    assert_eq!(verify.status.code(), Some(0));
    // Campaigns keep their order, and new ids follow the imported ones.
    let started = Command::new(env!("CARGO_BIN_EXE_clearance"))
        .args(["review", "start", "--as", "admin_ivy", "--due", "2027-02-28T00:00:00Z", "--db", &other])
        .output()
        .unwrap();
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&started.stdout).unwrap()["id"], "C3");
    let imported = export_of(&other);

    let mut state = original.clone();
    state["audit"][0]["actor"] = "mallory".into();
    state["versions"][0]["hash"] = "00".into();
    let bad = env.file("bad.json", &state.to_string());
    let out = Command::new(env!("CARGO_BIN_EXE_clearance"))
        .args(["state", "import", &bad, "--db", &other, "--as", "admin_ivy", "--force"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/versions/0/hash") && stderr.contains("/audit/0"), "{stderr}");
    assert_eq!(imported, export_of(&other), "a failed import changes nothing");
}

#[test]
fn an_import_needs_an_approver_and_may_not_rewrite_history_unless_forced() {
    let env = Env::new("import-rules");
    env.json(&["versions", "init", "examples/reference-org.json", "--as", "admin_ivy"]);
    let older = env.file("older.json", &String::from_utf8(env.run(&["state", "export"]).stdout).unwrap());
    let changes = env.file("move.json", MOVE_BOB);
    env.json(&["change", "propose", &changes, "--as", "mgr_east_mike"]);
    let current = env.run(&["state", "export"]).stdout;
    let same = env.file("same.json", &String::from_utf8(current.clone()).unwrap());

    // No actor is a usage error; an actor without the approver permission is refused.
    assert_eq!(env.run(&["state", "import", &same]).status.code(), Some(2));
    env.fails(&["state", "import", &same, "--as", "rep_east_bob"], "not_an_approver");
    env.fails(&["state", "import", &same, "--as", "ghost"], "not_an_approver");
    // An older export (a prefix of the log) or another history is refused.
    env.fails(&["state", "import", &older, "--as", "admin_ivy"], "history_shorter");
    let fork = Env::new("import-fork");
    fork.json(&["versions", "init", "examples/reference-org.json", "--as", "admin_ivy", "--at", "2020-01-01T00:00:00Z"]);
    fork.json(&["change", "propose", &changes, "--as", "mgr_east_mike"]);
    fork.json(&["change", "propose", &changes, "--as", "mgr_east_mike"]);
    let forked = env.file("forked.json", &String::from_utf8(fork.run(&["state", "export"]).stdout).unwrap());
    env.fails(&["state", "import", &forked, "--as", "admin_ivy"], "history_diverges");
    assert_eq!(env.run(&["state", "export"]).stdout, current, "refused imports change nothing");

    // Forced, the older export replaces the state, and the log says so and still verifies.
    let out = env.json(&["state", "import", &older, "--as", "admin_ivy", "--force"]);
    assert_eq!(out["forced"], true);
    let state: serde_json::Value = serde_json::from_slice(&env.run(&["state", "export"]).stdout).unwrap();
    let last = state["audit"].as_array().unwrap().last().unwrap().clone();
    let before: serde_json::Value = serde_json::from_slice(&current).unwrap();
    assert_eq!(last["action"], "state_imported");
    assert_eq!(last["details"]["replaced_head"], before["audit"].as_array().unwrap().last().unwrap()["hash"]);
    assert_eq!(env.run(&["audit", "verify"]).status.code(), Some(0));
}

#[test]
fn a_failed_preview_leaves_no_request() {
    let env = Env::new("preview");
    env.json(&["versions", "init", "examples/reference-org.json", "--as", "admin_ivy"]);
    let before = env.run(&["state", "export"]).stdout;
    let changes = env.file("move.json", MOVE_BOB);
    let bad_records = env.file("records.json", r#"[{"id": "x", "object": "Nowhere", "owner": "rep_east_bob"}]"#);
    env.fails(&["change", "propose", &changes, "--as", "mgr_east_mike", "--records", &bad_records], "unknown_object");
    let missing = env.dir.join("missing.json").display().to_string();
    assert_eq!(env.run(&["change", "propose", &changes, "--as", "mgr_east_mike", "--records", &missing]).status.code(), Some(1));
    assert_eq!(env.run(&["state", "export"]).stdout, before, "no request, no audit entry");
    // With good records the preview counts what changes, and the request is made.
    let out = env.json(&["change", "propose", &changes, "--as", "mgr_east_mike", "--records", "examples/reference-records.json"]);
    assert_eq!(out["id"], "R1");
    let total = &out["diff"]["summary"]["total"];
    assert_eq!(out["diff"]["changes"].as_u64().unwrap(), total["gained"].as_u64().unwrap() + total["lost"].as_u64().unwrap());
    assert!(out["diff"]["changes"].as_u64().unwrap() > 0);
}

#[test]
fn a_missing_or_foreign_database_fails_closed() {
    let env = Env::new("missing");
    for args in [&["audit", "verify"][..], &["audit", "export"], &["state", "export"], &["versions", "list"], &["change", "show"]] {
        env.fails(args, "no_state");
        assert!(!env.dir.join("state.db").exists(), "{args:?} created the database");
    }
    // An empty file, or an SQLite database of something else, is not a state either.
    std::fs::write(env.dir.join("state.db"), "").unwrap();
    env.fails(&["audit", "verify"], "no_state");
    // A state whose audit log was deleted whole (head included) does not verify.
    std::fs::remove_file(env.dir.join("state.db")).unwrap();
    env.json(&["versions", "init", "examples/reference-org.json", "--as", "admin_ivy"]);
    let conn = rusqlite::Connection::open(env.dir.join("state.db")).unwrap();
    conn.execute_batch("DELETE FROM audit; DELETE FROM meta;").unwrap();
    env.fails(&["audit", "verify"], "broken_chain");
}

#[test]
fn access_review_revocations_become_a_request() {
    let env = Env::new("review");
    env.json(&["versions", "init", "examples/reference-org.json", "--as", "admin_ivy"]);
    let campaign = env.json(&["review", "start", "--as", "admin_ivy", "--due", "2026-12-01T00:00:00Z"]);
    let items = campaign["items"].as_array().unwrap();
    // Managers by role hierarchy: mike reviews alice.
    let alice = items.iter().find(|i| i["user"] == "rep_east_alice" && i["grant"] == "profile").unwrap();
    assert_eq!(alice["reviewer"], "mgr_east_mike");
    let dan_export = items.iter().find(|i| i["user"] == "rep_west_dan" && i["value"] == "export_reports").unwrap();
    let item = dan_export["id"].to_string();
    let reviewer = dan_export["reviewer"].as_str().unwrap();
    env.fails(&["review", "decide", "C1", &item, "revoke", "--as", "rep_east_alice"], "not_the_reviewer");
    env.json(&["review", "decide", "C1", &item, "revoke", "--as", reviewer, "--comment", "no longer exports"]);
    let shown = env.json(&["review", "show", "C1", "--at", "2026-12-02T00:00:00Z"]);
    assert_eq!(shown["overdue"].as_array().unwrap().len(), items.len() - 1, "undecided items are overdue after the due date");
    let closed = env.json(&["review", "close", "C1", "--as", "admin_ivy"]);
    assert_eq!(closed["request"]["summary"][0], "revoke permission set `export_reports` from user `rep_west_dan`");
    assert_eq!(closed["request"]["state"], "pending");
}
