//! `diff_summary` counts a change's effect in memory that does not grow
//! with the number of changes: a baseline edit on a generated org changes
//! hundreds of thousands of pairs, and the counting diff's peak allocation
//! stays under a budget a quarter of what keeping those changes would take. (The
//! CLI's `change propose --records` preview runs on it: one such preview on
//! 10k users and 100k records once used over 24 GB.) Bytes are counted by
//! this test binary's allocator, not timed.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

use cap::Cap;
use clearance_core::diff::{Change, diff_summary};
use clearance_core::generate::{Params, generate};
use clearance_core::policy::Baseline;
use clearance_core::{Context, Engine};

/// The system allocator, counting bytes and refusing past a limit (an
/// allocation past it aborts this test binary: the test fails).
#[global_allocator]
static ALLOCATOR: Cap<std::alloc::System> = Cap::new(std::alloc::System, usize::MAX);

/// What counting may allocate beyond what is live when it starts.
const BUDGET: usize = 32 << 20;

#[test]
fn counting_a_huge_change_takes_memory_independent_of_its_size() {
    let (before, records) = generate(&Params { users: 300, records: 8_000, sharing_rules: 5, ..Params::default() });
    let mut after = before.clone();
    for object in after.schema.objects.values_mut() {
        object.baseline = Baseline::PublicReadWrite;
    }
    let records = serde_json::to_value(&records).unwrap();
    let (old, new) = (Engine::compile(before).unwrap(), Engine::compile(after).unwrap());
    let context = Context::default();

    ALLOCATOR.set_limit(ALLOCATOR.allocated() + BUDGET).unwrap();
    let summary = diff_summary(&old, &new, &records, &context).unwrap();
    ALLOCATOR.set_limit(usize::MAX).unwrap();

    let changes = summary.total.gained + summary.total.lost;
    let keeping = changes * std::mem::size_of::<Change>();
    assert!(keeping > 4 * BUDGET, "the edit should change far more pairs than the budget could keep: {changes}");
    // The counts name users, objects and actions, bounded by the org, not the changes.
    assert!(summary.users.len() <= 300 && summary.objects.len() <= new_objects(&new));
}

fn new_objects(engine: &Engine) -> usize {
    engine.policy().unwrap().schema.objects.len()
}
