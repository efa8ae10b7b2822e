//! The change-control state on PostgreSQL: the same rows as the SQLite
//! store (versions, requests, campaigns, the audit log and its head), for
//! servers that outgrow one machine — several replicas share one database
//! and keep no state of their own. Every step is one transaction that first
//! takes one advisory lock, so steps are serialized across replicas as
//! SQLite serializes writers: concurrent steps on one request have one
//! winner. The sequencer is the core's, as everywhere.

use clearance_core::Error;
use clearance_core::audit::Entry;
use clearance_core::change::ledger::{FORMAT, Ledger};
use clearance_core::change::request::ChangeRequest;
use clearance_core::change::review::Campaign;
use clearance_core::change::steps::{self, IdKind, Storage, Version};
use postgres::{Client, NoTls, Transaction};
use std::cell::RefCell;

/// The advisory lock every step takes first.
const STEP_LOCK: i64 = 0x636c_6561_7261;

/// The state's tables (migration 1 of the PostgreSQL schema).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS versions (seq BIGINT PRIMARY KEY, hash TEXT NOT NULL, at TEXT NOT NULL, author TEXT NOT NULL, request TEXT, policy TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS requests (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS campaigns (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (seq BIGINT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
";

fn pg(e: &postgres::Error) -> Error {
    Error::one("", clearance_cli::store::DB_ERROR, format!("database error: {}", e.to_string().to_lowercase()))
}

fn bad_json(what: &str, e: &serde_json::Error) -> Error {
    Error::one("", clearance_core::error::code::BAD_VALUE, format!("stored {what} does not decode: {e}"))
}

/// A connection to the state's database.
pub struct PgStore {
    client: Client,
}

impl PgStore {
    /// Connects and creates the tables when absent.
    ///
    /// # Errors
    /// `db_error` (unreachable server, refused credentials).
    pub fn connect(url: &str) -> Result<PgStore, Error> {
        let mut client = Client::connect(url, NoTls).map_err(|e| pg(&e))?;
        client.batch_execute(SCHEMA).map_err(|e| pg(&e))?;
        Ok(PgStore { client })
    }

    /// Runs `f` in one transaction holding the step lock: committed when it
    /// succeeds, rolled back otherwise.
    ///
    /// # Errors
    /// `f`'s error, or `db_error`.
    pub fn transaction<T>(&mut self, f: impl FnOnce(&mut PgTx<'_>) -> Result<T, Error>) -> Result<T, Error> {
        let mut tx = self.client.transaction().map_err(|e| pg(&e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&STEP_LOCK]).map_err(|e| pg(&e))?;
        let mut state = PgTx { tx: RefCell::new(tx) };
        let value = f(&mut state)?;
        state.tx.into_inner().commit().map_err(|e| pg(&e))?;
        Ok(value)
    }
}

/// The state inside one transaction.
pub struct PgTx<'a> {
    tx: RefCell<Transaction<'a>>,
}

impl PgTx<'_> {
    fn rows(&self, sql: &str, params: &[&(dyn postgres::types::ToSql + Sync)]) -> Result<Vec<postgres::Row>, Error> {
        self.tx.borrow_mut().query(sql, params).map_err(|e| pg(&e))
    }

    fn run(&self, sql: &str, params: &[&(dyn postgres::types::ToSql + Sync)]) -> Result<u64, Error> {
        self.tx.borrow_mut().execute(sql, params).map_err(|e| pg(&e))
    }

    fn bodies<T: serde::de::DeserializeOwned>(&self, sql: &str, what: &str) -> Result<Vec<T>, Error> {
        self.rows(sql, &[])?.iter().map(|r| serde_json::from_str(r.get::<_, &str>(0)).map_err(|e| bad_json(what, &e))).collect()
    }

    fn version_of(row: &postgres::Row) -> Result<Version, Error> {
        let seq: i64 = row.get(0);
        Ok(Version {
            seq: u64::try_from(seq).unwrap_or_default(),
            hash: row.get(1),
            at: row.get(2),
            author: row.get(3),
            request: row.get(4),
            policy: serde_json::from_str(row.get::<_, &str>(5)).map_err(|e| bad_json("policy", &e))?,
        })
    }

    fn next_seq(&self, table: &str) -> Result<i64, Error> {
        Ok(self.rows(&format!("SELECT COALESCE(MAX(seq), 0) + 1 FROM {table}"), &[])?.first().map_or(1, |r| r.get(0)))
    }

    fn seq_of(&self, table: &str, id: &str) -> Result<i64, Error> {
        match self.rows(&format!("SELECT seq FROM {table} WHERE id = $1"), &[&id])?.first() {
            Some(row) => Ok(row.get(0)),
            None => self.next_seq(table),
        }
    }

    fn body(&self, table: &str, id: &str) -> Result<Option<String>, Error> {
        Ok(self.rows(&format!("SELECT body FROM {table} WHERE id = $1"), &[&id])?.first().map(|r| r.get(0)))
    }

    fn save(&self, table: &str, id: &str, body: &str) -> Result<(), Error> {
        let seq = self.seq_of(table, id)?;
        let sql = format!("INSERT INTO {table} (id, seq, body) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET body = excluded.body");
        self.run(&sql, &[&id, &seq, &body]).map(|_| ())
    }

    /// The recorded head of the audit log.
    ///
    /// # Errors
    /// `db_error`.
    pub fn audit_head(&self) -> Result<Option<String>, Error> {
        Ok(self.rows("SELECT value FROM meta WHERE key = 'audit_head'", &[])?.first().map(|r| r.get(0)))
    }

    /// Everything, in the export format every store shares.
    ///
    /// # Errors
    /// `db_error`, undecodable rows.
    pub fn export(&self) -> Result<Ledger, Error> {
        Ok(Ledger {
            format: FORMAT.to_owned(),
            versions: Storage::versions(self)?,
            requests: self.bodies("SELECT body FROM requests ORDER BY seq", "request")?,
            audit: self.bodies("SELECT body FROM audit ORDER BY seq", "audit entry")?,
            campaigns: self.bodies("SELECT body FROM campaigns ORDER BY seq", "campaign")?,
        })
    }

    /// Verifies the state as `clearance audit verify` does a SQLite one.
    ///
    /// # Errors
    /// Every problem found; an empty log is a broken chain.
    pub fn verify(&self) -> Result<usize, Error> {
        self.export()?.verify_stored(self.audit_head()?.as_deref())
    }
}

impl Storage for PgTx<'_> {
    fn current(&self) -> Result<Option<Version>, Error> {
        let rows = self.rows("SELECT seq, hash, at, author, request, policy FROM versions ORDER BY seq DESC LIMIT 1", &[])?;
        rows.first().map(PgTx::version_of).transpose()
    }

    fn versions(&self) -> Result<Vec<Version>, Error> {
        self.rows("SELECT seq, hash, at, author, request, policy FROM versions ORDER BY seq", &[])?.iter().map(PgTx::version_of).collect()
    }

    fn add_version(&mut self, v: &Version) -> Result<(), Error> {
        let seq = i64::try_from(v.seq).unwrap_or(i64::MAX);
        let policy = serde_json::to_string(&v.policy).unwrap_or_default();
        let sql = "INSERT INTO versions (seq, hash, at, author, request, policy) VALUES ($1, $2, $3, $4, $5, $6)";
        self.run(sql, &[&seq, &v.hash, &v.at, &v.author, &v.request, &policy]).map(|_| ())
    }

    fn next_id(&mut self, kind: IdKind) -> Result<String, Error> {
        Ok(format!("{}{}", kind.prefix(), self.next_seq(kind.table())?))
    }

    fn request(&self, id: &str) -> Result<ChangeRequest, Error> {
        let body = self.body("requests", id)?.ok_or_else(|| Error::one("", "unknown_request", format!("no change request `{id}`")))?;
        serde_json::from_str(&body).map_err(|e| bad_json("request", &e))
    }

    fn save_request(&mut self, request: &ChangeRequest) -> Result<(), Error> {
        self.save("requests", &request.id, &serde_json::to_string(request).unwrap_or_default())
    }

    fn campaign(&self, id: &str) -> Result<Campaign, Error> {
        let body = self.body("campaigns", id)?.ok_or_else(|| Error::one("", "unknown_campaign", format!("no review campaign `{id}`")))?;
        serde_json::from_str(&body).map_err(|e| bad_json("campaign", &e))
    }

    fn save_campaign(&mut self, campaign: &Campaign) -> Result<(), Error> {
        self.save("campaigns", &campaign.id, &serde_json::to_string(campaign).unwrap_or_default())
    }

    fn last_entry(&self) -> Result<Option<Entry>, Error> {
        let rows = self.rows("SELECT body FROM audit ORDER BY seq DESC LIMIT 1", &[])?;
        rows.first().map(|r| serde_json::from_str(r.get::<_, &str>(0)).map_err(|e| bad_json("audit entry", &e))).transpose()
    }

    fn append(&mut self, entry: &Entry) -> Result<(), Error> {
        let seq = i64::try_from(entry.seq).unwrap_or(i64::MAX);
        self.run("INSERT INTO audit (seq, body) VALUES ($1, $2)", &[&seq, &serde_json::to_string(entry).unwrap_or_default()])?;
        let sql = "INSERT INTO meta (key, value) VALUES ('audit_head', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        self.run(sql, &[&entry.hash]).map(|_| ())
    }
}

/// Starts a state on PostgreSQL with its first version (as `init` does on SQLite).
///
/// # Errors
/// As [`steps::init`]; `db_error`.
pub fn init(store: &mut PgStore, policy: clearance_core::policy::Policy, actor: &str, at: &str) -> Result<Version, Error> {
    store.transaction(|s| steps::init(s, policy, actor, at))
}
