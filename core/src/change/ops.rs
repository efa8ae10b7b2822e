//! The operations of a change set: every edit the admin app can make.

use crate::error::{Error, code};
use crate::policy::{
    Baseline, Department, FieldAccess, ForbidRule, Group, Hierarchy, Policy, Recipient, Role, Scope, SessionPolicy, SharingRule, User,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Stable error codes of change sets.
pub mod codes {
    /// A removal of something other items still refer to.
    pub const IN_USE: &str = "in_use";
    /// An addition of an id that exists already.
    pub const DUPLICATE_ID: &str = crate::error::code::DUPLICATE_ID;
    /// A rule id that does not exist.
    pub const UNKNOWN_RULE: &str = "unknown_rule";
    /// An operation that would change nothing (the member is absent, the set not held).
    pub const NO_EFFECT: &str = "no_effect";
}

/// Profiles or permission sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BundleKind {
    /// A profile.
    Profile,
    /// A permission set.
    PermissionSet,
}

/// A bundle by kind and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleRef {
    /// Profile or permission set.
    pub kind: BundleKind,
    /// Its id.
    pub id: String,
}

/// One edit of a policy. In JSON: `{"op": "move_user", "user": "bob", "role": "rep_west"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Operation {
    /// Move a user to another role and/or department (absent keys stay).
    MoveUser {
        /// User id.
        user: String,
        /// New role.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        role: Option<String>,
        /// New department.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        department: Option<String>,
    },
    /// Activate or deactivate a user.
    SetUserActive {
        /// User id.
        user: String,
        /// Active or not.
        active: bool,
    },
    /// Add a user.
    AddUser {
        /// The user.
        user: User,
    },
    /// Remove a user nobody refers to (no record owner check: records live outside the policy).
    RemoveUser {
        /// User id.
        user: String,
    },
    /// Set (or clear) a user's profile.
    SetProfile {
        /// User id.
        user: String,
        /// Profile id, or null.
        profile: Option<String>,
    },
    /// Grant a permission set to a user.
    GrantPermissionSet {
        /// User id.
        user: String,
        /// Permission set id.
        permission_set: String,
    },
    /// Revoke a permission set from a user.
    RevokePermissionSet {
        /// User id.
        user: String,
        /// Permission set id.
        permission_set: String,
    },
    /// Set (or remove, with null) a user attribute.
    SetUserAttribute {
        /// User id.
        user: String,
        /// Attribute name.
        name: String,
        /// Value (a string, number, boolean or list of those), or null to remove.
        value: Option<serde_json::Value>,
    },
    /// Add a group.
    AddGroup {
        /// The group.
        group: Group,
    },
    /// Remove a group nothing refers to.
    RemoveGroup {
        /// Group id.
        group: String,
    },
    /// Add a member to a group.
    AddGroupMember {
        /// Group id.
        group: String,
        /// The member.
        member: Recipient,
    },
    /// Remove a member from a group.
    RemoveGroupMember {
        /// Group id.
        group: String,
        /// The member.
        member: Recipient,
    },
    /// Add a role.
    AddRole {
        /// The role.
        role: Role,
    },
    /// Rename a role (its display name).
    RenameRole {
        /// Role id.
        role: String,
        /// New name.
        name: String,
    },
    /// Re-parent a role (null: a root).
    ReparentRole {
        /// Role id.
        role: String,
        /// New parent role.
        parent: Option<String>,
    },
    /// Remove a role nothing refers to.
    RemoveRole {
        /// Role id.
        role: String,
    },
    /// Add a department.
    AddDepartment {
        /// The department.
        department: Department,
    },
    /// Rename a department (its display name).
    RenameDepartment {
        /// Department id.
        department: String,
        /// New name.
        name: String,
    },
    /// Re-parent a department (null: a root).
    ReparentDepartment {
        /// Department id.
        department: String,
        /// New parent.
        parent: Option<String>,
    },
    /// Remove a department nothing refers to.
    RemoveDepartment {
        /// Department id.
        department: String,
    },
    /// Set (or remove, with null) a bundle's scope for an object action.
    SetScope {
        /// The bundle.
        bundle: BundleRef,
        /// Object type.
        object: String,
        /// Action.
        action: String,
        /// Scope, or null to remove the grant.
        scope: Option<Scope>,
    },
    /// Set (or remove, with null) a bundle's access to a field `Object.field`.
    SetFieldAccess {
        /// The bundle.
        bundle: BundleRef,
        /// `Object.field`.
        field: String,
        /// Access, or null to remove.
        access: Option<FieldAccess>,
    },
    /// Grant a system permission through a bundle.
    GrantSystemPermission {
        /// The bundle.
        bundle: BundleRef,
        /// Permission name.
        permission: String,
    },
    /// Revoke a system permission from a bundle.
    RevokeSystemPermission {
        /// The bundle.
        bundle: BundleRef,
        /// Permission name.
        permission: String,
    },
    /// Set (or remove, with null) a bundle's session policy (MFA, IP ranges, login hours).
    SetSession {
        /// The bundle.
        bundle: BundleRef,
        /// The session policy.
        session: Option<SessionPolicy>,
    },
    /// Add a sharing rule.
    AddSharingRule {
        /// The rule.
        rule: SharingRule,
    },
    /// Replace the sharing rule with the same id.
    EditSharingRule {
        /// The rule.
        rule: SharingRule,
    },
    /// Remove a sharing rule.
    RemoveSharingRule {
        /// Rule id.
        rule: String,
    },
    /// Add a forbid rule.
    AddForbidRule {
        /// The rule.
        rule: ForbidRule,
    },
    /// Replace the forbid rule with the same id.
    EditForbidRule {
        /// The rule.
        rule: ForbidRule,
    },
    /// Remove a forbid rule.
    RemoveForbidRule {
        /// Rule id.
        rule: String,
    },
    /// Set an object's org-wide baseline.
    SetBaseline {
        /// Object type.
        object: String,
        /// The baseline.
        baseline: Baseline,
    },
    /// Set an object's hierarchy settings.
    SetHierarchy {
        /// Object type.
        object: String,
        /// Access and depth.
        hierarchy: Hierarchy,
    },
    /// Replace the whole policy (restoring a version).
    ReplacePolicy {
        /// The policy.
        policy: Box<Policy>,
    },
}

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
