//! Fixtures shared by the Criterion benchmarks: compiled orgs and prepared
//! requests, built once outside the timed loops.

use clearance_core::generate::{Params, REFERENCE_ORG, REFERENCE_RECORDS, Rng, generate};
use clearance_core::{Dataset, Engine, Policy, Prepared, Request};
use std::collections::BTreeMap;

/// An org with its dataset and a sample of prepared requests.
pub struct Fixture {
    /// The policy, for compile benchmarks.
    pub policy: Policy,
    /// The compiled engine.
    pub engine: Engine,
    /// The loaded records.
    pub dataset: Dataset,
    /// Requests over random users, records and actions.
    pub prepared: Vec<Prepared>,
    /// The same requests in their JSON-decoded form.
    pub requests: Vec<Request>,
}

/// The reference org and its records.
pub fn reference() -> Fixture {
    let policy = clearance_core::parse_policy(REFERENCE_ORG).expect("reference org parses");
    let records: serde_json::Value = serde_json::from_str(REFERENCE_RECORDS).expect("reference records parse");
    fixture(policy, &records, 1)
}

/// The generated org with 10,000 users and `records` records.
pub fn large(records: usize) -> Fixture {
    let (policy, dataset) = generate(&Params::large(records));
    fixture(policy, &serde_json::to_value(&dataset).expect("records serialise"), 7)
}

fn fixture(policy: Policy, records: &serde_json::Value, seed: u64) -> Fixture {
    let engine = Engine::compile(policy.clone()).expect("fixture policy compiles");
    let dataset = engine.load_records(records).expect("fixture records load");
    let users: Vec<String> = engine.user_ids().map(str::to_owned).collect();
    let actions = ["read", "read", "read", "edit", "delete", "export"];
    let mut context = BTreeMap::new();
    context.insert("mfa".to_owned(), serde_json::Value::Bool(true));
    context.insert("ip".to_owned(), serde_json::Value::from("10.1.2.3"));
    context.insert("time".to_owned(), serde_json::Value::from("2026-11-30T09:00:00Z"));
    let mut rng = Rng::new(seed);
    let mut requests = Vec::new();
    for _ in 0..4096 {
        let record = dataset.record(rng.below(dataset.len()) as u32).expect("in range");
        requests.push(Request {
            user: rng.pick(&users).clone(),
            action: (*rng.pick(&actions)).to_owned(),
            object: engine.object_name(record.object()).unwrap_or_default().to_owned(),
            record: None,
            record_id: Some(record.id().to_owned()),
            context: context.clone(),
            fields: None,
        });
    }
    let prepared = requests.iter().map(|r| engine.prepare(r, Some(&dataset)).expect("fixture requests are valid")).collect();
    Fixture { policy, engine, dataset, prepared, requests }
}
