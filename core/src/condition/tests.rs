use super::{Condition, EvalEnv, RecordView, Resolver, UserView, parse};
use crate::policy::FieldType;
use crate::request::Context;
use crate::value::Value;

struct Schema;

impl Resolver for Schema {
    fn record_field(&self, name: &str) -> Option<Option<(u32, FieldType)>> {
        match name {
            "region" => Some(Some((0, FieldType::String))),
            "amount" => Some(Some((1, FieldType::Number))),
            "closed" => Some(Some((2, FieldType::Datetime))),
            "stage" => Some(Some((3, FieldType::String))),
            _ => None,
        }
    }

    fn user_attribute(&self, name: &str) -> Option<u32> {
        (name == "region").then_some(0)
    }
}

fn context(json: serde_json::Value) -> Context {
    Context::from_map(&serde_json::from_value(json).unwrap(), "").unwrap()
}

/// Evaluates `text` on a fixed user and record; `None` when unknown.
fn check(text: &str, ctx: serde_json::Value) -> Option<bool> {
    let condition = Condition::compile(text, &Schema).unwrap_or_else(|e| panic!("{text}: {e:?}"));
    let fields = [Value::Str("EU".into()), Value::Num(50_000.0), Value::Str("2026-03-01T00:00:00Z".into()), Value::Null];
    let attributes = [Value::Str("EU".into())];
    let context = context(ctx);
    let env = EvalEnv {
        user: UserView { id: "ann", role: Some("rep"), department: Some("east"), attributes: &attributes },
        record: Some(RecordView { owner: "ann", department: Some("east"), data: super::RecordData::Values { id: "a1", fields: &fields } }),
        context: &context,
        assume_mfa: false,
    };
    condition.evaluate(&env).ok()
}

#[test]
fn evaluates_the_spec_examples() {
    let none = serde_json::json!({});
    assert_eq!(check("record.region == user.region and record.amount < 100000", none.clone()), Some(true));
    assert_eq!(check("context.ip in \"10.0.0.0/8\"", serde_json::json!({"ip": "10.2.3.4"})), Some(true));
    assert_eq!(check("context.ip in \"10.0.0.0/8\"", serde_json::json!({"ip": "11.2.3.4"})), Some(false));
    assert_eq!(check("record.region in [\"EU\", \"US\"]", none.clone()), Some(true));
    assert_eq!(check("not context.mfa", serde_json::json!({"mfa": false})), Some(true));
    assert_eq!(check("record.owner == user.id", none.clone()), Some(true));
    assert_eq!(check("user.role starts_with 're' and record.region contains 'U'", none.clone()), Some(true));
    assert_eq!(check("record.closed > '2026-01-01T00:00:00+08:00'", none.clone()), Some(true));
    assert_eq!(check("(record.amount >= 1e5 or record.amount <= -1) or record.region != 'EU'", none.clone()), Some(false));
}

#[test]
fn null_compares_false_and_only_is_null_holds() {
    let none = serde_json::json!({});
    assert_eq!(check("record.stage is null", none.clone()), Some(true));
    assert_eq!(check("record.stage is not null", none.clone()), Some(false));
    assert_eq!(check("record.stage != 'x'", none.clone()), Some(false));
    assert_eq!(check("user.missing == 'x'", none.clone()), Some(false));
    assert_eq!(check("user.missing", none), Some(false));
}

#[test]
fn missing_context_makes_the_whole_condition_unknown() {
    assert_eq!(check("record.amount > 0 or context.vip", serde_json::json!({})), None);
    assert_eq!(check("record.amount > 0 or context.vip", serde_json::json!({"vip": false})), Some(true));
}

#[test]
fn errors_carry_positions() {
    let error = Condition::compile("record.region ==\n  ", &Schema).unwrap_err().into_error("record.region ==\n  ", "/forbid/0/when");
    assert_eq!(error.problems()[0].code, "condition_syntax");
    assert!(error.problems()[0].message.contains("line 2, column 3"), "{error}");
    assert_eq!(error.problems()[0].path, "/forbid/0/when");
    let error = Condition::compile("record.amount == 'x'", &Schema).unwrap_err();
    assert_eq!((error.code, error.at), (crate::Code::TypeMismatch, 17));
    assert_eq!(Condition::compile("record.nope == 1", &Schema).unwrap_err().code, "unknown_field");
    assert_eq!(Condition::compile("record.closed < 'soon'", &Schema).unwrap_err().code, "type_mismatch");
    for bad in [
        "",
        "record",
        "record.",
        "a == 1",
        "record.region = 'x'",
        "record.region == 'x",
        "1 ==",
        "[1, 2",
        "(true",
        "true)",
        "!true",
        "record.region == 01x",
    ] {
        assert!(parse(bad).is_err() || Condition::compile(bad, &Schema).is_err(), "{bad} should not compile");
    }
}
