//! The operations of a change set: every edit the admin app can make.

use crate::policy::{
    Baseline, Department, FieldAccess, ForbidRule, Group, Hierarchy, Policy, Recipient, Role, Scope, SessionPolicy, SharingRule, User,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Stable error codes of change sets.
pub mod codes {
    /// A removal of something other items still refer to.
    pub const IN_USE: crate::error::Code = crate::error::Code::InUse;
    /// An addition of an id that exists already.
    pub const DUPLICATE_ID: crate::Code = crate::error::code::DUPLICATE_ID;
    /// A rule id that does not exist.
    pub const UNKNOWN_RULE: crate::error::Code = crate::error::Code::UnknownRule;
    /// An operation that would change nothing (the member is absent, the set not held).
    pub const NO_EFFECT: crate::error::Code = crate::error::Code::NoEffect;
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
