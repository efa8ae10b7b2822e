//! The `Engine`'s recording of decision events: where a call records its
//! event and with which clock, taking back what a failed call recorded,
//! the fast path's verdict decided in full when recording, and drains.

use super::{Engine, throwing};
use crate::convert::from_js;
use crate::events::Recorder;
use clearance_core::error::code;
use clearance_core::{Context, Dataset, Error};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

impl Engine {
    /// The recorder's clock: `ms` when the caller read it (the package's
    /// plain paths read it once per run of checks: guard.js), else now.
    pub(super) fn now(ms: f64) -> i64 {
        if ms.is_finite() && ms > 0.0 { ms as i64 } else { js_sys::Date::now() as i64 }
    }

    /// Where a check records its event, with the clock (`None`: not
    /// recording, or `limit` events wait); [`Recorder::seal`] it after.
    pub(super) fn sink(recorder: &mut Option<Recorder>, ms: f64) -> Option<(i64, &mut Vec<u8>)> {
        let room = recorder.as_mut()?.room()?;
        Some((Engine::now(ms), room))
    }

    /// Seals the event a call recorded.
    pub(super) fn seal(&mut self) {
        if let Some(recorder) = &mut self.recorder {
            recorder.seal();
        }
    }

    /// Runs a call that records events, then seals the last; when it fails,
    /// what it recorded (and counted as dropped) is taken back: an invalid
    /// request is no decision.
    pub(super) fn recorded<T>(&mut self, call: impl FnOnce(&mut Engine) -> Result<T, Error>) -> Result<T, Error> {
        let mark = self.recorder.as_ref().map(Recorder::mark);
        let answer = call(self);
        match (&answer, &mut self.recorder, mark) {
            (Err(_), Some(recorder), Some(mark)) => recorder.undo(mark),
            _ => self.seal(),
        }
        answer
    }

    /// `checkMany`'s answer (its events recorded as it goes).
    pub(super) fn decide_many(&mut self, requests: JsValue) -> Result<JsValue, Error> {
        let mut out = String::from("[");
        let mut decide = |n: usize, request: serde_json::Value| -> Result<(), Error> {
            let events = Engine::sink(&mut self.recorder, 0.0);
            let decision = self.engine.answer_check_logged(&request, Some(&self.dataset), events).map_err(|e| e.at(&format!("/{n}")))?;
            if let Some(recorder) = &mut self.recorder {
                recorder.seal();
            }
            if n > 0 {
                out.push(',');
            }
            out.push_str(&crate::case::to_camel_json(&decision).unwrap_or_default());
            Ok(())
        };
        match requests.dyn_ref::<js_sys::Array>() {
            Some(list) => {
                for (n, item) in list.iter().enumerate() {
                    decide(n, from_js(item, "request").map_err(|e| e.at(&format!("/{n}")))?)?;
                }
            }
            None => match from_js(requests, "requests")? {
                serde_json::Value::Array(items) => {
                    for (n, item) in items.into_iter().enumerate() {
                        decide(n, item)?;
                    }
                }
                _ => return Err(Error::one("", code::BAD_TYPE, "requests must be a list")),
            },
        }
        out.push(']');
        js_sys::JSON::parse(&out).map_err(|_| Error::one("", code::BAD_VALUE, "cannot encode the result"))
    }

    /// The verdict for positions, its event recorded into `recorder` when
    /// recording (the decision then made in full, once); `None` for an
    /// invalid position.
    pub(super) fn verdict(
        (engine, dataset): (&clearance_core::Engine, &Dataset),
        recorder: &mut Option<Recorder>,
        positions: [u32; 3],
        context: &Context,
        ms: f64,
    ) -> Option<bool> {
        // A context's own `time` stamps its events: no clock to read.
        let ms = if context.time_ms().is_some() { 1.0 } else { ms };
        let Some((now, out)) = Engine::sink(recorder, ms) else {
            let [u, a, r] = positions;
            return clearance_verdicts::allows(engine, dataset, u, a, r, context);
        };
        let allowed = engine.record_at(dataset, positions, context, now, out);
        if let Some(recorder) = recorder {
            recorder.seal();
        }
        allowed
    }

    pub(super) fn drained(&mut self, most: &JsValue) -> Result<String, JsValue> {
        throwing(|| {
            let most = crate::events::limit_arg(most, "most")?.unwrap_or(usize::MAX);
            let revision = self.stamp.as_ref().map(|s| s.revision);
            match &mut self.recorder {
                Some(recorder) => crate::events::lines(recorder, &self.engine, revision, most),
                None => Ok(String::new()),
            }
        })
    }
}
