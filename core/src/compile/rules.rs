//! Sharing rules, forbid rules and separation-of-duty references.

use super::directory::Expander;
use crate::condition::{Condition, Resolver};
use crate::engine::names::Names;
use crate::engine::{Engine, ForbidEntry, Lists, ObjectEntry, RuleSource, SharingEntry};
use crate::error::{Problems, code, join};
use crate::fields::FieldBits;
use crate::policy::{FieldType, Policy, Privilege};
use rustc_hash::{FxHashMap, FxHashSet};

/// Resolves `record.*` against the objects a rule covers and `user.*`
/// against the attribute table.
struct RuleResolver<'a> {
    object: Option<&'a ObjectEntry>,
    others: &'a [&'a ObjectEntry],
    attributes: &'a FxHashMap<&'a str, u32>,
}

impl Resolver for RuleResolver<'_> {
    fn record_field(&self, name: &str) -> Option<Option<(u32, FieldType)>> {
        if let Some((object, &index)) = self.object.and_then(|o| Some((o, o.field_index.get(name)?))) {
            return Some(Some((index, object.fields[index as usize].kind)));
        }
        self.others.iter().any(|o| o.field_index.contains_key(name)).then_some(None)
    }

    fn user_attribute(&self, name: &str) -> Option<u32> {
        self.attributes.get(name).copied()
    }
}

pub(crate) fn compile_rules(
    policy: &Policy,
    engine: &mut Engine,
    users_by_role: &Lists,
    users_by_department: &Lists,
    problems: &mut Problems,
) {
    let attributes: FxHashMap<&str, u32> = engine.attributes.iter().enumerate().map(|(i, a)| (&**a, i as u32)).collect();
    let mut conditions = Vec::new();
    let mut sharing = compile_sharing(policy, engine, &attributes, &mut conditions, problems);
    // Rules are consulted, and named in reasons, in id order, so that the
    // decision does not depend on their order in the file.
    sharing.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    engine.sharing = sharing;
    let forbids = compile_forbid(policy, engine, &attributes, &mut conditions, problems);
    (engine.forbid, engine.forbid_deny, engine.forbid_hide) = (forbids.entries, forbids.deny, forbids.hide);
    engine.conditions = conditions;
    index_rule_recipients(engine, users_by_role, users_by_department);
    // Forbid rules are consulted, and named in denials, in id order.
    for list in engine.forbid_deny.iter_mut().chain(engine.forbid_hide.iter_mut()) {
        list.sort_unstable_by(|a, b| engine.forbid[a.0 as usize].id.cmp(&engine.forbid[b.0 as usize].id));
    }
}

/// The sharing rules, in file order (their criteria appended to `conditions`).
fn compile_sharing(
    policy: &Policy,
    engine: &Engine,
    attributes: &FxHashMap<&str, u32>,
    conditions: &mut Vec<Condition>,
    problems: &mut Problems,
) -> Vec<SharingEntry> {
    let users = |id: &str| engine.user_at(id);
    let names = Names { users: &users, groups: &engine.group_index, roles: &engine.roles, departments: &engine.departments };
    let mut seen = FxHashSet::default();
    let mut sharing = Vec::new();
    for (i, rule) in policy.sharing_rules.iter().enumerate() {
        let path = join("/sharing_rules", i);
        if rule.id.is_empty() {
            problems.push(join(&path, "id"), code::EMPTY_ID, "sharing rule id is empty");
        } else if !seen.insert(rule.id.as_str()) {
            problems.push(join(&path, "id"), code::DUPLICATE_ID, format!("duplicate sharing rule id `{}`", rule.id));
        }
        let object = engine.object_index.get(rule.object.as_str()).copied();
        if object.is_none() {
            problems.push(join(&path, "object"), code::UNKNOWN_OBJECT, format!("unknown object `{}`", rule.object));
        }
        let share_with = names.principal(&rule.share_with, &join(&path, "share_with"), problems);
        let source = match (&rule.owned_by, &rule.criteria) {
            (Some(owned_by), None) => names.principal(owned_by, &join(&path, "owned_by"), problems).map(RuleSource::OwnedBy),
            (None, Some(criteria)) => object.and_then(|o| {
                let resolver = RuleResolver { object: Some(&engine.objects[o as usize]), others: &[], attributes };
                match Condition::compile(criteria, &resolver) {
                    Ok(condition) => {
                        conditions.push(condition);
                        Some(RuleSource::Criteria(conditions.len() as u32 - 1))
                    }
                    Err(error) => {
                        problems.extend_at("", error.into_error(criteria, &join(&path, "criteria")));
                        None
                    }
                }
            }),
            _ => {
                problems.push(
                    path.clone(),
                    code::BAD_RULE,
                    format!("sharing rule `{}` needs exactly one of `owned_by` and `criteria`", rule.id),
                );
                None
            }
        };
        let (Some(object), Some(share_with), Some(source)) = (object, share_with, source) else {
            continue;
        };
        sharing.push(SharingEntry {
            id: rule.id.as_str().into(),
            object,
            source,
            share_with,
            level: rule.access,
            superiors: rule.superiors,
        });
    }
    sharing
}

/// The forbid rules: each rule's entry, and its condition per covered
/// object in the deny or field-hiding index of each covered action.
fn compile_forbid(
    policy: &Policy,
    engine: &Engine,
    attributes: &FxHashMap<&str, u32>,
    conditions: &mut Vec<Condition>,
    problems: &mut Problems,
) -> Forbids {
    let n_slots = engine.objects.len() * engine.n_actions();
    let mut out = Forbids { entries: Vec::new(), deny: vec![Vec::new(); n_slots], hide: vec![Vec::new(); n_slots] };
    let mut seen = FxHashSet::default();
    for (i, rule) in policy.forbid.iter().enumerate() {
        let path = join("/forbid", i);
        if rule.id.is_empty() {
            problems.push(join(&path, "id"), code::EMPTY_ID, "forbid rule id is empty");
        } else if !seen.insert(rule.id.as_str()) {
            problems.push(join(&path, "id"), code::DUPLICATE_ID, format!("duplicate forbid rule id `{}`", rule.id));
        }
        let objects = resolve_list(&rule.objects, &engine.object_index, engine.objects.len(), &join(&path, "objects"), "object", problems);
        let actions = resolve_list(&rule.actions, &engine.action_index, engine.n_actions(), &join(&path, "actions"), "action", problems);
        let covered: Vec<&ObjectEntry> = objects.iter().map(|&o| &engine.objects[o as usize]).collect();
        let hidden = hidden_fields(rule.fields.as_deref(), engine, &objects, &covered, &path, problems);
        let rule_index = out.entries.len() as u32;
        if let (true, Some(text)) = (objects.is_empty(), &rule.when) {
            // A rule that covers no object still has its condition checked.
            let resolver = RuleResolver { object: None, others: &[], attributes };
            if let Err(error) = Condition::compile(text, &resolver) {
                problems.extend_at("", error.into_error(text, &join(&path, "when")));
            }
        }
        let mut failed = false;
        for &o in &objects {
            let condition = match &rule.when {
                None => Condition::always(),
                Some(text) => {
                    let resolver = RuleResolver { object: Some(&engine.objects[o as usize]), others: &covered, attributes };
                    match Condition::compile(text, &resolver) {
                        Ok(condition) => condition,
                        Err(error) => {
                            if !failed {
                                problems.extend_at("", error.into_error(text, &join(&path, "when")));
                            }
                            failed = true;
                            continue;
                        }
                    }
                }
            };
            conditions.push(condition);
            let condition_index = conditions.len() as u32 - 1;
            let index = if rule.fields.is_some() { &mut out.hide } else { &mut out.deny };
            for &a in &actions {
                index[o as usize * engine.actions.len() + a as usize].push((rule_index, condition_index));
            }
        }
        out.entries.push(ForbidEntry { id: rule.id.as_str().into(), hidden });
    }
    out
}

/// The forbid rules compiled: the engine's `forbid`, `forbid_deny` and `forbid_hide`.
struct Forbids {
    entries: Vec<ForbidEntry>,
    deny: Vec<Vec<(u32, u32)>>,
    hide: Vec<Vec<(u32, u32)>>,
}

/// A field rule's hidden fields per covered object, reporting fields no covered object has.
fn hidden_fields(
    fields: Option<&[String]>,
    engine: &Engine,
    objects: &[u32],
    covered: &[&ObjectEntry],
    path: &str,
    problems: &mut Problems,
) -> Vec<(u32, FieldBits)> {
    let mut hidden = Vec::new();
    if let Some(fields) = fields {
        for (j, field) in fields.iter().enumerate() {
            if !covered.iter().any(|o| o.field_index.contains_key(field.as_str())) {
                problems.push(
                    join(&join(path, "fields"), j),
                    code::UNKNOWN_FIELD,
                    format!("unknown field `{field}` on the rule's objects"),
                );
            }
        }
        for &o in objects {
            let mut bits = FieldBits::default();
            for field in fields {
                if let Some(&f) = engine.objects[o as usize].field_index.get(field.as_str()) {
                    bits.insert(f);
                }
            }
            hidden.push((o, bits));
        }
    }
    hidden
}

/// Separation-of-duty constraints must name real objects and actions.
pub(crate) fn check_separation_of_duties(policy: &Policy, engine: &Engine, problems: &mut Problems) {
    for (i, constraint) in policy.separation_of_duties.iter().enumerate() {
        for (j, privilege) in constraint.conflicting.iter().enumerate() {
            let path = join(&join(&join("/separation_of_duties", i), "conflicting"), j);
            if let Privilege::Object { object, action } = privilege {
                if !engine.object_index.contains_key(object.as_str()) {
                    problems.push(join(&path, "object"), code::UNKNOWN_OBJECT, format!("unknown object `{object}`"));
                }
                if !engine.action_index.contains_key(action.as_str()) {
                    problems.push(join(&path, "action"), code::UNKNOWN_ACTION, format!("unknown action `{action}`"));
                }
            }
        }
    }
}

/// Gives every user the list of sharing rules that reach them, as a
/// recipient or as a superior of a recipient user (`rule << 1 | superior`),
/// so `check` visits only those rules instead of every rule of the object.
fn index_rule_recipients(engine: &mut Engine, users_by_role: &Lists, users_by_department: &Lists) {
    engine.rule_owners = engine
        .sharing
        .iter()
        .map(|rule| match rule.source {
            RuleSource::OwnedBy(principal) => (0..engine.users.len() as u32).filter(|&o| engine.contains(principal, o)).collect(),
            RuleSource::Criteria(_) => Vec::new(),
        })
        .collect();
    engine.user_rules = crate::engine::Lists::from_lists(rule_recipients(engine, users_by_role, users_by_department));
}

fn rule_recipients(engine: &Engine, users_by_role: &Lists, users_by_department: &Lists) -> Vec<Vec<u32>> {
    let mut group_users: Vec<Vec<u32>> = vec![Vec::new(); engine.groups.len()];
    for u in 0..engine.users.len() as u32 {
        for &g in engine.groups_of(u) {
            group_users[g as usize].push(u);
        }
    }
    let expander = Expander { roles: &engine.roles, departments: &engine.departments, users_by_role, users_by_department };
    let mut lists: Vec<Vec<u32>> = vec![Vec::new(); engine.users.len()];
    let mut stamp = vec![u32::MAX; engine.users.len()];
    let mut recipients = Vec::new();
    for (r, rule) in engine.sharing.iter().enumerate() {
        let r = r as u32;
        recipients.clear();
        expander.users(rule.share_with, &mut recipients, &group_users);
        for &u in &recipients {
            if stamp[u as usize] != r {
                stamp[u as usize] = r;
                lists[u as usize].push(r << 1);
            }
        }
        if !rule.superiors {
            continue;
        }
        // Superiors: holders of a role strictly above a recipient user's role.
        let mut above = vec![false; engine.roles.len()];
        for &u in &recipients {
            let mut role = engine.users[u as usize].role.and_then(|x| engine.roles.parent[x as usize]);
            while let Some(x) = role {
                if std::mem::replace(&mut above[x as usize], true) {
                    break;
                }
                role = engine.roles.parent[x as usize];
            }
        }
        for (x, _) in above.iter().enumerate().filter(|(_, a)| **a) {
            for &u in &users_by_role[x] {
                if stamp[u as usize] != r {
                    stamp[u as usize] = r;
                    lists[u as usize].push(r << 1 | 1);
                }
            }
        }
    }
    lists
}

/// Resolves an optional list of names (absent: all `count` entries),
/// reporting `unknown_object` / `unknown_action` for names not in `index`.
fn resolve_list(
    names: &Option<Vec<String>>,
    index: &FxHashMap<Box<str>, u32>,
    count: usize,
    path: &str,
    what: &str,
    problems: &mut Problems,
) -> Vec<u32> {
    let Some(names) = names else { return (0..count as u32).collect() };
    let code = if what == "object" { code::UNKNOWN_OBJECT } else { code::UNKNOWN_ACTION };
    names
        .iter()
        .enumerate()
        .filter_map(|(j, name)| {
            let found = index.get(name.as_str()).copied();
            if found.is_none() {
                problems.push(join(path, j), code, format!("unknown {what} `{name}`"));
            }
            found
        })
        .collect()
}
