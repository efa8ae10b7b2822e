//! The change-control state on PostgreSQL: the same rows as the SQLite
//! store (versions, requests, campaigns, the audit log and its head), for
//! servers that outgrow one machine — several replicas share one database
//! and keep no state of their own. Every step is one transaction that first
//! takes one advisory lock, so steps are serialized across replicas as
//! SQLite serializes writers: concurrent steps on one request have one
//! winner. The sequencer is the core's, as everywhere.

use crate::tx::{Backend, Row, Tx, Value};
use clearance_core::Error;
use clearance_core::audit::Entry;
use clearance_core::change::request::ChangeRequest;
use clearance_core::change::review::Campaign;
use clearance_core::change::steps::{self, IdKind, Storage, Version};
use postgres::types::ToSql;
use postgres::{Client, GenericClient, NoTls, Transaction};
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
    /// Where it connects again when the connection is lost (a database restart).
    url: String,
}

impl PgStore {
    /// Connects and creates the tables when absent.
    ///
    /// # Errors
    /// `db_error` (unreachable server, refused credentials).
    pub fn connect(url: &str) -> Result<PgStore, Error> {
        let mut client = Client::connect(url, NoTls).map_err(|e| pg(&e))?;
        client.batch_execute(SCHEMA).map_err(|e| pg(&e))?;
        Ok(PgStore { client, url: url.to_owned() })
    }

    /// Runs `f` in one transaction holding the step lock: committed when it
    /// succeeds, rolled back otherwise.
    ///
    /// # Errors
    /// `f`'s error, or `db_error`.
    pub fn transaction<T>(&mut self, f: impl FnOnce(&mut PgTx<Transaction<'_>>) -> Result<T, Error>) -> Result<T, Error> {
        // A connection lost (the database restarted, the backend ended) fails
        // the call that found it; this one starts on a new connection.
        if self.client.is_closed() {
            self.client = Client::connect(&self.url, NoTls).map_err(|e| pg(&e))?;
        }
        let mut tx = self.client.transaction().map_err(|e| pg(&e))?;
        tx.execute_typed("SELECT pg_advisory_xact_lock($1)", &[(&STEP_LOCK, postgres::types::Type::INT8)]).map_err(|e| pg(&e))?;
        let mut state = PgTx { tx: RefCell::new(tx) };
        let value = f(&mut state)?;
        state.tx.into_inner().commit().map_err(|e| pg(&e))?;
        Ok(value)
    }
}

/// A connection for reads outside the step lock: each statement sees the
/// state as last committed (autocommit), so readers never wait for a step
/// and never hold one up.
///
/// # Errors
/// `db_error`.
pub fn reader(url: &str) -> Result<PgTx<Client>, Error> {
    Ok(PgTx { tx: RefCell::new(Client::connect(url, NoTls).map_err(|e| pg(&e))?) })
}

impl PgTx<Client> {
    /// Connects again when the connection was lost (the next read then works).
    pub fn reconnect_if_lost(&mut self, url: &str) {
        if self.tx.get_mut().is_closed()
            && let Ok(client) = Client::connect(url, NoTls)
        {
            self.tx = RefCell::new(client);
        }
    }
}

/// The state inside one transaction (or, for a [`reader`], one statement at a time).
pub struct PgTx<C> {
    tx: RefCell<C>,
}

impl<C: GenericClient> PgTx<C> {
    // Typed statements: parameters' types sent with them, one round trip
    // each (an untyped one is prepared first: two).
    fn query(&self, sql: &str, values: &[Value]) -> Result<Vec<postgres::Row>, Error> {
        let boxed = params(values);
        self.tx.borrow_mut().query_typed(sql, &typed(&boxed, values)).map_err(|e| pg(&e))
    }

    fn execute(&self, sql: &str, values: &[Value]) -> Result<u64, Error> {
        let boxed = params(values);
        self.tx.borrow_mut().execute_typed(sql, &typed(&boxed, values)).map_err(|e| pg(&e))
    }

    fn bodies<T: serde::de::DeserializeOwned>(&self, sql: &str, what: &str) -> Result<Vec<T>, Error> {
        self.query(sql, &[])?.iter().map(|r| serde_json::from_str(r.get::<_, &str>(0)).map_err(|e| bad_json(what, &e))).collect()
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
        Ok(self.query(&format!("SELECT COALESCE(MAX(seq), 0) + 1 FROM {table}"), &[])?.first().map_or(1, |r| r.get(0)))
    }

    fn seq_of(&self, table: &str, id: &str) -> Result<i64, Error> {
        match self.query(&format!("SELECT seq FROM {table} WHERE id = $1"), &[id.into()])?.first() {
            Some(row) => Ok(row.get(0)),
            None => self.next_seq(table),
        }
    }

    fn body(&self, table: &str, id: &str) -> Result<Option<String>, Error> {
        Ok(self.query(&format!("SELECT body FROM {table} WHERE id = $1"), &[id.into()])?.first().map(|r| r.get(0)))
    }

    fn save(&self, table: &str, id: &str, body: &str) -> Result<(), Error> {
        let seq = self.seq_of(table, id)?;
        let sql = format!("INSERT INTO {table} (id, seq, body) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET body = excluded.body");
        self.execute(&sql, &[id.into(), seq.into(), body.into()]).map(|_| ())
    }
}

impl<C: GenericClient> Storage for PgTx<C> {
    fn current(&self) -> Result<Option<Version>, Error> {
        let rows = self.query("SELECT seq, hash, at, author, request, policy FROM versions ORDER BY seq DESC LIMIT 1", &[])?;
        rows.first().map(Self::version_of).transpose()
    }

    fn versions(&self) -> Result<Vec<Version>, Error> {
        self.query("SELECT seq, hash, at, author, request, policy FROM versions ORDER BY seq", &[])?.iter().map(Self::version_of).collect()
    }

    fn add_version(&mut self, v: &Version) -> Result<(), Error> {
        let seq = i64::try_from(v.seq).unwrap_or(i64::MAX);
        let policy = serde_json::to_string(&v.policy).unwrap_or_default();
        let sql = "INSERT INTO versions (seq, hash, at, author, request, policy) VALUES ($1, $2, $3, $4, $5, $6)";
        let request = v.request.as_deref().map_or(Value::Null, Value::from);
        self.execute(sql, &[seq.into(), (&v.hash).into(), (&v.at).into(), (&v.author).into(), request, policy.into()]).map(|_| ())
    }

    fn next_id(&mut self, kind: IdKind) -> Result<String, Error> {
        Ok(format!("{}{}", kind.prefix(), self.next_seq(kind.table())?))
    }

    fn request(&self, id: &str) -> Result<ChangeRequest, Error> {
        let body = self
            .body("requests", id)?
            .ok_or_else(|| Error::one("", clearance_core::Code::UnknownRequest, format!("no change request `{id}`")))?;
        serde_json::from_str(&body).map_err(|e| bad_json("request", &e))
    }

    fn save_request(&mut self, request: &ChangeRequest) -> Result<(), Error> {
        self.save("requests", &request.id, &serde_json::to_string(request).unwrap_or_default())
    }

    fn campaign(&self, id: &str) -> Result<Campaign, Error> {
        let body = self
            .body("campaigns", id)?
            .ok_or_else(|| Error::one("", clearance_core::Code::UnknownCampaign, format!("no review campaign `{id}`")))?;
        serde_json::from_str(&body).map_err(|e| bad_json("campaign", &e))
    }

    fn save_campaign(&mut self, campaign: &Campaign) -> Result<(), Error> {
        self.save("campaigns", &campaign.id, &serde_json::to_string(campaign).unwrap_or_default())
    }

    fn last_entry(&self) -> Result<Option<Entry>, Error> {
        let rows = self.query("SELECT body FROM audit ORDER BY seq DESC LIMIT 1", &[])?;
        rows.first().map(|r| serde_json::from_str(r.get::<_, &str>(0)).map_err(|e| bad_json("audit entry", &e))).transpose()
    }

    fn append(&mut self, entry: &Entry) -> Result<(), Error> {
        let seq = i64::try_from(entry.seq).unwrap_or(i64::MAX);
        self.execute(
            "INSERT INTO audit (seq, body) VALUES ($1, $2)",
            &[seq.into(), serde_json::to_string(entry).unwrap_or_default().into()],
        )?;
        let sql = "INSERT INTO meta (key, value) VALUES ('audit_head', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        self.execute(sql, &[(&entry.hash).into()]).map(|_| ())
    }
}

/// The server's own tables on PostgreSQL, one migration per entry (the
/// SQLite ones' columns, integers as BIGINT); `server_migrations` counts
/// those applied.
const MIGRATIONS: [&str; 3] = [
    r#"
CREATE TABLE accounts ("user" TEXT PRIMARY KEY, phc TEXT NOT NULL, failures BIGINT NOT NULL DEFAULT 0,
    locked_until_ms BIGINT NOT NULL DEFAULT 0, password_set_ms BIGINT NOT NULL,
    totp_secret TEXT, totp_pending TEXT, totp_last_step BIGINT NOT NULL DEFAULT 0, recovery TEXT NOT NULL DEFAULT '[]',
    history TEXT NOT NULL DEFAULT '[]');
CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, "user" TEXT NOT NULL, csrf TEXT NOT NULL, mfa BIGINT NOT NULL DEFAULT 0,
    created_ms BIGINT NOT NULL, seen_ms BIGINT NOT NULL);
CREATE INDEX sessions_by_user ON sessions ("user");
CREATE TABLE api_tokens (id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, "user" TEXT NOT NULL, name TEXT NOT NULL,
    scopes TEXT NOT NULL, mfa BIGINT NOT NULL, created_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL, revoked BIGINT NOT NULL);
CREATE INDEX api_tokens_by_user ON api_tokens ("user");
"#,
    r#"
CREATE TABLE edges (token_id TEXT PRIMARY KEY, "user" TEXT NOT NULL, name TEXT NOT NULL, revision BIGINT NOT NULL,
    seen_ms BIGINT NOT NULL, address TEXT NOT NULL);
"#,
    r#"
CREATE TABLE IF NOT EXISTS events (seq BIGSERIAL PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS findings (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE event_batches (batch TEXT PRIMARY KEY, token_id TEXT NOT NULL, received_ms BIGINT NOT NULL, count BIGINT NOT NULL);
"#,
];

impl PgStore {
    /// Applies the server's migrations not yet applied (replicas starting
    /// together take turns on the step lock); refuses a newer database.
    ///
    /// # Errors
    /// `internal` for a newer database; `db_error`.
    pub fn migrate(&mut self) -> Result<(), Error> {
        self.transaction(|s| {
            s.execute("CREATE TABLE IF NOT EXISTS server_migrations (n BIGINT PRIMARY KEY)", &[])?;
            let applied: i64 = s.query("SELECT COALESCE(MAX(n), 0) FROM server_migrations", &[])?.first().map_or(0, |r| r.get(0));
            let applied = usize::try_from(applied).unwrap_or(usize::MAX);
            crate::tx::refuse_newer(applied, MIGRATIONS.len())?;
            for (i, migration) in MIGRATIONS.iter().enumerate().skip(applied) {
                s.tx.borrow_mut().batch_execute(migration).map_err(|e| pg(&e))?;
                s.execute("INSERT INTO server_migrations (n) VALUES ($1)", &[i64::try_from(i + 1).unwrap_or(i64::MAX).into()])?;
            }
            Ok(())
        })
    }
}

fn params(values: &[Value]) -> Vec<Box<dyn ToSql + Sync>> {
    values
        .iter()
        .map(|v| -> Box<dyn ToSql + Sync> {
            match v {
                Value::Int(n) => Box::new(*n),
                Value::Text(text) => Box::new(text.clone()),
                Value::Null => Box::new(None::<String>),
            }
        })
        .collect()
}

/// Each parameter with its type: BIGINT or TEXT (`NULL` as TEXT).
fn typed<'a>(boxed: &'a [Box<dyn ToSql + Sync>], values: &[Value]) -> Vec<(&'a (dyn ToSql + Sync), postgres::types::Type)> {
    boxed
        .iter()
        .zip(values)
        .map(|(b, v)| (b.as_ref(), if matches!(v, Value::Int(_)) { postgres::types::Type::INT8 } else { postgres::types::Type::TEXT }))
        .collect()
}

fn value(row: &postgres::Row, i: usize) -> Result<Value, Error> {
    use postgres::types::Type;
    // Integers of every width (a literal `1` is INT4, a count INT8), text, and NULL; anything else fails loudly.
    let read = match row.columns().get(i).map(postgres::Column::type_) {
        Some(&Type::INT8) => row.try_get::<_, Option<i64>>(i).map(|v| v.map(Value::Int)),
        Some(&Type::INT4) => row.try_get::<_, Option<i32>>(i).map(|v| v.map(|n| Value::Int(n.into()))),
        Some(&Type::INT2) => row.try_get::<_, Option<i16>>(i).map(|v| v.map(|n| Value::Int(n.into()))),
        _ => row.try_get::<_, Option<String>>(i).map(|v| v.map(Value::Text)),
    };
    Ok(read.map_err(|e| pg(&e))?.unwrap_or(Value::Null))
}

impl<C: GenericClient> Tx for PgTx<C> {
    fn rows(&self, sql: &str, values: &[Value]) -> Result<Vec<Row>, Error> {
        let rows = self.query(sql, values)?;
        rows.iter().map(|r| (0..r.len()).map(|i| value(r, i)).collect::<Result<Vec<_>, _>>().map(Row)).collect()
    }

    fn exec(&self, sql: &str, values: &[Value]) -> Result<u64, Error> {
        self.execute(sql, values)
    }

    fn requests(&self) -> Result<Vec<ChangeRequest>, Error> {
        self.bodies("SELECT body FROM requests ORDER BY seq", "request")
    }

    fn campaigns(&self) -> Result<Vec<Campaign>, Error> {
        self.bodies("SELECT body FROM campaigns ORDER BY seq", "campaign")
    }

    fn audit_log(&self) -> Result<Vec<Entry>, Error> {
        let rows = self.query("SELECT body FROM audit ORDER BY seq", &[])?;
        rows.iter()
            .enumerate()
            .map(|(i, r)| {
                serde_json::from_str(r.get::<_, &str>(0)).map_err(|e| {
                    Error::one(format!("/{i}"), clearance_core::audit::code::BROKEN_CHAIN, format!("entry {} does not decode: {e}", i + 1))
                })
            })
            .collect()
    }
}

impl Backend for PgStore {
    fn transaction(&mut self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), Error>) -> Result<(), Error> {
        PgStore::transaction(self, |s| f(s))
    }
}

/// Starts a state on PostgreSQL with its first version (as `init` does on SQLite).
///
/// # Errors
/// As [`steps::init`]; `db_error`.
pub fn init(store: &mut PgStore, policy: clearance_core::policy::Policy, actor: &str, at: &str) -> Result<Version, Error> {
    store.transaction(|s| steps::init(s, policy, actor, at))
}
