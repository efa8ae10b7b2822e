//! The fleet: edges fetch bundles with API tokens of the `edge` scope and
//! report the revision they run (`X-Clearance-Revision`) on every fetch;
//! `GET /v1/edges` shows each edge's revision, how far behind it is, and
//! when it was last seen. An edge token reads bundles and nothing else, and
//! is judged by its scope, expiry and revocation only: the org's session
//! rules (office addresses, login hours) are for people, and edges run in
//! data centres around the clock. Its fetches are not audit entries (an
//! edge polls all day); the fleet table keeps its last one.

use crate::api_error::ApiError;
use crate::auth::Admin;
use crate::tokens::Token;
use crate::tx::Tx;
use crate::{App, clock, tokens};
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use clearance_core::Error;
use serde_json::json;

/// The header an edge reports the revision it runs in (and bundles answer theirs in).
pub const RUNNING: &str = "x-clearance-revision";

/// The scope of edge tokens.
pub const SCOPE: &str = "edge";

/// Who fetches a bundle: an edge (its token's id) or an admin.
pub struct Edge {
    /// The edge token's id; `None` for an admin.
    pub token: Option<String>,
}

impl FromRequestParts<App> for Edge {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Edge, ApiError> {
        if let Some(secret) = crate::auth::bearer(&parts.headers) {
            let now = clock::now_ms();
            let token = app.db.read(move |s| tokens::find(s, &secret, now)).await?;
            if token.scopes.iter().any(|s| s == SCOPE) {
                let running = running(parts)?;
                let address = crate::auth::client_address(app, crate::auth::peer(parts), &parts.headers).to_string();
                let id = token.id.clone();
                app.db.read(move |s| report(s, &token, running, &address, now)).await?;
                return Ok(Edge { token: Some(id) });
            }
        }
        Admin::from_request_parts(parts, app).await.map(|_| Edge { token: None })
    }
}

/// The revision an edge says it runs (`None`: none yet).
fn running(parts: &Parts) -> Result<Option<u64>, Error> {
    let Some(value) = parts.headers.get(RUNNING) else { return Ok(None) };
    let text = value.to_str().unwrap_or_default();
    text.trim().parse().map(Some).map_err(|_| {
        Error::one("/headers/x-clearance-revision", clearance_core::error::code::BAD_VALUE, format!("`{text}` is not a revision number"))
    })
}

/// Keeps an edge's last fetch (one row per token).
fn report(s: &dyn Tx, token: &Token, running: Option<u64>, address: &str, now_ms: i64) -> Result<(), Error> {
    let revision = running.map_or(-1, |r| i64::try_from(r).unwrap_or(i64::MAX));
    s.exec(
        r#"INSERT INTO edges (token_id, "user", name, revision, seen_ms, address) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (token_id) DO UPDATE SET revision = excluded.revision, seen_ms = excluded.seen_ms, address = excluded.address"#,
        &[(&token.id).into(), (&token.user).into(), (&token.name).into(), revision.into(), now_ms.into(), address.into()],
    )
    .map(|_| ())
}

/// `GET /v1/edges` (an admin): every edge that fetched a bundle, newest first.
pub async fn list(State(app): State<App>, _admin: Admin) -> Result<Json<serde_json::Value>, ApiError> {
    let (current, rows) = app
        .db
        .read(|s| {
            let current = s.first("SELECT COALESCE(MAX(seq), 0) FROM versions", &[])?.map_or(Ok(0), |r| r.int(0))?;
            let rows =
                s.rows(r#"SELECT token_id, "user", name, revision, seen_ms, address FROM edges ORDER BY seen_ms DESC, token_id"#, &[])?;
            Ok((current, rows))
        })
        .await?;
    let mut edges = Vec::with_capacity(rows.len());
    for row in rows {
        let revision = row.int(3)?;
        let known = (revision >= 0).then_some(revision);
        edges.push(json!({
            "token": row.text(0)?, "user": row.text(1)?, "name": row.text(2)?,
            "revision": known, "behind": known.map(|r| (current - r).max(0)),
            "seen_at": clearance_core::format_rfc3339(row.int(4)?), "address": row.text(5)?,
        }));
    }
    Ok(Json(json!({"current": current, "edges": edges})))
}
