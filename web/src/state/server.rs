//! The control plane from the page: whether the origin is a Clearance
//! server, signing in and out, and change control over its `/v1` API
//! (gloo-net, same origin: the session cookie travels by itself, the CSRF
//! token in its header). The server judges every step; the page only asks
//! and shows the answer, refusals included.

use super::AppState;
use super::api::{self, Mode, Session};
use clearance_core::Problem;
use clearance_core::change::ledger::Step;
use clearance_core::change::request::ChangeRequest;
use gloo_net::http::{Request, RequestBuilder};
use leptos::prelude::*;

/// The server's signals.
#[derive(Clone, Copy)]
pub struct Server {
    /// Sandbox, or a server and who is signed in.
    pub mode: RwSignal<Mode>,
    /// The server's change requests, oldest first, as last read.
    pub requests: RwSignal<Vec<ChangeRequest>>,
    /// Whether `requests` was read since the admin signed in (until then,
    /// a request's page says it is loading, not that there is no such request).
    pub listed: RwSignal<bool>,
    /// Why the server ended the session (idle, too old, signed out elsewhere), when it did.
    pub ended: RwSignal<Option<String>>,
}

/// One answer: status (0 when nothing came back), content type, body.
struct Answer {
    status: u16,
    content_type: String,
    body: String,
}

impl Answer {
    fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    fn problems(&self) -> Vec<Problem> {
        if self.status == 0 {
            return vec![Problem::new(
                "",
                clearance_core::Code::ServerUnreachable,
                "the server did not answer: check the connection and try again",
            )];
        }
        api::problems(self.status, &self.body)
    }

    /// The body decoded when the server said yes; its refusal otherwise.
    fn decoded<T: serde::de::DeserializeOwned>(&self) -> Result<T, Vec<Problem>> {
        if !self.ok() {
            return Err(self.problems());
        }
        serde_json::from_str(&self.body)
            .map_err(|e| vec![Problem::new("", clearance_core::Code::ServerError, format!("unreadable answer: {e}"))])
    }
}

/// An id as one path segment: whatever it holds, it never adds a segment.
pub(super) fn segment(id: &str) -> String {
    String::from(js_sys::encode_uri_component(id))
}

async fn send(builder: RequestBuilder, body: Option<&serde_json::Value>) -> Answer {
    let builder = builder.header("accept", "application/json");
    let sent = match body {
        Some(body) => match builder.json(body) {
            Ok(request) => request.send().await,
            Err(error) => Err(error),
        },
        None => builder.send().await,
    };
    match sent {
        Ok(response) => Answer {
            status: response.status(),
            content_type: response.headers().get("content-type").unwrap_or_default(),
            body: response.text().await.unwrap_or_default(),
        },
        Err(_) => Answer { status: 0, content_type: String::new(), body: String::new() },
    }
}

impl Server {
    /// Signals in the probing state; [`Server::probe`] settles them.
    pub fn new() -> Server {
        Server {
            mode: RwSignal::new(Mode::Probing),
            requests: RwSignal::new(Vec::new()),
            listed: RwSignal::new(false),
            ended: RwSignal::new(None),
        }
    }

    /// Asks the origin whether it is a server and who is signed in; loads
    /// the server's policy and requests when someone is.
    pub fn probe(self, state: AppState) {
        leptos::task::spawn_local(async move {
            let answer = send(Request::get("/v1/session"), None).await;
            let mode = api::probed(answer.status, &answer.content_type, &answer.body);
            let signed_in = mode.session().is_some();
            self.mode.set(mode);
            if signed_in {
                self.refresh(state).await;
            }
        });
    }

    /// The session's CSRF token (empty when signed out).
    fn csrf(self) -> String {
        self.mode.with_untracked(|m| m.session().map(|s| s.csrf.clone()).unwrap_or_default())
    }

    /// A state-changing call as the signed-in admin; a refusal because the
    /// session ended signs the page out.
    async fn change(self, builder: RequestBuilder, body: &serde_json::Value) -> Answer {
        let answer = send(builder.header("x-csrf-token", &self.csrf()), Some(body)).await;
        self.notice_end(&answer);
        answer
    }

    /// [`Server::change`], its answer decoded.
    ///
    /// # Errors
    /// The server's refusal, or an answer that does not decode.
    pub(super) async fn ask<T: serde::de::DeserializeOwned>(
        self,
        builder: RequestBuilder,
        body: &serde_json::Value,
    ) -> Result<T, Vec<Problem>> {
        self.change(builder, body).await.decoded()
    }

    /// [`Server::change`], its refusal as the error.
    ///
    /// # Errors
    /// The server's refusal.
    pub(super) async fn changed(self, builder: RequestBuilder, body: &serde_json::Value) -> Result<(), Vec<Problem>> {
        let answer = self.change(builder, body).await;
        if answer.ok() { Ok(()) } else { Err(answer.problems()) }
    }

    /// Signs the page out when the server ended the session; marks the
    /// session as needing a second factor enrolled when the policy refuses
    /// it for the lack of one (a session that never passed one).
    fn notice_end(self, answer: &Answer) {
        if answer.status == 401 && self.mode.with_untracked(|m| m.session().is_some()) {
            self.ended.set(Some(answer.problems().first().map(|p| p.message.clone()).unwrap_or_default()));
            self.mode.set(Mode::Server(None));
        }
        if answer.status == 403 && answer.problems().iter().any(|p| p.code == "mfa_required") {
            self.mode.update(|m| {
                if let Mode::Server(Some(session)) = m
                    && !session.mfa
                {
                    session.mfa_enrollment_required = true;
                }
            });
        }
    }

    /// Starts enrolling a second factor: a fresh secret and its `otpauth://` address.
    ///
    /// # Errors
    /// The server's refusal.
    pub async fn enroll(self) -> Result<api::Enrollment, Vec<Problem>> {
        self.ask(Request::post("/v1/mfa/enroll"), &serde_json::json!({})).await
    }

    /// Confirms the enrollment with a current code; the recovery codes, shown once.
    ///
    /// # Errors
    /// A wrong or reused code.
    pub async fn confirm(self, code: &str) -> Result<Vec<String>, Vec<Problem>> {
        let codes: api::RecoveryCodes = self.ask(Request::post("/v1/mfa/confirm"), &serde_json::json!({"code": code})).await?;
        Ok(codes.recovery_codes)
    }

    /// After the recovery codes were shown: the session has passed its second factor.
    pub async fn enrolled(self, state: AppState) {
        self.mode.update(|m| {
            if let Mode::Server(Some(session)) = m {
                session.mfa = true;
                session.mfa_enrollment_required = false;
            }
        });
        self.refresh(state).await;
    }

    /// A read as the signed-in admin, decoded.
    ///
    /// # Errors
    /// The server's refusal, or an answer that does not decode.
    pub(super) async fn read<T: serde::de::DeserializeOwned>(self, path: &str) -> Result<T, Vec<Problem>> {
        let answer = send(Request::get(path), None).await;
        self.notice_end(&answer);
        answer.decoded()
    }

    /// The fleet of edges and the revision each runs.
    ///
    /// # Errors
    /// The server's refusal.
    pub async fn fleet(self) -> Result<api::Fleet, Vec<Problem>> {
        self.read("/v1/edges").await
    }

    /// Every policy version, oldest first.
    ///
    /// # Errors
    /// The server's refusal.
    pub async fn versions(self) -> Result<Vec<api::VersionRow>, Vec<Problem>> {
        self.read("/v1/versions").await
    }

    /// One version, by a prefix of its hash, with its policy.
    ///
    /// # Errors
    /// The server's refusal (`unknown_version`).
    pub async fn version(self, prefix: &str) -> Result<clearance_core::change::steps::Version, Vec<Problem>> {
        self.read(&format!("/v1/versions/{}", segment(prefix))).await
    }

    /// Proposes restoring the version `hash` (a change request like any other).
    ///
    /// # Errors
    /// The server's refusal.
    pub async fn restore(self, state: AppState, hash: &str, comment: &str) -> Result<(), Vec<Problem>> {
        let path = format!("/v1/versions/{}/restore", segment(hash));
        self.changed(Request::post(&path), &serde_json::json!({"comment": comment})).await?;
        self.refresh(state).await;
        Ok(())
    }

    /// The audit log and a checkpoint of its head, signed now by the server.
    ///
    /// # Errors
    /// The server's refusal.
    pub async fn audit(self) -> Result<(api::AuditLog, clearance_core::checkpoint::Checkpoint), Vec<Problem>> {
        let log = self.read("/v1/audit").await?;
        Ok((log, self.read("/v1/audit/checkpoint").await?))
    }

    /// The audit entries about request `id` (the server filters the log).
    ///
    /// # Errors
    /// The server's refusal.
    pub async fn audit_of(self, id: &str) -> Result<Vec<clearance_core::audit::Entry>, Vec<Problem>> {
        let log: api::AuditLog = self.read(&format!("/v1/audit?request={}", segment(id))).await?;
        Ok(log.entries)
    }

    /// The signed-in admin's API tokens.
    ///
    /// # Errors
    /// The server's refusal.
    pub async fn tokens(self) -> Result<Vec<api::Token>, Vec<Problem>> {
        self.read("/v1/tokens").await
    }

    /// Makes an API token; its secret, shown once.
    ///
    /// # Errors
    /// The server's refusal (an unknown scope, a bad expiry).
    pub async fn create_token(self, name: &str, scopes: &[&str], days: u32) -> Result<String, Vec<Problem>> {
        let body = serde_json::json!({"name": name, "scopes": scopes, "expires_in_days": days});
        let answer = self.change(Request::post("/v1/tokens"), &body).await;
        let secret = serde_json::from_str::<serde_json::Value>(&answer.body).ok().and_then(|v| v["token"].as_str().map(str::to_owned));
        match secret {
            Some(secret) if answer.ok() => Ok(secret),
            _ => Err(answer.problems()),
        }
    }

    /// Revokes one of the signed-in admin's tokens.
    ///
    /// # Errors
    /// The server's refusal.
    pub async fn revoke_token(self, id: &str) -> Result<(), Vec<Problem>> {
        let answer = send(Request::delete(&format!("/v1/tokens/{id}")).header("x-csrf-token", &self.csrf()), None).await;
        self.notice_end(&answer);
        if answer.ok() { Ok(()) } else { Err(answer.problems()) }
    }

    /// Changes the signed-in admin's password (the current one, and a code
    /// when a second factor is enrolled, prove it is them).
    ///
    /// # Errors
    /// Each rule of the policy the new password breaks (`weak_password`), or a wrong current password or code.
    pub async fn change_password(self, current: &str, code: &str, new: &str) -> Result<(), Vec<Problem>> {
        let user = self.mode.with_untracked(|m| m.session().map(|s| s.user.clone()).unwrap_or_default());
        let mut body = serde_json::json!({"user": user, "password": current, "new_password": new});
        if !code.is_empty() {
            body["code"] = serde_json::json!(code);
        }
        let answer = send(Request::post("/v1/password"), Some(&body)).await;
        if answer.ok() { Ok(()) } else { Err(answer.problems()) }
    }

    /// Signs in with a password (and a TOTP or recovery code when the policy asks for one).
    ///
    /// # Errors
    /// The server's refusal (`bad_credentials`, `locked_out`, `mfa_code_required`, `ip_not_allowed`, …).
    pub async fn sign_in(self, state: AppState, user: &str, password: &str, code: &str) -> Result<(), Vec<Problem>> {
        let mut body = serde_json::json!({"user": user, "password": password});
        if !code.is_empty() {
            body["code"] = serde_json::json!(code);
        }
        let answer = send(Request::post("/v1/session"), Some(&body)).await;
        if !answer.ok() {
            return Err(answer.problems());
        }
        let session: Session = serde_json::from_str(&answer.body).map_err(|_| answer.problems())?;
        self.ended.set(None);
        self.mode.set(Mode::Server(Some(session)));
        self.refresh(state).await;
        Ok(())
    }

    /// Ends this session on the server, then here.
    pub async fn sign_out(self) {
        let _ = send(Request::delete("/v1/session").header("x-csrf-token", &self.csrf()), None).await;
        self.signed_out();
    }

    /// Ends every session of the signed-in admin, this one included (a
    /// lost laptop, a shared machine).
    pub async fn sign_out_everywhere(self) {
        let _ = self.change(Request::post("/v1/session/everywhere"), &serde_json::json!({})).await;
        self.signed_out();
    }

    /// Forgets what the signed-out admin could read.
    fn signed_out(self) {
        self.requests.set(Vec::new());
        self.listed.set(false);
        self.mode.set(Mode::Server(None));
    }

    /// Reads the server's current policy (the one every page then shows and
    /// staged edits apply to) and its requests.
    pub async fn refresh(self, state: AppState) {
        let current = send(Request::get("/v1/versions/current"), None).await;
        self.notice_end(&current);
        if let Ok(version) = serde_json::from_str::<clearance_core::change::steps::Version>(&current.body)
            && state.model.with_untracked(|m| m.policy != version.policy)
        {
            state.model.update(|m| m.policy = version.policy);
        }
        let listed = send(Request::get("/v1/requests"), None).await;
        self.notice_end(&listed);
        if let (true, Ok(requests)) = (listed.ok(), api::requests(&listed.body)) {
            self.requests.set(requests);
            self.listed.set(true);
        }
    }

    /// Proposes `changes` as a change request by the signed-in admin.
    ///
    /// # Errors
    /// The server's refusal, with paths into the changes.
    pub async fn propose(self, state: AppState, changes: &[clearance_core::change::Operation], comment: &str) -> Result<(), Vec<Problem>> {
        self.propose_changes(changes, comment).await?;
        state.model.update(|m| m.staged.clear());
        self.refresh(state).await;
        Ok(())
    }

    /// Proposes `changes` (a finding's reaction, say) without touching the
    /// staged edits; the new request's id.
    ///
    /// # Errors
    /// The server's refusal, with paths into the changes.
    pub async fn propose_changes(self, changes: &[clearance_core::change::Operation], comment: &str) -> Result<String, Vec<Problem>> {
        let body = serde_json::json!({"changes": changes, "comment": comment});
        let proposed: serde_json::Value = self.ask(Request::post("/v1/requests"), &body).await?;
        Ok(proposed["id"].as_str().unwrap_or_default().to_owned())
    }

    /// Takes `step` on request `id` as the signed-in admin.
    ///
    /// # Errors
    /// The server's refusal (`self_approval`, `not_an_approver`, `bad_state`, …).
    pub async fn step(self, state: AppState, id: &str, step: Step, comment: &str) -> Result<(), Vec<Problem>> {
        let path = format!("/v1/requests/{id}/{}", step.name());
        self.changed(Request::post(&path), &serde_json::json!({"comment": comment})).await?;
        self.refresh(state).await;
        Ok(())
    }
}

impl Default for Server {
    fn default() -> Server {
        Server::new()
    }
}
