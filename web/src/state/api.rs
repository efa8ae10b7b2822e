//! The control plane's answers read in the app's terms: whether the origin
//! is a Clearance server, who is signed in, the request list, a refusal's
//! problems. Apart from the fetching (`server.rs`), so it is tested natively.

use clearance_core::Problem;
use clearance_core::change::request::ChangeRequest;
use serde::Deserialize;

/// Where change control lives for this page.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Asking the origin whether it is a Clearance server.
    Probing,
    /// No server: the browser's own sandbox, whose approvals are a
    /// demonstration (anyone can act as anyone).
    Sandbox,
    /// A Clearance server; `None` until an admin signs in.
    Server(Option<Session>),
}

impl Mode {
    /// The signed-in session, if any.
    pub fn session(&self) -> Option<&Session> {
        match self {
            Mode::Server(Some(session)) => Some(session),
            _ => None,
        }
    }
}

/// A signed-in admin as the server states it (`POST`/`GET /v1/session`):
/// the identity comes from the session cookie, never from the page.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Session {
    /// The admin's user id.
    pub user: String,
    /// Echoed in `x-csrf-token` on every state-changing request.
    pub csrf: String,
    /// Whether the session passed a second factor.
    #[serde(default)]
    pub mfa: bool,
    /// The policy requires a second factor the admin has not enrolled yet.
    #[serde(default)]
    pub mfa_enrollment_required: bool,
}

/// A second factor being enrolled (`POST /v1/mfa/enroll`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Enrollment {
    /// The TOTP secret, base32, for typing into an app that cannot scan.
    pub secret: String,
    /// The `otpauth://` address the QR code carries.
    pub otpauth_url: String,
}

/// The recovery codes of a confirmed enrollment (`POST /v1/mfa/confirm`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecoveryCodes {
    /// Each usable once in place of a code.
    pub recovery_codes: Vec<String>,
}

/// The fleet of edges (`GET /v1/edges`): the newest revision, and each
/// edge's last fetch.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Fleet {
    /// The newest policy revision (version seq) the server publishes.
    pub current: u64,
    /// Every edge that fetched a bundle, most recently seen first.
    pub edges: Vec<Edge>,
}

/// One edge as the fleet table keeps it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Edge {
    /// Its token's id.
    pub token: String,
    /// The admin who made the token.
    pub user: String,
    /// The token's label (the edge's name).
    pub name: String,
    /// The revision it reported running (`None`: none loaded yet).
    pub revision: Option<u64>,
    /// Revisions behind the newest.
    pub behind: Option<u64>,
    /// When it last fetched (RFC 3339).
    pub seen_at: String,
    /// Where it fetched from.
    pub address: String,
}

/// An API token of the signed-in admin (`GET /v1/tokens`; never its secret).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Token {
    /// Its id.
    pub id: String,
    /// Its label.
    pub name: String,
    /// What it may do (`read`, `propose`, …, `edge`).
    pub scopes: Vec<String>,
    /// When it expires, ms since the epoch.
    pub expires_ms: i64,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// One policy version as the server lists it (`GET /v1/versions`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct VersionRow {
    /// Its position, from 1 (the fleet's revision).
    pub seq: u64,
    /// The hash of its policy.
    pub version: String,
    /// When it was made.
    pub at: String,
    /// Who made it (the applier).
    pub author: String,
    /// The request that made it.
    #[serde(default)]
    pub request: Option<String>,
}

/// The server's audit log (`GET /v1/audit`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct AuditLog {
    /// The hash of its newest entry, as the server records it.
    pub head: Option<String>,
    /// Every entry, oldest first.
    pub entries: Vec<clearance_core::audit::Entry>,
}

/// What `GET /v1/session` says about the origin: a session (signed in), a
/// coded JSON refusal (a server, signed out), or anything else — the demo's
/// static server answers its page — the sandbox. No answer at all (status
/// 0) fails closed: the sign-in page, never a sandbox that looks like it.
pub fn probed(status: u16, content_type: &str, body: &str) -> Mode {
    if status == 0 {
        return Mode::Server(None);
    }
    if !content_type.starts_with("application/json") {
        return Mode::Sandbox;
    }
    if status == 200 {
        return serde_json::from_str::<Session>(body).map_or(Mode::Sandbox, |s| Mode::Server(Some(s)));
    }
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(value) if value["code"].is_string() => Mode::Server(None),
        _ => Mode::Sandbox,
    }
}

/// The problems of a refusal in the API's shape (`{code, message,
/// errors: [{path, code, message}]}`); an answer in another shape (a proxy's
/// error page, a network failure) is one problem naming its status.
pub fn problems(status: u16, body: &str) -> Vec<Problem> {
    #[derive(Deserialize)]
    struct Refusal {
        errors: Vec<Problem>,
    }
    match serde_json::from_str::<Refusal>(body) {
        Ok(refusal) if !refusal.errors.is_empty() => refusal.errors,
        _ => vec![Problem::new("", clearance_core::Code::ServerError, format!("the server answered {status} without a reason"))],
    }
}

/// The server's request list (`GET /v1/requests`): its requests without
/// the summaries the server adds (the app writes them in the page's language).
///
/// # Errors
/// A body that is not such a list.
pub fn requests(body: &str) -> Result<Vec<ChangeRequest>, Vec<Problem>> {
    let unreadable =
        |e: serde_json::Error| vec![Problem::new("", clearance_core::Code::ServerError, format!("unreadable request list: {e}"))];
    let list: Vec<serde_json::Value> = serde_json::from_str(body).map_err(unreadable)?;
    list.into_iter().map(request).collect::<Result<_, _>>().map_err(unreadable)
}

/// One request as the server answers it (`request_json`: the request and its summaries).
pub fn request(mut value: serde_json::Value) -> Result<ChangeRequest, serde_json::Error> {
    if let Some(object) = value.as_object_mut() {
        object.remove("summary");
        object.remove("summary_zh");
    }
    serde_json::from_value(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_is_a_server_only_when_it_answers_the_session_route_in_the_api_shape() {
        let session = r#"{"user":"mgr_east_mike","csrf":"c1","mfa":false}"#;
        let signed_in = probed(200, "application/json", session);
        assert_eq!(signed_in.session().map(|s| (s.user.as_str(), s.csrf.as_str())), Some(("mgr_east_mike", "c1")));
        let refusal = r#"{"code":"unauthenticated","message":"sign in first","errors":[]}"#;
        assert_eq!(probed(401, "application/json", refusal), Mode::Server(None));
        // The demo's static server answers every app address with the page.
        assert_eq!(probed(200, "text/html", "<!doctype html>"), Mode::Sandbox);
        assert_eq!(probed(404, "text/plain", "not found"), Mode::Sandbox);
        assert_eq!(probed(0, "", ""), Mode::Server(None), "an origin that did not answer is not taken for the sandbox");
        assert_eq!(probed(200, "application/json", "{}"), Mode::Sandbox, "json without a session");
        assert_eq!(probed(500, "application/json", "[1]"), Mode::Sandbox, "json without a code");
        assert_eq!(Mode::Server(None).session(), None);
    }

    #[test]
    fn the_fleet_and_tokens_read_as_the_server_writes_them() {
        let body = r#"{"current":3,"edges":[{"token":"t1","user":"mgr_east_mike","name":"eu-1","revision":2,"behind":1,"seen_at":"2026-12-06T10:00:00Z","address":"10.0.0.7"},{"token":"t2","user":"mgr_east_mike","name":"new","revision":null,"behind":null,"seen_at":"2026-12-06T10:00:01Z","address":"10.0.0.8"}]}"#;
        let fleet: Fleet = serde_json::from_str(body).unwrap();
        assert_eq!((fleet.current, fleet.edges.len()), (3, 2));
        assert_eq!((fleet.edges[0].revision, fleet.edges[0].behind, fleet.edges[1].revision), (Some(2), Some(1), None));
        let tokens =
            r#"[{"id":"k1","user":"u","name":"edge","scopes":["edge"],"mfa":false,"created_ms":1,"expires_ms":2,"revoked":false}]"#;
        let tokens: Vec<Token> = serde_json::from_str(tokens).unwrap();
        assert_eq!((tokens[0].id.as_str(), tokens[0].scopes.as_slice(), tokens[0].revoked), ("k1", &["edge".to_owned()][..], false));
    }

    #[test]
    fn refusals_keep_their_problems_and_anything_else_names_its_status() {
        let body = r#"{"code":"self_approval","message":"m","errors":[{"path":"","code":"self_approval","message":"`mgr_east_mike` drafted `R1`"}]}"#;
        let got = problems(403, body);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].code.as_str(), got[0].message.as_str()), ("self_approval", "`mgr_east_mike` drafted `R1`"));
        let other = problems(502, "<html>bad gateway</html>");
        assert_eq!(other[0].code, "server_error");
        assert!(other[0].message.contains("502"), "{}", other[0].message);
        assert_eq!(problems(500, r#"{"errors":[]}"#)[0].code, "server_error");
    }

    #[test]
    fn the_request_list_reads_without_the_server_summaries() {
        let policy = clearance_core::parse_policy(clearance_core::generate::REFERENCE_ORG).unwrap();
        let mut ledger = clearance_core::change::ledger::Ledger::new(policy, "admin_ivy", "2026-12-06T00:00:00Z").unwrap();
        let changes = vec![clearance_core::change::Operation::MoveUser {
            user: "rep_east_bob".into(),
            role: Some("sales_rep_west".into()),
            department: None,
        }];
        ledger.propose("mgr_east_mike", changes, "bob moves west", "2026-12-06T00:00:01Z").unwrap();
        let mut json = serde_json::to_value(&ledger.requests).unwrap();
        json[0]["summary"] = serde_json::json!(["move"]);
        json[0]["summary_zh"] = serde_json::json!(["调动"]);
        assert_eq!(requests(&json.to_string()).unwrap(), ledger.requests);
        assert_eq!(requests("{}").unwrap_err()[0].code, "server_error");
        json[0]["surprise"] = serde_json::json!(1);
        assert!(requests(&json.to_string()).is_err(), "an unknown field is still refused");
    }
}
