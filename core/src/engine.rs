//! The compiled, immutable, indexed form of a policy.

use crate::cidr::Cidr;
use crate::clock::Hours;
use crate::compile::tree::Tree;
use crate::condition::Condition;
use crate::error::Error;
use crate::policy::{Baseline, FieldAccess, FieldType, Level, Policy, Scope};
use crate::value::Value;
use rustc_hash::FxHashMap;

/// A compiled policy. Build it once with [`Engine::compile`]; every question
/// (check, explain, …) reads it without changing it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Engine {
    /// Not in the compiled form: a bundle carries it as JSON, decoded on first use.
    #[serde(skip)]
    pub(crate) source: SourcePolicy,
    pub(crate) users: Vec<UserEntry>,
    /// Users holding each role.
    pub(crate) users_by_role: Vec<Vec<u32>>,
    /// Users of each department.
    pub(crate) users_by_department: Vec<Vec<u32>>,
    /// Rebuilt from `users` when a bundle is loaded.
    #[serde(skip)]
    pub(crate) user_index: FxHashMap<Box<str>, u32>,
    pub(crate) roles: Tree,
    pub(crate) peer_roles: Vec<bool>,
    pub(crate) departments: Tree,
    pub(crate) groups: Vec<Box<str>>,
    pub(crate) group_index: FxHashMap<Box<str>, u32>,
    pub(crate) attributes: Vec<Box<str>>,
    pub(crate) objects: Vec<ObjectEntry>,
    pub(crate) object_index: FxHashMap<Box<str>, u32>,
    pub(crate) actions: Vec<ActionEntry>,
    pub(crate) action_index: FxHashMap<Box<str>, u32>,
    pub(crate) bundles: Vec<BundleEntry>,
    pub(crate) merged: Vec<Merged>,
    pub(crate) field_offsets: Vec<u32>,
    pub(crate) sharing: Vec<SharingEntry>,
    /// For each owner-based sharing rule, the users its `owned_by` contains (sorted).
    pub(crate) rule_owners: Vec<Vec<u32>>,
    pub(crate) forbid: Vec<ForbidEntry>,
    pub(crate) conditions: Vec<Condition>,
    /// Per `object * n_actions + action`: deny rules `(rule, condition)`.
    pub(crate) forbid_deny: Vec<Vec<(u32, u32)>>,
    /// Per `object * n_actions + action`: field-hiding rules `(rule, condition)`.
    pub(crate) forbid_hide: Vec<Vec<(u32, u32)>>,
    /// Whether any gate or rule reads `context.mfa` (else no remedy is tried).
    pub(crate) mfa_matters: bool,
    /// Identifies this compiled engine, so datasets (which hold its indices)
    /// are never used with another. Fresh for every engine, even one decoded
    /// from a bundle, so it is never serialised.
    #[serde(skip)]
    pub(crate) id: u64,
}

/// The policy an engine was compiled from: at hand after compiling, or kept
/// as JSON text (from a bundle), checked against its signed digest and
/// decoded the first time lint or diff need it, so loading a bundle neither
/// hashes nor decodes it.
#[derive(Debug, Clone, Default)]
pub(crate) struct SourcePolicy {
    policy: std::sync::OnceLock<Option<Policy>>,
    /// A bundle's policy section, kept as bytes: checking its UTF-8 at load
    /// would cost the cold start a pass over the whole text.
    json: Option<Box<[u8]>>,
    /// SHA-512 of `json`, as signed in the bundle.
    digest: Option<[u8; 64]>,
}

impl SourcePolicy {
    /// A policy at hand.
    pub fn ready(policy: Policy) -> SourcePolicy {
        SourcePolicy { policy: std::sync::OnceLock::from(Some(policy)), json: None, digest: None }
    }

    /// A policy decoded on first use from JSON whose SHA-512 must be `digest`.
    pub fn lazy(json: Box<[u8]>, digest: [u8; 64]) -> SourcePolicy {
        SourcePolicy { policy: std::sync::OnceLock::new(), json: Some(json), digest: Some(digest) }
    }

    /// The policy's JSON text (for bundles).
    ///
    /// # Errors
    /// As [`SourcePolicy::get`].
    pub fn json(&self) -> Result<String, Error> {
        match &self.json {
            Some(json) => Ok(String::from_utf8_lossy(json).into_owned()),
            None => Ok(serde_json::to_string(self.get()?).unwrap_or_default()),
        }
    }

    /// The policy, or `bad_signature` when a bundle's policy section does
    /// not match the digest its signature covers.
    ///
    /// # Errors
    /// `bad_signature`.
    pub fn get(&self) -> Result<&Policy, Error> {
        let policy = self.policy.get_or_init(|| {
            let bytes = self.json.as_deref()?;
            if self.digest != Some(crate::bundle::sha512(bytes)) {
                return None;
            }
            let json = std::str::from_utf8(bytes).ok()?;
            // Through the same decoder as `Engine::from_json`: one copy of the
            // policy's deserialisation code in the wasm binary, not two.
            crate::policy::decode_policy(&crate::json::parse_json(json).ok()?).ok()
        });
        policy.as_ref().ok_or_else(|| {
            Error::one("", crate::bundle::code::BAD_SIGNATURE, "the bundle's policy section does not match its signature: it was altered")
        })
    }
}

/// A compiled user.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct UserEntry {
    pub(crate) id: Box<str>,
    pub(crate) name: Option<Box<str>>,
    pub(crate) active: bool,
    pub(crate) role: Option<u32>,
    pub(crate) department: Option<u32>,
    pub(crate) merged: u32,
    pub(crate) attributes: Box<[Value]>,
    /// Groups containing the user, nesting closed, sorted.
    pub(crate) groups: Box<[u32]>,
    /// Sharing rules reaching the user: `rule << 1 | superior`, in id order.
    pub(crate) sharing_rules: Box<[u32]>,
}

/// A compiled object type.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct ObjectEntry {
    pub(crate) name: Box<str>,
    pub(crate) baseline: Baseline,
    /// `None` when hierarchy access is `none`.
    pub(crate) hierarchy: Option<Level>,
    pub(crate) hierarchy_depth: Option<u32>,
    /// Parent object and the child's field holding the parent id.
    pub(crate) parent: Option<(u32, u32)>,
    pub(crate) fields: Vec<FieldEntry>,
    pub(crate) field_index: FxHashMap<Box<str>, u32>,
}

/// A compiled field.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct FieldEntry {
    pub(crate) name: Box<str>,
    pub(crate) kind: FieldType,
    pub(crate) sensitive: bool,
}

/// An action and the level it needs.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct ActionEntry {
    pub(crate) name: Box<str>,
    pub(crate) needs: Level,
}

/// A compiled bundle (profile or permission set).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct BundleEntry {
    pub(crate) id: Box<str>,
    pub(crate) mfa_required: bool,
    pub(crate) ip_ranges: Vec<Cidr>,
    pub(crate) hours: Option<Hours>,
}

/// The bundles of one distinct (profile, permission sets) combination,
/// merged once: widest scope per object action, most permissive field access.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Merged {
    pub(crate) bundles: Box<[u32]>,
    /// Per `object * n_actions + action`: widest scope and the bundle giving it.
    pub(crate) scopes: Box<[Option<(Scope, u32)>]>,
    /// Per global field slot (`field_offsets[object] + field`).
    pub(crate) fields: Box<[Option<FieldAccess>]>,
    pub(crate) system: Box<[Box<str>]>,
    pub(crate) mfa_bundles: Box<[u32]>,
    pub(crate) ip_bundles: Box<[u32]>,
    pub(crate) hours_bundles: Box<[u32]>,
}

/// A principal standing for a set of users, resolved to indices into the
/// engine's tables (users, groups, roles, departments).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Principal {
    /// One user.
    User(u32),
    /// A group's members, nesting closed.
    Group(u32),
    /// The holders of a role.
    Role(u32),
    /// The holders of a role or a role below it.
    RoleAndSubordinates(u32),
    /// The members of a department.
    Department(u32),
    /// The members of a department or a department below it.
    DepartmentTree(u32),
}

/// What selects the records a sharing rule shares.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) enum RuleSource {
    OwnedBy(Principal),
    Criteria(u32),
}

/// A compiled sharing rule.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct SharingEntry {
    pub(crate) id: Box<str>,
    pub(crate) object: u32,
    pub(crate) source: RuleSource,
    pub(crate) share_with: Principal,
    pub(crate) level: Level,
    pub(crate) superiors: bool,
}

/// A compiled forbid rule.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct ForbidEntry {
    pub(crate) id: Box<str>,
    /// Per object (index): the hidden fields as a bitset, for field rules.
    pub(crate) hidden: Vec<(u32, crate::fields::FieldBits)>,
}

impl Engine {
    /// Compiles a policy: checks every reference and builds the indexed form.
    ///
    /// # Errors
    /// Every problem found, each with its JSON Pointer and stable code.
    pub fn compile(policy: Policy) -> Result<Engine, Error> {
        crate::compile::compile(policy)
    }

    /// Parses and compiles policy JSON text.
    ///
    /// # Errors
    /// Syntax, structure and reference problems, all at once.
    pub fn from_json(text: &str) -> Result<Engine, Error> {
        Engine::compile(crate::policy::parse_policy(text)?)
    }

    /// Compiles a policy from a JSON value.
    ///
    /// # Errors
    /// Structure and reference problems, all at once.
    pub fn from_value(value: &serde_json::Value) -> Result<Engine, Error> {
        Engine::compile(crate::policy::decode_policy(value)?)
    }

    /// The policy this engine was compiled from.
    ///
    /// # Errors
    /// `bad_signature` for an engine loaded from a bundle whose policy
    /// section was altered (checked when first needed, not at load).
    pub fn policy(&self) -> Result<&Policy, Error> {
        self.source.get()
    }

    /// Number of users.
    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    /// The id of every user, in policy order.
    pub fn user_ids(&self) -> impl Iterator<Item = &str> {
        self.users.iter().map(|u| &*u.id)
    }

    /// The name of every object type.
    pub fn object_names(&self) -> impl Iterator<Item = &str> {
        self.objects.iter().map(|o| &*o.name)
    }

    /// The name of an object type by index.
    pub fn object_name(&self, object: u32) -> Option<&str> {
        self.objects.get(object as usize).map(|o| &*o.name)
    }

    /// The id of a department by index.
    pub fn department_name(&self, department: u32) -> Option<&str> {
        self.departments.ids.get(department as usize).map(|d| &**d)
    }

    /// The name of every action, built-in and custom.
    pub fn action_names(&self) -> impl Iterator<Item = &str> {
        self.actions.iter().map(|a| &*a.name)
    }

    /// Whether the user holds a system permission through any of their bundles.
    pub fn has_system_permission(&self, user: &str, permission: &str) -> bool {
        self.user_index
            .get(user)
            .is_some_and(|&u| self.merged[self.users[u as usize].merged as usize].system.iter().any(|p| &**p == permission))
    }

    pub(crate) fn n_actions(&self) -> usize {
        self.actions.len()
    }

    pub(crate) fn slot(&self, object: u32, action: u32) -> usize {
        object as usize * self.actions.len() + action as usize
    }
}
