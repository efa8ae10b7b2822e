//! Change control over HTTP: every route acts as the signed-in admin and
//! runs one sequencer step in one transaction; the sequencer and
//! `change/request.rs` decide who may do what, here as in the CLI and the
//! admin app.

use crate::api_error::ApiError;
use crate::auth::Admin;
use crate::cached::Cached;
use crate::{App, Body, clock, json_body, tokens};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use clearance_core::change::request::ChangeRequest;
use clearance_core::change::steps::{self, Step, Storage};
use clearance_core::change::{self, Operation};
use clearance_core::{Error, Lang};
use serde_json::{Value, json};

type Answer = Result<Json<Value>, ApiError>;

/// Runs one sequencer step in one transaction, on the store with the app's
/// compiled policy, stamped with the server's time.
pub(crate) async fn sequenced<T: Send + 'static>(
    app: &App,
    step: impl FnOnce(&mut Cached<'_>, &str) -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    let keeper = app.clone();
    let done = app
        .db
        .run(move |s| {
            let mut store = Cached { store: s, app: &keeper };
            let at = clock::stamp(clock::now_ms(), store.last_entry()?.as_ref());
            step(&mut store, &at)
        })
        .await;
    // An apply or a restore may have made a new version: long-polling edges look again.
    app.versions_changed.notify_waiters();
    done
}

/// A step's result; a refusal (a rule said no: 403, 409) is recorded in
/// the audit log before it is answered.
pub(crate) async fn refusal_recorded<T>(app: &App, user: &str, what: &str, subject: &str, result: Result<T, Error>) -> Result<T, ApiError> {
    match result {
        Err(error)
            if matches!(crate::api_error::status_of(error.problems().first().map_or("", |p| p.code.as_str())).as_u16(), 403 | 409) =>
        {
            app.record_refusal(user, what, subject, &error).await?;
            Err(error.into())
        }
        other => Ok(other?),
    }
}

/// A request as the API shows it: its fields, and its summary in both languages.
pub fn request_json(request: &ChangeRequest) -> Value {
    let mut out = serde_json::to_value(request).unwrap_or_default();
    out["summary"] = json!(change::summarize(&request.changes, Lang::En));
    out["summary_zh"] = json!(change::summarize(&request.changes, Lang::Zh));
    out
}

/// `GET /v1/requests`: every request, oldest first.
pub async fn list_requests(
    State(app): State<App>,
    _admin: Admin,
    checked: Option<axum::Extension<crate::snapshot::Checked>>,
) -> Result<impl axum::response::IntoResponse, ApiError> {
    let body = app.requests_json(checked.and_then(|c| c.0.0)).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], body))
}

/// `GET /v1/requests/{id}`.
pub async fn show_request(State(app): State<App>, _admin: Admin, Path(id): Path<String>) -> Answer {
    let request = app.db.read(move |s| s.request(&id)).await?;
    Ok(Json(request_json(&request)))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Proposal {
    changes: Value,
    #[serde(default)]
    comment: String,
}

/// `POST /v1/requests {changes, comment}`: drafts and submits a request as the signed-in admin.
pub async fn propose(State(app): State<App>, Admin(session): Admin, Body(body): Body) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Proposal { changes, comment } = json_body(&body)?;
    let ops: Vec<Operation> = change::decode(&changes).map_err(|e| e.at("/changes"))?;
    let user = session.user.clone();
    let result = sequenced(&app, move |s, at| steps::propose(s, &user, ops, &comment, at)).await.map_err(under_changes);
    let request = refusal_recorded(&app, &session.user, "propose", "requests", result).await?;
    Ok((StatusCode::CREATED, Json(request_json(&request))))
}

/// A change set's problems point into the list (`/0/user`): under the body's `changes`.
fn under_changes(error: Error) -> Error {
    let in_list = error.problems().first().is_some_and(|p| p.path.chars().nth(1).is_some_and(|c| c.is_ascii_digit()));
    if in_list { error.at("/changes") } else { error }
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Comment {
    #[serde(default)]
    comment: String,
}

/// A step's optional comment: an empty body, `null` or `{"comment": …}`.
fn comment(body: &[u8]) -> Result<String, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(String::new());
    }
    json_body::<Option<Comment>>(body).map(|c| c.unwrap_or_default().comment)
}

/// `POST /v1/requests/{id}/{approve|reject|apply|review} {comment?}`.
pub async fn step(State(app): State<App>, Admin(session): Admin, Path((id, action)): Path<(String, String)>, Body(body): Body) -> Answer {
    let Some(step) = Step::from_name(&action) else {
        return Err(Error::one("", clearance_core::Code::NotFound, format!("no step `{action}`: approve, reject, apply or review")).into());
    };
    let comment = comment(&body)?;
    let (user, subject) = (session.user.clone(), id.clone());
    let result = sequenced(&app, move |s, at| steps::step(s, &id, step, &user, &comment, at)).await;
    let request = refusal_recorded(&app, &session.user, &action, &subject, result).await?;
    Ok(Json(request_json(&request)))
}

/// `POST /v1/versions/{prefix}/restore {comment?}`: a request to restore a version (it needs approvals like any other).
pub async fn restore(
    State(app): State<App>,
    Admin(session): Admin,
    Path(prefix): Path<String>,
    Body(body): Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let comment = comment(&body)?;
    let (user, subject) = (session.user.clone(), prefix.clone());
    let result = sequenced(&app, move |s, at| steps::restore(s, &prefix, &user, &comment, at)).await;
    let request = refusal_recorded(&app, &session.user, "restore", &subject, result).await?;
    Ok((StatusCode::CREATED, Json(request_json(&request))))
}

/// `GET /v1/versions`: every version without its policy, oldest first.
pub async fn versions(State(app): State<App>, _admin: Admin) -> Answer {
    let versions = app.db.read(|s| s.versions()).await?;
    let list: Vec<Value> =
        versions.iter().map(|v| json!({"seq": v.seq, "version": v.hash, "at": v.at, "author": v.author, "request": v.request})).collect();
    Ok(Json(json!(list)))
}

/// `GET /v1/versions/current`: the newest version with its policy.
pub async fn current_version(State(app): State<App>, _admin: Admin) -> Answer {
    let (version, _) = app.db.read(|s| steps::current(s)).await?;
    Ok(Json(serde_json::to_value(&version).unwrap_or_default()))
}

/// `GET /v1/versions/{prefix}`: the one version whose hash starts with
/// `prefix`, with its policy (what the app diffs two versions with).
pub async fn version(State(app): State<App>, _admin: Admin, Path(prefix): Path<String>) -> Answer {
    let version = app.db.read(move |s| Ok(steps::find_version(&s.versions()?, &prefix)?.clone())).await?;
    Ok(Json(serde_json::to_value(&version).unwrap_or_default()))
}

/// `GET /v1/audit[?request=ID]`: the audit log and its head; with
/// `request`, only the entries about that request (a request's page reads
/// its own story, not the whole log; the head is still the log's).
pub async fn audit(State(app): State<App>, _admin: Admin, axum::extract::RawQuery(query): axum::extract::RawQuery) -> Answer {
    let request = crate::query::params(query.as_deref(), &["request"])?.pop().map(|(_, id)| id);
    let (entries, head) = app.db.read(|s| Ok((s.audit_log()?, s.audit_head()?))).await?;
    let entries = match request {
        Some(id) => clearance_core::audit::about_request(&entries, &id),
        None => entries,
    };
    Ok(Json(json!({"head": head, "entries": entries})))
}

/// `GET /v1/audit/checkpoint`: the log's head, signed with the server's
/// checkpoint key; keep it to prove later that the log still holds it
/// (`clearance audit verify --checkpoint FILE --public-key FILE`).
pub async fn checkpoint(State(app): State<App>, _admin: Admin) -> Answer {
    Ok(Json(serde_json::to_value(app.checkpoint().await?).unwrap_or_default()))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NewToken {
    #[serde(default)]
    name: String,
    scopes: Vec<String>,
    #[serde(default = "ninety")]
    expires_in_days: u32,
}

fn ninety() -> u32 {
    90
}

/// `POST /v1/tokens {name?, scopes, expires_in_days?}` (a session only): a
/// token acting as the signed-in admin; its secret is answered once.
pub async fn create_token(State(app): State<App>, Admin(session): Admin, Body(body): Body) -> Result<(StatusCode, Json<Value>), ApiError> {
    let NewToken { name, scopes, expires_in_days } = json_body(&body)?;
    let now = clock::now_ms();
    let (token, secret) = app
        .db
        .run(move |s| {
            let (token, secret) = tokens::create(s, &session.user, &name, &scopes, expires_in_days, session.mfa, now)?;
            let at = clock::stamp(now, s.last_entry()?.as_ref());
            steps::record(
                s,
                &at,
                &session.user,
                "token_created",
                &token.id,
                json!({"scopes": token.scopes, "expires_ms": token.expires_ms}),
            )?;
            Ok((token, secret))
        })
        .await?;
    let mut out = serde_json::to_value(&token).unwrap_or_default();
    out["token"] = json!(secret);
    Ok((StatusCode::CREATED, Json(out)))
}

/// `GET /v1/tokens` (a session only): the signed-in admin's tokens, without secrets.
pub async fn list_tokens(State(app): State<App>, Admin(session): Admin) -> Answer {
    let list = app.db.read(move |s| tokens::list(s, &session.user)).await?;
    Ok(Json(serde_json::to_value(list).unwrap_or_default()))
}

/// `DELETE /v1/tokens/{id}` (a session only): revokes one of the admin's tokens.
pub async fn revoke_token(State(app): State<App>, Admin(session): Admin, Path(id): Path<String>) -> Answer {
    app.db
        .run(move |s| {
            tokens::revoke(s, &session.user, &id)?;
            let at = clock::stamp(clock::now_ms(), s.last_entry()?.as_ref());
            steps::record(s, &at, &session.user, "token_revoked", &id, json!({})).map(|_| ())
        })
        .await?;
    Ok(Json(json!({"revoked": true})))
}
