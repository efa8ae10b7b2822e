//! Values across the boundary: JavaScript values ⇄ JSON values, with the
//! key renaming of [`crate::case`], through JSON text in one crossing each way. Strings are accepted wherever an object
//! is, so callers holding JSON text skip building objects.

use crate::case::{to_camel_json, to_snake};
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

/// A JSON-shaped result as a plain JavaScript value with camelCase keys:
/// written once as JSON text (keys renamed as they are written) and parsed
/// once by the JavaScript engine.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, Error> {
    let text = to_camel_json(value).map_err(|e| Error::one("", code::BAD_VALUE, format!("cannot encode the result: {e}")))?;
    js_sys::JSON::parse(&text).map_err(|_| Error::one("", code::BAD_VALUE, "cannot encode the result"))
}

/// Records given as a JavaScript array, loaded a slice at a time: each
/// slice crosses as one JSON text and its records go to the loader one by
/// one, so neither the whole array's text nor its JSON tree is ever held
/// (a million records as one text took gigabytes and grew faster than linear).
pub fn load_array(engine: &clearance_core::Engine, list: &js_sys::Array) -> Result<clearance_core::Dataset, Error> {
    const SLICE: u32 = 2048;
    let mut loader = engine.dataset_loader();
    let mut start = 0;
    while start < list.length() {
        let slice = list.slice(start, start.saturating_add(SLICE));
        match json_of(slice.into(), "records")? {
            serde_json::Value::Array(items) => items.into_iter().for_each(|item| loader.push(&to_snake(item))),
            _ => return Err(Error::one("", code::BAD_TYPE, "records must be a list")),
        }
        start = start.saturating_add(SLICE);
    }
    loader.finish()
}
