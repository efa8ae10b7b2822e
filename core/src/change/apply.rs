//! How each operation edits a policy: checks of the ids it names, refusals
//! of removals still referred to, and no-ops reported as such.

use super::ops::{BundleKind, BundleRef, Operation, codes};
use crate::error::{Error, code};
use crate::policy::{Policy, Recipient, User};

fn unknown(path: &str, code: &str, what: &str, id: &str) -> Error {
    Error::one(path, code, format!("unknown {what} `{id}`"))
}

fn user_mut<'p>(policy: &'p mut Policy, id: &str) -> Result<&'p mut User, Error> {
    policy.users.iter_mut().find(|u| u.id == id).ok_or_else(|| unknown("/user", code::UNKNOWN_USER, "user", id))
}

fn bundle_mut<'p>(policy: &'p mut Policy, bundle: &BundleRef) -> Result<&'p mut crate::policy::Bundle, Error> {
    let (map, code, what) = match bundle.kind {
        BundleKind::Profile => (&mut policy.bundles.profiles, code::UNKNOWN_PROFILE, "profile"),
        BundleKind::PermissionSet => (&mut policy.bundles.permission_sets, code::UNKNOWN_PERMISSION_SET, "permission set"),
    };
    map.get_mut(&bundle.id).ok_or_else(|| unknown("/bundle/id", code, what, &bundle.id))
}

fn require(found: bool, path: &str, code: &str, what: &str, id: &str) -> Result<(), Error> {
    if found { Ok(()) } else { Err(unknown(path, code, what, id)) }
}

/// Where a role, department, user or group is still referred to (JSON paths).
fn references(policy: &Policy, matches: impl Fn(&Recipient) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    for (g, group) in policy.groups.iter().enumerate() {
        for (m, member) in group.members.iter().enumerate() {
            if matches(member) {
                found.push(format!("/groups/{g}/members/{m}"));
            }
        }
    }
    for (r, rule) in policy.sharing_rules.iter().enumerate() {
        if rule.owned_by.as_ref().is_some_and(&matches) {
            found.push(format!("/sharing_rules/{r}/owned_by"));
        }
        if matches(&rule.share_with) {
            found.push(format!("/sharing_rules/{r}/share_with"));
        }
    }
    found
}

fn refuse_in_use(what: &str, id: &str, places: Vec<String>) -> Result<(), Error> {
    if places.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = places.iter().take(5).map(String::as_str).collect();
    let more = if places.len() > 5 { format!(" and {} more", places.len() - 5) } else { String::new() };
    Err(Error::one("", codes::IN_USE, format!("{what} `{id}` is still used at {}{more}", shown.join(", "))))
}

impl Operation {
    /// Applies this operation to `policy` (paths relative to the operation).
    ///
    /// # Errors
    /// Unknown ids, duplicates, removals of things still in use, no-ops.
    pub fn apply(&self, policy: &mut Policy) -> Result<(), Error> {
        match self {
            Operation::MoveUser { user, role, department } => {
                if let Some(role) = role {
                    require(policy.roles.iter().any(|r| &r.id == role), "/role", code::UNKNOWN_ROLE, "role", role)?;
                }
                if let Some(department) = department {
                    let known = policy.departments.iter().any(|d| &d.id == department);
                    require(known, "/department", code::UNKNOWN_DEPARTMENT, "department", department)?;
                }
                let entry = user_mut(policy, user)?;
                if role.is_some() {
                    entry.role.clone_from(role);
                }
                if department.is_some() {
                    entry.department.clone_from(department);
                }
            }
            Operation::SetUserActive { user, active } => user_mut(policy, user)?.active = *active,
            Operation::AddUser { user } => {
                if policy.users.iter().any(|u| u.id == user.id) {
                    return Err(Error::one("/user/id", codes::DUPLICATE_ID, format!("user `{}` exists already", user.id)));
                }
                policy.users.push(user.clone());
            }
            Operation::RemoveUser { user } => {
                let at =
                    policy.users.iter().position(|u| &u.id == user).ok_or_else(|| unknown("/user", code::UNKNOWN_USER, "user", user))?;
                refuse_in_use("user", user, references(policy, |r| matches!(r, Recipient::User(u) if u == user)))?;
                policy.users.remove(at);
            }
            Operation::SetProfile { user, profile } => {
                if let Some(profile) = profile {
                    let known = policy.bundles.profiles.contains_key(profile);
                    require(known, "/profile", code::UNKNOWN_PROFILE, "profile", profile)?;
                }
                user_mut(policy, user)?.profile.clone_from(profile);
            }
            Operation::GrantPermissionSet { user, permission_set } => {
                let known = policy.bundles.permission_sets.contains_key(permission_set);
                require(known, "/permission_set", code::UNKNOWN_PERMISSION_SET, "permission set", permission_set)?;
                let entry = user_mut(policy, user)?;
                if entry.permission_sets.contains(permission_set) {
                    return Err(Error::one("/permission_set", codes::NO_EFFECT, format!("`{user}` already holds `{permission_set}`")));
                }
                entry.permission_sets.push(permission_set.clone());
            }
            Operation::RevokePermissionSet { user, permission_set } => {
                let entry = user_mut(policy, user)?;
                let before = entry.permission_sets.len();
                entry.permission_sets.retain(|s| s != permission_set);
                if entry.permission_sets.len() == before {
                    return Err(Error::one("/permission_set", codes::NO_EFFECT, format!("`{user}` does not hold `{permission_set}`")));
                }
            }
            Operation::SetUserAttribute { user, name, value } => {
                let entry = user_mut(policy, user)?;
                match value {
                    Some(value) => {
                        entry.attributes.insert(name.clone(), value.clone());
                    }
                    None => {
                        if entry.attributes.remove(name).is_none() {
                            return Err(Error::one("/name", codes::NO_EFFECT, format!("`{user}` has no attribute `{name}`")));
                        }
                    }
                }
            }
            Operation::AddGroup { group } => {
                if policy.groups.iter().any(|g| g.id == group.id) {
                    return Err(Error::one("/group/id", codes::DUPLICATE_ID, format!("group `{}` exists already", group.id)));
                }
                policy.groups.push(group.clone());
            }
            Operation::RemoveGroup { group } => {
                let at = policy
                    .groups
                    .iter()
                    .position(|g| &g.id == group)
                    .ok_or_else(|| unknown("/group", code::UNKNOWN_GROUP, "group", group))?;
                refuse_in_use("group", group, references(policy, |r| matches!(r, Recipient::Group(g) if g == group)))?;
                policy.groups.remove(at);
            }
            Operation::AddGroupMember { group, member } => {
                let entry = policy
                    .groups
                    .iter_mut()
                    .find(|g| &g.id == group)
                    .ok_or_else(|| unknown("/group", code::UNKNOWN_GROUP, "group", group))?;
                if entry.members.contains(member) {
                    return Err(Error::one("/member", codes::NO_EFFECT, format!("the member is already in `{group}`")));
                }
                entry.members.push(member.clone());
            }
            Operation::RemoveGroupMember { group, member } => {
                let entry = policy
                    .groups
                    .iter_mut()
                    .find(|g| &g.id == group)
                    .ok_or_else(|| unknown("/group", code::UNKNOWN_GROUP, "group", group))?;
                let before = entry.members.len();
                entry.members.retain(|m| m != member);
                if entry.members.len() == before {
                    return Err(Error::one("/member", codes::NO_EFFECT, format!("the member is not in `{group}`")));
                }
            }
            Operation::AddRole { role } => {
                if policy.roles.iter().any(|r| r.id == role.id) {
                    return Err(Error::one("/role/id", codes::DUPLICATE_ID, format!("role `{}` exists already", role.id)));
                }
                policy.roles.push(role.clone());
            }
            Operation::RenameRole { role, name } => {
                let entry =
                    policy.roles.iter_mut().find(|r| &r.id == role).ok_or_else(|| unknown("/role", code::UNKNOWN_ROLE, "role", role))?;
                entry.name = Some(name.clone());
            }
            Operation::ReparentRole { role, parent } => {
                if let Some(parent) = parent {
                    require(policy.roles.iter().any(|r| &r.id == parent), "/parent", code::UNKNOWN_ROLE, "role", parent)?;
                }
                let entry =
                    policy.roles.iter_mut().find(|r| &r.id == role).ok_or_else(|| unknown("/role", code::UNKNOWN_ROLE, "role", role))?;
                entry.parent.clone_from(parent);
            }
            Operation::RemoveRole { role } => {
                let at =
                    policy.roles.iter().position(|r| &r.id == role).ok_or_else(|| unknown("/role", code::UNKNOWN_ROLE, "role", role))?;
                let mut places = references(policy, |r| matches!(r, Recipient::Role(x) | Recipient::RoleAndSubordinates(x) if x == role));
                places.extend(
                    policy.users.iter().enumerate().filter(|(_, u)| u.role.as_ref() == Some(role)).map(|(i, _)| format!("/users/{i}/role")),
                );
                places.extend(
                    policy
                        .roles
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.parent.as_ref() == Some(role))
                        .map(|(i, _)| format!("/roles/{i}/parent")),
                );
                refuse_in_use("role", role, places)?;
                policy.roles.remove(at);
            }
            Operation::AddDepartment { department } => {
                if policy.departments.iter().any(|d| d.id == department.id) {
                    return Err(Error::one(
                        "/department/id",
                        codes::DUPLICATE_ID,
                        format!("department `{}` exists already", department.id),
                    ));
                }
                policy.departments.push(department.clone());
            }
            Operation::RenameDepartment { department, name } => {
                let entry = policy
                    .departments
                    .iter_mut()
                    .find(|d| &d.id == department)
                    .ok_or_else(|| unknown("/department", code::UNKNOWN_DEPARTMENT, "department", department))?;
                entry.name = Some(name.clone());
            }
            Operation::ReparentDepartment { department, parent } => {
                if let Some(parent) = parent {
                    let known = policy.departments.iter().any(|d| &d.id == parent);
                    require(known, "/parent", code::UNKNOWN_DEPARTMENT, "department", parent)?;
                }
                let entry = policy
                    .departments
                    .iter_mut()
                    .find(|d| &d.id == department)
                    .ok_or_else(|| unknown("/department", code::UNKNOWN_DEPARTMENT, "department", department))?;
                entry.parent.clone_from(parent);
            }
            Operation::RemoveDepartment { department } => {
                let at = policy
                    .departments
                    .iter()
                    .position(|d| &d.id == department)
                    .ok_or_else(|| unknown("/department", code::UNKNOWN_DEPARTMENT, "department", department))?;
                let mut places =
                    references(policy, |r| matches!(r, Recipient::Department(x) | Recipient::DepartmentTree(x) if x == department));
                places.extend(
                    policy
                        .users
                        .iter()
                        .enumerate()
                        .filter(|(_, u)| u.department.as_ref() == Some(department))
                        .map(|(i, _)| format!("/users/{i}/department")),
                );
                places.extend(
                    policy
                        .departments
                        .iter()
                        .enumerate()
                        .filter(|(_, d)| d.parent.as_ref() == Some(department))
                        .map(|(i, _)| format!("/departments/{i}/parent")),
                );
                refuse_in_use("department", department, places)?;
                policy.departments.remove(at);
            }
            Operation::SetScope { bundle, object, action, scope } => {
                let entry = bundle_mut(policy, bundle)?;
                match scope {
                    Some(scope) => {
                        entry.objects.entry(object.clone()).or_default().insert(action.clone(), *scope);
                    }
                    None => {
                        let actions = entry.objects.get_mut(object);
                        let removed = actions.as_ref().is_some_and(|a| a.contains_key(action));
                        if !removed {
                            return Err(Error::one(
                                "/scope",
                                codes::NO_EFFECT,
                                format!("`{}` grants no `{action}` on `{object}`", bundle.id),
                            ));
                        }
                        if let Some(actions) = actions {
                            actions.remove(action);
                            if actions.is_empty() {
                                entry.objects.remove(object);
                            }
                        }
                    }
                }
            }
            Operation::SetFieldAccess { bundle, field, access } => {
                let entry = bundle_mut(policy, bundle)?;
                match access {
                    Some(access) => {
                        entry.fields.insert(field.clone(), *access);
                    }
                    None => {
                        if entry.fields.remove(field).is_none() {
                            return Err(Error::one("/field", codes::NO_EFFECT, format!("`{}` sets no access to `{field}`", bundle.id)));
                        }
                    }
                }
            }
            Operation::GrantSystemPermission { bundle, permission } => {
                let entry = bundle_mut(policy, bundle)?;
                if entry.system.contains(permission) {
                    return Err(Error::one("/permission", codes::NO_EFFECT, format!("`{}` already grants `{permission}`", bundle.id)));
                }
                entry.system.push(permission.clone());
            }
            Operation::RevokeSystemPermission { bundle, permission } => {
                let entry = bundle_mut(policy, bundle)?;
                let before = entry.system.len();
                entry.system.retain(|p| p != permission);
                if entry.system.len() == before {
                    return Err(Error::one("/permission", codes::NO_EFFECT, format!("`{}` does not grant `{permission}`", bundle.id)));
                }
            }
            Operation::SetSession { bundle, session } => bundle_mut(policy, bundle)?.session.clone_from(session),
            Operation::AddSharingRule { rule } => {
                if policy.sharing_rules.iter().any(|r| r.id == rule.id) {
                    return Err(Error::one("/rule/id", codes::DUPLICATE_ID, format!("sharing rule `{}` exists already", rule.id)));
                }
                policy.sharing_rules.push(rule.clone());
            }
            Operation::EditSharingRule { rule } => {
                let entry = policy.sharing_rules.iter_mut().find(|r| r.id == rule.id);
                *entry.ok_or_else(|| unknown("/rule/id", codes::UNKNOWN_RULE, "sharing rule", &rule.id))? = rule.clone();
            }
            Operation::RemoveSharingRule { rule } => {
                let before = policy.sharing_rules.len();
                policy.sharing_rules.retain(|r| &r.id != rule);
                require(policy.sharing_rules.len() != before, "/rule", codes::UNKNOWN_RULE, "sharing rule", rule)?;
            }
            Operation::AddForbidRule { rule } => {
                if policy.forbid.iter().any(|r| r.id == rule.id) {
                    return Err(Error::one("/rule/id", codes::DUPLICATE_ID, format!("forbid rule `{}` exists already", rule.id)));
                }
                policy.forbid.push(rule.clone());
            }
            Operation::EditForbidRule { rule } => {
                let entry = policy.forbid.iter_mut().find(|r| r.id == rule.id);
                *entry.ok_or_else(|| unknown("/rule/id", codes::UNKNOWN_RULE, "forbid rule", &rule.id))? = rule.clone();
            }
            Operation::RemoveForbidRule { rule } => {
                let before = policy.forbid.len();
                policy.forbid.retain(|r| &r.id != rule);
                require(policy.forbid.len() != before, "/rule", codes::UNKNOWN_RULE, "forbid rule", rule)?;
            }
            Operation::SetBaseline { object, baseline } => {
                let entry =
                    policy.schema.objects.get_mut(object).ok_or_else(|| unknown("/object", code::UNKNOWN_OBJECT, "object", object))?;
                entry.baseline = *baseline;
            }
            Operation::SetHierarchy { object, hierarchy } => {
                let entry =
                    policy.schema.objects.get_mut(object).ok_or_else(|| unknown("/object", code::UNKNOWN_OBJECT, "object", object))?;
                entry.hierarchy = *hierarchy;
            }
            Operation::ReplacePolicy { policy: replacement } => *policy = (**replacement).clone(),
        }
        Ok(())
    }
}
