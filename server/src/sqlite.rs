//! The state in SQLite (the default: one file, nothing to install): the
//! CLI's store, so `clearance audit verify --db` reads it, plus the
//! server's own tables in the same file, written in the same transactions.

use crate::tx::{Backend, Row, Tx, Value};
use clearance_cli::store::Store;
use clearance_core::Error;
use clearance_core::audit::Entry;
use clearance_core::change::request::ChangeRequest;
use clearance_core::change::review::Campaign;

/// The server's own tables, one migration per entry, applied in order at
/// start (`PRAGMA user_version` counts those applied).
pub const MIGRATIONS: [&str; 5] = [
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
    "
CREATE TABLE edges (token_id TEXT PRIMARY KEY, user TEXT NOT NULL, name TEXT NOT NULL, revision INTEGER NOT NULL,
    seen_ms INTEGER NOT NULL, address TEXT NOT NULL);
",
    "
CREATE TABLE event_batches (batch TEXT PRIMARY KEY, token_id TEXT NOT NULL, received_ms INTEGER NOT NULL, count INTEGER NOT NULL);
",
];

/// A SQLite error as the store reports them.
pub fn sql(e: rusqlite::Error) -> Error {
    Error::one("", clearance_cli::store::DB_ERROR, format!("database error: {}", e.to_string().to_lowercase()))
}

/// Applies the migrations not yet applied; refuses a database of a newer server.
///
/// # Errors
/// `internal` for a newer database; `db_error`.
pub fn migrate(store: &Store) -> Result<(), Error> {
    let conn = store.connection();
    // Write-ahead logging: readers (the CLI's `audit verify`, a backup) never block the server's writes.
    conn.pragma_update(None, "journal_mode", "WAL").map_err(sql)?;
    conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(sql)?;
    let applied: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql)?;
    crate::tx::refuse_newer(applied, MIGRATIONS.len())?;
    for (i, migration) in MIGRATIONS.iter().enumerate().skip(applied) {
        conn.execute_batch(&format!("BEGIN IMMEDIATE; {migration}; PRAGMA user_version = {}; COMMIT;", i + 1)).map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            sql(e)
        })?;
    }
    Ok(())
}

/// The statement in SQLite's spelling: `$1` becomes `?1` (SQLite would
/// otherwise number `$`-parameters in order of appearance, not by name).
fn spelled(statement: &str) -> String {
    let mut out = String::with_capacity(statement.len());
    let mut chars = statement.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) { '?' } else { c });
    }
    out
}

fn bound(params: &[Value]) -> Vec<rusqlite::types::Value> {
    params
        .iter()
        .map(|p| match p {
            Value::Int(n) => rusqlite::types::Value::Integer(*n),
            Value::Text(text) => rusqlite::types::Value::Text(text.clone()),
            Value::Null => rusqlite::types::Value::Null,
        })
        .collect()
}

fn read(row: &rusqlite::Row<'_>, columns: usize) -> rusqlite::Result<Row> {
    use rusqlite::types::{Type, ValueRef};
    let mut values = Vec::with_capacity(columns);
    for i in 0..columns {
        // Integers, text and NULL are all the server stores; anything else fails loudly (never a silent NULL).
        values.push(match row.get_ref(i)? {
            ValueRef::Integer(n) => Value::Int(n),
            ValueRef::Null => Value::Null,
            text @ ValueRef::Text(_) => {
                Value::Text(text.as_str().map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, e.into()))?.to_owned())
            }
            other => return Err(rusqlite::Error::InvalidColumnType(i, String::new(), other.data_type())),
        });
    }
    Ok(Row(values))
}

impl Tx for Store {
    fn rows(&self, statement: &str, params: &[Value]) -> Result<Vec<Row>, Error> {
        let mut prepared = self.connection().prepare_cached(&spelled(statement)).map_err(sql)?;
        let columns = prepared.column_count();
        let rows = prepared.query_map(rusqlite::params_from_iter(bound(params)), |r| read(r, columns)).map_err(sql)?;
        rows.map(|r| r.map_err(sql)).collect()
    }

    fn exec(&self, statement: &str, params: &[Value]) -> Result<u64, Error> {
        let mut prepared = self.connection().prepare_cached(&spelled(statement)).map_err(sql)?;
        let changed = prepared.execute(rusqlite::params_from_iter(bound(params))).map_err(sql)?;
        Ok(u64::try_from(changed).unwrap_or(u64::MAX))
    }

    fn requests(&self) -> Result<Vec<ChangeRequest>, Error> {
        Store::requests(self)
    }

    fn campaigns(&self) -> Result<Vec<Campaign>, Error> {
        Store::campaigns(self)
    }

    fn audit_log(&self) -> Result<Vec<Entry>, Error> {
        Store::audit_log(self)
    }
}

impl Backend for Store {
    fn transaction(&mut self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), Error>) -> Result<(), Error> {
        Store::transaction(self, |store| f(store))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollar_parameters_become_numbered_ones_and_nothing_else_changes() {
        assert_eq!(spelled("SELECT $2, $1, '$x', $ FROM t WHERE a = $10"), "SELECT ?2, ?1, '$x', $ FROM t WHERE a = ?10");
    }

    #[test]
    fn values_round_trip_through_sqlite() {
        let store = Store::create(std::path::Path::new(":memory:")).unwrap();
        store.exec("CREATE TABLE t (a INTEGER, b TEXT, c TEXT)", &[]).unwrap();
        assert_eq!(store.exec("INSERT INTO t VALUES ($1, $2, $3)", &[7.into(), "x".into(), Value::Null]).unwrap(), 1);
        let row = store.first("SELECT c, b, a FROM t WHERE a = $1", &[7.into()]).unwrap().unwrap();
        assert_eq!(row, Row(vec![Value::Null, Value::Text("x".to_owned()), Value::Int(7)]));
        assert_eq!((row.opt_text(0).unwrap(), row.text(1).unwrap(), row.int(2).unwrap()), (None, "x".to_owned(), 7));
        assert!(row.text(2).is_err() && row.int(1).is_err() && row.opt_text(2).is_err() && row.text(9).is_err());
        // What the server never stores is refused, not read as NULL or mended.
        for other in ["SELECT 1.5", "SELECT x'00'", "SELECT CAST(x'ff' AS TEXT)"] {
            assert!(store.rows(other, &[]).is_err(), "{other}");
        }
    }
}
