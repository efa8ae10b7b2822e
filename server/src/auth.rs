//! Who is asking, and whether they may act now. The `Admin` extractor reads
//! the session cookie (never a user id the client names), refuses an
//! unknown, forged or expired session and a state-changing request whose
//! CSRF header does not match, then asks the engine whether the org's
//! session rules (MFA, IP ranges, login hours of the user's bundles) admit
//! the user from this address at this time. Sign-in applies the same rules.

use crate::accounts::{self, code as account_code};
use crate::api_error::ApiError;
use crate::sessions::{self, Session, code};
use crate::{App, Body, address, clock, json_body, mfa, tokens};
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use clearance_core::Error;
use std::net::{IpAddr, SocketAddr};

/// A signed-in admin whom the org's session rules admit now.
pub struct Admin(pub Session);

/// A signed-in admin who may be short of only the second factor: what
/// enrolling one needs (address and hours still apply).
pub struct Enrolling(pub Session, pub String);

fn token(headers: &HeaderMap) -> Option<String> {
    let cookie = headers.get(header::COOKIE)?.to_str().ok()?;
    sessions::token_in(cookie).map(str::to_owned)
}

/// The client's address for a request (see `address.rs`).
pub fn client_address(app: &App, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    address::client(peer, headers, &app.trusted_proxies)
}

/// The session a request carries (with the current policy, read in the
/// same database call), its CSRF echo checked, and the client address.
async fn signed_in(parts: &mut Parts, app: &App) -> Result<(Session, String, IpAddr, std::sync::Arc<clearance_core::Engine>), ApiError> {
    let token = token(&parts.headers).ok_or_else(|| Error::one("", code::UNAUTHENTICATED, "sign in first"))?;
    let (session, engine, checked) = app.session(&token, clock::now_ms()).await?;
    parts.extensions.insert(crate::snapshot::Checked(checked));
    let address = client_address(app, peer(parts), &parts.headers);
    let safe = matches!(parts.method, Method::GET | Method::HEAD);
    let echoed = parts.headers.get(sessions::CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !safe && !sessions::same_token(echoed, &session.csrf) {
        let error =
            Error::one("", code::CSRF_REFUSED, format!("a state-changing request needs the session's `{}` header", sessions::CSRF_HEADER));
        app.record_refusal(&session.user, "csrf", parts.uri.path(), &error).await?;
        return Err(error.into());
    }
    Ok((session, token, address, engine))
}

impl FromRequestParts<App> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Admin, ApiError> {
        if let Some(secret) = bearer(&parts.headers) {
            return by_token(parts, app, secret).await;
        }
        let (session, _, address, engine) = signed_in(parts, app).await?;
        if let Err(error) = crate::admit(&engine, &session.user, address, session.mfa, clock::now_ms()) {
            app.record_refusal(&session.user, "session_rules", parts.uri.path(), &error).await?;
            return Err(error.into());
        }
        Ok(Admin(session))
    }
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(|secret| secret.trim().to_owned())
}

pub(crate) fn peer(parts: &Parts) -> IpAddr {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip())
}

/// An API token's admin: the route must be one a token may use, with a
/// scope the token holds; the org's session rules apply as to a session
/// (with the second factor its session had when it was made); the use is
/// recorded. No CSRF: a token is not sent by browsers on their own.
async fn by_token(parts: &Parts, app: &App, secret: String) -> Result<Admin, ApiError> {
    let now = clock::now_ms();
    let token = app.db.run(move |s| tokens::find(s, &secret, now)).await?;
    let path = parts.uri.path().to_owned();
    let refuse = |code: clearance_core::Code, message: String| Error::one("", code, message);
    let check = match tokens::scope_for(&parts.method, &path) {
        None => Err(refuse(clearance_core::Code::TokenNotAllowed, format!("`{path}` needs a signed-in session, not a token"))),
        Some(scope) if !token.scopes.iter().any(|s| s == scope) => {
            Err(refuse(tokens::code::SCOPE, format!("the token lacks the `{scope}` scope")))
        }
        Some(_) => app.admit(&token.user, client_address(app, peer(parts), &parts.headers), token.mfa, now).await,
    };
    if let Err(error) = check {
        app.record_refusal(&token.user, "token", &path, &error).await?;
        return Err(error.into());
    }
    let (user, id, method) = (token.user.clone(), token.id.clone(), parts.method.to_string());
    app.db
        .run(move |s| {
            let at = clock::stamp(now, clearance_core::change::steps::Storage::last_entry(s)?.as_ref());
            clearance_core::change::steps::record(s, &at, &user, "token_used", &id, serde_json::json!({"method": method, "path": path}))
                .map(|_| ())
        })
        .await?;
    Ok(Admin(Session { user: token.user, csrf: String::new(), mfa: token.mfa }))
}

impl FromRequestParts<App> for Enrolling {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Enrolling, ApiError> {
        let (session, token, address, engine) = signed_in(parts, app).await?;
        if let Err(error) = crate::admit(&engine, &session.user, address, true, clock::now_ms()) {
            app.record_refusal(&session.user, "session_rules", parts.uri.path(), &error).await?;
            return Err(error.into());
        }
        Ok(Enrolling(session, token))
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    user: String,
    password: String,
    #[serde(default)]
    code: Option<String>,
    /// Only when changing the password (`POST /v1/password`).
    #[serde(default)]
    new_password: Option<String>,
}

/// How a sign-in (or a password change) ended, decided in one transaction
/// with its audit entries.
enum Outcome {
    Session { token: String, csrf: String, mfa: bool, enroll: bool },
    PasswordChanged,
    Failed(Option<i64>),
    CodeRequired,
    Refused(Error),
}

/// One attempt with credentials, the password already checked.
struct Attempt {
    user: String,
    password_ok: bool,
    code: Option<String>,
    new_password: Option<String>,
    address: IpAddr,
    set_ms: i64,
    now: i64,
}

/// `POST /v1/session {user, password, code?}`: a session cookie and the CSRF token.
pub async fn sign_in(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let credentials: Credentials = json_body(&body)?;
    if credentials.new_password.is_some() {
        return Err(
            Error::one("/new_password", clearance_core::error::code::BAD_VALUE, "change a password with `POST /v1/password`").into()
        );
    }
    let user = credentials.user.clone();
    match attempt(&app, credentials, client_address(&app, peer.ip(), &headers)).await? {
        Outcome::Session { token, csrf, mfa, enroll } => {
            let body = serde_json::json!({"user": user, "csrf": csrf, "mfa": mfa, "mfa_enrollment_required": enroll});
            let mut response = axum::Json(body).into_response();
            let cookie = HeaderValue::from_str(&sessions::cookie(&token, app.tls))
                .map_err(|_| Error::one("", clearance_core::Code::Internal, "bad cookie"))?;
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            Ok(response)
        }
        other => Err(refusal(other)),
    }
}

/// `POST /v1/password {user, password, code?, new_password}`: changes a
/// password with the current credentials (no session needed: an expired
/// password cannot open one). The policy's rules judge the new password.
pub async fn change_password(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let credentials: Credentials = json_body(&body)?;
    if credentials.new_password.is_none() {
        return Err(Error::one("/new_password", clearance_core::error::code::MISSING_KEY, "give the `new_password`").into());
    }
    match attempt(&app, credentials, client_address(&app, peer.ip(), &headers)).await? {
        Outcome::PasswordChanged => Ok(axum::Json(serde_json::json!({"changed": true})).into_response()),
        other => Err(refusal(other)),
    }
}

fn refusal(outcome: Outcome) -> ApiError {
    match outcome {
        Outcome::Failed(Some(until)) => locked(until, clock::now_ms()),
        Outcome::CodeRequired => Error::one("/code", mfa::code::CODE_REQUIRED, "this account signs in with a one-time code too").into(),
        Outcome::Refused(error) => error.into(),
        _ => Error::one("", account_code::BAD_CREDENTIALS, "unknown user or wrong password (or code)").into(),
    }
}

/// The password check (off the async threads, outside the database lock),
/// then the rest of the attempt in one transaction.
async fn attempt(app: &App, credentials: Credentials, address: IpAddr) -> Result<Outcome, ApiError> {
    let Credentials { user, password, code, new_password } = credentials;
    let now = clock::now_ms();
    if let Err(seconds) = app.sign_in_limit.take(address, now) {
        return Err(Error::one(
            "",
            clearance_core::Code::RateLimited,
            format!("too many sign-in attempts from this address: try again in {seconds} seconds"),
        )
        .into());
    }
    let lookup = user.clone();
    let stored = app.db.read(move |s| accounts::stored(s, &lookup)).await?;
    if stored.locked_until_ms > now {
        return Err(locked(stored.locked_until_ms, now));
    }
    let phc = stored.phc;
    let matches = tokio::task::spawn_blocking(move || accounts::verify_password(&password, &phc)).await.unwrap_or(false);
    let attempt = Attempt { user, password_ok: matches && stored.exists, code, new_password, address, set_ms: stored.set_ms, now };
    let engine = app.engine().await?;
    Ok(app.db.run(move |s| decide(s, &engine, &attempt)).await?)
}

/// After the password: the second factor, the org's session rules, the
/// password's age; then a session, or the new password. Every outcome
/// leaves its audit entry (a refusal commits its record, not a change).
fn decide(s: &mut dyn crate::tx::Tx, engine: &clearance_core::Engine, a: &Attempt) -> Result<Outcome, Error> {
    let rules = accounts::rules(engine);
    let where_from = a.address.to_string();
    let fail = |s: &mut dyn crate::tx::Tx| accounts::record_outcome(s, &rules, &a.user, false, &where_from, a.now).map(Outcome::Failed);
    if !a.password_ok {
        return fail(s);
    }
    let enrolled = mfa::enrolled(s, &a.user)?;
    if enrolled {
        let Some(code) = &a.code else { return Ok(Outcome::CodeRequired) };
        if mfa::verify(s, &a.user, code, a.now).is_err() {
            return fail(s);
        }
    }
    let mut enroll = false;
    if let Err(error) = engine.admit_session(&a.user, &crate::session_context(a.address, enrolled, a.now)?) {
        // Short of only a second factor it has not enrolled: a session that can enroll one and nothing else.
        if error.has_code(clearance_core::Code::MfaRequired) && !enrolled && a.new_password.is_none() {
            enroll = true;
        } else {
            return refused(s, a, error);
        }
    }
    if let Some(new_password) = &a.new_password {
        return match accounts::set_password(s, &a.user, new_password, &a.user, a.now) {
            Ok(()) => Ok(Outcome::PasswordChanged),
            Err(error) => Ok(Outcome::Refused(error)),
        };
    }
    let max_age_ms = i64::from(rules.max_age_days) * 86_400_000;
    if max_age_ms > 0 && a.now.saturating_sub(a.set_ms) > max_age_ms {
        let error = Error::one(
            "",
            account_code::PASSWORD_EXPIRED,
            format!("the password is older than {} days: change it first", rules.max_age_days),
        );
        return refused(s, a, error);
    }
    accounts::record_outcome(s, &rules, &a.user, true, &where_from, a.now)?;
    let (token, csrf) = sessions::start(s, &a.user, enrolled, a.now, sessions::timeouts(engine))?;
    Ok(Outcome::Session { token, csrf, mfa: enrolled, enroll })
}

/// A sign-in the rules refuse after the credentials passed: recorded, answered.
fn refused(s: &mut dyn crate::tx::Tx, a: &Attempt, error: Error) -> Result<Outcome, Error> {
    let at = clock::stamp(a.now, clearance_core::change::steps::Storage::last_entry(s)?.as_ref());
    let codes: Vec<&str> = error.problems().iter().map(|p| p.code.as_str()).collect();
    let details = serde_json::json!({"address": a.address.to_string(), "codes": codes});
    clearance_core::change::steps::record(s, &at, &a.user, "sign_in_refused", &a.user, details)?;
    Ok(Outcome::Refused(error))
}

fn locked(until: i64, now: i64) -> ApiError {
    let minutes = (until.saturating_sub(now) + 59_999) / 60_000;
    Error::one("", account_code::LOCKED_OUT, format!("too many failed sign-ins: try again in {minutes} minutes")).into()
}

/// `POST /v1/mfa/enroll`: a fresh TOTP secret and its `otpauth://` address,
/// pending until confirmed. Replacing a confirmed second factor needs a
/// session that passed it.
pub async fn enroll(State(app): State<App>, Enrolling(session, _): Enrolling) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let (secret, url) = app
        .db
        .run(move |s| {
            if mfa::enrolled(s, &session.user)? && !session.mfa {
                return Err(Error::one("", clearance_core::Code::MfaRequired, "sign in with your current second factor to replace it"));
            }
            mfa::begin(s, &session.user)
        })
        .await?;
    Ok(axum::Json(serde_json::json!({"secret": secret, "otpauth_url": url})))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Confirmation {
    code: String,
}

/// `POST /v1/mfa/confirm {code}`: confirms the enrollment with a current
/// code; answers the recovery codes, once. The session now counts as having
/// passed the second factor.
pub async fn confirm(
    State(app): State<App>,
    Enrolling(session, token): Enrolling,
    Body(body): Body,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let Confirmation { code } = json_body(&body)?;
    let now = clock::now_ms();
    let codes = app
        .db
        .run(move |s| {
            if mfa::enrolled(s, &session.user)? && !session.mfa {
                return Err(Error::one("", clearance_core::Code::MfaRequired, "sign in with your current second factor to replace it"));
            }
            let codes = mfa::confirm(s, &session.user, &code, now)?;
            sessions::passed_mfa(s, &token)?;
            Ok(codes)
        })
        .await?;
    Ok(axum::Json(serde_json::json!({"recovery_codes": codes})))
}

/// `GET /v1/session`: who is signed in.
pub async fn whoami(Enrolling(session, _): Enrolling) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({"user": session.user, "csrf": session.csrf, "mfa": session.mfa}))
}

/// `DELETE /v1/session`: signs this session out.
pub async fn sign_out(State(app): State<App>, Enrolling(_, token): Enrolling) -> Result<Response, ApiError> {
    app.db.run(move |s| sessions::end(s, &token)).await?;
    let mut response = axum::Json(serde_json::json!({"signed_out": 1})).into_response();
    if let Ok(cleared) = HeaderValue::from_str(&sessions::cleared_cookie()) {
        response.headers_mut().insert(header::SET_COOKIE, cleared);
    }
    Ok(response)
}

/// `POST /v1/session/everywhere`: signs every session of this admin out.
pub async fn sign_out_everywhere(
    State(app): State<App>,
    Enrolling(session, _): Enrolling,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let count = app.db.run(move |s| sessions::end_all(s, &session.user)).await?;
    Ok(axum::Json(serde_json::json!({"signed_out": count})))
}
