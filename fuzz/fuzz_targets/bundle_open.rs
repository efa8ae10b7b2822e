//! Any bytes loaded as a bundle, signed or not: an error or an engine, never
//! a panic; an engine loaded from unsigned bytes answers a check without one.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let key = [0x11u8; 32];
    let _ = clearance_core::bundle::open(bytes, Some(&key), false);
    if let Ok(engine) = clearance_core::bundle::open(bytes, None, true) {
        let request = serde_json::json!({"user": "u", "action": "read", "object": "o", "record_id": "r"});
        let _ = engine.answer_check(&request, None);
        let _ = engine.lint();
    }
});
