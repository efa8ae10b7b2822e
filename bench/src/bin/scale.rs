//! One-shot timings of the slow questions at scale, where Criterion's
//! repeated sampling would take too long: `diff` after re-parenting a role,
//! and the full `matrix`. `cargo run --release -p clearance-bench --bin scale [RECORDS]`.

use clearance_core::generate::{Params, generate};
use clearance_core::{Context, Engine};
use std::time::Instant;

fn main() {
    let records = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let (policy, inputs) = generate(&Params::large(records));
    let json = serde_json::to_value(&inputs).expect("serialises");
    drop(inputs);
    let engine = Engine::compile(policy.clone()).expect("compiles");
    let dataset = engine.load_records(&json).expect("loads");
    let context =
        Context::from_map(&serde_json::from_value(serde_json::json!({"mfa": true, "ip": "10.1.2.3"})).expect("map"), "").expect("context");

    let mut reparented = policy.clone();
    // A typical re-organisation: a team (a role low in the tree) moves under another branch.
    let index = reparented.roles.len() - 1;
    reparented.roles[index].parent = Some("role_0".into());
    let after = Engine::compile(reparented).expect("compiles");
    let after_dataset = after.load_records(&json).expect("loads");
    let start = Instant::now();
    let diff = clearance_core::diff::diff_loaded(&engine, &dataset, &after, &after_dataset, &context).expect("diff");
    println!("diff, role `{}` re-parented: {:.3} s, {} changes", policy.roles[index].id, start.elapsed().as_secs_f64(), diff.changes.len());
    // The floor any diff pays: deciding each change and rendering its reasons.
    let start = Instant::now();
    let mut rendered = 0;
    for change in &diff.changes {
        let (side, records) = match change.change {
            clearance_core::diff::ChangeKind::Gained => (&after, &after_dataset),
            clearance_core::diff::ChangeKind::Lost => (&engine, &dataset),
        };
        let record = records.get(&change.record).expect("a record of the dataset");
        let query = clearance_core::Query {
            user: &change.user,
            action: side.action_id(&change.action).expect("an action"),
            object: record.object(),
            record: Some(record),
            context: &context,
            fields: &[],
            dataset: Some(records),
        };
        let decision = side.check_query(&query);
        rendered += side.reasons_out(&decision.reasons).len()
            + change.user.clone().len()
            + change.record.clone().len()
            + change.action.clone().len();
    }
    println!(
        "  of which deciding and rendering the {} changes alone: {:.3} s ({rendered})",
        diff.changes.len(),
        start.elapsed().as_secs_f64()
    );
    drop((after, after_dataset));

    let start = Instant::now();
    let matrix = engine.matrix(&dataset, &context);
    println!(
        "matrix: {:.3} s, {} user classes over {} users and {} records",
        start.elapsed().as_secs_f64(),
        matrix.len(),
        engine.user_count(),
        dataset.len()
    );
}
