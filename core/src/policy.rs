//! The policy file as typed Rust: the normative shape of SPEC §5
//! (`examples/reference-org.json`). These types only describe the file;
//! [`crate::Engine::compile`] checks references and builds the indexed form.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod decode;
pub mod sign_in;

pub use decode::{decode_policy, parse_policy};

/// A whole policy: org directory, object schema, bundles and rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Format version; this engine reads version 1.
    #[serde(default = "one")]
    pub version: u32,
    /// Display name of the org.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Free text for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Object types, their fields, baselines and hierarchy access.
    #[serde(default)]
    pub schema: Schema,
    /// The role tree (reporting hierarchy).
    #[serde(default)]
    pub roles: Vec<Role>,
    /// The department tree (business units).
    #[serde(default)]
    pub departments: Vec<Department>,
    /// The people.
    #[serde(default)]
    pub users: Vec<User>,
    /// Named sets of principals, possibly nested.
    #[serde(default)]
    pub groups: Vec<Group>,
    /// Profiles and permission sets.
    #[serde(default)]
    pub bundles: Bundles,
    /// Record-level sharing rules (owner- or criteria-based).
    #[serde(default)]
    pub sharing_rules: Vec<SharingRule>,
    /// Forbid rules: the only subtractive tool; they always win.
    #[serde(default)]
    pub forbid: Vec<ForbidRule>,
    /// Pairs of privileges that must not meet in one user (checked by lint).
    #[serde(default)]
    pub separation_of_duties: Vec<SeparationOfDuty>,
    /// Who approves permission changes, and when two approvals are needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_control: Option<ChangeControl>,
    /// Thresholds of activity analysis (every key optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<crate::activity::ActivityConfig>,
    /// How admins sign in to the control plane (every key optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in: Option<sign_in::SignIn>,
}

fn one() -> u32 {
    1
}

/// The object schema.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// Object types by name.
    #[serde(default)]
    pub objects: BTreeMap<String, ObjectType>,
    /// Custom actions beyond the built-in ones; they need `edit` access.
    #[serde(default)]
    pub actions: Vec<String>,
}

/// One object type (Account, Contact, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectType {
    /// Org-wide default access.
    #[serde(default)]
    pub baseline: Baseline,
    /// What users above a record's owner in the role tree get.
    #[serde(default)]
    pub hierarchy: Hierarchy,
    /// The parent link, for `controlled_by_parent` objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<ParentLink>,
    /// Typed fields by name.
    #[serde(default)]
    pub fields: BTreeMap<String, Field>,
}

/// Org-wide default (Salesforce OWD).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Baseline {
    /// Only the paths of record access apply.
    #[default]
    Private,
    /// Everyone with the privilege may read.
    PublicRead,
    /// Everyone with the privilege may read and edit.
    PublicReadWrite,
    /// Access follows the parent record.
    ControlledByParent,
}

impl Baseline {
    /// The level this baseline gives everyone holding the privilege, if any.
    pub fn level(self) -> Option<Level> {
        match self {
            Baseline::PublicRead => Some(Level::Read),
            Baseline::PublicReadWrite => Some(Level::Edit),
            Baseline::Private | Baseline::ControlledByParent => None,
        }
    }
}

/// Hierarchy access of an object.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hierarchy {
    /// Level granted to superiors of the owner (`full` by default).
    #[serde(default)]
    pub access: HierarchyAccess,
    /// How many levels above the owner's role still count (no limit when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depth: Option<u32>,
}

/// Level given by hierarchy (and peers); `none` disables both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HierarchyAccess {
    /// Read, edit, delete, transfer, share.
    #[default]
    Full,
    /// Read and edit.
    Edit,
    /// Read only.
    Read,
    /// Nothing through the hierarchy.
    None,
}

/// How a child object finds its parent record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParentLink {
    /// The parent's object type.
    pub object: String,
    /// The child's field (of type `id`) that holds the parent's record id.
    pub field: String,
}

/// A typed field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The value type.
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// Sensitive fields are hidden unless a bundle grants them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
}

/// Field value types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Text.
    String,
    /// A JSON number.
    Number,
    /// `true` or `false`.
    Bool,
    /// An RFC 3339 timestamp, as a string.
    Datetime,
    /// A record id, as a string.
    Id,
}

/// A node of the role tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Unique id.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The role this one reports to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Holders of this role see each other's records (Zoho's "share data with peers").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub peers_see_each_other: bool,
}

/// A node of the department tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Department {
    /// Unique id.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The enclosing department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// A person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Unique id.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Inactive users are denied everything.
    #[serde(default = "yes", skip_serializing_if = "Clone::clone")]
    pub active: bool,
    /// The user's place in the role tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The user's department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The user's profile (one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Extra permission sets (any number).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permission_sets: Vec<String>,
    /// Attributes for conditions (`user.region`): strings, numbers, booleans or lists of them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, serde_json::Value>,
}

fn yes() -> bool {
    true
}

/// A named set of principals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Unique id.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Members: users, roles, role subtrees, departments, department subtrees, other groups.
    #[serde(default)]
    pub members: Vec<Recipient>,
}

/// A principal that stands for a set of users.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Recipient {
    /// One user.
    User(String),
    /// The members of a group, nested groups included.
    Group(String),
    /// The holders of a role.
    Role(String),
    /// The holders of a role or any role below it.
    RoleAndSubordinates(String),
    /// The members of a department.
    Department(String),
    /// The members of a department or any department below it.
    DepartmentTree(String),
}

/// Profiles and permission sets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bundles {
    /// Profiles by id (each user has one).
    #[serde(default)]
    pub profiles: BTreeMap<String, Bundle>,
    /// Permission sets by id (each user has any number).
    #[serde(default)]
    pub permission_sets: BTreeMap<String, Bundle>,
}

/// A bundle of grants: object scopes, field access, system permissions, session policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Per object, per action: the scope granted.
    #[serde(default)]
    pub objects: BTreeMap<String, BTreeMap<String, Scope>>,
    /// Per `Object.field`: the access granted.
    #[serde(default)]
    pub fields: BTreeMap<String, FieldAccess>,
    /// System permissions (`manage_users`, `approve_access_changes`, `export`, …).
    #[serde(default)]
    pub system: Vec<String>,
    /// Conditions on the session every holder must meet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionPolicy>,
}

/// Which records a grant covers. Scopes are cumulative: each covers the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Records the user owns.
    Own,
    /// Records of the user's department.
    Department,
    /// Records of the user's department and the departments below it.
    DepartmentTree,
    /// Every record.
    All,
}

/// Access to one field. Ordered `hidden < read < edit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldAccess {
    /// Not visible.
    Hidden,
    /// Visible, not editable.
    Read,
    /// Visible and editable.
    Edit,
}

/// Session policy of a bundle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionPolicy {
    /// The session must have passed multi-factor authentication.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mfa_required: bool,
    /// The client IP must fall in one of these CIDR ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_ranges: Vec<String>,
    /// The request time must fall within these hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_hours: Option<LoginHours>,
}

/// Allowed login hours in a fixed UTC offset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginHours {
    /// Days, as `mon` … `sun`.
    pub days: Vec<String>,
    /// Start time `HH:MM`, inclusive.
    pub start: String,
    /// End time `HH:MM`, exclusive.
    pub end: String,
    /// Offset of local time from UTC, in minutes (e.g. `480` for UTC+8).
    #[serde(default)]
    pub utc_offset_minutes: i32,
}

/// Access levels, ordered `read < edit < full`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// See the record.
    Read,
    /// See and change it.
    Edit,
    /// Also delete, transfer and share it.
    Full,
}

/// A sharing rule: owner-based (`owned_by`) or criteria-based (`criteria`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SharingRule {
    /// Unique id.
    pub id: String,
    /// The object type it shares.
    pub object: String,
    /// Share records owned by members of this principal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<Recipient>,
    /// Share records on which this condition holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria: Option<String>,
    /// Who receives access.
    pub share_with: Recipient,
    /// The level received.
    pub access: Level,
    /// Whether superiors of recipient users receive it too (default true).
    #[serde(default = "yes")]
    pub superiors: bool,
    /// Free text for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A forbid rule: denies `actions` on `objects` (or hides `fields`) when `when` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ForbidRule {
    /// Unique id.
    pub id: String,
    /// Objects it applies to; all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects: Option<Vec<String>>,
    /// Actions it denies; all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<String>>,
    /// When present, the rule hides these fields instead of denying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
    /// Condition over user, record and context; always true when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Free text for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A declared separation-of-duty constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeparationOfDuty {
    /// Unique id.
    pub id: String,
    /// Free text for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Privileges that must not meet in one user.
    pub conflicting: Vec<Privilege>,
}

/// A privilege named by a separation-of-duty constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Privilege {
    /// An object action (any scope).
    Object {
        /// Object type.
        object: String,
        /// Action.
        action: String,
    },
    /// A system permission.
    System {
        /// Permission name.
        system: String,
    },
}

/// Change-control settings (SPEC §4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeControl {
    /// The system permission approvers must hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvers_need: Option<String>,
    /// Conditions under which two distinct approvers are needed.
    #[serde(default)]
    pub two_approvals_when: Vec<TwoApprovalsWhen>,
    /// Whether a request's author may apply it once others approved it
    /// (default: no, so every applied change passed two people's hands).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub author_may_apply: bool,
}

/// When a change needs two approvals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TwoApprovalsWhen {
    /// The change touches a sensitive field.
    TouchesSensitiveField,
    /// The change grants scope `all`.
    GrantsScopeAll,
}
