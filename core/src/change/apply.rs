//! How each operation edits a policy: checks of the ids it names, refusals
//! of removals still referred to, and no-ops reported as such.

use super::ops::{Operation, codes};
use crate::error::Error;
use crate::policy::Policy;
use find::{
    add_new, bundle_mut, department_mut, entry_mut, group_mut, object_mut, push_new, remove_present, remove_rule, role_mut, user_mut,
};

mod edits;
mod find;

impl Operation {
    /// Applies this operation to `policy` (paths relative to the operation).
    ///
    /// # Errors
    /// Unknown ids, duplicates, removals of things still in use, no-ops.
    pub fn apply(&self, policy: &mut Policy) -> Result<(), Error> {
        match self {
            Operation::MoveUser { user, role, department } => edits::move_user(policy, user, role.as_deref(), department.as_deref()),
            Operation::SetUserActive { user, active } => {
                user_mut(policy, user)?.active = *active;
                Ok(())
            }
            Operation::AddUser { user } => add_new(&mut policy.users, user, |u| &u.id, "/user/id", "user"),
            Operation::RemoveUser { user } => edits::remove_user(policy, user),
            Operation::SetProfile { user, profile } => edits::set_profile(policy, user, profile.as_deref()),
            Operation::GrantPermissionSet { user, permission_set } => edits::grant_permission_set(policy, user, permission_set),
            Operation::RevokePermissionSet { user, permission_set } => {
                let held = &mut user_mut(policy, user)?.permission_sets;
                remove_present(held, permission_set, "/permission_set", || format!("`{user}` does not hold `{permission_set}`"))
            }
            Operation::SetUserAttribute { user, name, value } => edits::set_attribute(policy, user, name, value.as_ref()),
            Operation::AddGroup { group } => add_new(&mut policy.groups, group, |g| &g.id, "/group/id", "group"),
            Operation::RemoveGroup { group } => edits::remove_group(policy, group),
            Operation::AddGroupMember { group, member } => {
                push_new(&mut group_mut(policy, group)?.members, member, "/member", || format!("the member is already in `{group}`"))
            }
            Operation::RemoveGroupMember { group, member } => {
                remove_present(&mut group_mut(policy, group)?.members, member, "/member", || format!("the member is not in `{group}`"))
            }
            Operation::AddRole { role } => add_new(&mut policy.roles, role, |r| &r.id, "/role/id", "role"),
            Operation::RenameRole { role, name } => {
                role_mut(policy, role)?.name = Some(name.clone());
                Ok(())
            }
            Operation::ReparentRole { role, parent } => edits::reparent_role(policy, role, parent.as_deref()),
            Operation::RemoveRole { role } => edits::remove_role(policy, role),
            Operation::AddDepartment { department } => {
                add_new(&mut policy.departments, department, |d| &d.id, "/department/id", "department")
            }
            Operation::RenameDepartment { department, name } => {
                department_mut(policy, department)?.name = Some(name.clone());
                Ok(())
            }
            Operation::ReparentDepartment { department, parent } => edits::reparent_department(policy, department, parent.as_deref()),
            Operation::RemoveDepartment { department } => edits::remove_department(policy, department),
            Operation::SetScope { bundle, object, action, scope } => {
                edits::set_scope(bundle_mut(policy, bundle)?, &bundle.id, object, action, *scope)
            }
            Operation::SetFieldAccess { bundle, field, access } => {
                edits::set_field_access(bundle_mut(policy, bundle)?, &bundle.id, field, *access)
            }
            Operation::GrantSystemPermission { bundle, permission } => {
                let granted = &mut bundle_mut(policy, bundle)?.system;
                push_new(granted, permission, "/permission", || format!("`{}` already grants `{permission}`", bundle.id))
            }
            Operation::RevokeSystemPermission { bundle, permission } => {
                let granted = &mut bundle_mut(policy, bundle)?.system;
                remove_present(granted, permission, "/permission", || format!("`{}` does not grant `{permission}`", bundle.id))
            }
            Operation::SetSession { bundle, session } => {
                bundle_mut(policy, bundle)?.session.clone_from(session);
                Ok(())
            }
            Operation::AddSharingRule { rule } => add_new(&mut policy.sharing_rules, rule, |r| &r.id, "/rule/id", "sharing rule"),
            Operation::EditSharingRule { rule } => {
                *entry_mut(&mut policy.sharing_rules, &rule.id, |r| &r.id, ("/rule/id", codes::UNKNOWN_RULE), "sharing rule")? =
                    rule.clone();
                Ok(())
            }
            Operation::RemoveSharingRule { rule } => remove_rule(&mut policy.sharing_rules, rule, |r| &r.id, "sharing rule"),
            Operation::AddForbidRule { rule } => add_new(&mut policy.forbid, rule, |r| &r.id, "/rule/id", "forbid rule"),
            Operation::EditForbidRule { rule } => {
                *entry_mut(&mut policy.forbid, &rule.id, |r| &r.id, ("/rule/id", codes::UNKNOWN_RULE), "forbid rule")? = rule.clone();
                Ok(())
            }
            Operation::RemoveForbidRule { rule } => remove_rule(&mut policy.forbid, rule, |r| &r.id, "forbid rule"),
            Operation::SetBaseline { object, baseline } => {
                object_mut(policy, object)?.baseline = *baseline;
                Ok(())
            }
            Operation::SetHierarchy { object, hierarchy } => {
                object_mut(policy, object)?.hierarchy = *hierarchy;
                Ok(())
            }
            Operation::ReplacePolicy { policy: replacement } => {
                *policy = (**replacement).clone();
                Ok(())
            }
        }
    }
}
