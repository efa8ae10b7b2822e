//! Property tests of SPEC §2's invariants on generated orgs and datasets.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

use clearance_core::generate::{Params, Rng, generate};
use clearance_core::policy::{Bundle, ForbidRule, Level, Policy, Recipient, Scope, SharingRule};
use clearance_core::{Context, DecisionOut, Engine, RecordInput, Share};
use proptest::prelude::*;
use std::collections::BTreeMap;

const ACTIONS: [&str; 8] = ["read", "create", "edit", "delete", "transfer", "share", "export", "approve_discount"];

/// A small generated org, its records, and a sample of requests.
fn org(seed: u64) -> (Policy, Vec<RecordInput>) {
    let params = Params { users: 40, roles: 12, role_depth: 8, departments: 6, groups: 5, sharing_rules: 8, records: 60, seed };
    let (mut policy, records) = generate(&params);
    // Conditions over the record alone, the record and the context, and the
    // record and the user: each is decided differently by the matrix.
    let forbid = |id: &str, object: &str, action: &str, when: &str| ForbidRule {
        id: id.into(),
        objects: Some(vec![object.into()]),
        actions: Some(vec![action.into()]),
        fields: None,
        when: Some(when.into()),
        description: None,
    };
    policy.forbid.push(forbid("no_edit_cancelled", "Order", "edit", "record.status == \"cancelled\""));
    policy.forbid.push(forbid("big_deals_need_mfa", "Opportunity", "delete", "record.amount > 250000 and not context.mfa"));
    policy.forbid.push(forbid("own_region_only", "Account", "export", "record.region != user.region"));
    let rule = |id: &str, object: &str, criteria: &str, with: Recipient| SharingRule {
        id: id.into(),
        object: object.into(),
        owned_by: None,
        criteria: Some(criteria.into()),
        share_with: with,
        access: Level::Edit,
        superiors: true,
        description: None,
    };
    policy.sharing_rules.push(rule("regional_accounts", "Account", "record.region == user.region", Recipient::Department("dept_1".into())));
    policy.sharing_rules.push(rule(
        "open_orders_on_site",
        "Order",
        "record.status == \"open\" and context.ip in \"10.0.0.0/8\"",
        Recipient::Role("role_3".into()),
    ));
    (policy, records)
}

fn contexts() -> Vec<Context> {
    let map = |json: serde_json::Value| Context::from_map(&serde_json::from_value(json).unwrap(), "").unwrap();
    vec![
        map(serde_json::json!({"mfa": true, "ip": "10.1.2.3", "time": "2026-11-30T09:00:00Z"})),
        map(serde_json::json!({"ip": "192.168.1.9"})),
        map(serde_json::json!({})),
    ]
}

/// Every (user, action, record, context) decision of the sample, in a fixed order.
fn decisions(policy: &Policy, records: &[RecordInput], seed: u64) -> Vec<DecisionOut> {
    let engine = Engine::compile(policy.clone()).expect("generated policies compile");
    let dataset = engine.load_records(&serde_json::to_value(records).unwrap()).expect("generated records load");
    let contexts = contexts();
    let mut users: Vec<String> = policy.users.iter().map(|u| u.id.clone()).collect();
    users.sort();
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    for _ in 0..300 {
        let user = rng.pick(&users);
        let record = dataset.record(rng.below(dataset.len()) as u32).expect("in range");
        let action = *rng.pick(&ACTIONS);
        let context = rng.pick(&contexts);
        let object = engine.object_name(record.object()).unwrap_or_default().to_owned();
        let request = clearance_core::Request {
            user: user.clone(),
            action: action.to_owned(),
            object,
            record: None,
            record_id: Some(record.id().to_owned()),
            context: BTreeMap::new(),
            fields: None,
        };
        let prepared = engine.prepare(&request, Some(&dataset)).expect("sampled requests are valid");
        let query = clearance_core::Query { context, ..prepared.query(Some(&dataset)) };
        let decision = engine.check_query(&query);
        out.push(engine.render(&decision, &query));
    }
    out
}

fn level(d: &DecisionOut) -> Option<Level> {
    if d.allowed { d.level } else { None }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn allows_carry_reasons_and_denies_one_stage(seed in any::<u64>()) {
        let (policy, records) = org(seed);
        for d in decisions(&policy, &records, seed) {
            if d.allowed {
                prop_assert!(!d.reasons.is_empty(), "allowed without a reason: {}", d.message);
                prop_assert!(d.stage.is_none() && d.denial.is_none());
            } else {
                prop_assert!(d.stage.is_some() && d.denial.is_some(), "deny without a stage: {}", d.message);
            }
        }
    }

    #[test]
    fn remedy_means_step_up_would_allow(seed in any::<u64>()) {
        let (policy, records) = org(seed);
        let engine = Engine::compile(policy).unwrap();
        let dataset = engine.load_records(&serde_json::to_value(&records).unwrap()).unwrap();
        let without = Context::from_map(&serde_json::from_value(serde_json::json!({"ip": "10.1.2.3", "mfa": false})).unwrap(), "").unwrap();
        let with = Context::from_map(&serde_json::from_value(serde_json::json!({"ip": "10.1.2.3", "mfa": true})).unwrap(), "").unwrap();
        let users: Vec<String> = engine.user_ids().map(str::to_owned).collect();
        let mut rng = Rng::new(seed);
        for _ in 0..200 {
            let record = dataset.record(rng.below(dataset.len()) as u32).expect("in range");
            let request = clearance_core::Request {
                user: rng.pick(&users).clone(),
                action: (*rng.pick(&ACTIONS)).to_owned(),
                object: engine.object_name(record.object()).unwrap().to_owned(),
                record: None,
                record_id: Some(record.id().to_owned()),
                context: BTreeMap::new(),
                fields: None,
            };
            let prepared = engine.prepare(&request, Some(&dataset)).unwrap();
            let denied = engine.check_query(&clearance_core::Query { context: &without, ..prepared.query(Some(&dataset)) });
            let stepped = engine.check_query(&clearance_core::Query { context: &with, ..prepared.query(Some(&dataset)) });
            prop_assert_eq!(denied.remedy_mfa, !denied.allowed && stepped.allowed);
        }
    }

    #[test]
    fn default_deny_without_grants(seed in any::<u64>()) {
        let (mut policy, records) = org(seed);
        for bundle in policy.bundles.profiles.values_mut().chain(policy.bundles.permission_sets.values_mut()) {
            bundle.objects.clear();
        }
        for d in decisions(&policy, &records, seed) {
            prop_assert!(!d.allowed, "allowed with no grants: {}", d.message);
        }
    }

    #[test]
    fn forbid_always_wins(seed in any::<u64>()) {
        let (mut policy, records) = org(seed);
        policy.forbid.push(ForbidRule { id: "zz_everything".into(), objects: None, actions: None, fields: None, when: None, description: None });
        for d in decisions(&policy, &records, seed) {
            prop_assert!(!d.allowed, "allowed despite a forbid-all rule: {}", d.message);
        }
    }

    #[test]
    fn adding_grants_shares_members_or_rules_never_removes_access(seed in any::<u64>(), change in 0usize..4) {
        let (policy, records) = org(seed);
        let before = decisions(&policy, &records, seed);
        let (mut after_policy, mut after_records) = (policy.clone(), records.clone());
        let mut rng = Rng::new(seed ^ 0xABCD);
        let user = rng.pick(&policy.users).id.clone();
        match change {
            0 => {
                let mut objects = BTreeMap::new();
                objects.insert("Account".to_owned(), ACTIONS.iter().filter(|a| **a != "approve_discount").map(|a| ((*a).to_owned(), Scope::All)).collect());
                after_policy.bundles.permission_sets.insert("zz_extra".into(), Bundle { objects, ..Bundle::default() });
                after_policy.users.iter_mut().filter(|u| u.id == user).for_each(|u| u.permission_sets.push("zz_extra".into()));
            }
            1 => {
                let i = rng.below(after_records.len());
                after_records[i].shares.push(Share { with: Recipient::User(user.clone()), access: Level::Full });
            }
            2 => {
                let i = rng.below(after_policy.groups.len());
                after_policy.groups[i].members.push(Recipient::User(user.clone()));
            }
            _ => after_policy.sharing_rules.push(SharingRule {
                id: "zz_new".into(),
                object: "Opportunity".into(),
                owned_by: None,
                criteria: Some("record.amount >= 0".into()),
                share_with: Recipient::User(user.clone()),
                access: Level::Edit,
                superiors: true,
                description: None,
            }),
        }
        let after = decisions(&after_policy, &after_records, seed);
        for (b, a) in before.iter().zip(&after) {
            prop_assert!(level(b) <= level(a), "access shrank after change {change}: before `{}` after `{}`", b.message, a.message);
        }
    }

    #[test]
    fn adding_a_forbid_rule_never_adds_access(seed in any::<u64>(), object in 0usize..6) {
        let (policy, records) = org(seed);
        let before = decisions(&policy, &records, seed);
        let mut after_policy = policy.clone();
        let objects = ["Account", "Contact", "Opportunity", "Order", "Payment", "Case"];
        after_policy.forbid.push(ForbidRule {
            id: "aa_new".into(),
            objects: Some(vec![objects[object].into()]),
            actions: Some(vec!["read".into(), "edit".into()]),
            fields: None,
            when: Some("user.region == \"EU\" or context.mfa".into()),
            description: None,
        });
        let after = decisions(&after_policy, &records, seed);
        for (b, a) in before.iter().zip(&after) {
            prop_assert!(!a.allowed || b.allowed, "a forbid rule added access: `{}`", a.message);
        }
    }

    #[test]
    fn decisions_do_not_depend_on_policy_order(seed in any::<u64>()) {
        let (policy, records) = org(seed);
        let before = decisions(&policy, &records, seed);
        let mut shuffled = policy.clone();
        let mut rng = Rng::new(seed.rotate_left(17));
        fn shuffle<T>(items: &mut [T], rng: &mut Rng) {
            for i in (1..items.len()).rev() {
                items.swap(i, rng.below(i + 1));
            }
        }
        shuffle(&mut shuffled.users, &mut rng);
        shuffle(&mut shuffled.roles, &mut rng);
        shuffle(&mut shuffled.departments, &mut rng);
        shuffle(&mut shuffled.groups, &mut rng);
        shuffle(&mut shuffled.sharing_rules, &mut rng);
        shuffle(&mut shuffled.forbid, &mut rng);
        for group in &mut shuffled.groups {
            shuffle(&mut group.members, &mut rng);
        }
        for user in &mut shuffled.users {
            shuffle(&mut user.permission_sets, &mut rng);
        }
        let after = decisions(&shuffled, &records, seed);
        prop_assert_eq!(before, after);
    }

    #[test]
    fn arbitrary_json_never_panics(value in json_value()) {
        let _ = Engine::from_value(&value);
        let _ = clearance_core::parse_policy(&value.to_string());
    }

    #[test]
    fn arbitrary_conditions_never_panic(text in "[ -~]{0,80}") {
        let policy = serde_json::json!({
            "schema": {"objects": {"A": {"fields": {"n": {"type": "number"}, "s": {"type": "string"}}}}},
            "forbid": [{"id": "f", "when": text}]
        });
        let _ = Engine::from_value(&policy);
    }

    #[test]
    fn arbitrary_requests_never_panic(user in "[a-z_]{0,12}", action in "[a-z_]{0,10}", object in "[A-Za-z]{0,10}", record in "[a-z_0-9]{0,8}", ctx in json_value()) {
        let engine = Engine::from_json(clearance_core::generate::REFERENCE_ORG).unwrap();
        let dataset = engine.load_records(&serde_json::from_str(clearance_core::generate::REFERENCE_RECORDS).unwrap()).unwrap();
        let request = serde_json::json!({"user": user, "action": action, "object": object, "record_id": record, "context": ctx});
        if let Ok(request) = clearance_core::Request::from_value(&request) {
            let _ = engine.check(&request, Some(&dataset));
        }
    }
}

/// Field values that stress the record store's encodings.
fn field_value() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        (-1e15f64..1e15).prop_map(|n| serde_json::json!(n)),
        prop_oneof![Just(-0.0f64), Just(0.5), Just(1e300), Just(9_007_199_254_740_993.0)].prop_map(|n| serde_json::json!(n)),
        "[a-z中 ]{0,40}".prop_map(serde_json::Value::String),
        Just(serde_json::Value::Null),
    ]
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i32>().prop_map(serde_json::Value::from),
        "[a-z_./0-9 ]{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("users".to_owned()),
                    Just("roles".to_owned()),
                    Just("id".to_owned()),
                    Just("schema".to_owned()),
                    Just("objects".to_owned()),
                    Just("forbid".to_owned()),
                    Just("when".to_owned()),
                    "[a-z]{1,6}"
                ],
                inner,
                0..5
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn deep_nesting_is_rejected_not_overflowed() {
    let text = "(".repeat(10_000) + "context.mfa" + &")".repeat(10_000);
    let policy = serde_json::json!({"forbid": [{"id": "f", "when": text}]});
    let error = Engine::from_value(&policy).unwrap_err();
    assert!(error.has_code(clearance_core::Code::ConditionTooComplex), "{error}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// `filter`, `who-can`, `matrix` and the verdict fast path agree with `check` on every user, record and action.
    #[test]
    fn filter_who_can_and_matrix_agree_with_check(seed in any::<u64>(), context in 0usize..3) {
        let (policy, records) = org(seed);
        let engine = Engine::compile(policy).unwrap();
        let dataset = engine.load_records(&serde_json::to_value(&records).unwrap()).unwrap();
        let context = &contexts()[context];
        let users: Vec<String> = engine.user_ids().map(str::to_owned).collect();
        let objects: Vec<String> = engine.object_names().map(str::to_owned).collect();
        let mut allowed = std::collections::BTreeSet::new();
        let matrix = engine.matrix(&dataset, context);
        // Every verdict, by position, for `allows_many` (batched) to answer alike.
        let (mut batch_users, mut batch_actions, mut batch_records, mut verdicts) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for action in ACTIONS {
            let a = engine.action_id(action).unwrap();
            for user in &users {
                for (o, _) in objects.iter().enumerate() {
                    let o = o as u32;
                    let by_check: Vec<u32> = (0..dataset.len() as u32)
                        .filter(|&r| dataset.record(r).expect("in range").object() == o)
                        .filter(|&r| {
                            let query = clearance_core::Query { user, action: a, object: o, record: Some(dataset.record(r).expect("in range")), context, fields: &[], dataset: Some(&dataset) };
                            let allowed = engine.check_query(&query).allowed;
                            // The handle fast path (the npm package's `allows`) gives the same verdict.
                            let u = engine.user_position(user).unwrap();
                            assert_eq!(engine.allows_at(&dataset, u, a, r, context), Some(allowed), "verdict disagrees with check");
                            batch_users.push(u);
                            batch_actions.push(a);
                            batch_records.push(r);
                            verdicts.push(u8::from(allowed));
                            allowed
                        })
                        .collect();
                    if action == "create" {
                        // `create` without a record: the handle path and its event answer as check does.
                        let query = clearance_core::Query { user, action: a, object: o, record: None, context, fields: &[], dataset: None };
                        let decision = engine.check_query(&query);
                        let u = engine.user_position(user).unwrap();
                        prop_assert_eq!(engine.allows_create_at(u, o, context), Some(decision.allowed), "create verdict disagrees with check");
                        let mut bytes = Vec::new();
                        prop_assert_eq!(engine.record_create_at(u, o, context, 0, &mut bytes), Some(decision.allowed));
                        let mut recorded = clearance_core::activity::Lines::new(&engine, None, 0);
                        prop_assert_eq!(recorded.push(&bytes), Ok(1));
                        prop_assert_eq!(
                            recorded.text,
                            clearance_core::activity::to_lines(&[engine.event(&query, &decision, 0).expect("reads back")]),
                            "create event disagrees with check's"
                        );
                        prop_assert_eq!(engine.allows_create_at(u, objects.len() as u32, context), None);
                        prop_assert_eq!(engine.allows_create_at(users.len() as u32, o, context), None);
                        let before = bytes.len();
                        prop_assert_eq!(engine.record_create_at(users.len() as u32, o, context, 0, &mut bytes), None);
                        prop_assert_eq!(bytes.len(), before, "nothing recorded for a position out of range");
                    }
                    let by_filter = engine.filter(&dataset, user, a, o, context);
                    prop_assert_eq!(&by_filter, &by_check, "filter disagrees with check for {} {} {}", user, action, objects[o as usize]);
                    if action != "create" {
                        let u = engine.user_position(user).unwrap();
                        prop_assert_eq!(&engine.matrix_records(&matrix, &dataset, u, o, a), &by_check, "matrix lists other records than check for {} {} {}", user, action, objects[o as usize]);
                    }
                    for r in by_check {
                        allowed.insert((r, a, user.clone()));
                    }
                }
            }
            for (r, record) in dataset.records().enumerate() {
                for user in &users {
                    if action != "create" {
                        prop_assert_eq!(engine.matrix_allows(&matrix, &dataset, user, action, record.id()), allowed.contains(&(r as u32, a, user.clone())), "matrix disagrees with check");
                    }
                }
                let who: Vec<String> = engine.who_can(Some(&dataset), record, a, context).into_iter().map(|hit| hit.user).collect();
                let expected: Vec<String> = users.iter().filter(|u| allowed.contains(&(r as u32, a, (*u).clone()))).cloned().collect();
                let mut who_sorted = who.clone();
                who_sorted.sort();
                let mut expected_sorted = expected.clone();
                expected_sorted.sort();
                prop_assert_eq!(who_sorted, expected_sorted, "who-can disagrees with check on {} {}", record.id(), action);
            }
        }
        // Out-of-range positions answer 2, and so do checks past the shorter arrays.
        batch_records.push(dataset.len() as u32);
        batch_users.push(0);
        batch_actions.push(0);
        verdicts.push(2);
        batch_records.push(0);
        verdicts.push(2);
        prop_assert_eq!(engine.allows_many(&dataset, &batch_users, &batch_actions, &batch_records, context), verdicts, "batched verdicts disagree with check");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// `redact` keeps exactly the readable fields, and nothing of unreadable records.
    /// A loaded record, written back, is the record as given: the columnar
    /// store (dictionaries, linked ids, integers as varints) loses nothing.
    #[test]
    fn loaded_records_write_back_unchanged(seed in any::<u64>(), values in prop::collection::vec(field_value(), 60)) {
        let (policy, mut records) = org(seed);
        // Odd values in the number and string fields the generator fills plainly.
        for (record, value) in records.iter_mut().zip(values) {
            let key = record.fields.iter().find(|(_, v)| v.is_number() == value.is_number() && !v.is_null()).map(|(k, _)| k.clone());
            if let Some(key) = key.filter(|k| !k.ends_with("_id")) {
                record.fields.insert(key, value);
            }
        }
        let engine = Engine::compile(policy).unwrap();
        let dataset = engine.load_records(&serde_json::to_value(&records).unwrap()).unwrap();
        for input in &records {
            let mut expected = input.clone();
            expected.fields = input
                .fields
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), clearance_core::Value::from_json(v).unwrap().to_json()))
                .collect();
            prop_assert_eq!(engine.record_input(dataset.get(&input.id).unwrap()), expected);
        }
    }

    #[test]
    fn redact_keeps_exactly_the_readable_fields(seed in any::<u64>()) {
        let (policy, records) = org(seed);
        let engine = Engine::compile(policy).unwrap();
        let dataset = engine.load_records(&serde_json::to_value(&records).unwrap()).unwrap();
        let context = &contexts()[0];
        let read = engine.action_id("read").unwrap();
        for user in engine.user_ids() {
            for record in dataset.records() {
                let query = clearance_core::Query { user, action: read, object: record.object(), record: Some(record), context, fields: &[], dataset: Some(&dataset) };
                let decision = engine.check_query(&query);
                let redacted = engine.redact(user, record, context, Some(&dataset));
                prop_assert_eq!(redacted.is_some(), decision.allowed);
                if let (Some(redacted), Some(fields)) = (redacted, decision.fields) {
                    let full = engine.record_input(record);
                    let rendered = engine.render(&engine.check_query(&query), &query).fields.unwrap();
                    let expected: Vec<&String> = full.fields.keys().filter(|k| rendered.read.contains(k)).collect();
                    prop_assert_eq!(redacted.fields.keys().collect::<Vec<_>>(), expected);
                    prop_assert!(fields.edit.iter().all(|f| fields.read.contains(f)), "an editable field must be readable");
                }
            }
        }
    }
}

proptest! {
    /// Queries built by hand with indices the engine does not know are denied, never a panic.
    #[test]
    fn foreign_indices_never_panic(action in 0u32..20, object in 0u32..10, field in 0u32..200, foreign in any::<bool>()) {
        let engine = Engine::from_json(clearance_core::generate::REFERENCE_ORG).unwrap();
        let other = Engine::from_json(clearance_core::generate::REFERENCE_ORG).unwrap();
        let records: serde_json::Value = serde_json::from_str(clearance_core::generate::REFERENCE_RECORDS).unwrap();
        let dataset = if foreign { other.load_records(&records).unwrap() } else { engine.load_records(&records).unwrap() };
        let record = dataset.record(0).expect("a record");
        let context = Context::default();
        let fields = [field];
        let query = clearance_core::Query { user: "rep_east_alice", action, object, record: Some(record), context: &context, fields: &fields, dataset: Some(&dataset) };
        let decision = engine.check_query(&query);
        let _ = engine.render(&decision, &query);
        let _ = engine.filter(&dataset, "rep_east_alice", action, object, &context);
        let _ = engine.who_can(Some(&dataset), record, action, &context);
        if foreign {
            prop_assert!(!decision.allowed);
            prop_assert!(engine.filter(&dataset, "rep_east_alice", 0, 0, &context).is_empty());
        }
    }
}
