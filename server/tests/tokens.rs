//! API tokens: scoped, expiring, revocable, hashed at rest; a token acts
//! as its admin under the same rules (no self-approval, the org's IP
//! ranges), and every use is recorded.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod support;

use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};
use support::{Server, answer, move_bob, refused};

/// Requests with a bearer token only (no cookie, no CSRF header), from `address` through the proxy.
struct Bot {
    http: Client,
    url: String,
    token: String,
}

impl Bot {
    fn new(server: &Server, token: &str, address: &str) -> Bot {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", address.parse().unwrap());
        Bot { http: Client::builder().default_headers(headers).build().unwrap(), url: server.url.clone(), token: token.to_owned() }
    }

    fn get(&self, path: &str) -> Response {
        self.http.get(format!("{}{path}", self.url)).bearer_auth(&self.token).send().unwrap()
    }

    fn post(&self, path: &str, body: &Value) -> Response {
        self.http.post(format!("{}{path}", self.url)).bearer_auth(&self.token).json(body).send().unwrap()
    }
}

fn token(admin: &support::Admin, scopes: &[&str]) -> (String, String) {
    let (status, body) = answer(admin.post("/v1/tokens", &json!({"name": "ci", "scopes": scopes, "expires_in_days": 30})));
    assert_eq!(status, 201, "{body}");
    (body["id"].as_str().unwrap().to_owned(), body["token"].as_str().unwrap().to_owned())
}

#[test]
fn tokens_act_as_their_admin_within_their_scopes_and_the_rules() {
    let server = Server::start("tokens");
    let mike = server.sign_in("mgr_east_mike");
    let (mike_id, secret) = token(&mike, &["read", "propose", "approve"]);
    assert!(secret.starts_with("clr_"), "{secret}");
    let bot = Bot::new(&server, &secret, support::OFFICE);
    assert_eq!(bot.get("/v1/requests").status(), 200);
    let (status, request) = answer(bot.post("/v1/requests", &move_bob()));
    assert_eq!((status, request["author"].as_str()), (201, Some("mgr_east_mike")), "{request}");
    // The token's admin cannot approve their own request, by token either.
    refused(bot.post("/v1/requests/R1/approve", &json!({})), 403, "self_approval");
    refused(bot.post("/v1/requests/R1/apply", &json!({})), 403, "token_scope");
    refused(bot.post("/v1/tokens", &json!({"scopes": ["read"]})), 403, "token_not_allowed");
    refused(bot.get("/v1/tokens"), 403, "token_not_allowed");

    let fiona = server.sign_in("fin_mgr_fiona");
    let (_, fiona_secret) = token(&fiona, &["read", "approve", "apply"]);
    let away = Bot::new(&server, &fiona_secret, "203.0.113.9");
    refused(away.post("/v1/requests/R1/approve", &json!({})), 403, "ip_not_allowed");
    let office = Bot::new(&server, &fiona_secret, support::OFFICE);
    assert_eq!(office.post("/v1/requests/R1/approve", &json!({})).status(), 200);
    assert_eq!(office.post("/v1/requests/R1/apply", &json!({})).status(), 200);

    // Every use is recorded; the secret is stored as its hash only.
    let (_, audit) = answer(mike.get("/v1/audit"));
    let uses: Vec<&Value> = audit["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "token_used").collect();
    assert!(uses.iter().any(|e| e["subject"] == mike_id.as_str() && e["details"]["path"] == "/v1/requests"), "{uses:?}");
    assert!(uses.iter().any(|e| e["actor"] == "fin_mgr_fiona" && e["details"]["path"] == "/v1/requests/R1/apply"));
    let stored = server.state(|s| s.first("SELECT token_hash FROM api_tokens WHERE id = $1", &[(&mike_id).into()])?.unwrap().text(0));
    assert_eq!(stored.len(), 64);
    assert!(!stored.contains(secret.trim_start_matches("clr_")));

    // Revoked and expired tokens are refused.
    let (_, list) = answer(mike.get("/v1/tokens"));
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(list[0].get("token").is_none(), "a listed token shows no secret");
    refused(mike.delete("/v1/tokens/nope"), 404, "not_found");
    refused(fiona.delete(&format!("/v1/tokens/{mike_id}")), 404, "not_found");
    assert_eq!(mike.delete(&format!("/v1/tokens/{mike_id}")).status(), 200);
    refused(bot.get("/v1/requests"), 401, "bad_token");
    server.state(|s| s.exec("UPDATE api_tokens SET expires_ms = 0", &[]));
    refused(office.get("/v1/requests"), 401, "bad_token");
    refused(Bot::new(&server, "clr_forged", support::OFFICE).get("/v1/requests"), 401, "bad_token");
}

#[test]
fn a_token_request_is_checked_before_it_is_made() {
    let server = Server::start("token-input");
    let mike = server.sign_in("mgr_east_mike");
    let body = refused(mike.post("/v1/tokens", &json!({"scopes": ["read", "everything"], "expires_in_days": 0})), 400, "bad_value");
    let paths: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["/scopes/1", "/expires_in_days"]);
    refused(mike.post("/v1/tokens", &json!({"scopes": []})), 400, "bad_value");
    let (_, list) = answer(mike.get("/v1/tokens"));
    assert_eq!(list, json!([]));
}
