//! `matrix`: who can see what, for a whole org and dataset — every user's
//! records per object and record-bound action, from `filter`. Grants are
//! kept as record indices (4 bytes each): the matrix of a large org is big.

use crate::dataset::Dataset;
use crate::engine::Engine;
use crate::request::Context;
use std::collections::BTreeMap;

/// Every user's accessible records per object and action.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matrix {
    /// (user, object, action) indices → record indices in dataset order; empty entries are left out.
    pub grants: BTreeMap<(u32, u32, u32), Vec<u32>>,
}

impl Matrix {
    /// Number of (user, record, action) grants.
    pub fn len(&self) -> usize {
        self.grants.values().map(Vec::len).sum()
    }

    /// Whether nobody may do anything.
    pub fn is_empty(&self) -> bool {
        self.grants.is_empty()
    }
}

impl Engine {
    /// The full matrix over every user, object and record-bound action.
    pub fn matrix(&self, dataset: &Dataset, context: &Context) -> Matrix {
        let mut matrix = Matrix::default();
        for (u, id) in self.user_ids.iter().enumerate() {
            for o in 0..self.objects.len() as u32 {
                for a in (0..self.actions.len() as u32).filter(|&a| a != crate::compile::schema::CREATE) {
                    let records = self.filter(dataset, id, a, o, context);
                    if !records.is_empty() {
                        matrix.grants.insert((u as u32, o, a), records);
                    }
                }
            }
        }
        matrix
    }

    /// Whether the matrix grants `user` the `action` on `record` (names and id).
    pub fn matrix_allows(&self, matrix: &Matrix, dataset: &Dataset, user: &str, action: &str, record: &str) -> bool {
        let (Some(u), Some(a), Some(r)) = (self.user_at(user), self.action_id(action), dataset.position(record)) else {
            return false;
        };
        let object = dataset.at(r).object();
        matrix.grants.get(&(u, object, a)).is_some_and(|records| records.binary_search(&r).is_ok())
    }
}
