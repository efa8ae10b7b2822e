//! `plan` on a real PostgreSQL server agrees with `filter`: the generated SQL
//! returns exactly the records `filter` returns, for many users, actions,
//! objects and contexts, on a generated dataset of 100,000 records and on
//! the two hand-written orgs. `scripts/test.sh` starts the server and sets
//! `CLEARANCE_POSTGRES`; CI sets `CLEARANCE_REQUIRE_POSTGRES` so a missing
//! server fails instead of skipping.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

use clearance_core::generate::{Params, Rng, generate};
use clearance_core::plan::{Mapping, ident};
use clearance_core::{Context, Dataset, Engine};
use postgres::types::{ToSql, Type};
use postgres::{Client, NoTls};
use std::collections::BTreeSet;
use std::io::Write;

fn client() -> Option<Client> {
    clearance_tests::postgres_url().map(|url| Client::connect(&url, NoTls).expect("connect to PostgreSQL"))
}

fn copy_text(value: Option<String>) -> String {
    match value {
        None => "\\N".into(),
        Some(text) => text.replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n").replace('\r', "\\r"),
    }
}

/// Creates the schema's tables in `schema` and copies the dataset in.
fn load(client: &mut Client, schema: &str, engine: &Engine, dataset: &Dataset, mapping: &Mapping) {
    client.batch_execute(&format!("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}; SET search_path TO {0};", ident(schema))).unwrap();
    client.batch_execute(&engine.postgres_ddl(mapping)).unwrap();
    let policy = engine.policy().unwrap();
    for (object, definition) in &policy.schema.objects {
        let fields: Vec<&String> = definition.fields.keys().collect();
        let columns: Vec<String> =
            ["id", "owner_id", "department_id"].into_iter().map(ident).chain(fields.iter().map(|f| ident(f))).collect();
        let mut writer = client.copy_in(&format!("COPY {} ({}) FROM STDIN", ident(&mapping.table(object)), columns.join(", "))).unwrap();
        for record in dataset.records().filter(|r| engine.object_name(r.object()) == Some(object.as_str())) {
            let input = engine.record_input(record);
            let mut row = vec![
                copy_text(Some(input.id.clone())),
                copy_text(Some(input.owner.clone())),
                copy_text(record.department().and_then(|d| engine.department_name(d)).map(str::to_owned)),
            ];
            for field in &fields {
                row.push(copy_text(input.fields.get(*field).and_then(|v| match v {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(s) => Some(s.clone()),
                    serde_json::Value::Bool(b) => Some(if *b { "t" } else { "f" }.into()),
                    other => Some(other.to_string()),
                })));
            }
            writeln!(writer, "{}", row.join("\t")).unwrap();
        }
        writer.finish().unwrap();
    }
    let level = |l: clearance_core::policy::Level| match l {
        clearance_core::policy::Level::Read => "1",
        clearance_core::policy::Level::Edit => "2",
        clearance_core::policy::Level::Full => "3",
    };
    let mut team = client.copy_in(&format!("COPY {} (record_id, user_id, access) FROM STDIN", ident(&mapping.team_table))).unwrap();
    for record in dataset.records() {
        for member in engine.record_input(record).team {
            writeln!(team, "{}\t{}\t{}", copy_text(Some(record.id().into())), copy_text(Some(member.user)), level(member.access)).unwrap();
        }
    }
    team.finish().unwrap();
    let mut shares = client
        .copy_in(&format!("COPY {} (record_id, principal_kind, principal_id, access) FROM STDIN", ident(&mapping.shares_table)))
        .unwrap();
    for record in dataset.records() {
        for share in engine.record_input(record).shares {
            let recipient = serde_json::to_value(&share.with).unwrap();
            let (kind, id) = recipient.as_object().unwrap().iter().next().unwrap();
            writeln!(
                shares,
                "{}\t{kind}\t{}\t{}",
                copy_text(Some(record.id().into())),
                copy_text(id.as_str().map(str::to_owned)),
                level(share.access)
            )
            .unwrap();
        }
    }
    shares.finish().unwrap();
    client.batch_execute("ANALYZE").unwrap();
}

/// Runs a plan and returns the ids it selects.
fn run_plan(client: &mut Client, plan: &clearance_core::plan::SqlPlan) -> BTreeSet<String> {
    let statement = client.prepare(&plan.sql).unwrap_or_else(|e| panic!("{e}: {}", plan.sql));
    let values: Vec<Box<dyn ToSql + Sync>> = statement
        .params()
        .iter()
        .zip(&plan.params)
        .map(|(kind, value)| -> Box<dyn ToSql + Sync> {
            match *kind {
                Type::TEXT => Box::new(value.as_str().unwrap().to_owned()),
                Type::TEXT_ARRAY => {
                    Box::new(value.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect::<Vec<String>>())
                }
                Type::FLOAT8 => Box::new(value.as_f64().unwrap()),
                Type::FLOAT8_ARRAY => Box::new(value.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect::<Vec<f64>>()),
                Type::INT4 => Box::new(i32::try_from(value.as_i64().unwrap()).unwrap()),
                Type::BOOL => Box::new(value.as_bool().unwrap()),
                Type::BOOL_ARRAY => Box::new(value.as_array().unwrap().iter().map(|v| v.as_bool().unwrap()).collect::<Vec<bool>>()),
                ref other => panic!("unexpected parameter type {other}"),
            }
        })
        .collect();
    let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
    client.query(&statement, &refs).unwrap().iter().map(|row| row.get::<_, String>(0)).collect()
}

fn contexts() -> Vec<Context> {
    [
        serde_json::json!({"mfa": true, "ip": "10.1.2.3", "time": "2026-11-30T09:00:00Z", "vip": true}),
        serde_json::json!({"ip": "192.168.7.7"}),
        serde_json::json!({}),
    ]
    .into_iter()
    .map(|json| Context::from_map(&serde_json::from_value(json).unwrap(), "").unwrap())
    .collect()
}

/// Compares plan and filter for the given (user, action, object, context) questions.
fn agree(client: &mut Client, engine: &Engine, dataset: &Dataset, questions: &[(String, String, String, usize)]) -> usize {
    let mapping = Mapping::default();
    let contexts = contexts();
    let mut non_empty = 0;
    for (user, action, object, context) in questions {
        let context = &contexts[*context];
        let plan = engine.plan(user, action, object, context, &mapping).unwrap();
        let from_sql = run_plan(client, &plan);
        let a = engine.action_id(action).unwrap();
        let o = engine.object_id(object).unwrap();
        let from_filter: BTreeSet<String> =
            engine.filter(dataset, user, a, o, context).into_iter().map(|r| dataset.record(r).expect("in range").id().to_owned()).collect();
        assert_eq!(from_sql, from_filter, "plan and filter disagree for {user} {action} {object}\n{}\n{:?}", plan.sql, plan.params);
        non_empty += usize::from(!from_filter.is_empty());
    }
    non_empty
}

fn every_question(engine: &Engine) -> Vec<(String, String, String, usize)> {
    let mut questions = Vec::new();
    for user in engine.user_ids() {
        for action in engine.action_names() {
            for object in engine.object_names() {
                for context in 0..contexts().len() {
                    questions.push((user.to_owned(), action.to_owned(), object.to_owned(), context));
                }
            }
        }
    }
    questions
}

#[test]
fn plan_on_postgres_equals_filter() {
    let Some(mut client) = client() else { return };
    let root = clearance_tests::root();
    for (schema, org, records) in [
        ("reference", "../examples/reference-org.json", "../examples/reference-records.json"),
        ("branch", "orgs/branch-org.json", "orgs/branch-records.json"),
    ] {
        let engine = Engine::from_json(&std::fs::read_to_string(root.join(org)).unwrap()).unwrap();
        let dataset = engine.load_records(&serde_json::from_str(&std::fs::read_to_string(root.join(records)).unwrap()).unwrap()).unwrap();
        load(&mut client, schema, &engine, &dataset, &Mapping::default());
        let questions = every_question(&engine);
        let non_empty = agree(&mut client, &engine, &dataset, &questions);
        assert!(non_empty > questions.len() / 20, "{schema}: too few questions have answers ({non_empty} of {})", questions.len());
    }

    let params =
        Params { users: 2000, roles: 200, role_depth: 9, departments: 60, groups: 40, sharing_rules: 60, records: 100_000, seed: 3 };
    let (policy, records) = generate(&params);
    let engine = Engine::compile(policy).unwrap();
    let dataset = engine.load_records(&serde_json::to_value(&records).unwrap()).unwrap();
    load(&mut client, "generated", &engine, &dataset, &Mapping::default());
    let count: i64 = client.query_one("SELECT (SELECT count(*) FROM account) + (SELECT count(*) FROM contact) + (SELECT count(*) FROM opportunity) + (SELECT count(*) FROM \"order\") + (SELECT count(*) FROM payment) + (SELECT count(*) FROM \"case\")", &[]).unwrap().get(0);
    assert_eq!(count, 100_000);
    let users: Vec<String> = engine.user_ids().map(str::to_owned).collect();
    let actions = ["read", "read", "read", "edit", "edit", "delete", "export", "transfer", "approve_discount"];
    let objects: Vec<String> = engine.object_names().map(str::to_owned).collect();
    let mut rng = Rng::new(99);
    let questions: Vec<(String, String, String, usize)> = (0..400)
        .map(|_| (rng.pick(&users).clone(), (*rng.pick(&actions)).to_owned(), rng.pick(&objects).clone(), usize::from(rng.below(4) == 0)))
        .collect();
    let non_empty = agree(&mut client, &engine, &dataset, &questions);
    assert!(non_empty >= 60, "too few generated questions have answers: {non_empty}");
}
