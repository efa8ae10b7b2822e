//! On PostgreSQL, a lost connection (the database restarted, its backend
//! ended) fails at most the call that finds it; the next one connects
//! again, for the writer and for every reader. Runs in the PostgreSQL pass
//! of the suite (`CLEARANCE_SERVER_DATABASE=postgres`).
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod support;

use clearance_server::db::Db;
use support::Server;

#[test]
fn a_lost_connection_fails_one_call_and_the_next_connects_again() {
    let Some(empty) = Server::empty_database("reconnect") else { return };
    let url = format!("{empty} application_name=clearance_reconnect");
    let policy = clearance_core::parse_policy(clearance_core::generate::REFERENCE_ORG).unwrap();
    let db = Db::create_postgres(&url).unwrap();
    db.run_now(|s| clearance_core::change::steps::init(s, policy, "admin_ivy", "2026-12-01T10:00:00Z")).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let read = || runtime.block_on(db.read(|s| s.current_hash()));
    assert!(read().unwrap().is_some());

    let admin_url = support::postgres().unwrap();
    let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap();
    let ended =
        admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'clearance_reconnect'", &[]).unwrap();
    assert!(ended.len() >= 2, "the writer and the readers were connected: {}", ended.len());
    std::thread::sleep(std::time::Duration::from_millis(200));

    // Each reader may fail once, whenever the shared queue first hands it a
    // read (which may be late: any of them takes the next one); no more.
    let failed: Vec<usize> = (0..200).filter(|_| read().is_err()).collect();
    assert!(failed.len() <= clearance_server::db::READERS, "{failed:?}");
    assert!(read().is_ok());
    let write = || db.run_now(|s| s.exec("UPDATE meta SET value = value WHERE key = 'audit_head'", &[]));
    let writes: Vec<bool> = (0..3).map(|_| write().is_ok()).collect();
    assert!(writes[1..].iter().all(|ok| *ok), "{writes:?}");
}
