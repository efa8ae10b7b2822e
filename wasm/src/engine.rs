//! The `Engine` class of the npm package: a compiled policy, its resident
//! records, and interned contexts for the handle-based fast path.

use crate::contexts::{Contexts, bad_context};
use crate::convert::{from_js, to_js};
use crate::error;
use crate::events::{DEFAULT_LIMIT, Recorder};
use crate::handles::{BAD_HANDLE, Tag, Tags};
use clearance_core::api::{FilterQuery, PlanQuery, RecordQuery, WhoCanQuery, decode_query};
use clearance_core::error::code;
use clearance_core::{Context, Dataset, Error};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

mod recording;

/// A compiled policy with its loaded records. Free it with `free()` when done
/// (or let `FinalizationRegistry` do it).
#[wasm_bindgen]
pub struct Engine {
    engine: clearance_core::Engine,
    dataset: Dataset,
    /// The tags of this engine's handles, one per kind, so a handle of
    /// one kind is refused where another kind belongs.
    tags: Tags,
    /// The tag of record handles: new with every `loadRecords`.
    records_tag: Tag,
    /// Contexts interned by `contextHandle`; handle 0 is the empty context.
    contexts: Contexts,
    /// Decision events, when recording.
    recorder: Option<Recorder>,
    /// A stopped recorder, its memory kept for the next start.
    spare: Option<Recorder>,
    /// What the bundle it was loaded from says about itself (`None`: compiled here).
    stamp: Option<clearance_core::bundle::Stamp>,
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

fn bad_handle(what: &str, handle: f64) -> Error {
    Error::one("", BAD_HANDLE, format!("`{}` is not a {what} handle of this engine and its loaded records", crate::handles::shown(handle)))
}

/// A string argument, refused with a coded error when it is anything else.
fn string_arg(value: &JsValue, what: &str) -> Result<String, Error> {
    value.as_string().ok_or_else(|| Error::one(format!("/{what}"), code::BAD_TYPE, format!("`{what}` must be a string")))
}

/// A handle as JavaScript sees it: -1 for an unknown id.
fn handle_or_unknown(tag: &Tag, index: Option<u32>) -> f64 {
    index.map_or(-1.0, |i| tag.handle(i))
}

impl Engine {
    fn new(engine: clearance_core::Engine) -> Result<Engine, Error> {
        let dataset = engine.load_records(&serde_json::Value::Array(Vec::new()))?;
        Ok(Engine {
            engine,
            dataset,
            tags: Tags::default(),
            records_tag: Tag::new(),
            contexts: Contexts::new(),
            recorder: None,
            spare: None,
            stamp: None,
        })
    }

    /// The positions three handles name, or the first refused one's error.
    fn positions(&self, user: f64, action: f64, record: f64) -> Result<(u32, u32, u32), Error> {
        let u = self.tags.user.index(user).ok_or_else(|| bad_handle("user", user))?;
        let a = self.tags.action.index(action).ok_or_else(|| bad_handle("action", action))?;
        let r = self.records_tag.index(record).ok_or_else(|| bad_handle("record", record))?;
        Ok((u, a, r))
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
    /// signature against the trusted key it names: `publicKey` is one key
    /// (32 bytes, or 64 hex digits) or an array of keys and `{key,
    /// retiredAt}` (a rotation: the old key refused from `retiredAt` on).
    /// `{minRevision}` refuses an older revision (`stale_bundle`: a replay);
    /// a bundle past its `not_after` is `expired_bundle`. Pass `publicKey =
    /// null` and `{allowUnsigned: true}` to load an unsigned one.
    #[wasm_bindgen(js_name = fromBundle)]
    pub fn from_bundle(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: JsValue,
        #[wasm_bindgen(js_name = publicKey, unchecked_param_type = "TrustedKeys | null")] public_key: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "BundleOptions")] options: Option<JsValue>,
    ) -> Result<Engine, JsValue> {
        throwing(|| {
            let bytes = crate::bundle::bytes(bytes)?;
            let keys = crate::bundle::trusted_keys(public_key)?;
            let trust = crate::bundle::trust(keys, options.unwrap_or(JsValue::UNDEFINED), js_sys::Date::now() as i64)?;
            let (engine, stamp) = clearance_core::bundle::open_trusted(bytes, &trust)?;
            let mut engine = Engine::new(engine)?;
            engine.stamp = Some(stamp);
            Ok(engine)
        })
    }

    /// What the bundle this engine was loaded from says about itself —
    /// `{revision, policyHash, issuedAt, notAfter, keyId}` — or `null` for
    /// an engine compiled from a policy.
    #[wasm_bindgen(getter, js_name = bundleStamp, unchecked_return_type = "BundleStamp | null")]
    pub fn bundle_stamp(&self) -> JsResult {
        let Some(stamp) = &self.stamp else { return Ok(JsValue::NULL) };
        throwing(|| {
            to_js(&serde_json::json!({
                "revision": stamp.revision,
                "policyHash": stamp.policy_hash,
                "issuedAt": clearance_core::format_rfc3339(stamp.issued_at_ms),
                "notAfter": stamp.not_after_ms.map(clearance_core::format_rfc3339),
                "keyId": stamp.key_id,
            }))
        })
    }

    /// Decides one request (SPEC §5); a deny is a normal result.
    #[wasm_bindgen(unchecked_return_type = "Decision")]
    pub fn check(&mut self, #[wasm_bindgen(unchecked_param_type = "Request | string")] request: JsValue) -> JsResult {
        throwing(|| {
            let request = from_js(request, "request")?;
            to_js(&self.recorded(|e| e.engine.answer_check_logged(&request, Some(&e.dataset), Engine::sink(&mut e.recorder, 0.0)))?)
        })
    }

    /// `check` for a plain request's four ids (the package's entry point
    /// sends plain requests here: no object walk, no JSON on the way in),
    /// answered as numbers and the message (`clearance_core::compact`);
    /// none, and no event recorded, when an id is unknown or the numbers
    /// cannot say it all: the package then asks `check`, which answers or
    /// throws what is wrong. `ms` is the recorder's clock (0: read it here).
    #[wasm_bindgen(js_name = checkByIds, skip_typescript)]
    pub fn check_by_ids(&mut self, ids: &str, user: u32, action: u32, object: u32, ms: f64) -> String {
        let mut answer = String::new();
        let Some([user, action, object, record_id]) = crate::ids::split(ids, [user, action, object]) else { return answer };
        let context = Context::default();
        if let Some(query) = self.engine.plain_query(user, [action, object, record_id], &self.dataset, &context)
            && let Some(decision) = self.engine.answer_compact(&query, &mut answer)
            && let Some((now, out)) = Engine::sink(&mut self.recorder, ms)
        {
            self.engine.record_event(&query, &decision, now, out);
            self.seal();
        }
        answer
    }

    /// The names `checkByIds`'s numbers index, as JSON text (the package
    /// asks once per engine).
    #[wasm_bindgen(js_name = decisionNames, skip_typescript)]
    pub fn decision_names(&self) -> String {
        serde_json::to_string(&self.engine.names()).unwrap_or_default()
    }

    /// `check`'s verdict alone: `true` when the request is allowed. A plain
    /// request by ids (`user`, `action`, `object`, `recordId` of a loaded
    /// record, no context) takes the handle path (the package's entry point
    /// passes its four strings to `verdictByIds`); any other request is
    /// decided as `check` decides it. Misuse throws as `check` does.
    #[wasm_bindgen(js_name = isAllowed)]
    pub fn is_allowed(&mut self, #[wasm_bindgen(unchecked_param_type = "Request | string")] request: JsValue) -> Result<bool, JsValue> {
        throwing(|| {
            let request = from_js(request, "request")?;
            Ok(self.recorded(|e| e.engine.answer_check_logged(&request, Some(&e.dataset), Engine::sink(&mut e.recorder, 0.0)))?.allowed)
        })
    }

    /// `isAllowed` for a plain request's four ids: 1 allowed, 0 denied, -1
    /// when they do not all name a user, action and loaded record of that
    /// object (the caller then asks `isAllowed`, which says why). `ms` as
    /// for `checkByIds`.
    #[wasm_bindgen(js_name = verdictByIds, skip_typescript)]
    pub fn verdict_by_ids(&mut self, ids: &str, user: u32, action: u32, object: u32, ms: f64) -> i32 {
        let Some([user, action, object, record_id]) = crate::ids::split(ids, [user, action, object]) else { return -1 };
        let found = (self.engine.user_position(user), self.engine.action_id(action), self.dataset.position(record_id));
        let (Some(u), Some(a), Some(r)) = found else { return -1 };
        let object = self.engine.object_id(object);
        if object.is_none() || object != self.dataset.record(r).map(|record| record.object()) {
            return -1;
        }
        let allowed = Engine::verdict((&self.engine, &self.dataset), &mut self.recorder, [u, a, r], &Context::default(), ms);
        i32::from(allowed.unwrap_or(false))
    }

    /// Decides many requests; an invalid one throws, naming its index (and
    /// records nothing). Linear in the number of requests: each is read from
    /// the array and its decision written to the answer's JSON text in turn.
    #[wasm_bindgen(js_name = checkMany, unchecked_return_type = "Decision[]")]
    pub fn check_many(&mut self, #[wasm_bindgen(unchecked_param_type = "Request[] | string")] requests: JsValue) -> JsResult {
        throwing(|| self.recorded(|e| e.decide_many(requests)))
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
            let dataset = match (records.as_string(), records.dyn_ref::<js_sys::Array>()) {
                (Some(text), _) => self.engine.load_records_text(&text)?,
                (None, Some(list)) => crate::convert::load_array(&self.engine, list)?,
                (None, None) => self.engine.load_records(&from_js(records, "records")?)?,
            };
            self.dataset = dataset;
            // Handles of the records replaced name nothing now.
            self.records_tag = Tag::new();
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

    /// Fast path: a user's handle, or -1 when unknown. A handle is a number
    /// tied to this engine: another engine refuses it.
    #[wasm_bindgen(js_name = userHandle)]
    pub fn user_handle(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue) -> Result<f64, JsValue> {
        throwing(|| Ok(handle_or_unknown(&self.tags.user, self.engine.user_position(&string_arg(&id, "id")?))))
    }

    /// Fast path: a resident record's handle, or -1 when unknown; tied to
    /// the records loaded now (`loadRecords` makes new ones).
    #[wasm_bindgen(js_name = recordHandle)]
    pub fn record_handle(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue) -> Result<f64, JsValue> {
        throwing(|| Ok(handle_or_unknown(&self.records_tag, self.dataset.position(&string_arg(&id, "id")?))))
    }

    /// Fast path: an action's handle, or -1 when unknown.
    #[wasm_bindgen(js_name = actionHandle)]
    pub fn action_handle(&self, #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue) -> Result<f64, JsValue> {
        throwing(|| Ok(handle_or_unknown(&self.tags.action, self.engine.action_id(&string_arg(&name, "name")?))))
    }

    /// Fast path: an object type's handle, or -1 when unknown (for `allowsCreate`).
    #[wasm_bindgen(js_name = objectHandle)]
    pub fn object_handle(&self, #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue) -> Result<f64, JsValue> {
        throwing(|| Ok(handle_or_unknown(&self.tags.object, self.engine.object_id(&string_arg(&name, "name")?))))
    }

    /// Fast path: whether a user may create a record of an object type (no
    /// record yet): `check`'s verdict for `create`, from handles.
    #[wasm_bindgen(js_name = allowsCreate)]
    pub fn allows_create(&mut self, user: f64, object: f64, context: f64) -> Result<bool, JsValue> {
        throwing(|| {
            let u = self.tags.user.index(user).ok_or_else(|| bad_handle("user", user))?;
            let o = self.tags.object.index(object).ok_or_else(|| bad_handle("object", object))?;
            let c = self.contexts.get(&self.tags.context, context).ok_or_else(|| bad_context(context))?;
            // A context's own `time` stamps its event: no clock to read.
            let allowed = match Engine::sink(&mut self.recorder, if c.time_ms().is_some() { 1.0 } else { 0.0 }) {
                Some((now, out)) => self.engine.record_create_at(u, o, c, now, out),
                None => clearance_verdicts::allows_create(&self.engine, u, o, c),
            };
            self.seal();
            allowed.ok_or_else(|| bad_handle("user or object", user))
        })
    }

    /// Fast path: interns a context (validated now, once) and returns its
    /// handle; `0` is the empty context. Free it with `freeContext` when
    /// done: at most 4,096 are live at once (`too_many_contexts`).
    #[wasm_bindgen(js_name = contextHandle)]
    pub fn context_handle(&mut self, #[wasm_bindgen(unchecked_param_type = "Context")] context: JsValue) -> Result<f64, JsValue> {
        throwing(|| {
            if context.is_undefined() || context.is_null() {
                return Err(Error::one("", code::MISSING_KEY, "missing argument: context (an object; 0 is the empty context's handle)"));
            }
            let context = context_arg(context)?;
            self.contexts.add(&self.tags.context, context)
        })
    }

    /// Releases a context handle; using it afterwards is a `bad_handle` error.
    #[wasm_bindgen(js_name = freeContext)]
    pub fn free_context(&mut self, handle: f64) -> Result<(), JsValue> {
        throwing(|| self.contexts.free(&self.tags.context, handle))
    }

    /// Fast path: the verdict of `check` for handles, with nothing decoded or
    /// allocated on the JavaScript side. Throws `bad_handle` for a number
    /// that is not a handle of this engine and its loaded records.
    pub fn allows(&mut self, user: f64, action: f64, record: f64, context: f64) -> Result<bool, JsValue> {
        throwing(|| {
            let (u, a, r) = self.positions(user, action, record)?;
            let c = self.contexts.get(&self.tags.context, context).ok_or_else(|| bad_context(context))?;
            Engine::verdict((&self.engine, &self.dataset), &mut self.recorder, [u, a, r], c, 0.0)
                .ok_or_else(|| bad_handle("user, action or record", user))
        })
    }

    /// Fast path over arrays of handles (`Float64Array` or arrays of
    /// numbers): `out[i]` is 1 when `users[i]` may take `actions[i]` on
    /// `records[i]`, 0 when denied, 2 for a number that is not a handle of
    /// this engine and its loaded records.
    #[wasm_bindgen(js_name = checkHandles)]
    pub fn check_handles(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] users: &[f64],
        #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] actions: &[f64],
        #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] records: &[f64],
        context: f64,
    ) -> Result<Vec<u8>, JsValue> {
        throwing(|| {
            if users.len() != actions.len() || users.len() != records.len() {
                return Err(Error::one("", code::BAD_VALUE, "users, actions and records must have the same length"));
            }
            let (users, actions, records) =
                (self.tags.user.indices(users), self.tags.action.indices(actions), self.records_tag.indices(records));
            let c = self.contexts.get(&self.tags.context, context).ok_or_else(|| bad_context(context))?;
            if self.recorder.is_none() {
                return Ok(clearance_verdicts::allows_many(&self.engine, &self.dataset, &users, &actions, &records, c));
            }
            // Recording: each decided in full, once, its event recorded; one clock read for all.
            let ms = js_sys::Date::now();
            let (engine, dataset, recorder) = (&self.engine, &self.dataset, &mut self.recorder);
            Ok(engine.allows_many_by(dataset, &users, &actions, &records, |u, a, r| {
                Engine::verdict((engine, dataset), recorder, [u, a, r], c, ms)
            }))
        })
    }

    /// Starts (`true`) or stops (`false`) recording a decision event for every
    /// check; at most `limit` events (default 100,000, at most 1,000,000)
    /// wait between drains, later ones are counted in `eventsDropped` instead
    /// of kept, so memory stays bounded however rarely they are drained. Starting
    /// while recording keeps the pending events (and sets the new limit);
    /// stopping discards them.
    #[wasm_bindgen(js_name = recordEvents)]
    pub fn record_events(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "boolean")] on: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] limit: JsValue,
    ) -> Result<(), JsValue> {
        throwing(|| {
            let on = on.as_bool().ok_or_else(|| Error::one("/on", code::BAD_TYPE, "`on` must be a boolean"))?;
            let limit = crate::events::limit_arg(&limit, "limit")?.unwrap_or(DEFAULT_LIMIT);
            match (&mut self.recorder, on) {
                (Some(recorder), true) => recorder.limit = limit,
                (None, true) => self.recorder = Some(Recorder::new(limit, self.spare.take())),
                (_, false) => {
                    if let Some(recorder) = self.recorder.take() {
                        self.spare = Some(recorder);
                    }
                }
            }
            Ok(())
        })
    }

    /// The decision events since the last drain, oldest first (see
    /// `docs/activity-events.md`), at most `most` of them (default: all).
    #[wasm_bindgen(js_name = drainEvents, unchecked_return_type = "DecisionEvent[]")]
    pub fn drain_events(&mut self, #[wasm_bindgen(unchecked_optional_param_type = "number")] most: JsValue) -> JsResult {
        // Through the JSON Lines text: one writer for both drains keeps the
        // binary small, and event keys are camelCase already.
        let lines = self.drained(&most)?;
        let list = format!("[{}]", lines.trim_end().replace('\n', ","));
        js_sys::JSON::parse(&list).map_err(|_| error::to_js(&Error::one("", code::BAD_VALUE, "cannot encode the events")))
    }

    /// The decision events since the last drain as JSON Lines text (at most
    /// `most` of them, default all): the format `clearance activity
    /// analyze`, the admin app and the control plane's `POST /v1/events`
    /// read. An engine loaded from a published bundle names its revision in
    /// each event.
    #[wasm_bindgen(js_name = drainEventLines)]
    pub fn drain_event_lines(
        &mut self,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] most: JsValue,
    ) -> Result<String, JsValue> {
        self.drained(&most)
    }

    /// `drainEventLines` as UTF-8 bytes: what an edge ships, without
    /// decoding the text into a string and encoding it again.
    #[wasm_bindgen(js_name = drainEventBytes)]
    pub fn drain_event_bytes(
        &mut self,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] most: JsValue,
    ) -> Result<Vec<u8>, JsValue> {
        Ok(self.drained(&most)?.into_bytes())
    }

    /// The decision events since the last drain (at most `most`, default
    /// all) as one batch of bytes: what an edge ships to the control plane
    /// (`POST /v1/events` as `application/vnd.clearance.events`), which
    /// writes their lines against the engine of this bundle's revision.
    /// Only an engine loaded from a published bundle has one (`bad_bundle`).
    #[wasm_bindgen(js_name = drainEventWire)]
    pub fn drain_event_wire(
        &mut self,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] most: JsValue,
    ) -> Result<Vec<u8>, JsValue> {
        throwing(|| {
            let most = crate::events::limit_arg(&most, "most")?.unwrap_or(usize::MAX);
            let revision = self.stamp.as_ref().map(|s| s.revision);
            let mut empty = Recorder::new(1, None);
            crate::events::batch(self.recorder.as_mut().unwrap_or(&mut empty), revision, most)
        })
    }

    /// Events recorded and not yet drained.
    #[wasm_bindgen(getter, js_name = eventsPending)]
    pub fn events_pending(&self) -> f64 {
        self.recorder.as_ref().map_or(0.0, |r| r.len() as f64)
    }

    /// Events not kept because `limit` were already waiting to be drained.
    #[wasm_bindgen(getter, js_name = eventsDropped)]
    pub fn events_dropped(&self) -> f64 {
        self.recorder.as_ref().map_or(0.0, |r| r.dropped as f64)
    }
}
