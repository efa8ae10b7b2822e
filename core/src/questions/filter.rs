//! `filter`: the records of a dataset that a user may access with an action.

use super::candidates::Candidates;
use crate::check::Query;
use crate::dataset::Dataset;
use crate::decision::Decision;
use crate::engine::Engine;
use crate::request::Context;

/// A record the user may access, with its decision.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterHit {
    /// Index of the record in the dataset.
    pub record: u32,
    /// The full decision, with its reasons and fields.
    pub decision: Decision,
}

impl Engine {
    /// The records of `object` in `dataset` that `user` may access with
    /// `action`, in dataset order. Agrees with [`Engine::check_query`] on every
    /// record: candidates come from the dataset's indices and each is
    /// confirmed by the decision's own stages.
    pub fn filter(&self, dataset: &Dataset, user: &str, action: u32, object: u32, context: &Context) -> Vec<u32> {
        if !dataset.belongs_to(self) || object as usize >= self.objects.len() || action as usize >= self.actions.len() {
            return Vec::new();
        }
        // Stages 1–3 do not depend on the record: run them once.
        let Some(u) = self.user_at(user) else { return Vec::new() };
        let Some((scope, _)) = self.gates_pass(u, context).and_then(|merged| merged.scopes[self.slot(object, action)]) else {
            return Vec::new();
        };
        let mut candidates: Candidates = self.candidates(dataset, u, action, object, Some(scope), None);
        candidates.settle(&dataset.lookups.by_object[object as usize], dataset.len());
        // The path that found a sure record reaches the needed level.
        let mut allowed = self.unforbidden(dataset, u, action, object, context, candidates.sure);
        let sure = allowed.len();
        // Stages 1–3 passed above; `create` reads the scope in stage 4 too.
        let allows = |record: u32| match action {
            crate::compile::schema::CREATE => self.verdict_at(dataset, u, action, record, context) == Some(true),
            _ => self.record_stages_allow(u, &record_query(dataset, user, action, object, record, context)),
        };
        allowed.extend(candidates.unsure.into_iter().filter(|&record| allows(record)));
        if allowed.len() > sure {
            allowed.sort_unstable();
        }
        allowed
    }

    /// The records no forbid rule denies user `u` for the action (stage 5),
    /// decided once for all when no forbid rule reads the record.
    pub(crate) fn unforbidden(
        &self,
        dataset: &Dataset,
        u: u32,
        action: u32,
        object: u32,
        context: &Context,
        records: Vec<u32>,
    ) -> Vec<u32> {
        let forbids = &self.forbid_deny[self.slot(object, action)];
        let denied =
            |record: Option<u32>| self.forbid_denial(object, action, &self.env(u, record.map(|r| dataset.at(r)), context, false)).is_some();
        if forbids.is_empty() {
            records
        } else if forbids.iter().all(|&(_, c)| !self.conditions[c as usize].reads_record()) {
            if denied(None) { Vec::new() } else { records }
        } else {
            records.into_iter().filter(|&record| !denied(Some(record))).collect()
        }
    }

    /// Like [`Engine::filter`], with each record's full decision (reasons, fields).
    pub fn filter_with_reasons(&self, dataset: &Dataset, user: &str, action: u32, object: u32, context: &Context) -> Vec<FilterHit> {
        self.filter(dataset, user, action, object, context)
            .into_iter()
            .map(|record| {
                let query = record_query(dataset, user, action, object, record, context);
                FilterHit { record, decision: self.check_query(&query) }
            })
            .collect()
    }
}

/// The query for one record of the dataset.
fn record_query<'a>(dataset: &'a Dataset, user: &'a str, action: u32, object: u32, record: u32, context: &'a Context) -> Query<'a> {
    Query { user, action, object, record: Some(dataset.at(record)), context, fields: &[], dataset: Some(dataset) }
}
