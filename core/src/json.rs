//! Decoding JSON into typed values while collecting every problem with its
//! JSON Pointer: one bad user does not hide the problems of the next.

mod path;

use crate::error::{Error, Problems, code, join};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;

/// Parses JSON text, reporting a syntax error with its line and column.
///
/// # Errors
/// `json_syntax` at path `""` when the text is not JSON.
pub fn parse_json(text: &str) -> Result<Value, Error> {
    serde_json::from_str(text).map_err(|e| Error::one("", code::JSON_SYNTAX, format!("invalid json: {e}")))
}

/// Decodes `value` (found at `path`) as a `T`; records a problem and returns
/// `None` when it does not fit.
pub fn decode<T: DeserializeOwned>(value: &Value, path: &str, problems: &mut Problems) -> Option<T> {
    match decode_one(value) {
        Ok(decoded) => Some(decoded),
        Err(error) => {
            problems.extend_at(path, error);
            None
        }
    }
}

/// Decodes one value, turning serde's message into a problem with a pointer.
///
/// # Errors
/// One problem (`bad_type`, `bad_value`, `unknown_key` or `missing_key`).
pub fn decode_one<T: DeserializeOwned>(value: &Value) -> Result<T, Error> {
    path::from_value(value).map_err(|error| {
        let message = error.message();
        Error::one(error.pointer(), classify(message), tidy(message))
    })
}

/// Decodes a JSON array element by element.
pub fn decode_list<T: DeserializeOwned>(value: &Value, path: &str, problems: &mut Problems) -> Vec<T> {
    let Some(items) = value.as_array() else {
        problems.push(path, code::BAD_TYPE, format!("expected a list, found {}", kind(value)));
        return Vec::new();
    };
    items.iter().enumerate().filter_map(|(index, item)| decode(item, &join(path, index), problems)).collect()
}

/// Decodes a JSON object entry by entry.
pub fn decode_map<T: DeserializeOwned>(value: &Value, path: &str, problems: &mut Problems) -> BTreeMap<String, T> {
    let Some(entries) = value.as_object() else {
        problems.push(path, code::BAD_TYPE, format!("expected an object, found {}", kind(value)));
        return BTreeMap::new();
    };
    // Inserted one by one: collecting would sort the entries again (they
    // come sorted), and each map type's sort costs the npm package ~1 KB.
    let mut map = BTreeMap::new();
    for (key, item) in entries {
        if let Some(value) = decode(item, &join(path, key), problems) {
            map.insert(key.clone(), value);
        }
    }
    map
}

/// Requires `value` to be an object and reports any key outside `known`.
pub fn object_with_keys<'a>(
    value: &'a Value,
    path: &str,
    known: &[&str],
    problems: &mut Problems,
) -> Option<&'a serde_json::Map<String, Value>> {
    let Some(object) = value.as_object() else {
        problems.push(path, code::BAD_TYPE, format!("expected an object, found {}", kind(value)));
        return None;
    };
    for key in object.keys() {
        if !known.contains(&key.as_str()) {
            problems.push(
                join(path, key),
                code::UNKNOWN_KEY,
                format!("unknown key `{key}`, expected one of {}", known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")),
            );
        }
    }
    Some(object)
}

/// A short name of a JSON value's type, for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn classify(message: &str) -> crate::Code {
    if message.starts_with("unknown field") {
        code::UNKNOWN_KEY
    } else if message.starts_with("missing field") {
        code::MISSING_KEY
    } else if message.starts_with("invalid type") {
        code::BAD_TYPE
    } else {
        code::BAD_VALUE
    }
}

/// serde's messages are already lowercase with backticks; only trim the
/// untagged-enum wording into something a policy author understands.
fn tidy(message: &str) -> String {
    if message.starts_with("data did not match any variant") {
        "value does not match any allowed form".to_owned()
    } else {
        message.to_owned()
    }
}
