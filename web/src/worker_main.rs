//! The admin app's Web Worker: holds the large generated org (10,000 users
//! and its records) and answers "what do the staged edits change?" off the
//! main thread, reporting progress as it goes. Messages are JSON text; see
//! `clearance_web::state::worker` for the protocol.

use clearance_web::state::worker::{Reply, Request, large_diff};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_scope = scope.clone();
    let mut cache = None;
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
        let post = |reply: &Reply| {
            let _ = reply_scope.post_message(&JsValue::from_str(&serde_json::to_string(reply).unwrap_or_default()));
        };
        let Some(text) = message.data().as_string() else { return };
        match serde_json::from_str::<Request>(&text) {
            Ok(request) => post(&large_diff(&mut cache, &request, &mut |step, done, total| {
                post(&Reply::Progress { step: step.to_owned(), done, total })
            })),
            Err(e) => post(&Reply::Failed {
                about: None,
                problems: vec![clearance_core::Problem::new("", clearance_core::Code::BadValue, format!("bad request: {e}"))],
            }),
        }
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    // Messages sent before the wasm is running are dropped: say when it is ready.
    let _ = scope.post_message(&JsValue::from_str(&serde_json::to_string(&Reply::Ready).unwrap_or_default()));
}
