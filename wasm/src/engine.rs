//! The `Engine` class of the npm package: a compiled policy, its resident
//! records, and interned contexts for the handle-based fast path.

use crate::convert::{from_js, to_js};
use crate::error;
use crate::events::{Compact, DEFAULT_LIMIT, Pending, Recorder};
use clearance_core::api::{FilterQuery, PlanQuery, RecordQuery, WhoCanQuery, decode_query};
use clearance_core::error::code;
use clearance_core::{Context, Dataset, Error};
use wasm_bindgen::prelude::*;

/// A compiled policy with its loaded records. Free it with `free()` when done
/// (or let `FinalizationRegistry` do it).
#[wasm_bindgen]
pub struct Engine {
    engine: clearance_core::Engine,
    dataset: Dataset,
    /// Contexts interned by `context()`; handle 0 is the empty context.
    contexts: Vec<Context>,
    /// Decision events, when recording.
    recorder: Option<Recorder>,
    /// A stopped recorder's memory, kept for the next start.
    spare: Vec<Pending>,
}

type JsResult = Result<JsValue, JsValue>;

/// Runs `f`, turning the engine's error into a thrown `Error`.
fn throwing<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, JsValue> {
    f().map_err(|e| error::to_js(&e))
}

/// Records given as an array of objects, JSON text or JSON Lines text.
pub(crate) fn records_json(records: JsValue) -> Result<serde_json::Value, Error> {
    match records.as_string() {
        Some(text) => clearance_core::parse_records(&text),
        None => from_js(records, "records"),
    }
}

/// An optional context object.
pub(crate) fn context_arg(context: JsValue) -> Result<Context, Error> {
    if context.is_undefined() || context.is_null() {
        return Ok(Context::default());
    }
    match from_js(context, "context")? {
        serde_json::Value::Object(map) => clearance_core::api::context(&map.into_iter().collect()),
        _ => Err(Error::one("/context", code::BAD_TYPE, "context must be an object")),
    }
}

fn bad_handle(what: &str, handle: u32) -> Error {
    Error::one("", code::BAD_VALUE, format!("{what} handle `{handle}` is not valid for this engine"))
}

impl Engine {
    fn new(engine: clearance_core::Engine) -> Result<Engine, Error> {
        let dataset = engine.load_records(&serde_json::Value::Array(Vec::new()))?;
        Ok(Engine { engine, dataset, contexts: vec![Context::default()], recorder: None, spare: Vec::new() })
    }

    /// The recorder's clock, when recording.
    fn clock(&self) -> Option<i64> {
        self.recorder.as_ref().map(|_| js_sys::Date::now() as i64)
    }

    fn record_full(&mut self, event: Option<clearance_core::activity::Event<'static>>) {
        if let (Some(recorder), Some(event)) = (&mut self.recorder, event) {
            recorder.push(Pending::Full(Box::new(event)));
        }
    }

    fn context_at(&self, handle: u32) -> Result<&Context, Error> {
        self.contexts.get(handle as usize).ok_or_else(|| bad_handle("context", handle))
    }
}

#[wasm_bindgen]
impl Engine {
    /// Compiles a policy (an object or JSON text); throws with every problem.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(#[wasm_bindgen(unchecked_param_type = "PolicyInput")] policy: JsValue) -> Result<Engine, JsValue> {
        throwing(|| {
            let engine = match policy.as_string() {
                Some(text) => clearance_core::Engine::from_json(&text)?,
                None => clearance_core::Engine::from_value(&crate::convert::policy_from_js(policy, "policy")?)?,
            };
            Engine::new(engine)
        })
    }

    /// Loads a signed bundle (see `clearance bundle`), verifying its Ed25519
    /// signature against `publicKey` (32 bytes, or 64 hex digits). Pass
    /// `publicKey = null` and `{allowUnsigned: true}` to load an unsigned one.
    #[wasm_bindgen(js_name = fromBundle)]
    pub fn from_bundle(
        bytes: Vec<u8>,
        #[wasm_bindgen(js_name = publicKey, unchecked_param_type = "Uint8Array | string | null")] public_key: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "BundleOptions")] options: Option<JsValue>,
    ) -> Result<Engine, JsValue> {
        throwing(|| {
            let key = crate::bundle::public_key(public_key)?;
            let allow_unsigned = crate::bundle::allow_unsigned(options.unwrap_or(JsValue::UNDEFINED))?;
            Engine::new(clearance_core::bundle::open_owned(bytes, key.as_ref(), allow_unsigned)?)
        })
    }

    /// Decides one request (SPEC §5); a deny is a normal result.
    #[wasm_bindgen(unchecked_return_type = "Decision")]
    pub fn check(&mut self, #[wasm_bindgen(unchecked_param_type = "Request | string")] request: JsValue) -> JsResult {
        throwing(|| {
            let (decision, event) = self.engine.answer_check_logged(&from_js(request, "request")?, Some(&self.dataset), self.clock())?;
            self.record_full(event);
            to_js(&decision)
        })
    }

    /// Decides many requests; an invalid one throws, naming its index (and
    /// records nothing).
    #[wasm_bindgen(js_name = checkMany, unchecked_return_type = "Decision[]")]
    pub fn check_many(&mut self, #[wasm_bindgen(unchecked_param_type = "Request[] | string")] requests: JsValue) -> JsResult {
        throwing(|| {
            let requests = from_js(requests, "requests")?;
            let items = requests.as_array().ok_or_else(|| Error::one("", code::BAD_TYPE, "requests must be a list"))?;
            let now = self.clock();
            let answers = items
                .iter()
                .enumerate()
                .map(|(n, request)| self.engine.answer_check_logged(request, Some(&self.dataset), now).map_err(|e| e.at(&format!("/{n}"))))
                .collect::<Result<Vec<_>, _>>()?;
            let mut decisions = Vec::with_capacity(answers.len());
            for (decision, event) in answers {
                self.record_full(event);
                decisions.push(decision);
            }
            to_js(&decisions)
        })
    }

    /// Replaces the resident records (an array, JSON text or JSON Lines
    /// text); throws with every bad record and keeps the previous ones.
    /// Returns the number of records loaded.
    #[wasm_bindgen(js_name = loadRecords)]
    pub fn load_records(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "RecordInput[] | string")] records: JsValue,
    ) -> Result<u32, JsValue> {
        throwing(|| {
            let dataset = match records.as_string() {
                Some(text) => self.engine.load_records_text(&text)?,
                None => self.engine.load_records(&from_js(records, "records")?)?,
            };
            // Pending fast-path events name records by position: render them
            // against the records they were decided on before those go.
            if let Some(recorder) = &mut self.recorder {
                recorder.settle(&self.engine, &self.dataset, &self.contexts);
            }
            self.dataset = dataset;
            Ok(u32::try_from(self.dataset.len()).unwrap_or(u32::MAX))
        })
    }

    /// The resident records `user` may access with `action` on `object`.
    #[wasm_bindgen(unchecked_return_type = "string[] | FilterHit[]")]
    pub fn filter(&self, #[wasm_bindgen(unchecked_param_type = "FilterQuery")] query: JsValue) -> JsResult {
        throwing(|| {
            let query: FilterQuery = decode_query(&from_js(query, "query")?)?;
            to_js(&self.engine.answer_filter(&self.dataset, &query)?)
        })
    }

    /// The users who may access a resident record with an action, with reasons.
    #[wasm_bindgen(js_name = whoCan, unchecked_return_type = "UserReasons[]")]
    pub fn who_can(&self, #[wasm_bindgen(unchecked_param_type = "WhoCanQuery")] query: JsValue) -> JsResult {
        throwing(|| {
            let query: WhoCanQuery = decode_query(&from_js(query, "query")?)?;
            to_js(&self.engine.answer_who_can(&self.dataset, &query)?)
        })
    }

    /// The readable and editable fields of a record, or `null` when unreadable.
    #[wasm_bindgen(unchecked_return_type = "FieldSets | null")]
    pub fn fields(&self, #[wasm_bindgen(unchecked_param_type = "RecordQuery")] query: JsValue) -> JsResult {
        throwing(|| {
            let query: RecordQuery = decode_query(&from_js(query, "query")?)?;
            to_js(&self.engine.answer_fields(Some(&self.dataset), &query)?)
        })
    }

    /// The record without the fields the user may not read, or `null`.
    #[wasm_bindgen(unchecked_return_type = "RecordInput | null")]
    pub fn redact(&self, #[wasm_bindgen(unchecked_param_type = "RecordQuery")] query: JsValue) -> JsResult {
        throwing(|| {
            let query: RecordQuery = decode_query(&from_js(query, "query")?)?;
            to_js(&self.engine.answer_redact(Some(&self.dataset), &query)?)
        })
    }

    /// The parameterised PostgreSQL predicate equal to `filter`.
    #[wasm_bindgen(unchecked_return_type = "SqlPlan")]
    pub fn plan(&self, #[wasm_bindgen(unchecked_param_type = "PlanQuery")] query: JsValue) -> JsResult {
        throwing(|| {
            let query: PlanQuery = decode_query(&from_js(query, "query")?)?;
            to_js(&self.engine.answer_plan(query)?)
        })
    }

    /// The lint findings of this engine's policy.
    #[wasm_bindgen(unchecked_return_type = "LintFinding[]")]
    pub fn lint(&self) -> JsResult {
        throwing(|| to_js(&self.engine.lint()?))
    }

    /// The number of resident records.
    #[wasm_bindgen(getter, js_name = recordCount)]
    pub fn record_count(&self) -> u32 {
        u32::try_from(self.dataset.len()).unwrap_or(u32::MAX)
    }

    /// The number of users.
    #[wasm_bindgen(getter, js_name = userCount)]
    pub fn user_count(&self) -> u32 {
        u32::try_from(self.engine.user_count()).unwrap_or(u32::MAX)
    }

    /// Fast path: a user's handle, or -1 when unknown.
    #[wasm_bindgen(js_name = userHandle)]
    pub fn user_handle(&self, id: &str) -> i32 {
        self.engine.user_position(id).map_or(-1, |h| i32::try_from(h).unwrap_or(-1))
    }

    /// Fast path: a resident record's handle, or -1 when unknown.
    #[wasm_bindgen(js_name = recordHandle)]
    pub fn record_handle(&self, id: &str) -> i32 {
        self.dataset.position(id).map_or(-1, |h| i32::try_from(h).unwrap_or(-1))
    }

    /// Fast path: an action's handle, or -1 when unknown.
    #[wasm_bindgen(js_name = actionHandle)]
    pub fn action_handle(&self, name: &str) -> i32 {
        self.engine.action_id(name).map_or(-1, |h| i32::try_from(h).unwrap_or(-1))
    }

    /// Fast path: interns a context (validated now, once) and returns its
    /// handle; handle 0 is the empty context.
    #[wasm_bindgen(js_name = contextHandle)]
    pub fn context_handle(&mut self, #[wasm_bindgen(unchecked_param_type = "Context")] context: JsValue) -> Result<u32, JsValue> {
        throwing(|| {
            let context = context_arg(context)?;
            self.contexts.push(context);
            Ok(u32::try_from(self.contexts.len() - 1).unwrap_or(u32::MAX))
        })
    }

    /// Fast path: the verdict of `check` for handles, with nothing decoded or
    /// allocated on the JavaScript side. Throws on an invalid handle.
    pub fn allows(&mut self, user: u32, action: u32, record: u32, context: u32) -> Result<bool, JsValue> {
        throwing(|| {
            let (allowed, timed) = {
                let c = self.context_at(context)?;
                let allowed = clearance_verdicts::allows(&self.engine, &self.dataset, user, action, record, c)
                    .ok_or_else(|| bad_handle("user, action or record", user))?;
                (allowed, c.time_ms().is_some())
            };
            if let Some(recorder) = &mut self.recorder {
                // The clock is read only when the event needs it (a context's
                // own `time` stamps the event): reading it costs this call a
                // fifth of its time.
                let ms = if timed { 0.0 } else { js_sys::Date::now() };
                recorder.push(Pending::Compact(Compact { user, action, record, context, ms }));
            }
            Ok(allowed)
        })
    }

    /// Fast path over arrays: `out[i]` is 1 when `users[i]` may take
    /// `actions[i]` on `records[i]`, 0 when denied, 2 for an invalid handle.
    #[wasm_bindgen(js_name = checkHandles)]
    pub fn check_handles(&mut self, users: &[u32], actions: &[u32], records: &[u32], context: u32) -> Result<Vec<u8>, JsValue> {
        throwing(|| {
            if users.len() != actions.len() || users.len() != records.len() {
                return Err(Error::one("", code::BAD_VALUE, "users, actions and records must have the same length"));
            }
            let out = clearance_verdicts::allows_many(&self.engine, &self.dataset, users, actions, records, self.context_at(context)?);
            if let Some(recorder) = &mut self.recorder {
                let ms = js_sys::Date::now();
                for (i, &verdict) in out.iter().enumerate() {
                    if verdict != 2 {
                        recorder.push(Pending::Compact(Compact { user: users[i], action: actions[i], record: records[i], context, ms }));
                    }
                }
            }
            Ok(out)
        })
    }

    /// Starts (`true`) or stops (`false`) recording a decision event for every
    /// check; at most `limit` events (default 1,000,000) wait between drains,
    /// later ones are counted in `eventsDropped` instead of kept. Starting
    /// while recording keeps the pending events (and sets the new limit);
    /// stopping discards them.
    #[wasm_bindgen(js_name = recordEvents)]
    pub fn record_events(&mut self, on: bool, limit: Option<u32>) {
        let limit = limit.map_or(DEFAULT_LIMIT, |l| l as usize).max(1);
        match (&mut self.recorder, on) {
            (Some(recorder), true) => recorder.limit = limit,
            (None, true) => self.recorder = Some(Recorder::new(limit, std::mem::take(&mut self.spare))),
            (_, false) => {
                if let Some(recorder) = self.recorder.take() {
                    self.spare = recorder.into_buffer();
                }
            }
        }
    }

    /// The decision events since the last drain, oldest first (see `docs/activity-events.md`).
    #[wasm_bindgen(js_name = drainEvents, unchecked_return_type = "DecisionEvent[]")]
    pub fn drain_events(&mut self) -> JsResult {
        // Through the JSON Lines text: one serializer for both drains keeps
        // the binary small, and event keys are camelCase already.
        let lines = clearance_core::activity::to_lines(&self.drained());
        let list = format!("[{}]", lines.trim_end().replace('\n', ","));
        js_sys::JSON::parse(&list).map_err(|_| error::to_js(&Error::one("", code::BAD_VALUE, "cannot encode the events")))
    }

    /// The decision events since the last drain as JSON Lines text: the
    /// format `clearance activity analyze` and the admin app read.
    #[wasm_bindgen(js_name = drainEventLines)]
    pub fn drain_event_lines(&mut self) -> String {
        clearance_core::activity::to_lines(&self.drained())
    }

    /// Events not kept because `limit` were already waiting to be drained.
    #[wasm_bindgen(getter, js_name = eventsDropped)]
    pub fn events_dropped(&self) -> f64 {
        self.recorder.as_ref().map_or(0.0, |r| r.dropped as f64)
    }
}

impl Engine {
    fn drained(&mut self) -> Vec<clearance_core::activity::Event<'static>> {
        match &mut self.recorder {
            Some(recorder) => recorder.drain(&self.engine, &self.dataset, &self.contexts),
            None => Vec::new(),
        }
    }
}
