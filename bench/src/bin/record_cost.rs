//! What recording a decision event costs `check`, natively: the full
//! decision with and without its event, and the event alone, on the
//! generated 10,000-user org. `cargo run --release -p clearance-bench --bin record_cost`.

use clearance_core::generate::{Params, generate};
use clearance_core::{Engine, Request};
use std::time::Instant;

fn main() {
    let (policy, _) = generate(&Params::large(0));
    let engine = Engine::compile(policy).expect("compiles");
    let request = Request {
        user: "user_1".into(),
        action: "create".into(),
        object: "Account".into(),
        record: None,
        record_id: None,
        context: Default::default(),
        fields: None,
    };
    let n = 200_000;
    let time = |now: Option<i64>| {
        let start = Instant::now();
        let mut kept = 0usize;
        for _ in 0..n {
            let (_, event) = engine.answer_request_logged(&request, None, now).expect("decides");
            kept += usize::from(event.is_some());
        }
        (start.elapsed().as_secs_f64() * 1e9 / f64::from(n), kept)
    };
    let (plain, _) = time(None);
    let (logged, kept) = time(Some(1_800_000_000_000));
    let (plain_again, _) = time(None);
    println!(
        "check: {plain:.0} / {plain_again:.0} ns; with its event: {logged:.0} ns ({kept} events): +{:.0} %",
        (logged / ((plain + plain_again) / 2.0) - 1.0) * 100.0
    );
}
