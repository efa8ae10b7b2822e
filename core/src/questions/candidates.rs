//! Candidate records for a user: the records some access path can reach,
//! found through the dataset's indices. A superset of the answer; `filter`
//! confirms each candidate. "Sure" candidates reach the level the action
//! needs through the path that found them, so only forbid rules remain to
//! be checked for them.

use crate::compile::schema::CREATE;
use crate::dataset::Dataset;
use crate::engine::{Engine, RuleSource};
use crate::policy::{Baseline, Scope};

/// Candidates, split by whether the path alone reaches the needed level.
#[derive(Debug, Default)]
pub(crate) struct Candidates {
    pub sure: Vec<u32>,
    pub unsure: Vec<u32>,
}

impl Candidates {
    fn add(&mut self, sure: bool, records: impl IntoIterator<Item = u32>) {
        if sure { self.sure.extend(records) } else { self.unsure.extend(records) }
    }

    /// Sorts, removes duplicates, and drops unsure records that are also sure.
    /// `universe` is every record of the object, sorted; `records` the dataset size.
    pub fn settle(&mut self, universe: &[u32], records: usize) {
        if (self.sure.len() + self.unsure.len()) * 8 < universe.len() {
            self.sure.sort_unstable();
            self.sure.dedup();
            self.unsure.sort_unstable();
            self.unsure.dedup();
            let sure = &self.sure;
            self.unsure.retain(|r| sure.binary_search(r).is_err());
            return;
        }
        // Many candidates: mark them in bitsets and read them back in order,
        // which is cheaper than sorting hundreds of thousands of indices.
        let mark = |list: &[u32]| {
            let mut bits = vec![0u64; records.div_ceil(64)];
            for &r in list {
                bits[r as usize / 64] |= 1 << (r % 64);
            }
            bits
        };
        let (sure, unsure) = (mark(&self.sure), mark(&self.unsure));
        let has = |bits: &[u64], r: u32| bits[r as usize / 64] & (1 << (r % 64)) != 0;
        self.sure = universe.iter().copied().filter(|&r| has(&sure, r)).collect();
        self.unsure = universe.iter().copied().filter(|&r| !has(&sure, r) && has(&unsure, r)).collect();
    }
}

impl Engine {
    /// Records of `object` that user `u` may reach for `action` with grant `scope`.
    pub(crate) fn candidates(&self, dataset: &Dataset, u: u32, action: u32, object: u32, scope: Option<Scope>) -> Candidates {
        let mut found = Candidates::default();
        let lookups = &dataset.lookups;
        let on_object = |r: &u32| dataset.at(*r).object() == object;
        let entry = &self.objects[object as usize];
        let needs = self.actions[action as usize].needs;
        let baseline = entry.baseline.level();
        // `create` on a draft consults the create grant's scope alone.
        let create = action == CREATE;
        if scope == Some(Scope::All) || (!create && baseline.is_some_and(|b| b >= needs)) {
            found.add(true, lookups.by_object[object as usize].iter().copied());
            return found;
        }
        if baseline.is_some() && !create {
            found.add(false, lookups.by_object[object as usize].iter().copied());
            return found;
        }
        let user = &self.users[u as usize];
        found.add(true, lookups.by_owner[u as usize].iter().copied().filter(on_object));
        if let (Some(scope), Some(d)) = (scope, user.department) {
            for &covered in self.departments_covered(scope, d) {
                found.add(true, lookups.by_department[covered as usize].iter().copied().filter(on_object));
            }
        }
        if create {
            return found;
        }
        if let (Some(level), Some(role)) = (entry.hierarchy, user.role) {
            let sure = level >= needs;
            for below in self.roles_reached(object, role) {
                for &owner in &self.users_by_role[below as usize] {
                    found.add(sure, lookups.by_owner[owner as usize].iter().copied().filter(on_object));
                }
            }
            if self.peer_roles[role as usize] {
                for &owner in self.users_by_role[role as usize].iter().filter(|&&o| o != u) {
                    found.add(sure, lookups.by_owner[owner as usize].iter().copied().filter(on_object));
                }
            }
        }
        for &packed in self.rules_of(u) {
            let rule = packed >> 1;
            let entry = &self.sharing[rule as usize];
            if entry.object != object {
                continue;
            }
            let sure = entry.level >= needs;
            match entry.source {
                RuleSource::OwnedBy(_) => {
                    for &owner in &self.rule_owners[rule as usize] {
                        found.add(sure, lookups.by_owner[owner as usize].iter().copied().filter(on_object));
                    }
                }
                RuleSource::Criteria(_) => match lookups.criteria_matches(self, &dataset.store, rule) {
                    Some(matches) => found.add(sure, matches.iter().copied()),
                    None => found.add(false, lookups.by_object[object as usize].iter().copied()),
                },
            }
        }
        found.add(false, lookups.by_team_member[u as usize].iter().copied().filter(on_object));
        found.add(false, lookups.by_user_share[u as usize].iter().copied().filter(on_object));
        found.add(false, lookups.other_shares.iter().filter(|(with, r)| on_object(r) && self.contains(*with, u)).map(|(_, r)| *r));
        if let Some((parent_object, _)) = entry.parent.filter(|_| entry.baseline == Baseline::ControlledByParent) {
            let parent_scope = self.merged[user.merged as usize].scopes[self.slot(parent_object, action)].map(|(s, _)| s);
            let mut parents = self.candidates(dataset, u, action, parent_object, parent_scope);
            parents.sure.append(&mut parents.unsure);
            found.add(false, lookups.inline_parent.iter().copied().filter(on_object));
            for parent in parents.sure {
                if let Some(children) = lookups.children.get(&parent) {
                    found.add(false, children.iter().copied().filter(on_object));
                }
            }
        }
        found
    }
}
