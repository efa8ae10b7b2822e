//! Reading the matrix: whether a class's terms hold on one record, and the
//! records they name, listed from the dataset's indices.

use super::{Access, Matrix, Slot, Term};
use crate::dataset::{Dataset, RecordRef};
use crate::engine::{Engine, RuleSource};
use crate::policy::Level;

impl Engine {
    /// Whether the matrix lets user `u` do `action` on record `r` (indices).
    pub(crate) fn matrix_allows_at(&self, matrix: &Matrix, dataset: &Dataset, u: u32, action: u32, r: u32) -> bool {
        let Some(record) = dataset.record(r) else { return false };
        let Some(slot) = matrix.slot(u, record.object(), action) else { return false };
        match &slot.access {
            Access::None => false,
            Access::Listed(records) => records.binary_search(&r).is_ok(),
            Access::Reach => self.reach_holds(matrix, dataset, u, action, record) && !self.excepted(matrix, slot, record.object(), r),
        }
    }

    /// The records of `object` the matrix lets user `u` (index) access with
    /// `action` (index), ascending: what `filter` answers.
    pub fn matrix_records(&self, matrix: &Matrix, dataset: &Dataset, u: u32, object: u32, action: u32) -> Vec<u32> {
        if matrix.engine != self.id || !dataset.belongs_to(self) {
            return Vec::new();
        }
        let Some(slot) = matrix.slot(u, object, action) else { return Vec::new() };
        match &slot.access {
            Access::None => Vec::new(),
            Access::Listed(records) => records.clone(),
            Access::Reach => {
                let mut records = self.reach_records(matrix, dataset, u, object, action);
                records.retain(|&r| !self.excepted(matrix, slot, object, r));
                records
            }
        }
    }

    fn reach_slot<'m>(&self, matrix: &'m Matrix, u: u32, object: u32, action: u32) -> &'m [Term] {
        matrix.slot(u, object, action).map_or(&[], |slot: &Slot| &slot.reach)
    }

    /// Whether a forbid condition of the slot denies record `r`.
    fn excepted(&self, matrix: &Matrix, slot: &Slot, object: u32, r: u32) -> bool {
        slot.except.iter().any(|&c| self.condition_holds(matrix, c, object, r, true))
    }

    /// Whether a condition computed once per matrix holds on record `r`.
    fn condition_holds(&self, matrix: &Matrix, condition: u32, object: u32, r: u32, forbid: bool) -> bool {
        matrix.condition_records.get(&(condition, object, forbid)).is_some_and(|records| records.binary_search(&r).is_ok())
    }

    /// Whether some term of `u`'s reach on the record's object holds on it.
    fn reach_holds(&self, matrix: &Matrix, dataset: &Dataset, u: u32, action: u32, record: RecordRef<'_>) -> bool {
        let object = record.object();
        let needs = self.actions[action as usize].needs;
        let owner_role = self.users[record.owner() as usize].role;
        self.reach_slot(matrix, u, object, action).iter().any(|term| match *term {
            Term::All => true,
            Term::Own => record.owner() == u,
            Term::Scope { scope, department } => self.department_covers(scope, record.department(), Some(department)),
            Term::Below { role } => owner_role.is_some_and(|owner_role| self.hierarchy_reaches(object, role, owner_role)),
            Term::Peers { role } => owner_role == Some(role),
            Term::Rule(rule) => match self.sharing[rule as usize].source {
                RuleSource::OwnedBy(principal) => self.contains(principal, record.owner()),
                // Inline parents are not in the dataset: evaluate them directly.
                RuleSource::Criteria(condition) if !dataset.holds(record) => {
                    self.conditions[condition as usize].evaluate(&self.env(u, Some(record), &matrix.context, false)) == Ok(true)
                }
                RuleSource::Criteria(condition) => self.condition_holds(matrix, condition, object, record.at, false),
            },
            Term::Team => record.team().iter().any(|&(member, level)| member == u && level >= needs),
            Term::Shares => record.shares().iter().any(|&(with, level)| level >= needs && self.contains(with, u)),
            Term::Parent => {
                self.parent_of(record, Some(dataset)).is_some_and(|parent| self.reach_holds(matrix, dataset, u, action, parent))
            }
        })
    }

    /// The records of `object` that `u`'s reach names, ascending.
    fn reach_records(&self, matrix: &Matrix, dataset: &Dataset, u: u32, object: u32, action: u32) -> Vec<u32> {
        let lookups = &dataset.lookups;
        let needs = self.actions[action as usize].needs;
        let on_object = |r: &u32| dataset.at(*r).object() == object;
        let mut found: Vec<u32> = Vec::new();
        let owned_by = |found: &mut Vec<u32>, owners: &[u32]| {
            for &owner in owners {
                found.extend(lookups.by_owner[owner as usize].iter().copied().filter(on_object));
            }
        };
        for term in self.reach_slot(matrix, u, object, action) {
            match *term {
                Term::All => return lookups.by_object[object as usize].to_vec(),
                Term::Own => owned_by(&mut found, &[u]),
                Term::Scope { scope, department } => {
                    for &d in self.departments_covered(scope, department) {
                        found.extend(lookups.by_department[d as usize].iter().copied().filter(on_object));
                    }
                }
                Term::Below { role } => {
                    for below in self.roles_reached(object, role) {
                        owned_by(&mut found, &self.users_by_role[below as usize]);
                    }
                }
                Term::Peers { role } => owned_by(&mut found, &self.users_by_role[role as usize]),
                Term::Rule(rule) => match self.sharing[rule as usize].source {
                    RuleSource::OwnedBy(_) => owned_by(&mut found, &self.rule_owners[rule as usize]),
                    RuleSource::Criteria(condition) => {
                        found.extend(matrix.condition_records.get(&(condition, object, false)).into_iter().flatten());
                    }
                },
                Term::Team => found.extend(
                    lookups.by_team_member[u as usize]
                        .iter()
                        .copied()
                        .filter(|&r| on_object(&r) && reaches(dataset.at(r).team(), |&(member, _)| member == u, needs)),
                ),
                Term::Shares => {
                    let shared = lookups.by_user_share[u as usize].iter().copied();
                    let others = lookups.shared_with(|with| self.contains(with, u));
                    found.extend(
                        shared
                            .chain(others)
                            .filter(|&r| on_object(&r) && reaches(dataset.at(r).shares(), |&(with, _)| self.contains(with, u), needs)),
                    );
                }
                Term::Parent => {
                    if let Some((parent_object, _)) = self.objects[object as usize].parent {
                        for parent in self.reach_records(matrix, dataset, u, parent_object, action) {
                            found.extend(lookups.children.get(&parent).into_iter().flatten().copied().filter(on_object));
                        }
                    }
                    let inline = lookups.inline_parent.iter().copied().filter(on_object);
                    found.extend(inline.filter(|&r| {
                        let record = dataset.at(r);
                        self.parent_of(record, Some(dataset)).is_some_and(|parent| self.reach_holds(matrix, dataset, u, action, parent))
                    }));
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// Whether an entry `matches` the user at the level the action `needs`.
fn reaches<T: Copy>(entries: &[(T, Level)], matches: impl Fn(&(T, Level)) -> bool, needs: Level) -> bool {
    entries.iter().any(|entry| entry.1 >= needs && matches(entry))
}
