//! `matrix`: who can see what, for a whole org and dataset — every user's
//! records per object and record-bound action, from `filter`.

use crate::dataset::Dataset;
use crate::engine::Engine;
use crate::request::Context;
use serde::Serialize;
use std::collections::BTreeMap;

/// Every user's accessible records per object and action (record ids).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Matrix {
    /// user → object → action → record ids, in dataset order; empty entries are left out.
    pub users: BTreeMap<String, BTreeMap<String, BTreeMap<String, Vec<String>>>>,
}

impl Matrix {
    /// Whether `user` may `action` the record `record` of `object`.
    pub fn allows(&self, user: &str, object: &str, action: &str, record: &str) -> bool {
        self.users.get(user).and_then(|o| o.get(object)).and_then(|a| a.get(action)).is_some_and(|ids| ids.iter().any(|id| id == record))
    }

    /// Number of (user, record, action) grants.
    pub fn len(&self) -> usize {
        self.users.values().flat_map(|o| o.values()).flat_map(|a| a.values()).map(Vec::len).sum()
    }

    /// Whether nobody may do anything.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Engine {
    /// The full matrix over every user, object and record-bound action.
    pub fn matrix(&self, dataset: &Dataset, context: &Context) -> Matrix {
        let mut matrix = Matrix::default();
        for user in &self.users {
            let mut objects = BTreeMap::new();
            for (o, object) in self.objects.iter().enumerate() {
                let mut actions = BTreeMap::new();
                for (a, action) in self.actions.iter().enumerate().filter(|(a, _)| *a as u32 != crate::compile::schema::CREATE) {
                    let ids: Vec<String> = self
                        .filter(dataset, &user.id, a as u32, o as u32, context)
                        .into_iter()
                        .map(|r| dataset.records[r as usize].id.to_string())
                        .collect();
                    if !ids.is_empty() {
                        actions.insert(action.name.to_string(), ids);
                    }
                }
                if !actions.is_empty() {
                    objects.insert(object.name.to_string(), actions);
                }
            }
            if !objects.is_empty() {
                matrix.users.insert(user.id.to_string(), objects);
            }
        }
        matrix
    }
}
