//! The org's own session rules judge its admins: a second factor where a
//! bundle requires one (TOTP enrolled and confirmed, codes used once,
//! recovery codes spent once), IP ranges read from the socket or a trusted
//! proxy only, and login hours — at sign-in and on every request.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod support;

use serde_json::{Value, json};
use support::{PASSWORD, Server, answer, refused};

#[test]
fn a_bundle_that_requires_mfa_gets_an_enrolled_and_used_second_factor() {
    let server = Server::start("mfa");
    // admin_ivy's profile requires MFA: password alone opens only enrollment.
    let ivy = server.client();
    let (status, body) = answer(ivy.sign_in("admin_ivy", PASSWORD));
    assert_eq!((status, body["mfa_enrollment_required"].as_bool(), body["mfa"].as_bool()), (200, Some(true), Some(false)), "{body}");
    let mut ivy = ivy;
    ivy.csrf = body["csrf"].as_str().unwrap().to_owned();
    refused(ivy.get("/v1/requests"), 403, "mfa_required");
    // A second password-only session, opened before the enrollment below.
    let mut other = server.client();
    other.csrf = answer(other.sign_in("admin_ivy", PASSWORD)).1["csrf"].as_str().unwrap().to_owned();
    refused(ivy.post("/v1/mfa/confirm", &json!({"code": "123456"})), 400, "not_enrolling");
    let (_, enrollment) = answer(ivy.post("/v1/mfa/enroll", &json!({})));
    let url = enrollment["otpauth_url"].as_str().unwrap();
    assert!(url.starts_with("otpauth://totp/Clearance:admin_ivy?") && url.contains("issuer=Clearance"), "{url}");
    let secret = enrollment["secret"].as_str().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let stale = support::totp(secret).generate(now - 600).to_string();
    refused(ivy.post("/v1/mfa/confirm", &json!({"code": stale})), 400, "bad_code");
    let code = support::totp(secret).generate(now).to_string();
    let (status, confirmed) = answer(ivy.post("/v1/mfa/confirm", &json!({"code": code})));
    assert_eq!(status, 200, "{confirmed}");
    let recovery: Vec<String> = confirmed["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(recovery.len(), 10);
    assert_eq!(ivy.get("/v1/requests").status(), 200, "the session proved the second factor");

    // Later sign-ins need a code; a used code does not work twice.
    let next = server.client();
    refused(next.sign_in("admin_ivy", PASSWORD), 401, "mfa_code_required");
    refused(next.sign_in_with("admin_ivy", PASSWORD, Some("000000")), 401, "bad_credentials");
    refused(next.sign_in_with("admin_ivy", PASSWORD, Some(&code)), 401, "bad_credentials");
    refused(
        next.sign_in_with("admin_ivy", "wrong password!", Some(&support::totp(secret).generate(now + 30).to_string())),
        401,
        "bad_credentials",
    );
    let fresh = support::totp(secret).generate(now + 30).to_string();
    let (status, body) = answer(next.sign_in_with("admin_ivy", PASSWORD, Some(&fresh)));
    assert_eq!((status, body["mfa"].as_bool()), (200, Some(true)), "{body}");
    // A recovery code works once, in any case and grouping.
    let spent = recovery[0].to_uppercase().replace('-', " ");
    assert_eq!(server.client().sign_in_with("admin_ivy", PASSWORD, Some(&spent)).status(), 200);
    refused(server.client().sign_in_with("admin_ivy", PASSWORD, Some(&recovery[0])), 401, "bad_credentials");
    // Replacing the second factor needs a session that passed it: the older password-only one cannot.
    refused(other.post("/v1/mfa/enroll", &json!({})), 403, "mfa_required");
    refused(other.get("/v1/requests"), 403, "mfa_required");
    assert_eq!(ivy.post("/v1/mfa/enroll", &json!({})).status(), 200, "a session that passed it can");
    let (_, audit) = answer(ivy.get("/v1/audit"));
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["subject"] == "admin_ivy")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"mfa_enrolled") && actions.contains(&"recovery_code_used"), "{actions:?}");
    assert_eq!(actions.iter().filter(|a| **a == "sign_in_failed").count(), 4, "{actions:?}");
}

#[test]
fn ip_ranges_read_the_socket_or_a_trusted_proxy_and_judge_every_request() {
    let server = Server::start("ip");
    // fin_mgr_fiona's profile allows 10.0.0.0/8 and 192.168.1.0/24.
    let away = server.client_from("203.0.113.9");
    let body = refused(away.sign_in("fin_mgr_fiona", PASSWORD), 403, "ip_not_allowed");
    assert!(body["message"].as_str().unwrap().contains("`203.0.113.9`"), "{body}");
    // A forged left-hand hop does not help: the proxy appended the real one.
    let forged = server.client_from("10.0.0.7, 203.0.113.9");
    refused(forged.sign_in("fin_mgr_fiona", PASSWORD), 403, "ip_not_allowed");
    let fiona = server.sign_in("fin_mgr_fiona");
    assert_eq!(fiona.get("/v1/requests").status(), 200);
    // The same session from another address is refused on its next request.
    let moved = fiona.http.get(format!("{}/v1/requests", server.url)).header("x-forwarded-for", "198.51.100.4").send().unwrap();
    refused(moved, 403, "ip_not_allowed");
    let (_, audit) = answer(fiona.get("/v1/audit"));
    let entries = audit["entries"].as_array().unwrap();
    assert!(entries.iter().any(|e| e["action"] == "sign_in_refused" && e["details"]["address"] == "203.0.113.9"));
    assert!(entries.iter().any(|e| e["action"] == "refused" && e["details"]["what"] == "session_rules" && e["actor"] == "fin_mgr_fiona"));

    // Without a trusted proxy, the header is the client's word and counts for nothing.
    let direct = Server::start_with("ip-direct", &support::repo().join("examples/reference-org.json"), false);
    refused(direct.client().sign_in("fin_mgr_fiona", PASSWORD), 403, "ip_not_allowed");
    assert_eq!(direct.client().sign_in("mgr_east_mike", PASSWORD).status(), 200, "no ranges: any address");
}

#[test]
fn login_hours_refuse_an_admin_outside_them() {
    let mut policy: Value =
        serde_json::from_str(&std::fs::read_to_string(support::repo().join("examples/reference-org.json")).unwrap()).unwrap();
    let hour = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() / 3600 % 24;
    let closed = format!("{:02}:00", (hour + 12) % 24);
    let reopens = format!("{:02}:30", (hour + 12) % 24);
    let days = json!(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);
    policy["bundles"]["profiles"]["sales_manager"]["session"] = json!({"login_hours": {"days": days, "start": closed, "end": reopens}});
    let dir = support::scratch("hours-policy");
    let path = dir.join("policy.json");
    std::fs::write(&path, policy.to_string()).unwrap();
    let server = Server::start_with("hours", &path, true);
    let body = refused(server.client().sign_in("mgr_east_mike", PASSWORD), 403, "outside_login_hours");
    assert!(body["message"].as_str().unwrap().contains("`sales_manager`"), "{body}");
    assert_eq!(server.client().sign_in("rep_east_alice", PASSWORD).status(), 200, "another profile's hours do not apply");
}
