//! What a row reads back from either backend (SQLite, or PostgreSQL in the
//! suite's PostgreSQL pass): integers of every width as integers, text as
//! text, `NULL` as null; a column of another type fails loudly.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod support;

use clearance_server::tx::{Row, Value};
use support::Server;

#[test]
fn integers_of_every_width_text_and_null_read_back_as_such() {
    let server = Server::start("storage");
    let rows = server.trial(|s| s.rows("SELECT CAST(2 AS SMALLINT), CAST(4 AS INTEGER), CAST(8 AS BIGINT), 'text', NULL", &[]));
    let expected = Row(vec![Value::Int(2), Value::Int(4), Value::Int(8), Value::Text("text".into()), Value::Null]);
    assert_eq!(rows.unwrap(), [expected]);
    // PostgreSQL's other types are not guessed at (SQLite keeps a real as a real, not text, too).
    let refused = server.trial(|s| s.rows("SELECT CAST(1.5 AS REAL)", &[]));
    assert!(refused.is_err(), "{refused:?}");
}
