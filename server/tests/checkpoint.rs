//! Signed checkpoints against a writer of the database: a rewritten chain
//! and a deleted tail pass the chain's own check but not a checkpoint the
//! server signed before; an edited version or request row fails either way.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod support;

use clearance_cli::store::Store;
use clearance_core::audit::{Entry, GENESIS};
use clearance_core::checkpoint::Checkpoint;
use rusqlite::{Connection, params};
use serde_json::json;
use std::path::{Path, PathBuf};
use support::{Server, answer};

/// The server's state after a whole cycle, with the checkpoint it signed at the end.
fn cycled() -> (Server, Checkpoint, [u8; 32]) {
    let server = Server::start("checkpoint");
    let mike = server.sign_in("mgr_east_mike");
    let fiona = server.sign_in("fin_mgr_fiona");
    assert_eq!(mike.post("/v1/requests", &support::move_bob()).status(), 201);
    assert_eq!(fiona.post("/v1/requests/R1/approve", &json!({})).status(), 200);
    assert_eq!(fiona.post("/v1/requests/R1/apply", &json!({})).status(), 200);
    // Two sign-ins end the log: entries that commit to nothing else.
    server.sign_in("rep_east_alice");
    server.sign_in("rep_east_alice");
    let (status, body) = answer(fiona.get("/v1/audit/checkpoint"));
    assert_eq!(status, 200, "{body}");
    let checkpoint: Checkpoint = serde_json::from_value(body).unwrap();
    let key = std::fs::read_to_string(server.dir.join("data/checkpoint.key.pub")).unwrap();
    let key = clearance_core::bundle::parse_hex_key(&key).unwrap();
    checkpoint.verify(&key).unwrap();
    (server, checkpoint, key)
}

fn copy(server: &Server, name: &str) -> PathBuf {
    let path = server.dir.join(format!("{name}.db"));
    std::fs::copy(server.db(), &path).unwrap();
    path
}

fn entries(conn: &Connection) -> Vec<Entry> {
    let mut statement = conn.prepare("SELECT body FROM audit ORDER BY seq").unwrap();
    let rows = statement.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(|r| serde_json::from_str(&r.unwrap()).unwrap()).collect()
}

/// Writes `log` as the whole audit table, its last hash as the head: what a writer of the database can do.
fn replace_log(conn: &Connection, log: &[Entry]) {
    conn.execute("DELETE FROM audit", []).unwrap();
    for e in log {
        conn.execute("INSERT INTO audit (seq, body) VALUES (?1, ?2)", params![e.seq, serde_json::to_string(e).unwrap()]).unwrap();
    }
    conn.execute("UPDATE meta SET value = ?1 WHERE key = 'audit_head'", [&log.last().unwrap().hash]).unwrap();
}

fn verdict(db: &Path, checkpoint: Option<&Checkpoint>) -> Result<usize, String> {
    Store::open(db).unwrap().verify(checkpoint).map_err(|e| format!("{:?}", e.problems()))
}

#[test]
fn a_checkpoint_catches_what_the_chain_alone_cannot() {
    let (mut server, checkpoint, _) = cycled();
    server.kill();
    assert!(verdict(&server.db(), Some(&checkpoint)).is_ok(), "the untouched state holds its checkpoint");

    // A rewritten chain: one sign-in's address changed, every later hash recomputed.
    let rewritten = copy(&server, "rewritten");
    let conn = Connection::open(&rewritten).unwrap();
    let mut log = entries(&conn);
    let i = log.iter().position(|e| e.action == "signed_in").unwrap();
    log[i].details = json!({"address": "10.9.9.9"});
    for k in i..log.len() {
        log[k].prev = if k == 0 { GENESIS.to_owned() } else { log[k - 1].hash.clone() };
        log[k].hash = log[k].expected_hash();
    }
    replace_log(&conn, &log);
    assert!(verdict(&rewritten, None).is_ok(), "a consistent rewrite passes the chain's own check");
    let refused = verdict(&rewritten, Some(&checkpoint)).unwrap_err();
    assert!(refused.contains("broken_chain") && refused.contains("rewritten"), "{refused}");

    // A deleted tail (the two sign-ins): the last entries gone, the head moved back.
    let truncated = copy(&server, "truncated");
    let conn = Connection::open(&truncated).unwrap();
    let log = entries(&conn);
    replace_log(&conn, &log[..log.len() - 2]);
    assert!(verdict(&truncated, None).is_ok(), "a shorter chain with its head moved passes alone");
    let refused = verdict(&truncated, Some(&checkpoint)).unwrap_err();
    assert!(refused.contains("deleted"), "{refused}");

    // An edited version row (its hash recomputed) and an edited request row fail either way.
    let version = copy(&server, "version");
    let conn = Connection::open(&version).unwrap();
    let text: String = conn.query_row("SELECT policy FROM versions WHERE seq = 2", [], |r| r.get(0)).unwrap();
    let mut policy: clearance_core::policy::Policy = serde_json::from_str(&text).unwrap();
    policy.name = Some("a quieter org".into());
    conn.execute(
        "UPDATE versions SET policy = ?1, hash = ?2 WHERE seq = 2",
        params![serde_json::to_string(&policy).unwrap(), clearance_core::change::version(&policy)],
    )
    .unwrap();
    assert!(verdict(&version, None).unwrap_err().contains("/versions/1"));
    assert!(verdict(&version, Some(&checkpoint)).is_err());

    let request = copy(&server, "request");
    let conn = Connection::open(&request).unwrap();
    let body: String = conn.query_row("SELECT body FROM requests WHERE id = 'R1'", [], |r| r.get(0)).unwrap();
    let edited = body.replace("fin_mgr_fiona", "admin_ivy");
    assert_ne!(edited, body);
    conn.execute("UPDATE requests SET body = ?1 WHERE id = 'R1'", [edited]).unwrap();
    assert!(verdict(&request, None).unwrap_err().contains("/requests/0"));
}

#[test]
fn the_cli_checks_the_checkpoint_signature_and_a_server_without_its_key_does_not_start() {
    let (mut server, checkpoint, _) = cycled();
    server.kill();
    let file = server.dir.join("checkpoint.json");
    let public = server.dir.join("data/checkpoint.key.pub");
    let cli = Path::new(support::binary()).with_file_name("clearance");
    assert!(cli.exists(), "the CLI binary is built beside the server's (cargo test --workspace, or cargo build -p clearance-cli)");
    let db = server.db();
    let verify = |checkpoint: &Checkpoint| {
        std::fs::write(&file, serde_json::to_string(checkpoint).unwrap()).unwrap();
        let args = ["audit", "verify", "--db", support::s(&db), "--checkpoint", support::s(&file), "--public-key", support::s(&public)];
        std::process::Command::new(&cli).args(args).output().unwrap()
    };
    let out = verify(&checkpoint);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut forged = checkpoint.clone();
    forged.seq -= 1;
    let out = verify(&forged);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad_signature"), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_file(server.dir.join("data/checkpoint.key")).unwrap();
    let out = std::process::Command::new(support::binary())
        .args(["serve", "--data", support::s(&server.dir.join("data")), "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[no_checkpoint_key]"), "{}", String::from_utf8_lossy(&out.stderr));
}
