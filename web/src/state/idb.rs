//! The change-control ledger in the browser's IndexedDB (database
//! `clearance`, store `state`, key `ledger`): read once at start, written
//! after every step.

use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransactionMode};

const DB: &str = "clearance";
const STORE: &str = "state";
/// The key of the ledger.
pub const LEDGER: &str = "ledger";

/// Waits for an IndexedDB request: its result, or its error.
async fn done(request: &IdbRequest) -> Result<JsValue, JsValue> {
    let target = request.clone();
    let promise = Promise::new(&mut |resolve, reject| {
        let ok_target = target.clone();
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &ok_target.result().unwrap_or(JsValue::UNDEFINED));
        });
        let fail = Closure::once_into_js(move || {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str("indexeddb request failed"));
        });
        target.set_onsuccess(Some(ok.unchecked_ref()));
        target.set_onerror(Some(fail.unchecked_ref()));
    });
    JsFuture::from(promise).await
}

async fn open() -> Result<IdbDatabase, JsValue> {
    let factory = web_sys::window().and_then(|w| w.indexed_db().ok().flatten()).ok_or_else(|| JsValue::from_str("no indexeddb"))?;
    let request = factory.open_with_u32(DB, 1)?;
    let upgrade = Closure::once_into_js(move |event: web_sys::Event| {
        let db = event
            .target()
            .and_then(|t| t.dyn_into::<IdbRequest>().ok())
            .and_then(|r| r.result().ok())
            .and_then(|r| r.dyn_into::<IdbDatabase>().ok());
        if let Some(db) = db {
            let _ = db.create_object_store(STORE);
        }
    });
    request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    done(&request).await?.dyn_into::<IdbDatabase>()
}

/// The text stored under `key`, if any.
pub async fn get(key: &str) -> Option<String> {
    let db = open().await.ok()?;
    let store = db.transaction_with_str(STORE).ok()?.object_store(STORE).ok()?;
    done(&store.get(&JsValue::from_str(key)).ok()?).await.ok()?.as_string()
}

/// Stores `text` under `key`.
pub async fn put(key: &str, text: &str) -> Result<(), JsValue> {
    let db = open().await?;
    let store = db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?.object_store(STORE)?;
    done(&store.put_with_key(&JsValue::from_str(text), &JsValue::from_str(key))?).await.map(|_| ())
}
