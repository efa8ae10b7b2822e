//! `plan`: a database filter equal to `filter` — the record-access paths of
//! SPEC §2 as a PostgreSQL predicate over record columns, with every value
//! passed as a parameter (never interpolated). The expected schema is
//! [`Engine::postgres_ddl`]: one table per object (`id`, `owner_id`,
//! `department_id` holding the record's effective department, one column per
//! field), plus `record_team` and `record_shares` for teams and manual shares.

use crate::compile::schema::CREATE;
use crate::condition::{SqlBool, SqlParams, SqlRecord};
use crate::engine::{Engine, RuleSource};
use crate::error::{Error, code};
use crate::policy::{Baseline, FieldType, Level, Scope};
use crate::request::Context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where records live: tables per object and the shared column names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// Table per object type; objects not listed use their lowercased name.
    pub tables: BTreeMap<String, String>,
    /// Record id column.
    pub id: String,
    /// Owner user id column.
    pub owner: String,
    /// Effective department id column.
    pub department: String,
    /// Team table: `(record_id, user_id, access)`, access 1 read, 2 edit, 3 full.
    pub team_table: String,
    /// Manual shares: `(record_id, principal_kind, principal_id, access)`.
    pub shares_table: String,
}

impl Default for Mapping {
    fn default() -> Mapping {
        Mapping {
            tables: BTreeMap::new(),
            id: "id".into(),
            owner: "owner_id".into(),
            department: "department_id".into(),
            team_table: "record_team".into(),
            shares_table: "record_shares".into(),
        }
    }
}

impl Mapping {
    /// The table of an object: mapped, else the object's name with ASCII
    /// letters lowercased (as PostgreSQL folds unquoted names in UTF-8).
    pub fn table(&self, object: &str) -> String {
        self.tables.get(object).cloned().unwrap_or_else(|| object.to_ascii_lowercase())
    }
}

/// A parameterised query: `sql` selects the ids, `where` is the bare predicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SqlPlan {
    /// `SELECT t."id" FROM "table" AS t WHERE …`.
    pub sql: String,
    /// The predicate alone, over alias `t`, for embedding in a larger query.
    #[serde(rename = "where")]
    pub where_clause: String,
    /// Parameter values for `$1`, `$2`, …, in order.
    pub params: Vec<serde_json::Value>,
}

/// Quotes an SQL identifier.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn level_number(level: Level) -> i64 {
    match level {
        Level::Read => 1,
        Level::Edit => 2,
        Level::Full => 3,
    }
}

struct Columns<'a> {
    engine: &'a Engine,
    object: u32,
    alias: &'a str,
    mapping: &'a Mapping,
}

impl SqlRecord for Columns<'_> {
    fn field(&self, index: u32) -> (String, FieldType) {
        let field = &self.engine.objects[self.object as usize].fields[index as usize];
        (format!("{}.{}", self.alias, ident(&field.name)), field.kind)
    }
    fn id(&self) -> String {
        format!("{}.{}", self.alias, ident(&self.mapping.id))
    }
    fn owner(&self) -> String {
        format!("{}.{}", self.alias, ident(&self.mapping.owner))
    }
    fn department(&self) -> String {
        format!("{}.{}", self.alias, ident(&self.mapping.department))
    }
}

impl Engine {
    /// The records of `object` that `user` may access with `action`, as SQL.
    ///
    /// # Errors
    /// `unknown_object`, `unknown_action`, and `not_translatable` for
    /// conditions PostgreSQL cannot evaluate with the engine's meaning.
    pub fn plan(&self, user: &str, action: &str, object: &str, context: &Context, mapping: &Mapping) -> Result<SqlPlan, Error> {
        let o = self.object_id(object).ok_or_else(|| Error::one("/object", code::UNKNOWN_OBJECT, format!("unknown object `{object}`")))?;
        let a = self.action_id(action).ok_or_else(|| Error::one("/action", code::UNKNOWN_ACTION, format!("unknown action `{action}`")))?;
        let mut params = SqlParams::default();
        let predicate = self.plan_predicate(user, a, o, context, mapping, &mut params)?;
        let where_clause = predicate.sql();
        let sql = format!("SELECT t.{} FROM {} AS t WHERE {where_clause}", ident(&mapping.id), ident(&mapping.table(object)));
        Ok(SqlPlan { sql, where_clause, params: params.values })
    }

    fn plan_predicate(
        &self,
        user: &str,
        action: u32,
        object: u32,
        context: &Context,
        mapping: &Mapping,
        params: &mut SqlParams,
    ) -> Result<SqlBool, Error> {
        // Stages 1–3 do not depend on the record: decide them now.
        let Some(u) = self.user_at(user) else { return Ok(SqlBool::False) };
        let Some((scope, _)) = self.gates_pass(u, context).and_then(|merged| merged.scopes[self.slot(object, action)]) else {
            return Ok(SqlBool::False);
        };
        let access = if action == CREATE {
            self.scope_sql(u, scope, "t", mapping, params)
        } else {
            self.access_sql(u, action, object, Some(scope), "t", 1, context, mapping, params)?
        };
        // Stage 5: every forbid rule must not match.
        let env = self.env(u, None, context, false);
        let columns = Columns { engine: self, object, alias: "t", mapping };
        let mut parts = vec![access];
        for &(_, condition) in &self.forbid_deny[self.slot(object, action)] {
            match self.conditions[condition as usize].to_sql(&env, &columns, params)? {
                None => return Ok(SqlBool::False), // unknown: the rule applies (fail closed)
                Some(matches) => parts.push(!matches),
            }
        }
        // Stage 6 denies only for named fields, which a filter never names.
        Ok(SqlBool::all(parts))
    }

    /// Records the scope covers (scopes also cover the user's own records).
    fn scope_sql(&self, u: u32, scope: Scope, alias: &str, mapping: &Mapping, params: &mut SqlParams) -> SqlBool {
        let user = &self.users[u as usize];
        let owner = format!("{alias}.{}", ident(&mapping.owner));
        let department = format!("{alias}.{}", ident(&mapping.department));
        let mut parts = vec![SqlBool::Expr(format!("{owner} = {}", params.push(self.user_id(u).to_owned().into(), "text")))];
        match (scope, user.department) {
            (Scope::All, _) => return SqlBool::True,
            (Scope::Department, Some(d)) => {
                parts.push(SqlBool::Expr(format!(
                    "{department} = {}",
                    params.push(self.departments.ids[d as usize].to_string().into(), "text")
                )));
            }
            (Scope::DepartmentTree, Some(d)) => {
                let ids: Vec<serde_json::Value> =
                    self.departments.subtree(d).iter().map(|&x| self.departments.ids[x as usize].to_string().into()).collect();
                parts.push(SqlBool::Expr(format!("{department} = ANY({})", params.push(ids.into(), "text[]"))));
            }
            _ => {}
        }
        SqlBool::any(parts)
    }

    /// Stage 4: the paths that give `u` at least the level `action` needs on
    /// a record of `object` (alias `alias`). `scope` is the action's grant.
    #[allow(clippy::too_many_arguments, reason = "one recursion step per parent object")]
    fn access_sql(
        &self,
        u: u32,
        action: u32,
        object: u32,
        scope: Option<Scope>,
        alias: &str,
        depth: usize,
        context: &Context,
        mapping: &Mapping,
        params: &mut SqlParams,
    ) -> Result<SqlBool, Error> {
        let user = &self.users[u as usize];
        let entry = &self.objects[object as usize];
        let needs = self.actions[action as usize].needs;
        let baseline = entry.baseline.level();
        if scope == Some(Scope::All) || baseline.is_some_and(|b| b >= needs) {
            return Ok(SqlBool::True);
        }
        let mut parts = Vec::new();
        if let Some(scope) = scope {
            parts.push(self.scope_sql(u, scope, alias, mapping, params));
        }
        // Owners whose records reach the level through hierarchy, peers or owner-based rules.
        let mut owners: Vec<u32> = vec![u];
        if let (Some(level), Some(role)) = (entry.hierarchy, user.role)
            && level >= needs
        {
            for below in self.roles_reached(object, role) {
                owners.extend(&self.users_by_role[below as usize]);
            }
            if self.peer_roles[role as usize] {
                owners.extend(&self.users_by_role[role as usize]);
            }
        }
        let env = self.env(u, None, context, false);
        let columns = Columns { engine: self, object, alias, mapping };
        for &packed in self.rules_of(u) {
            let rule = &self.sharing[(packed >> 1) as usize];
            if rule.object != object || rule.level < needs {
                continue;
            }
            match rule.source {
                RuleSource::OwnedBy(_) => owners.extend(&self.rule_owners[(packed >> 1) as usize]),
                RuleSource::Criteria(condition) => {
                    if let Some(matches) = self.conditions[condition as usize].to_sql(&env, &columns, params)? {
                        parts.push(matches);
                    }
                }
            }
        }
        owners.sort_unstable();
        owners.dedup();
        let owner_ids: Vec<serde_json::Value> = owners.iter().map(|&o| self.user_id(o).to_string().into()).collect();
        parts.push(SqlBool::Expr(format!("{alias}.{} = ANY({})", ident(&mapping.owner), params.push(owner_ids.into(), "text[]"))));
        let needs_number = params.push(level_number(needs).into(), "int");
        let id = format!("{alias}.{}", ident(&mapping.id));
        let user_param = params.push(self.user_id(u).to_owned().into(), "text");
        parts.push(SqlBool::Expr(format!(
            "EXISTS (SELECT 1 FROM {} AS tm WHERE tm.record_id = {id} AND tm.user_id = {user_param} AND tm.access >= {needs_number})",
            ident(&mapping.team_table)
        )));
        parts.push(self.shares_sql(u, &id, &needs_number, mapping, params));
        if entry.baseline == Baseline::ControlledByParent
            && let Some((parent_object, field)) = entry.parent
        {
            let parent_alias = format!("p{depth}");
            let parent_scope = self.merged[user.merged as usize].scopes[self.slot(parent_object, action)].map(|(s, _)| s);
            let inner = self.access_sql(u, action, parent_object, parent_scope, &parent_alias, depth + 1, context, mapping, params)?;
            if inner != SqlBool::False {
                let link = format!("{alias}.{}", ident(&entry.fields[field as usize].name));
                parts.push(SqlBool::Expr(format!(
                    "EXISTS (SELECT 1 FROM {} AS {parent_alias} WHERE {parent_alias}.{} = {link} AND {})",
                    ident(&mapping.table(&self.objects[parent_object as usize].name)),
                    ident(&mapping.id),
                    inner.sql()
                )));
            }
        }
        Ok(SqlBool::any(parts))
    }

    /// Manual shares whose recipient contains the user, at the needed level.
    fn shares_sql(&self, u: u32, id: &str, needs: &str, mapping: &Mapping, params: &mut SqlParams) -> SqlBool {
        let user = &self.users[u as usize];
        let path = |tree: &crate::engine::tree::Tree, mut node: Option<u32>| {
            let mut ids: Vec<serde_json::Value> = Vec::new();
            while let Some(n) = node {
                ids.push(tree.ids[n as usize].to_string().into());
                node = tree.parent[n as usize];
            }
            ids
        };
        let groups: Vec<serde_json::Value> = self.groups_of(u).iter().map(|&g| self.groups[g as usize].to_string().into()).collect();
        let role: Vec<serde_json::Value> = user.role.map(|r| self.roles.ids[r as usize].to_string().into()).into_iter().collect();
        let department: Vec<serde_json::Value> =
            user.department.map(|d| self.departments.ids[d as usize].to_string().into()).into_iter().collect();
        let kinds = [
            ("user", vec![serde_json::Value::from(self.user_id(u).to_owned())]),
            ("group", groups),
            ("role", role),
            ("role_and_subordinates", path(&self.roles, user.role)),
            ("department", department),
            ("department_tree", path(&self.departments, user.department)),
        ];
        let recipients: Vec<String> = kinds
            .into_iter()
            .filter(|(_, ids)| !ids.is_empty())
            .map(|(kind, ids)| format!("(s.principal_kind = '{kind}' AND s.principal_id = ANY({}))", params.push(ids.into(), "text[]")))
            .collect();
        SqlBool::Expr(format!(
            "EXISTS (SELECT 1 FROM {} AS s WHERE s.record_id = {id} AND s.access >= {needs} AND ({}))",
            ident(&mapping.shares_table),
            recipients.join(" OR ")
        ))
    }

    /// The PostgreSQL schema [`Engine::plan`] expects.
    pub fn postgres_ddl(&self, mapping: &Mapping) -> String {
        let mut ddl = String::new();
        for object in &self.objects {
            let table = ident(&mapping.table(&object.name));
            let mut columns = vec![
                format!("  {} text PRIMARY KEY", ident(&mapping.id)),
                format!("  {} text NOT NULL", ident(&mapping.owner)),
                format!("  {} text", ident(&mapping.department)),
            ];
            for field in &object.fields {
                let kind = match field.kind {
                    FieldType::String | FieldType::Id => "text",
                    FieldType::Number => "double precision",
                    FieldType::Bool => "boolean",
                    FieldType::Datetime => "timestamptz",
                };
                columns.push(format!("  {} {kind}", ident(&field.name)));
            }
            ddl.push_str(&format!("CREATE TABLE {table} (\n{}\n);\n", columns.join(",\n")));
            ddl.push_str(&format!("CREATE INDEX ON {table} ({});\n", ident(&mapping.owner)));
            ddl.push_str(&format!("CREATE INDEX ON {table} ({});\n", ident(&mapping.department)));
        }
        let team = ident(&mapping.team_table);
        let shares = ident(&mapping.shares_table);
        ddl.push_str(&format!(
            "CREATE TABLE {team} (\n  record_id text NOT NULL,\n  user_id text NOT NULL,\n  access smallint NOT NULL\n);\n"
        ));
        ddl.push_str(&format!("CREATE INDEX ON {team} (record_id, user_id);\n"));
        ddl.push_str(&format!(
            "CREATE TABLE {shares} (\n  record_id text NOT NULL,\n  principal_kind text NOT NULL,\n  principal_id text NOT NULL,\n  access smallint NOT NULL\n);\n"
        ));
        ddl.push_str(&format!("CREATE INDEX ON {shares} (record_id);\n"));
        ddl
    }
}
