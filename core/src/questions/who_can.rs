//! `who-can`: the users who may access a record with an action.

use crate::check::Query;
use crate::dataset::{Dataset, RecordRef};
use crate::decision::Decision;
use crate::engine::Engine;
use crate::request::Context;

/// A user who may access the record, with the decision (and its reasons).
#[derive(Debug, Clone, PartialEq)]
pub struct WhoCanHit {
    /// The user's id.
    pub user: String,
    /// The decision.
    pub decision: Decision,
}

impl Engine {
    /// Every user who may access `record` with `action`, in policy order,
    /// each with the decision of [`Engine::check_query`] (so they agree).
    pub fn who_can(&self, dataset: Option<&Dataset>, record: RecordRef<'_>, action: u32, context: &Context) -> Vec<WhoCanHit> {
        // `check_query` denies queries whose indices are not this engine's, so
        // a foreign record or dataset simply yields nobody.
        self.user_ids
            .iter()
            .filter_map(|user| {
                let query = Query { user, action, object: record.object(), record: Some(record), context, fields: &[], dataset };
                let decision = self.check_query(&query);
                decision.allowed.then(|| WhoCanHit { user: user.to_owned(), decision })
            })
            .collect()
    }
}
