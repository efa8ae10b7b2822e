//! `compile` and `check` on the reference org and on the generated
//! 10,000-user / 100,000-record org.

#![allow(missing_docs, reason = "criterion's macros generate undocumented items")]

use clearance_bench::{Fixture, large, reference};
use criterion::{BatchSize, Criterion, black_box, criterion_group, criterion_main};

/// A yardstick measured in the same run: looking a user id up in a hash map,
/// the least any string-keyed authorizer must do per request.
fn baseline(c: &mut Criterion, fixture: &Fixture) {
    let index: std::collections::HashMap<String, usize> = fixture.engine.user_ids().enumerate().map(|(i, u)| (u.to_owned(), i)).collect();
    let mut i = 0;
    c.bench_function("baseline/hashmap_user_lookup", |b| {
        b.iter(|| {
            i = (i + 1) % fixture.requests.len();
            black_box(index.get(black_box(fixture.requests[i].user.as_str())))
        })
    });
}

fn checks(c: &mut Criterion, name: &str, fixture: &Fixture) {
    let mut i = 0;
    c.bench_function(&format!("check/{name}/prepared"), |b| {
        b.iter(|| {
            i = (i + 1) % fixture.prepared.len();
            let query = fixture.prepared[i].query(Some(&fixture.dataset));
            black_box(fixture.engine.check_query(&query))
        })
    });
    let mut j = 0;
    c.bench_function(&format!("check/{name}/from_request"), |b| {
        b.iter(|| {
            j = (j + 1) % fixture.requests.len();
            black_box(fixture.engine.check(&fixture.requests[j], Some(&fixture.dataset)))
        })
    });
}

fn engine(c: &mut Criterion) {
    let small = reference();
    c.bench_function("compile/reference", |b| {
        b.iter_batched(|| small.policy.clone(), |p| black_box(clearance_core::Engine::compile(p)), BatchSize::SmallInput)
    });
    checks(c, "reference", &small);

    let big = large(100_000);
    let mut group = c.benchmark_group("compile");
    group.sample_size(20);
    group.bench_function("large_10k_users", |b| {
        b.iter_batched(|| big.policy.clone(), |p| black_box(clearance_core::Engine::compile(p)), BatchSize::LargeInput)
    });
    group.finish();
    checks(c, "large_10k_users_100k_records", &big);
    baseline(c, &big);
}

criterion_group!(benches, engine);
criterion_main!(benches);
