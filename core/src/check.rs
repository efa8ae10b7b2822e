//! `check`: the decision of SPEC §2, stage by stage.

mod access;
mod fields;
mod session;

use crate::compile::schema::{CREATE, EDIT};
use crate::condition::{EvalEnv, RecordData, RecordView, UserView};
use crate::dataset::{Dataset, Record, RecordRef};
use crate::decision::{Decision, Denial, Reason};
use crate::engine::Engine;
use crate::error::{Error, Problems, code, join};
use crate::policy::Level;
use crate::request::{Context, Request};

/// A request resolved to indices: what the hot path evaluates.
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    /// The acting user's id (unknown ids are denied, not errors).
    pub user: &'a str,
    /// Action index ([`Engine::action_id`]).
    pub action: u32,
    /// Object index ([`Engine::object_id`]).
    pub object: u32,
    /// The record, if the action is record-bound (or a draft for `create`).
    pub record: Option<RecordRef<'a>>,
    /// Session context.
    pub context: &'a Context,
    /// Fields the action touches (indices on the object).
    pub fields: &'a [u32],
    /// Dataset for finding parent records.
    pub dataset: Option<&'a Dataset>,
}

/// A request validated against the engine, owning what the query borrows.
#[derive(Debug, Clone)]
pub struct Prepared {
    user: String,
    action: u32,
    object: u32,
    record: Option<Record>,
    record_id: Option<String>,
    context: Context,
    fields: Vec<u32>,
}

impl Prepared {
    /// The query to evaluate; `dataset` must be the one the request was prepared with.
    pub fn query<'a>(&'a self, dataset: Option<&'a Dataset>) -> Query<'a> {
        let record = self.record.as_ref().map(Record::view).or_else(|| self.record_id.as_deref().and_then(|id| dataset?.get(id)));
        Query { user: &self.user, action: self.action, object: self.object, record, context: &self.context, fields: &self.fields, dataset }
    }
}

impl Engine {
    /// The index of an action by name.
    pub fn action_id(&self, name: &str) -> Option<u32> {
        self.action_index.get(name).copied()
    }

    /// The index of an object type by name.
    pub fn object_id(&self, name: &str) -> Option<u32> {
        self.object_index.get(name).copied()
    }

    /// Validates a request against the schema and dataset.
    ///
    /// # Errors
    /// `unknown_object`, `unknown_action`, `unknown_field`, `unknown_record`,
    /// `record_required`, `object_mismatch`, bad context values, and any
    /// problem of an inline record — all at once, with JSON paths.
    pub fn prepare(&self, request: &Request, dataset: Option<&Dataset>) -> Result<Prepared, Error> {
        let mut problems = Problems::default();
        if dataset.is_some_and(|d| !d.belongs_to(self)) {
            return Err(Error::one("", code::FOREIGN_DATASET, "the dataset was loaded by another engine; load it with this one"));
        }
        let object = self.object_id(&request.object);
        if object.is_none() {
            problems.push("/object", code::UNKNOWN_OBJECT, format!("unknown object `{}`", request.object));
        }
        let action = self.action_id(&request.action);
        if action.is_none() {
            problems.push("/action", code::UNKNOWN_ACTION, format!("unknown action `{}`", request.action));
        }
        let context = Context::from_map(&request.context, "/context").unwrap_or_else(|e| {
            problems.extend_at("", e);
            Context::default()
        });
        let record = match &request.record {
            Some(input) => match self.compile_record(input) {
                Ok(record) => Some(record),
                Err(e) => {
                    problems.extend_at("/record", e);
                    None
                }
            },
            None => None,
        };
        if request.record.is_some() && request.record_id.is_some() {
            problems.push("/record_id", code::BAD_VALUE, "give either `record` or `record_id`, not both");
        }
        if let Some(id) = &request.record_id {
            match dataset.and_then(|d| d.get(id)) {
                None => problems.push("/record_id", code::UNKNOWN_RECORD, format!("unknown record `{id}`")),
                Some(found) if Some(found.object()) != object && object.is_some() => {
                    problems.push(
                        "/record_id",
                        code::OBJECT_MISMATCH,
                        format!("record `{id}` is a `{}`, not a `{}`", self.objects[found.object() as usize].name, request.object),
                    );
                }
                Some(_) => {}
            }
        }
        if let (Some(record), Some(o)) = (&record, object)
            && record.object() != o
        {
            problems.push(
                "/record/object",
                code::OBJECT_MISMATCH,
                format!("record is a `{}`, not a `{}`", self.objects[record.object() as usize].name, request.object),
            );
        }
        if action.is_some_and(|a| a != CREATE) && request.record.is_none() && request.record_id.is_none() {
            problems.push("", code::RECORD_REQUIRED, format!("action `{}` needs a `record` or `record_id`", request.action));
        }
        let mut fields = Vec::new();
        if let (Some(names), Some(o)) = (&request.fields, object) {
            for (i, name) in names.iter().enumerate() {
                match self.objects[o as usize].field_index.get(name.as_str()) {
                    Some(&f) => fields.push(f),
                    None => {
                        problems.push(join("/fields", i), code::UNKNOWN_FIELD, format!("unknown field `{name}` on `{}`", request.object))
                    }
                }
            }
        }
        problems.into_result()?;
        let (Some(action), Some(object)) = (action, object) else {
            return Err(Error::one("", code::BAD_VALUE, "request could not be resolved"));
        };
        Ok(Prepared { user: request.user.clone(), action, object, record, record_id: request.record_id.clone(), context, fields })
    }

    /// The query of a plain request — a user, an action and a loaded record
    /// of the object, no context, no fields — without preparing it; `None`
    /// when an id is unknown or the record is of another object
    /// ([`Engine::prepare`] then says which).
    pub fn plain_query<'a>(
        &self,
        user: &'a str,
        [action, object, record]: [&str; 3],
        dataset: &'a Dataset,
        context: &'a Context,
    ) -> Option<Query<'a>> {
        let (action, object, record) = (self.action_id(action)?, self.object_id(object)?, dataset.get(record)?);
        let fits = record.object() == object && action != CREATE && dataset.belongs_to(self);
        fits.then_some(Query { user, action, object, record: Some(record), context, fields: &[], dataset: Some(dataset) })
    }

    /// Decides a request (SPEC §2).
    ///
    /// # Errors
    /// Invalid requests (see [`Engine::prepare`]); a deny is not an error.
    pub fn check(&self, request: &Request, dataset: Option<&Dataset>) -> Result<Decision, Error> {
        let prepared = self.prepare(request, dataset)?;
        Ok(self.check_query(&prepared.query(dataset)))
    }

    /// Decides a resolved query. Allocates nothing beyond the decision.
    ///
    /// A query whose indices this engine does not know (an action or object
    /// out of range, a record of another object, a dataset of another engine)
    /// is denied at stage `no_privilege` instead of panicking: build queries
    /// with [`Engine::prepare`].
    pub fn check_query(&self, query: &Query<'_>) -> Decision {
        if !self.query_fits(query) {
            return Decision {
                allowed: false,
                level: None,
                reasons: Vec::new(),
                denial: Some(Denial::NoPrivilege),
                remedy_mfa: false,
                fields: None,
                user: None,
                object: query.object.min(self.objects.len().saturating_sub(1) as u32),
                action: query.action.min(self.actions.len().saturating_sub(1) as u32),
            };
        }
        let mut decision = self.evaluate(query, false, false);
        if !decision.allowed && self.mfa_matters && query.context.mfa != Some(true) {
            decision.remedy_mfa = self.evaluate(query, true, true).allowed;
        }
        decision
    }

    /// Whether the query is allowed: [`Engine::check_query`]'s verdict without
    /// the rest of the decision (no remedy is tried), for hot paths that only
    /// enforce.
    pub fn verdict(&self, query: &Query<'_>) -> bool {
        self.query_fits(query) && self.evaluate(query, false, true).allowed
    }

    /// [`Engine::verdict`] for a user and a record of this engine's own
    /// dataset given by position: no id lookup, and the record needs no
    /// index check (it was compiled by this engine). `None` when a position
    /// is out of range or the dataset is another engine's.
    // On the check path: instantiated in clearance-verdicts, which the npm
    // package compiles at opt-level 3 (see the workspace's Cargo.toml).
    #[inline]
    pub(crate) fn verdict_at(&self, dataset: &Dataset, u: u32, action: u32, record: u32, context: &Context) -> Option<bool> {
        // The position is known: the user's id is not looked up.
        let query = self.query_at(dataset, u, "", action, record, context)?;
        Some(self.evaluate_for(Some(u), &query, false, true).allowed)
    }

    /// The query of a `create` on an object (no record) for positions; `user`
    /// is the id a decision reports.
    fn create_query<'a>(&'a self, u: u32, user: &'a str, object: u32, context: &'a Context) -> Option<Query<'a>> {
        self.users.get(u as usize)?;
        self.objects.get(object as usize)?;
        Some(Query { user, action: crate::compile::schema::CREATE, object, record: None, context, fields: &[], dataset: None })
    }

    /// [`Engine::verdict_at`] for `create` on an object: no record to read.
    #[inline]
    pub(crate) fn create_verdict_at(&self, u: u32, object: u32, context: &Context) -> Option<bool> {
        let query = self.create_query(u, "", object, context)?;
        Some(self.evaluate_for(Some(u), &query, false, true).allowed)
    }

    /// The full decision of `create` on an object for positions, with its query.
    pub(crate) fn decide_create_at<'a>(&'a self, u: u32, object: u32, context: &'a Context) -> Option<(Query<'a>, Decision)> {
        let query = self.create_query(u, self.user_id(u), object, context)?;
        let decision = self.check_query(&query);
        Some((query, decision))
    }

    /// Stages 4 and 5 of a verdict (record access, forbid rules) for user
    /// `u`, who passed stages 1–3 for the query's object and action: `filter`
    /// runs those once per user, not once per record. Not for `create`,
    /// whose stage 4 reads the grant's scope.
    pub(crate) fn record_stages_allow(&self, u: u32, query: &Query<'_>) -> bool {
        let needs = self.actions[query.action as usize].needs;
        let Some(record) = query.record else { return false };
        let level = self.record_level(u, record, query, false, &mut access::Best { needs, level: None });
        level.is_some_and(|l| l >= needs)
            && self.forbid_denial(query.object, query.action, &self.env(u, query.record, query.context, false)).is_none()
    }

    /// The full decision for positions, with the query it answers.
    pub(crate) fn decide_at<'a>(
        &'a self,
        dataset: &'a Dataset,
        u: u32,
        action: u32,
        record: u32,
        context: &'a Context,
    ) -> Option<(Query<'a>, Decision)> {
        let query = self.query_at(dataset, u, self.user_id(u), action, record, context)?;
        // The same call as `check_query`, so the binary holds one evaluator.
        let decision = self.check_query(&query);
        Some((query, decision))
    }

    /// The paths stage 4 finds for user `u` on a record of the dataset: an
    /// allowing decision's reasons, without the stages around them (what
    /// `diff` reports of a pair it already knows is allowed).
    pub(crate) fn reasons_at(&self, dataset: &Dataset, u: u32, action: u32, record: u32, context: &Context) -> Option<Vec<Reason>> {
        let query = self.query_at(dataset, u, "", action, record, context)?;
        let mut reasons = Vec::new();
        self.record_level(u, query.record?, &query, false, &mut reasons);
        Some(reasons)
    }

    /// The query for positions; `user` is the id a decision reports (a
    /// verdict, which only needs the position, passes none).
    // On the check path: inlined even in the npm package's size-optimised build.
    #[inline(always)]
    fn query_at<'a>(
        &'a self,
        dataset: &'a Dataset,
        u: u32,
        user: &'a str,
        action: u32,
        record: u32,
        context: &'a Context,
    ) -> Option<Query<'a>> {
        if !dataset.belongs_to(self) || action as usize >= self.actions.len() {
            return None;
        }
        self.users.get(u as usize)?;
        let record = dataset.record(record)?;
        Some(Query { user, action, object: record.object(), record: Some(record), context, fields: &[], dataset: Some(dataset) })
    }

    /// The six stages; `assume_mfa` reads the session as having passed MFA.
    /// A `verdict` only needs `allowed`: record access stops at the first
    /// sufficient path, and field sets are computed only for touched fields.
    fn evaluate(&self, query: &Query<'_>, assume_mfa: bool, verdict: bool) -> Decision {
        self.evaluate_for(None, query, assume_mfa, verdict)
    }

    /// [`Engine::evaluate`] with the user's position when the caller knows it.
    // On the check path: instantiated in clearance-verdicts, which the npm
    // package compiles at opt-level 3 (see the workspace's Cargo.toml).
    #[inline]
    fn evaluate_for(&self, known_user: Option<u32>, query: &Query<'_>, assume_mfa: bool, verdict: bool) -> Decision {
        let mut decision = Decision {
            allowed: false,
            level: None,
            reasons: Vec::new(),
            denial: None,
            remedy_mfa: false,
            fields: None,
            user: None,
            object: query.object,
            action: query.action,
        };
        // Stage 1: user gate.
        let Some(u) = known_user.or_else(|| self.user_at(query.user)) else {
            decision.denial = Some(Denial::UnknownUser);
            return decision;
        };
        decision.user = Some(u);
        let user = &self.users[u as usize];
        if !user.active {
            decision.denial = Some(Denial::InactiveUser);
            return decision;
        }
        let merged = &self.merged[user.merged as usize];
        // Stage 2: session gate.
        if let Some(denial) = self.session_gate(merged, query.context, assume_mfa) {
            decision.denial = Some(denial);
            return decision;
        }
        // Stage 3: privilege.
        let Some((scope, bundle)) = merged.scopes[self.slot(query.object, query.action)] else {
            decision.denial = Some(Denial::NoPrivilege);
            return decision;
        };
        // Stage 4: record access.
        let needs = self.actions[query.action as usize].needs;
        let level = if query.action == CREATE {
            match query.record {
                Some(draft) if !self.scope_covers(scope, u, draft) => None,
                _ => {
                    decision.reasons.push(Reason::Scope { scope, bundle, level: needs });
                    Some(needs)
                }
            }
        } else {
            query.record.and_then(|record| {
                if verdict {
                    self.record_level(u, record, query, assume_mfa, &mut access::Best { needs, level: None })
                } else {
                    self.record_level(u, record, query, assume_mfa, &mut decision.reasons)
                }
            })
        };
        decision.level = level;
        if level.is_none_or(|l| l < needs) {
            decision.denial = Some(Denial::NoRecordAccess { needs });
            return decision;
        }
        // A verdict without forbid rules or fields to check is decided: skip
        // building what conditions see (ids and names looked up per check).
        if verdict && query.fields.is_empty() && self.forbid_deny[self.slot(query.object, query.action)].is_empty() {
            decision.allowed = true;
            return decision;
        }
        // Stage 5: forbid rules.
        let env = self.env(u, query.record, query.context, assume_mfa);
        if let Some(denial) = self.forbid_denial(query.object, query.action, &env) {
            decision.denial = Some(denial);
            return decision;
        }
        // Stage 6: fields.
        if verdict && query.fields.is_empty() {
            decision.allowed = true;
            return decision;
        }
        let fields = self.field_sets(merged, query.object, query.action, level.unwrap_or(Level::Read), &env);
        if matches!(query.action, CREATE | EDIT) {
            let blocked: Vec<u32> = query.fields.iter().copied().filter(|&f| !fields.edit.contains(f)).collect();
            if !blocked.is_empty() {
                decision.denial = Some(Denial::FieldNotEditable { fields: blocked });
                return decision;
            }
        }
        decision.fields = Some(fields);
        decision.allowed = true;
        decision
    }

    /// Whether the query's indices belong to this engine.
    fn query_fits(&self, query: &Query<'_>) -> bool {
        (query.action as usize) < self.actions.len()
            && (query.object as usize) < self.objects.len()
            && query.dataset.is_none_or(|d| d.belongs_to(self))
            && query.record.is_none_or(|r| r.object() == query.object && self.record_fits(r))
            && query.fields.iter().all(|&f| (f as usize) < self.objects[query.object as usize].fields.len())
    }

    /// Whether every index a record holds is one of this engine's.
    fn record_fits(&self, r: RecordRef<'_>) -> bool {
        let principal_fits = |p: &crate::engine::Principal| {
            use crate::engine::Principal;
            match *p {
                Principal::User(u) => (u as usize) < self.users.len(),
                Principal::Group(g) => (g as usize) < self.groups.len(),
                Principal::Role(x) | Principal::RoleAndSubordinates(x) => (x as usize) < self.roles.len(),
                Principal::Department(x) | Principal::DepartmentTree(x) => (x as usize) < self.departments.len(),
            }
        };
        (r.object() as usize) < self.objects.len()
            && (r.owner() as usize) < self.users.len()
            && r.department().is_none_or(|d| (d as usize) < self.departments.len())
            && r.team().iter().all(|&(u, _)| (u as usize) < self.users.len())
            && r.shares().iter().all(|(p, _)| principal_fits(p))
            && r.parent().is_none_or(|p| self.record_fits(p))
    }

    /// Stage 5: the first matching forbid rule (in id order) denies; an
    /// unknown condition matches (fail closed).
    // On the check path: instantiated in clearance-verdicts, which the npm
    // package compiles at opt-level 3 (see the workspace's Cargo.toml).
    #[inline]
    pub(crate) fn forbid_denial(&self, object: u32, action: u32, env: &EvalEnv<'_>) -> Option<Denial> {
        for &(rule, condition) in &self.forbid_deny[self.slot(object, action)] {
            match self.conditions[condition as usize].evaluate(env) {
                Ok(false) => {}
                Ok(true) => return Some(Denial::Forbidden { rule, unknown: None }),
                Err(missing) => return Some(Denial::Forbidden { rule, unknown: Some(missing.into()) }),
            }
        }
        None
    }

    /// What conditions see of this user, record and context.
    pub(crate) fn env<'a>(&'a self, u: u32, record: Option<RecordRef<'a>>, context: &'a Context, assume_mfa: bool) -> EvalEnv<'a> {
        let user = &self.users[u as usize];
        EvalEnv {
            user: UserView {
                id: self.user_id(u),
                role: user.role.map(|r| &*self.roles.ids[r as usize]),
                department: user.department.map(|d| &*self.departments.ids[d as usize]),
                attributes: self.values_of(u),
            },
            record: record.map(|r| RecordView {
                owner: self.user_id(r.owner()),
                department: r.department().map(|d| &*self.departments.ids[d as usize]),
                data: RecordData::Stored(r),
            }),
            context,
            assume_mfa,
        }
    }
}
