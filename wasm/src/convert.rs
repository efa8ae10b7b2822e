//! Values across the boundary: JavaScript values ⇄ JSON values, with the
//! key renaming of [`crate::case`], through JSON text in one crossing each way. Strings are accepted wherever an object
//! is, so callers holding JSON text skip building objects.

use crate::case::{to_camel, to_snake};
use clearance_core::Error;
use clearance_core::error::code;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// A JavaScript argument as JSON with engine keys: a string is parsed as JSON
/// text, anything else converted structurally.
pub fn from_js(value: JsValue, what: &str) -> Result<serde_json::Value, Error> {
    if let Some(text) = value.as_string() {
        return clearance_core::parse_json(&text).map(to_snake);
    }
    if value.is_undefined() {
        return Err(Error::one("", code::MISSING_KEY, format!("missing argument: {what}")));
    }
    Ok(to_snake(json_of(value, what)?))
}

/// Any JavaScript value as JSON: one `JSON.stringify` call and a parse here,
/// far cheaper than walking the object across the boundary field by field.
fn json_of(value: JsValue, what: &str) -> Result<serde_json::Value, Error> {
    let text = js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| Error::one("", code::BAD_TYPE, format!("{what} must be a JSON value")))?;
    clearance_core::parse_json(&text)
}

/// A policy document as JSON, keys untouched (the policy file format is the
/// same in every language).
pub fn policy_from_js(value: JsValue, what: &str) -> Result<serde_json::Value, Error> {
    if let Some(text) = value.as_string() {
        return clearance_core::parse_json(&text);
    }
    if value.is_undefined() {
        return Err(Error::one("", code::MISSING_KEY, format!("missing argument: {what}")));
    }
    json_of(value, what)
}

/// A JSON-shaped result as a plain JavaScript value with camelCase keys.
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, Error> {
    let json = serde_json::to_value(value).map_err(|e| Error::one("", code::BAD_VALUE, format!("cannot encode the result: {e}")))?;
    let text = to_camel(json).to_string();
    js_sys::JSON::parse(&text).map_err(|_| Error::one("", code::BAD_VALUE, "cannot encode the result"))
}
