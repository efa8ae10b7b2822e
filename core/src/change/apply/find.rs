//! Finding what an operation names (or refusing with `unknown …`), and
//! the list edits most operations are made of: add a new entry, push or
//! remove an item that must (not) be there, refuse a removal still in use.

use crate::change::ops::{BundleKind, BundleRef, codes};
use crate::error::{Error, code};
use crate::policy::{Policy, Recipient, User};

pub(super) fn unknown(path: &str, code: crate::Code, what: &str, id: &str) -> Error {
    Error::one(path, code, format!("unknown {what} `{id}`"))
}

pub(super) fn user_mut<'p>(policy: &'p mut Policy, id: &str) -> Result<&'p mut User, Error> {
    policy.users.iter_mut().find(|u| u.id == id).ok_or_else(|| unknown("/user", code::UNKNOWN_USER, "user", id))
}

pub(super) fn bundle_mut<'p>(policy: &'p mut Policy, bundle: &BundleRef) -> Result<&'p mut crate::policy::Bundle, Error> {
    let (map, code, what) = match bundle.kind {
        BundleKind::Profile => (&mut policy.bundles.profiles, code::UNKNOWN_PROFILE, "profile"),
        BundleKind::PermissionSet => (&mut policy.bundles.permission_sets, code::UNKNOWN_PERMISSION_SET, "permission set"),
    };
    map.get_mut(&bundle.id).ok_or_else(|| unknown("/bundle/id", code, what, &bundle.id))
}

pub(super) fn require(found: bool, path: &str, code: crate::Code, what: &str, id: &str) -> Result<(), Error> {
    if found { Ok(()) } else { Err(unknown(path, code, what, id)) }
}

/// Where a role, department, user or group is still referred to (JSON paths).
pub(super) fn references(policy: &Policy, matches: impl Fn(&Recipient) -> bool) -> Vec<String> {
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

pub(super) fn refuse_in_use(what: &str, id: &str, places: Vec<String>) -> Result<(), Error> {
    if places.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = places.iter().take(5).map(String::as_str).collect();
    let more = if places.len() > 5 { format!(" and {} more", places.len() - 5) } else { String::new() };
    Err(Error::one("", codes::IN_USE, format!("{what} `{id}` is still used at {}{more}", shown.join(", "))))
}

/// Adds `item` unless an entry with its id exists (`duplicate_id`).
pub(super) fn add_new<T: Clone>(list: &mut Vec<T>, item: &T, id: impl Fn(&T) -> &str, path: &str, what: &str) -> Result<(), Error> {
    if list.iter().any(|x| id(x) == id(item)) {
        return Err(Error::one(path, codes::DUPLICATE_ID, format!("{what} `{}` exists already", id(item))));
    }
    list.push(item.clone());
    Ok(())
}

/// The entry whose id is `wanted`, else `unknown {what}` with `code`.
pub(super) fn entry_mut<'p, T>(
    list: &'p mut [T],
    wanted: &str,
    id: impl Fn(&T) -> &str,
    at: (&str, crate::Code),
    what: &str,
) -> Result<&'p mut T, Error> {
    let (path, code) = at;
    list.iter_mut().find(|x| id(x) == wanted).ok_or_else(|| unknown(path, code, what, wanted))
}

/// Pushes `item` unless it is there already (`no_effect`, saying `why`).
pub(super) fn push_new<T: PartialEq + Clone>(list: &mut Vec<T>, item: &T, path: &str, why: impl FnOnce() -> String) -> Result<(), Error> {
    if list.contains(item) {
        return Err(Error::one(path, codes::NO_EFFECT, why()));
    }
    list.push(item.clone());
    Ok(())
}

/// Removes `item` when it is there, else `no_effect`, saying `why`.
pub(super) fn remove_present<T: PartialEq>(list: &mut Vec<T>, item: &T, path: &str, why: impl FnOnce() -> String) -> Result<(), Error> {
    let before = list.len();
    list.retain(|x| x != item);
    if list.len() == before {
        return Err(Error::one(path, codes::NO_EFFECT, why()));
    }
    Ok(())
}

/// Removes the entry whose id is `wanted`, else `unknown_rule`.
pub(super) fn remove_rule<T>(list: &mut Vec<T>, wanted: &str, id: impl Fn(&T) -> &str, what: &str) -> Result<(), Error> {
    let before = list.len();
    list.retain(|x| id(x) != wanted);
    require(list.len() != before, "/rule", codes::UNKNOWN_RULE, what, wanted)
}

pub(super) fn group_mut<'p>(policy: &'p mut Policy, group: &str) -> Result<&'p mut crate::policy::Group, Error> {
    entry_mut(&mut policy.groups, group, |g| &g.id, ("/group", code::UNKNOWN_GROUP), "group")
}

pub(super) fn role_mut<'p>(policy: &'p mut Policy, role: &str) -> Result<&'p mut crate::policy::Role, Error> {
    entry_mut(&mut policy.roles, role, |r| &r.id, ("/role", code::UNKNOWN_ROLE), "role")
}

pub(super) fn department_mut<'p>(policy: &'p mut Policy, department: &str) -> Result<&'p mut crate::policy::Department, Error> {
    entry_mut(&mut policy.departments, department, |d| &d.id, ("/department", code::UNKNOWN_DEPARTMENT), "department")
}

pub(super) fn object_mut<'p>(policy: &'p mut Policy, object: &str) -> Result<&'p mut crate::policy::ObjectType, Error> {
    policy.schema.objects.get_mut(object).ok_or_else(|| unknown("/object", code::UNKNOWN_OBJECT, "object", object))
}
