//! The control plane (`clearance-server`): one shared, authenticated home
//! for the policy, its change requests, versions and audit log. Admins sign
//! in with the org's own user ids; every route acts as the session's user
//! and runs the core's sequencer (`clearance_core::change::steps`) in one
//! database transaction, so the rules are the CLI's and the admin app's.

pub mod accounts;
pub mod address;
pub mod api_error;
pub mod auth;
pub mod bundles;
pub mod cached;
pub mod clock;
pub mod db;
pub mod edges;
pub mod events;
pub mod limits;
pub mod logs;
pub mod mfa;
pub mod pg;
pub mod query;
pub mod reviews;
pub mod routes;
pub mod sessions;
pub mod site;
pub mod snapshot;
pub mod sqlite;
pub mod tokens;
pub mod tx;

use axum::Router;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use clearance_core::Engine;
use clearance_core::Error;
use clearance_core::error::code;
use std::sync::{Arc, Mutex};

/// What every handler shares.
#[derive(Clone)]
pub struct App {
    /// The database.
    pub db: db::Db,
    /// Whether the server speaks TLS (cookies get `Secure`).
    pub tls: bool,
    /// Proxies whose `X-Forwarded-For` names the client (see `address.rs`).
    pub trusted_proxies: Arc<Vec<std::net::IpAddr>>,
    /// The current version's compiled policy, by hash.
    compiled: Arc<Mutex<Option<Compiled>>>,
    /// An older version's compiled policy, by hash: the one edges' events
    /// were last read against (after an apply, the edges' last events
    /// before their swap name the revision before; see `events.rs`).
    pub(crate) older: Arc<Mutex<Option<Compiled>>>,
    /// The request list as last answered, with the audit head it was read at.
    request_list: Arc<Mutex<Option<(String, axum::body::Bytes)>>>,
    /// Reads answered again while the database's stamp holds (SQLite).
    snapshot: Arc<snapshot::Snapshot>,
    /// The signing keys (kept outside the database).
    keys: Arc<Keys>,
    /// Edge bundles already written, by version seq (see `bundles.rs`).
    pub bundles: Arc<bundles::Published>,
    /// Woken when a step may have made a new version (long-polling edges wait on it).
    pub versions_changed: Arc<tokio::sync::Notify>,
    /// Set when the server stops: long-polls answer at once instead of holding the shutdown.
    stopping: Arc<std::sync::atomic::AtomicBool>,
    /// Sign-in attempts per client address.
    pub sign_in_limit: Arc<limits::SignInLimit>,
    /// The admin app's files, when the server serves it (`serve --app DIR`).
    pub site: Option<Arc<site::Site>>,
}

/// The server's Ed25519 signing seeds.
pub struct Keys {
    /// Signs audit checkpoints.
    pub checkpoint: [u8; 32],
    /// Signs edge bundles.
    pub bundle: [u8; 32],
}

/// A version's hash and its compiled policy.
type Compiled = (String, Arc<Engine>);

impl App {
    /// An app over `db`, signing checkpoints and bundles with `keys`.
    pub fn new(db: db::Db, keys: Keys, tls: bool, trusted_proxies: Vec<std::net::IpAddr>) -> App {
        App {
            db,
            tls,
            trusted_proxies: Arc::new(trusted_proxies),
            compiled: Arc::default(),
            older: Arc::default(),
            request_list: Arc::default(),
            snapshot: Arc::default(),
            keys: Arc::new(keys),
            bundles: Arc::default(),
            versions_changed: Arc::default(),
            stopping: Arc::default(),
            sign_in_limit: Arc::default(),
            site: None,
        }
    }

    /// The same app, also serving the admin app's `site` outside `/v1/`.
    pub fn with_site(self, site: site::Site) -> App {
        App { site: Some(Arc::new(site)), ..self }
    }

    /// A signed checkpoint of the audit log's newest entry.
    ///
    /// # Errors
    /// `broken_chain` for an empty log; `db_error`.
    pub async fn checkpoint(&self) -> Result<clearance_core::checkpoint::Checkpoint, Error> {
        let keys = self.keys.clone();
        self.db
            .read(move |s| {
                let last =
                    s.last_entry()?.ok_or_else(|| Error::one("", clearance_core::audit::code::BROKEN_CHAIN, "the audit log is empty"))?;
                Ok(clearance_core::checkpoint::Checkpoint::sign(&last, &clock::stamp(clock::now_ms(), Some(&last)), &keys.checkpoint))
            })
            .await
    }

    /// The current policy, compiled once per version.
    ///
    /// # Errors
    /// `no_version`; `db_error`.
    pub async fn engine(&self) -> Result<Arc<Engine>, Error> {
        let app = self.clone();
        self.db.read(move |s| app.engine_in(s)).await
    }

    /// [`App::engine`] inside a database call (one round trip with the
    /// call's other reads).
    ///
    /// # Errors
    /// `no_version`; `db_error`.
    pub fn engine_in(&self, s: &dyn tx::Tx) -> Result<Arc<Engine>, Error> {
        let hash = s.current_hash()?;
        if let Some(engine) = self.kept(hash.as_deref()) {
            return Ok(engine);
        }
        let version = clearance_core::change::steps::Storage::current(s)?
            .ok_or_else(|| Error::one("", clearance_core::Code::NoVersion, "the state has no policy yet: start it with a first version"))?;
        self.compiled_for(&version)
    }

    /// The compiled policy of `version`, from the cache when it holds that version.
    ///
    /// # Errors
    /// A policy that does not compile.
    pub fn compiled_for(&self, version: &clearance_core::change::steps::Version) -> Result<Arc<Engine>, Error> {
        if let Some(engine) = self.kept(Some(&version.hash)) {
            return Ok(engine);
        }
        let engine = Arc::new(Engine::compile(version.policy.clone())?);
        self.keep(&version.hash, engine.clone());
        Ok(engine)
    }

    pub(crate) fn kept(&self, hash: Option<&str>) -> Option<Arc<Engine>> {
        let cache = self.compiled.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cache.as_ref().filter(|(cached, _)| Some(cached.as_str()) == hash).map(|(_, engine)| engine.clone())
    }

    /// The request list's JSON, rendered once per state of the log: every
    /// write to a request appends an audit entry in the same transaction,
    /// so the audit head (read here, in the caller's transaction, on any
    /// replica) names the list's content. Reads between changes cost one
    /// lookup instead of decoding and summarising every request.
    ///
    /// # Errors
    /// `db_error`, undecodable rows.
    pub fn request_list(&self, s: &dyn tx::Tx) -> Result<axum::body::Bytes, Error> {
        let head = s.audit_head()?.unwrap_or_default();
        let mut kept = self.request_list.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((at, body)) = kept.as_ref().filter(|(at, _)| *at == head && !head.is_empty()) {
            tracing::trace!(head = %at, "request list from cache");
            return Ok(body.clone());
        }
        let list: Vec<serde_json::Value> = s.requests()?.iter().map(routes::request_json).collect();
        let body = axum::body::Bytes::from(serde_json::to_vec(&list).unwrap_or_default());
        *kept = Some((head, body.clone()));
        Ok(body)
    }

    /// The request list's JSON as the state stands now: kept while the
    /// database's stamp holds (see `snapshot.rs`), else read. `checked`:
    /// a stamp read after the request began (the session's), if any.
    ///
    /// # Errors
    /// `db_error`, undecodable rows.
    pub async fn requests_json(&self, checked: Option<db::Stamp>) -> Result<axum::body::Bytes, Error> {
        if let Some(body) = checked.or_else(|| self.db.stamp()).and_then(|stamp| self.snapshot.requests(stamp)) {
            return Ok(body);
        }
        let keeper = self.clone();
        let (body, stamp) = self.db.read_stamped(move |s| keeper.request_list(s)).await?;
        if let Some(stamp) = stamp {
            self.snapshot.keep_requests(stamp, body.clone());
        }
        Ok(body)
    }

    /// The live session `token` names at `now`, with the current policy and
    /// the stamp it was checked at: kept while the database's stamp holds
    /// and the session's last use need not be written (see `snapshot.rs`),
    /// else read (and marked).
    ///
    /// # Errors
    /// `unauthenticated`, `session_expired`, `no_version`, `db_error`.
    pub async fn session(&self, token: &str, now: i64) -> Result<(sessions::Session, Arc<Engine>, Option<db::Stamp>), Error> {
        let hash = sessions::digest(token);
        let stamp = self.db.stamp();
        if let Some((engine, row)) = stamp.and_then(|stamp| self.snapshot.session(stamp, &hash)) {
            let (session, due) = row.judge(now, sessions::timeouts(&engine))?;
            if !due {
                return Ok((session, engine, stamp));
            }
        }
        let (lookup, keeper) = (token.to_owned(), self.clone());
        let ((session, row, engine), stamp) = self
            .db
            .read_stamped(move |s| {
                let engine = keeper.engine_in(s)?;
                let (session, row) = sessions::find(s, &lookup, now, sessions::timeouts(&engine))?;
                Ok((session, row, engine))
            })
            .await?;
        if let Some(stamp) = stamp {
            self.snapshot.keep_session(stamp, hash, row, engine.clone());
        }
        Ok((session, engine, stamp))
    }

    /// Marks the server as stopping and wakes every long-poll, so the
    /// graceful shutdown waits for real work only.
    pub fn stop(&self) {
        self.stopping.store(true, std::sync::atomic::Ordering::SeqCst);
        self.versions_changed.notify_waiters();
    }

    /// Whether the server is stopping.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Keeps a version's compiled policy (one at a time: the current one).
    pub fn keep(&self, hash: &str, engine: Arc<Engine>) {
        *self.compiled.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((hash.to_owned(), engine));
    }

    /// Whether `user` may act now from `address` under the org's session
    /// rules (the engine judges admins as it judges everyone).
    ///
    /// # Errors
    /// The refusing stage (`mfa_required`, `ip_not_allowed`, `outside_login_hours`, `inactive_user`, …).
    pub async fn admit(&self, user: &str, address: std::net::IpAddr, mfa: bool, now_ms: i64) -> Result<(), Error> {
        admit(&*self.engine().await?, user, address, mfa, now_ms)
    }

    /// Records a refusal in the audit log (in its own transaction: the
    /// refused step itself changed nothing).
    ///
    /// # Errors
    /// `db_error`.
    pub async fn record_refusal(&self, user: &str, what: &str, subject: &str, error: &Error) -> Result<(), Error> {
        let (user, what, subject) = (user.to_owned(), what.to_owned(), subject.to_owned());
        let codes: Vec<String> = error.problems().iter().map(|p| p.code.clone()).collect();
        self.db
            .run(move |s| {
                let at = clock::stamp(clock::now_ms(), s.last_entry()?.as_ref());
                clearance_core::change::steps::record(s, &at, &user, "refused", &subject, serde_json::json!({"what": what, "codes": codes}))
                    .map(|_| ())
            })
            .await
    }
}

/// Whether `engine`'s session rules admit `user` from `address` now.
///
/// # Errors
/// The refusing stage.
pub fn admit(engine: &Engine, user: &str, address: std::net::IpAddr, mfa: bool, now_ms: i64) -> Result<(), Error> {
    engine.admit_session(user, &session_context(address, mfa, now_ms)?)
}

/// The context the session rules read: the client address, the server's
/// time, and whether the session passed a second factor.
///
/// # Errors
/// Never for a real address and time.
pub fn session_context(address: std::net::IpAddr, mfa: bool, now_ms: i64) -> Result<clearance_core::Context, Error> {
    let map: std::collections::BTreeMap<String, serde_json::Value> = [
        ("ip".to_owned(), serde_json::json!(address.to_string())),
        ("mfa".to_owned(), serde_json::json!(mfa)),
        ("time".to_owned(), serde_json::json!(clock::stamp(now_ms, None))),
    ]
    .into_iter()
    .collect();
    clearance_core::Context::from_map(&map, "/context")
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
                Err(Error::one("", clearance_core::Code::PayloadTooLarge, format!("the body is over {BODY_LIMIT} bytes")).into())
            }
            Err(rejection) => {
                Err(Error::one("", code::BAD_VALUE, format!("cannot read the body: {}", rejection.body_text().to_lowercase())).into())
            }
        }
    }
}

/// The API's description (OpenAPI 3.1), checked in beside the code; a test
/// holds its paths and methods equal to the router's.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// Every route.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/v1/openapi.json", get(|| async { ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI) }))
        .route("/v1/session", post(auth::sign_in).get(auth::whoami).delete(auth::sign_out))
        .route("/v1/session/everywhere", post(auth::sign_out_everywhere))
        .route("/v1/password", post(auth::change_password))
        .route("/v1/mfa/enroll", post(auth::enroll))
        .route("/v1/mfa/confirm", post(auth::confirm))
        .route("/v1/requests", get(routes::list_requests).post(routes::propose))
        .route("/v1/requests/{id}", get(routes::show_request))
        .route("/v1/requests/{id}/{step}", post(routes::step))
        .route("/v1/versions", get(routes::versions))
        .route("/v1/versions/current", get(routes::current_version))
        .route("/v1/versions/{prefix}", get(routes::version))
        .route("/v1/versions/{prefix}/restore", post(routes::restore))
        .route("/v1/audit", get(routes::audit))
        .route("/v1/audit/checkpoint", get(routes::checkpoint))
        .route("/v1/reviews", get(reviews::list).post(reviews::start))
        .route("/v1/reviews/{id}", get(reviews::show))
        .route("/v1/reviews/{id}/items/{item}", post(reviews::decide))
        .route("/v1/reviews/{id}/close", post(reviews::close))
        .route("/v1/tokens", get(routes::list_tokens).post(routes::create_token))
        .route("/v1/tokens/{id}", axum::routing::delete(routes::revoke_token))
        .route("/v1/bundles/current", get(bundles::current))
        .route("/v1/bundles/{revision}", get(bundles::by_revision))
        .route("/v1/edges", get(edges::list))
        .route("/v1/events", post(events::receive))
        .route("/v1/activity/analyze", post(events::analyze_fleet))
        .fallback(not_an_api_route)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(logs::requests))
        .with_state(app)
}

/// Anything the API does not route: the admin app's files and addresses
/// when served, else `not_found` in the API's error shape.
async fn not_an_api_route(
    axum::extract::State(app): axum::extract::State<App>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match app.site.as_ref().and_then(|site| site.answer(&method, &uri, &headers)) {
        Some(answer) => answer,
        None => api_error::ApiError(Error::one("", clearance_core::Code::NotFound, "no such route")).into_response(),
    }
}

/// `GET /readyz`: the database answers and holds a policy.
async fn ready(axum::extract::State(app): axum::extract::State<App>) -> Result<&'static str, api_error::ApiError> {
    app.db.read(|s| clearance_core::change::steps::current(s).map(|_| ())).await?;
    Ok("ready")
}

/// Serves `app` on `listener` until Ctrl-C or SIGTERM, then finishes the
/// requests in flight.
///
/// # Errors
/// The listener's failures.
pub async fn serve(listener: tokio::net::TcpListener, app: App) -> std::io::Result<()> {
    let stopping = app.clone();
    let service = router(app).into_make_service_with_connect_info::<std::net::SocketAddr>();
    // No Nagle delay: an answer goes out whole at once, never held for an ACK.
    axum::serve(
        listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        }),
        service,
    )
    .with_graceful_shutdown(async move {
        shutdown().await;
        stopping.stop();
    })
    .await
}

/// [`serve`] over TLS (rustls, with the `ring` provider): the certificate
/// chain and key in PEM files; every answer carries HSTS, and the app's
/// cookies are `Secure`.
///
/// # Errors
/// Unreadable or mismatched certificate and key; the listener's failures.
pub async fn serve_tls(listener: std::net::TcpListener, app: App, cert: &std::path::Path, key: &std::path::Path) -> std::io::Result<()> {
    // `ring`: aws-lc-rs (rustls's default, with post-quantum key exchange)
    // needs cmake to build, which the supported machines do not have.
    #[allow(deprecated, reason = "the ring provider lacks post-quantum key exchange; aws-lc-rs needs cmake")]
    let provider = rustls::crypto::ring::default_provider();
    let _ = provider.install_default();
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key).await?;
    let app_stopping = app.clone();
    let service = router(app)
        .layer(axum::middleware::map_response(|mut response: axum::response::Response| async move {
            response.headers_mut().insert(
                axum::http::header::STRICT_TRANSPORT_SECURITY,
                axum::http::HeaderValue::from_static("max-age=31536000; includeSubDomains"),
            );
            response
        }))
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let handle = axum_server::Handle::new();
    let stopping = handle.clone();
    tokio::spawn(async move {
        shutdown().await;
        app_stopping.stop();
        // Requests in flight get this long to finish.
        stopping.graceful_shutdown(Some(std::time::Duration::from_secs(30)));
    });
    axum_server::from_tcp_rustls(listener, config).handle(handle).serve(service).await
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
