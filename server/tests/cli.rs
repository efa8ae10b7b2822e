//! The CLI's `--server`: change control against the shared server with an
//! API token from `CLEARANCE_TOKEN`; who acts is the token's admin, never
//! `--as`; the server's refusals come back as the CLI's coded errors.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod support;

use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};
use support::{Server, answer, s};

fn clearance(token: Option<&str>, args: &[&str]) -> Output {
    let cli = Path::new(support::binary()).with_file_name("clearance");
    assert!(cli.exists(), "the CLI binary is built beside the server's (cargo test --workspace, or cargo build -p clearance-cli)");
    let mut command = Command::new(cli);
    command.args(args).env_remove("CLEARANCE_TOKEN");
    if let Some(token) = token {
        command.env("CLEARANCE_TOKEN", token);
    }
    command.output().unwrap()
}

fn ok(out: &Output) -> Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn fails(out: &Output, code: &str) {
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("[{code}]")), "{}", String::from_utf8_lossy(&out.stderr));
}

fn token(admin: &support::Admin) -> String {
    let (status, body) = answer(admin.post("/v1/tokens", &json!({"scopes": ["read", "propose", "approve", "apply", "review"]})));
    assert_eq!(status, 201, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

#[test]
fn the_cli_runs_change_control_on_the_server_as_the_tokens_admin() {
    // The finance profile without its IP ranges: the CLI calls from loopback, with no proxy header.
    let mut policy: Value =
        serde_json::from_str(&std::fs::read_to_string(support::repo().join("examples/reference-org.json")).unwrap()).unwrap();
    policy["bundles"]["profiles"]["finance"].as_object_mut().unwrap().remove("session");
    let dir = support::scratch("cli-policy");
    let path = dir.join("policy.json");
    std::fs::write(&path, policy.to_string()).unwrap();
    let server = Server::start_with("cli", &path, true);
    let mike = token(&server.sign_in("mgr_east_mike"));
    let fiona = token(&server.sign_in("fin_mgr_fiona"));
    let changes = dir.join("changes.json");
    std::fs::write(&changes, r#"[{"op": "move_user", "user": "rep_east_bob", "role": "sales_rep_west"}]"#).unwrap();
    let records = support::repo().join("examples/reference-records.json");
    let url = server.url.as_str();

    let request =
        ok(&clearance(Some(&mike), &["change", "propose", s(&changes), "--server", url, "--comment", "west", "--records", s(&records)]));
    assert_eq!((request["id"].as_str(), request["author"].as_str()), (Some("R1"), Some("mgr_east_mike")));
    assert!(request["diff"]["changes"].as_u64().unwrap() > 0, "{request}");
    fails(&clearance(Some(&mike), &["change", "approve", "R1", "--server", url]), "self_approval");
    fails(&clearance(Some(&mike), &["change", "approve", "R1", "--server", url, "--as", "admin_ivy"]), "bad_value");
    fails(&clearance(Some(&fiona), &["change", "apply", "R1", "--server", url, "--at", "2030-01-01T00:00:00Z"]), "bad_value");
    fails(&clearance(None, &["change", "approve", "R1", "--server", url]), "missing_key");
    fails(&clearance(Some("clr_forged"), &["change", "show", "--server", url]), "bad_token");
    assert_eq!(ok(&clearance(Some(&fiona), &["change", "approve", "R1", "--server", url, "--comment", "ok"]))["state"], "approved");
    assert_eq!(ok(&clearance(Some(&fiona), &["change", "apply", "R1", "--server", url]))["state"], "applied");
    assert_eq!(ok(&clearance(Some(&mike), &["change", "show", "R1", "--server", url]))["state"], "applied");
    assert_eq!(ok(&clearance(Some(&mike), &["change", "show", "--server", url])).as_array().unwrap().len(), 1);
    let versions = ok(&clearance(Some(&mike), &["versions", "list", "--server", url]));
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let first = versions[0]["version"].as_str().unwrap();
    let restore = ok(&clearance(Some(&mike), &["versions", "restore", &first[..10], "--server", url]));
    assert_eq!(restore["author"], "mgr_east_mike");
    // An access review from the CLI: started, decided by its reviewer only, closed by its owner into a request.
    let campaign =
        ok(&clearance(Some(&mike), &["review", "start", "--due", "2030-01-01T00:00:00Z", "--reviewer", "fin_mgr_fiona", "--server", url]));
    let (id, item) = (campaign["id"].as_str().unwrap(), campaign["items"][0]["id"].as_u64().unwrap().to_string());
    fails(&clearance(Some(&mike), &["review", "decide", id, &item, "revoke", "--server", url]), "not_the_reviewer");
    assert_eq!(
        ok(&clearance(Some(&fiona), &["review", "decide", id, &item, "revoke", "--server", url, "--comment", "moved on"]))["verdict"],
        "revoke"
    );
    assert_eq!(ok(&clearance(Some(&mike), &["review", "show", id, "--server", url]))["owner"], "mgr_east_mike");
    let closed = ok(&clearance(Some(&mike), &["review", "close", id, "--server", url]));
    assert_eq!(closed["request"]["author"], "mgr_east_mike");
    fails(&clearance(Some(&mike), &["versions", "init", s(&path), "--server", url]), "bad_value");
    fails(&clearance(Some(&mike), &["change", "show", "--server", "http://127.0.0.1:9"]), "server_unreachable");
}

#[test]
fn clearance_serve_runs_the_server_beside_it() {
    let missing = support::scratch("serve-missing");
    let out = clearance(None, &["serve", "--data", s(&missing), "--listen", "127.0.0.1:0"]);
    fails(&out, "no_state");
    assert!(String::from_utf8_lossy(&out.stderr).contains("clearance-server init"), "{}", String::from_utf8_lossy(&out.stderr));
    let help = clearance(None, &["serve", "--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("control plane"), "{}", String::from_utf8_lossy(&help.stdout));
}
