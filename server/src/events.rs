//! Decision logs from the fleet: edges send batches of the package's
//! decision events (`POST /v1/events`, gzip allowed; as JSON, JSON Lines,
//! or the bytes the package records events in), each batch named by
//! an id the edge chose, so a retry after a lost answer stores nothing
//! twice. `POST /v1/activity/analyze` runs the activity analysis the CLI
//! runs (`clearance activity analyze`) over every stored event, judged
//! against the current policy, and keeps its findings.

use crate::api_error::ApiError;
use crate::auth::Admin;
use crate::edges::Edge;
use crate::tx::Tx;
use crate::{App, Body, clock};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use clearance_core::Error;
use clearance_core::activity::wire;
use clearance_core::error::code::BAD_VALUE;
use serde_json::{Value, json};
use std::sync::Arc;

/// The most a batch may hold, once inflated.
pub const MAX_INFLATED: u64 = 32 * 1024 * 1024;
/// Events inserted by one statement.
const ROWS_PER_INSERT: usize = 500;
/// The most events in one batch.
pub const MAX_EVENTS: usize = 100_000;

/// The header naming a JSON Lines batch.
pub const BATCH_HEADER: &str = "x-clearance-batch";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonBatch {
    batch: String,
    events: Vec<Value>,
}

/// A batch as received: its id and each event's JSON text.
struct Batch {
    batch: String,
    events: Vec<String>,
}

/// The body's media type, when it is one of the forms named by a header.
fn media_type(headers: &HeaderMap) -> Option<&str> {
    let given = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    [wire::MEDIA_TYPE, "application/x-ndjson"].into_iter().find(|t| given.starts_with(t))
}

/// The batch id of a body in a header-named form.
fn batch_id(headers: &HeaderMap) -> Result<String, Error> {
    let id = headers.get(BATCH_HEADER).and_then(|v| v.to_str().ok());
    id.map(str::to_owned).ok_or_else(|| {
        Error::one("/batch", clearance_core::Code::MissingKey, format!("a batch in this form names its id in the `{BATCH_HEADER}` header"))
    })
}

/// The batch in any of its forms: `{batch, events}` JSON; (`content-type:
/// application/x-ndjson`) the events as JSON Lines, exactly as the package
/// drains them; or (`application/vnd.clearance.events`) the bytes the
/// package records them in, which name their revision and are read back
/// against it (what the `Watcher` ships: the edge writes no line). The
/// last two carry the id in the `x-clearance-batch` header.
async fn batch_of(app: &App, headers: &HeaderMap, body: &[u8]) -> Result<Batch, Error> {
    match media_type(headers) {
        None => {
            let batch: JsonBatch = crate::json_body(body)?;
            Ok(Batch { batch: batch.batch, events: batch.events.iter().map(Value::to_string).collect() })
        }
        Some(wire::MEDIA_TYPE) => Ok(Batch { batch: batch_id(headers)?, events: recorded_lines(app, body).await? }),
        Some(_) => {
            let batch = batch_id(headers)?;
            let body = std::str::from_utf8(body).map_err(|_| Error::one("", BAD_VALUE, "the body is not utf-8 text"))?;
            Ok(Batch { batch, events: body.lines().filter(|line| !line.trim().is_empty()).map(str::to_owned).collect() })
        }
    }
}

/// The JSON lines of recorded events: one batch per revision, one after
/// another, each read against its revision's engine.
async fn recorded_lines(app: &App, body: &[u8]) -> Result<Vec<String>, Error> {
    let mut rest = body;
    let mut events: Vec<String> = Vec::new();
    while !rest.is_empty() {
        let (revision, count, after) = wire::batch_header(rest)?;
        if count > MAX_EVENTS.saturating_sub(events.len()) {
            return Err(Error::one("/events", BAD_VALUE, format!("a batch holds at most {MAX_EVENTS} events")));
        }
        let engine = engine_of(app, revision).await?;
        // Room as the bytes suggest, not as the count claims.
        let mut lines = clearance_core::activity::Lines::new(&engine, Some(revision), after.len().min(count * 32) * 8);
        let (read, used) = lines.push_counted(after, count, events.len())?;
        if read < count {
            return Err(Error::one(
                format!("/events/{}", events.len() + read),
                BAD_VALUE,
                format!("the batch of revision {revision} ends after {read} of its {count} events"),
            ));
        }
        events.extend(lines.text.lines().map(str::to_owned));
        rest = after.get(used..).unwrap_or_default();
    }
    Ok(events)
}

/// The engine that recorded events of `revision`: the current version's,
/// the older one events were last read against, or compiled now (and kept
/// as that older one).
async fn engine_of(app: &App, revision: u64) -> Result<Arc<clearance_core::Engine>, Error> {
    let seq = i64::try_from(revision).unwrap_or(i64::MAX);
    let hash = app
        .db
        .read(move |s| s.first("SELECT hash FROM versions WHERE seq = $1", &[seq.into()])?.map(|row| row.text(0)).transpose())
        .await?;
    let hash = hash.ok_or_else(|| {
        Error::one(
            "",
            clearance_core::Code::UnknownRevision,
            format!("the events name revision {revision}, which this server never published"),
        )
    })?;
    if let Some(engine) = app.kept(Some(&hash)) {
        return Ok(engine);
    }
    let older = || app.older.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, engine)) = older().as_ref().filter(|(kept, _)| *kept == hash) {
        return Ok(engine.clone());
    }
    let version = app.db.read(move |s| crate::bundles::version(s, revision)).await?;
    // Compiling a large org takes a while: off the async threads.
    let compiled = tokio::task::spawn_blocking(move || clearance_core::Engine::compile(version.policy)).await;
    let engine = Arc::new(compiled.map_err(|_| Error::one("", clearance_core::Code::Internal, "compiling the revision did not finish"))??);
    *older() = Some((hash, engine.clone()));
    Ok(engine)
}

/// The body, inflated when it says it is gzip (bounded: no bomb).
fn inflate(headers: &HeaderMap, body: &[u8]) -> Result<Vec<u8>, Error> {
    let gzip = headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).is_some_and(|v| v.eq_ignore_ascii_case("gzip"));
    if !gzip {
        return Ok(body.to_vec());
    }
    let mut out = Vec::new();
    let read = std::io::Read::read_to_end(&mut std::io::Read::take(flate2::read::GzDecoder::new(body), MAX_INFLATED + 1), &mut out);
    read.map_err(|e| Error::one("", BAD_VALUE, format!("the body is not gzip: {}", e.to_string().to_lowercase())))?;
    if out.len() as u64 > MAX_INFLATED {
        return Err(Error::one("", clearance_core::Code::PayloadTooLarge, format!("the batch inflates to over {MAX_INFLATED} bytes")));
    }
    Ok(out)
}

/// Each event must read as a decision event, and the batch be in bounds.
fn check(batch: &Batch) -> Result<(), Error> {
    let mut problems = clearance_core::error::Problems::default();
    if batch.batch.is_empty() || batch.batch.len() > 100 {
        problems.push("/batch", BAD_VALUE, "a batch id is 1 to 100 characters");
    }
    if batch.events.len() > MAX_EVENTS {
        problems.push("/events", BAD_VALUE, format!("a batch holds at most {MAX_EVENTS} events"));
    }
    for (i, line) in batch.events.iter().enumerate() {
        if let Err(e) = serde_json::from_str::<clearance_core::activity::Event<'_>>(line) {
            problems.push(format!("/events/{i}"), BAD_VALUE, format!("not a decision event: {e}"));
        }
    }
    problems.into_result()
}

/// `POST /v1/events` (an edge token): stores a batch once.
pub async fn receive(State(app): State<App>, edge: Edge, headers: HeaderMap, Body(body): Body) -> Result<Json<Value>, ApiError> {
    let Some(token) = edge.token else {
        return Err(Error::one("", clearance_core::Code::TokenScope, "decision logs come from edges: use an `edge` token").into());
    };
    let batch = batch_of(&app, &headers, &inflate(&headers, &body)?).await?;
    check(&batch)?;
    let Batch { batch, events: stored } = batch;
    let now = clock::now_ms();
    let count = i64::try_from(stored.len()).unwrap_or(i64::MAX);
    let duplicate = app
        .db
        .run(move |s| {
            if s.first("SELECT batch FROM event_batches WHERE batch = $1", &[(&batch).into()])?.is_some() {
                return Ok(true);
            }
            // Many rows a statement: a batch is thousands of events.
            for rows in stored.chunks(ROWS_PER_INSERT) {
                let values: Vec<String> = (1..=rows.len()).map(|i| format!("(${i})")).collect();
                let params: Vec<_> = rows.iter().map(Into::into).collect();
                s.exec(&format!("INSERT INTO events (body) VALUES {}", values.join(",")), &params)?;
            }
            let row = [(&batch).into(), token.into(), now.into(), count.into()];
            s.exec("INSERT INTO event_batches (batch, token_id, received_ms, count) VALUES ($1, $2, $3, $4)", &row)?;
            Ok(false)
        })
        .await?;
    Ok(Json(json!({"accepted": if duplicate { 0 } else { count }, "duplicate": duplicate})))
}

/// Every stored event through the analysis, against `engine`; the findings replace the stored ones.
fn analyze(s: &dyn Tx, engine: &clearance_core::Engine) -> Result<clearance_core::activity::Report, Error> {
    let mut analyzer = clearance_core::activity::Analyzer::for_org(Some(engine));
    let source = analyzer.source("fleet");
    for row in s.rows("SELECT seq, body FROM events ORDER BY seq", &[])? {
        analyzer.push_line(source, u64::try_from(row.int(0)?).unwrap_or_default(), &row.text(1)?);
    }
    let report = analyzer.finish();
    s.exec("DELETE FROM findings", &[])?;
    for finding in &report.findings {
        s.exec(
            "INSERT INTO findings (id, body) VALUES ($1, $2)",
            &[(&finding.id).into(), serde_json::to_string(finding).unwrap_or_default().into()],
        )?;
    }
    Ok(report)
}

/// `POST /v1/activity/analyze` (an admin): the fleet's analysis, kept.
pub async fn analyze_fleet(State(app): State<App>, _admin: Admin) -> Result<Json<Value>, ApiError> {
    let keeper = app.clone();
    let report = app.db.run(move |s| analyze(s, &*keeper.engine_in(s)?)).await?;
    Ok(Json(serde_json::to_value(&report).unwrap_or_default()))
}
