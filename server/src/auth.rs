//! Who is asking: the `Admin` extractor reads the session cookie (never a
//! user id the client names), refuses an unknown, forged or expired
//! session, and refuses a state-changing request whose CSRF header does not
//! match its session. Sign-in, sign-out and sign-out everywhere.

use crate::accounts::{self, code as account_code};
use crate::api_error::ApiError;
use crate::sessions::{self, Session, code};
use crate::{App, Body, clock, json_body};
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use clearance_core::Error;
use std::net::SocketAddr;

/// A signed-in admin, for the handler to act as.
pub struct Admin(pub Session);

fn token(headers: &HeaderMap) -> Option<String> {
    let cookie = headers.get(header::COOKIE)?.to_str().ok()?;
    sessions::token_in(cookie).map(str::to_owned)
}

impl FromRequestParts<App> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Admin, ApiError> {
        let token = token(&parts.headers).ok_or_else(|| Error::one("", code::UNAUTHENTICATED, "sign in first"))?;
        let now = clock::now_ms();
        let session = app.db.run(move |s| sessions::find(s, &token, now)).await?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD);
        let echoed = parts.headers.get(sessions::CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
        if !safe && !sessions::same_token(echoed, &session.csrf) {
            return Err(Error::one(
                "",
                code::CSRF_REFUSED,
                format!("a state-changing request needs the session's `{}` header", sessions::CSRF_HEADER),
            )
            .into());
        }
        Ok(Admin(session))
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    user: String,
    password: String,
}

/// `POST /v1/session {user, password}`: a session cookie and the CSRF token.
pub async fn sign_in(State(app): State<App>, ConnectInfo(peer): ConnectInfo<SocketAddr>, Body(body): Body) -> Result<Response, ApiError> {
    let Credentials { user, password } = json_body(&body)?;
    let now = clock::now_ms();
    let address = peer.ip().to_string();
    let lookup = user.clone();
    let stored = app.db.run(move |s| accounts::stored(s, &lookup)).await?;
    if stored.locked_until_ms > now {
        return Err(locked(stored.locked_until_ms, now));
    }
    // Argon2 runs off the async threads and outside the database lock.
    let phc = stored.phc;
    let matches = tokio::task::spawn_blocking(move || accounts::verify_password(&password, &phc)).await.unwrap_or(false);
    let ok = matches && stored.exists;
    let signed_in = user.clone();
    let outcome = app
        .db
        .run(move |s| {
            let locked = accounts::record_outcome(s, &signed_in, ok, &address, now)?;
            if !ok {
                return Ok(Err(locked));
            }
            Ok(Ok(sessions::start(s, &signed_in, now)?))
        })
        .await?;
    match outcome {
        Ok((token, csrf)) => {
            let mut response = axum::Json(serde_json::json!({"user": user, "csrf": csrf})).into_response();
            let cookie = HeaderValue::from_str(&sessions::cookie(&token, app.tls)).map_err(|_| Error::one("", "internal", "bad cookie"))?;
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            Ok(response)
        }
        Err(Some(until)) => Err(locked(until, now)),
        Err(None) => Err(Error::one("", account_code::BAD_CREDENTIALS, "unknown user or wrong password").into()),
    }
}

fn locked(until: i64, now: i64) -> ApiError {
    let minutes = (until.saturating_sub(now) + 59_999) / 60_000;
    Error::one("", account_code::LOCKED_OUT, format!("too many failed sign-ins: try again in {minutes} minutes")).into()
}

/// `GET /v1/session`: who is signed in.
pub async fn whoami(Admin(session): Admin) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({"user": session.user, "csrf": session.csrf}))
}

/// `DELETE /v1/session`: signs this session out.
pub async fn sign_out(State(app): State<App>, _admin: Admin, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = token(&headers) {
        app.db.run(move |s| sessions::end(s, &token)).await?;
    }
    let mut response = axum::Json(serde_json::json!({"signed_out": 1})).into_response();
    if let Ok(cleared) = HeaderValue::from_str(&sessions::cleared_cookie()) {
        response.headers_mut().insert(header::SET_COOKIE, cleared);
    }
    Ok(response)
}

/// `POST /v1/session/everywhere`: signs every session of this admin out.
pub async fn sign_out_everywhere(State(app): State<App>, Admin(session): Admin) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let count = app.db.run(move |s| sessions::end_all(s, &session.user)).await?;
    Ok(axum::Json(serde_json::json!({"signed_out": count})))
}
