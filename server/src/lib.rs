//! The control plane (`clearance-server`): one shared, authenticated home
//! for the policy, its change requests, versions and audit log. Admins sign
//! in with the org's own user ids; every route acts as the session's user
//! and runs the core's sequencer (`clearance_core::change::steps`) in one
//! database transaction, so the rules are the CLI's and the admin app's.

pub mod accounts;
pub mod api_error;
pub mod auth;
pub mod clock;
pub mod db;
pub mod routes;
pub mod sessions;

use axum::Router;
use axum::routing::{get, post};
use clearance_core::Error;
use clearance_core::error::code;

/// What every handler shares.
#[derive(Clone)]
pub struct App {
    /// The database.
    pub db: db::Db,
    /// Whether the server speaks TLS (cookies get `Secure`).
    pub tls: bool,
}

/// The largest request body accepted (a whole policy fits with room).
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// A JSON request body as `T`; bad JSON or a wrong shape is a coded error.
///
/// # Errors
/// `json_syntax`, `bad_value`.
pub fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let text = std::str::from_utf8(body).map_err(|_| Error::one("", code::BAD_VALUE, "the body is not utf-8 text"))?;
    let value = clearance_core::parse_json(text)?;
    serde_json::from_value(value)
        .map_err(|e| Error::one("", code::BAD_VALUE, format!("bad request body: {}", e.to_string().to_lowercase())))
}

/// A request body as bytes; one over [`BODY_LIMIT`] is refused with
/// `payload_too_large` (413) in the API's error shape.
pub struct Body(pub axum::body::Bytes);

impl<S: Send + Sync> axum::extract::FromRequest<S> for Body {
    type Rejection = api_error::ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Body, api_error::ApiError> {
        match axum::body::Bytes::from_request(request, state).await {
            Ok(bytes) => Ok(Body(bytes)),
            Err(rejection) if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(Error::one("", "payload_too_large", format!("the body is over {BODY_LIMIT} bytes")).into())
            }
            Err(rejection) => {
                Err(Error::one("", code::BAD_VALUE, format!("cannot read the body: {}", rejection.body_text().to_lowercase())).into())
            }
        }
    }
}

/// Every route.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/v1/session", post(auth::sign_in).get(auth::whoami).delete(auth::sign_out))
        .route("/v1/session/everywhere", post(auth::sign_out_everywhere))
        .route("/v1/requests", get(routes::list_requests).post(routes::propose))
        .route("/v1/requests/{id}", get(routes::show_request))
        .route("/v1/requests/{id}/{step}", post(routes::step))
        .route("/v1/versions", get(routes::versions))
        .route("/v1/versions/current", get(routes::current_version))
        .route("/v1/versions/{prefix}/restore", post(routes::restore))
        .route("/v1/audit", get(routes::audit))
        .fallback(|| async { api_error::ApiError(Error::one("", "not_found", "no such route")) })
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(app)
}

/// `GET /readyz`: the database answers and holds a policy.
async fn ready(axum::extract::State(app): axum::extract::State<App>) -> Result<&'static str, api_error::ApiError> {
    app.db.run(|s| clearance_core::change::steps::current(s).map(|_| ())).await?;
    Ok("ready")
}

/// Serves `app` on `listener` until Ctrl-C or SIGTERM, then finishes the
/// requests in flight.
///
/// # Errors
/// The listener's failures.
pub async fn serve(listener: tokio::net::TcpListener, app: App) -> std::io::Result<()> {
    let service = router(app).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service).with_graceful_shutdown(shutdown()).await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
