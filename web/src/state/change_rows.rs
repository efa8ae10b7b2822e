//! A diff's changes as the rows of a paged table — user, gained or lost,
//! object, action, record — one shape for the Simulate page, a change
//! request's page and the diff of two versions.

use clearance_core::diff::{Change, ChangeKind};
use std::collections::BTreeMap;

/// The columns, as text keys.
pub const COLUMNS: &[&str] = &["sim.col_user", "sim.col_change", "sim.col_object", "sim.col_action", "sim.col_record"];

/// Each record's object, by record id, from records as the CLI reads them
/// (an array of `{id, object, …}`; anything else names no object).
pub fn objects_of(records: &serde_json::Value) -> BTreeMap<String, String> {
    let field = |r: &serde_json::Value, key: &str| r.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    records.as_array().into_iter().flatten().filter_map(|r| Some((field(r, "id")?, field(r, "object")?))).collect()
}

/// Each change as text cells, its object from `objects` (empty when unknown).
pub fn change_rows(changes: &[Change], objects: &BTreeMap<String, String>, gained: &str, lost: &str) -> Vec<Vec<String>> {
    changes
        .iter()
        .map(|c| {
            let kind = if c.change == ChangeKind::Gained { gained } else { lost };
            let object = objects.get(&c.record).cloned().unwrap_or_default();
            vec![c.user.clone(), kind.to_owned(), object, c.action.clone(), c.record.clone()]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_reads_as_its_user_kind_object_action_and_record() {
        let records = serde_json::json!([{"id": "acc_1", "object": "Account"}, {"id": "no_object"}, 7]);
        let objects = objects_of(&records);
        assert_eq!(objects.len(), 1);
        let change =
            |record: &str, kind| Change { user: "bob".into(), record: record.into(), action: "read".into(), change: kind, reasons: vec![] };
        let rows = change_rows(&[change("acc_1", ChangeKind::Gained), change("gone", ChangeKind::Lost)], &objects, "获得", "失去");
        assert_eq!(rows, [["bob", "获得", "Account", "read", "acc_1"], ["bob", "失去", "", "read", "gone"]]);
        assert!(objects_of(&serde_json::json!({"not": "a list"})).is_empty());
    }
}
