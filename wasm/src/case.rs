//! JavaScript's camelCase keys ⇄ the engine's snake_case keys. Only the API's
//! own key names are renamed, never user data: record fields, context
//! attributes, table names and per-user summaries keep their keys as given.
//! Policies are documents in the policy file format and cross unrenamed.

use serde_json::Value;

/// The API's multi-word keys, `(snake, camel)`.
const KEYS: &[(&str, &str)] = &[
    ("record_id", "recordId"),
    ("owner_role", "ownerRole"),
    ("via_superior", "viaSuperior"),
    ("missing_context", "missingContext"),
    ("team_table", "teamTable"),
    ("shares_table", "sharesTable"),
    ("role_and_subordinates", "roleAndSubordinates"),
    ("department_tree", "departmentTree"),
];

/// Keys whose object value is user data, copied as is.
const DATA: &[&str] = &["fields", "context", "tables", "users", "objects", "actions"];

/// Renames the engine's keys for JavaScript.
pub fn to_camel(value: Value) -> Value {
    rename(value, &|key| KEYS.iter().find(|(snake, _)| *snake == key).map(|(_, camel)| *camel))
}

/// Renames JavaScript's keys for the engine (snake_case keys pass unchanged).
pub fn to_snake(value: Value) -> Value {
    rename(value, &|key| KEYS.iter().find(|(_, camel)| *camel == key).map(|(snake, _)| *snake))
}

/// A JSON Pointer with the API's keys renamed for JavaScript.
pub fn pointer_to_camel(pointer: &str) -> String {
    pointer
        .split('/')
        .map(|token| KEYS.iter().find(|(snake, _)| *snake == token).map_or(token, |(_, camel)| camel))
        .collect::<Vec<_>>()
        .join("/")
}

fn rename(value: Value, map: &dyn Fn(&str) -> Option<&'static str>) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(|item| rename(item, map)).collect()),
        Value::Object(entries) => Value::Object(
            entries
                .into_iter()
                .map(|(key, item)| {
                    let item = if DATA.contains(&key.as_str()) && item.is_object() { item } else { rename(item, map) };
                    (map(&key).map_or(key, str::to_owned), item)
                })
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renames_api_keys_but_not_data() {
        let engine = json!({"record_id": "a", "reasons": [{"owner_role": "r", "via_superior": true}],
            "fields": {"owner_role": 1}, "context": {"record_id": 2}});
        let js = to_camel(engine.clone());
        assert_eq!(
            js,
            json!({"recordId": "a", "reasons": [{"ownerRole": "r", "viaSuperior": true}],
            "fields": {"owner_role": 1}, "context": {"record_id": 2}})
        );
        assert_eq!(to_snake(js), engine);
    }

    #[test]
    fn decision_field_lists_are_not_data_maps() {
        // `fields` holding a list (a request's touched fields) is still walked.
        assert_eq!(to_snake(json!({"fields": ["a_b"], "recordId": "x"})), json!({"fields": ["a_b"], "record_id": "x"}));
    }

    #[test]
    fn renames_pointer_tokens() {
        assert_eq!(pointer_to_camel("/record_id"), "/recordId");
        assert_eq!(pointer_to_camel("/record/fields/x"), "/record/fields/x");
        assert_eq!(pointer_to_camel(""), "");
    }
}
