//! Edge bundles: every applied version, compiled and signed once with the
//! server's bundle key, stamped with its revision (the version's sequence
//! number: one more per applied version) and written without the policy's
//! JSON (edges decide; they neither lint nor diff).
//!
//! - `GET /v1/bundles/current`: the current revision, with an `ETag`;
//!   `If-None-Match` answers 304 when nothing changed, and `?wait=S` (up to
//!   30 s) holds the request until a newer revision exists or the time
//!   passes (long-poll: edges learn of an apply within a second).
//! - `GET /v1/bundles/{revision}`: one revision, immutable (a CDN may keep it).
//!
//! Edges authenticate with an API token of the `edge` scope, which may
//! read bundles and nothing else; an admin (session, or token with `read`)
//! may too. Each edge's request reports the revision it runs
//! (`X-Clearance-Revision`), kept in `edges` for the fleet view.

use crate::App;
use crate::api_error::ApiError;
use crate::tx::{Tx, Value};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clearance_core::Error;
use clearance_core::change::steps::Version;
use std::sync::Mutex;

/// The longest long-poll.
pub const MAX_WAIT_S: u64 = 30;
/// How many revisions' bundles are kept written.
const KEPT: usize = 4;

/// Bundles already written: (revision, version hash, bytes), the least
/// recently used first (an old revision fetched by number stays written
/// too: writing one compiles its policy).
#[derive(Default)]
pub struct Published {
    kept: Mutex<Vec<(u64, String, Bytes)>>,
    /// One lock per revision being written: when an apply wakes every edge
    /// at once, one request writes the new revision and the others wait for
    /// it instead of each compiling, encoding and signing it again; an old
    /// revision fetched by number never holds up the current one.
    writing: Mutex<std::collections::HashMap<u64, std::sync::Arc<tokio::sync::Mutex<()>>>>,
}

impl Published {
    fn get(&self, revision: u64) -> Option<(String, Bytes)> {
        let mut kept = self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let at = kept.iter().position(|(r, _, _)| *r == revision)?;
        let used = kept.remove(at);
        let found = (used.1.clone(), used.2.clone());
        kept.push(used);
        Some(found)
    }

    fn keep(&self, revision: u64, hash: &str, bytes: Bytes) {
        let mut kept = self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.retain(|(r, _, _)| *r != revision);
        kept.push((revision, hash.to_owned(), bytes));
        if kept.len() > KEPT {
            kept.remove(0);
        }
    }
}

/// A revision's entity tag: its number and its policy's hash.
pub fn etag(revision: u64, hash: &str) -> String {
    format!("\"{revision}-{}\"", hash.get(..16).unwrap_or(hash))
}

/// The current revision and its version hash (no policy read).
fn head(s: &dyn Tx) -> Result<(u64, String), Error> {
    let row = s
        .first("SELECT seq, hash FROM versions ORDER BY seq DESC LIMIT 1", &[])?
        .ok_or_else(|| Error::one("", clearance_core::Code::NoVersion, "the state has no policy yet"))?;
    Ok((u64::try_from(row.int(0)?).unwrap_or_default(), row.text(1)?))
}

/// One version, its policy included.
pub(crate) fn version(s: &dyn Tx, revision: u64) -> Result<Version, Error> {
    let seq = i64::try_from(revision).unwrap_or(i64::MAX);
    let row = s
        .first("SELECT seq, hash, at, author, request, policy FROM versions WHERE seq = $1", &[Value::Int(seq)])?
        .ok_or_else(|| Error::one("/revision", clearance_core::Code::UnknownRevision, format!("no revision {revision}")))?;
    let policy = serde_json::from_str(&row.text(5)?)
        .map_err(|e| Error::one("", clearance_core::error::code::BAD_VALUE, format!("stored policy does not decode: {e}")))?;
    Ok(Version { seq: revision, hash: row.text(1)?, at: row.text(2)?, author: row.text(3)?, request: row.opt_text(4)?, policy })
}

/// The bundle of `revision` and its version's hash: kept, or written now
/// (compiled, stamped, signed) on a blocking thread.
async fn bundle(app: &App, revision: u64) -> Result<(String, Bytes), Error> {
    if let Some(kept) = app.bundles.get(revision) {
        return Ok(kept);
    }
    let lock = app.bundles.writing.lock().unwrap_or_else(std::sync::PoisonError::into_inner).entry(revision).or_default().clone();
    let _writing = lock.lock().await;
    if let Some(kept) = app.bundles.get(revision) {
        return Ok(kept);
    }
    let version = app.db.read(move |s| version(s, revision)).await?;
    let writer = app.clone();
    let written = tokio::task::spawn_blocking(move || writer.write_bundle(&version).map(|bytes| (version.hash, bytes)));
    let written = written.await.map_err(|_| Error::one("", crate::db::INTERNAL, "writing the bundle did not finish"))?;
    // Written (or failed): the next request reads it kept, or tries again.
    app.bundles.writing.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&revision);
    written
}

impl App {
    /// Writes (and keeps) the edge bundle of `version`.
    ///
    /// # Errors
    /// A policy that does not compile.
    pub fn write_bundle(&self, version: &Version) -> Result<Bytes, Error> {
        // The current version's compiled policy is the app's; an older one is compiled for this once.
        let engine = match self.kept(Some(&version.hash)) {
            Some(engine) => engine,
            None => std::sync::Arc::new(clearance_core::Engine::compile(version.policy.clone())?),
        };
        let stamp = clearance_core::bundle::Stamp {
            revision: version.seq,
            policy_hash: version.hash.clone(),
            issued_at_ms: clearance_core::parse_rfc3339(&version.at).unwrap_or_default(),
            not_after_ms: None,
            key_id: None,
        };
        let bytes = Bytes::from(clearance_core::bundle::write(&engine, Some(&self.keys.bundle), &stamp, false)?);
        self.bundles.keep(version.seq, &version.hash, bytes.clone());
        Ok(bytes)
    }
}

fn answer(revision: u64, hash: &str, bytes: Option<Bytes>, cache: &'static str) -> Response {
    let tag = HeaderValue::from_str(&etag(revision, hash)).unwrap_or(HeaderValue::from_static("\"\""));
    let headers = [(header::ETAG, tag), (header::CACHE_CONTROL, HeaderValue::from_static(cache))];
    let revision = [(crate::edges::RUNNING, HeaderValue::from(revision))];
    match bytes {
        Some(bytes) => (StatusCode::OK, headers, revision, [(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response(),
        None => (StatusCode::NOT_MODIFIED, headers, revision).into_response(),
    }
}

/// The seconds of `?wait=S` (0 without it); anything else in the query is a coded error.
fn wait_of(query: Option<&str>) -> Result<u64, Error> {
    let mut wait = 0;
    for (_, value) in crate::query::params(query, &["wait"])? {
        wait = value.parse().map_err(|_| {
            Error::one("/query/wait", clearance_core::error::code::BAD_VALUE, format!("`{value}` is not a number of seconds"))
        })?;
    }
    Ok(wait)
}

/// `GET /v1/bundles/current[?wait=S]`.
pub async fn current(
    State(app): State<App>,
    _edge: crate::edges::Edge,
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Response, ApiError> {
    let wait = wait_of(query.as_deref())?;
    let seen = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(wait.min(MAX_WAIT_S));
    loop {
        // Registered before reading (`enable`: a `Notified` counts only once
        // registered), so an apply between the read and the wait still wakes it.
        let changed = app.versions_changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        let (revision, hash) = app.db.read(|s| head(s)).await?;
        if seen.as_deref() != Some(etag(revision, &hash).as_str()) {
            let (_, bytes) = bundle(&app, revision).await?;
            return Ok(answer(revision, &hash, Some(bytes), "no-cache"));
        }
        let now = tokio::time::Instant::now();
        // Nothing new: at the deadline, or now if the server is stopping (the edge asks again elsewhere).
        if now >= deadline || app.is_stopping() {
            return Ok(answer(revision, &hash, None, "no-cache"));
        }
        // Woken by a step here; another replica's apply is seen within a second.
        let _ = tokio::time::timeout((deadline - now).min(std::time::Duration::from_secs(1)), changed).await;
    }
}

/// `GET /v1/bundles/{revision}`: immutable.
pub async fn by_revision(State(app): State<App>, _edge: crate::edges::Edge, Path(revision): Path<u64>) -> Result<Response, ApiError> {
    let (hash, bytes) = bundle(&app, revision).await?;
    Ok(answer(revision, &hash, Some(bytes), "public, max-age=31536000, immutable"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(n: u64) -> Bytes {
        Bytes::from(n.to_le_bytes().to_vec())
    }

    #[test]
    fn the_newest_revisions_stay_written_one_entry_each() {
        let published = Published::default();
        for r in 1..=5 {
            published.keep(r, &format!("h{r}"), bytes(r));
        }
        assert!(published.get(1).is_none(), "the least recently used left to keep four");
        for r in 2..=5 {
            assert_eq!(published.get(r), Some((format!("h{r}"), bytes(r))));
        }
        published.keep(3, "again", bytes(33));
        assert_eq!(published.get(3), Some(("again".to_owned(), bytes(33))), "written again, replaced");
        assert_eq!(published.kept.lock().unwrap().len(), KEPT, "replaced, not added");
        // Used lately, 2 stays; an old revision fetched by number takes the place of the least used (4).
        assert!(published.get(2).is_some());
        published.keep(1, "h1", bytes(1));
        assert!(published.get(1).is_some() && published.get(2).is_some() && published.get(4).is_none());
        assert_eq!(etag(7, "0123456789abcdef0123"), "\"7-0123456789abcdef\"");
        assert_eq!(etag(7, "short"), "\"7-short\"");
        assert_eq!((wait_of(None).unwrap(), wait_of(Some("wait=25")).unwrap(), wait_of(Some("")).unwrap()), (0, 25, 0));
        assert!(wait_of(Some("wait=soon")).unwrap_err().has_code(clearance_core::error::code::BAD_VALUE));
        assert_eq!(wait_of(Some("wait=1&x=2")).unwrap_err().problems()[0].path, "/query/x");
    }
}
