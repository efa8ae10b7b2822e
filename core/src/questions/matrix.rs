//! `matrix`: who can see what, for a whole org and dataset, computed on
//! equivalence classes rather than user × record pairs.
//!
//! Each user's access to each object and action is described by *terms*,
//! one per access path of SPEC §2 stage 4 ("records of department D",
//! "records whose owner's role is below R", "records sharing rule S
//! matches", "the user's own records", …), minus the forbid rules that read
//! the record. Users whose descriptions are equal (same role, department,
//! groups, bundles and rules) form one [`UserClass`]. The records a term
//! names are a class of records with the same owner, department, criteria
//! or team signature, read from the dataset's indices; the records of
//! criteria and forbid conditions are computed once per matrix.
//!
//! A 10,000-user, 1,000,000-record org has billions of (user, record)
//! grants: the matrix holds the classes, and [`Engine::matrix_allows`] and
//! [`Engine::matrix_records`] answer pairs and lists from them. They are a
//! second evaluator, independent of `check`'s, and tests hold them equal.

mod build;
mod expand;

use crate::dataset::Dataset;
use crate::engine::Engine;
use crate::policy::Scope;
use crate::request::Context;
use rustc_hash::FxHashMap;

/// Every user's access, grouped into classes of users with the same access.
#[derive(Debug, Clone, Default)]
pub struct Matrix {
    /// Classes of users whose access is described alike.
    pub classes: Vec<UserClass>,
    /// Per user: the index of their class.
    pub class_of: Vec<u32>,
    /// The context the matrix was computed in (gates, conditions).
    context: Context,
    /// Records each context- or record-reading condition holds on (criteria
    /// rules: matches; forbid rules: matches or unknown), per (condition,
    /// object, whether unknown counts).
    condition_records: FxHashMap<(u32, u32, bool), Vec<u32>>,
    /// The engine the matrix belongs to ([`Engine::id`]).
    engine: u64,
    /// The engine's number of actions: slots are `object * actions + action`.
    actions: usize,
}

/// Users with the same description of access on every object and action.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserClass {
    /// The users of the class (indices), ascending.
    pub users: Vec<u32>,
    /// Per `object * actions + action`: what the class may access.
    pub slots: Vec<Slot>,
}

/// What a class may access of one object with one action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Slot {
    /// Whether stages 1–3 and record-free forbid rules let the action through.
    pub access: Access,
    /// Stage 4: the records the user reaches at the level the action needs,
    /// as a union of terms. Kept even without access: a child object's
    /// parent path reads it.
    pub reach: Vec<Term>,
    /// Forbid conditions (indices) that read the record: records they hold
    /// on (or cannot be decided on) are denied.
    pub except: Vec<u32>,
}

/// How a slot's records are given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum Access {
    /// Nothing: a gate, a missing privilege or a record-free forbid rule denies.
    #[default]
    None,
    /// The reach, minus the records a forbid condition denies.
    Reach,
    /// A condition reads both the user and the record, so records are not
    /// shared by a class: the user's records (indices, ascending), from `filter`.
    Listed(Vec<u32>),
}

/// One access path, as the records it reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Term {
    /// Every record of the object (an `all` scope, a baseline, or criteria that hold everywhere).
    All,
    /// The user's own records (the user of the question, not of the class).
    Own,
    /// A department or department-tree scope of a user in `department`.
    Scope {
        /// The grant's scope.
        scope: Scope,
        /// The user's department.
        department: u32,
    },
    /// Records whose owner's role the hierarchy of the object reaches from `role`.
    Below {
        /// The user's role.
        role: u32,
    },
    /// Records whose owner holds `role`, which sees its peers.
    Peers {
        /// The shared role.
        role: u32,
    },
    /// Records sharing rule `rule` (index) matches: owner-based or criteria.
    Rule(u32),
    /// Records whose team lists the user at the needed level.
    Team,
    /// Records manually shared with a recipient containing the user, at the needed level.
    Shares,
    /// Records whose parent the user reaches with the same action.
    Parent,
}

impl Matrix {
    /// The slot of user `u` on `object` and `action` (indices), if they exist.
    pub fn slot(&self, u: u32, object: u32, action: u32) -> Option<&Slot> {
        if action as usize >= self.actions {
            return None;
        }
        let class = self.classes.get(*self.class_of.get(u as usize)? as usize)?;
        class.slots.get(object as usize * self.actions + action as usize)
    }

    /// Number of user classes.
    pub fn len(&self) -> usize {
        self.classes.len()
    }

    /// Whether there are no users.
    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }
}

impl Engine {
    /// Whether the matrix lets `user` do `action` on `record` (ids and
    /// name); unknown names and a matrix of another engine are denied.
    pub fn matrix_allows(&self, matrix: &Matrix, dataset: &Dataset, user: &str, action: &str, record: &str) -> bool {
        let (Some(u), Some(a), Some(r)) = (self.user_at(user), self.action_id(action), dataset.position(record)) else {
            return false;
        };
        matrix.engine == self.id && dataset.belongs_to(self) && self.matrix_allows_at(matrix, dataset, u, a, r)
    }
}

#[cfg(test)]
mod tests;
