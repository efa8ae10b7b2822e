//! Turns a [`Policy`] into an [`Engine`]: checks every reference, reports
//! every problem at once, and builds the indices the evaluator relies on.

pub(crate) mod bundles;
pub(crate) mod directory;
pub(crate) mod rules;
pub(crate) mod schema;

use crate::engine::Engine;
use crate::error::{Error, Problems, code};
use crate::policy::Policy;

/// The constructors that compile: the compiled form ([`crate::engine`])
/// knows nothing of compiling, so they live with the compiler.
impl Engine {
    /// Compiles a policy: checks every reference and builds the indexed form.
    ///
    /// # Errors
    /// Every problem found, each with its JSON Pointer and stable code.
    pub fn compile(policy: Policy) -> Result<Engine, Error> {
        compile(policy)
    }

    /// Parses and compiles policy JSON text.
    ///
    /// # Errors
    /// Syntax, structure and reference problems, all at once.
    pub fn from_json(text: &str) -> Result<Engine, Error> {
        Engine::compile(crate::policy::parse_policy(text)?)
    }

    /// Compiles a policy from a JSON value.
    ///
    /// # Errors
    /// Structure and reference problems, all at once.
    pub fn from_value(value: &serde_json::Value) -> Result<Engine, Error> {
        Engine::compile(crate::policy::decode_policy(value)?)
    }
}

/// Compiles a policy (see [`Engine::compile`]).
pub(crate) fn compile(policy: Policy) -> Result<Engine, Error> {
    let mut problems = Problems::default();
    if policy.version != 1 {
        problems.push("/version", code::UNSUPPORTED_VERSION, format!("unsupported policy version `{}`, expected `1`", policy.version));
    }
    let schema = schema::compile_schema(&policy, &mut problems);
    let (roles, peer_roles, departments) = directory::compile_trees(&policy, &mut problems);
    let bundle_table = bundles::compile_bundles(&policy, &schema, &mut problems);
    let directory = directory::compile_directory(&policy, &roles, &departments, &bundle_table, &mut problems);
    let merged = bundles::merge_all(&directory.combinations, &bundle_table, &schema);
    let mut engine = Engine {
        users: directory.users,
        user_groups: directory.user_groups,
        user_rules: crate::engine::Lists::default(),
        value_rows: directory.value_rows,
        user_value_rows: directory.user_value_rows,
        users_by_role: Default::default(),
        users_by_department: Default::default(),
        user_index: crate::id_index::IdIndex::build(directory.user_ids.len(), |u| directory.user_ids.get(u).as_bytes()),
        user_ids: directory.user_ids,
        user_names: directory.user_names,
        roles,
        peer_roles,
        departments,
        groups: directory.groups,
        group_index: directory.group_index,
        attributes: directory.attributes,
        objects: schema.objects,
        object_index: schema.object_index,
        actions: schema.actions,
        action_index: schema.action_index,
        bundles: bundle_table.entries,
        merged,
        field_offsets: schema.field_offsets,
        sharing: Vec::new(),
        rule_owners: Vec::new(),
        forbid: Vec::new(),
        conditions: Vec::new(),
        forbid_deny: Vec::new(),
        forbid_hide: Vec::new(),
        mfa_matters: false,
        id: Engine::next_id(),
        source: crate::engine::SourcePolicy::default(),
    };
    rules::compile_rules(&policy, &mut engine, &directory.users_by_role, &directory.users_by_department, &mut problems);
    rules::check_separation_of_duties(&policy, &engine, &mut problems);
    engine.users_by_role = directory.users_by_role;
    engine.users_by_department = directory.users_by_department;
    engine.mfa_matters = engine.bundles.iter().any(|b| b.mfa_required) || engine.conditions.iter().any(|c| c.reads_mfa());
    engine.source = crate::engine::SourcePolicy::ready(policy);
    problems.finish(engine)
}
