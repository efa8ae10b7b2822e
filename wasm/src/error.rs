//! Misuse as a real JavaScript `Error`: `message` (the first problem),
//! `code` (its stable code) and `errors` (every problem, `{path, code,
//! message}`), so callers can branch on `error.code` and show every problem.

use crate::case::pointer_to_camel;
use clearance_core::Error;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

/// Converts the engine's error into a thrown JavaScript `Error`.
pub fn to_js(error: &Error) -> JsValue {
    let first = error.problems().first();
    let message = match first {
        Some(problem) if problem.path.is_empty() => problem.message.clone(),
        Some(problem) => format!("{}: {}", pointer_to_camel(&problem.path), problem.message),
        None => "invalid input".to_owned(),
    };
    let js = js_sys::Error::new(&message);
    let problems = Array::new();
    for problem in error.problems() {
        let item = Object::new();
        set(&item, "path", &JsValue::from_str(&pointer_to_camel(&problem.path)));
        set(&item, "code", &JsValue::from_str(&problem.code));
        set(&item, "message", &JsValue::from_str(&problem.message));
        problems.push(&item);
    }
    set(&js, "code", &JsValue::from_str(error.code()));
    set(&js, "errors", &problems);
    js.into()
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}
