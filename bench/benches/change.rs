//! Change control: verifying a 100,000-entry audit log, and applying a
//! change set to the generated 10,000-user org (apply = every operation
//! checked, the new policy compiled, and its version hash).
#![allow(missing_docs, reason = "criterion's macros generate undocumented items")]

use clearance_core::audit;
use clearance_core::change::{self, Operation};
use criterion::{Criterion, black_box, criterion_group, criterion_main};

fn log(n: usize) -> Vec<audit::Entry> {
    let mut entries: Vec<audit::Entry> = Vec::with_capacity(n);
    for i in 0..n {
        let details = serde_json::json!({"request": format!("R{i}"), "state": "approved"});
        let entry = audit::next(entries.last(), "2026-11-29T10:00:00Z", "admin_ivy", "request_approved", &format!("R{i}"), details);
        entries.push(entry);
    }
    entries
}

fn bench(c: &mut Criterion) {
    let entries = log(100_000);
    let head = entries.last().map(|e| e.hash.clone());
    let mut group = c.benchmark_group("change");
    group.sample_size(10);
    group.bench_function("audit_verify_100k", |b| b.iter(|| audit::verify(black_box(&entries), head.as_deref()).is_ok()));

    let (policy, _) = clearance_core::generate::generate(&clearance_core::generate::Params::large(0));
    let moves = vec![Operation::MoveUser { user: "user_17".into(), role: Some("role_3".into()), department: None }];
    group.bench_function("apply_move_user_10k_org", |b| b.iter(|| change::apply(black_box(&policy), &moves).is_ok()));
    group.bench_function("version_hash_10k_org", |b| b.iter(|| change::version(black_box(&policy))));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
