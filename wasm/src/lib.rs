//! The npm package's engine: a thin wasm-bindgen binding of `clearance-core`.
//! Every export decodes its input, makes one core call and encodes the
//! answer; no policy logic lives here. A deny is a normal result; misuse
//! throws a real `Error` with `code` and `errors` ([`error::to_js`]). Nothing
//! here panics: a panic would poison the instance for every later call.

mod bundle;
mod case;
mod contexts;
mod convert;
mod engine;
mod error;
mod events;
mod handles;
mod ids;
mod types;

pub use engine::Engine;

use clearance_core::Error;
use convert::{policy_from_js, to_js};
use wasm_bindgen::prelude::*;

/// What each user gains and loses when the policy `before` becomes `after`,
/// over `records` (each a JSON value or JSON text).
#[wasm_bindgen(unchecked_return_type = "Diff")]
pub fn diff(
    #[wasm_bindgen(unchecked_param_type = "PolicyInput")] before: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PolicyInput")] after: JsValue,
    #[wasm_bindgen(unchecked_param_type = "RecordInput[] | string")] records: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Context")] context: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let run = || -> Result<JsValue, Error> {
        let old = clearance_core::Engine::from_value(&policy_from_js(before, "before")?).map_err(|e| e.at("/before"))?;
        let new = clearance_core::Engine::from_value(&policy_from_js(after, "after")?).map_err(|e| e.at("/after"))?;
        let records = engine::records_json(records)?;
        let context = engine::context_arg(context.unwrap_or(JsValue::UNDEFINED))?;
        to_js(&clearance_core::diff::diff(&old, &new, &records, &context)?)
    };
    run().map_err(|e| error::to_js(&e))
}

/// The lint findings of a policy (SPEC §3); throws when the policy is invalid.
#[wasm_bindgen(unchecked_return_type = "LintFinding[]")]
pub fn lint(#[wasm_bindgen(unchecked_param_type = "PolicyInput")] policy: JsValue) -> Result<JsValue, JsValue> {
    let run = || -> Result<JsValue, Error> {
        let engine = clearance_core::Engine::from_value(&policy_from_js(policy, "policy")?)?;
        to_js(&engine.lint()?)
    };
    run().map_err(|e| error::to_js(&e))
}

/// Every problem of a policy (`[]` when valid), without throwing.
#[wasm_bindgen(unchecked_return_type = "Problem[]")]
pub fn validate(#[wasm_bindgen(unchecked_param_type = "PolicyInput")] policy: JsValue) -> Result<JsValue, JsValue> {
    let problems = match policy_from_js(policy, "policy").and_then(|value| clearance_core::Engine::from_value(&value)) {
        Ok(_) => Vec::new(),
        Err(error) => error.into_problems(),
    };
    let problems: Vec<_> = problems
        .into_iter()
        .map(|p| serde_json::json!({"path": case::pointer_to_camel(&p.path), "code": p.code, "message": p.message}))
        .collect();
    to_js(&problems).map_err(|e| error::to_js(&e))
}

/// The engine's version (the crate version).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
