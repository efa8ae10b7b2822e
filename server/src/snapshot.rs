//! What reads saw, answered again while the state has not changed: the
//! compiled policy, the sessions looked up, and the request list's JSON,
//! all kept under the [`Stamp`] the database gave just after reading them.
//! A read asks for the stamp (one `PRAGMA` on a connection of its own, see
//! [`crate::db::Db::stamp`]) and answers from here when it is the same;
//! otherwise it reads the database as before. So a
//! commit, by this server or by anything else writing its file (a sign-out,
//! a hand-edited row), is seen by every request that starts after it: the
//! cache never answers for a state older than the request.
//!
//! Architecture Invariant: nothing is answered from here without a stamp
//! read after the request began; PostgreSQL gives no stamp (other replicas
//! write unseen), so there every read goes to the database.

use crate::db::Stamp;
use crate::sessions::Row;
use clearance_core::Engine;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The stamp a request's session was checked at (after the request
/// began): its handler may answer from what was kept at that stamp.
#[derive(Debug, Clone, Copy)]
pub struct Checked(pub Option<Stamp>);

/// Sessions kept at most per stamp (a flood of sign-ins only costs the cache).
const MOST_SESSIONS: usize = 10_000;

/// What was read at one stamp.
struct Kept {
    stamp: Stamp,
    engine: Option<Arc<Engine>>,
    sessions: HashMap<String, Row>,
    requests: Option<axum::body::Bytes>,
}

/// The reads kept for the state's latest stamp seen.
#[derive(Default)]
pub struct Snapshot {
    kept: Mutex<Option<Kept>>,
}

impl Snapshot {
    fn at<T>(&self, stamp: Stamp, f: impl FnOnce(&Kept) -> Option<T>) -> Option<T> {
        let kept = self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.as_ref().filter(|k| k.stamp == stamp).and_then(f)
    }

    /// Keeps what `f` adds under `stamp`; what was kept under another stamp is dropped.
    fn keep(&self, stamp: Stamp, f: impl FnOnce(&mut Kept)) {
        let mut kept = self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if kept.as_ref().is_none_or(|k| k.stamp != stamp) {
            *kept = Some(Kept { stamp, engine: None, sessions: HashMap::new(), requests: None });
        }
        if let Some(kept) = kept.as_mut() {
            f(kept);
        }
    }

    /// The compiled policy and the session `token_hash` names, both read at `stamp`.
    pub fn session(&self, stamp: Stamp, token_hash: &str) -> Option<(Arc<Engine>, Row)> {
        self.at(stamp, |k| Some((k.engine.clone()?, k.sessions.get(token_hash)?.clone())))
    }

    /// Keeps a session and the compiled policy read with it.
    pub fn keep_session(&self, stamp: Stamp, token_hash: String, row: Row, engine: Arc<Engine>) {
        self.keep(stamp, |k| {
            if k.sessions.len() >= MOST_SESSIONS {
                k.sessions.clear();
            }
            k.sessions.insert(token_hash, row);
            k.engine = Some(engine);
        });
    }

    /// The request list's JSON read at `stamp`.
    pub fn requests(&self, stamp: Stamp) -> Option<axum::body::Bytes> {
        self.at(stamp, |k| k.requests.clone())
    }

    /// Keeps the request list's JSON.
    pub fn keep_requests(&self, stamp: Stamp, body: axum::body::Bytes) {
        self.keep(stamp, |k| k.requests = Some(body));
    }
}

#[cfg(test)]
mod tests {
    use crate::sessions::{self, code};

    fn app(name: &str) -> (crate::App, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("clearance-snapshot-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let db = crate::db::Db::create(&dir).unwrap();
        let policy = clearance_core::parse_policy(clearance_core::generate::REFERENCE_ORG).unwrap();
        db.run_now(|s| clearance_core::change::steps::init(s, policy, "admin_ivy", "2026-12-01T10:00:00Z")).unwrap();
        (crate::App::new(db, crate::Keys { checkpoint: [1; 32], bundle: [2; 32] }, false, Vec::new()), dir)
    }

    #[tokio::test]
    async fn a_kept_session_is_answered_until_any_commit_then_read_again() {
        let (app, dir) = app("session");
        let ends = sessions::SessionTimeouts::default();
        let (token, _) = app.db.run_now(|s| sessions::start(s, "admin_ivy", false, 0, ends)).unwrap();
        let (session, _, checked) = app.session(&token, 1).await.unwrap();
        assert_eq!(session.user, "admin_ivy");
        let stamp = checked.expect("sqlite stamps");
        assert!(app.snapshot.session(stamp, &sessions::digest(&token)).is_some(), "kept");
        assert!(app.snapshot.session(stamp, &sessions::digest("forged")).is_none());
        let (again, _, same) = app.session(&token, 2).await.unwrap();
        assert_eq!((again, same), (session, Some(stamp)), "answered from what was kept");
        let (second, _) = app.db.run_now(|s| sessions::start(s, "admin_ivy", false, 0, ends)).unwrap();
        let (_, _, at) = app.session(&token, 3).await.unwrap();
        app.session(&second, 3).await.unwrap();
        let kept = |token: &str| app.snapshot.session(at.unwrap(), &sessions::digest(token)).is_some();
        assert!(kept(&token) && kept(&second), "every session read at one stamp is kept");
        // Ended by another writer of the file: the next request reads the database and is refused.
        crate::db::Db::open(&dir).unwrap().run_now(|s| sessions::end(s, &token)).unwrap();
        assert!(app.session(&token, 3).await.unwrap_err().has_code(code::UNAUTHENTICATED));
        // Ended by this server.
        let (token, _) = app.db.run_now(|s| sessions::start(s, "admin_ivy", false, 0, ends)).unwrap();
        app.session(&token, 1).await.unwrap();
        let ended = token.clone();
        app.db.run(move |s| sessions::end(s, &ended)).await.unwrap();
        assert!(app.session(&token, 2).await.unwrap_err().has_code(code::UNAUTHENTICATED));
    }

    #[tokio::test]
    async fn a_kept_session_still_ends_on_time_and_its_last_use_is_written_when_due() {
        let (app, _) = app("timeouts");
        let ends = sessions::SessionTimeouts::default();
        let (token, _) = app.db.run_now(|s| sessions::start(s, "admin_ivy", false, 0, ends)).unwrap();
        app.session(&token, 1).await.unwrap();
        let (_, _, kept_at) = app.session(&token, 2).await.unwrap();
        // A minute on, the last use is due: written, so the stamp moves on.
        let (_, _, written_at) = app.session(&token, 60_000).await.unwrap();
        assert_ne!(app.db.stamp(), kept_at, "the last use was written");
        assert_eq!(written_at, kept_at, "checked before the write");
        let seen = app.db.run_now(|s| s.first("SELECT seen_ms FROM sessions", &[])?.map(|r| r.int(0)).transpose()).unwrap();
        assert_eq!(seen, Some(60_000));
        app.session(&token, 60_001).await.unwrap();
        let idle = 60_000 + ends.idle_ms() + 1;
        assert!(app.session(&token, idle).await.unwrap_err().has_code(code::SESSION_EXPIRED), "kept, and still ends");
    }

    #[tokio::test]
    async fn the_request_list_is_kept_until_a_commit() {
        let (app, dir) = app("requests");
        let first = app.requests_json(None).await.unwrap();
        assert_eq!(&first[..], b"[]");
        let stamp = app.db.stamp();
        assert_eq!(app.snapshot.requests(stamp.unwrap()).as_deref(), Some(&b"[]"[..]));
        assert_eq!(app.requests_json(stamp).await.unwrap().as_ptr(), first.as_ptr(), "answered from what was kept");
        let other = crate::db::Db::open(&dir).unwrap();
        other
            .run_now(|s| {
                let changes =
                    serde_json::from_value(serde_json::json!([{"op": "move_user", "user": "rep_east_bob", "role": "sales_rep_west"}]));
                clearance_core::change::steps::propose(s, "admin_ivy", changes.unwrap(), "", "2026-12-01T10:00:01Z")
            })
            .unwrap();
        let listed: Vec<serde_json::Value> = serde_json::from_slice(&app.requests_json(None).await.unwrap()).unwrap();
        assert_eq!(listed.len(), 1, "another writer's request is listed at once");
        assert!(app.snapshot.requests(stamp.unwrap()).is_none(), "what was kept at the older stamp is gone");
    }
}
