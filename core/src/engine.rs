//! The compiled, immutable, indexed form of a policy.

use crate::cidr::Cidr;
use crate::clock::Hours;
use crate::condition::Condition;
use crate::error::Error;
use crate::policy::{Baseline, FieldAccess, FieldType, Level, Policy, Scope};
use crate::value::Value;
use rustc_hash::FxHashMap;

mod compiled_form;
pub(crate) mod names;
mod source;
pub(crate) mod tree;

pub(crate) use source::SourcePolicy;

use tree::Tree;

/// A compiled policy. Build it once with [`Engine::compile`]; every question
/// (check, explain, …) reads it without changing it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Engine {
    /// Not in the compiled form: a bundle carries it as JSON, decoded on first use.
    #[serde(skip)]
    pub(crate) source: SourcePolicy,
    pub(crate) users: Vec<UserEntry>,
    /// Per user: the id.
    pub(crate) user_ids: Strings,
    /// Per user: the display name (empty when none).
    pub(crate) user_names: Strings,
    /// Per user: the groups containing them, nesting closed, sorted.
    pub(crate) user_groups: Lists,
    /// Per user: the sharing rules reaching them, `rule << 1 | superior`, in id order.
    pub(crate) user_rules: Lists,
    /// Distinct rows of attribute values, a value for each of `attributes`
    /// (`Null` when unset), row after row: users mostly share a few rows, so
    /// a bundle carries and allocates each string once.
    pub(crate) value_rows: Vec<Value>,
    /// Per user: their row of `value_rows`.
    #[serde(with = "packed")]
    pub(crate) user_value_rows: Vec<u32>,
    /// Users holding each role: rebuilt from `users` when a bundle is loaded.
    #[serde(skip)]
    pub(crate) users_by_role: Lists,
    /// Users of each department: rebuilt from `users` when a bundle is loaded.
    #[serde(skip)]
    pub(crate) users_by_department: Lists,
    /// Rebuilt from `user_ids` when a bundle is loaded.
    #[serde(skip)]
    pub(crate) user_index: crate::id_index::IdIndex,
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

/// A compiled user (its id and name are in [`Engine::user_ids`] and
/// [`Engine::user_names`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct UserEntry {
    pub(crate) active: bool,
    pub(crate) role: Option<u32>,
    pub(crate) department: Option<u32>,
    pub(crate) merged: u32,
}

/// One list of numbers per user, stored end to end: two allocations for
/// every user together instead of one per user, which is most of what
/// loading a bundle would otherwise spend.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Lists {
    #[serde(with = "packed")]
    items: Vec<u32>,
    /// Where list `i` ends in `items` (it starts where list `i - 1` ends).
    #[serde(with = "packed")]
    ends: Vec<u32>,
}

/// One string per user, stored end to end: one allocation (and one UTF-8
/// check when a bundle loads) for all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Strings {
    text: String,
    #[serde(with = "packed")]
    ends: Vec<u32>,
}

impl Strings {
    /// The strings, in order.
    pub(crate) fn from_strs<'a>(strs: impl IntoIterator<Item = &'a str>) -> Strings {
        let mut out = Strings::default();
        for s in strs {
            out.text.push_str(s);
            out.ends.push(out.text.len() as u32);
        }
        out
    }

    /// String `i` (empty when out of range).
    pub(crate) fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends.get(i - 1).copied().unwrap_or(0) as usize };
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        self.text.get(start..end).unwrap_or_default()
    }

    /// Every string, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len() as u32).map(|i| self.get(i))
    }

    /// How many.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }
}

/// A `Vec<u32>` in a bundle as one byte string of LEB128 numbers, decoded
/// in one tight loop: element-by-element deserialisation of the users'
/// lists was a third of a cold start in the npm package. Each number is
/// stored as its zigzag-encoded difference from the one before: the lists
/// hold ascending ids and list ends, whose differences fit one byte where
/// the numbers take two or three, and a bundle's signature hashes every byte.
mod packed {
    use serde::de::{Error, Visitor};
    use serde::{Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(items: &[u32], serializer: S) -> Result<S::Ok, S::Error> {
        let mut bytes = Vec::with_capacity(items.len() * 2);
        let mut previous = 0u32;
        for &item in items {
            let delta = item.wrapping_sub(previous) as i32;
            previous = item;
            let mut n = ((delta << 1) ^ (delta >> 31)) as u32;
            while n >= 0x80 {
                bytes.push((n as u8) | 0x80);
                n >>= 7;
            }
            bytes.push(n as u8);
        }
        serializer.serialize_bytes(&bytes)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u32>, D::Error> {
        deserializer.deserialize_bytes(Numbers)
    }

    struct Numbers;

    impl Visitor<'_> for Numbers {
        type Value = Vec<u32>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("bytes of LEB128 numbers")
        }

        fn visit_bytes<E: Error>(self, bytes: &[u8]) -> Result<Vec<u32>, E> {
            let mut out = Vec::with_capacity(bytes.len());
            let (mut n, mut shift, mut previous) = (0u32, 0u32, 0u32);
            for &b in bytes {
                if shift > 28 || (shift == 28 && b & 0x70 != 0) {
                    return Err(E::custom("a number overflows 32 bits"));
                }
                n |= u32::from(b & 0x7f) << shift;
                if b & 0x80 == 0 {
                    previous = previous.wrapping_add((n >> 1) ^ (n & 1).wrapping_neg());
                    out.push(previous);
                    (n, shift) = (0, 0);
                } else {
                    shift += 7;
                }
            }
            if shift != 0 {
                return Err(E::custom("the last number is cut off"));
            }
            Ok(out)
        }
    }
}

/// The users holding each of `roles` roles and of each of `departments`
/// departments, ascending: derived data, so bundles do not carry it.
pub(crate) fn users_by_role_and_department(users: &[UserEntry], roles: usize, departments: usize) -> (Lists, Lists) {
    let by = |keys: usize, key: fn(&UserEntry) -> Option<u32>| {
        Lists::group(keys, &|add| users.iter().enumerate().for_each(|(u, user)| key(user).into_iter().for_each(|k| add(k, u as u32))))
    };
    (by(roles, |user| user.role), by(departments, |user| user.department))
}

/// What [`Lists::group`] calls with `add(key, item)`, once per pass.
pub(crate) type Visit<'a> = dyn Fn(&mut dyn FnMut(u32, u32)) + 'a;

impl Lists {
    /// The lists, in order.
    pub(crate) fn from_lists(lists: impl IntoIterator<Item = Vec<u32>>) -> Lists {
        let mut out = Lists::default();
        for list in lists {
            out.items.extend(list);
            out.ends.push(out.items.len() as u32);
        }
        out
    }

    /// `keys` lists from (key, item) pairs, items in the order `visit` gives
    /// them. `visit` runs twice (count, then fill): one allocation per array,
    /// no slack, where a `Vec<Vec<u32>>` costs a header per key and its growth.
    pub(crate) fn group(keys: usize, visit: &Visit<'_>) -> Lists {
        let mut ends = vec![0u32; keys];
        visit(&mut |key, _| {
            if let Some(count) = ends.get_mut(key as usize) {
                *count += 1;
            }
        });
        let mut total = 0;
        let mut next = Vec::with_capacity(keys);
        for end in &mut ends {
            next.push(total);
            total += *end;
            *end = total;
        }
        let mut items = vec![0u32; total as usize];
        visit(&mut |key, item| {
            if let Some(at) = next.get_mut(key as usize) {
                if let Some(slot) = items.get_mut(*at as usize) {
                    *slot = item;
                }
                *at += 1;
            }
        });
        Lists { items, ends }
    }

    /// Bytes held.
    pub(crate) fn memory_bytes(&self) -> usize {
        (self.items.capacity() + self.ends.capacity()) * 4
    }

    /// List `i` (empty when out of range).
    // On the check path: inlined even in the npm package's size-optimised build.
    #[inline(always)]
    pub(crate) fn get(&self, i: u32) -> &[u32] {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends.get(i - 1).copied().unwrap_or(0) as usize };
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        self.items.get(start..end).unwrap_or(&[])
    }
}

impl std::ops::Index<usize> for Lists {
    type Output = [u32];

    fn index(&self, i: usize) -> &[u32] {
        self.get(i as u32)
    }
}

/// A compiled object type.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FieldEntry {
    pub(crate) name: Box<str>,
    pub(crate) kind: FieldType,
    pub(crate) sensitive: bool,
}

/// An action and the level it needs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct ActionEntry {
    pub(crate) name: Box<str>,
    pub(crate) needs: Level,
}

/// A compiled bundle (profile or permission set).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct BundleEntry {
    pub(crate) id: Box<str>,
    pub(crate) mfa_required: bool,
    pub(crate) ip_ranges: Vec<Cidr>,
    pub(crate) hours: Option<Hours>,
}

/// The bundles of one distinct (profile, permission sets) combination,
/// merged once: widest scope per object action, most permissive field access.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) enum RuleSource {
    OwnedBy(Principal),
    Criteria(u32),
}

/// A compiled sharing rule.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct SharingEntry {
    pub(crate) id: Box<str>,
    pub(crate) object: u32,
    pub(crate) source: RuleSource,
    pub(crate) share_with: Principal,
    pub(crate) level: Level,
    pub(crate) superiors: bool,
}

/// A compiled forbid rule.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct ForbidEntry {
    pub(crate) id: Box<str>,
    /// Per object (index): the hidden fields as a bitset, for field rules.
    pub(crate) hidden: Vec<(u32, crate::fields::FieldBits)>,
}

impl Engine {
    /// A process-wide counter: each engine, compiled or loaded, gets its own id.
    pub(crate) fn next_id() -> u64 {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// The policy this engine was compiled from.
    ///
    /// # Errors
    /// `bad_signature` for an engine loaded from a bundle whose policy
    /// section was altered (checked when first needed, not at load).
    pub fn policy(&self) -> Result<&Policy, Error> {
        self.source.get()
    }

    /// The policy's rules for admins signing in (password, second factor,
    /// session timeouts); none when it has no such section or its policy
    /// section does not verify.
    pub fn sign_in(&self) -> Option<&crate::policy::sign_in::SignIn> {
        self.policy().ok()?.sign_in.as_ref()
    }

    /// Number of users.
    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    /// The id of every user, in policy order.
    pub fn user_ids(&self) -> impl Iterator<Item = &str> {
        self.user_ids.iter()
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
        self.user_at(user).is_some_and(|u| self.merged[self.users[u as usize].merged as usize].system.iter().any(|p| &**p == permission))
    }

    /// The position of the user with `id`.
    pub(crate) fn user_at(&self, id: &str) -> Option<u32> {
        self.user_index.get(id, |u| self.user_ids.get(u).as_bytes())
    }

    /// User `u`'s id.
    pub(crate) fn user_id(&self, u: u32) -> &str {
        self.user_ids.get(u)
    }

    /// User `u`'s display name, when the policy gives one.
    pub(crate) fn user_name(&self, u: u32) -> Option<&str> {
        Some(self.user_names.get(u)).filter(|n| !n.is_empty())
    }

    /// The groups containing user `u`.
    // On the check path: inlined even in the npm package's size-optimised build.
    #[inline(always)]
    pub(crate) fn groups_of(&self, u: u32) -> &[u32] {
        self.user_groups.get(u)
    }

    /// The index of the sharing rule with this id (rules are sorted by id).
    pub(crate) fn sharing_at(&self, id: &str) -> Option<u32> {
        self.sharing.binary_search_by(|rule| (*rule.id).cmp(id)).ok().map(|r| r as u32)
    }

    /// The sharing rules reaching user `u` (`rule << 1 | superior`).
    // On the check path: inlined even in the npm package's size-optimised build.
    #[inline(always)]
    pub(crate) fn rules_of(&self, u: u32) -> &[u32] {
        self.user_rules.get(u)
    }

    /// User `u`'s attribute values, one per name of `attributes`.
    pub(crate) fn values_of(&self, u: u32) -> &[Value] {
        let (n, row) = (self.attributes.len(), self.user_value_rows.get(u as usize).copied().unwrap_or(0) as usize);
        self.value_rows.get(row * n..(row + 1) * n).unwrap_or(&[])
    }

    pub(crate) fn n_actions(&self) -> usize {
        self.actions.len()
    }

    // On the check path: inlined even in the npm package's size-optimised build.
    #[inline(always)]
    pub(crate) fn slot(&self, object: u32, action: u32) -> usize {
        object as usize * self.actions.len() + action as usize
    }
}

#[cfg(test)]
mod tests {
    use super::{Lists, Strings};

    #[test]
    fn strings_and_lists_round_trip_through_postcard() {
        let strings = Strings::from_strs(["ann", "", "李雷", "bob"]);
        let lists = Lists::from_lists([vec![1, 300, u32::MAX], vec![], vec![0, 127, 128, 16_384]]);
        let back: (Strings, Lists) = postcard::from_bytes(&postcard::to_allocvec(&(&strings, &lists)).unwrap()).unwrap();
        assert_eq!(back, (strings.clone(), lists.clone()));
        assert_eq!(strings.iter().collect::<Vec<_>>(), ["ann", "", "李雷", "bob"]);
        assert_eq!(lists.get(0), [1, 300, u32::MAX]);
        assert_eq!(lists.get(1), [] as [u32; 0]);
        assert_eq!(lists.get(2), [0, 127, 128, 16_384]);
        assert_eq!(lists.get(3), [] as [u32; 0], "out of range is empty, not a panic");
    }

    #[test]
    fn packed_numbers_refuse_overflow_and_truncation() {
        #[derive(serde::Deserialize, Debug)]
        struct Wrapped(#[serde(with = "super::packed")] Vec<u32>);
        let decode = |bytes: &[u8]| postcard::from_bytes::<Wrapped>(&postcard::to_allocvec(&serde_bytes_like(bytes)).unwrap());
        // Zigzag differences: +3, then −1.
        assert_eq!(decode(&[0x06, 0x01]).unwrap().0, [3, 2]);
        assert_eq!(decode(&[0xff, 0xff, 0xff, 0xff, 0x0f]).unwrap().0, [0x8000_0000], "the largest difference");
        assert!(decode(&[0xff, 0xff, 0xff, 0xff, 0x1f]).is_err(), "more than 32 bits");
        assert!(decode(&[0x80]).is_err(), "cut off");
    }

    /// Bytes serialised as postcard bytes (length, then the bytes).
    fn serde_bytes_like(bytes: &[u8]) -> impl serde::Serialize + '_ {
        struct Bytes<'a>(&'a [u8]);
        impl serde::Serialize for Bytes<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(self.0)
            }
        }
        Bytes(bytes)
    }
}
