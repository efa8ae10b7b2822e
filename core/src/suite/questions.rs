//! Test cases for the questions around `check`: filter, who-can, diff, lint.

use super::{Case, Outcome, Source};
use crate::dataset::Dataset;
use crate::engine::Engine;
use crate::error::Error;
use crate::request::Context;

pub(super) fn run(engine: &Engine, dataset: Option<&Dataset>, case: &Case) -> Outcome {
    let outcome = |failures: Vec<String>, actual: serde_json::Value| Outcome { name: case.name.clone(), failures, actual };
    match answer(engine, dataset, case) {
        Err(error) => {
            let failures = match &case.expect.error {
                Some(code) if error.code() == code => Vec::new(),
                Some(code) => vec![format!("error: expected `{code}`, got `{}`", error.code())],
                None => vec![format!("error: expected an answer, got `{}`", error.to_string().replace('\n', "; "))],
            };
            outcome(failures, serde_json::to_value(error.problems()).unwrap_or_default())
        }
        Ok(answer) => {
            let mut failures = Vec::new();
            let expect = &case.expect;
            if let Some(code) = &expect.error {
                failures.push(format!("error: expected `{code}`, got an answer"));
            }
            let mut check = |expected: Option<serde_json::Value>, actual: &serde_json::Value, key: &str| {
                if let Some(expected) = expected
                    && &expected != actual
                {
                    failures.push(format!("{key}: expected {expected}, got {actual}"));
                }
            };
            let sorted = |value: Option<serde_json::Value>| value.map(sort_array);
            check(expect.ids.as_ref().map(|ids| serde_json::json!(ids)), &answer, "ids");
            check(sorted(expect.users.as_ref().map(|users| serde_json::json!(users))), &sort_array(answer.clone()), "users");
            check(sorted(expect.changes.as_ref().and_then(|c| serde_json::to_value(c).ok())), &sort_array(answer.clone()), "changes");
            check(sorted(expect.findings.as_ref().map(|f| serde_json::json!(f))), &sort_array(answer.clone()), "findings");
            outcome(failures, answer)
        }
    }
}

/// The answer in the shape the expectation compares against.
fn answer(engine: &Engine, dataset: Option<&Dataset>, case: &Case) -> Result<serde_json::Value, Error> {
    let empty;
    let records = match dataset {
        Some(dataset) => dataset,
        None => {
            empty = engine.load_records(&serde_json::json!([]))?;
            &empty
        }
    };
    if let Some(filter) = &case.filter {
        let items = engine.answer_filter(records, filter)?;
        return Ok(serde_json::to_value(items).unwrap_or_default());
    }
    if let Some(who) = &case.who_can {
        let users: Vec<String> = engine.answer_who_can(records, who)?.into_iter().map(|hit| hit.user).collect();
        return Ok(serde_json::json!(users));
    }
    if let Some(diff) = &case.diff {
        let Source::Inline(after) = &diff.after else {
            return Err(Error::one(
                "/diff/after",
                crate::error::code::BAD_VALUE,
                "the test runner must resolve `after` paths before running",
            ));
        };
        let after = Engine::from_value(after)?;
        let context = Context::from_map(&diff.context, "/context")?;
        let records_json = serde_json::to_value(records.records().map(|r| engine.record_input(r)).collect::<Vec<_>>()).unwrap_or_default();
        let result = crate::diff::diff(engine, &after, &records_json, &context)?;
        let changes: Vec<serde_json::Value> =
            result.changes.into_iter().map(|c| serde_json::json!([c.user, c.record, c.action, c.change])).collect();
        return Ok(serde_json::json!(changes));
    }
    let findings: Vec<serde_json::Value> = engine.lint()?.into_iter().map(|f| serde_json::json!([f.code, f.path])).collect();
    Ok(serde_json::json!(findings))
}

fn sort_array(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Array(mut items) => {
            items.sort_by_key(|item| item.to_string());
            serde_json::Value::Array(items)
        }
        other => other,
    }
}
