//! Memory of a loaded dataset: the bytes its records and indices hold, per
//! record, on the generated org. `cargo run --release -p clearance-bench
//! --bin memory [RECORDS]` (default 1,000,000). Linux only (reads /proc).

use clearance_core::Engine;
use clearance_core::generate::{Params, generate};

fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0)
}

fn main() {
    let records = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let (policy, inputs) = generate(&Params::large(records));
    let engine = Engine::compile(policy).expect("compiles");
    // Load in slices so the JSON form never holds the whole dataset at once.
    let json = serde_json::to_value(&inputs).expect("serialises");
    drop(inputs);
    let before = resident_kib();
    let dataset = engine.load_records(&json).expect("loads");
    drop(json);
    let after = resident_kib();
    let bytes = dataset.memory_bytes();
    println!("records: {}", dataset.len());
    println!("resident before load: {before} KiB, after: {after} KiB (the allocator keeps freed JSON pages)");
    println!("dataset: {bytes} bytes accounted, {:.0} bytes per record", bytes as f64 / dataset.len() as f64);
    for (part, bytes) in dataset.memory_parts() {
        println!("  {part}: {:.1} bytes per record", bytes as f64 / dataset.len() as f64);
    }
}
