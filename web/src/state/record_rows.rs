//! A user's readable records as rows of one paged table (object, record,
//! level, reasons with the explanation, fields): what Who can see what
//! lists, filterable by any of them and downloadable, on the demo org and
//! on the large one alike.

use super::model::RecordRow;

/// The columns' text keys.
pub const COLUMNS: &[&str] = &["who.object", "who.record", "who.level", "who.reasons", "who.fields"];

/// The column each row is picked by (the record id).
pub const KEY_COLUMN: usize = 1;

/// The rows of every object's records, object by object.
pub fn record_rows(objects: &[(String, Vec<RecordRow>)]) -> Vec<Vec<String>> {
    objects
        .iter()
        .flat_map(|(object, rows)| {
            rows.iter().map(move |row| {
                vec![
                    object.clone(),
                    row.id.clone(),
                    row.level.clone(),
                    format!("{} — {}", row.reasons.join(", "), row.message),
                    format!("{} / {}", row.read.join(", "), row.edit.join(", ")),
                ]
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_record_with_its_object_in_the_objects_order() {
        let row = |id: &str| RecordRow {
            id: id.to_owned(),
            level: "read".to_owned(),
            reasons: vec!["owner".to_owned(), "sharing_rule".to_owned()],
            message: "`bob` may read".to_owned(),
            read: vec!["name".to_owned(), "amount".to_owned()],
            edit: vec!["name".to_owned()],
        };
        let objects = vec![
            ("account".to_owned(), vec![row("acc_1"), row("acc_2")]),
            ("contact".to_owned(), vec![]),
            ("deal".to_owned(), vec![row("d_1")]),
        ];
        let rows = record_rows(&objects);
        assert_eq!(
            rows.iter().map(|r| (r[0].as_str(), r[KEY_COLUMN].as_str())).collect::<Vec<_>>(),
            [("account", "acc_1"), ("account", "acc_2"), ("deal", "d_1")]
        );
        assert_eq!(rows[0][2..], ["read", "owner, sharing_rule — `bob` may read", "name, amount / name"]);
        assert!(rows.iter().all(|r| r.len() == COLUMNS.len()));
    }
}
