//! Arguments of `Engine.fromBundle`: the trusted keys and the options.

use clearance_core::Error;
use clearance_core::bundle::{Trust, TrustedKey, code, parse_hex_key};
use clearance_core::error::code::{BAD_TYPE, BAD_VALUE, UNKNOWN_KEY};
use wasm_bindgen::{JsCast, JsValue};

/// A bundle's bytes: a `Uint8Array` (a Node `Buffer` is one) or an `ArrayBuffer`.
pub fn bytes(value: JsValue) -> Result<Vec<u8>, Error> {
    if let Some(buffer) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(js_sys::Uint8Array::new(buffer).to_vec());
    }
    value
        .dyn_into::<js_sys::Uint8Array>()
        .map(|bytes| bytes.to_vec())
        .map_err(|_| Error::one("/bytes", clearance_core::error::code::BAD_TYPE, "the bundle must be a Uint8Array or an ArrayBuffer"))
}

/// A public key given as 32 bytes or 64 hex digits.
fn key(value: JsValue, path: &str) -> Result<[u8; 32], Error> {
    if let Some(text) = value.as_string() {
        return parse_hex_key(&text).map_err(|e| e.at(path));
    }
    let bytes = value
        .dyn_into::<js_sys::Uint8Array>()
        .map_err(|_| Error::one(path, code::BAD_KEY, "a public key must be a Uint8Array or a hex string"))?;
    bytes.to_vec().try_into().map_err(|_| Error::one(path, code::BAD_KEY, "a public key must be 32 bytes"))
}

/// One trusted key: a key, or `{key, retiredAt?}` (an RFC 3339 time from
/// which bundles it signed are refused: the old key of a rotation).
fn trusted_key(value: JsValue, path: &str) -> Result<TrustedKey, Error> {
    if value.is_string() || value.is_instance_of::<js_sys::Uint8Array>() {
        return Ok(TrustedKey { key: key(value, path)?, retired_at_ms: None });
    }
    if !value.is_object() {
        return Err(Error::one(path, BAD_TYPE, "a trusted key is a key or `{key, retiredAt?}`"));
    }
    let field = |name: &str| js_sys::Reflect::get(&value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    for name in js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>()).iter().filter_map(|k| k.as_string()) {
        if name != "key" && name != "retiredAt" {
            return Err(Error::one(format!("{path}/{name}"), UNKNOWN_KEY, format!("unknown field `{name}`")));
        }
    }
    let retired = field("retiredAt");
    let retired_at_ms = match retired.as_string() {
        Some(text) => Some(
            clearance_core::parse_rfc3339(&text)
                .ok_or_else(|| Error::one(format!("{path}/retiredAt"), BAD_VALUE, format!("`{text}` is not an RFC 3339 time")))?,
        ),
        None if retired.is_undefined() => None,
        None => return Err(Error::one(format!("{path}/retiredAt"), BAD_TYPE, "`retiredAt` must be an RFC 3339 string")),
    };
    Ok(TrustedKey { key: key(field("key"), &format!("{path}/key"))?, retired_at_ms })
}

/// The trusted keys: one key, an array of keys or `{key, retiredAt?}`, or
/// `null` / `undefined` for none (unsigned bundles only).
pub fn trusted_keys(value: JsValue) -> Result<Vec<TrustedKey>, Error> {
    if value.is_null() || value.is_undefined() {
        return Ok(Vec::new());
    }
    match value.dyn_into::<js_sys::Array>() {
        Ok(list) => list.iter().enumerate().map(|(i, item)| trusted_key(item, &format!("/publicKey/{i}"))).collect(),
        Err(value) => Ok(vec![TrustedKey { key: key(value, "/publicKey")?, retired_at_ms: None }]),
    }
}

/// `{allowUnsigned?: boolean, minRevision?: number}`, judged now.
pub fn trust(keys: Vec<TrustedKey>, options: JsValue, now_ms: i64) -> Result<Trust, Error> {
    let mut trust = Trust { keys, allow_unsigned: false, min_revision: 0, now_ms: Some(now_ms) };
    if options.is_null() || options.is_undefined() {
        return Ok(trust);
    }
    let value = crate::convert::from_js(options, "options")?;
    let object = value.as_object().ok_or_else(|| Error::one("", BAD_TYPE, "options must be an object"))?;
    for (key, item) in object {
        match (key.as_str(), item) {
            ("allowUnsigned", serde_json::Value::Bool(b)) => trust.allow_unsigned = *b,
            ("allowUnsigned", _) => return Err(Error::one("/allowUnsigned", BAD_TYPE, "`allowUnsigned` must be a boolean")),
            ("minRevision", n) => {
                // A JS number may arrive as a float: whole and safe only.
                let whole = n.as_f64().filter(|f| f.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(f)).map(|f| f as u64);
                trust.min_revision =
                    whole.ok_or_else(|| Error::one("/minRevision", BAD_TYPE, "`minRevision` must be a whole number from 0 to 2^53 - 1"))?;
            }
            (other, _) => return Err(Error::one(format!("/{other}"), UNKNOWN_KEY, format!("unknown option `{other}`"))),
        }
    }
    Ok(trust)
}
