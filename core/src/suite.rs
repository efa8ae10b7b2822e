//! Policy test files: a policy, optional records, and requests with their
//! expected decisions. The same format drives `clearance test` for users'
//! policy-as-code CI and the project's own scenario corpus.
//!
//! ```json
//! {"description": "…", "policy": "org.json", "records": "records.json",
//!  "cases": [{"name": "rep reads own account",
//!             "request": {"user": "ann", "action": "read", "object": "Account", "record_id": "a1"},
//!             "expect": {"allowed": true, "level": "full", "reasons": ["owner", "scope"]}}]}
//! ```
//! `policy` and `records` are paths (relative to the test file) or inline
//! JSON. Every key of `expect` is optional; only the keys given are checked.

mod questions;

use crate::check::Query;
use crate::dataset::Dataset;
use crate::decision::Stage;
use crate::engine::Engine;
use crate::explain::{Lang, explain};
use crate::policy::Level;
use crate::render::{DecisionOut, FieldsOut};
use crate::request::Request;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// A test file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Suite {
    /// What the file tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The policy: a path relative to the test file, or inline.
    pub policy: Source,
    /// The records: a path relative to the test file, or inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<Source>,
    /// The cases, run in order.
    pub cases: Vec<Case>,
}

/// A path to a JSON file, or the JSON itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Source {
    /// Path relative to the test file.
    Path(String),
    /// Inline JSON.
    Inline(serde_json::Value),
}

/// One request and what it must yield.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Short description, unique within the file.
    pub name: String,
    /// A `check` request (SPEC §5), as JSON so malformed requests can be tested too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<serde_json::Value>,
    /// A `filter` question: which records may the user access?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<FilterCase>,
    /// A `who-can` question: which users may access the record?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub who_can: Option<WhoCanCase>,
    /// A `diff` question: what changes if the policy becomes `after`?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<DiffCase>,
    /// A `lint` question (the value is ignored; write `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lint: Option<bool>,
    /// The expected answer (or error).
    pub expect: Expect,
}

/// `filter` arguments.
pub type FilterCase = crate::api::FilterQuery;

/// `who-can` arguments.
pub type WhoCanCase = crate::api::WhoCanQuery;

/// `diff` arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffCase {
    /// The policy after the change: a path relative to the test file, or inline.
    pub after: Source,
    /// Context (default `{}`).
    #[serde(default)]
    pub context: std::collections::BTreeMap<String, serde_json::Value>,
}

/// Expected properties of a decision; absent keys are not checked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Allowed or denied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<bool>,
    /// The deny stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// The record's level; `null` means no level.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub level: Option<Option<Level>>,
    /// The reason kinds, in any order (duplicates count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasons: Option<Vec<String>>,
    /// `"mfa"`, or `null` for no remedy.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub remedy: Option<Option<String>>,
    /// The readable and editable fields (sorted lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<FieldsOut>,
    /// The rule named by the deny (forbid rule) or by some sharing-rule reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The request is invalid with this error code (first problem's code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The JSON Pointer of the first problem, with `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_path: Option<String>,
    /// `filter`: the record ids, in dataset order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<String>>,
    /// `who-can`: the user ids, in any order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<String>>,
    /// `diff`: every change as `[user, record, action, "gained" | "lost"]`, in any order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<(String, String, String, crate::diff::ChangeKind)>>,
    /// `lint`: every finding as `[code, path]`, in any order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<(String, String)>>,
    /// Text the English explanation must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_contains: Option<String>,
    /// Text the Chinese explanation must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_zh_contains: Option<String>,
}

/// Distinguishes an absent key (`None`) from `null` (`Some(None)`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The case name.
    pub name: String,
    /// Every mismatch, as `key: expected …, got …`; empty when the case passed.
    pub failures: Vec<String>,
    /// What the engine answered: a decision or the error problems.
    pub actual: serde_json::Value,
}

impl Outcome {
    /// Whether the case passed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs every case against the engine and dataset.
pub fn run(engine: &Engine, dataset: Option<&Dataset>, cases: &[Case]) -> Vec<Outcome> {
    cases.iter().map(|case| run_case(engine, dataset, case)).collect()
}

fn run_case(engine: &Engine, dataset: Option<&Dataset>, case: &Case) -> Outcome {
    let asked = [case.request.is_some(), case.filter.is_some(), case.who_can.is_some(), case.diff.is_some(), case.lint.is_some()];
    if asked.iter().filter(|a| **a).count() != 1 {
        let failures = vec!["case: give exactly one of `request`, `filter`, `who_can`, `diff` and `lint`".to_owned()];
        return Outcome { name: case.name.clone(), failures, actual: serde_json::Value::Null };
    }
    let Some(request) = &case.request else { return questions::run(engine, dataset, case) };
    let mut failures = Vec::new();
    let expect = &case.expect;
    let prepared = Request::from_value(request).and_then(|request| engine.prepare(&request, dataset));
    let prepared = match prepared {
        Err(error) => {
            let first = error.problems().first().cloned();
            match &expect.error {
                None => failures.push(format!("error: expected a decision, got `{}`", error.to_string().replace('\n', "; "))),
                Some(code) if first.as_ref().map(|p| &p.code) != Some(code) => {
                    failures.push(format!("error: expected `{code}`, got `{}`", error.code()))
                }
                Some(_) => {}
            }
            if let (Some(path), Some(first)) = (&expect.error_path, &first)
                && &first.path != path
            {
                failures.push(format!("error_path: expected `{path}`, got `{}`", first.path));
            }
            return Outcome { name: case.name.clone(), failures, actual: serde_json::to_value(error.problems()).unwrap_or_default() };
        }
        Ok(prepared) => prepared,
    };
    let query: Query<'_> = prepared.query(dataset);
    let decision = engine.check_query(&query);
    let out = engine.render(&decision, &query);
    if let Some(code) = &expect.error {
        failures.push(format!("error: expected `{code}`, got a decision"));
    }
    compare(expect, &out, &engine.subject(&decision, &query), &mut failures);
    Outcome { name: case.name.clone(), failures, actual: serde_json::to_value(&out).unwrap_or_default() }
}

fn compare(expect: &Expect, out: &DecisionOut, subject: &crate::explain::Subject, failures: &mut Vec<String>) {
    if let Some(allowed) = expect.allowed
        && allowed != out.allowed
    {
        failures.push(format!("allowed: expected {allowed}, got {}", out.allowed));
    }
    if let Some(stage) = expect.stage
        && Some(stage) != out.stage
    {
        failures.push(format!("stage: expected {}, got {}", stage.as_str(), out.stage.map_or("none", Stage::as_str)));
    }
    if let Some(level) = &expect.level
        && *level != out.level
    {
        failures.push(format!("level: expected {}, got {}", json(level), json(&out.level)));
    }
    if let Some(kinds) = &expect.reasons {
        let mut expected = kinds.clone();
        let mut actual: Vec<String> = out.reasons.iter().map(|r| r.kind.to_string()).collect();
        expected.sort();
        actual.sort();
        if expected != actual {
            failures.push(format!("reasons: expected {expected:?}, got {actual:?}"));
        }
    }
    if let Some(remedy) = &expect.remedy
        && *remedy != out.remedy
    {
        failures.push(format!("remedy: expected {remedy:?}, got {:?}", out.remedy));
    }
    if let Some(fields) = &expect.fields {
        let mut want = fields.clone();
        want.read.sort();
        want.edit.sort();
        if Some(&want) != out.fields.as_ref() {
            failures.push(format!("fields: expected {want:?}, got {:?}", out.fields));
        }
    }
    if let Some(rule) = &expect.rule {
        let denial_rule = out.denial.as_ref().and_then(|d| d.rule.as_ref());
        let reason_rule = out.reasons.iter().any(|r| r.rule.as_ref() == Some(rule));
        if denial_rule != Some(rule) && !reason_rule {
            failures.push(format!("rule: expected `{rule}` in the denial or a reason"));
        }
    }
    if let Some(text) = &expect.message_contains
        && !out.message.contains(text.as_str())
    {
        failures.push(format!("message: expected it to contain `{text}`, got `{}`", out.message));
    }
    if let Some(text) = &expect.message_zh_contains {
        let zh = explain(out, subject, Lang::Zh);
        if !zh.contains(text.as_str()) {
            failures.push(format!("message (zh): expected it to contain `{text}`, got `{zh}`"));
        }
    }
}

/// Short JSON rendering of a value in failure messages.
fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
