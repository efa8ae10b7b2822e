//! Structured logs (tracing): one event per request — a request id, the
//! method, the path, the status and the time taken — on standard error, as
//! text or JSON lines. Never a header, a body, a token or a password.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// Starts the log output (`json`: one JSON object per line). Lines are
/// written by a thread of their own, in batches, so a request never waits
/// on standard error (a write call per request was ≈ 5 % of the busy
/// server's CPU in a profile, bench/README.md); none is dropped when the writer
/// falls behind (the request then waits). Keep the guard until the server
/// stops: dropping it writes out what is left.
pub fn init(json: bool) -> tracing_appender::non_blocking::WorkerGuard {
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::BufWriter::with_capacity(1 << 16, std::io::stderr()));
    let builder = tracing_subscriber::fmt().with_writer(writer).with_target(false).with_ansi(false);
    // A second call (tests start several apps in one process) keeps the first subscriber.
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
    guard
}

/// Logs each request once it is answered.
pub async fn requests(request: Request, next: Next) -> Response {
    static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(request_id = id, method = %method, path = %path, status, ms = format!("{ms:.1}"), "request");
    response
}
