//! Where a bundle's cold start goes, natively: the whole `bundle::open`,
//! and the signature check alone, over the generated 10,000-user org.
//! `cargo run --release -p clearance-bench --bin coldstart`.

use clearance_core::Engine;
use clearance_core::generate::{Params, generate};
use std::time::Instant;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let (policy, _) = generate(&Params::large(0));
    let engine = Engine::compile(policy).expect("compiles");
    let secret = [7u8; 32];
    let bytes = clearance_core::bundle::write(&engine, Some(&secret), &Default::default(), true).expect("writes");
    let key = clearance_core::bundle::public_key(&secret);
    let header = clearance_core::bundle::inspect(&bytes).expect("inspects");
    println!("bundle: {} bytes (engine {} bytes, policy {} bytes)", bytes.len(), header.engine_bytes, header.policy_bytes);
    if std::env::args().nth(1).as_deref() == Some("--profile") {
        // For `perf record`: unsigned opens only, engines kept (a cold start does not drop).
        let unsigned = clearance_core::bundle::write(&engine, None, &Default::default(), true).expect("writes");
        let kept: Vec<Engine> = (0..100).map(|_| clearance_core::bundle::open(&unsigned, None, true).expect("opens")).collect();
        println!("{} engines", kept.len());
        return;
    }
    let time = |f: &dyn Fn()| {
        median(
            (0..30)
                .map(|_| {
                    let start = Instant::now();
                    f();
                    start.elapsed().as_secs_f64() * 1000.0
                })
                .collect(),
        )
    };
    let open = time(&|| drop(clearance_core::bundle::open(&bytes, Some(&key), false).expect("opens")));
    let unsigned = clearance_core::bundle::write(&engine, None, &Default::default(), true).expect("writes");
    let open_unsigned = time(&|| drop(clearance_core::bundle::open(&unsigned, None, true).expect("opens")));
    let edge = clearance_core::bundle::write(&engine, Some(&secret), &Default::default(), false).expect("writes");
    let open_edge = time(&|| drop(clearance_core::bundle::open(&edge, Some(&key), false).expect("opens")));
    println!(
        "open (signed, policy digest checked): {open:.2} ms; open (unsigned, compiled again): {open_unsigned:.2} ms; open (signed, without the policy: an edge's bundle, {} bytes): {open_edge:.2} ms",
        edge.len()
    );
}
