//! The OpenAPI document served at `/v1/openapi.json` lists exactly the
//! router's routes (read from the router's source), so the two cannot drift.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

use std::collections::BTreeSet;

fn routes_in_source() -> BTreeSet<(String, String)> {
    let source = include_str!("../src/lib.rs");
    let mut routes = BTreeSet::new();
    for line in source.lines().map(str::trim).filter(|l| l.starts_with(".route(\"")) {
        let path = line.split('"').nth(1).unwrap().to_owned();
        let handlers = &line[line.find(',').unwrap()..];
        for method in ["get", "post", "delete", "put", "patch"] {
            if handlers.contains(&format!("{method}(")) {
                routes.insert((method.to_owned(), path.clone()));
            }
        }
    }
    routes
}

#[test]
fn the_document_lists_exactly_the_routes() {
    let doc: serde_json::Value = serde_json::from_str(clearance_server::OPENAPI).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented = BTreeSet::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            documented.insert((method.clone(), path.clone()));
            assert!(operation["summary"].is_string(), "{method} {path}");
            let params: Vec<&str> = path.split('/').filter(|s| s.starts_with('{')).collect();
            let in_path = operation["parameters"].as_array().map_or(0, |all| all.iter().filter(|p| p["in"] == "path").count());
            assert_eq!(in_path, params.len(), "{method} {path}");
        }
    }
    let routed = routes_in_source();
    assert!(routed.len() >= 20, "{routed:?}");
    assert_eq!(documented, routed);
}
