//! The server's database: the change-control state (the same SQLite store
//! the CLI keeps, so `clearance audit verify --db` reads it) plus the
//! server's own tables (accounts, sessions) in the same file, written in the
//! same transactions. Every call runs on a blocking thread, inside one
//! transaction (`BEGIN IMMEDIATE`: one writer at a time, so concurrent steps
//! on one request have exactly one winner).

use clearance_cli::store::Store;
use clearance_core::Error;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The server's own tables, one migration per entry, applied in order at
/// start (`PRAGMA user_version` counts those applied).
const MIGRATIONS: [&str; 3] = [
    "
CREATE TABLE accounts (user TEXT PRIMARY KEY, phc TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 0,
    locked_until_ms INTEGER NOT NULL DEFAULT 0, password_set_ms INTEGER NOT NULL,
    totp_secret TEXT, totp_pending TEXT, totp_last_step INTEGER NOT NULL DEFAULT 0, recovery TEXT NOT NULL DEFAULT '[]');
CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, user TEXT NOT NULL, csrf TEXT NOT NULL, mfa INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL, seen_ms INTEGER NOT NULL);
CREATE INDEX sessions_by_user ON sessions (user);
",
    "
ALTER TABLE accounts ADD COLUMN history TEXT NOT NULL DEFAULT '[]';
",
    "
CREATE TABLE api_tokens (id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, user TEXT NOT NULL, name TEXT NOT NULL,
    scopes TEXT NOT NULL, mfa INTEGER NOT NULL, created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, revoked INTEGER NOT NULL);
CREATE INDEX api_tokens_by_user ON api_tokens (user);
",
];

/// Where the state lives in a data directory.
pub fn state_path(data: &Path) -> PathBuf {
    data.join("state.db")
}

/// Code for a failure of the server itself (not of the request).
pub const INTERNAL: &str = "internal";

/// A database call, run on the database's own thread.
type Job = Box<dyn FnOnce(&mut Store) + Send>;

/// The open database, shared by every request. Calls run one at a time on
/// one thread that owns the connection: SQLite takes one writer anyway, and
/// one thread keeps the large transient allocations of a policy compile in
/// one heap instead of one per pool thread (the server's memory under load
/// grew to 600 MB with a thread pool; bench/README.md).
#[derive(Clone)]
pub struct Db {
    store: Arc<Mutex<Store>>,
    jobs: std::sync::mpsc::Sender<Job>,
}

impl Db {
    /// Opens the state in `data`, which must have been started (`init`): a
    /// missing database is an error, never an empty state.
    ///
    /// # Errors
    /// `no_state`; `db_error`.
    pub fn open(data: &Path) -> Result<Db, Error> {
        let store = Store::open(&state_path(data)).map_err(|error| match error.has_code(clearance_cli::store::NO_STATE) {
            true => Error::one(
                "/data",
                clearance_cli::store::NO_STATE,
                format!("no state in `{}`: start one with `clearance-server init --data {}`", data.display(), data.display()),
            ),
            false => error,
        })?;
        migrate(&store)?;
        Db::serve(store)
    }

    /// Starts a state in `data` (creating the directory and the database).
    ///
    /// # Errors
    /// `db_error`, or a directory that cannot be created.
    pub fn create(data: &Path) -> Result<Db, Error> {
        std::fs::create_dir_all(data)
            .map_err(|e| Error::one("/data", INTERNAL, format!("cannot create `{}`: {}", data.display(), e.to_string().to_lowercase())))?;
        let store = Store::create(&state_path(data))?;
        migrate(&store)?;
        Db::serve(store)
    }

    /// The database's thread: it runs each job in turn until every `Db` is dropped.
    fn serve(store: Store) -> Result<Db, Error> {
        let store = Arc::new(Mutex::new(store));
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let owned = store.clone();
        std::thread::Builder::new()
            .name("clearance-db".to_owned())
            .spawn(move || {
                for job in queue {
                    job(&mut owned.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
                }
            })
            .map_err(|e| Error::one("", INTERNAL, format!("cannot start the database thread: {e}")))?;
        Ok(Db { store, jobs })
    }

    /// Runs `f` in one transaction on the database's thread: committed when
    /// it returns `Ok`, rolled back otherwise.
    ///
    /// # Errors
    /// `f`'s error; `internal` when the database's thread is gone.
    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce(&mut Store) -> Result<T, Error> + Send + 'static) -> Result<T, Error> {
        let gone = || Error::one("", INTERNAL, "the database call did not finish");
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |store: &mut Store| {
            let _ = answer.send(store.transaction(f));
        });
        self.jobs.send(job).map_err(|_| gone())?;
        answered.await.map_err(|_| gone())?
    }

    /// [`Db::run`] on the calling thread (commands that are not serving).
    ///
    /// # Errors
    /// `f`'s error.
    pub fn run_now<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, Error>) -> Result<T, Error> {
        // A panic while holding the lock cannot leave a half-written state:
        // the transaction was rolled back with the connection's statement.
        let mut store = self.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        store.transaction(f)
    }
}

fn migrate(store: &Store) -> Result<(), Error> {
    let conn = store.connection();
    // Write-ahead logging: readers (the CLI's `audit verify`, a backup) never block the server's writes.
    conn.pragma_update(None, "journal_mode", "WAL").map_err(sql)?;
    conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(sql)?;
    let applied: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql)?;
    if applied > MIGRATIONS.len() {
        return Err(Error::one(
            "",
            INTERNAL,
            format!("the database has {applied} migrations, this server knows {}: run a newer server", MIGRATIONS.len()),
        ));
    }
    for (i, migration) in MIGRATIONS.iter().enumerate().skip(applied) {
        conn.execute_batch(&format!("BEGIN IMMEDIATE; {migration}; PRAGMA user_version = {}; COMMIT;", i + 1)).map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            sql(e)
        })?;
    }
    Ok(())
}

/// A SQLite error as the store reports them.
pub fn sql(e: rusqlite::Error) -> Error {
    Error::one("", clearance_cli::store::DB_ERROR, format!("database error: {}", e.to_string().to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("clearance-db-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn migrations_apply_in_order_once_and_a_newer_database_is_refused() {
        let dir = scratch("migrate");
        std::fs::create_dir_all(&dir).unwrap();
        // A database of the first release: migration 1 only.
        let store = Store::create(&state_path(&dir)).unwrap();
        store.connection().execute_batch(&format!("{}; PRAGMA user_version = 1;", MIGRATIONS[0])).unwrap();
        drop(store);
        let db = Db::open(&dir).unwrap();
        let version: usize = db.run_now(|s| s.connection().query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql)).unwrap();
        assert_eq!(version, MIGRATIONS.len());
        db.run_now(|s| s.connection().execute("INSERT INTO api_tokens VALUES ('a', 'h', 'u', 'n', '[]', 0, 0, 0, 0)", []).map_err(sql))
            .unwrap();
        drop(db);
        assert!(Db::open(&dir).is_ok(), "opening again applies nothing twice");
        let store = Store::open(&state_path(&dir)).unwrap();
        store.connection().execute_batch("PRAGMA user_version = 99").unwrap();
        drop(store);
        let refused = Db::open(&dir).err().unwrap();
        assert!(refused.problems()[0].message.contains("newer server"), "{refused:?}");
        assert!(Db::open(&scratch("absent")).err().unwrap().has_code(clearance_cli::store::NO_STATE));
    }
}
