//! The questions around `check` on the generated org with 10,000 users and
//! 1,000,000 records: filter, who-can, plan, diff (a user moved, a role
//! re-parented), matrix.

#![allow(missing_docs, reason = "criterion's macros generate undocumented items")]

use clearance_core::generate::{Params, Rng, generate};
use clearance_core::{Context, Engine};
use criterion::{Criterion, black_box, criterion_group, criterion_main};

fn questions(c: &mut Criterion) {
    let records = std::env::var("CLEARANCE_BENCH_RECORDS").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let (policy, inputs) = generate(&Params::large(records));
    let json = serde_json::to_value(&inputs).expect("records serialise");
    drop(inputs);
    let engine = Engine::compile(policy.clone()).expect("compiles");
    let dataset = engine.load_records(&json).expect("loads");
    let context = Context::from_map(
        &serde_json::from_value(serde_json::json!({"mfa": true, "ip": "10.1.2.3", "time": "2026-11-30T09:00:00Z"})).expect("map"),
        "",
    )
    .expect("context");
    let users: Vec<String> = engine.user_ids().map(str::to_owned).collect();
    let read = engine.action_id("read").expect("read");
    let objects: Vec<u32> = (0..engine.object_names().count() as u32).collect();
    let mut rng = Rng::new(11);

    let mut group = c.benchmark_group("questions_10k_users");
    group.sample_size(20);
    group.bench_function(format!("filter_per_user_{records}_records"), |b| {
        b.iter(|| {
            let user = rng.pick(&users);
            let object = *rng.pick(&objects);
            black_box(engine.filter(&dataset, user, read, object, &context))
        })
    });
    group.bench_function(format!("who_can_per_record_{records}_records"), |b| {
        b.iter(|| {
            let record = dataset.record(rng.below(dataset.len()) as u32).expect("in range");
            black_box(engine.who_can(Some(&dataset), record, read, &context))
        })
    });

    let mapping = clearance_core::plan::Mapping::default();
    let object_names: Vec<String> = engine.object_names().map(str::to_owned).collect();
    group.bench_function("plan_per_user", |b| {
        b.iter(|| {
            let user = rng.pick(&users);
            let object: &String = rng.pick(&object_names);
            black_box(engine.plan(user, "read", object, &context, &mapping))
        })
    });

    // One user moved to another role.
    let mut moved = policy.clone();
    let roles: Vec<String> = policy.roles.iter().map(|r| r.id.clone()).collect();
    moved.users[42].role = Some(roles[roles.len() / 2].clone());
    let after = Engine::compile(moved).expect("compiles");
    let after_dataset = after.load_records(&json).expect("loads");
    group.bench_function(format!("diff_user_moved_{records}_records"), |b| {
        b.iter(|| black_box(clearance_core::diff::diff_loaded(&engine, &dataset, &after, &after_dataset, &context).expect("diff")))
    });
    drop((after, after_dataset));

    // One role re-parented: a team (a role low in the tree) moves under the root.
    let mut reparented = policy.clone();
    let index = reparented.roles.len() - 1;
    reparented.roles[index].parent = Some("role_0".into());
    let after = Engine::compile(reparented).expect("compiles");
    let after_dataset = after.load_records(&json).expect("loads");
    group.bench_function(format!("diff_role_reparented_{records}_records"), |b| {
        b.iter(|| black_box(clearance_core::diff::diff_loaded(&engine, &dataset, &after, &after_dataset, &context).expect("diff")))
    });
    drop((after, after_dataset));

    group.sample_size(10);
    group.bench_function(format!("matrix_{records}_records"), |b| b.iter(|| black_box(engine.matrix(&dataset, &context))));
    group.finish();
}

criterion_group!(benches, questions);
criterion_main!(benches);
