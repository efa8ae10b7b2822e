//! API tokens for automation (scripts, CI, the CLI's `--server`): opaque
//! random secrets shown once and stored as their SHA-256, each tied to the
//! admin who made it, limited to scopes, expiring, revocable. A token acts
//! as its admin; the org's session rules (IP ranges, login hours) still
//! apply on every use, and every use is an audit entry.

use crate::sessions::random_token;
use crate::tx::{Row, Tx};
use clearance_core::Error;
use sha2::Digest;

/// What a token may do.
pub const SCOPES: [&str; 6] = ["read", "propose", "approve", "apply", "review", "edge"];
/// The longest a token lives.
pub const MAX_DAYS: u32 = 365;
/// The prefix that makes a leaked token easy to find in logs and code.
pub const PREFIX: &str = "clr_";

/// Stable codes of tokens.
pub mod code {
    /// The route needs a scope the token was not given.
    pub const SCOPE: clearance_core::Code = clearance_core::Code::TokenScope;
    /// Unknown, revoked or expired token.
    pub const BAD_TOKEN: clearance_core::Code = clearance_core::Code::BadToken;
}

/// A token's row, without its secret.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Token {
    /// Its id (not secret).
    pub id: String,
    /// Its admin.
    pub user: String,
    /// A label.
    pub name: String,
    /// What it may do.
    pub scopes: Vec<String>,
    /// Whether it was made in a session that passed a second factor.
    pub mfa: bool,
    /// When it was made and when it expires (ms since the epoch).
    pub created_ms: i64,
    /// See `created_ms`.
    pub expires_ms: i64,
    /// Whether it was revoked.
    pub revoked: bool,
}

fn digest(secret: &str) -> String {
    clearance_core::change::hex(&sha2::Sha256::digest(secret.as_bytes()))
}

/// Makes a token for `user`; returns it and its secret (shown once).
///
/// # Errors
/// `bad_value` for an unknown scope or a lifetime out of range; `db_error`.
pub fn create(s: &dyn Tx, user: &str, name: &str, scopes: &[String], days: u32, mfa: bool, now_ms: i64) -> Result<(Token, String), Error> {
    let mut problems = clearance_core::error::Problems::default();
    for (i, scope) in scopes.iter().enumerate() {
        if !SCOPES.contains(&scope.as_str()) {
            problems.push(
                format!("/scopes/{i}"),
                clearance_core::error::code::BAD_VALUE,
                format!("unknown scope `{scope}`: one of {}", SCOPES.join(", ")),
            );
        }
    }
    if scopes.is_empty() {
        problems.push("/scopes", clearance_core::error::code::BAD_VALUE, "a token needs at least one scope");
    }
    if !(1..=MAX_DAYS).contains(&days) {
        problems.push("/expires_in_days", clearance_core::error::code::BAD_VALUE, format!("a token lives 1 to {MAX_DAYS} days"));
    }
    problems.into_result()?;
    let secret = format!("{PREFIX}{}", random_token()?);
    let id = random_token()?.get(..16).unwrap_or_default().to_owned();
    let token = Token {
        id,
        user: user.to_owned(),
        name: name.to_owned(),
        scopes: scopes.to_vec(),
        mfa,
        created_ms: now_ms,
        expires_ms: now_ms.saturating_add(i64::from(days) * 86_400_000),
        revoked: false,
    };
    s.exec(
        r#"INSERT INTO api_tokens (id, token_hash, "user", name, scopes, mfa, created_ms, expires_ms, revoked)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)"#,
        &[
            (&token.id).into(),
            digest(&secret).into(),
            user.into(),
            name.into(),
            serde_json::to_string(scopes).unwrap_or_default().into(),
            mfa.into(),
            now_ms.into(),
            token.expires_ms.into(),
        ],
    )?;
    Ok((token, secret))
}

fn token(r: &Row) -> Result<Token, Error> {
    Ok(Token {
        id: r.text(0)?,
        user: r.text(1)?,
        name: r.text(2)?,
        scopes: serde_json::from_str(&r.text(4)?).unwrap_or_default(),
        mfa: r.int(3)? != 0,
        created_ms: r.int(5)?,
        expires_ms: r.int(6)?,
        revoked: r.int(7)? != 0,
    })
}

const COLUMNS: &str = r#"id, "user", name, mfa, scopes, created_ms, expires_ms, revoked"#;

/// The live token a secret names.
///
/// # Errors
/// `bad_token` (unknown, revoked or expired); `db_error`.
pub fn find(s: &dyn Tx, secret: &str, now_ms: i64) -> Result<Token, Error> {
    let token = s
        .first(&format!("SELECT {COLUMNS} FROM api_tokens WHERE token_hash = $1"), &[digest(secret).into()])?
        .map(|r| token(&r))
        .transpose()?;
    match token {
        Some(token) if !token.revoked && token.expires_ms > now_ms => Ok(token),
        _ => Err(Error::one("", code::BAD_TOKEN, "unknown, revoked or expired token")),
    }
}

/// `user`'s tokens, newest first.
///
/// # Errors
/// `db_error`.
pub fn list(s: &dyn Tx, user: &str) -> Result<Vec<Token>, Error> {
    s.rows(&format!(r#"SELECT {COLUMNS} FROM api_tokens WHERE "user" = $1 ORDER BY created_ms DESC, id"#), &[user.into()])?
        .iter()
        .map(token)
        .collect()
}

/// Revokes one of `user`'s tokens.
///
/// # Errors
/// `not_found` when `user` has no such token; `db_error`.
pub fn revoke(s: &dyn Tx, user: &str, id: &str) -> Result<(), Error> {
    let changed = s.exec(r#"UPDATE api_tokens SET revoked = 1 WHERE id = $1 AND "user" = $2"#, &[id.into(), user.into()])?;
    if changed == 0 {
        return Err(Error::one("", clearance_core::Code::NotFound, format!("no token `{id}` of yours")));
    }
    Ok(())
}

/// The scope a route needs of a token, or `None` for routes a token may
/// not use (sessions, passwords, second factors, tokens themselves).
pub fn scope_for(method: &axum::http::Method, path: &str) -> Option<&'static str> {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if matches!(parts.get(2), Some(&("session" | "password" | "mfa" | "tokens"))) {
        return None;
    }
    if method == axum::http::Method::GET || method == axum::http::Method::HEAD {
        return Some("read");
    }
    match parts.as_slice() {
        ["", "v1", "requests" | "reviews"] | ["", "v1", "versions", _, "restore"] | ["", "v1", "reviews", _, "close"] => Some("propose"),
        ["", "v1", "reviews", _, "items", _] => Some("review"),
        ["", "v1", "requests", _, "approve" | "reject"] => Some("approve"),
        ["", "v1", "requests", _, "apply"] => Some("apply"),
        ["", "v1", "requests", _, "review"] => Some("review"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Method;

    #[test]
    fn each_route_needs_its_scope_and_account_routes_need_a_session() {
        assert_eq!(scope_for(&Method::GET, "/v1/requests"), Some("read"));
        assert_eq!(scope_for(&Method::GET, "/v1/audit/checkpoint"), Some("read"));
        assert_eq!(scope_for(&Method::POST, "/v1/requests"), Some("propose"));
        assert_eq!(scope_for(&Method::POST, "/v1/requests/R1/approve"), Some("approve"));
        assert_eq!(scope_for(&Method::POST, "/v1/requests/R1/reject"), Some("approve"));
        assert_eq!(scope_for(&Method::POST, "/v1/requests/R1/apply"), Some("apply"));
        assert_eq!(scope_for(&Method::POST, "/v1/requests/R1/review"), Some("review"));
        assert_eq!(scope_for(&Method::POST, "/v1/versions/abc/restore"), Some("propose"));
        assert_eq!(scope_for(&Method::POST, "/v1/reviews"), Some("propose"));
        assert_eq!(scope_for(&Method::POST, "/v1/reviews/C1/close"), Some("propose"));
        assert_eq!(scope_for(&Method::POST, "/v1/reviews/C1/items/3"), Some("review"));
        for path in ["/v1/session", "/v1/tokens", "/v1/tokens/x", "/v1/mfa/enroll", "/v1/password"] {
            assert_eq!(scope_for(&Method::POST, path), None, "{path}");
            assert_eq!(scope_for(&Method::GET, path), None, "{path}");
        }
        assert_eq!(scope_for(&Method::POST, "/v1/other"), None);
    }
}
