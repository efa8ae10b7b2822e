//! The control plane over real HTTP: the binary serves a SQLite state, and
//! admins sign in with their passwords. Who acts comes from the session
//! only; who may do what is the core's rule on every route.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod support;

use serde_json::{Value, json};
use support::{PASSWORD, Server, answer, move_bob, refused};

#[test]
fn the_whole_cycle_between_two_admins_with_identity_from_the_session() {
    let server = Server::start("cycle");
    let mike = server.sign_in("mgr_east_mike");
    let ivy = server.sign_in("admin_ivy");
    let alice = server.sign_in("rep_east_alice");

    // The body cannot name who acts.
    let mut claimed = move_bob();
    claimed["actor"] = json!("admin_ivy");
    refused(mike.post("/v1/requests", &claimed), 400, "bad_value");

    let (status, request) = answer(mike.post("/v1/requests", &move_bob()));
    assert_eq!(status, 201, "{request}");
    assert_eq!(
        (request["id"].as_str(), request["author"].as_str(), request["state"].as_str()),
        (Some("R1"), Some("mgr_east_mike"), Some("pending"))
    );
    assert_eq!(request["history"][0]["comment"], "bob moves west");
    // The list is rendered once per state of the log: each step shows in it at once.
    let listed =
        |who: &support::Admin| answer(who.get("/v1/requests")).1.as_array().unwrap().iter().map(|r| r["state"].clone()).collect::<Vec<_>>();
    assert_eq!(listed(&alice), [json!("pending")]);

    refused(mike.post("/v1/requests/R1/approve", &json!({})), 403, "self_approval");
    let (_, audit) = answer(alice.get("/v1/audit"));
    let last = audit["entries"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["action"].as_str(), last["actor"].as_str(), last["subject"].as_str()),
        (Some("refused"), Some("mgr_east_mike"), Some("R1"))
    );
    assert_eq!(last["details"], json!({"what": "approve", "codes": ["self_approval"]}));
    refused(alice.post("/v1/requests/R1/approve", &json!({})), 403, "not_an_approver");
    refused(ivy.post("/v1/requests/R1/apply", &json!({})), 409, "bad_state");
    let (status, approved) = answer(ivy.post("/v1/requests/R1/approve", &json!({"comment": "ok"})));
    assert_eq!((status, approved["state"].as_str()), (200, Some("approved")), "{approved}");
    assert_eq!(listed(&mike), [json!("approved")]);
    refused(mike.post("/v1/requests/R1/apply", &json!({})), 403, "not_an_approver");
    let (status, applied) = answer(ivy.post("/v1/requests/R1/apply", &Value::Null));
    assert_eq!((status, applied["state"].as_str()), (200, Some("applied")), "{applied}");

    let (_, versions) = answer(alice.get("/v1/versions"));
    assert_eq!(versions.as_array().unwrap().len(), 2);
    assert_eq!(versions[1]["request"], "R1");
    assert_eq!(versions[1]["author"], "admin_ivy");
    let (_, current) = answer(alice.get("/v1/versions/current"));
    assert_eq!(current["hash"], applied["applied_version"]);
    let (_, list) = answer(alice.get("/v1/requests"));
    assert_eq!(list.as_array().unwrap().len(), 1);
    refused(alice.get("/v1/requests/R9"), 404, "unknown_request");
    refused(alice.post("/v1/requests/R1/promote", &json!({})), 404, "not_found");

    // A restore is a request like any other; its author cannot approve or apply it.
    let first = versions[0]["version"].as_str().unwrap();
    let (status, restore) = answer(ivy.post(&format!("/v1/versions/{}/restore", &first[..10]), &json!({})));
    assert_eq!(status, 201, "{restore}");
    refused(ivy.post("/v1/requests/R2/approve", &json!({})), 403, "self_approval");
    let fiona = server.sign_in("fin_mgr_fiona");
    assert_eq!(answer(fiona.post("/v1/requests/R2/approve", &json!({}))).0, 200);
    refused(ivy.post("/v1/requests/R2/apply", &json!({})), 403, "self_apply");
    assert_eq!(answer(fiona.post("/v1/requests/R2/apply", &json!({}))).0, 200);
    let (_, current) = answer(alice.get("/v1/versions/current"));
    assert_eq!(current["hash"], first, "the restore brought the first version back");
    let (status, old) = answer(alice.get(&format!("/v1/versions/{}", &versions[1]["version"].as_str().unwrap()[..10])));
    assert_eq!((status, &old["hash"], &old["seq"]), (200, &versions[1]["version"], &json!(2)), "one version by its prefix, {old}");
    assert!(old["policy"]["users"].is_array(), "with its policy");
    refused(alice.get("/v1/versions/ffffffffff"), 404, "unknown_version");

    // A request's page reads its own story: its steps, its refusals and the version its apply made.
    let (status, story) = answer(alice.get("/v1/audit?request=R1"));
    assert_eq!(status, 200, "{story}");
    let told: Vec<&str> = story["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    let steps: Vec<&str> = told.iter().copied().filter(|a| *a != "refused").collect();
    assert_eq!(steps, ["request_submitted", "request_approved", "version_created", "request_applied"], "{told:?}");
    assert!(told.contains(&"refused"), "the refused self-approval is part of its story");
    let about_r1 = |e: &Value| e["subject"] == "R1" || e["details"]["request"] == "R1";
    assert!(story["entries"].as_array().unwrap().iter().all(about_r1));
    let (_, whole) = answer(alice.get("/v1/audit"));
    assert_eq!(story["head"], whole["head"], "the head is the whole log's");
    assert!(whole["entries"].as_array().unwrap().len() > told.len());
    let (_, encoded) = answer(alice.get("/v1/audit?request=R%32"));
    assert_eq!(encoded["entries"].as_array().unwrap().iter().map(|e| e["subject"].as_str().unwrap()).collect::<Vec<_>>()[0], "R2");
    assert!(answer(alice.get("/v1/audit?request=R9")).1["entries"].as_array().unwrap().is_empty());
    refused(alice.get("/v1/audit?requests=R1"), 400, "unknown_key");

    // The audit log names the session's users and verifies with the CLI.
    let (_, audit) = answer(alice.get("/v1/audit"));
    let steps: Vec<(String, String)> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("request_"))
        .map(|e| (e["action"].as_str().unwrap().to_owned(), e["actor"].as_str().unwrap().to_owned()))
        .collect();
    let expected = [
        ("request_submitted", "mgr_east_mike"),
        ("request_approved", "admin_ivy"),
        ("request_applied", "admin_ivy"),
        ("request_submitted", "admin_ivy"),
        ("request_approved", "fin_mgr_fiona"),
        ("request_applied", "fin_mgr_fiona"),
    ];
    assert_eq!(steps, expected.map(|(a, b)| (a.to_owned(), b.to_owned())));
    assert_eq!(server.state(|s| s.verify(None)), audit["entries"].as_array().unwrap().len());

    // One JSON log line per request, with its id, method, path, status and time; never a secret.
    let log = std::fs::read_to_string(server.dir.join("server.log")).unwrap();
    let lines: Vec<Value> = log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let requests: Vec<&Value> = lines.iter().filter(|l| l["fields"]["message"] == "request").collect();
    assert!(requests.iter().any(|l| l["fields"]["path"] == "/v1/requests/R1/approve" && l["fields"]["status"] == 403));
    assert!(
        requests.iter().all(|l| l["fields"]["request_id"].is_u64() && l["fields"]["ms"].is_string() && l["fields"]["method"].is_string())
    );
    assert!(!log.contains(support::PASSWORD) && !log.contains(&ivy.csrf) && !log.contains("clearance_session"), "no secret is logged");
}

#[test]
fn wrong_passwords_lock_the_account_and_every_attempt_is_audited() {
    let server = Server::start("lockout");
    let client = server.client();
    refused(client.sign_in("nobody", PASSWORD), 401, "bad_credentials");
    for _ in 0..4 {
        refused(client.sign_in("mgr_east_mike", "wrong password!"), 401, "bad_credentials");
    }
    let locked = refused(client.sign_in("mgr_east_mike", "wrong password!"), 429, "locked_out");
    assert!(locked["message"].as_str().unwrap().contains("15 minutes"), "{locked}");
    refused(client.sign_in("mgr_east_mike", PASSWORD), 429, "locked_out");
    // Another account is not affected.
    let ivy = server.sign_in("admin_ivy");
    let (_, audit) = answer(ivy.get("/v1/audit"));
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["subject"] == "mgr_east_mike")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["password_set", "sign_in_failed", "sign_in_failed", "sign_in_failed", "sign_in_failed", "sign_in_failed", "account_locked"]
    );
    assert!(
        audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "sign_in_failed" && e["actor"] == "nobody" && e["details"]["address"] == support::OFFICE)
    );
    // Resetting the password at the console (to a new one: the last five are refused) lifts the lockout.
    let password = server.dir.join("new-password");
    std::fs::write(&password, "another horse battery staple").unwrap();
    let out = server.console(&["password", "--user", "mgr_east_mike", "--password-file", support::s(&password)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(client.sign_in("mgr_east_mike", "another horse battery staple").status(), 200);
}

#[test]
fn forged_csrf_less_and_signed_out_sessions_are_refused() {
    let server = Server::start("sessions");
    let anonymous = server.client();
    refused(anonymous.get("/v1/requests"), 401, "unauthenticated");
    let forged = reqwest::blocking::Client::new();
    let response = forged
        .get(format!("{}/v1/requests", server.url))
        .header("cookie", format!("clearance_session={}", "ab".repeat(32)))
        .send()
        .unwrap();
    refused(response, 401, "unauthenticated");

    let mut mike = server.sign_in("mgr_east_mike");
    let csrf = std::mem::take(&mut mike.csrf);
    refused(mike.post("/v1/requests", &move_bob()), 403, "csrf_refused");
    mike.csrf = "0".repeat(64);
    refused(mike.post("/v1/requests", &move_bob()), 403, "csrf_refused");
    mike.csrf = csrf;
    assert_eq!(answer(mike.get("/v1/session")).1["user"], "mgr_east_mike");
    assert_eq!(mike.post("/v1/requests", &move_bob()).status(), 201);
    let (_, audit) = answer(mike.get("/v1/audit"));
    let entries = audit["entries"].as_array().unwrap();
    assert_eq!(entries.iter().filter(|e| e["action"] == "request_submitted").count(), 1, "a refused request changes nothing");
    let refusals: Vec<&Value> = entries.iter().filter(|e| e["action"] == "refused").collect();
    assert_eq!(refusals.len(), 2, "each refusal is recorded");
    assert!(refusals.iter().all(|e| e["actor"] == "mgr_east_mike" && e["details"]["codes"][0] == "csrf_refused"));

    // Sign-out ends this session; sign-out everywhere ends the others.
    let other = server.sign_in("mgr_east_mike");
    assert_eq!(mike.delete("/v1/session").status(), 200);
    refused(mike.get("/v1/requests"), 401, "unauthenticated");
    let third = server.sign_in("mgr_east_mike");
    assert_eq!(answer(third.post("/v1/session/everywhere", &json!({}))).1["signed_out"], 2);
    refused(other.get("/v1/requests"), 401, "unauthenticated");
    refused(third.get("/v1/requests"), 401, "unauthenticated");
}

#[test]
fn what_the_server_keeps_between_reads_never_outlives_a_write_to_its_database() {
    let server = Server::start("kept");
    let mike = server.sign_in("mgr_east_mike");
    let listed = |who: &support::Admin| answer(who.get("/v1/requests")).1.as_array().unwrap().len();
    assert_eq!((listed(&mike), listed(&mike)), (0, 0), "read twice: the second from what the server kept");
    // Another writer of the file (not through the server) adds a request, then ends every session.
    server.state(|s| {
        let changes = serde_json::from_value(move_bob()["changes"].clone()).unwrap();
        clearance_core::change::steps::propose(s, "admin_ivy", changes, "", "2026-12-01T10:00:00Z")
    });
    assert_eq!(listed(&mike), 1, "the next read sees the request");
    server.state(|s| s.exec("DELETE FROM sessions", &[]));
    refused(mike.get("/v1/requests"), 401, "unauthenticated");
}

#[test]
fn requests_keep_their_own_ids_and_their_place_in_the_list_as_they_move() {
    let server = Server::start("order");
    let mike = server.sign_in("mgr_east_mike");
    let ivy = server.sign_in("admin_ivy");
    for comment in ["first", "second", "third"] {
        let mut proposal = move_bob();
        proposal["comment"] = json!(comment);
        assert_eq!(mike.post("/v1/requests", &proposal).status(), 201);
    }
    // A step saves the request again: it keeps its id and its place.
    assert_eq!(ivy.post("/v1/requests/R1/reject", &json!({"comment": "no"})).status(), 200);
    let (_, list) = answer(ivy.get("/v1/requests"));
    let rows: Vec<(Value, Value, Value)> =
        list.as_array().unwrap().iter().map(|r| (r["id"].clone(), r["history"][0]["comment"].clone(), r["state"].clone())).collect();
    assert_eq!(
        rows,
        [
            (json!("R1"), json!("first"), json!("rejected")),
            (json!("R2"), json!("second"), json!("pending")),
            (json!("R3"), json!("third"), json!("pending"))
        ]
    );
}

#[test]
fn concurrent_approvals_of_one_request_have_exactly_one_winner() {
    let server = Server::start("race");
    let mike = server.sign_in("mgr_east_mike");
    assert_eq!(mike.post("/v1/requests", &move_bob()).status(), 201);
    let approvers: Vec<_> = (0..8).map(|_| server.sign_in("fin_mgr_fiona")).collect();
    let barrier = std::sync::Barrier::new(approvers.len());
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = approvers
            .iter()
            .map(|admin| {
                let barrier = &barrier;
                scope.spawn(move || {
                    barrier.wait();
                    admin.post("/v1/requests/R1/approve", &json!({})).status().as_u16()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
    let (_, audit) = answer(mike.get("/v1/audit"));
    assert_eq!(audit["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "request_approved").count(), 1);
}

#[test]
fn bad_input_is_a_coded_error_and_a_missing_state_fails_closed() {
    let server = Server::start("input");
    let mike = server.sign_in("mgr_east_mike");
    let response =
        mike.http.post(format!("{}/v1/requests", server.url)).header("x-csrf-token", &mike.csrf).body("{not json").send().unwrap();
    refused(response, 400, "json_syntax");
    let body = refused(
        mike.post("/v1/requests", &json!({"changes": [{"op": "move_user", "user": "nobody", "role": "sales_rep_west"}]})),
        400,
        "unknown_user",
    );
    assert!(body["errors"][0]["path"].as_str().unwrap().starts_with("/changes/0"), "{body}");
    refused(mike.get("/v1/nothing"), 404, "not_found");
    assert_eq!(mike.get("/healthz").status(), 200);
    let ready = mike.get("/readyz");
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().unwrap(), "ready");
    let (status, doc) = answer(server.client().get("/v1/openapi.json"));
    assert_eq!((status, doc["openapi"].as_str()), (200, Some("3.1.0")), "served to anyone, signed in or not");
    // The server answers before reading an oversized body, then drops the connection: the client's last request.
    let huge = "x".repeat(9 * 1024 * 1024);
    let response = mike.http.post(format!("{}/v1/requests", server.url)).header("x-csrf-token", &mike.csrf).body(huge).send().unwrap();
    refused(response, 413, "payload_too_large");

    let missing = support::scratch("missing");
    let out = std::process::Command::new(support::binary())
        .args(["serve", "--data", support::s(&missing), "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[no_state]"), "{}", String::from_utf8_lossy(&out.stderr));
    let short = missing.join("short");
    std::fs::write(&short, "short\n").unwrap();
    let out = server.console(&["password", "--user", "mgr_east_mike", "--password-file", support::s(&short)]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("[weak_password]"), "{}", String::from_utf8_lossy(&out.stderr));
    // On PostgreSQL, a database no `init` started is no state either.
    if let Some(empty) = Server::empty_database("empty") {
        let args = ["serve", "--data", support::s(&missing), "--database", empty.as_str(), "--listen", "127.0.0.1:0"];
        let out = std::process::Command::new(support::binary()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("[no_state]"), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn sign_in_attempts_are_limited_per_address_across_accounts() {
    let server = Server::start("rate");
    let guesser = server.client_from("10.6.6.6");
    for user in ["mgr_east_mike", "rep_east_alice", "fin_mgr_fiona", "nobody", "admin_ivy"].iter().cycle().take(10) {
        refused(guesser.sign_in(user, "guess"), 401, "bad_credentials");
    }
    let body = refused(guesser.sign_in("mgr_east_mike", PASSWORD), 429, "rate_limited");
    assert!(body["message"].as_str().unwrap().contains("seconds"), "{body}");
    assert_eq!(server.client_from("10.6.6.7").sign_in("mgr_east_mike", PASSWORD).status(), 200, "another address is not held back");
}

#[test]
fn importing_a_policy_is_a_change_request_its_importer_cannot_approve() {
    let server = Server::start("import");
    let ivy = server.sign_in("admin_ivy");
    let fiona = server.sign_in("fin_mgr_fiona");
    let mut policy: Value =
        serde_json::from_str(&std::fs::read_to_string(support::repo().join("examples/reference-org.json")).unwrap()).unwrap();
    policy["name"] = json!("imported from another system");
    let (status, request) =
        answer(ivy.post("/v1/requests", &json!({"changes": [{"op": "replace_policy", "policy": policy}], "comment": "import"})));
    assert_eq!(status, 201, "{request}");
    refused(ivy.post("/v1/requests/R1/approve", &json!({})), 403, "self_approval");
    assert_eq!(fiona.post("/v1/requests/R1/approve", &json!({})).status(), 200);
    refused(ivy.post("/v1/requests/R1/apply", &json!({})), 403, "self_apply");
    assert_eq!(fiona.post("/v1/requests/R1/apply", &json!({})).status(), 200);
    let (_, current) = answer(ivy.get("/v1/versions/current"));
    assert_eq!(current["policy"]["name"], "imported from another system");
    // A whole state (another history) is never imported over the server's own: there is no such route.
    refused(ivy.post("/v1/state/import", &json!({})), 404, "not_found");
}

/// A raw `GET` of `path` exactly as written (no client normalising it): status line, headers, body.
fn raw_get(url: &str, path: &str, accept: &str) -> (String, String, Vec<u8>) {
    use std::io::{Read, Write};
    let address = url.trim_start_matches("http://");
    let mut socket = std::net::TcpStream::connect(address).unwrap();
    write!(socket, "GET {path} HTTP/1.1\r\nHost: {address}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n").unwrap();
    let mut bytes = Vec::new();
    socket.read_to_end(&mut bytes).unwrap();
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(bytes[..end].to_vec()).unwrap().to_lowercase();
    let status = head.lines().next().unwrap().to_owned();
    (status, head, bytes[end + 4..].to_vec())
}

#[test]
fn the_admin_app_is_served_on_the_api_origin_and_no_address_reads_outside_it() {
    let mut server = Server::start("site");
    let app = server.dir.join("app");
    std::fs::create_dir_all(app.join("snippets")).unwrap();
    std::fs::write(app.join("index.html"), "<!doctype html><title>app</title>").unwrap();
    std::fs::write(app.join("clearance-web-1a2b.wasm"), [0u8, 97, 115, 109]).unwrap();
    std::fs::write(app.join("snippets/inline0.js"), "export {};").unwrap();
    std::fs::write(server.dir.join("secret.txt"), "secret").unwrap();
    server.kill();
    let dir = server.dir.clone();
    let server = Server::serve_with(dir, true, &["--app", support::s(&app)]);
    let page = "text/html,*/*";
    // The app's own addresses are its page; the page is never framed by another site.
    for path in ["/", "/requests/R1", "/who?user=bob", "/index.html"] {
        let (status, head, body) = raw_get(&server.url, path, page);
        assert!(status.contains(" 200"), "{path}: {status}");
        assert!(head.contains("content-type: text/html"), "{path}: {head}");
        assert!(head.contains("x-frame-options: deny") && head.contains("frame-ancestors 'none'"), "{path}: {head}");
        assert!(head.contains("cache-control: no-cache"), "{path}: {head}");
        assert_eq!(body, b"<!doctype html><title>app</title>", "{path}");
    }
    let (status, head, body) = raw_get(&server.url, "/clearance-web-1a2b.wasm", "*/*");
    assert!(status.contains(" 200") && head.contains("content-type: application/wasm") && head.contains("immutable"), "{head}");
    assert_eq!(body, [0u8, 97, 115, 109]);
    let (_, head, _) = raw_get(&server.url, "/snippets/inline0.js", "*/*");
    assert!(head.contains("content-type: text/javascript"), "{head}");
    // Nothing outside the app's directory, however the address is spelled.
    for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/snippets/../../secret.txt", "//etc/passwd", "/data/state.db"] {
        let (status, _, body) = raw_get(&server.url, path, page);
        assert!(!String::from_utf8_lossy(&body).contains("secret"), "{path}");
        assert!(status.contains(" 200") || status.contains(" 404"), "{path}: {status}");
    }
    let (status, _, _) = raw_get(&server.url, "/missing.js", "*/*");
    assert!(status.contains(" 404"), "a missing asset is not the page: {status}");
    // The API keeps its own answers, its not-found included.
    refused(server.client().get("/v1/nothing"), 404, "not_found");
    refused(server.client().get("/v1/requests"), 401, "unauthenticated");
    let posted = server.client().http.post(format!("{}/requests", server.url)).send().unwrap();
    assert_eq!(posted.status(), 405);
    // An app directory without its page is refused at start, naming the option.
    let empty = support::scratch("site-empty");
    let out = std::process::Command::new(support::binary())
        .args(["serve", "--data", support::s(&server.dir.join("data")), "--listen", "127.0.0.1:0", "--app", support::s(&empty)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[app_not_found]") && stderr.contains("/app"), "{stderr}");
}
