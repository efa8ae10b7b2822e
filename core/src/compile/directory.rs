//! The org directory: role and department trees, users, attributes and
//! groups with nesting closed.

use super::bundles::BundleTable;
use crate::engine::names::Names;
use crate::engine::tree::{NodeInput, Tree};
use crate::engine::{Lists, Principal, UserEntry};
use crate::error::{Problems, code, join};
use crate::policy::{Policy, Recipient, User};
use crate::value::Value;
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;

/// Built-in `user.*` operands: no attribute may take these names.
const RESERVED_ATTRIBUTES: [&str; 3] = ["id", "role", "department"];

pub(crate) fn compile_trees(policy: &Policy, problems: &mut Problems) -> (Tree, Vec<bool>, Tree) {
    let role_nodes: Vec<NodeInput<'_>> = policy.roles.iter().map(|r| NodeInput { id: &r.id, parent: r.parent.as_deref() }).collect();
    let roles = Tree::build(&role_nodes, "/roles", code::UNKNOWN_ROLE, code::CYCLE_IN_ROLES, "role", problems);
    let peers = policy.roles.iter().map(|r| r.peers_see_each_other).collect();
    let department_nodes: Vec<NodeInput<'_>> =
        policy.departments.iter().map(|d| NodeInput { id: &d.id, parent: d.parent.as_deref() }).collect();
    let departments =
        Tree::build(&department_nodes, "/departments", code::UNKNOWN_DEPARTMENT, code::CYCLE_IN_DEPARTMENTS, "department", problems);
    (roles, peers, departments)
}

pub(crate) struct Directory {
    pub users: Vec<UserEntry>,
    /// Per user, the id.
    pub user_ids: crate::engine::Strings,
    /// Per user, the name (empty when none).
    pub user_names: crate::engine::Strings,
    /// Per user, the groups containing them (see [`crate::engine::Lists`]).
    pub user_groups: crate::engine::Lists,
    /// Distinct rows of attribute values, a value per attribute name each.
    pub value_rows: Vec<Value>,
    /// Per user, their row of `value_rows`.
    pub user_value_rows: Vec<u32>,
    pub groups: Vec<Box<str>>,
    pub group_index: FxHashMap<Box<str>, u32>,
    pub attributes: Vec<Box<str>>,
    /// Distinct bundle combinations; `UserEntry::merged` indexes this.
    pub combinations: Vec<Vec<u32>>,
    pub users_by_role: Lists,
    pub users_by_department: Lists,
}

pub(crate) fn compile_directory(
    policy: &Policy,
    roles: &Tree,
    departments: &Tree,
    bundles: &BundleTable,
    problems: &mut Problems,
) -> Directory {
    let mut user_index: FxHashMap<&str, u32> = FxHashMap::default();
    for (i, user) in policy.users.iter().enumerate() {
        let path = join(&join("/users", i), "id");
        if user.id.is_empty() {
            problems.push(path, code::EMPTY_ID, "user id is empty");
        } else if user_index.insert(user.id.as_str(), i as u32).is_some() {
            problems.push(path, code::DUPLICATE_ID, format!("duplicate user id `{}`", user.id));
        }
    }
    let attribute_names: BTreeSet<&str> = policy.users.iter().flat_map(|u| u.attributes.keys().map(String::as_str)).collect();
    let attributes: Vec<Box<str>> = attribute_names.iter().map(|&a| a.into()).collect();
    let attribute_index: FxHashMap<&str, usize> = attribute_names.iter().enumerate().map(|(i, &a)| (a, i)).collect();

    let mut combination_index: FxHashMap<Vec<u32>, u32> = FxHashMap::default();
    let mut combinations = Vec::new();
    let mut users = Vec::new();
    let mut value_rows: Vec<Value> = Vec::new();
    let mut user_value_rows = Vec::with_capacity(policy.users.len());
    for (i, user) in policy.users.iter().enumerate() {
        let path = join("/users", i);
        let lookup = |tree: &Tree, id: &Option<String>, key: &str, code: crate::Code, what: &str, problems: &mut Problems| {
            id.as_ref().and_then(|id| {
                let found = tree.index.get(id.as_str()).copied();
                if found.is_none() {
                    problems.push(join(&path, key), code, format!("unknown {what} `{id}`"));
                }
                found
            })
        };
        let role = lookup(roles, &user.role, "role", code::UNKNOWN_ROLE, "role", problems);
        let department = lookup(departments, &user.department, "department", code::UNKNOWN_DEPARTMENT, "department", problems);
        let held = held_bundles(user, &path, bundles, problems);
        let next = combinations.len() as u32;
        let merged = *combination_index.entry(held.clone()).or_insert_with(|| {
            combinations.push(held);
            next
        });
        let values = attribute_values(user, &path, &attribute_index, problems);
        // Users share a few rows; looking back over the latest 256 keeps
        // compiling linear when they do not (a repeated row costs space only).
        let n = attributes.len();
        let known = value_rows.len().checked_div(n).unwrap_or(0);
        let same = |r: &usize| value_rows.get(r * n..(r + 1) * n) == Some(&values[..]);
        let row = (known.saturating_sub(256)..known).rev().find(same).unwrap_or_else(|| {
            value_rows.extend(values);
            known
        });
        user_value_rows.push(row as u32);
        users.push(UserEntry { active: user.active, role, department, merged });
    }

    let group_index = group_index(policy, problems);
    let users_by_id = |id: &str| user_index.get(id).copied();
    let names = Names { users: &users_by_id, groups: &group_index, roles, departments };
    let members: Vec<Vec<Principal>> = policy
        .groups
        .iter()
        .enumerate()
        .map(|(i, group)| {
            group
                .members
                .iter()
                .enumerate()
                .filter_map(|(j, member)| names.principal(member, &join(&join(&join("/groups", i), "members"), j), problems))
                .collect()
        })
        .collect();
    let (users_by_role, users_by_department) = crate::engine::users_by_role_and_department(&users, roles.len(), departments.len());
    let expander = Expander { roles, departments, users_by_role: &users_by_role, users_by_department: &users_by_department };
    let closure = close_groups(policy, &members, &expander, problems);
    let mut user_groups: Vec<Vec<u32>> = vec![Vec::new(); users.len()];
    for (g, group_users) in closure.iter().enumerate() {
        for &u in group_users {
            user_groups[u as usize].push(g as u32);
        }
    }
    Directory {
        users,
        user_ids: crate::engine::Strings::from_strs(policy.users.iter().map(|u| u.id.as_str())),
        user_names: crate::engine::Strings::from_strs(policy.users.iter().map(|u| u.name.as_deref().unwrap_or_default())),
        user_groups: crate::engine::Lists::from_lists(user_groups),
        value_rows,
        user_value_rows,
        groups: policy.groups.iter().map(|g| g.id.as_str().into()).collect(),
        group_index,
        attributes,
        combinations,
        users_by_role,
        users_by_department,
    }
}

/// The bundles a user holds: the profile first, then the permission sets, sorted.
fn held_bundles(user: &User, path: &str, bundles: &BundleTable, problems: &mut Problems) -> Vec<u32> {
    let mut held = Vec::new();
    if let Some(profile) = &user.profile {
        match bundles.profile_index.get(profile.as_str()) {
            Some(&b) => held.push(b),
            None => problems.push(join(path, "profile"), code::UNKNOWN_PROFILE, format!("unknown profile `{profile}`")),
        }
    }
    let mut sets = Vec::new();
    for (j, set) in user.permission_sets.iter().enumerate() {
        match bundles.permission_set_index.get(set.as_str()) {
            Some(&b) => sets.push(b),
            None => problems.push(
                join(&join(path, "permission_sets"), j),
                code::UNKNOWN_PERMISSION_SET,
                format!("unknown permission set `{set}`"),
            ),
        }
    }
    sets.sort_unstable();
    sets.dedup();
    held.extend(sets);
    held
}

/// A user's attribute values, one per attribute name the directory knows (null where absent).
fn attribute_values(user: &User, path: &str, attribute_index: &FxHashMap<&str, usize>, problems: &mut Problems) -> Vec<Value> {
    let mut values = vec![Value::Null; attribute_index.len()];
    for (name, json) in &user.attributes {
        let attribute_path = join(&join(path, "attributes"), name);
        if RESERVED_ATTRIBUTES.contains(&name.as_str()) {
            problems.push(
                attribute_path,
                code::RESERVED_NAME,
                format!("attribute name `{name}` is reserved for the built-in `user.{name}`"),
            );
            continue;
        }
        match Value::from_json(json) {
            Some(value) => values[attribute_index[name.as_str()]] = value,
            None => problems.push(
                attribute_path,
                code::BAD_TYPE,
                format!("attribute `{name}` must be a string, number, boolean, null or a list of those"),
            ),
        }
    }
    values
}

/// Groups by id, reporting empty and duplicate ids.
fn group_index(policy: &Policy, problems: &mut Problems) -> FxHashMap<Box<str>, u32> {
    let mut group_index = FxHashMap::default();
    for (i, group) in policy.groups.iter().enumerate() {
        let path = join(&join("/groups", i), "id");
        if group.id.is_empty() {
            problems.push(path, code::EMPTY_ID, "group id is empty");
        } else if group_index.insert(group.id.as_str().into(), i as u32).is_some() {
            problems.push(path, code::DUPLICATE_ID, format!("duplicate group id `{}`", group.id));
        }
    }
    group_index
}

/// Lists the users of non-group principals from the directory's indices.
pub(crate) struct Expander<'a> {
    pub roles: &'a Tree,
    pub departments: &'a Tree,
    pub users_by_role: &'a Lists,
    pub users_by_department: &'a Lists,
}

impl Expander<'_> {
    /// Appends the users of `principal` (groups are expanded by the caller).
    pub fn users(&self, principal: Principal, out: &mut Vec<u32>, groups: &[Vec<u32>]) {
        match principal {
            Principal::User(u) => out.push(u),
            Principal::Group(g) => out.extend(groups.get(g as usize).into_iter().flatten()),
            Principal::Role(r) => out.extend(&self.users_by_role[r as usize]),
            Principal::RoleAndSubordinates(r) => self.roles.subtree(r).iter().for_each(|&n| out.extend(&self.users_by_role[n as usize])),
            Principal::Department(d) => out.extend(&self.users_by_department[d as usize]),
            Principal::DepartmentTree(d) => {
                self.departments.subtree(d).iter().for_each(|&n| out.extend(&self.users_by_department[n as usize]))
            }
        }
    }
}

/// Each group's users with nesting closed; reports cycles.
fn close_groups(policy: &Policy, members: &[Vec<Principal>], expander: &Expander<'_>, problems: &mut Problems) -> Vec<Vec<u32>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let n = members.len();
    let mut marks = vec![Mark::New; n];
    let mut closure: Vec<Vec<u32>> = vec![Vec::new(); n];
    // Iterative depth-first order, so deep nesting cannot overflow the stack.
    for start in 0..n {
        if marks[start] != Mark::New {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        marks[start] = Mark::Open;
        while let Some(top) = stack.last_mut() {
            let (g, next) = *top;
            if let Some(&member) = members[g].get(next) {
                top.1 += 1;
                if let Principal::Group(inner) = member {
                    let inner = inner as usize;
                    match marks[inner] {
                        Mark::New => {
                            marks[inner] = Mark::Open;
                            stack.push((inner, 0));
                        }
                        Mark::Open => {
                            let j = policy.groups[g]
                                .members
                                .iter()
                                .position(|m| matches!(m, Recipient::Group(id) if *id == policy.groups[inner].id))
                                .unwrap_or(0);
                            problems.push(
                                join(&join(&join(&join("/groups", g), "members"), j), "group"),
                                code::CYCLE_IN_GROUPS,
                                format!("group `{}` contains itself through `{}`", policy.groups[inner].id, policy.groups[g].id),
                            );
                        }
                        Mark::Done => {}
                    }
                }
                continue;
            }
            let mut users = Vec::new();
            for &member in &members[g] {
                expander.users(member, &mut users, &closure);
            }
            users.sort_unstable();
            users.dedup();
            closure[g] = users;
            marks[g] = Mark::Done;
            stack.pop();
        }
    }
    closure
}
