//! Times one `diff` at scale, repeatedly, for tuning and profiling: a user
//! moved, or (`reparent`) the last role hung under the root as in `scale`.
//! `cargo run --release -p clearance-bench --bin diffprof [RECORDS] [ROUNDS] [move|reparent]`.

use clearance_core::generate::{Params, generate};
use clearance_core::{Context, Engine};
use std::time::Instant;

fn main() {
    let records = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let (policy, inputs) = generate(&Params::large(records));
    let json = serde_json::to_value(&inputs).expect("serialises");
    let engine = Engine::compile(policy.clone()).expect("compiles");
    let dataset = engine.load_records(&json).expect("loads");
    let context =
        Context::from_map(&serde_json::from_value(serde_json::json!({"mfa": true, "ip": "10.1.2.3"})).expect("map"), "").expect("context");
    let mut moved = policy.clone();
    let roles: Vec<String> = policy.roles.iter().map(|r| r.id.clone()).collect();
    if std::env::args().nth(3).as_deref() == Some("reparent") {
        let last = moved.roles.len() - 1;
        moved.roles[last].parent = Some("role_0".into());
    } else {
        moved.users[42].role = Some(roles[roles.len() / 2].clone());
    }
    let after = Engine::compile(moved).expect("compiles");
    let after_dataset = after.load_records(&json).expect("loads");
    let rounds = std::env::args().nth(2).and_then(|n| n.parse().ok()).unwrap_or(3);
    for _ in 0..rounds {
        let start = Instant::now();
        let diff = clearance_core::diff::diff_loaded(&engine, &dataset, &after, &after_dataset, &context).expect("diff");
        println!("diff: {:.1} ms, {} changes", start.elapsed().as_secs_f64() * 1000.0, diff.changes.len());
    }
    // Skip dropping the dataset's JSON and the diffs, so profiles show the diffs alone.
    std::process::exit(0);
}
