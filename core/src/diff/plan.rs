//! What a policy change touches: the users whose own answers can change,
//! the records whose owners changed and who reads those owners, the objects
//! to recompute for everyone. `diff` asks only these.

use crate::dataset::Dataset;
use crate::engine::{Engine, RuleSource};
use crate::error::Error;
use std::collections::{BTreeMap, BTreeSet};

mod signature;
use signature::{OwnerChange, Signature, narrow_records};

/// What the change touches.
pub(super) struct Plan<'e> {
    pub(super) changed_users: BTreeSet<&'e str>,
    /// Changed users whose role only moved within the tree (same role, new
    /// ancestors) and whose other inputs are equal but for the sharing rules
    /// that reach them: their own answers can change only on the records
    /// those rules cover, listed here.
    pub(super) narrow_users: BTreeMap<&'e str, Vec<u32>>,
    /// Changed users whose bundles, attributes and activity are unchanged and
    /// whose conditions cannot read what changed: where their grant covers
    /// every record (scope `all`, or a baseline giving the level), their
    /// answer is the same before and after.
    pub(super) same_grants: BTreeSet<&'e str>,
    /// Changed users (not narrow) who differ only by sharing rules, all
    /// gained or all lost: one side's paths are the other's plus those rules,
    /// listed by index in the richer side's engine.
    pub(super) monotone: BTreeMap<&'e str, Vec<u32>>,
    /// The monotone users whose richer side is `after`.
    pub(super) gained: BTreeSet<&'e str>,
    pub(super) dirty_objects: BTreeSet<String>,
    /// Records (indices, the same in both datasets, ascending) whose owner,
    /// or some parent's owner, changed, grouped by those owners.
    pub(super) owned_by_changed: Vec<(BTreeSet<&'e str>, Vec<u32>)>,
    /// For each changed owner: the users whose access paths read what changed
    /// of the owner on every object (see `OwnerChange`), under either policy.
    pub(super) affected_by_owner: BTreeMap<&'e str, BTreeSet<&'e str>>,
    /// For each object (by name): the users whose paths read some changed
    /// owner on that object and its children (hierarchy, peers, owner-based
    /// sharing rules), under either policy.
    pub(super) affected_by_object: BTreeMap<&'e str, BTreeSet<&'e str>>,
    /// Objects with conditions on `record.owner` or `record.department`:
    /// there every user is re-asked.
    pub(super) owner_sensitive_objects: BTreeSet<String>,
}

impl<'e> Plan<'e> {
    pub(super) fn new(before: &'e Engine, old: &Dataset, after: &'e Engine, new: &Dataset) -> Result<Plan<'e>, Error> {
        let (before_policy, after_policy) = (before.policy()?, after.policy()?);
        let users = UserChanges::find((before, before_policy, old), (after, after_policy, new));
        let dirty_objects = dirty_objects(before_policy, after_policy, after);
        let (owned_by_changed, owners) = owned_by_changed(after, new, &users.changed);
        let (affected_by_owner, affected_by_object) = affected(before, after, &owners);
        Ok(Plan {
            changed_users: users.changed,
            narrow_users: users.narrow,
            same_grants: users.same_grants,
            monotone: users.monotone,
            gained: users.gained,
            dirty_objects,
            owned_by_changed,
            affected_by_owner,
            affected_by_object,
            owner_sensitive_objects: owner_sensitive_objects(before, after),
        })
    }
}

/// One side of a diff: the engine, its policy and its records.
type Side<'e, 'd> = (&'e Engine, &'e crate::policy::Policy, &'d Dataset);

/// The users whose own answers can change, sorted by how much of them must
/// be asked again (the fields of [`Plan`] of the same names).
#[derive(Default)]
struct UserChanges<'e> {
    changed: BTreeSet<&'e str>,
    narrow: BTreeMap<&'e str, Vec<u32>>,
    same_grants: BTreeSet<&'e str>,
    monotone: BTreeMap<&'e str, Vec<u32>>,
    gained: BTreeSet<&'e str>,
}

impl<'e> UserChanges<'e> {
    fn find((before, before_policy, old): Side<'e, '_>, (after, after_policy, new): Side<'e, '_>) -> UserChanges<'e> {
        let bundle_changed = changed_bundle_holders(before_policy, after_policy, before, after);
        // Conditions that read the user's role or department make every path depend on them.
        let reads = |test: fn(&crate::condition::Condition) -> bool| [before, after].iter().any(|e| e.conditions.iter().any(test));
        let (reads_user_role, reads_user_department) =
            (reads(crate::condition::Condition::reads_user_role), reads(crate::condition::Condition::reads_user_department));
        let mut users = UserChanges::default();
        let comparable = before.indexes_like(after);
        // The same users in the same order: each once, by position, no lookups.
        let same_ids = before.user_ids == after.user_ids;
        let ids = before.user_ids.iter().chain(after.user_ids.iter().filter(|_| !same_ids));
        for (i, id) in ids.enumerate() {
            if users.changed.contains(id) {
                continue;
            }
            let bundle_changed = bundle_changed(id);
            // Most users are untouched: compare indices before building signatures.
            let at = |engine: &Engine| if same_ids { Some(i as u32) } else { engine.user_at(id) };
            if comparable && !bundle_changed && at(before).zip(at(after)).is_some_and(|(a, b)| before.same_user_entry(after, a, b)) {
                continue;
            }
            let (was, now) = (before.user_signature(id), after.user_signature(id));
            if was == now && !bundle_changed {
                continue;
            }
            users.changed.insert(id);
            if let (Some(was), Some(now), false) = (&was, &now, bundle_changed)
                && was.narrowable(now)
                && !(was.role_moved(now) && reads_user_role)
                && !(was.department_moved(now) && reads_user_department)
            {
                users.same_grants.insert(id);
                users.narrow_or_monotone(id, (before, old, was), (after, new, now));
            }
        }
        users
    }

    /// Files a user whose grants are the same: narrow when the records the
    /// changed rules cover can be listed, else monotone when the rules were
    /// all gained or all lost.
    fn narrow_or_monotone(
        &mut self,
        id: &'e str,
        before: (&'e Engine, &Dataset, &Signature<'e>),
        after: (&'e Engine, &Dataset, &Signature<'e>),
    ) {
        let (was, now) = (before.2, after.2);
        if let Some(records) = narrow_records(id, before, after) {
            self.narrow.insert(id, records);
        } else if let Some((gained, ids)) = was.rules_apart(now) {
            let rich = if gained { after.0 } else { before.0 };
            self.monotone.insert(id, ids.iter().filter_map(|&id| rich.sharing_at(id)).collect());
            if gained {
                self.gained.insert(id);
            }
        }
    }
}

/// Whether a user holds, on either side, a bundle whose definition changed
/// (which touches every holder).
fn changed_bundle_holders<'a>(
    b: &'a crate::policy::Policy,
    a: &'a crate::policy::Policy,
    before: &'a Engine,
    after: &'a Engine,
) -> impl Fn(&str) -> bool + 'a {
    let (bb, ab) = (&b.bundles, &a.bundles);
    let changed_profiles: BTreeSet<&String> =
        bb.profiles.keys().chain(ab.profiles.keys()).filter(|id| bb.profiles.get(*id) != ab.profiles.get(*id)).collect();
    let changed_sets: BTreeSet<&String> = bb
        .permission_sets
        .keys()
        .chain(ab.permission_sets.keys())
        .filter(|id| bb.permission_sets.get(*id) != ab.permission_sets.get(*id))
        .collect();
    let any = !changed_profiles.is_empty() || !changed_sets.is_empty();
    let holds = move |engine: &Engine, policy: &crate::policy::Policy, id: &str| {
        let Some(user) = engine.user_at(id).map(|u| &policy.users[u as usize]) else { return false };
        user.profile.as_ref().is_some_and(|p| changed_profiles.contains(p)) || user.permission_sets.iter().any(|s| changed_sets.contains(s))
    };
    move |id| any && (holds(before, b, id) || holds(after, a, id))
}

/// Objects to recompute for everyone: their schema or rules changed (or
/// the actions or departments did), or a parent's did.
fn dirty_objects(b: &crate::policy::Policy, a: &crate::policy::Policy, after: &Engine) -> BTreeSet<String> {
    let mut dirty_objects: BTreeSet<String> = BTreeSet::new();
    let global = b.schema.actions != a.schema.actions || b.departments != a.departments;
    let names: BTreeSet<&String> = b.schema.objects.keys().chain(a.schema.objects.keys()).collect();
    for name in names {
        if global || b.schema.objects.get(name) != a.schema.objects.get(name) || rules_on(b, name) != rules_on(a, name) {
            dirty_objects.insert(name.clone());
        }
    }
    // A child follows its parent: a dirty parent makes the child dirty.
    for _ in 0..after.objects.len() {
        for object in &after.objects {
            if let Some((parent, _)) = object.parent
                && dirty_objects.contains(&*after.objects[parent as usize].name)
            {
                dirty_objects.insert(object.name.to_string());
            }
        }
    }
    dirty_objects
}

/// The sharing and forbid rules that apply to object `name`.
#[allow(clippy::type_complexity)]
fn rules_on<'p>(p: &'p crate::policy::Policy, name: &str) -> (Vec<&'p crate::policy::SharingRule>, Vec<&'p crate::policy::ForbidRule>) {
    (
        p.sharing_rules.iter().filter(|r| r.object == name).collect(),
        p.forbid.iter().filter(|f| f.objects.as_ref().is_none_or(|objects| objects.iter().any(|o| o == name))).collect(),
    )
}

/// Records whose owner, or some parent's owner, is a changed user, grouped
/// by those owners; and every such owner.
#[allow(clippy::type_complexity)]
fn owned_by_changed<'e>(
    after: &'e Engine,
    new: &Dataset,
    changed_users: &BTreeSet<&'e str>,
) -> (Vec<(BTreeSet<&'e str>, Vec<u32>)>, BTreeSet<&'e str>) {
    let mut owned_by_changed: BTreeMap<u32, BTreeSet<&'e str>> = BTreeMap::new();
    for &owner in changed_users {
        let Some(o) = after.user_at(owner) else { continue };
        let mut stack: Vec<u32> = new.lookups.by_owner[o as usize].to_vec();
        while let Some(record) = stack.pop() {
            if owned_by_changed.entry(record).or_default().insert(owner) {
                stack.extend(new.lookups.children.get(&record).into_iter().flatten());
            }
        }
    }
    // Inline parents are not in the children index: look at them directly.
    for &record in &new.lookups.inline_parent {
        let mut parent = new.at(record).parent();
        while let Some(p) = parent {
            let owner = after.user_id(p.owner());
            if let Some(&owner) = changed_users.get(owner) {
                owned_by_changed.entry(record).or_default().insert(owner);
            }
            parent = p.parent();
        }
    }
    let owners: BTreeSet<&'e str> = owned_by_changed.values().flatten().copied().collect();
    // Few distinct sets of owners: a list searched in order serves.
    let mut grouped: Vec<(BTreeSet<&'e str>, Vec<u32>)> = Vec::new();
    for (record, owners) in owned_by_changed {
        match grouped.iter_mut().find(|(set, _)| *set == owners) {
            Some((_, records)) => records.push(record),
            None => grouped.push((owners, vec![record])),
        }
    }
    (grouped, owners)
}

/// Who reads each changed owner: on every object, and per object.
type Affected<'e> = (BTreeMap<&'e str, BTreeSet<&'e str>>, BTreeMap<&'e str, BTreeSet<&'e str>>);

/// The users whose paths read what changed of each owner, under either policy.
fn affected<'e>(before: &'e Engine, after: &'e Engine, owners: &BTreeSet<&'e str>) -> Affected<'e> {
    let changes: BTreeMap<&'e str, OwnerChange<'e>> = owners.iter().map(|&o| (o, OwnerChange::new(before, after, o))).collect();
    let mut affected_by_owner: BTreeMap<&'e str, BTreeSet<&'e str>> = BTreeMap::new();
    let mut affected_by_object: BTreeMap<&'e str, BTreeSet<&'e str>> = BTreeMap::new();
    let mut chains: BTreeMap<&'e str, BTreeSet<&'e str>> = BTreeMap::new();
    for engine in [before, after] {
        let rule_users = engine.rule_users();
        for (&owner, change) in &changes {
            let everywhere = affected_by_owner.entry(owner).or_default();
            let chain = chains.entry(owner).or_default();
            engine.users_reading_owner(owner, change, &rule_users, (everywhere, &mut affected_by_object), chain);
        }
    }
    // A role chain's users read the owner through the hierarchy and peer
    // paths: only those whose path to the owner's records differs.
    for (owner, chain) in chains {
        for object in &after.objects {
            let path = |engine: &Engine, user: &str| engine.hierarchy_path(&object.name, user, owner);
            let differ = chain.iter().filter(|&&user| path(before, user) != path(after, user));
            affected_by_object.entry(&object.name).or_default().extend(differ);
        }
    }
    (affected_by_owner, affected_by_object)
}

/// Objects with conditions on `record.owner` or `record.department`, under either policy.
fn owner_sensitive_objects(before: &Engine, after: &Engine) -> BTreeSet<String> {
    let mut owner_sensitive_objects = BTreeSet::new();
    for engine in [before, after] {
        for (o, object) in engine.objects.iter().enumerate() {
            let rules = engine.sharing.iter().filter(|r| r.object == o as u32).filter_map(|r| match r.source {
                RuleSource::Criteria(c) => Some(c),
                RuleSource::OwnedBy(_) => None,
            });
            let forbids = (0..engine.n_actions() as u32).flat_map(|a| {
                let slot = engine.slot(o as u32, a);
                engine.forbid_deny[slot].iter().chain(&engine.forbid_hide[slot]).map(|&(_, c)| c)
            });
            if rules.chain(forbids).any(|c| engine.conditions[c as usize].reads_owner_or_department()) {
                owner_sensitive_objects.insert(object.name.to_string());
            }
        }
    }
    owner_sensitive_objects
}

impl Engine {
    /// For each sharing rule, the users it reaches (recipients and superiors).
    fn rule_users(&self) -> Vec<Vec<u32>> {
        let mut users = vec![Vec::new(); self.sharing.len()];
        for u in 0..self.users.len() as u32 {
            for &packed in self.rules_of(u) {
                users[(packed >> 1) as usize].push(u);
            }
        }
        users
    }

    /// Adds the users whose access paths read what changed of `owner`:
    /// department scopes (the owner's department and its ancestors) when the
    /// owner's department chain changed, on every object; the users of the
    /// owner-based sharing rules whose owners gained or lost them, on the
    /// rule's object; and into `chain` the holders of the owner's role and
    /// its ancestors when the role chain changed (hierarchy and peers).
    fn users_reading_owner<'e>(
        &'e self,
        owner: &str,
        change: &OwnerChange<'_>,
        rule_users: &[Vec<u32>],
        (everywhere, by_object): (&mut BTreeSet<&'e str>, &mut BTreeMap<&'e str, BTreeSet<&'e str>>),
        chain: &mut BTreeSet<&'e str>,
    ) {
        let Some(o) = self.user_at(owner) else { return };
        let user = &self.users[o as usize];
        let ids = |list: &[u32]| list.iter().map(|&u| self.user_id(u)).collect::<Vec<&'e str>>();
        let mut department = user.department.filter(|_| change.department);
        while let Some(d) = department {
            everywhere.extend(ids(&self.users_by_department[d as usize]));
            department = self.departments.parent[d as usize];
        }
        let mut role = user.role.filter(|_| change.role);
        while let Some(r) = role {
            chain.extend(ids(&self.users_by_role[r as usize]));
            role = self.roles.parent[r as usize];
        }
        for (r, rule) in self.sharing.iter().enumerate() {
            if change.rules.contains(&*rule.id) {
                let object = &*self.objects[rule.object as usize].name;
                by_object.entry(object).or_default().extend(ids(&rule_users[r]));
            }
        }
    }

    /// What the hierarchy and peer paths of `user` give on `owner`'s records
    /// of `object`: the level, whether the owner is below within the depth,
    /// whether they are peers. `None` when the object or either user is
    /// missing or the object has no hierarchy access.
    fn hierarchy_path(&self, object: &str, user: &str, owner: &str) -> Option<(crate::policy::Level, bool, bool)> {
        let x = self.object_id(object)?;
        let level = self.objects[x as usize].hierarchy?;
        let (u, o) = (self.user_at(user)?, self.user_at(owner)?);
        let (Some(role), Some(owner_role)) = (self.users[u as usize].role, self.users[o as usize].role) else {
            return Some((level, false, false));
        };
        let peers = role == owner_role && u != o && self.peer_roles[role as usize];
        Some((level, self.hierarchy_reaches(x, role, owner_role), peers))
    }

    /// The ids of the owner-based sharing rules whose owners include user `o`.
    fn rules_owning(&self, o: u32) -> BTreeSet<&str> {
        let owning = self.rule_owners.iter().zip(&self.sharing).filter(|(owners, _)| owners.binary_search(&o).is_ok());
        owning.map(|(_, rule)| &*rule.id).collect()
    }

    /// The records a sharing rule (by id) can share: its owners' records, or
    /// the records its criteria match (every record of the object when the
    /// criteria read the user or context). Their children are the caller's.
    fn rule_records(&self, rule: &str, dataset: &Dataset, into: &mut Vec<u32>) {
        let Some(r) = self.sharing_at(rule).map(|r| r as usize) else { return };
        let entry = &self.sharing[r];
        match entry.source {
            RuleSource::OwnedBy(_) => {
                for &owner in &self.rule_owners[r] {
                    into.extend(dataset.lookups.by_owner[owner as usize].iter().filter(|&&x| dataset.at(x).object() == entry.object));
                }
            }
            RuleSource::Criteria(_) => match dataset.lookups.criteria_matches(self, &dataset.store, r as u32) {
                Some(matches) => into.extend_from_slice(matches),
                None => into.extend_from_slice(&dataset.lookups.by_object[entry.object as usize]),
            },
        }
    }

    /// Records the user's place reaches in this engine: records owned in the
    /// user's role subtree (hierarchy, peers) and records of the user's
    /// department subtree (department scopes).
    fn place_records(&self, user: &str, dataset: &Dataset, role: bool, department: bool, into: &mut Vec<u32>) {
        let Some(u) = self.user_at(user) else { return };
        let entry = &self.users[u as usize];
        if let (true, Some(r)) = (role, entry.role) {
            for &below in self.roles.subtree(r) {
                for &owner in &self.users_by_role[below as usize] {
                    into.extend_from_slice(&dataset.lookups.by_owner[owner as usize]);
                }
            }
        }
        if let (true, Some(d)) = (department, entry.department) {
            for &below in self.departments.subtree(d) {
                into.extend_from_slice(&dataset.lookups.by_department[below as usize]);
            }
        }
    }

    /// Whether the user's answer for the action is the same on every record
    /// of the object but for forbid rules: stages 1–3 deny (inactive, the
    /// session, no grant), or the grant reaches every record at the level the
    /// action needs (scope `all`, or the baseline). Then, where grants and
    /// forbid rules are unchanged, no owner's or place's change alters it.
    pub(super) fn answers_alike(&self, u: u32, object: u32, action: u32, context: &crate::request::Context) -> bool {
        let Some((scope, _)) = self.gates_pass(u, context).and_then(|merged| merged.scopes[self.slot(object, action)]) else {
            return true;
        };
        let needs = self.actions[action as usize].needs;
        scope == crate::policy::Scope::All
            || (action != crate::compile::schema::CREATE && self.objects[object as usize].baseline.level().is_some_and(|b| b >= needs))
    }

    /// Adds the descendants of the records listed from `start` on: children follow their parents.
    fn add_children(&self, dataset: &Dataset, into: &mut Vec<u32>, start: usize) {
        let mut i = start;
        while i < into.len() {
            if let Some(children) = dataset.lookups.children.get(&into[i]) {
                into.extend_from_slice(children);
            }
            i += 1;
        }
    }

    /// Whether roles, departments, groups, bundles, sharing rules and
    /// attributes have the same indices here as in `other` (so users'
    /// entries can be compared index by index).
    fn indexes_like(&self, other: &Engine) -> bool {
        let tree = |a: &crate::engine::tree::Tree, b: &crate::engine::tree::Tree| a.ids == b.ids && a.parent == b.parent;
        tree(&self.roles, &other.roles)
            && tree(&self.departments, &other.departments)
            && self.peer_roles == other.peer_roles
            && self.groups == other.groups
            && self.attributes == other.attributes
            && self.bundles.iter().map(|b| &b.id).eq(other.bundles.iter().map(|b| &b.id))
            && self.sharing.iter().map(|r| &r.id).eq(other.sharing.iter().map(|r| &r.id))
    }

    /// Whether user `a` here has the same entry as user `b` in `other` (see
    /// [`Engine::indexes_like`]): then their signatures are equal too.
    fn same_user_entry(&self, other: &Engine, a: u32, b: u32) -> bool {
        let (x, y) = (&self.users[a as usize], &other.users[b as usize]);
        x.active == y.active
            && x.role == y.role
            && x.department == y.department
            && self.merged[x.merged as usize].bundles == other.merged[y.merged as usize].bundles
            && self.groups_of(a) == other.groups_of(b)
            && self.rules_of(a) == other.rules_of(b)
            && self.values_of(a) == other.values_of(b)
    }

    fn user_signature(&self, id: &str) -> Option<Signature<'_>> {
        let u = self.user_at(id)?;
        let user = &self.users[u as usize];
        let mut role = Vec::new();
        let mut node = user.role;
        while let Some(n) = node {
            role.push((&*self.roles.ids[n as usize], self.peer_roles[n as usize]));
            node = self.roles.parent[n as usize];
        }
        let mut department = Vec::new();
        let mut node = user.department;
        while let Some(n) = node {
            department.push(&*self.departments.ids[n as usize]);
            node = self.departments.parent[n as usize];
        }
        Some(Signature {
            active: user.active,
            role,
            department,
            bundles: self.merged[user.merged as usize].bundles.iter().map(|&b| &*self.bundles[b as usize].id).collect(),
            groups: self.groups_of(u).iter().map(|&g| &*self.groups[g as usize]).collect(),
            rules: self.rules_of(u).iter().map(|&r| (&*self.sharing[(r >> 1) as usize].id, r & 1)).collect(),
            attributes: self
                .attributes
                .iter()
                .zip(self.values_of(u))
                .filter(|(_, v)| **v != crate::value::Value::Null)
                .map(|(k, v)| (&**k, v))
                .collect(),
        })
    }
}
