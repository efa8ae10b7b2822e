//! The server's database, SQLite by default or PostgreSQL: the
//! change-control state plus the server's own tables (accounts, sessions,
//! tokens), written in the same transactions. Every call runs on the
//! database's own thread, inside one transaction (one writer at a time:
//! SQLite's `BEGIN IMMEDIATE`, PostgreSQL's step lock, so concurrent steps
//! on one request have exactly one winner).

use crate::tx::{Backend, Tx, within};
use clearance_cli::store::Store;
use clearance_core::Error;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Where the state lives in a data directory.
pub fn state_path(data: &Path) -> PathBuf {
    data.join("state.db")
}

pub use crate::tx::INTERNAL;

/// A database call, run on the database's own thread.
type Job = Box<dyn FnOnce(&mut dyn Backend) + Send>;

/// A read, run by one of the readers.
type ReadJob = Box<dyn FnOnce(&dyn Tx) + Send>;

/// Where a SQLite database's state stands: two stamps are equal only when
/// nothing was committed in between, by this server or by anything else
/// writing the file. What was read at a stamp may be answered again while
/// the stamp holds (see `snapshot.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp(i64);

/// A connection of its own that reads SQLite's `data_version`: it changes
/// whenever another connection commits, so on this connection it counts
/// the server's own commits as well as any other writer's.
struct Stamper(rusqlite::Connection);

impl Stamper {
    fn open(path: &Path) -> Result<Stamper, Error> {
        let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(crate::sqlite::sql)?;
        // Never wait: a busy file gives no stamp, and the read goes to the database.
        conn.busy_timeout(std::time::Duration::ZERO).map_err(crate::sqlite::sql)?;
        Ok(Stamper(conn))
    }

    fn read(&self) -> Option<Stamp> {
        let mut statement = self.0.prepare_cached("PRAGMA data_version").ok()?;
        statement.query_row([], |r| r.get(0)).ok().map(Stamp)
    }
}

/// How many connections serve reads on PostgreSQL.
pub const READERS: usize = 4;

/// The open database, shared by every request. Calls run one at a time on
/// one thread that owns the connection: SQLite takes one writer anyway, and
/// one thread keeps the large transient allocations of a policy compile in
/// one heap instead of one per pool thread (the server's memory under load
/// grew to 600 MB with a thread pool; bench/README.md).
#[derive(Clone)]
pub struct Db {
    backend: Arc<Mutex<Box<dyn Backend>>>,
    jobs: std::sync::mpsc::Sender<Job>,
    /// PostgreSQL's readers (SQLite reads on the database's thread: one
    /// connection serves it best).
    reads: Option<std::sync::mpsc::Sender<ReadJob>>,
    /// SQLite's stamps (PostgreSQL has none: other replicas write unseen).
    stamper: Option<Arc<Mutex<Stamper>>>,
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
        crate::sqlite::migrate(&store)?;
        Db::serve(Box::new(store))?.stamped(&state_path(data))
    }

    /// Connects to the state on PostgreSQL (`url`: a `postgres://` URL or
    /// a connection string), which must have been started (`init
    /// --database`): a database without a version is an error, never an
    /// empty state.
    ///
    /// # Errors
    /// `no_state`; `db_error`.
    pub fn open_postgres(url: &str) -> Result<Db, Error> {
        let db = Db::create_postgres(url)?;
        match db.run_now(|s| s.current_hash())? {
            Some(_) => Ok(db),
            None => Err(Error::one(
                "/database",
                clearance_cli::store::NO_STATE,
                "no state in the database: start one with `clearance-server init --database …`",
            )),
        }
    }

    /// Connects to PostgreSQL, creating the tables when absent (for `init`).
    ///
    /// # Errors
    /// `db_error`.
    pub fn create_postgres(url: &str) -> Result<Db, Error> {
        let mut store = crate::pg::PgStore::connect(url)?;
        store.migrate()?;
        let mut db = Db::serve(Box::new(store))?;
        let (reads, queue) = std::sync::mpsc::channel::<ReadJob>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..READERS {
            let (mut reader, queue, url) = (crate::pg::reader(url)?, queue.clone(), url.to_owned());
            std::thread::Builder::new()
                .name(format!("clearance-read-{n}"))
                .spawn(move || {
                    loop {
                        let job = queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
                        match job {
                            Ok(job) => {
                                reader.reconnect_if_lost(&url);
                                job(&reader);
                            }
                            Err(_) => break,
                        }
                    }
                })
                .map_err(|e| Error::one("", INTERNAL, format!("cannot start a database reader: {e}")))?;
        }
        db.reads = Some(reads);
        Ok(db)
    }

    /// Starts a state in `data` (creating the directory and the database).
    ///
    /// # Errors
    /// `db_error`, or a directory that cannot be created.
    pub fn create(data: &Path) -> Result<Db, Error> {
        std::fs::create_dir_all(data)
            .map_err(|e| Error::one("/data", INTERNAL, format!("cannot create `{}`: {}", data.display(), e.to_string().to_lowercase())))?;
        let store = Store::create(&state_path(data))?;
        crate::sqlite::migrate(&store)?;
        Db::serve(Box::new(store))?.stamped(&state_path(data))
    }

    fn stamped(self, path: &Path) -> Result<Db, Error> {
        Ok(Db { stamper: Some(Arc::new(Mutex::new(Stamper::open(path)?))), ..self })
    }

    /// The state's stamp now, read on the calling thread (a few
    /// microseconds: no trip to the database's thread, no write lock);
    /// `None` on PostgreSQL, or when the file is busy.
    pub fn stamp(&self) -> Option<Stamp> {
        self.stamper.as_ref()?.lock().unwrap_or_else(std::sync::PoisonError::into_inner).read()
    }

    /// [`Db::read`], with a stamp taken before it began: what `f` read is
    /// the state at that stamp or newer, so it may be answered again to a
    /// request that finds the same stamp (a later commit changes it).
    ///
    /// # Errors
    /// As [`Db::read`].
    pub async fn read_stamped<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Tx) -> Result<T, Error> + Send + 'static,
    ) -> Result<(T, Option<Stamp>), Error> {
        let stamp = self.stamp();
        Ok((self.read(f).await?, stamp))
    }

    /// The database's thread: it runs each job in turn until every `Db` is dropped.
    fn serve(backend: Box<dyn Backend>) -> Result<Db, Error> {
        let backend = Arc::new(Mutex::new(backend));
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let owned = backend.clone();
        std::thread::Builder::new()
            .name("clearance-db".to_owned())
            .spawn(move || {
                for job in queue {
                    job(owned.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_mut());
                }
            })
            .map_err(|e| Error::one("", INTERNAL, format!("cannot start the database thread: {e}")))?;
        Ok(Db { backend, jobs, reads: None, stamper: None })
    }

    /// Runs `f` in one transaction on the database's thread: committed when
    /// it returns `Ok`, rolled back otherwise.
    ///
    /// # Errors
    /// `f`'s error; `internal` when the database's thread is gone.
    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, Error> + Send + 'static) -> Result<T, Error> {
        let gone = || Error::one("", INTERNAL, "the database call did not finish");
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |backend: &mut dyn Backend| {
            let _ = answer.send(within(backend, f));
        });
        self.jobs.send(job).map_err(|_| gone())?;
        answered.await.map_err(|_| gone())?
    }

    /// Runs a read: `f` gets the state read-only for the sequencer (it
    /// cannot append to the audit log) and may write only rows outside it
    /// (a session's last use). On PostgreSQL it runs on one of several
    /// connections, outside the step lock; on SQLite as [`Db::run`].
    ///
    /// # Errors
    /// `f`'s error; `internal` when the readers are gone.
    pub async fn read<T: Send + 'static>(&self, f: impl FnOnce(&dyn Tx) -> Result<T, Error> + Send + 'static) -> Result<T, Error> {
        let Some(reads) = &self.reads else {
            return self.run(move |s| f(s)).await;
        };
        let gone = || Error::one("", INTERNAL, "the database read did not finish");
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: ReadJob = Box::new(move |reader: &dyn Tx| {
            let _ = answer.send(f(reader));
        });
        reads.send(job).map_err(|_| gone())?;
        answered.await.map_err(|_| gone())?
    }

    /// [`Db::run`] on the calling thread (commands that are not serving).
    ///
    /// # Errors
    /// `f`'s error.
    pub fn run_now<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, Error>) -> Result<T, Error> {
        // A panic while holding the lock cannot leave a half-written state:
        // the transaction was rolled back with the connection's statement.
        let mut backend = self.backend.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        within(backend.as_mut(), f)
    }
}

#[cfg(test)]
mod stamp_tests {
    use super::*;

    #[tokio::test]
    async fn a_stamp_holds_until_a_commit_by_this_server_or_by_another_writer() {
        let dir = std::env::temp_dir().join(format!("clearance-db-stamp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let db = Db::create(&dir).unwrap();
        let first = db.stamp().expect("sqlite stamps");
        assert_eq!(db.stamp(), Some(first), "nothing committed");
        let ((), before_read) = db.read_stamped(|s| s.first("SELECT 1", &[]).map(|_| ())).await.unwrap();
        assert_eq!((before_read, db.stamp()), (Some(first), Some(first)), "a read changes nothing");
        db.run(|s| s.exec("INSERT INTO sessions VALUES ('h', 'ivy', 'c', 0, 0, 0)", &[])).await.unwrap();
        let own = db.stamp().unwrap();
        assert_ne!(own, first, "this server's commit");
        let _ = db.run(|s| s.exec("DELETE FROM sessions", &[]).and_then(|_| Err::<(), _>(Error::one("", INTERNAL, "rolled back")))).await;
        assert_eq!(db.stamp(), Some(own), "a rolled-back change changes nothing");
        Db::open(&dir).unwrap().run_now(|s| s.exec("DELETE FROM sessions", &[])).unwrap();
        assert_ne!(db.stamp().unwrap(), own, "another writer's commit");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::MIGRATIONS;

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
        let version = db.run_now(|s| s.first("PRAGMA user_version", &[])?.map(|r| r.int(0)).transpose()).unwrap();
        assert_eq!(version, Some(MIGRATIONS.len() as i64));
        db.run_now(|s| s.exec("INSERT INTO api_tokens VALUES ('a', 'h', 'u', 'n', '[]', 0, 0, 0, 0)", &[])).unwrap();
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
