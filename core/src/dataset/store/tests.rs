use super::{NewRecord, RecordStore, Scalar};
use crate::value::Value;

fn push(store: &mut RecordStore, id: &str, fields: &[Scalar<'_>]) {
    let record = NewRecord { id, object: 0, owner: 0, department: None, own_department: false, fields: fields.to_vec(), extras: None };
    assert!(store.push(record));
}

fn values(store: &RecordStore, at: u32, len: usize) -> Vec<Value> {
    store.get(at).expect("stored").field_values(len)
}

#[test]
fn every_kind_of_value_reads_back_as_written() {
    let long = "x".repeat(40);
    let fields = [
        Scalar::Null,
        Scalar::Bool(true),
        Scalar::Bool(false),
        Scalar::Num(0.0),
        Scalar::Num(-0.0),
        Scalar::Num(-17.0),
        Scalar::Num(0.25),
        Scalar::Num(1e300),
        Scalar::Num(9_007_199_254_740_993.0),
        Scalar::Num(-9_007_199_254_740_992.0),
        Scalar::Str(""),
        Scalar::Str("中文 ✓"),
        Scalar::Str(&long),
        Scalar::Null,
    ];
    let mut store = RecordStore::default();
    push(&mut store, "r1", &fields);
    let read = values(&store, 0, fields.len() + 2);
    let expected: Vec<Value> = fields.iter().map(|f| f.to_value()).chain([Value::Null, Value::Null]).collect();
    assert_eq!(read, expected);
    // -0.0 keeps its sign (stored as a float, not as the integer 0).
    assert!(matches!(store.get(0).unwrap().field(4), Scalar::Num(n) if n == 0.0 && n.is_sign_negative()));
    assert_eq!(store.get(0).unwrap().id(), "r1");
}

#[test]
fn a_field_with_more_distinct_values_than_its_dictionary_keeps_them_all() {
    let mut store = RecordStore::default();
    let names: Vec<String> = (0..200).map(|i| format!("v{}", i % 150)).collect();
    for (i, name) in names.iter().enumerate() {
        push(&mut store, &format!("r{i}"), &[Scalar::Str(name), Scalar::Num(i as f64)]);
    }
    for (i, name) in names.iter().enumerate() {
        let record = store.get(i as u32).unwrap();
        assert_eq!(record.id(), format!("r{i}"));
        assert_eq!(record.field(0), Scalar::Str(name));
        assert_eq!(record.field(1), Scalar::Num(i as f64));
        assert_eq!(record.field(7), Scalar::Null);
    }
}

#[test]
fn a_popped_record_leaves_no_trace() {
    let mut store = RecordStore::default();
    push(&mut store, "a", &[Scalar::Str("one")]);
    push(&mut store, "b", &[Scalar::Str("two")]);
    store.pop();
    push(&mut store, "c", &[Scalar::Str("three")]);
    assert_eq!(store.len(), 2);
    assert_eq!(store.get(1).unwrap().id(), "c");
    assert_eq!(store.get(1).unwrap().field(0), Scalar::Str("three"));
    assert!(store.get(2).is_none());
}

#[test]
fn linked_ids_read_back_as_the_ids_they_replaced() {
    // Ids too long for a dictionary, so linking visibly shortens them.
    let account = format!("acc_{}", "1".repeat(40));
    let missing = format!("acc_{}", "9".repeat(40));
    let mut store = RecordStore::default();
    push(&mut store, &account, &[Scalar::Str("Acme")]);
    push(&mut store, "opp_1", &[Scalar::Str(&account), Scalar::Str(&missing), Scalar::Num(5.0)]);
    let before = store.bytes.len();
    let ids = [account.as_str(), "opp_1"];
    store.link_ids(|object, field| object == 0 && field < 2, |_, id| ids.iter().position(|&i| i == id).map(|p| p as u32));
    // A tag, a length and 44 bytes became a tag and a 1-byte position.
    assert_eq!(store.bytes.len(), before - account.len());
    let opportunity = store.get(1).unwrap();
    assert_eq!(opportunity.field(0), Scalar::Str(&account));
    // An id naming no record stays as written.
    assert_eq!(opportunity.field(1), Scalar::Str(&missing));
    assert_eq!(opportunity.field(2), Scalar::Num(5.0));
    // `Acme` names no record: untouched.
    assert_eq!(store.get(0).unwrap().field(0), Scalar::Str("Acme"));
}
