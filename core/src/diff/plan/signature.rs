//! A user as a decision can read them, in names (`Signature`), so that two
//! engines can be compared user by user; what of a changed owner others can
//! read differently (`OwnerChange`); and the few records a user whose place
//! alone moved can see differently (`narrow_records`). The plan asks these.

use crate::dataset::Dataset;
use crate::engine::Engine;
use std::collections::BTreeSet;

/// Everything about a user that a decision can read, in names, so that two
/// engines can be compared. Bundles appear by id; their definitions are
/// compared once per bundle (see [`Plan::new`]).
#[derive(PartialEq)]
pub(super) struct Signature<'a> {
    pub(super) active: bool,
    pub(super) role: Vec<(&'a str, bool)>,
    pub(super) department: Vec<&'a str>,
    pub(super) bundles: Vec<&'a str>,
    pub(super) groups: Vec<&'a str>,
    pub(super) rules: Vec<(&'a str, u32)>,
    pub(super) attributes: Vec<(&'a str, &'a crate::value::Value)>,
}

/// What of a changed owner others' paths can read differently: records
/// owned by a user who only changed role are re-asked of the old and new
/// role chains, not of their department or of every rule reaching them.
pub(super) struct OwnerChange<'e> {
    pub(super) role: bool,
    pub(super) department: bool,
    /// Owner-based rules (by id) whose owners include the owner under one policy only.
    pub(super) rules: BTreeSet<&'e str>,
}

impl<'e> OwnerChange<'e> {
    pub(super) fn new(before: &'e Engine, after: &'e Engine, owner: &str) -> OwnerChange<'e> {
        // Recomputed for the few owners rather than kept from the user loop:
        // a map of signatures cost the npm package 1.9 KB gzipped, past its budget.
        let signatures = (before.user_signature(owner), after.user_signature(owner));
        let owning = |engine: &'e Engine| engine.user_at(owner).map(|o| engine.rules_owning(o)).unwrap_or_default();
        let (was_rules, now_rules) = (owning(before), owning(after));
        let rules = was_rules.symmetric_difference(&now_rules).copied().collect();
        match signatures {
            (Some(was), Some(now)) => OwnerChange { role: was.role != now.role, department: was.department != now.department, rules },
            // Added or removed: everything about them changed.
            _ => OwnerChange { role: true, department: true, rules: was_rules.union(&now_rules).copied().collect() },
        }
    }
}

impl<'a> Signature<'a> {
    /// Equal but for the user's place in the role and department trees, their
    /// groups and the sharing rules that reach them: then only the records
    /// those places, groups and rules touch can change (see [`Plan::new`]).
    pub(super) fn narrowable(&self, other: &Signature<'_>) -> bool {
        self.active == other.active && self.bundles == other.bundles && self.attributes == other.attributes
    }

    /// When the two differ only by the sharing rules that reach the user,
    /// all on one side: whether that side is `other`, and the rules' ids.
    pub(super) fn rules_apart(&self, other: &Signature<'a>) -> Option<(bool, Vec<&'a str>)> {
        let same = self.narrowable(other) && self.role == other.role && self.department == other.department && self.groups == other.groups;
        // Rules reached directly or as a superior give the same level.
        let only = |a: &Signature<'a>, b: &Signature<'a>| -> Vec<&'a str> {
            a.rules.iter().map(|&(id, _)| id).filter(|id| !b.rules.iter().any(|(other, _)| other == id)).collect()
        };
        let (lost, gained) = (only(self, other), only(other, self));
        match (same, lost.is_empty(), gained.is_empty()) {
            (true, false, true) => Some((false, lost)),
            (true, true, false) => Some((true, gained)),
            _ => None,
        }
    }

    /// Whether the user's own role differs (not just its ancestors).
    pub(super) fn role_moved(&self, other: &Signature<'_>) -> bool {
        self.role.first() != other.role.first()
    }

    /// Whether the user's own department differs.
    pub(super) fn department_moved(&self, other: &Signature<'_>) -> bool {
        self.department.first() != other.department.first()
    }
}

/// The records a narrowable user's own answers can change on (see
/// `Plan::narrow_users`): what the sharing rules they gained or lost reach,
/// what their old and new places in the trees reach, the manual shares whose
/// reach differs, and the children of those. `None` past 2 % of the dataset:
/// re-asking that many single records costs more than two filters per object
/// and action.
pub(super) fn narrow_records(
    id: &str,
    old: (&Engine, &Dataset, &Signature<'_>),
    new: (&Engine, &Dataset, &Signature<'_>),
) -> Option<Vec<u32>> {
    let ((before, old, was), (after, new, now)) = (old, new);
    let limit = new.len() / 50;
    let (role, department) = (was.role_moved(now), was.department_moved(now));
    let mut records = Vec::new();
    for (engine, dataset, signature, other) in [(before, old, was, now), (after, new, now, was)] {
        let start = records.len();
        for (rule, _) in signature.rules.iter().filter(|r| !other.rules.contains(r)) {
            engine.rule_records(rule, dataset, &mut records);
            if records.len() > limit {
                return None;
            }
        }
        if role || department {
            engine.place_records(id, dataset, role, department, &mut records);
        }
        if records.len() > limit {
            return None;
        }
        engine.add_children(dataset, &mut records, start);
    }
    // Manual shares to groups, roles and departments follow the user's groups
    // and place in the trees: those whose reach differs.
    let (was_at, now_at) = (before.user_at(id), after.user_at(id));
    let mut shared = Vec::new();
    for (engine, dataset, u) in [(before, old, was_at), (after, new, now_at)] {
        shared.extend(dataset.lookups.shared_with(|with| u.is_some_and(|u| engine.contains(with, u))));
    }
    shared.sort_unstable();
    shared.dedup();
    let share_level = |engine: &Engine, dataset: &Dataset, u: Option<u32>, record: u32| {
        let u = u?;
        dataset.at(record).shares().iter().filter(|(with, _)| engine.contains(*with, u)).map(|&(_, level)| level).max()
    };
    shared.retain(|&r| share_level(before, old, was_at, r) != share_level(after, new, now_at, r));
    // The same records in both datasets, so one children index serves.
    after.add_children(new, &mut shared, 0);
    records.extend(shared);
    records.sort_unstable();
    records.dedup();
    (records.len() <= limit).then_some(records)
}
