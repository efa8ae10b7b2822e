use crate::generate::{REFERENCE_RECORDS, reference_policy};
use crate::matrix::Term;
use crate::{Context, Engine};

fn reference() -> (Engine, crate::Dataset) {
    let engine = Engine::compile(reference_policy()).expect("the reference org compiles");
    let records: serde_json::Value = serde_json::from_str(REFERENCE_RECORDS).expect("the reference records parse");
    let dataset = engine.load_records(&records).expect("the reference records load");
    (engine, dataset)
}

#[test]
fn users_alike_share_a_class_and_keep_their_own_records() {
    let (engine, dataset) = reference();
    let matrix = engine.matrix(&dataset, &Context::default());
    let at = |id: &str| engine.user_position(id).expect("a reference user");
    let (alice, bob, carl) = (at("rep_east_alice"), at("rep_east_bob"), at("rep_west_carl"));
    // Same role, department, groups and bundles: one class.
    assert_eq!(matrix.class_of[alice as usize], matrix.class_of[bob as usize]);
    assert_ne!(matrix.class_of[alice as usize], matrix.class_of[carl as usize]);
    assert!(matrix.len() < engine.user_count());
    // The class's terms name "own" records, which differ per member.
    let account = engine.object_id("Account").expect("the reference schema has accounts");
    let read = engine.action_id("read").expect("read is built in");
    let slot = matrix.slot(alice, account, read).expect("a slot per object and action");
    assert!(matrix.slot(alice, account, engine.action_names().count() as u32).is_none(), "no slot past the last action");
    assert!(slot.reach.contains(&Term::Own));
    let (of_alice, of_bob) =
        (engine.matrix_records(&matrix, &dataset, alice, account, read), engine.matrix_records(&matrix, &dataset, bob, account, read));
    assert_ne!(of_alice, of_bob);
    assert_eq!(of_alice, engine.filter(&dataset, "rep_east_alice", read, account, &Context::default()));
    assert_eq!(of_bob, engine.filter(&dataset, "rep_east_bob", read, account, &Context::default()));
}

#[test]
fn a_matrix_of_another_engine_or_dataset_grants_nothing() {
    let (engine, dataset) = reference();
    let (other, other_dataset) = reference();
    let matrix = other.matrix(&other_dataset, &Context::default());
    assert!(other.matrix_allows(&matrix, &other_dataset, "rep_east_alice", "read", "acc_eu_1"));
    assert!(!engine.matrix_allows(&matrix, &dataset, "rep_east_alice", "read", "acc_eu_1"));
    assert!(engine.matrix_records(&matrix, &dataset, 0, 0, 0).is_empty());
    assert!(engine.matrix(&other_dataset, &Context::default()).is_empty());
}
