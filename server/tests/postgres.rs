//! The change-control state on a real PostgreSQL: any sequence of steps run
//! by the sequencer on PostgreSQL leaves the same state, and refuses the
//! same steps with the same codes, as on the in-memory ledger; concurrent
//! steps on one request from separate connections have one winner.
//! `scripts/test.sh` starts the server and sets `CLEARANCE_POSTGRES`; CI
//! sets `CLEARANCE_REQUIRE_POSTGRES` so a missing server fails instead of
//! skipping.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

use clearance_core::change::ledger::Ledger;
use clearance_core::change::steps::{self, Step, Storage};
use clearance_core::change::{self, Operation};
use clearance_core::policy::Policy;
use clearance_server::pg::PgStore;
use proptest::prelude::*;

fn url() -> Option<String> {
    let Ok(url) = std::env::var("CLEARANCE_POSTGRES") else {
        assert!(
            std::env::var("CLEARANCE_REQUIRE_POSTGRES").is_err(),
            "CLEARANCE_POSTGRES is not set: run scripts/test.sh, which starts PostgreSQL"
        );
        eprintln!("skipping: CLEARANCE_POSTGRES is not set (scripts/test.sh starts a server)");
        return None;
    };
    Some(url)
}

/// A fresh schema of its own, and a connection string that uses it.
fn fresh(url: &str, name: &str) -> String {
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
    admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name};")).unwrap();
    format!("{url} options='-c search_path={name}'")
}

fn reference() -> Policy {
    clearance_core::parse_policy(clearance_core::generate::REFERENCE_ORG).unwrap()
}

const ACTORS: [&str; 4] = ["mgr_east_mike", "admin_ivy", "fin_mgr_fiona", "rep_east_alice"];

fn ops(wide: bool) -> Vec<Operation> {
    let text = if wide {
        r#"[{"op": "set_scope", "bundle": {"kind": "profile", "id": "sales_rep"}, "object": "Account", "action": "read", "scope": "all"}]"#
    } else {
        r#"[{"op": "move_user", "user": "rep_east_bob", "role": "sales_rep_west"}]"#
    };
    change::decode(&serde_json::from_str(text).unwrap()).unwrap()
}

#[derive(Debug, Clone)]
enum Action {
    Propose(usize, bool),
    Step(usize, usize, Step),
    Restore(usize),
}

fn action() -> impl Strategy<Value = Action> {
    let step = prop_oneof![Just(Step::Approve), Just(Step::Reject), Just(Step::Apply), Just(Step::Review)];
    prop_oneof![
        (0..ACTORS.len(), any::<bool>()).prop_map(|(a, wide)| Action::Propose(a, wide)),
        (0..ACTORS.len(), 1..4usize, step).prop_map(|(a, r, s)| Action::Step(a, r, s)),
        (0..ACTORS.len()).prop_map(Action::Restore),
    ]
}

fn run(s: &mut impl Storage, action: &Action, n: usize) -> Vec<String> {
    let at = format!("2026-12-01T10:{:02}:{:02}Z", n / 60, n % 60);
    let result = match action {
        Action::Propose(a, wide) => steps::propose(s, ACTORS[*a], ops(*wide), "", &at).map(|_| ()),
        Action::Step(a, r, step) => steps::step(s, &format!("R{r}"), *step, ACTORS[*a], "", &at).map(|_| ()),
        Action::Restore(a) => {
            let first = s.versions().unwrap()[0].hash.clone();
            steps::restore(s, &first[..8], ACTORS[*a], "", &at).map(|_| ())
        }
    };
    result.err().map(|e| e.problems().iter().map(|p| p.code.clone()).collect()).unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn postgresql_and_the_ledger_agree_step_for_step(actions in proptest::collection::vec(action(), 1..12)) {
        let Some(url) = url() else { return Ok(()) };
        let mut store = PgStore::connect(&fresh(&url, "seq_agreement")).unwrap();
        let mut ledger = Ledger::empty();
        clearance_server::pg::init(&mut store, reference(), "admin_ivy", "2026-12-01T09:00:00Z").unwrap();
        steps::init(&mut ledger, reference(), "admin_ivy", "2026-12-01T09:00:00Z").unwrap();
        for (n, action) in actions.iter().enumerate() {
            let mut memory = ledger.clone();
            let in_memory = run(&mut memory, action, n);
            if in_memory.is_empty() {
                ledger = memory;
            }
            let mut on_server = Vec::new();
            let outcome = store.transaction(|s| {
                on_server = run(s, action, n);
                if on_server.is_empty() { Ok(()) } else { Err(clearance_core::Error::one("", "refused", "refused")) }
            });
            prop_assert_eq!(outcome.is_ok(), on_server.is_empty());
            prop_assert_eq!(&in_memory, &on_server, "{:?}", action);
        }
        let exported = store.transaction(|s| s.export()).unwrap();
        prop_assert_eq!(&exported, &ledger);
        prop_assert_eq!(store.transaction(|s| s.verify()).unwrap(), ledger.audit.len());
    }
}

#[test]
fn concurrent_approvals_from_separate_connections_have_one_winner() {
    let Some(url) = url() else { return };
    let url = fresh(&url, "seq_race");
    let mut store = PgStore::connect(&url).unwrap();
    clearance_server::pg::init(&mut store, reference(), "admin_ivy", "2026-12-01T09:00:00Z").unwrap();
    store.transaction(|s| steps::propose(s, "mgr_east_mike", ops(false), "", "2026-12-01T09:01:00Z")).unwrap();
    let barrier = std::sync::Barrier::new(8);
    let outcomes: Vec<bool> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let (url, barrier) = (&url, &barrier);
                scope.spawn(move || {
                    let mut replica = PgStore::connect(url).unwrap();
                    let approver = if i % 2 == 0 { "admin_ivy" } else { "fin_mgr_fiona" };
                    barrier.wait();
                    replica.transaction(|s| steps::step(s, "R1", Step::Approve, approver, "", "2026-12-01T09:02:00Z")).is_ok()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{outcomes:?}");
    let state = store.transaction(|s| s.export()).unwrap();
    assert_eq!(state.audit.iter().filter(|e| e.action == "request_approved").count(), 1);
    assert!(store.transaction(|s| s.verify()).is_ok());
}
