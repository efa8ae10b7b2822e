//! Building the matrix: each user's slots as terms, then users with equal
//! slots grouped into one class. No record is visited per user: records
//! enter only through the conditions computed once per matrix.

use super::{Access, Matrix, Slot, Term, UserClass};
use crate::compile::schema::CREATE;
use crate::dataset::Dataset;
use crate::engine::{Engine, RuleSource};
use crate::policy::{Baseline, Scope};
use crate::request::Context;
use rustc_hash::FxHashMap;

/// How a condition can be decided for a whole class.
enum Reads {
    /// Not the record: one value per user.
    User,
    /// The record and perhaps the context, not the user: one set of records per matrix.
    Record,
    /// Both the user and the record: per pair.
    Both,
}

fn reads(condition: &crate::condition::Condition) -> Reads {
    match (condition.reads_record(), condition.reads_user()) {
        (false, _) => Reads::User,
        (true, false) => Reads::Record,
        (true, true) => Reads::Both,
    }
}

impl Engine {
    /// The matrix over every user, object and record-bound action of
    /// `dataset` in `context`; empty for a dataset of another engine.
    pub fn matrix(&self, dataset: &Dataset, context: &Context) -> Matrix {
        let mut matrix = Matrix { context: context.clone(), engine: self.id, actions: self.actions.len(), ..Matrix::default() };
        if !dataset.belongs_to(self) {
            return matrix;
        }
        let mut classes: FxHashMap<Vec<Slot>, u32> = FxHashMap::default();
        let mut members: Vec<Vec<u32>> = Vec::new();
        for u in 0..self.users.len() as u32 {
            let slots = self.user_slots(dataset, u, context, &mut matrix);
            let next = classes.len() as u32;
            let class = *classes.entry(slots).or_insert(next);
            if class == next {
                members.push(Vec::new());
            }
            members[class as usize].push(u);
            matrix.class_of.push(class);
        }
        let mut ordered: Vec<(u32, Vec<Slot>)> = classes.into_iter().map(|(slots, class)| (class, slots)).collect();
        ordered.sort_unstable_by_key(|(class, _)| *class);
        matrix.classes = ordered.into_iter().zip(members).map(|((_, slots), users)| UserClass { users, slots }).collect();
        matrix
    }

    /// User `u`'s slot for every object and action.
    fn user_slots(&self, dataset: &Dataset, u: u32, context: &Context, matrix: &mut Matrix) -> Vec<Slot> {
        let mut slots = Vec::with_capacity(self.objects.len() * self.actions.len());
        let Some(merged) = self.gates_pass(u, context) else {
            slots.resize(slots.capacity(), Slot::default());
            return slots;
        };
        // Per slot: whether some condition reads both the user and the record.
        let mut per_pair = Vec::with_capacity(slots.capacity());
        for object in 0..self.objects.len() as u32 {
            for action in 0..self.actions.len() as u32 {
                let (reach, both) =
                    if action == CREATE { (Vec::new(), false) } else { self.reach(dataset, u, object, action, context, matrix) };
                slots.push(Slot { access: Access::None, reach, except: Vec::new() });
                per_pair.push(both);
            }
        }
        for object in 0..self.objects.len() as u32 {
            for action in (0..self.actions.len() as u32).filter(|&a| a != CREATE) {
                let slot = self.slot(object, action);
                if merged.scopes[slot].is_none() {
                    continue;
                }
                let mut both = self.parent_chain(object, action).any(|s| per_pair[s]);
                let mut denied = false;
                let mut except = Vec::new();
                for &(_, condition) in &self.forbid_deny[slot] {
                    match reads(&self.conditions[condition as usize]) {
                        // Unknown (missing context) denies, as in `check`.
                        Reads::User => {
                            denied |= self.conditions[condition as usize].evaluate(&self.env(u, None, context, false)) != Ok(false)
                        }
                        Reads::Record => {
                            self.condition_records(dataset, condition, object, context, true, matrix);
                            except.push(condition);
                        }
                        Reads::Both => both = true,
                    }
                }
                slots[slot].access = if denied {
                    Access::None
                } else if both {
                    Access::Listed(self.filter(dataset, self.user_id(u), action, object, context))
                } else {
                    slots[slot].except = except;
                    Access::Reach
                };
            }
        }
        slots
    }

    /// The slots of `object` and its parents (for controlled-by-parent objects), for `action`.
    fn parent_chain(&self, object: u32, action: u32) -> impl Iterator<Item = usize> + '_ {
        let mut next = Some(object);
        // A parent chain is acyclic and at most as long as the schema.
        std::iter::from_fn(move || {
            let object = next?;
            let entry = &self.objects[object as usize];
            next = entry.parent.filter(|_| entry.baseline == Baseline::ControlledByParent).map(|(p, _)| p);
            Some(self.slot(object, action))
        })
        .take(self.objects.len())
    }

    /// Stage 4 of user `u` on `object` for `action`, as terms, and whether a
    /// criteria rule reads both the user and the record (no terms can say it).
    fn reach(&self, dataset: &Dataset, u: u32, object: u32, action: u32, context: &Context, matrix: &mut Matrix) -> (Vec<Term>, bool) {
        let user = &self.users[u as usize];
        let entry = &self.objects[object as usize];
        let needs = self.actions[action as usize].needs;
        let scope = self.merged[user.merged as usize].scopes[self.slot(object, action)].map(|(scope, _)| scope);
        if scope == Some(Scope::All) || entry.baseline.level().is_some_and(|level| level >= needs) {
            return (vec![Term::All], false);
        }
        let mut terms = vec![Term::Own];
        if let (Some(scope @ (Scope::Department | Scope::DepartmentTree)), Some(department)) = (scope, user.department) {
            terms.push(Term::Scope { scope, department });
        }
        if let (Some(level), Some(role)) = (entry.hierarchy, user.role)
            && level >= needs
        {
            terms.push(Term::Below { role });
            if self.peer_roles[role as usize] {
                terms.push(Term::Peers { role });
            }
        }
        let mut both = false;
        for &packed in self.rules_of(u) {
            let rule = packed >> 1;
            let sharing = &self.sharing[rule as usize];
            if sharing.object != object || sharing.level < needs {
                continue;
            }
            let RuleSource::Criteria(condition) = sharing.source else {
                terms.push(Term::Rule(rule));
                continue;
            };
            match reads(&self.conditions[condition as usize]) {
                Reads::User if self.conditions[condition as usize].evaluate(&self.env(u, None, context, false)) == Ok(true) => {
                    return (vec![Term::All], false);
                }
                Reads::User => {}
                Reads::Record => {
                    self.condition_records(dataset, condition, object, context, false, matrix);
                    terms.push(Term::Rule(rule));
                }
                Reads::Both => both = true,
            }
        }
        // A rule reached through several recipients is one term.
        let rules = terms.iter().position(|t| matches!(t, Term::Rule(_))).unwrap_or(terms.len());
        terms[rules..].sort_unstable_by_key(|t| match t {
            Term::Rule(r) => *r,
            _ => u32::MAX,
        });
        terms.dedup();
        terms.extend([Term::Team, Term::Shares]);
        // As in `check`: the parent path needs the baseline, not a schema link (an inline parent will do).
        if entry.baseline == Baseline::ControlledByParent {
            terms.push(Term::Parent);
        }
        (terms, both)
    }

    /// Computes, once per matrix, the records of `object` a condition that
    /// reads no user holds on: `Ok(true)` for criteria; `Ok(true)` or
    /// unknown for a forbid rule (`forbid`), which fails closed.
    fn condition_records(&self, dataset: &Dataset, condition: u32, object: u32, context: &Context, forbid: bool, matrix: &mut Matrix) {
        matrix
            .condition_records
            .entry((condition, object, forbid))
            .or_insert_with(|| dataset.lookups.records_where(self, &dataset.store, object, condition, context, forbid));
    }
}
