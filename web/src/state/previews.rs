//! Request previews computed once. A request's preview depends only on the
//! versions it names (content-addressed), its changes and the records, so
//! the request list (one preview a row, drawn again at every filter or
//! step) and the request's page reuse it until the records change.

use clearance_core::change::request::ChangeRequest;
use clearance_core::diff::Diff;
use std::collections::HashMap;

/// The previews computed on one set of records.
#[derive(Default)]
pub struct Previews {
    records: serde_json::Value,
    diffs: HashMap<String, Diff>,
}

/// What a request's preview is computed from, but the records: its base,
/// and the version its apply made or else its changes.
pub fn key(request: &ChangeRequest) -> String {
    match &request.applied_version {
        Some(applied) => format!("{}\napplied {applied}", request.base),
        None => format!("{}\nchanges {}", request.base, serde_json::to_string(&request.changes).unwrap_or_default()),
    }
}

impl Previews {
    /// The preview kept for `key` on these `records`, if any.
    pub fn get(&self, key: &str, records: &serde_json::Value) -> Option<Diff> {
        (self.records == *records).then(|| self.diffs.get(key).cloned()).flatten()
    }

    /// Keeps `diff` for `key` on `records`; previews of other records are dropped.
    pub fn put(&mut self, key: String, records: &serde_json::Value, diff: Diff) {
        if self.records != *records {
            self.diffs.clear();
            self.records = records.clone();
        }
        self.diffs.insert(key, diff);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearance_core::change::Operation;

    fn request(changes: Vec<Operation>, applied: Option<&str>) -> ChangeRequest {
        let mut request: ChangeRequest = serde_json::from_value(serde_json::json!({
            "id": "R1", "author": "mike", "base": "b1", "changes": [], "state": "pending", "approvals_needed": 1, "history": []
        }))
        .unwrap();
        request.changes = changes;
        request.applied_version = applied.map(str::to_owned);
        request
    }

    #[test]
    fn a_preview_is_kept_by_what_it_is_computed_from_and_dropped_with_its_records() {
        let bob = vec![Operation::SetUserActive { user: "bob".into(), active: false }];
        let alice = vec![Operation::SetUserActive { user: "alice".into(), active: false }];
        let (pending, other, applied) = (key(&request(bob.clone(), None)), key(&request(alice, None)), key(&request(bob, Some("v2"))));
        assert!(pending != other && pending != applied && other != applied, "each input names its own preview");
        let (records, more) = (serde_json::json!([{"id": "a"}]), serde_json::json!([{"id": "a"}, {"id": "b"}]));
        let diff = Diff::default();
        let mut previews = Previews::default();
        assert!(previews.get(&pending, &records).is_none());
        previews.put(pending.clone(), &records, diff.clone());
        assert_eq!(previews.get(&pending, &records), Some(diff.clone()));
        assert!(previews.get(&other, &records).is_none());
        assert!(previews.get(&pending, &more).is_none(), "other records, another preview");
        previews.put(applied.clone(), &more, diff.clone());
        assert!(previews.get(&pending, &records).is_none(), "dropped with its records");
        assert_eq!(previews.get(&applied, &more), Some(diff));
    }
}
