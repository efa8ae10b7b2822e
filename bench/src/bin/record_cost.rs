//! What recording a decision event costs `check`, natively: the full
//! decision with and without its event, and writing the events' JSON
//! Lines (as a drain does), on the generated 10,000-user org. `cargo run --release -p clearance-bench --bin record_cost`.

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
    let mut kept = Vec::with_capacity(n as usize * 32);
    let mut recorded = 0_usize;
    let mut time = |now: Option<i64>| {
        let start = Instant::now();
        for i in 0..n {
            // The clock moves every 100 checks (a busy edge: 100 a millisecond).
            let events = now.map(|ms| (ms + i64::from(i / 100), &mut kept));
            recorded += usize::from(events.is_some());
            engine.answer_request_logged(&request, None, events).expect("decides");
        }
        start.elapsed().as_secs_f64() * 1e9 / f64::from(n)
    };
    let plain = time(None);
    let logged = time(Some(1_800_000_000_000));
    let plain_again = time(None);
    let start = Instant::now();
    let mut lines = clearance_core::activity::Lines::new(&engine, Some(7), recorded * 160);
    lines.push(&kept).expect("the events read back");
    let written = start.elapsed().as_secs_f64() * 1e9 / recorded as f64;
    println!(
        "check: {plain:.0} / {plain_again:.0} ns; with its event: {logged:.0} ns ({} events): +{:.0} %; its line written: {written:.0} ns ({} bytes, {} recorded)",
        recorded,
        (logged / ((plain + plain_again) / 2.0) - 1.0) * 100.0,
        lines.text.len() / recorded,
        kept.len() / recorded
    );
}
