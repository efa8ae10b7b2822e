//! `diff` against the brute force (every user × record × action under both
//! policies), on the reference org and on generated orgs with random edits.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

use clearance_core::diff::{ChangeKind, diff, diff_summary};
use clearance_core::generate::{Params, Rng, generate};
use clearance_core::policy::{Baseline, ForbidRule, Level, Policy, Recipient, SharingRule};
use clearance_core::{Context, Engine, Query};
use proptest::prelude::*;
use std::collections::BTreeSet;

fn context() -> Context {
    Context::from_map(
        &serde_json::from_value(serde_json::json!({"mfa": true, "ip": "10.0.0.1", "time": "2026-11-30T09:00:00Z"})).unwrap(),
        "",
    )
    .unwrap()
}

/// Every (user, record, action, gained?) by deciding everything twice.
fn brute_force(before: &Policy, after: &Policy, records: &serde_json::Value) -> BTreeSet<(String, String, String, bool)> {
    let context = context();
    let decide = |policy: &Policy| {
        let engine = Engine::compile(policy.clone()).unwrap();
        let dataset = engine.load_records(records).unwrap();
        let mut allowed = BTreeSet::new();
        for action in engine.action_names().filter(|a| *a != "create") {
            let a = engine.action_id(action).unwrap();
            for user in engine.user_ids() {
                for record in dataset.records() {
                    let query = Query {
                        user,
                        action: a,
                        object: record.object(),
                        record: Some(record),
                        context: &context,
                        fields: &[],
                        dataset: Some(&dataset),
                    };
                    if engine.check_query(&query).allowed {
                        allowed.insert((user.to_owned(), record.id().to_owned(), action.to_owned()));
                    }
                }
            }
        }
        allowed
    };
    let (was, now) = (decide(before), decide(after));
    let gained = now.difference(&was).map(|(u, r, a)| (u.clone(), r.clone(), a.clone(), true));
    let lost = was.difference(&now).map(|(u, r, a)| (u.clone(), r.clone(), a.clone(), false));
    gained.chain(lost).collect()
}

fn incremental(before: &Policy, after: &Policy, records: &serde_json::Value) -> BTreeSet<(String, String, String, bool)> {
    let (old, new) = (Engine::compile(before.clone()).unwrap(), Engine::compile(after.clone()).unwrap());
    let result = diff(&old, &new, records, &context()).unwrap();
    let total = result.summary.total;
    assert_eq!(total.gained + total.lost, result.changes.len());
    assert_eq!(result.summary, summary_of(&result.changes, records), "the summary counts the changes");
    assert_eq!(diff_summary(&old, &new, records, &context()).unwrap(), result.summary, "counting alone gives the same summary");
    let count = result.changes.len();
    let changes: BTreeSet<_> = result.changes.into_iter().map(|c| (c.user, c.record, c.action, c.change == ChangeKind::Gained)).collect();
    assert_eq!(changes.len(), count, "a change is reported twice");
    changes
}

/// The summary of `changes`, counted here from the changes themselves.
fn summary_of(changes: &[clearance_core::diff::Change], records: &serde_json::Value) -> clearance_core::diff::Summary {
    let object_of = |id: &str| records.as_array().unwrap().iter().find(|r| r["id"] == id).unwrap()["object"].as_str().unwrap().to_owned();
    let mut summary = clearance_core::diff::Summary::default();
    for c in changes {
        let gained = c.change == ChangeKind::Gained;
        for counts in [
            &mut summary.total,
            summary.users.entry(c.user.clone()).or_default(),
            summary.objects.entry(object_of(&c.record)).or_default(),
            summary.actions.entry(c.action.clone()).or_default(),
        ] {
            if gained { counts.gained += 1 } else { counts.lost += 1 }
        }
    }
    summary
}

/// `matrix(after) − matrix(before)` and the reverse, as changes.
fn matrix_difference(before: &Policy, after: &Policy, records: &serde_json::Value) -> BTreeSet<(String, String, String, bool)> {
    let grants = |policy: &Policy| {
        let engine = Engine::compile(policy.clone()).unwrap();
        let dataset = engine.load_records(records).unwrap();
        let matrix = engine.matrix(&dataset, &context());
        let users: Vec<&str> = engine.user_ids().collect();
        let actions: Vec<&str> = engine.action_names().collect();
        let mut grants = BTreeSet::new();
        for (u, user) in users.iter().enumerate() {
            for o in 0..engine.object_names().count() as u32 {
                for (a, action) in actions.iter().enumerate().filter(|(_, action)| **action != "create") {
                    let records = engine.matrix_records(&matrix, &dataset, u as u32, o, a as u32);
                    grants.extend(
                        records
                            .iter()
                            .map(|&r| ((*user).to_owned(), dataset.record(r).expect("in range").id().to_owned(), (*action).to_owned())),
                    );
                }
            }
        }
        grants
    };
    let (was, now) = (grants(before), grants(after));
    now.difference(&was)
        .map(|(u, r, a)| (u.clone(), r.clone(), a.clone(), true))
        .chain(was.difference(&now).map(|(u, r, a)| (u.clone(), r.clone(), a.clone(), false)))
        .collect()
}

#[test]
fn moving_bob_to_the_west_team() {
    let before = clearance_core::generate::reference_policy();
    let mut after = before.clone();
    after.users.iter_mut().filter(|u| u.id == "rep_east_bob").for_each(|u| u.role = Some("sales_rep_west".into()));
    let records: serde_json::Value = serde_json::from_str(clearance_core::generate::REFERENCE_RECORDS).unwrap();
    let changes = incremental(&before, &after, &records);
    assert_eq!(changes, brute_force(&before, &after, &records));
    let has = |u: &str, r: &str, a: &str, gained: bool| changes.contains(&(u.into(), r.into(), a.into(), gained));
    assert!(has("rep_east_bob", "acc_eu_1", "read", false), "bob leaves the EU team");
    assert!(has("rep_east_bob", "con_1", "read", false), "and the contact under its account");
    assert!(has("mgr_east_mike", "acc_eu_2", "edit", false), "his old manager loses the hierarchy");
    assert!(has("mgr_west_maria", "acc_eu_2", "read", true), "his new manager gains it");
    assert!(has("svc_agent_tom", "acc_eu_2", "read", false), "the east-accounts rule no longer covers his account");
    assert!(!changes.iter().any(|(u, r, a, _)| u == "svc_mgr_sara" && r == "acc_eu_2" && a == "read"), "sara keeps it through the EU rule");
    assert_eq!(changes.len(), 10);
}

/// One random edit of the kinds an admin makes.
fn edit(policy: &mut Policy, kind: usize, rng: &mut Rng) {
    let users = policy.users.len();
    let roles: Vec<String> = policy.roles.iter().map(|r| r.id.clone()).collect();
    let departments: Vec<String> = policy.departments.iter().map(|d| d.id.clone()).collect();
    match kind {
        0 => policy.users[rng.below(users)].role = Some(rng.pick(&roles).clone()),
        1 => policy.users[rng.below(users)].department = Some(rng.pick(&departments).clone()),
        2 => {
            // Re-parent a role somewhere that keeps the tree acyclic: under the root.
            let i = 1 + rng.below(policy.roles.len() - 1);
            policy.roles[i].parent = Some(policy.roles[0].id.clone());
        }
        3 => {
            let u = rng.below(users);
            if policy.users[u].permission_sets.is_empty() {
                policy.users[u].permission_sets.push("export_reports".into());
            } else {
                policy.users[u].permission_sets.clear();
            }
        }
        4 => {
            policy.sharing_rules.push(SharingRule {
                id: "zz_added".into(),
                object: "Account".into(),
                owned_by: Some(Recipient::RoleAndSubordinates(rng.pick(&roles).clone())),
                criteria: None,
                share_with: Recipient::Role(rng.pick(&roles).clone()),
                access: Level::Edit,
                superiors: true,
                description: None,
            });
        }
        5 => {
            if !policy.sharing_rules.is_empty() {
                let i = rng.below(policy.sharing_rules.len());
                policy.sharing_rules.remove(i);
            }
        }
        6 => policy.forbid.push(ForbidRule {
            id: "zz_forbid".into(),
            objects: Some(vec!["Opportunity".into()]),
            actions: Some(vec!["edit".into()]),
            fields: None,
            when: Some("record.amount > 100000".into()),
            description: None,
        }),
        7 => {
            let object = policy.schema.objects.get_mut("Case").unwrap();
            object.baseline = if object.baseline == Baseline::PublicRead { Baseline::Private } else { Baseline::PublicReadWrite };
        }
        9 => {
            let rep = policy.bundles.profiles.get_mut("sales_rep").unwrap();
            rep.objects.get_mut("Account").unwrap().insert("read".into(), clearance_core::policy::Scope::DepartmentTree);
        }
        8 => {
            let u = rng.below(users);
            policy.users[u].active = !policy.users[u].active;
        }
        _ => {
            let g = rng.below(policy.groups.len());
            let id = policy.users[rng.below(users)].id.clone();
            policy.groups[g].members.push(Recipient::User(id));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn incremental_diff_equals_brute_force(seed in any::<u64>(), kind in 0usize..11) {
        let params = Params { users: 30, roles: 10, role_depth: 8, departments: 5, groups: 4, sharing_rules: 6, records: 50, seed };
        let (mut before, records) = generate(&params);
        // Forbid rules that read the record, on objects sharing rules reach,
        // present on both sides: a record a rule reaches may still be denied.
        for (id, object, when) in [("no_apac_accounts", "Account", "record.region == \"APAC\""), ("no_big_deals", "Opportunity", "record.amount > 300000")] {
            before.forbid.push(ForbidRule {
                id: id.into(),
                objects: Some(vec![object.into()]),
                actions: Some(vec!["read".into(), "edit".into()]),
                fields: None,
                when: Some(when.into()),
                description: None,
            });
        }
        let mut after = before.clone();
        let mut rng = Rng::new(seed ^ 0x5EED);
        edit(&mut after, kind, &mut rng);
        let records = serde_json::to_value(&records).unwrap();
        let changes = incremental(&before, &after, &records);
        prop_assert_eq!(&changes, &brute_force(&before, &after, &records));
        prop_assert_eq!(&changes, &matrix_difference(&before, &after, &records));
    }
}
