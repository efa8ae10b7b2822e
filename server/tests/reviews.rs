//! Access reviews on the server: only each item's reviewer decides it, only
//! the owner closes the campaign, and the request its revocations become
//! needs someone other than the closer to approve it.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod support;

use serde_json::json;
use support::{Server, answer, refused};

#[test]
fn a_review_is_decided_by_its_reviewer_and_closed_into_a_request_others_approve() {
    let server = Server::start("reviews");
    let mike = server.sign_in("mgr_east_mike");
    let fiona = server.sign_in("fin_mgr_fiona");
    let alice = server.sign_in("rep_east_alice");
    refused(mike.post("/v1/reviews", &json!({"due": "next week"})), 400, "bad_value");
    let (status, campaign) = answer(mike.post("/v1/reviews", &json!({"due": "2030-01-01T00:00:00Z", "reviewer": "fin_mgr_fiona"})));
    assert_eq!((status, campaign["id"].as_str(), campaign["owner"].as_str()), (201, Some("C1"), Some("mgr_east_mike")), "{campaign}");
    let item = campaign["items"][0]["id"].as_u64().unwrap();
    let path = format!("/v1/reviews/C1/items/{item}");
    refused(alice.post(&path, &json!({"verdict": "revoke"})), 403, "not_the_reviewer");
    refused(fiona.post(&path, &json!({"verdict": "maybe"})), 400, "bad_value");
    let (status, decided) = answer(fiona.post(&path, &json!({"verdict": "revoke", "comment": "left the team"})));
    assert_eq!(status, 200, "{decided}");
    refused(fiona.post("/v1/reviews/C1/close", &json!({})), 403, "not_the_owner");
    let (status, closed) = answer(mike.post("/v1/reviews/C1/close", &json!({})));
    assert_eq!(status, 200, "{closed}");
    assert_eq!((closed["request"]["id"].as_str(), closed["request"]["author"].as_str()), (Some("R1"), Some("mgr_east_mike")));
    refused(mike.post("/v1/requests/R1/approve", &json!({})), 403, "self_approval");
    assert_eq!(fiona.post("/v1/requests/R1/approve", &json!({})).status(), 200);
    refused(fiona.post(&path, &json!({"verdict": "keep"})), 409, "bad_item");
    let (_, list) = answer(alice.get("/v1/reviews"));
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(answer(alice.get("/v1/reviews/C1")).1["closed_at"].is_string());
    refused(alice.get("/v1/reviews/C9"), 404, "unknown_campaign");
}
