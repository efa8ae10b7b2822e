//! One transaction on the server's state, whichever database holds it:
//! the sequencer's [`Storage`] plus the few statements the server's own
//! tables (accounts, sessions, tokens) need. Those statements are written
//! once, in the SQL both backends read: `$1`-style parameters, `"user"`
//! quoted (a reserved word in PostgreSQL), integers and text only.

use clearance_core::Error;
use clearance_core::audit::Entry;
use clearance_core::change::ledger::{FORMAT, Ledger};
use clearance_core::change::request::ChangeRequest;
use clearance_core::change::review::Campaign;
use clearance_core::change::steps::Storage;

/// Code for a failure of the server itself (not of the request).
pub const INTERNAL: clearance_core::Code = clearance_core::Code::Internal;

/// Refuses a database that has more migrations than this server knows.
///
/// # Errors
/// `internal`.
pub fn refuse_newer(applied: usize, known: usize) -> Result<(), Error> {
    if applied > known {
        return Err(Error::one(
            "",
            INTERNAL,
            format!("the database has {applied} migrations, this server knows {known}: run a newer server"),
        ));
    }
    Ok(())
}

/// A parameter or a column's value: the server's tables hold integers and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// An integer (times in ms, counters, 0/1 flags).
    Int(i64),
    /// Text.
    Text(String),
    /// SQL `NULL`.
    Null,
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::Text(text.to_owned())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Value {
        Value::Text(text)
    }
}

impl From<&String> for Value {
    fn from(text: &String) -> Value {
        Value::Text(text.clone())
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Int(n)
    }
}

impl From<bool> for Value {
    fn from(flag: bool) -> Value {
        Value::Int(i64::from(flag))
    }
}

/// One row of a query's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row(pub Vec<Value>);

fn column_error(i: usize, wanted: &str) -> Error {
    Error::one("", clearance_cli::store::DB_ERROR, format!("database error: column {i} is not {wanted}"))
}

impl Row {
    /// Column `i` as text.
    ///
    /// # Errors
    /// `db_error` when it is not text.
    pub fn text(&self, i: usize) -> Result<String, Error> {
        match self.0.get(i) {
            Some(Value::Text(text)) => Ok(text.clone()),
            _ => Err(column_error(i, "text")),
        }
    }

    /// Column `i` as text, or `None` for `NULL`.
    ///
    /// # Errors
    /// `db_error` when it is neither.
    pub fn opt_text(&self, i: usize) -> Result<Option<String>, Error> {
        match self.0.get(i) {
            Some(Value::Null) => Ok(None),
            _ => self.text(i).map(Some),
        }
    }

    /// Column `i` as an integer.
    ///
    /// # Errors
    /// `db_error` when it is not one.
    pub fn int(&self, i: usize) -> Result<i64, Error> {
        match self.0.get(i) {
            Some(Value::Int(n)) => Ok(*n),
            _ => Err(column_error(i, "an integer")),
        }
    }
}

/// One transaction on the state.
pub trait Tx: Storage {
    /// Runs a query; its rows.
    ///
    /// # Errors
    /// `db_error`.
    fn rows(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, Error>;

    /// Runs a statement; how many rows it changed.
    ///
    /// # Errors
    /// `db_error`.
    fn exec(&self, sql: &str, params: &[Value]) -> Result<u64, Error>;

    /// Every change request, oldest first.
    ///
    /// # Errors
    /// `db_error`, undecodable rows.
    fn requests(&self) -> Result<Vec<ChangeRequest>, Error>;

    /// Every access review campaign, oldest first.
    ///
    /// # Errors
    /// `db_error`, undecodable rows.
    fn campaigns(&self) -> Result<Vec<Campaign>, Error>;

    /// The audit log, oldest first.
    ///
    /// # Errors
    /// `db_error`; `broken_chain` for an undecodable entry.
    fn audit_log(&self) -> Result<Vec<Entry>, Error>;

    /// The recorded head of the audit log.
    ///
    /// # Errors
    /// `db_error`.
    fn audit_head(&self) -> Result<Option<String>, Error> {
        self.first("SELECT value FROM meta WHERE key = 'audit_head'", &[])?.map(|r| r.text(0)).transpose()
    }

    /// The current version's hash, without reading its policy (the cache's key).
    ///
    /// # Errors
    /// `db_error`.
    fn current_hash(&self) -> Result<Option<String>, Error> {
        self.first("SELECT hash FROM versions ORDER BY seq DESC LIMIT 1", &[])?.map(|r| r.text(0)).transpose()
    }

    /// The first row of a query, if any.
    ///
    /// # Errors
    /// `db_error`.
    fn first(&self, sql: &str, params: &[Value]) -> Result<Option<Row>, Error> {
        Ok(self.rows(sql, params)?.into_iter().next())
    }

    /// Everything, in the export format every store shares.
    ///
    /// # Errors
    /// `db_error`, undecodable rows.
    fn export(&self) -> Result<Ledger, Error> {
        Ok(Ledger {
            format: FORMAT.to_owned(),
            versions: self.versions()?,
            requests: self.requests()?,
            audit: self.audit_log()?,
            campaigns: self.campaigns()?,
        })
    }

    /// Verifies the state as `clearance audit verify` does: the chain ends
    /// at the recorded head, what it commits to holds, and a checkpoint's
    /// entry is still in it. Returns the number of entries.
    ///
    /// # Errors
    /// Every problem found; an empty log is a broken chain.
    fn verify(&self, checkpoint: Option<&clearance_core::checkpoint::Checkpoint>) -> Result<usize, Error> {
        self.export()?.verify_stored(self.audit_head()?.as_deref(), checkpoint)
    }
}

/// A database the server's state lives in.
pub trait Backend: Send {
    /// Runs `f` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    ///
    /// # Errors
    /// `f`'s error, or `db_error`.
    fn transaction(&mut self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), Error>) -> Result<(), Error>;
}

/// Runs `f` in one transaction of `backend`, with its answer.
///
/// # Errors
/// `f`'s error, or `db_error`.
pub fn within<T>(backend: &mut dyn Backend, f: impl FnOnce(&mut dyn Tx) -> Result<T, Error>) -> Result<T, Error> {
    let (mut f, mut answer) = (Some(f), None);
    backend.transaction(&mut |tx| {
        if let Some(f) = f.take() {
            answer = Some(f(tx)?);
        }
        Ok(())
    })?;
    answer.ok_or_else(|| Error::one("", INTERNAL, "the transaction did not run"))
}
