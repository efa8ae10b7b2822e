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
    /// Records of `object` that user `u` may reach for `action` with grant
    /// `scope`. With `only`, just what those sharing rules (by index) reach,
    /// directly or as parents: all a user who gains or loses only those rules
    /// can gain or lose (see `diff`).
    pub(crate) fn candidates(
        &self,
        dataset: &Dataset,
        u: u32,
        action: u32,
        object: u32,
        scope: Option<Scope>,
        only: Option<&[u32]>,
    ) -> Candidates {
        let mut found = Candidates::default();
        let lookups = &dataset.lookups;
        let on_object = |r: &u32| dataset.at(*r).object() == object;
        let entry = &self.objects[object as usize];
        let needs = self.actions[action as usize].needs;
        let baseline = entry.baseline.level();
        // `create` on a draft consults the create grant's scope alone.
        let create = action == CREATE;
        let all = only.is_none();
        if all && (scope == Some(Scope::All) || (!create && baseline.is_some_and(|b| b >= needs))) {
            found.add(true, lookups.by_object[object as usize].iter().copied());
            return found;
        }
        // Levels combine by maximum, so a path below the needed level cannot
        // allow anything: a weaker baseline, hierarchy or rule adds no candidate.
        if all {
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
            if let (Some(_), Some(role)) = (entry.hierarchy.filter(|&level| level >= needs), user.role) {
                for below in self.roles_reached(object, role) {
                    for &owner in &self.users_by_role[below as usize] {
                        found.add(true, lookups.by_owner[owner as usize].iter().copied().filter(on_object));
                    }
                }
                if self.peer_roles[role as usize] {
                    for &owner in self.users_by_role[role as usize].iter().filter(|&&o| o != u) {
                        found.add(true, lookups.by_owner[owner as usize].iter().copied().filter(on_object));
                    }
                }
            }
            found.add(false, lookups.by_team_member[u as usize].iter().copied().filter(on_object));
            found.add(false, lookups.by_user_share[u as usize].iter().copied().filter(on_object));
            found.add(false, lookups.shared_with(|with| self.contains(with, u)).filter(on_object));
        } else if create {
            return found;
        }
        self.rule_and_parent_candidates(dataset, u, action, object, only, found)
    }

    /// What `rules` (by index) reach for user `u`, directly or as parents:
    /// (sure, unsure) as in [`Candidates`], each ascending.
    pub(crate) fn rule_candidates(&self, dataset: &Dataset, u: u32, action: u32, object: u32, rules: &[u32]) -> (Vec<u32>, Vec<u32>) {
        let mut found = self.candidates(dataset, u, action, object, None, Some(rules));
        found.settle(&dataset.lookups.by_object[object as usize], dataset.len());
        (found.sure, found.unsure)
    }

    /// Adds what the sharing rules reaching the user (or just `only`) reach
    /// on `object`, and the children of what the user reaches on its parent
    /// object when the parent controls it.
    fn rule_and_parent_candidates(
        &self,
        dataset: &Dataset,
        u: u32,
        action: u32,
        object: u32,
        only: Option<&[u32]>,
        mut found: Candidates,
    ) -> Candidates {
        let lookups = &dataset.lookups;
        let on_object = |r: &u32| dataset.at(*r).object() == object;
        let entry = &self.objects[object as usize];
        let needs = self.actions[action as usize].needs;
        let user = &self.users[u as usize];
        let reached: Vec<u32>;
        let rules = match only {
            Some(rules) => rules,
            None => {
                reached = self.rules_of(u).iter().map(|packed| packed >> 1).collect();
                &reached
            }
        };
        for &rule in rules {
            let entry = &self.sharing[rule as usize];
            if entry.object != object || entry.level < needs {
                continue;
            }
            match entry.source {
                RuleSource::OwnedBy(_) => {
                    for &owner in &self.rule_owners[rule as usize] {
                        found.add(true, lookups.by_owner[owner as usize].iter().copied().filter(on_object));
                    }
                }
                RuleSource::Criteria(_) => match lookups.criteria_matches(self, &dataset.store, rule) {
                    Some(matches) => found.add(true, matches.iter().copied()),
                    None => found.add(false, lookups.by_object[object as usize].iter().copied()),
                },
            }
        }
        if let Some((parent_object, _)) = entry.parent.filter(|_| entry.baseline == Baseline::ControlledByParent) {
            let parent_scope = self.merged[user.merged as usize].scopes[self.slot(parent_object, action)].map(|(s, _)| s);
            let parents = self.candidates(dataset, u, action, parent_object, parent_scope, only);
            // The parent path gives the parent's level: a sure parent makes a
            // sure child, unless the child names another parent inline.
            found.add(false, lookups.inline_parent.iter().copied().filter(on_object));
            let inline = |child: &u32| !lookups.inline_parent.is_empty() && dataset.at(*child).parent().is_some();
            for (sure, list) in [(true, &parents.sure), (false, &parents.unsure)] {
                for parent in list {
                    if let Some(children) = lookups.children.get(parent) {
                        found.add(sure, children.iter().copied().filter(on_object).filter(|c| !inline(c)));
                    }
                }
            }
        }
        found
    }
}
