//! Edge bundles over HTTP: an edge token fetches the current revision's
//! signed bundle, a 304 when nothing changed, a long-poll that an apply
//! ends, one revision by number (immutable), and the fleet view of what
//! each edge runs. A replayed older revision is refused by a loader told
//! to expect a newer one.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod support;

use clearance_core::bundle::{Stamp, Trust, TrustedKey, code, open_trusted};
use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};
use support::{Server, answer, refused};

/// An edge: a bearer token, and the revision it reports running.
struct Edge {
    http: Client,
    url: String,
    token: String,
}

impl Edge {
    fn get(&self, path: &str, running: Option<u64>, seen: Option<&str>) -> Response {
        let mut request = self.http.get(format!("{}{path}", self.url)).bearer_auth(&self.token);
        if let Some(revision) = running {
            request = request.header("x-clearance-revision", revision.to_string());
        }
        if let Some(tag) = seen {
            request = request.header("if-none-match", tag);
        }
        request.send().unwrap()
    }
}

fn edge(server: &Server, admin: &support::Admin, name: &str) -> (Edge, String) {
    let (status, body) = answer(admin.post("/v1/tokens", &json!({"name": name, "scopes": ["edge"], "expires_in_days": 30})));
    assert_eq!(status, 201, "{body}");
    let http = Client::builder().timeout(std::time::Duration::from_secs(60)).build().unwrap();
    (Edge { http, url: server.url.clone(), token: body["token"].as_str().unwrap().to_owned() }, body["id"].as_str().unwrap().to_owned())
}

/// The server's bundle key, as edges trust it.
fn trust(server: &Server, min_revision: u64) -> Trust {
    let text = std::fs::read_to_string(server.dir.join("data/bundle.key.pub")).unwrap();
    let key = clearance_core::bundle::parse_hex_key(&text).unwrap();
    Trust { keys: vec![TrustedKey { key, retired_at_ms: None }], allow_unsigned: false, min_revision, now_ms: Some(0) }
}

fn loaded(server: &Server, response: Response, min_revision: u64) -> (Stamp, String) {
    assert_eq!(response.status(), 200);
    let tag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(response.headers()["content-type"], "application/octet-stream");
    let (engine, stamp) = open_trusted(response.bytes().unwrap().to_vec(), &trust(server, min_revision)).unwrap();
    assert!(engine.lint().unwrap_err().has_code(code::NO_POLICY), "an edge's bundle carries no policy");
    (stamp, tag)
}

fn apply_move(server: &Server, role: &str) {
    let (mike, ivy) = (server.sign_in("mgr_east_mike"), server.sign_in("fin_mgr_fiona"));
    let changes = json!({"changes": [{"op": "move_user", "user": "rep_east_bob", "role": role}]});
    let (_, request) = answer(mike.post("/v1/requests", &changes));
    let id = request["id"].as_str().unwrap();
    assert_eq!(ivy.post(&format!("/v1/requests/{id}/approve"), &json!({})).status(), 200);
    assert_eq!(ivy.post(&format!("/v1/requests/{id}/apply"), &json!({})).status(), 200);
}

#[test]
fn edges_fetch_signed_revisions_long_poll_for_the_next_and_report_what_they_run() {
    let server = Server::start("bundles");
    let mike = server.sign_in("mgr_east_mike");
    let (eu, eu_id) = edge(&server, &mike, "eu-edge");
    let (_, current) = answer(mike.get("/v1/versions/current"));

    let (stamp, tag) = loaded(&server, eu.get("/v1/bundles/current", None, None), 1);
    assert_eq!((stamp.revision, stamp.policy_hash.as_str()), (1, current["hash"].as_str().unwrap()));
    assert!(tag.starts_with("\"1-"), "{tag}");
    // Its first fetch said no revision: the fleet knows none for it yet.
    let (_, fleet) = answer(mike.get("/v1/edges"));
    assert_eq!((fleet["edges"][0]["revision"].clone(), fleet["edges"][0]["behind"].clone()), (Value::Null, Value::Null), "{fleet}");
    let unchanged = eu.get("/v1/bundles/current", Some(1), Some(&tag));
    assert_eq!((unchanged.status().as_u16(), unchanged.headers()["etag"].to_str().unwrap()), (304, tag.as_str()));

    // A long-poll waits for the next revision: an apply ends it with revision 2.
    let polled = std::thread::scope(|scope| {
        let poll = scope.spawn(|| eu.get("/v1/bundles/current?wait=25", Some(1), Some(&tag)));
        std::thread::sleep(std::time::Duration::from_millis(300));
        apply_move(&server, "sales_rep_west");
        poll.join().unwrap()
    });
    let (next, next_tag) = loaded(&server, polled, 2);
    assert_eq!(next.revision, 2);
    assert_ne!(next_tag, tag);

    // One revision by number is immutable; the old one is a replay to a loader expecting 2.
    let old = eu.get("/v1/bundles/1", Some(2), None);
    assert!(old.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    let bytes = old.bytes().unwrap().to_vec();
    assert!(open_trusted(bytes.clone(), &trust(&server, 2)).unwrap_err().has_code(code::STALE_BUNDLE));
    assert_eq!(open_trusted(bytes, &trust(&server, 1)).unwrap().1.revision, 1);
    refused(eu.get("/v1/bundles/9", Some(2), None), 404, "unknown_revision");

    // The fleet: the edge runs revision 2, nothing behind; an admin sees it, the edge token cannot.
    let (status, fleet) = answer(mike.get("/v1/edges"));
    assert_eq!(status, 200, "{fleet}");
    assert_eq!(fleet["current"], 2);
    let row: &Value = fleet["edges"].as_array().unwrap().iter().find(|e| e["token"] == eu_id.as_str()).unwrap();
    assert_eq!((row["name"].as_str(), row["revision"].as_i64(), row["behind"].as_i64()), (Some("eu-edge"), Some(2), Some(0)));
    assert_eq!(row["user"], "mgr_east_mike");
    refused(eu.get("/v1/edges", Some(2), None), 403, "token_scope");
    refused(eu.get("/v1/requests", Some(2), None), 403, "token_scope");
    let bad = eu.http.get(format!("{}/v1/bundles/current", server.url)).bearer_auth(&eu.token).header("x-clearance-revision", "latest");
    refused(bad.send().unwrap(), 400, "bad_value");

    // Another apply: the edge that still reports 2 is one behind.
    apply_move(&server, "sales_rep_east");
    assert_eq!(eu.get("/v1/bundles/current", Some(2), Some(&next_tag)).status(), 200);
    let (_, fleet) = answer(mike.get("/v1/edges"));
    assert_eq!((fleet["current"].as_i64(), fleet["edges"][0]["behind"].as_i64()), (Some(3), Some(1)));

    // Revoked, the token fetches nothing; without one, nothing either.
    assert_eq!(mike.delete(&format!("/v1/tokens/{eu_id}")).status(), 200);
    refused(eu.get("/v1/bundles/current", Some(3), None), 401, "bad_token");
    refused(server.client().get("/v1/bundles/current"), 401, "unauthenticated");
    // An admin may fetch too (to inspect what edges get).
    assert_eq!(mike.get("/v1/bundles/current").status(), 200);
}

#[test]
fn edges_ship_decision_logs_once_per_batch_and_the_fleet_is_analysed() {
    let server = Server::start("events");
    let mike = server.sign_in("mgr_east_mike");
    let (eu, _) = edge(&server, &mike, "eu-edge");
    let event = |user: &str, record: &str| json!({"time": "2026-12-01T09:00:00Z", "user": user, "action": "read", "object": "Account", "record": record, "allowed": true, "reasons": ["owner"], "revision": 1});
    let batch = json!({"batch": "b-1", "events": [event("rep_east_alice", "acc_eu_1"), event("rep_east_bob", "acc_eu_2")]});
    let post = |body: &[u8], gzip: bool| {
        let mut request =
            eu.http.post(format!("{}/v1/events", server.url)).bearer_auth(&eu.token).header("content-type", "application/json");
        if gzip {
            request = request.header("content-encoding", "gzip");
        }
        request.body(body.to_vec()).send().unwrap()
    };
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, batch.to_string().as_bytes()).unwrap();
    let zipped = gz.finish().unwrap();
    let (status, first) = answer(post(&zipped, true));
    assert_eq!((status, first["accepted"].as_i64(), first["duplicate"].as_bool()), (200, Some(2), Some(false)), "{first}");
    // A retry of the same batch (its answer lost) stores nothing twice.
    let (_, again) = answer(post(batch.to_string().as_bytes(), false));
    assert_eq!((again["accepted"].as_i64(), again["duplicate"].as_bool()), (Some(0), Some(true)));
    let (status, report) = answer(mike.post("/v1/activity/analyze", &json!({})));
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["events"], 2);

    // The JSON Lines form the package ships (its id in a header): 1,203
    // events, more than one statement inserts, each stored once.
    let lines: String = (0..1203).map(|i| format!("{}\n", event("rep_east_alice", &format!("acc_{i}")))).collect();
    let ndjson = |batch: Option<&str>, body: &[u8]| {
        let mut request =
            eu.http.post(format!("{}/v1/events", server.url)).bearer_auth(&eu.token).header("content-type", "application/x-ndjson");
        if let Some(batch) = batch {
            request = request.header("x-clearance-batch", batch);
        }
        request.body(body.to_vec()).send().unwrap()
    };
    let (status, lined) = answer(ndjson(Some("b-lines"), lines.as_bytes()));
    assert_eq!((status, lined["accepted"].as_i64()), (200, Some(1203)), "{lined}");
    let (_, again) = answer(ndjson(Some("b-lines"), lines.as_bytes()));
    assert_eq!((again["accepted"].as_i64(), again["duplicate"].as_bool()), (Some(0), Some(true)));
    let (_, report) = answer(mike.post("/v1/activity/analyze", &json!({})));
    assert_eq!(report["events"], 1205);
    let body = refused(ndjson(None, lines.as_bytes()), 400, "missing_key");
    assert_eq!(body["errors"][0]["path"], "/batch");
    let body = refused(ndjson(Some("b-bad-line"), format!("{}\n\n{{\"user\": 3}}\n", event("a", "b")).as_bytes()), 400, "bad_value");
    assert_eq!(body["errors"][0]["path"], "/events/1", "blank lines are skipped, not counted");
    refused(ndjson(Some("b-not-text"), b"\xff\xfe\n"), 400, "bad_value");

    // Bad batches: an event that is not one, a body that is not gzip, an admin instead of an edge.
    let bad = json!({"batch": "b-2", "events": [event("rep_east_alice", "acc_eu_1"), {"user": 3}]});
    let body = refused(post(bad.to_string().as_bytes(), false), 400, "bad_value");
    assert_eq!(body["errors"][0]["path"], "/events/1");
    refused(post(b"not gzip", true), 400, "bad_value");
    refused(mike.post("/v1/events", &batch), 403, "token_scope");
    let (_, report) = answer(mike.post("/v1/activity/analyze", &json!({})));
    assert_eq!(report["events"], 1205, "nothing of the refused batches was kept");
}

/// The events of an edge's engine, recorded as the package records them
/// (bytes naming positions in that engine), for a `create` by each user.
fn recorded(engine: &clearance_core::Engine, users: &[&str]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for user in users {
        let request = json!({"user": user, "action": "create", "object": "Account", "context": {"ip": "10.0.0.7"}});
        engine.answer_check_logged(&request, None, Some((1_790_000_000_000, &mut bytes))).unwrap();
    }
    bytes
}

#[test]
fn edges_ship_recorded_bytes_and_the_server_writes_their_lines_against_each_revision() {
    use clearance_core::activity::wire;
    let server = Server::start("events-wire");
    let mike = server.sign_in("mgr_east_mike");
    let (eu, _) = edge(&server, &mike, "eu-edge");
    let engine_at = |revision: u64| {
        let response = eu.get(&format!("/v1/bundles/{revision}"), None, None);
        open_trusted(response.bytes().unwrap().to_vec(), &trust(&server, revision)).unwrap().0
    };
    let post = |batch: &str, body: Vec<u8>| {
        let request = eu.http.post(format!("{}/v1/events", server.url)).bearer_auth(&eu.token);
        request.header("content-type", wire::MEDIA_TYPE).header("x-clearance-batch", batch).body(body).send().unwrap()
    };
    let first = engine_at(1);
    let users = ["rep_east_alice", "rep_west_dan", "nobody_here"];
    let (status, sent) = answer(post("w-1", wire::batch(1, 3, &recorded(&first, &users))));
    assert_eq!((status, sent["accepted"].as_i64()), (200, Some(3)), "{sent}");
    let (_, again) = answer(post("w-1", wire::batch(1, 3, &recorded(&first, &users))));
    assert_eq!(again["duplicate"], true, "a retry is stored once");

    // After an apply, one body holds the last events of revision 1 and the first of 2 (an edge's
    // swap): each read against its own revision's engine, the older one compiled for it.
    apply_move(&server, "sales_rep_east");
    let second = engine_at(2);
    let mut body = wire::batch(1, 2, &recorded(&first, &users[..2]));
    body.extend(wire::batch(2, 3, &recorded(&second, &users)));
    let (status, sent) = answer(post("w-2", body.clone()));
    assert_eq!((status, sent["accepted"].as_i64()), (200, Some(5)), "{sent}");
    let (_, report) = answer(mike.post("/v1/activity/analyze", &json!({})));
    assert_eq!(report["events"], 8);

    // Refused, and nothing kept: a revision never published, a batch cut short, a count past its
    // events, bytes of no batch, an event naming a user position past the engine's users.
    refused(post("w-3", wire::batch(9, 3, &recorded(&first, &users))), 404, "unknown_revision");
    let events = recorded(&first, &users);
    let body = refused(post("w-4", wire::batch(1, 3, &events[..events.len() - 2])), 400, "bad_value");
    assert_eq!(body["errors"][0]["path"], "/events/2", "{body}");
    let body =
        refused(post("w-5", [wire::batch(1, 4, &events), wire::batch(2, 1, &recorded(&second, &users[..1]))].concat()), 400, "bad_value");
    assert_eq!(body["errors"][0]["path"], "/events/3", "{body}");
    refused(post("w-6", b"{\"batch\": 1}".to_vec()), 400, "bad_value");
    // The second event's user (after its flags and six bytes of milliseconds): position 127 of a 20-user org.
    let mut beyond = events.clone();
    beyond[recorded(&first, &users[..1]).len() + 7] = 0x7F;
    let body = refused(post("w-7", wire::batch(1, 3, &beyond)), 400, "bad_value");
    assert_eq!(body["errors"][0]["path"], "/events/1", "{body}");
    let (_, report) = answer(mike.post("/v1/activity/analyze", &json!({})));
    assert_eq!(report["events"], 8, "nothing of the refused batches was kept");
}

#[test]
fn sigterm_ends_long_polls_at_once_and_the_server_exits_cleanly() {
    let mut server = Server::start("bundles-stop");
    let mike = server.sign_in("mgr_east_mike");
    let (eu, _) = edge(&server, &mike, "eu-edge");
    let tag = eu.get("/v1/bundles/current", None, None).headers()["etag"].to_str().unwrap().to_owned();
    // Held for up to 30 s; the client gives up after 20: only an early answer passes.
    let http = Client::builder().timeout(std::time::Duration::from_secs(20)).build().unwrap();
    let polled = std::thread::scope(|scope| {
        let url = format!("{}/v1/bundles/current?wait=30", server.url);
        let poll = scope.spawn(|| http.get(url).bearer_auth(&eu.token).header("if-none-match", &tag).send().map(|r| r.status().as_u16()));
        std::thread::sleep(std::time::Duration::from_millis(500));
        let status = std::process::Command::new("kill").args(["-TERM", &server.pid().to_string()]).status().unwrap();
        assert!(status.success());
        poll.join().unwrap()
    });
    assert_eq!(polled.unwrap(), 304, "the long-poll was answered when the server stopped");
    assert_eq!(server.wait(), Some(0));
}
