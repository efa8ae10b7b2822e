//! Random verdicts over the generated org with a million records: the
//! native cost of the npm package's `checkHandles` on random pairs, for
//! profiling (`perf record`). `cargo run --release -p clearance-bench --bin verdicts [RECORDS] [batched]`
//! (`batched`: only the batched verdicts, for a profile of `allows_many` alone).

use clearance_core::generate::{Params, Rng, generate};
use clearance_core::{Context, Engine};
use std::time::Instant;

fn main() {
    let records = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let batched_only = std::env::args().nth(2).as_deref() == Some("batched");
    let (policy, inputs) = generate(&Params::large(records));
    let json = serde_json::to_value(&inputs).expect("serialises");
    drop(inputs);
    let engine = Engine::compile(policy).expect("compiles");
    let dataset = engine.load_records(&json).expect("loads");
    drop(json);
    let context = Context::default();
    let read = engine.action_id("read").expect("read");
    let users = engine.user_count();
    let mut rng = Rng::new(12345);
    let pairs: Vec<(u32, u32)> = (0..2_000_000).map(|_| (rng.below(users) as u32, rng.below(dataset.len()) as u32)).collect();
    for round in 0..3 {
        if !batched_only {
            let start = Instant::now();
            let allowed = pairs.iter().filter(|&&(u, r)| engine.allows_at(&dataset, u, read, r, &context) == Some(true)).count();
            let ns = start.elapsed().as_nanos() as f64 / pairs.len() as f64;
            println!("round {round}: {ns:.0} ns per random verdict ({:.2} M/s), {allowed} allowed", 1000.0 / ns);
        }
        let (users_of, records_of): (Vec<u32>, Vec<u32>) = pairs.iter().copied().unzip();
        let actions = vec![read; pairs.len()];
        let start = Instant::now();
        let verdicts = engine.allows_many(&dataset, &users_of, &actions, &records_of, &context);
        let ns = start.elapsed().as_nanos() as f64 / pairs.len() as f64;
        println!(
            "round {round}: {ns:.0} ns per batched verdict ({:.2} M/s), {} allowed",
            1000.0 / ns,
            verdicts.iter().filter(|&&v| v == 1).count()
        );
    }
}
