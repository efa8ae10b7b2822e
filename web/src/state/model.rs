//! The admin app's model, free of the browser so it is tested natively: the
//! applied policy and dataset, the staged (not yet applied) edits, and the
//! questions the pages ask of them. Every edit goes through
//! `clearance_core::change`, the same code the CLI's change requests use.

use clearance_core::change::{self, Operation};
use clearance_core::policy::Policy;
use clearance_core::{Dataset, Engine, Error, Lang, Query, explain};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What the app persists (browser storage) and exports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// The applied policy.
    pub policy: Policy,
    /// The records (a JSON list, as in a records file).
    pub records: serde_json::Value,
    /// Edits staged but not applied.
    #[serde(default)]
    pub staged: Vec<Operation>,
    /// The large generated org: its records live in the Web Worker (this
    /// many), not here; `records` is then empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub large: Option<usize>,
    /// The engine `stage` compiled while checking the staged edits, reused
    /// by `compile` (compiling the 10,000-user org twice per edit would
    /// stall the page).
    #[serde(skip)]
    cache: Cache,
}

/// A compiled engine for a staged list; never part of equality or storage.
#[derive(Debug, Clone, Default)]
struct Cache(Option<Arc<(Vec<Operation>, Arc<Engine>)>>);

impl PartialEq for Cache {
    fn eq(&self, _: &Cache) -> bool {
        true
    }
}

/// The model compiled: the engine and dataset with the staged edits (and,
/// for the demo-sized org, before them too, for the diff).
pub struct Compiled {
    /// The applied policy's engine and records; `None` for the large org,
    /// whose diff the Web Worker computes.
    pub base: Option<(Engine, Dataset)>,
    /// The engine with the staged edits.
    pub current: Arc<Engine>,
    /// Its records.
    pub current_records: Dataset,
}

/// One record a user can access.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordRow {
    /// Record id.
    pub id: String,
    /// `read`, `edit` or `full`.
    pub level: String,
    /// Reason kinds.
    pub reasons: Vec<String>,
    /// The decision explained.
    pub message: String,
    /// Readable fields.
    pub read: Vec<String>,
    /// Editable fields.
    pub edit: Vec<String>,
}

/// One user who can access a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    /// User id.
    pub user: String,
    /// The decision explained.
    pub message: String,
}

/// A full decision for the page that picks both a user and a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionRow {
    /// Allowed?
    pub allowed: bool,
    /// The deny stage.
    pub stage: Option<String>,
    /// `mfa` when stepping up would allow.
    pub remedy: Option<String>,
    /// Explained.
    pub message: String,
}

impl Model {
    /// The built-in demo: the reference org and its records.
    pub fn demo() -> Model {
        let policy = clearance_core::parse_policy(clearance_core::generate::REFERENCE_ORG).unwrap_or_default();
        let records = serde_json::from_str(clearance_core::generate::REFERENCE_RECORDS).unwrap_or_default();
        Model { policy, records, staged: Vec::new(), large: None, cache: Cache::default() }
    }

    /// The large generated org (10,000 users): its policy here, its
    /// `records` records in the Web Worker, which generates the same ones
    /// (the generator is deterministic and makes the policy first).
    pub fn large(records: usize) -> Model {
        let (policy, _) = clearance_core::generate::generate(&clearance_core::generate::Params::large(0));
        Model { policy, records: serde_json::Value::Array(Vec::new()), staged: Vec::new(), large: Some(records), cache: Cache::default() }
    }

    /// Compiles the applied policy and the staged edits.
    ///
    /// # Errors
    /// The staged edits' problems (paths `/i/...` into the staged list).
    pub fn compile(&self) -> Result<Compiled, Error> {
        let base = match self.large {
            Some(_) => None,
            None => {
                let engine = Engine::compile(self.policy.clone())?;
                let records = engine.load_records(&self.records)?;
                Some((engine, records))
            }
        };
        let current = match &self.cache.0 {
            Some(cached) if cached.0 == self.staged => Arc::clone(&cached.1),
            _ => Arc::new(change::apply(&self.policy, &self.staged)?.1),
        };
        let current_records = current.load_records(&self.records)?;
        Ok(Compiled { base, current, current_records })
    }

    /// The policy with the staged edits applied, not compiled; the policy
    /// itself while they do not apply.
    pub fn staged_policy(&self) -> Policy {
        change::edited(&self.policy, &self.staged).unwrap_or_else(|_| self.policy.clone())
    }

    /// Stages an edit after checking that everything staged still applies.
    ///
    /// # Errors
    /// The edit's problems; the staged list is unchanged then.
    pub fn stage(&mut self, op: Operation) -> Result<(), Error> {
        let mut staged = self.staged.clone();
        staged.push(op);
        self.restage(staged)
    }

    /// Stages `staged` in place of what is staged (a simulation's link),
    /// after checking that all of it applies.
    ///
    /// # Errors
    /// The edits' problems; the staged list is unchanged then.
    pub fn restage(&mut self, staged: Vec<Operation>) -> Result<(), Error> {
        if self.large.is_some() {
            // The large org's compile is its worker's (which reports what does not compile).
            change::edited(&self.policy, &staged)?;
            self.staged = staged;
            return Ok(());
        }
        let (_, engine) = change::apply(&self.policy, &staged)?;
        engine.load_records(&self.records)?;
        self.cache = Cache(Some(Arc::new((staged.clone(), Arc::new(engine)))));
        self.staged = staged;
        Ok(())
    }

    /// Removes the staged edit at `index` (when the rest still applies).
    ///
    /// # Errors
    /// The remaining edits' problems (a later edit may depend on it).
    pub fn unstage(&mut self, index: usize) -> Result<(), Error> {
        let mut staged = self.staged.clone();
        if index < staged.len() {
            staged.remove(index);
        }
        if self.large.is_some() {
            change::edited(&self.policy, &staged)?;
        } else {
            change::apply(&self.policy, &staged)?;
        }
        self.staged = staged;
        Ok(())
    }

    /// Applies the staged edits: they become the policy.
    ///
    /// # Errors
    /// The staged edits' problems.
    pub fn apply_staged(&mut self) -> Result<(), Error> {
        let (policy, _) = change::apply(&self.policy, &self.staged)?;
        self.policy = policy;
        self.staged.clear();
        Ok(())
    }

    /// Reads an import: a policy file, or an export `{policy, records, staged?}`.
    /// Nothing is kept unless all of it is valid.
    ///
    /// # Errors
    /// Every problem, with its path.
    pub fn import(text: &str, current: &Model) -> Result<Model, Error> {
        let value = clearance_core::parse_json(text)?;
        let model = if value.get("policy").is_some() && value.get("records").is_some() {
            serde_json::from_value::<Model>(value.clone())
                .map_err(|e| Error::one("", clearance_core::error::code::BAD_VALUE, format!("not a clearance export: {e}")))?
        } else {
            let policy = clearance_core::decode_policy(&value)?;
            Model { policy, records: current.records.clone(), staged: Vec::new(), large: None, cache: Cache::default() }
        };
        // Everything must compile: the policy, the records under it, the staged edits.
        Engine::compile(model.policy.clone())?.load_records(&model.records).map_err(|e| e.at("/records"))?;
        change::apply(&model.policy, &model.staged).map_err(|e| e.at("/staged"))?;
        Ok(model)
    }

    /// An import on a server, whose current policy stays the page's base:
    /// the imported records replace the page's, and the imported policy
    /// (with its own staged edits applied) is staged as one edit replacing
    /// the policy, to be proposed like any other — never applied here.
    /// The staged edits already there stay staged before it.
    ///
    /// # Errors
    /// The import's problems ([`Model::import`]); the replacement's, when
    /// it does not apply after the edits already staged.
    pub fn import_as_change(text: &str, current: &Model) -> Result<Model, Error> {
        // `import` compiled both already: here they are only applied.
        let imported = Model::import(text, current)?;
        let target = change::edited(&imported.policy, &imported.staged)?;
        let mut model = Model { records: imported.records, large: None, cache: Cache::default(), ..current.clone() };
        let now = change::edited(&model.policy, &model.staged)?;
        if target != now {
            model.stage(Operation::ReplacePolicy { policy: Box::new(target) })?;
        }
        Engine::compile(model.policy.clone())?.load_records(&model.records).map_err(|e| e.at("/records"))?;
        Ok(model)
    }

    /// The export.
    pub fn export(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The form kept in browser storage: the export, except that the large
    /// org keeps only its size and staged edits (its policy is regenerated).
    pub fn stored(&self) -> String {
        match self.large {
            Some(records) => serde_json::json!({"large": records, "staged": self.staged}).to_string(),
            None => serde_json::to_string(self).unwrap_or_default(),
        }
    }

    /// The stored form read back; `None` when it is not a valid model.
    pub fn restore(text: &str) -> Option<Model> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let model = match (value.get("large").and_then(serde_json::Value::as_u64), value.get("policy")) {
            (Some(records), None) => {
                let staged = serde_json::from_value(value.get("staged").cloned().unwrap_or_default()).ok()?;
                Model { staged, ..Model::large(usize::try_from(records).ok()?) }
            }
            _ => serde_json::from_value(value).ok()?,
        };
        model.compile().ok()?;
        Some(model)
    }
}

/// Every user id with its display name, in policy order.
pub fn users(policy: &Policy) -> Vec<(String, String)> {
    policy.users.iter().map(|u| (u.id.clone(), u.name.clone().unwrap_or_else(|| u.id.clone()))).collect()
}

/// Per object, the records `user` may read, with reasons, explanation and fields.
pub fn user_view(engine: &Engine, dataset: &Dataset, user: &str, lang: Lang) -> Vec<(String, Vec<RecordRow>)> {
    let context = clearance_core::Context::default();
    let Some(read) = engine.action_id("read") else { return Vec::new() };
    let objects: Vec<String> = engine.object_names().map(str::to_owned).collect();
    objects
        .into_iter()
        .filter_map(|object| {
            let o = engine.object_id(&object)?;
            let rows: Vec<RecordRow> = engine
                .filter_with_reasons(dataset, user, read, o, &context)
                .into_iter()
                .map(|hit| {
                    let record = dataset.record(hit.record).expect("in range");
                    let query = Query {
                        user,
                        action: read,
                        object: o,
                        record: Some(record),
                        context: &context,
                        fields: &[],
                        dataset: Some(dataset),
                    };
                    let out = engine.render(&hit.decision, &query);
                    let fields = out.fields.clone().unwrap_or(clearance_core::FieldsOut { read: Vec::new(), edit: Vec::new() });
                    RecordRow {
                        id: record.id().to_owned(),
                        level: out
                            .level
                            .map(|l| serde_json::to_value(l).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default())
                            .unwrap_or_default(),
                        reasons: out.reasons.iter().map(|r| r.kind.to_string()).collect(),
                        message: explain(&out, &engine.subject(&hit.decision, &query), lang),
                        read: fields.read,
                        edit: fields.edit,
                    }
                })
                .collect();
            Some((object, rows))
        })
        .collect()
}

/// The users who may take `action` on a record, each explained.
pub fn record_view(engine: &Engine, dataset: &Dataset, record: &str, action: &str, lang: Lang) -> Vec<UserRow> {
    let context = clearance_core::Context::default();
    let (Some(found), Some(a)) = (dataset.get(record), engine.action_id(action)) else { return Vec::new() };
    engine
        .who_can(Some(dataset), found, a, &context)
        .into_iter()
        .map(|hit| {
            let query = Query {
                user: &hit.user,
                action: a,
                object: found.object(),
                record: Some(found),
                context: &context,
                fields: &[],
                dataset: Some(dataset),
            };
            let out = engine.render(&hit.decision, &query);
            UserRow { message: explain(&out, &engine.subject(&hit.decision, &query), lang), user: hit.user }
        })
        .collect()
}

/// One decision, explained; on deny, its stage and what would grant it.
pub fn decision_view(engine: &Engine, dataset: &Dataset, user: &str, record: &str, action: &str, lang: Lang) -> Option<DecisionRow> {
    let found = dataset.get(record)?;
    let object = engine.object_name(found.object())?.to_owned();
    let request = clearance_core::Request {
        user: user.to_owned(),
        action: action.to_owned(),
        object,
        record: None,
        record_id: Some(record.to_owned()),
        context: Default::default(),
        fields: None,
    };
    let prepared = engine.prepare(&request, Some(dataset)).ok()?;
    let query = prepared.query(Some(dataset));
    let decision = engine.check_query(&query);
    let out = engine.render(&decision, &query);
    let name = |v: serde_json::Value| v.as_str().map(str::to_owned);
    Some(DecisionRow {
        allowed: out.allowed,
        stage: out.stage.and_then(|s| serde_json::to_value(s).ok()).and_then(name),
        remedy: out.remedy.clone(),
        message: explain(&out, &engine.subject(&decision, &query), lang),
    })
}

/// What the staged edits do: who gains and loses what, with counts.
///
/// # Errors
/// The staged edits' problems.
pub fn simulate(model: &Model) -> Result<clearance_core::diff::Diff, Error> {
    let compiled = model.compile()?;
    let Some((base, base_records)) = &compiled.base else { return Ok(clearance_core::diff::Diff::default()) };
    clearance_core::diff::diff_loaded(base, base_records, &compiled.current, &compiled.current_records, &Default::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_on_a_server_stages_a_replacement_and_keeps_the_base() {
        let mut current = Model::demo();
        current.stage(Operation::MoveUser { user: "rep_east_bob".into(), role: Some("sales_rep_west".into()), department: None }).unwrap();
        let mut other = current.policy.clone();
        other.name = Some("another org".into());
        let model = Model::import_as_change(&serde_json::to_string(&other).unwrap(), &current).unwrap();
        assert_eq!(model.policy, current.policy, "the server's policy stays the base");
        assert_eq!(model.staged.len(), 2, "the edit staged before stays, the replacement follows it");
        assert!(matches!(&model.staged[1], Operation::ReplacePolicy { policy } if **policy == other));
        let already = change::apply(&current.policy, &current.staged).unwrap().0;
        let same = Model::import_as_change(&serde_json::to_string(&already).unwrap(), &current).unwrap();
        assert_eq!(same.staged, current.staged, "importing what is staged already stages nothing more");
        let broken = Model::import_as_change("{\"version\": 1, \"users\": 3}", &current).unwrap_err();
        assert!(!broken.problems().is_empty(), "a broken import says why and changes nothing");
    }

    fn move_bob_large() -> Operation {
        Operation::MoveUser { user: "user_5".into(), role: Some("role_1".into()), department: None }
    }

    fn move_bob() -> Operation {
        Operation::MoveUser { user: "rep_east_bob".into(), role: Some("sales_rep_west".into()), department: None }
    }

    #[test]
    fn demo_user_view_lists_records_with_reasons() {
        let model = Model::demo();
        let compiled = model.compile().unwrap();
        let view = user_view(&compiled.current, &compiled.current_records, "rep_east_alice", Lang::En);
        let accounts = &view.iter().find(|(o, _)| o == "Account").unwrap().1;
        let ids: Vec<&str> = accounts.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["acc_eu_1", "acc_eu_2", "acc_us_1"]);
        assert!(accounts[0].reasons.contains(&"owner".to_owned()));
        assert!(accounts[0].message.contains("rep_east_alice"));
        let zh = user_view(&compiled.current, &compiled.current_records, "rep_east_alice", Lang::Zh);
        assert_ne!(zh[0].1.first().map(|r| &r.message), view[0].1.first().map(|r| &r.message));
    }

    #[test]
    fn staging_the_bob_move_shows_gains_and_losses_and_survives_storage() {
        let mut model = Model::demo();
        model.stage(move_bob()).unwrap();
        let diff = simulate(&model).unwrap();
        assert!(diff.summary.total.gained > 0 && diff.summary.total.lost > 0);
        assert!(diff.changes.iter().any(|c| c.user == "rep_east_bob"));
        let restored = Model::restore(&model.stored()).unwrap();
        assert_eq!(restored, model);
        let mut large = Model::large(1000);
        large.stage(move_bob_large()).unwrap();
        assert!(large.cache.0.is_none(), "staging the large org compiles nothing here: its worker does");
        assert!(large.stage(Operation::RemoveUser { user: "nobody".into() }).is_err(), "an edit that does not apply is still refused");
        assert_eq!(large.staged.len(), 1);
        assert_eq!(large.staged_policy(), change::apply(&large.policy, &large.staged).unwrap().0);
        assert!(large.unstage(0).is_ok() && large.staged.is_empty());
        large.stage(move_bob_large()).unwrap();
        assert!(large.stored().len() < 1000, "the large org stores its size and edits only");
        assert_eq!(Model::restore(&large.stored()).unwrap(), large);
        model.apply_staged().unwrap();
        assert!(model.staged.is_empty());
        assert_eq!(simulate(&model).unwrap().changes.len(), 0);
    }

    #[test]
    fn bad_edits_and_imports_change_nothing() {
        let mut model = Model::demo();
        let before = model.clone();
        let error = model.stage(Operation::MoveUser { user: "nobody".into(), role: None, department: None }).unwrap_err();
        assert_eq!(error.problems()[0].path, "/0/user");
        assert_eq!(model, before);
        let error =
            Model::import(r#"{"roles": [{"id": "r", "parent": "ghost"}], "users": [{"id": "u", "role": "nope"}]}"#, &model).unwrap_err();
        assert!(error.problems().len() >= 2, "{error}");
        assert!(Model::import("{", &model).unwrap_err().has_code(clearance_core::Code::JsonSyntax));
        assert_eq!(Model::restore("not json"), None);
    }

    #[test]
    fn record_and_decision_views() {
        let compiled = Model::demo().compile().unwrap();
        let users: Vec<String> =
            record_view(&compiled.current, &compiled.current_records, "acc_eu_1", "read", Lang::En).into_iter().map(|u| u.user).collect();
        assert!(users.contains(&"rep_east_alice".to_owned()));
        let deny = decision_view(&compiled.current, &compiled.current_records, "rep_east_alice", "acc_us_2", "read", Lang::En).unwrap();
        assert!(!deny.allowed);
        assert_eq!(deny.stage.as_deref(), Some("no_record_access"));
    }
}

/// The JSON name of an enum value (`department_tree`, `public_read`, …).
pub fn name_of<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// An enum value from its JSON name.
pub fn parse_name<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

/// The problems a sharing rule's criteria would have, checked as the admin
/// types: the policy with the staged edits and this criteria, compiled.
/// Only the rule's own problems are returned (paths under the rule).
pub fn criteria_problems(model: &Model, rule: usize, criteria: &str) -> Vec<clearance_core::Problem> {
    condition_problems(model, RuleKind::Sharing, rule, criteria)
}

/// Which rules a condition belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// A sharing rule's `criteria`.
    Sharing,
    /// A forbid rule's `when`.
    Forbid,
}

/// The problems a rule's condition would have (see [`criteria_problems`]).
pub fn condition_problems(model: &Model, kind: RuleKind, rule: usize, text: &str) -> Vec<clearance_core::Problem> {
    let Ok((mut policy, _)) = change::apply(&model.policy, &model.staged) else { return Vec::new() };
    let prefix = match kind {
        RuleKind::Sharing => {
            let Some(entry) = policy.sharing_rules.get_mut(rule) else { return Vec::new() };
            entry.criteria = Some(text.to_owned());
            format!("/sharing_rules/{rule}")
        }
        RuleKind::Forbid => {
            let Some(entry) = policy.forbid.get_mut(rule) else { return Vec::new() };
            entry.when = Some(text.to_owned()).filter(|t| !t.trim().is_empty());
            format!("/forbid/{rule}")
        }
    };
    match Engine::compile(policy) {
        Ok(_) => Vec::new(),
        Err(error) => error.into_problems().into_iter().filter(|p| p.path.starts_with(&prefix)).collect(),
    }
}

#[cfg(test)]
mod editing_tests {
    use super::*;

    #[test]
    fn criteria_are_checked_as_typed_with_positions() {
        let model = Model::demo();
        let rule = model.policy.sharing_rules.iter().position(|r| r.criteria.is_some()).unwrap();
        assert!(criteria_problems(&model, rule, "record.region == 'EU'").is_empty());
        let problems = criteria_problems(&model, rule, "record.region == ");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, "condition_syntax");
        assert!(problems[0].path.starts_with(&format!("/sharing_rules/{rule}/criteria")), "{}", problems[0].path);
        let problems = criteria_problems(&model, rule, "record.nope == 1");
        assert_eq!(problems[0].code, "unknown_field");
    }

    #[test]
    fn forbid_conditions_are_checked_too() {
        let model = Model::demo();
        let rule = model.policy.forbid.iter().position(|r| r.when.is_some()).unwrap();
        assert!(condition_problems(&model, RuleKind::Forbid, rule, "user.id == 'x'").is_empty());
        assert_eq!(condition_problems(&model, RuleKind::Forbid, rule, "user.id ==")[0].code, "condition_syntax");
    }

    /// The page a lint finding's path belongs to.
    #[test]
    fn lint_paths_lead_to_pages() {
        use crate::state::Page;
        assert_eq!(crate::state::page_of("/users/3/role"), Some(Page::Org));
        assert_eq!(crate::state::page_of("/bundles/profiles/x"), Some(Page::Permissions));
        assert_eq!(crate::state::page_of("/sharing_rules/0"), Some(Page::Permissions));
        assert_eq!(crate::state::page_of(""), None);
    }

    #[test]
    fn removing_a_role_in_use_is_refused_with_where() {
        let mut model = Model::demo();
        let error = model.stage(Operation::RemoveRole { role: "sales_rep_east".into() }).unwrap_err();
        assert_eq!(error.problems()[0].code, "in_use");
        assert!(error.problems()[0].message.contains("/users/"));
        assert!(model.staged.is_empty());
        model
            .stage(Operation::AddRole {
                role: clearance_core::policy::Role {
                    id: "intern".into(),
                    name: None,
                    parent: Some("ceo".into()),
                    peers_see_each_other: false,
                },
            })
            .unwrap();
        model.stage(Operation::RemoveRole { role: "intern".into() }).unwrap();
        assert_eq!(model.staged.len(), 2);
    }

    #[test]
    fn enum_names_round_trip() {
        use clearance_core::policy::Scope;
        assert_eq!(name_of(&Scope::DepartmentTree), "department_tree");
        assert_eq!(parse_name::<Scope>("all"), Some(Scope::All));
        assert_eq!(parse_name::<Scope>("nope"), None);
    }
}
