//! The CLI's change-control state in an embedded SQLite database (bundled
//! SQLite: nothing to install): policy versions, change requests, the audit
//! log and its head, review campaigns. Each command runs in one transaction,
//! so a failing step changes nothing. Export and import use one JSON format
//! (the admin app's IndexedDB export is the same), and an import is checked
//! whole — every policy compiles, every request and campaign decodes, the
//! audit chain verifies — before anything is replaced.

use clearance_core::Error;
use clearance_core::activity::Finding;
use clearance_core::audit::{self, Entry};
use clearance_core::change::request::ChangeRequest;
use clearance_core::change::review::Campaign;
use clearance_core::change::steps::{self, IdKind, Storage};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::path::Path;

/// Code for database failures.
pub const DB_ERROR: clearance_core::Code = clearance_core::Code::DbError;
/// Code for a state database that is not there.
pub const NO_STATE: clearance_core::Code = clearance_core::Code::NoState;

fn db(e: rusqlite::Error) -> Error {
    Error::one("", DB_ERROR, format!("database error: {}", e.to_string().to_lowercase()))
}

fn bad_json(what: &str, e: serde_json::Error) -> Error {
    Error::one("", clearance_core::error::code::BAD_VALUE, format!("stored {what} does not decode: {e}"))
}

pub use clearance_core::change::ledger::{FORMAT, Ledger as Export, Version};

/// An open state database.
pub struct Store {
    conn: Connection,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS versions (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, at TEXT NOT NULL, author TEXT NOT NULL, request TEXT, policy TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS requests (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS campaigns (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS findings (id TEXT PRIMARY KEY, body TEXT NOT NULL);
";

impl Store {
    /// Opens the state database at `path`, which must exist and be one:
    /// reading or changing a state that is not there fails closed (a missing
    /// file is never an empty, valid history).
    ///
    /// # Errors
    /// `no_state` when there is no such file or it is not a state database; `db_error`.
    pub fn open(path: &Path) -> Result<Store, Error> {
        let missing = || {
            Error::one(
                "/db",
                NO_STATE,
                format!("no state database at `{}`: start one with `clearance versions init` or `clearance state import`", path.display()),
            )
        };
        if !path.is_file() {
            return Err(missing());
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(db)?;
        let tables: i64 = conn
            .query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('versions', 'audit', 'meta')", [], |r| {
                r.get(0)
            })
            .map_err(db)?;
        if tables != 3 {
            return Err(missing());
        }
        conn.execute_batch(SCHEMA).map_err(db)?;
        Ok(Store { conn })
    }

    /// Opens the database at `path`, creating it when absent: for the
    /// commands that start a state (`versions init`, `state import`) or only
    /// add to one (`activity analyze --db`).
    ///
    /// # Errors
    /// `db_error`.
    pub fn create(path: &Path) -> Result<Store, Error> {
        let conn = Connection::open(path).map_err(db)?;
        conn.execute_batch(SCHEMA).map_err(db)?;
        Ok(Store { conn })
    }

    /// The connection, for tables kept beside the state (the server's
    /// accounts and sessions), written in the same transactions as it.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one transaction: committed when it succeeds, rolled back otherwise.
    ///
    /// # Errors
    /// `f`'s error, or `db_error`.
    pub fn transaction<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T, Error>) -> Result<T, Error> {
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(db)?;
        match f(self) {
            Ok(value) => {
                self.conn.execute_batch("COMMIT").map_err(db)?;
                Ok(value)
            }
            Err(error) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(error)
            }
        }
    }

    /// The newest version.
    ///
    /// # Errors
    /// `db_error`, undecodable rows.
    pub fn current(&self) -> Result<Option<Version>, Error> {
        let row: Option<(u64, String, String, String, Option<String>, String)> = self
            .conn
            .query_row("SELECT seq, hash, at, author, request, policy FROM versions ORDER BY seq DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })
            .optional()
            .map_err(db)?;
        row.map(|(seq, hash, at, author, request, policy)| {
            Ok(Version { seq, hash, at, author, request, policy: serde_json::from_str(&policy).map_err(|e| bad_json("policy", e))? })
        })
        .transpose()
    }

    /// The newest version's hash, without reading its policy.
    ///
    /// # Errors
    /// `db_error`.
    pub fn current_hash(&self) -> Result<Option<String>, Error> {
        self.conn.query_row("SELECT hash FROM versions ORDER BY seq DESC LIMIT 1", [], |r| r.get(0)).optional().map_err(db)
    }

    /// Every version, oldest first.
    ///
    /// # Errors
    /// `db_error`, undecodable rows.
    pub fn versions(&self) -> Result<Vec<Version>, Error> {
        let mut statement = self.conn.prepare("SELECT seq, hash, at, author, request, policy FROM versions ORDER BY seq").map_err(db)?;
        let rows =
            statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get::<_, String>(5)?))).map_err(db)?;
        let mut versions = Vec::new();
        for row in rows {
            let (seq, hash, at, author, request, policy) = row.map_err(db)?;
            versions.push(Version {
                seq,
                hash,
                at,
                author,
                request,
                policy: serde_json::from_str(&policy).map_err(|e| bad_json("policy", e))?,
            });
        }
        Ok(versions)
    }

    /// The version whose hash starts with `prefix` (one hash).
    ///
    /// # Errors
    /// `unknown_version` when none or several match.
    pub fn version(&self, prefix: &str) -> Result<Version, Error> {
        steps::find_version(&self.versions()?, prefix).cloned()
    }

    fn insert_version(&self, v: &Version) -> Result<(), Error> {
        let text = serde_json::to_string(&v.policy).unwrap_or_default();
        self.conn
            .execute(
                "INSERT INTO versions (seq, hash, at, author, request, policy) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![v.seq, v.hash, v.at, v.author, v.request, text],
            )
            .map_err(db)?;
        Ok(())
    }

    /// The next row number of a table of ids (`requests`, `campaigns`).
    fn next_seq(&self, table: &str) -> Result<u64, Error> {
        let sql = format!("SELECT COALESCE(MAX(seq), 0) + 1 FROM {table}");
        self.conn.query_row(&sql, [], |r| r.get(0)).map_err(db)
    }

    /// The row number kept with `id` in `table`, or the next one.
    fn seq_of(&self, table: &str, id: &str) -> Result<u64, Error> {
        let sql = format!("SELECT seq FROM {table} WHERE id = ?1");
        match self.conn.query_row(&sql, [id], |r| r.get(0)).optional().map_err(db)? {
            Some(seq) => Ok(seq),
            None => self.next_seq(table),
        }
    }

    /// Every request, oldest first.
    ///
    /// # Errors
    /// `db_error`, undecodable rows.
    pub fn requests(&self) -> Result<Vec<ChangeRequest>, Error> {
        self.bodies("SELECT body FROM requests ORDER BY seq", "request")
    }

    fn bodies<T: serde::de::DeserializeOwned>(&self, sql: &str, what: &str) -> Result<Vec<T>, Error> {
        let mut statement = self.conn.prepare(sql).map_err(db)?;
        let rows = statement.query_map([], |r| r.get::<_, String>(0)).map_err(db)?;
        let mut items = Vec::new();
        for row in rows {
            items.push(serde_json::from_str(&row.map_err(db)?).map_err(|e| bad_json(what, e))?);
        }
        Ok(items)
    }

    /// Every campaign, oldest first.
    ///
    /// # Errors
    /// `db_error`, undecodable rows.
    pub fn campaigns(&self) -> Result<Vec<Campaign>, Error> {
        self.bodies("SELECT body FROM campaigns ORDER BY seq", "campaign")
    }

    /// The audit log as stored, oldest first: entries that do not decode
    /// are reported as a broken chain at their position.
    ///
    /// # Errors
    /// `db_error`, `broken_chain` for an undecodable entry.
    pub fn audit_log(&self) -> Result<Vec<Entry>, Error> {
        let mut statement = self.conn.prepare("SELECT body FROM audit ORDER BY seq").map_err(db)?;
        let rows = statement.query_map([], |r| r.get::<_, String>(0)).map_err(db)?;
        let mut entries = Vec::new();
        for (i, row) in rows.enumerate() {
            let body = row.map_err(db)?;
            let entry = serde_json::from_str(&body)
                .map_err(|e| Error::one(format!("/{i}"), audit::code::BROKEN_CHAIN, format!("entry {} does not decode: {e}", i + 1)))?;
            entries.push(entry);
        }
        Ok(entries)
    }

    /// The recorded head of the audit log.
    ///
    /// # Errors
    /// `db_error`.
    pub fn audit_head(&self) -> Result<Option<String>, Error> {
        self.conn.query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| r.get(0)).optional().map_err(db)
    }

    /// Verifies the state: the audit chain ends at the recorded head, what
    /// it commits to (each version's policy, each request as stored) holds,
    /// and, given a checkpoint (its signature checked by the caller), the
    /// log still holds the entry it signed. Returns the number of entries.
    ///
    /// # Errors
    /// Every problem found (`broken_chain` and the state's own); an empty
    /// log is a broken chain: every state starts with an entry.
    pub fn verify(&self, checkpoint: Option<&clearance_core::checkpoint::Checkpoint>) -> Result<usize, Error> {
        self.export()?.verify_stored(self.audit_head()?.as_deref(), checkpoint)
    }

    /// Everything, for export.
    ///
    /// # Errors
    /// `db_error`, undecodable rows.
    pub fn export(&self) -> Result<Export, Error> {
        Ok(Export {
            format: FORMAT.to_owned(),
            versions: self.versions()?,
            requests: self.requests()?,
            audit: self.audit_log()?,
            campaigns: self.campaigns()?,
        })
    }

    /// Replaces everything with `state` (checked and admitted by the caller,
    /// see [`Export::admit_import`]); run it inside [`Store::transaction`] so
    /// a failure changes nothing.
    ///
    /// # Errors
    /// `db_error`.
    pub fn replace(&mut self, state: &Export) -> Result<(), Error> {
        self.conn
            .execute_batch("DELETE FROM versions; DELETE FROM requests; DELETE FROM audit; DELETE FROM campaigns; DELETE FROM meta;")
            .map_err(db)?;
        for v in &state.versions {
            self.insert_version(v)?;
        }
        for (i, r) in state.requests.iter().enumerate() {
            let body = serde_json::to_string(r).unwrap_or_default();
            self.conn.execute("INSERT INTO requests (id, seq, body) VALUES (?1, ?2, ?3)", params![r.id, i as u64 + 1, body]).map_err(db)?;
        }
        for e in &state.audit {
            let body = serde_json::to_string(e).unwrap_or_default();
            self.conn.execute("INSERT INTO audit (seq, body) VALUES (?1, ?2)", params![e.seq, body]).map_err(db)?;
        }
        if let Some(last) = state.audit.last() {
            self.conn.execute("INSERT INTO meta (key, value) VALUES ('audit_head', ?1)", [&last.hash]).map_err(db)?;
        }
        for (i, c) in state.campaigns.iter().enumerate() {
            let body = serde_json::to_string(c).unwrap_or_default();
            self.conn
                .execute("INSERT INTO campaigns (id, seq, body) VALUES (?1, ?2, ?3)", params![c.id, i as u64 + 1, body])
                .map_err(db)?;
        }
        Ok(())
    }
}

/// The sequencer's storage: each step runs inside [`Store::transaction`].
impl Storage for Store {
    fn current(&self) -> Result<Option<Version>, Error> {
        Store::current(self)
    }

    fn versions(&self) -> Result<Vec<Version>, Error> {
        Store::versions(self)
    }

    fn add_version(&mut self, version: &Version) -> Result<(), Error> {
        self.insert_version(version)
    }

    fn next_id(&mut self, kind: IdKind) -> Result<String, Error> {
        Ok(format!("{}{}", kind.prefix(), self.next_seq(kind.table())?))
    }

    fn request(&self, id: &str) -> Result<ChangeRequest, Error> {
        let body: Option<String> =
            self.conn.query_row("SELECT body FROM requests WHERE id = ?1", [id], |r| r.get(0)).optional().map_err(db)?;
        let body = body.ok_or_else(|| Error::one("", clearance_core::Code::UnknownRequest, format!("no change request `{id}`")))?;
        serde_json::from_str(&body).map_err(|e| bad_json("request", e))
    }

    fn save_request(&mut self, request: &ChangeRequest) -> Result<(), Error> {
        let seq = self.seq_of("requests", &request.id)?;
        let body = serde_json::to_string(request).unwrap_or_default();
        self.conn
            .execute("INSERT OR REPLACE INTO requests (id, seq, body) VALUES (?1, ?2, ?3)", params![request.id, seq, body])
            .map_err(db)?;
        Ok(())
    }

    fn campaign(&self, id: &str) -> Result<Campaign, Error> {
        let body: Option<String> =
            self.conn.query_row("SELECT body FROM campaigns WHERE id = ?1", [id], |r| r.get(0)).optional().map_err(db)?;
        let body = body.ok_or_else(|| Error::one("", clearance_core::Code::UnknownCampaign, format!("no review campaign `{id}`")))?;
        serde_json::from_str(&body).map_err(|e| bad_json("campaign", e))
    }

    fn save_campaign(&mut self, campaign: &Campaign) -> Result<(), Error> {
        let seq = self.seq_of("campaigns", &campaign.id)?;
        let body = serde_json::to_string(campaign).unwrap_or_default();
        self.conn
            .execute("INSERT OR REPLACE INTO campaigns (id, seq, body) VALUES (?1, ?2, ?3)", params![campaign.id, seq, body])
            .map_err(db)?;
        Ok(())
    }

    fn last_entry(&self) -> Result<Option<Entry>, Error> {
        let last: Option<String> =
            self.conn.query_row("SELECT body FROM audit ORDER BY seq DESC LIMIT 1", [], |r| r.get(0)).optional().map_err(db)?;
        last.map(|b| serde_json::from_str(&b)).transpose().map_err(|e| bad_json("audit entry", e))
    }

    fn append(&mut self, entry: &Entry) -> Result<(), Error> {
        let body = serde_json::to_string(entry).unwrap_or_default();
        self.conn.execute("INSERT INTO audit (seq, body) VALUES (?1, ?2)", params![entry.seq, body]).map_err(db)?;
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', ?1)", [&entry.hash]).map_err(db)?;
        Ok(())
    }
}

/// Activity: decision events (as their JSON lines) and the latest findings.
impl Store {
    /// Appends events, in order, as their JSON lines.
    ///
    /// # Errors
    /// `db_error`.
    pub fn add_events<'a>(&self, lines: impl IntoIterator<Item = &'a str>) -> Result<u64, Error> {
        let mut statement = self.conn.prepare_cached("INSERT INTO events (body) VALUES (?1)").map_err(db)?;
        let mut n = 0;
        for line in lines {
            statement.execute([line]).map_err(db)?;
            n += 1;
        }
        Ok(n)
    }

    /// Calls `f` with every stored event line and its sequence number, in order.
    ///
    /// # Errors
    /// `db_error`.
    pub fn each_event(&self, mut f: impl FnMut(u64, &str)) -> Result<(), Error> {
        let mut statement = self.conn.prepare("SELECT seq, body FROM events ORDER BY seq").map_err(db)?;
        let mut rows = statement.query([]).map_err(db)?;
        while let Some(row) = rows.next().map_err(db)? {
            let seq: u64 = row.get(0).map_err(db)?;
            let body = row.get_ref(1).map_err(db)?.as_str().map_err(|e| db(e.into()))?;
            f(seq, body);
        }
        Ok(())
    }

    /// Replaces the stored findings.
    ///
    /// # Errors
    /// `db_error`.
    pub fn replace_findings(&self, findings: &[Finding]) -> Result<(), Error> {
        self.conn.execute("DELETE FROM findings", []).map_err(db)?;
        let mut statement = self.conn.prepare_cached("INSERT OR REPLACE INTO findings (id, body) VALUES (?1, ?2)").map_err(db)?;
        for finding in findings {
            statement.execute(params![finding.id, serde_json::to_string(finding).unwrap_or_default()]).map_err(db)?;
        }
        Ok(())
    }

    /// The stored findings, in the order analysis reported them.
    ///
    /// # Errors
    /// `db_error`, undecodable rows.
    pub fn findings(&self) -> Result<Vec<Finding>, Error> {
        let mut statement = self.conn.prepare("SELECT body FROM findings ORDER BY rowid").map_err(db)?;
        let rows = statement.query_map([], |r| r.get::<_, String>(0)).map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(serde_json::from_str(&row.map_err(db)?).map_err(|e| bad_json("finding", e))?);
        }
        Ok(out)
    }
}
