//! The policy's `sign_in` section judges admins' passwords: every broken
//! rule named, reuse of recent passwords refused, lockout after the
//! policy's count, expiry, and a second factor for holders of listed
//! system permissions.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod support;

use serde_json::{Value, json};
use std::process::Command;
use support::{Server, answer, refused, s};

const FIRST: &str = "Correct Horse 42 Battery";

fn policy_with(sign_in: Value) -> Value {
    let mut policy: Value =
        serde_json::from_str(&std::fs::read_to_string(support::repo().join("examples/reference-org.json")).unwrap()).unwrap();
    policy["sign_in"] = sign_in;
    policy
}

/// A started state on `policy` with admin_ivy and mgr_east_mike holding `FIRST`; the server behind a trusted proxy.
fn server(name: &str, policy: &Value) -> Server {
    let dir = support::scratch(name);
    let (path, password) = (dir.join("policy.json"), dir.join("password"));
    std::fs::write(&path, policy.to_string()).unwrap();
    std::fs::write(&password, FIRST).unwrap();
    let data = dir.join("data");
    support::run_ok(&["init", "--data", s(&data), "--policy", s(&path), "--admin", "admin_ivy", "--password-file", s(&password)]);
    for user in ["mgr_east_mike", "fin_mgr_fiona"] {
        support::run_ok(&["password", "--data", s(&data), "--user", user, "--password-file", s(&password)]);
    }
    Server::serve(dir, true)
}

/// Changes a password from the office, each call from its own address (ten attempts per address are allowed at once).
fn change(server: &Server, user: &str, current: &str, new: &str) -> reqwest::blocking::Response {
    static NEXT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(10);
    let host = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let body = json!({"user": user, "password": current, "new_password": new});
    server.client_from(&format!("10.0.1.{host}")).http.post(format!("{}/v1/password", server.url)).json(&body).send().unwrap()
}

#[test]
fn the_policy_rules_judge_every_password_and_its_reuse() {
    let rules =
        json!({"password": {"min_length": 14, "require": ["upper", "digit"], "history": 2, "lockout_after": 3, "lockout_minutes": 1}});
    let policy = policy_with(rules);

    // The console refuses a weak first password, naming each broken rule.
    let dir = support::scratch("weak-init");
    let (path, weak) = (dir.join("policy.json"), dir.join("weak"));
    std::fs::write(&path, policy.to_string()).unwrap();
    std::fs::write(&weak, "correct horse").unwrap();
    let out = Command::new(support::binary())
        .args(["init", "--data", s(&dir.join("data")), "--policy", s(&path), "--admin", "admin_ivy", "--password-file", s(&weak)])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    for reason in ["at least 14 characters", "an uppercase letter", "a digit"] {
        assert!(stderr.contains(reason), "{stderr}");
    }

    let server = server("rules", &policy);
    let mike = "mgr_east_mike";
    refused(change(&server, mike, "not the password", "Tall Giraffe 42 Eats"), 401, "bad_credentials");
    let body = refused(change(&server, mike, FIRST, "tall giraffe"), 400, "weak_password");
    assert_eq!(body["errors"].as_array().unwrap().len(), 3, "{body}");
    let body = refused(change(&server, mike, FIRST, FIRST), 400, "weak_password");
    assert!(body["message"].as_str().unwrap().contains("last 2"), "{body}");
    refused(change(&server, mike, FIRST, "Password1234567!"), 400, "weak_password");
    assert_eq!(change(&server, mike, FIRST, "Tall Giraffe 42 Eats").status(), 200);
    assert_eq!(change(&server, mike, "Tall Giraffe 42 Eats", "Quiet River 7 Flows").status(), 200);
    // The last two are the current one and the one before it.
    refused(change(&server, mike, "Quiet River 7 Flows", "Tall Giraffe 42 Eats"), 400, "weak_password");
    assert_eq!(change(&server, mike, "Quiet River 7 Flows", "Old Lighthouse 9 Keeps").status(), 200);
    // Three passwords later the first is out of the last two: allowed again.
    assert_eq!(change(&server, mike, "Old Lighthouse 9 Keeps", FIRST).status(), 200);
    let client = server.client();
    assert_eq!(client.sign_in(mike, FIRST).status(), 200);
    refused(client.sign_in(mike, "Quiet River 7 Flows"), 401, "bad_credentials");

    // The policy's lockout count: three failures in a row (the old password above was the first).
    refused(client.sign_in(mike, "wrong"), 401, "bad_credentials");
    let body = refused(client.sign_in(mike, "wrong"), 429, "locked_out");
    assert!(body["message"].as_str().unwrap().contains("1 minutes"), "{body}");
}

#[test]
fn an_expired_password_is_changed_before_signing_in() {
    let server = server("expiry", &policy_with(json!({"password": {"max_age_days": 30}})));
    let forty_days = 40 * 86_400_000_i64;
    let sql = r#"UPDATE accounts SET password_set_ms = password_set_ms - $1 WHERE "user" = 'mgr_east_mike'"#;
    assert_eq!(server.state(|s| s.exec(sql, &[forty_days.into()])), 1);
    let body = refused(server.client().sign_in("mgr_east_mike", FIRST), 403, "password_expired");
    assert!(body["message"].as_str().unwrap().contains("30 days"), "{body}");
    assert_eq!(change(&server, "mgr_east_mike", FIRST, "Tall Giraffe 42 Eats").status(), 200);
    assert_eq!(server.client().sign_in("mgr_east_mike", "Tall Giraffe 42 Eats").status(), 200);
}

#[test]
fn holders_of_listed_system_permissions_need_a_second_factor() {
    let server = server("mfa-permission", &policy_with(json!({"mfa_for_system_permissions": ["export"]})));
    // fin_mgr_fiona holds `export`; her bundles require no MFA of their own.
    let (status, body) = answer(server.client().sign_in("fin_mgr_fiona", FIRST));
    assert_eq!((status, body["mfa_enrollment_required"].as_bool()), (200, Some(true)), "{body}");
    let (status, body) = answer(server.client().sign_in("mgr_east_mike", FIRST));
    assert_eq!((status, body["mfa_enrollment_required"].as_bool()), (200, Some(false)), "{body}");
}

#[test]
fn a_bad_sign_in_section_is_refused_with_its_paths() {
    let dir = support::scratch("bad-section");
    let (path, password) = (dir.join("policy.json"), dir.join("password"));
    std::fs::write(&path, policy_with(json!({"password": {"min_length": 4, "require": ["emoji"]}, "extra": 1})).to_string()).unwrap();
    std::fs::write(&password, FIRST).unwrap();
    let out = Command::new(support::binary())
        .args(["init", "--data", s(&dir.join("data")), "--policy", s(&path), "--admin", "admin_ivy", "--password-file", s(&password)])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("/sign_in"), "{stderr}");
}
