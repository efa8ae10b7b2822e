//! Arguments of `Engine.fromBundle`: the public key and the options.

use clearance_core::Error;
use clearance_core::bundle::{code, parse_hex_key};
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

/// A public key given as 32 bytes or 64 hex digits; `null` or `undefined` for none.
pub fn public_key(value: JsValue) -> Result<Option<[u8; 32]>, Error> {
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    if let Some(text) = value.as_string() {
        return parse_hex_key(&text).map(Some);
    }
    let bytes = value
        .dyn_into::<js_sys::Uint8Array>()
        .map_err(|_| Error::one("", code::BAD_KEY, "the public key must be a Uint8Array or a hex string"))?;
    let key: [u8; 32] = bytes.to_vec().try_into().map_err(|_| Error::one("", code::BAD_KEY, "the public key must be 32 bytes"))?;
    Ok(Some(key))
}

/// `{allowUnsigned?: boolean}`.
pub fn allow_unsigned(options: JsValue) -> Result<bool, Error> {
    if options.is_null() || options.is_undefined() {
        return Ok(false);
    }
    let value = crate::convert::from_js(options, "options")?;
    let object = value.as_object().ok_or_else(|| Error::one("", clearance_core::error::code::BAD_TYPE, "options must be an object"))?;
    let mut allow = false;
    for (key, item) in object {
        match (key.as_str(), item) {
            ("allowUnsigned", serde_json::Value::Bool(b)) => allow = *b,
            ("allowUnsigned", _) => {
                return Err(Error::one("/allowUnsigned", clearance_core::error::code::BAD_TYPE, "`allowUnsigned` must be a boolean"));
            }
            (other, _) => {
                return Err(Error::one(format!("/{other}"), clearance_core::error::code::UNKNOWN_KEY, format!("unknown option `{other}`")));
            }
        }
    }
    Ok(allow)
}
