//! The operations that take more than one list edit: moves and reparents
//! (the new place must exist), removals of what may still be referred to,
//! and the edits of a bundle's scopes, fields and a user's attributes.

use super::find::{department_mut, references, refuse_in_use, require, role_mut, unknown, user_mut};
use crate::change::ops::codes;
use crate::error::{Error, code};
use crate::policy::{Bundle, FieldAccess, Policy, Recipient, Scope};

pub(super) fn move_user(policy: &mut Policy, user: &str, role: Option<&str>, department: Option<&str>) -> Result<(), Error> {
    if let Some(role) = role {
        require(policy.roles.iter().any(|r| r.id == role), "/role", code::UNKNOWN_ROLE, "role", role)?;
    }
    if let Some(department) = department {
        let known = policy.departments.iter().any(|d| d.id == department);
        require(known, "/department", code::UNKNOWN_DEPARTMENT, "department", department)?;
    }
    let entry = user_mut(policy, user)?;
    if let Some(role) = role {
        entry.role = Some(role.to_owned());
    }
    if let Some(department) = department {
        entry.department = Some(department.to_owned());
    }
    Ok(())
}

pub(super) fn remove_user(policy: &mut Policy, user: &str) -> Result<(), Error> {
    let at = policy.users.iter().position(|u| u.id == user).ok_or_else(|| unknown("/user", code::UNKNOWN_USER, "user", user))?;
    refuse_in_use("user", user, references(policy, |r| matches!(r, Recipient::User(u) if u == user)))?;
    policy.users.remove(at);
    Ok(())
}

pub(super) fn set_profile(policy: &mut Policy, user: &str, profile: Option<&str>) -> Result<(), Error> {
    if let Some(profile) = profile {
        require(policy.bundles.profiles.contains_key(profile), "/profile", code::UNKNOWN_PROFILE, "profile", profile)?;
    }
    user_mut(policy, user)?.profile = profile.map(str::to_owned);
    Ok(())
}

pub(super) fn grant_permission_set(policy: &mut Policy, user: &str, permission_set: &str) -> Result<(), Error> {
    let known = policy.bundles.permission_sets.contains_key(permission_set);
    require(known, "/permission_set", code::UNKNOWN_PERMISSION_SET, "permission set", permission_set)?;
    let entry = user_mut(policy, user)?;
    if entry.permission_sets.iter().any(|s| s == permission_set) {
        return Err(Error::one("/permission_set", codes::NO_EFFECT, format!("`{user}` already holds `{permission_set}`")));
    }
    entry.permission_sets.push(permission_set.to_owned());
    Ok(())
}

pub(super) fn set_attribute(policy: &mut Policy, user: &str, name: &str, value: Option<&serde_json::Value>) -> Result<(), Error> {
    let entry = user_mut(policy, user)?;
    match value {
        Some(value) => {
            entry.attributes.insert(name.to_owned(), value.clone());
        }
        None if entry.attributes.remove(name).is_none() => {
            return Err(Error::one("/name", codes::NO_EFFECT, format!("`{user}` has no attribute `{name}`")));
        }
        None => {}
    }
    Ok(())
}

pub(super) fn remove_group(policy: &mut Policy, group: &str) -> Result<(), Error> {
    let at = policy.groups.iter().position(|g| g.id == group).ok_or_else(|| unknown("/group", code::UNKNOWN_GROUP, "group", group))?;
    refuse_in_use("group", group, references(policy, |r| matches!(r, Recipient::Group(g) if g == group)))?;
    policy.groups.remove(at);
    Ok(())
}

pub(super) fn reparent_role(policy: &mut Policy, role: &str, parent: Option<&str>) -> Result<(), Error> {
    if let Some(parent) = parent {
        require(policy.roles.iter().any(|r| r.id == parent), "/parent", code::UNKNOWN_ROLE, "role", parent)?;
    }
    role_mut(policy, role)?.parent = parent.map(str::to_owned);
    Ok(())
}

pub(super) fn remove_role(policy: &mut Policy, role: &str) -> Result<(), Error> {
    let at = policy.roles.iter().position(|r| r.id == role).ok_or_else(|| unknown("/role", code::UNKNOWN_ROLE, "role", role))?;
    let mut places = references(policy, |r| matches!(r, Recipient::Role(x) | Recipient::RoleAndSubordinates(x) if x == role));
    places
        .extend(policy.users.iter().enumerate().filter(|(_, u)| u.role.as_deref() == Some(role)).map(|(i, _)| format!("/users/{i}/role")));
    places.extend(
        policy.roles.iter().enumerate().filter(|(_, r)| r.parent.as_deref() == Some(role)).map(|(i, _)| format!("/roles/{i}/parent")),
    );
    refuse_in_use("role", role, places)?;
    policy.roles.remove(at);
    Ok(())
}

pub(super) fn reparent_department(policy: &mut Policy, department: &str, parent: Option<&str>) -> Result<(), Error> {
    if let Some(parent) = parent {
        let known = policy.departments.iter().any(|d| d.id == parent);
        require(known, "/parent", code::UNKNOWN_DEPARTMENT, "department", parent)?;
    }
    department_mut(policy, department)?.parent = parent.map(str::to_owned);
    Ok(())
}

pub(super) fn remove_department(policy: &mut Policy, department: &str) -> Result<(), Error> {
    let at = policy
        .departments
        .iter()
        .position(|d| d.id == department)
        .ok_or_else(|| unknown("/department", code::UNKNOWN_DEPARTMENT, "department", department))?;
    let mut places = references(policy, |r| matches!(r, Recipient::Department(x) | Recipient::DepartmentTree(x) if x == department));
    let users = policy.users.iter().enumerate().filter(|(_, u)| u.department.as_deref() == Some(department));
    places.extend(users.map(|(i, _)| format!("/users/{i}/department")));
    let children = policy.departments.iter().enumerate().filter(|(_, d)| d.parent.as_deref() == Some(department));
    places.extend(children.map(|(i, _)| format!("/departments/{i}/parent")));
    refuse_in_use("department", department, places)?;
    policy.departments.remove(at);
    Ok(())
}

pub(super) fn set_scope(entry: &mut Bundle, bundle: &str, object: &str, action: &str, scope: Option<Scope>) -> Result<(), Error> {
    let Some(scope) = scope else {
        let actions = entry.objects.get_mut(object).filter(|a| a.contains_key(action));
        let Some(actions) = actions else {
            return Err(Error::one("/scope", codes::NO_EFFECT, format!("`{bundle}` grants no `{action}` on `{object}`")));
        };
        actions.remove(action);
        if actions.is_empty() {
            entry.objects.remove(object);
        }
        return Ok(());
    };
    entry.objects.entry(object.to_owned()).or_default().insert(action.to_owned(), scope);
    Ok(())
}

pub(super) fn set_field_access(entry: &mut Bundle, bundle: &str, field: &str, access: Option<FieldAccess>) -> Result<(), Error> {
    match access {
        Some(access) => {
            entry.fields.insert(field.to_owned(), access);
        }
        None if entry.fields.remove(field).is_none() => {
            return Err(Error::one("/field", codes::NO_EFFECT, format!("`{bundle}` sets no access to `{field}`")));
        }
        None => {}
    }
    Ok(())
}
