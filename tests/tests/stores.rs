//! One sequencer, several stores: any sequence of change-control steps run
//! through the sequencer on the in-memory ledger (the admin app's), on the
//! SQLite store (the CLI's and the server's) and on PostgreSQL (the
//! server's for several replicas) leaves the same state, refuses the same
//! steps with the same codes, and verifies. On PostgreSQL, concurrent steps
//! on one request from separate connections have one winner.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

use clearance_cli::store::Store;
use clearance_core::change::ledger::Ledger;
use clearance_core::change::review::{Reviewers, Verdict};
use clearance_core::change::steps::{self, Step, Storage};
use clearance_core::change::{self, Operation};
use clearance_core::policy::Policy;
use clearance_server::pg::PgStore;
use proptest::prelude::*;

const ACTORS: [&str; 4] = ["mgr_east_mike", "admin_ivy", "fin_mgr_fiona", "rep_east_alice"];
const START: &str = "2026-12-01T09:00:00Z";

#[derive(Debug, Clone)]
enum Action {
    Propose(usize, bool),
    Step(usize, usize, Step),
    Restore(usize),
    StartReview(usize),
    Decide(usize, u32, bool),
    Close(usize),
}

fn action() -> impl Strategy<Value = Action> {
    let actor = 0..ACTORS.len();
    let step = prop_oneof![Just(Step::Approve), Just(Step::Reject), Just(Step::Apply), Just(Step::Review)];
    prop_oneof![
        (actor.clone(), any::<bool>()).prop_map(|(a, wide)| Action::Propose(a, wide)),
        (actor.clone(), 1..4usize, step).prop_map(|(a, r, s)| Action::Step(a, r, s)),
        actor.clone().prop_map(Action::Restore),
        actor.clone().prop_map(Action::StartReview),
        (actor.clone(), 1..6u32, any::<bool>()).prop_map(|(a, i, keep)| Action::Decide(a, i, keep)),
        actor.prop_map(Action::Close),
    ]
}

fn reference() -> Policy {
    clearance_core::parse_policy(clearance_core::generate::REFERENCE_ORG).unwrap()
}

fn ops(wide: bool) -> Vec<Operation> {
    let text = if wide {
        r#"[{"op": "set_scope", "bundle": {"kind": "profile", "id": "sales_rep"}, "object": "Account", "action": "read", "scope": "all"}]"#
    } else {
        r#"[{"op": "move_user", "user": "rep_east_bob", "role": "sales_rep_west"}]"#
    };
    change::decode(&serde_json::from_str(text).unwrap()).unwrap()
}

/// Runs one action; the outcome is the refusal's codes, or nothing.
fn run(s: &mut (impl Storage + ?Sized), action: &Action, n: usize) -> Vec<String> {
    let at = format!("2026-12-01T10:{:02}:{:02}Z", n / 60, n % 60);
    let result = match action {
        Action::Propose(a, wide) => steps::propose(s, ACTORS[*a], ops(*wide), "", &at).map(|_| ()),
        Action::Step(a, r, step) => steps::step(s, &format!("R{r}"), *step, ACTORS[*a], "", &at).map(|_| ()),
        Action::Restore(a) => {
            let first = s.versions().unwrap()[0].hash.clone();
            steps::restore(s, &first[..8], ACTORS[*a], "", &at).map(|_| ())
        }
        Action::StartReview(a) => steps::start_review(s, ACTORS[*a], "2026-12-31T00:00:00Z", &Reviewers::Manager, &at).map(|_| ()),
        Action::Decide(a, item, keep) => {
            let verdict = if *keep { Verdict::Keep } else { Verdict::Revoke };
            steps::decide(s, "C1", *item, verdict, ACTORS[*a], "", &at).map(|_| ())
        }
        Action::Close(a) => steps::close_review(s, "C1", ACTORS[*a], &at).map(|_| ()),
    };
    result.err().map(|e| e.problems().iter().map(|p| p.code.clone()).collect()).unwrap_or_default()
}

/// A store the sequencer runs on inside its own transactions.
trait Transactional {
    fn step<T>(&mut self, f: &mut dyn FnMut(&mut dyn Storage) -> Result<T, clearance_core::Error>) -> Result<T, clearance_core::Error>;
    fn export(&mut self) -> Ledger;
}

impl Transactional for Store {
    fn step<T>(&mut self, f: &mut dyn FnMut(&mut dyn Storage) -> Result<T, clearance_core::Error>) -> Result<T, clearance_core::Error> {
        self.transaction(|s| f(s))
    }

    fn export(&mut self) -> Ledger {
        Store::export(self).unwrap()
    }
}

impl Transactional for PgStore {
    fn step<T>(&mut self, f: &mut dyn FnMut(&mut dyn Storage) -> Result<T, clearance_core::Error>) -> Result<T, clearance_core::Error> {
        self.transaction(|s| f(s))
    }

    fn export(&mut self) -> Ledger {
        self.transaction(|s| clearance_server::tx::Tx::export(s)).unwrap()
    }
}

/// Runs `actions` on `store` and on a ledger, step for step; the refusals
/// and the final states must be equal, and the state must verify.
fn agree(store: &mut impl Transactional, actions: &[Action]) -> Result<(), TestCaseError> {
    let mut ledger = Ledger::empty();
    steps::init(&mut ledger, reference(), "admin_ivy", START).unwrap();
    store.step(&mut |s| steps::init(s, reference(), "admin_ivy", START)).unwrap();
    for (n, action) in actions.iter().enumerate() {
        let mut memory = ledger.clone();
        let in_memory = run(&mut memory, action, n);
        if in_memory.is_empty() {
            ledger = memory;
        }
        let mut stored = Vec::new();
        let outcome = store.step(&mut |s| {
            stored = run(s, action, n);
            if stored.is_empty() { Ok(()) } else { Err(clearance_core::Error::one("", clearance_core::Code::Internal, "refused")) }
        });
        prop_assert_eq!(outcome.is_ok(), stored.is_empty());
        prop_assert_eq!(&in_memory, &stored, "{:?}", action);
    }
    let exported = store.export();
    prop_assert_eq!(&exported, &ledger);
    prop_assert!(exported.check(exported.audit.last().map(|e| e.hash.as_str())).is_ok());
    Ok(())
}

fn scratch() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!("clearance-stores-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A fresh schema of its own on the test server, and a connection to it.
fn fresh_pg(url: &str, name: &str) -> String {
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
    admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name};")).unwrap();
    format!("{url} options='-c search_path={name}'")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_ledger_and_sqlite_agree_step_for_step(actions in proptest::collection::vec(action(), 1..16)) {
        let dir = scratch();
        agree(&mut Store::create(&dir.join("state.db")).unwrap(), &actions)?;
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn the_ledger_and_postgresql_agree_step_for_step(actions in proptest::collection::vec(action(), 1..16)) {
        let Some(url) = clearance_tests::postgres_url() else { return Ok(()) };
        agree(&mut PgStore::connect(&fresh_pg(&url, "stores_agreement")).unwrap(), &actions)?;
    }
}

#[test]
fn concurrent_approvals_on_postgresql_from_separate_connections_have_one_winner() {
    let Some(url) = clearance_tests::postgres_url() else { return };
    let url = fresh_pg(&url, "stores_race");
    let mut store = PgStore::connect(&url).unwrap();
    clearance_server::pg::init(&mut store, reference(), "admin_ivy", START).unwrap();
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
    let state = store.transaction(|s| clearance_server::tx::Tx::export(s)).unwrap();
    assert_eq!(state.audit.iter().filter(|e| e.action == "request_approved").count(), 1);
    assert_eq!(store.transaction(|s| clearance_server::tx::Tx::verify(s, None)).unwrap(), state.audit.len());
}

#[test]
fn postgresql_rows_read_integers_of_every_width_text_and_null_as_sqlite_does() {
    use clearance_server::tx::{Row, Tx, Value};
    let Some(url) = clearance_tests::postgres_url() else { return };
    let mut store = PgStore::connect(&fresh_pg(&url, "stores_values")).unwrap();
    let sql = "SELECT 1, 2::smallint, 3::bigint, 'a', NULL::text, $1, $2";
    let row = store.transaction(|s| s.first(sql, &[Value::Int(-4), Value::Text("b".into())])).unwrap().unwrap();
    let ints = |n: &[i64]| n.iter().map(|n| Value::Int(*n)).collect::<Vec<_>>();
    let mut expected = ints(&[1, 2, 3]);
    expected.extend([Value::Text("a".into()), Value::Null, Value::Int(-4), Value::Text("b".into())]);
    assert_eq!(row, Row(expected));
    let dir = scratch();
    let sqlite = Store::create(&dir.join("state.db")).unwrap();
    let same = Tx::first(&sqlite, "SELECT 1, 2, 3, 'a', NULL, $1, $2", &[Value::Int(-4), Value::Text("b".into())]).unwrap().unwrap();
    assert_eq!(same, row, "both databases answer alike");
    assert!(store.transaction(|s| s.first("SELECT 1.5::float8", &[])).is_err(), "a type the server never stores fails loudly");
}
