//! The questions as JSON in, JSON out: one decoding of each query and one
//! rendering of each answer, shared by the CLI, the test-file runner and the
//! wasm binding, so the three can never disagree about a query's meaning.

use crate::check::Query;
use crate::dataset::{Dataset, Record, RecordRef};
use crate::engine::Engine;
use crate::error::{Error, code};
use crate::json::decode_one;
use crate::plan::{Mapping, SqlPlan};
use crate::render::{DecisionOut, FieldsOut, ReasonOut};
use crate::request::{Context, RecordInput, Request};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A context object as written in a query (validated by [`Context::from_map`]).
pub type ContextMap = BTreeMap<String, serde_json::Value>;

/// `filter`: which records of `object` may `user` access with `action`?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FilterQuery {
    /// User id.
    pub user: String,
    /// Action.
    pub action: String,
    /// Object type.
    pub object: String,
    /// Context (default `{}`: gates needing context deny).
    #[serde(default)]
    pub context: ContextMap,
    /// Answer `{id, reasons}` items instead of bare ids.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reasons: bool,
}

/// `who-can`: which users may access the record with `action`?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WhoCanQuery {
    /// Record id in the loaded dataset.
    pub record: String,
    /// Action.
    pub action: String,
    /// Context (default `{}`).
    #[serde(default)]
    pub context: ContextMap,
}

/// `fields` and `redact`: what of one record may `user` read and edit?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordQuery {
    /// User id.
    pub user: String,
    /// The record, by id in the loaded dataset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<String>,
    /// The record, inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<RecordInput>,
    /// Context (default `{}`).
    #[serde(default)]
    pub context: ContextMap,
}

/// `plan`: the SQL predicate equal to `filter` for one user, action and object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanQuery {
    /// User id.
    pub user: String,
    /// Action.
    pub action: String,
    /// Object type.
    pub object: String,
    /// Context (default `{}`).
    #[serde(default)]
    pub context: ContextMap,
    /// The object's table (shortcut for `mapping.tables[object]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Where records live (defaults documented on [`Mapping`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<MappingInput>,
}

/// A column mapping with every key optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingInput {
    /// Table per object type.
    #[serde(default)]
    pub tables: BTreeMap<String, String>,
    /// Record id column.
    #[serde(default)]
    pub id: Option<String>,
    /// Owner column.
    #[serde(default)]
    pub owner: Option<String>,
    /// Effective department column.
    #[serde(default)]
    pub department: Option<String>,
    /// Team table.
    #[serde(default)]
    pub team_table: Option<String>,
    /// Manual shares table.
    #[serde(default)]
    pub shares_table: Option<String>,
}

impl MappingInput {
    /// The mapping with defaults filled in.
    pub fn resolve(self) -> Mapping {
        let mut mapping = Mapping { tables: self.tables, ..Mapping::default() };
        let pick = |slot: &mut String, given: Option<String>| {
            if let Some(given) = given {
                *slot = given;
            }
        };
        pick(&mut mapping.id, self.id);
        pick(&mut mapping.owner, self.owner);
        pick(&mut mapping.department, self.department);
        pick(&mut mapping.team_table, self.team_table);
        pick(&mut mapping.shares_table, self.shares_table);
        mapping
    }
}

/// One `filter` answer item: a bare id, or the id with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FilterItem {
    /// `filter` without reasons.
    Id(String),
    /// `filter` with `reasons: true`.
    WithReasons {
        /// Record id.
        id: String,
        /// Every path granting access.
        reasons: Vec<ReasonOut>,
    },
}

/// One `who-can` answer item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserReasons {
    /// User id.
    pub user: String,
    /// Every path granting access.
    pub reasons: Vec<ReasonOut>,
}

/// Decodes a query, reporting the JSON Pointer of any problem.
///
/// # Errors
/// `bad_type`, `missing_key`, `unknown_key`, `bad_value`.
pub fn decode_query<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<T, Error> {
    decode_one(value)
}

/// Decodes a context object written at `/context`.
///
/// # Errors
/// As [`Context::from_map`].
pub fn context(map: &ContextMap) -> Result<Context, Error> {
    Context::from_map(map, "/context")
}

fn unknown(path: &str, code: crate::Code, what: &str, name: &str) -> Error {
    Error::one(path, code, format!("unknown {what} `{name}`"))
}

impl Engine {
    /// The action's index, or `unknown_action` at `/action`.
    ///
    /// # Errors
    /// `unknown_action`.
    pub fn require_action(&self, name: &str) -> Result<u32, Error> {
        self.action_id(name).ok_or_else(|| unknown("/action", code::UNKNOWN_ACTION, "action", name))
    }

    /// The object's index, or `unknown_object` at `/object`.
    ///
    /// # Errors
    /// `unknown_object`.
    pub fn require_object(&self, name: &str) -> Result<u32, Error> {
        self.object_id(name).ok_or_else(|| unknown("/object", code::UNKNOWN_OBJECT, "object", name))
    }

    /// One request, decided and rendered.
    ///
    /// # Errors
    /// An invalid request (its problems with their paths).
    pub fn answer_check(&self, request: &serde_json::Value, dataset: Option<&Dataset>) -> Result<DecisionOut, Error> {
        self.answer_check_logged(request, dataset, None)
    }

    /// [`Engine::answer_check`], recording the decision's event into
    /// `events` when given, with the recorder's clock.
    ///
    /// # Errors
    /// An invalid request (its problems with their paths).
    pub fn answer_check_logged(
        &self,
        request: &serde_json::Value,
        dataset: Option<&Dataset>,
        events: Option<(i64, &mut Vec<u8>)>,
    ) -> Result<DecisionOut, Error> {
        self.answer_request_logged(&Request::from_value(request)?, dataset, events)
    }

    /// [`Engine::answer_check_logged`] for a request already decoded (the
    /// npm package builds plain requests from their four ids).
    ///
    /// # Errors
    /// An invalid request (its problems with their paths).
    pub fn answer_request_logged(
        &self,
        request: &Request,
        dataset: Option<&Dataset>,
        events: Option<(i64, &mut Vec<u8>)>,
    ) -> Result<DecisionOut, Error> {
        let prepared = self.prepare(request, dataset)?;
        let query = prepared.query(dataset);
        let decision = self.check_query(&query);
        if let Some((now_ms, out)) = events {
            self.record_event(&query, &decision, now_ms, out);
        }
        Ok(self.render(&decision, &query))
    }

    /// `filter`, answered in dataset order.
    ///
    /// # Errors
    /// Unknown action or object; a bad context; a foreign dataset.
    pub fn answer_filter(&self, dataset: &Dataset, query: &FilterQuery) -> Result<Vec<FilterItem>, Error> {
        self.require_own(dataset)?;
        let context = context(&query.context)?;
        let action = self.require_action(&query.action)?;
        let object = self.require_object(&query.object)?;
        if !query.reasons {
            let ids = self.filter(dataset, &query.user, action, object, &context);
            return Ok(ids.into_iter().map(|r| FilterItem::Id(dataset.at(r).id().to_owned())).collect());
        }
        let hits = self.filter_with_reasons(dataset, &query.user, action, object, &context);
        Ok(hits
            .into_iter()
            .map(|hit| {
                let record = dataset.at(hit.record);
                let rendered = Query {
                    user: &query.user,
                    action,
                    object,
                    record: Some(record),
                    context: &context,
                    fields: &[],
                    dataset: Some(dataset),
                };
                FilterItem::WithReasons { id: record.id().to_owned(), reasons: self.render(&hit.decision, &rendered).reasons }
            })
            .collect())
    }

    /// `who-can`, answered in user order.
    ///
    /// # Errors
    /// Unknown record or action; a bad context; a foreign dataset.
    pub fn answer_who_can(&self, dataset: &Dataset, query: &WhoCanQuery) -> Result<Vec<UserReasons>, Error> {
        self.require_own(dataset)?;
        let context = context(&query.context)?;
        let action = self.require_action(&query.action)?;
        let record = dataset.get(&query.record).ok_or_else(|| unknown("/record", code::UNKNOWN_RECORD, "record", &query.record))?;
        Ok(self
            .who_can(Some(dataset), record, action, &context)
            .into_iter()
            .map(|hit| {
                let rendered = Query {
                    user: &hit.user,
                    action,
                    object: record.object(),
                    record: Some(record),
                    context: &context,
                    fields: &[],
                    dataset: Some(dataset),
                };
                UserReasons { reasons: self.render(&hit.decision, &rendered).reasons, user: hit.user }
            })
            .collect())
    }

    /// `fields`: the readable and editable fields, or `None` when the user may
    /// not read the record.
    ///
    /// # Errors
    /// Neither or both of `record_id` and `record`; an unknown record; an
    /// invalid inline record; a bad context.
    pub fn answer_fields(&self, dataset: Option<&Dataset>, query: &RecordQuery) -> Result<Option<FieldsOut>, Error> {
        let context = context(&query.context)?;
        let found = self.query_record(dataset, query)?;
        let record = found.view();
        let fields = self.fields(&query.user, record, &context, dataset);
        Ok(fields.map(|sets| self.fields_out(record.object(), &sets)))
    }

    /// `redact`: the record without the fields the user may not read, or
    /// `None` when the user may not read it.
    ///
    /// # Errors
    /// As [`Engine::answer_fields`].
    pub fn answer_redact(&self, dataset: Option<&Dataset>, query: &RecordQuery) -> Result<Option<RecordInput>, Error> {
        let context = context(&query.context)?;
        let record = self.query_record(dataset, query)?;
        Ok(self.redact(&query.user, record.view(), &context, dataset))
    }

    /// `plan`: the parameterised PostgreSQL predicate equal to `filter`.
    ///
    /// # Errors
    /// Unknown user, action or object; a bad context.
    pub fn answer_plan(&self, query: PlanQuery) -> Result<SqlPlan, Error> {
        let context = context(&query.context)?;
        let mut mapping = query.mapping.unwrap_or_default().resolve();
        if let Some(table) = query.table {
            mapping.tables.insert(query.object.clone(), table);
        }
        self.plan(&query.user, &query.action, &query.object, &context, &mapping)
    }

    /// Whether the user at `user` may create a record of `object` (by
    /// index): [`Engine::check`]'s verdict for `create` without a record,
    /// addressed by positions. `None` when a position is out of range.
    // On the check path: instantiated in clearance-verdicts.
    #[inline]
    pub fn allows_create_at(&self, user: u32, object: u32, context: &Context) -> Option<bool> {
        self.create_verdict_at(user, object, context)
    }

    /// The position of a user (a handle for [`Engine::allows_at`]).
    pub fn user_position(&self, id: &str) -> Option<u32> {
        self.user_at(id)
    }

    /// Whether the user at `user` may take `action` on the record at `record`
    /// of `dataset`: the decision of [`Engine::check`] reduced to its verdict,
    /// addressed by positions so hot callers skip decoding ids. `None` when a
    /// position is out of range or the dataset is another engine's.
    // On the check path: instantiated in clearance-verdicts, which the npm
    // package compiles at opt-level 3 (see the workspace's Cargo.toml).
    #[inline]
    pub fn allows_at(&self, dataset: &Dataset, user: u32, action: u32, record: u32, context: &Context) -> Option<bool> {
        self.verdict_at(dataset, user, action, record, context)
    }

    /// Verdicts of many checks by position, as [`Engine::allows_at`]: 1
    /// allowed, 0 denied, 2 for a position out of range.
    pub fn allows_many(&self, dataset: &Dataset, users: &[u32], actions: &[u32], records: &[u32], context: &Context) -> Vec<u8> {
        self.allows_many_by(dataset, users, actions, records, |u, a, r| self.allows_at(dataset, u, a, r, context))
    }

    /// [`Engine::allows_many`] with the verdict of one check given: a crate
    /// compiled for speed passes its own instance of [`Engine::allows_at`].
    /// Random records are cache misses; each batch's records are read
    /// together before it is checked, so their misses overlap instead of
    /// queueing.
    // On the check path: instantiated in clearance-verdicts, which the npm
    // package compiles at opt-level 3 (see the workspace's Cargo.toml).
    #[inline]
    pub fn allows_many_by(
        &self,
        dataset: &Dataset,
        users: &[u32],
        actions: &[u32],
        records: &[u32],
        mut verdict: impl FnMut(u32, u32, u32) -> Option<bool>,
    ) -> Vec<u8> {
        const BATCH: usize = 64;
        let mut out = Vec::with_capacity(records.len());
        let mut digest = 0;
        for (i, batch) in records.chunks(BATCH).enumerate() {
            digest ^= dataset.touch(batch);
            for (j, &record) in batch.iter().enumerate() {
                let at = i * BATCH + j;
                let (Some(&user), Some(&action)) = (users.get(at), actions.get(at)) else {
                    out.push(2);
                    continue;
                };
                out.push(match verdict(user, action, record) {
                    Some(true) => 1,
                    Some(false) => 0,
                    None => 2,
                });
            }
        }
        std::hint::black_box(digest);
        out
    }

    fn require_own(&self, dataset: &Dataset) -> Result<(), Error> {
        if dataset.belongs_to(self) {
            Ok(())
        } else {
            Err(Error::one("", code::FOREIGN_DATASET, "the records were loaded by another engine: load them again"))
        }
    }

    fn query_record<'d>(&self, dataset: Option<&'d Dataset>, query: &RecordQuery) -> Result<Found<'d>, Error> {
        match (&query.record_id, &query.record) {
            (Some(id), None) => {
                let dataset = dataset.filter(|d| d.belongs_to(self));
                let found = dataset.and_then(|d| d.get(id)).ok_or_else(|| unknown("/record_id", code::UNKNOWN_RECORD, "record", id))?;
                Ok(Found::Stored(found))
            }
            (None, Some(input)) => self.compile_record(input).map(Found::Owned).map_err(|e| e.at("/record")),
            _ => Err(Error::one("", code::MISSING_KEY, "give exactly one of `record_id` and `record`")),
        }
    }
}

/// A record a query names: stored in the dataset, or given inline.
enum Found<'d> {
    Stored(RecordRef<'d>),
    Owned(Record),
}

impl Found<'_> {
    fn view(&self) -> RecordRef<'_> {
        match self {
            Found::Stored(record) => *record,
            Found::Owned(record) => record.view(),
        }
    }
}
