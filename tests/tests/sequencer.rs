//! One sequencer, several stores: any sequence of change-control steps run
//! through the sequencer on the in-memory ledger (the admin app's) and on
//! the SQLite store (the CLI's, and the server's) leaves the same state,
//! refuses the same steps with the same codes, and verifies.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]
use clearance_cli::store::Store;
use clearance_core::change::ledger::Ledger;
use clearance_core::change::review::{Reviewers, Verdict};
use clearance_core::change::steps::{self, Step, Storage};
use clearance_core::change::{self, Operation};
use clearance_core::policy::Policy;
use proptest::prelude::*;

const ACTORS: [&str; 4] = ["mgr_east_mike", "admin_ivy", "fin_mgr_fiona", "rep_east_alice"];

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
    clearance_core::parse_policy(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/reference-org.json")).unwrap())
        .unwrap()
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
fn run(s: &mut impl Storage, action: &Action, n: usize) -> Vec<String> {
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_ledger_and_the_sqlite_store_agree_step_for_step(actions in proptest::collection::vec(action(), 1..16)) {
        let dir = std::env::temp_dir().join(format!("clearance-seq-{}-{}", std::process::id(), rand_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut store = Store::create(&dir.join("state.db")).unwrap();
        let mut ledger = Ledger::empty();
        store.transaction(|s| steps::init(s, reference(), "admin_ivy", "2026-12-01T09:00:00Z")).unwrap();
        steps::init(&mut ledger, reference(), "admin_ivy", "2026-12-01T09:00:00Z").unwrap();
        for (n, action) in actions.iter().enumerate() {
            let mut memory = ledger.clone();
            let in_memory = run(&mut memory, action, n);
            if in_memory.is_empty() {
                ledger = memory;
            }
            let mut on_disk = Vec::new();
            let outcome = store.transaction(|s| {
                on_disk = run(s, action, n);
                if on_disk.is_empty() { Ok(()) } else { Err(clearance_core::Error::one("", "refused", "refused")) }
            });
            prop_assert_eq!(outcome.is_ok(), on_disk.is_empty());
            prop_assert_eq!(&in_memory, &on_disk, "{:?}", action);
        }
        let exported = store.export().unwrap();
        prop_assert_eq!(&exported, &ledger);
        prop_assert!(exported.check(exported.audit.last().map(|e| e.hash.as_str())).is_ok());
        std::fs::remove_dir_all(&dir).ok();
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
