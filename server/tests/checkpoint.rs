//! Signed checkpoints against a writer of the database: a rewritten chain
//! and a deleted tail pass the chain's own check but not a checkpoint the
//! server signed before; an edited version or request row fails either way.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod support;

use clearance_core::audit::{Entry, GENESIS};
use clearance_core::checkpoint::Checkpoint;
use serde_json::json;
use std::path::Path;
use support::{Server, Tx, answer};

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

fn entries(s: &dyn Tx) -> Vec<Entry> {
    s.audit_log().unwrap()
}

/// Writes `log` as the whole audit table, its last hash as the head: what a writer of the database can do.
fn replace_log(s: &dyn Tx, log: &[Entry]) {
    s.exec("DELETE FROM audit", &[]).unwrap();
    for e in log {
        s.exec("INSERT INTO audit (seq, body) VALUES ($1, $2)", &[(e.seq as i64).into(), serde_json::to_string(e).unwrap().into()])
            .unwrap();
    }
    s.exec("UPDATE meta SET value = $1 WHERE key = 'audit_head'", &[(&log.last().unwrap().hash).into()]).unwrap();
}

fn verdict(s: &dyn Tx, checkpoint: Option<&Checkpoint>) -> Result<usize, String> {
    s.verify(checkpoint).map_err(|e| format!("{:?}", e.problems()))
}

#[test]
fn a_checkpoint_catches_what_the_chain_alone_cannot() {
    let (mut server, checkpoint, _) = cycled();
    server.kill();
    assert!(server.trial(|s| verdict(s, Some(&checkpoint))).is_ok(), "the untouched state holds its checkpoint");

    // A rewritten chain: one sign-in's address changed, every later hash recomputed.
    server.trial(|s| {
        let mut log = entries(s);
        let i = log.iter().position(|e| e.action == "signed_in").unwrap();
        log[i].details = json!({"address": "10.9.9.9"});
        for k in i..log.len() {
            log[k].prev = if k == 0 { GENESIS.to_owned() } else { log[k - 1].hash.clone() };
            log[k].hash = log[k].expected_hash();
        }
        replace_log(s, &log);
        assert!(verdict(s, None).is_ok(), "a consistent rewrite passes the chain's own check");
        let refused = verdict(s, Some(&checkpoint)).unwrap_err();
        assert!(refused.contains("broken_chain") && refused.contains("rewritten"), "{refused}");
    });

    // A deleted tail (the two sign-ins): the last entries gone, the head moved back.
    server.trial(|s| {
        let log = entries(s);
        replace_log(s, &log[..log.len() - 2]);
        assert!(verdict(s, None).is_ok(), "a shorter chain with its head moved passes alone");
        let refused = verdict(s, Some(&checkpoint)).unwrap_err();
        assert!(refused.contains("deleted"), "{refused}");
    });

    // An edited version row (its hash recomputed) and an edited request row fail either way.
    server.trial(|s| {
        let text = s.first("SELECT policy FROM versions WHERE seq = 2", &[]).unwrap().unwrap().text(0).unwrap();
        let mut policy: clearance_core::policy::Policy = serde_json::from_str(&text).unwrap();
        policy.name = Some("a quieter org".into());
        let edited = [serde_json::to_string(&policy).unwrap().into(), clearance_core::change::version(&policy).into()];
        assert_eq!(s.exec("UPDATE versions SET policy = $1, hash = $2 WHERE seq = 2", &edited).unwrap(), 1);
        assert!(verdict(s, None).unwrap_err().contains("/versions/1"));
        assert!(verdict(s, Some(&checkpoint)).is_err());
    });
    server.trial(|s| {
        let body = s.first("SELECT body FROM requests WHERE id = 'R1'", &[]).unwrap().unwrap().text(0).unwrap();
        let edited = body.replace("fin_mgr_fiona", "admin_ivy");
        assert_ne!(edited, body);
        assert_eq!(s.exec("UPDATE requests SET body = $1 WHERE id = 'R1'", &[edited.into()]).unwrap(), 1);
        assert!(verdict(s, None).unwrap_err().contains("/requests/0"));
    });
    assert!(server.trial(|s| verdict(s, Some(&checkpoint))).is_ok(), "every trial was rolled back");
}

#[test]
fn the_cli_checks_the_checkpoint_signature_and_a_server_without_its_key_does_not_start() {
    let (mut server, checkpoint, _) = cycled();
    server.kill();
    let file = server.dir.join("checkpoint.json");
    let public = server.dir.join("data/checkpoint.key.pub");
    let cli = Path::new(support::binary()).with_file_name("clearance");
    assert!(cli.exists(), "the CLI binary is built beside the server's (cargo test --workspace, or cargo build -p clearance-cli)");
    let data = server.dir.join("data");
    let db = data.join("state.db");
    // The CLI reads a SQLite state; the server's `verify` reads either.
    let verify = |checkpoint: &Checkpoint| {
        std::fs::write(&file, serde_json::to_string(checkpoint).unwrap()).unwrap();
        let given = ["--checkpoint", support::s(&file), "--public-key", support::s(&public)];
        match &server.database {
            Some(url) => {
                let args = [&["verify", "--data", support::s(&data), "--database", url.as_str()][..], &given].concat();
                std::process::Command::new(support::binary()).args(args).output().unwrap()
            }
            None => std::process::Command::new(&cli)
                .args([&["audit", "verify", "--db", support::s(&db)][..], &given].concat())
                .output()
                .unwrap(),
        }
    };
    let out = verify(&checkpoint);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((report["valid"].as_bool(), report["checkpoint"]["seq"].as_u64()), (Some(true), Some(checkpoint.seq)), "{report}");
    let mut forged = checkpoint.clone();
    forged.seq -= 1;
    let out = verify(&forged);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad_signature"), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_file(server.dir.join("data/checkpoint.key")).unwrap();
    let database = server.database.iter().flat_map(|url| ["--database", url.as_str()]);
    let args: Vec<&str> = ["serve", "--data", support::s(&data), "--listen", "127.0.0.1:0"].into_iter().chain(database).collect();
    let out = std::process::Command::new(support::binary()).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[no_checkpoint_key]"), "{}", String::from_utf8_lossy(&out.stderr));
}
