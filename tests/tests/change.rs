//! Change control: change sets apply atomically with precise errors; the
//! request state machine keeps its guarantees under any sequence of steps.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

use clearance_core::change::request::{ChangeRequest, State};
use clearance_core::change::{self, Operation};
use clearance_core::policy::Policy;
use clearance_core::{Engine, Lang};
use proptest::prelude::*;

fn reference() -> Policy {
    Engine::from_json(include_str!("../../examples/reference-org.json")).unwrap().policy().unwrap().clone()
}

fn ops(json: &str) -> Vec<Operation> {
    change::decode(&serde_json::from_str(json).unwrap()).unwrap()
}

#[test]
fn every_operation_kind_applies_and_is_summarised() {
    let policy = reference();
    let set = ops(r#"[
        {"op": "move_user", "user": "rep_east_bob", "role": "sales_rep_west"},
        {"op": "set_user_active", "user": "rep_east_eve", "active": true},
        {"op": "add_user", "user": {"id": "new_nina", "role": "sales_rep_east", "profile": "sales_rep"}},
        {"op": "set_profile", "user": "new_nina", "profile": "service"},
        {"op": "grant_permission_set", "user": "new_nina", "permission_set": "export_reports"},
        {"op": "revoke_permission_set", "user": "rep_west_dan", "permission_set": "export_reports"},
        {"op": "add_role", "role": {"id": "intern", "parent": "sales_rep_east"}},
        {"op": "rename_role", "role": "intern", "name": "Intern"},
        {"op": "reparent_role", "role": "intern", "parent": "sales_manager_east"},
        {"op": "add_department", "department": {"id": "lab", "parent": "hq"}},
        {"op": "reparent_department", "department": "lab", "parent": null},
        {"op": "rename_department", "department": "lab", "name": "Lab"},
        {"op": "remove_department", "department": "lab"},
        {"op": "remove_role", "role": "intern"},
        {"op": "set_scope", "bundle": {"kind": "profile", "id": "sales_rep"}, "object": "Case", "action": "read", "scope": "department"},
        {"op": "set_field_access", "bundle": {"kind": "profile", "id": "sales_rep"}, "field": "Opportunity.discount", "access": "edit"},
        {"op": "grant_system_permission", "bundle": {"kind": "profile", "id": "service"}, "permission": "export"},
        {"op": "revoke_system_permission", "bundle": {"kind": "profile", "id": "service"}, "permission": "export"},
        {"op": "add_sharing_rule", "rule": {"id": "cases_to_sales", "object": "Case", "criteria": "record.priority == 'high'", "share_with": {"role_and_subordinates": "sales_director"}, "access": "read"}},
        {"op": "edit_sharing_rule", "rule": {"id": "cases_to_sales", "object": "Case", "criteria": "record.priority == 'low'", "share_with": {"role": "sales_director"}, "access": "read"}},
        {"op": "remove_sharing_rule", "rule": "cases_to_sales"},
        {"op": "add_forbid_rule", "rule": {"id": "no_contractor_exports", "actions": ["export"], "when": "user.employment == 'contractor'"}},
        {"op": "remove_forbid_rule", "rule": "no_contractor_exports"},
        {"op": "set_baseline", "object": "Case", "baseline": "public_read"},
        {"op": "set_hierarchy", "object": "Case", "hierarchy": {"access": "read", "depth": 2}},
        {"op": "set_user_attribute", "user": "rep_east_alice", "name": "region", "value": "EU"},
        {"op": "add_group", "group": {"id": "tiger_team", "members": [{"user": "rep_east_alice"}]}},
        {"op": "add_group_member", "group": "tiger_team", "member": {"role": "sales_rep_west"}},
        {"op": "remove_group_member", "group": "tiger_team", "member": {"role": "sales_rep_west"}},
        {"op": "remove_group", "group": "tiger_team"},
        {"op": "set_session", "bundle": {"kind": "profile", "id": "finance"}, "session": {"mfa_required": true, "ip_ranges": ["10.0.0.0/8"]}},
        {"op": "remove_user", "user": "new_nina"}
    ]"#);
    let (after, engine) = change::apply(&policy, &set).unwrap();
    assert_eq!(after.users.iter().find(|u| u.id == "rep_east_bob").unwrap().role.as_deref(), Some("sales_rep_west"));
    assert!(after.users.iter().any(|u| u.id == "rep_east_eve" && u.active));
    assert!(!after.roles.iter().any(|r| r.id == "intern"));
    assert_eq!(engine.user_count(), policy.users.len());
    for lang in [Lang::En, Lang::Zh] {
        let sentences = change::summarize(&set, lang);
        assert_eq!(sentences.len(), set.len());
        assert!(sentences.iter().all(|s| !s.is_empty() && s.contains('`')), "{sentences:?}");
    }
    assert_ne!(change::version(&after), change::version(&policy));
}

#[test]
fn bad_change_sets_report_every_problem_and_change_nothing() {
    let policy = reference();
    let set = ops(r#"[
        {"op": "move_user", "user": "nobody", "role": "sales_rep_west"},
        {"op": "move_user", "user": "rep_east_bob", "role": "no_such_role"},
        {"op": "remove_role", "role": "sales_rep_east"},
        {"op": "remove_sharing_rule", "rule": "nope"},
        {"op": "grant_permission_set", "user": "rep_west_dan", "permission_set": "export_reports"}
    ]"#);
    let error = change::apply(&policy, &set).unwrap_err();
    let found: Vec<(String, String)> = error.problems().iter().map(|p| (p.path.clone(), p.code.clone())).collect();
    assert_eq!(
        found,
        [
            ("/0/user".to_owned(), "unknown_user".to_owned()),
            ("/1/role".to_owned(), "unknown_role".to_owned()),
            ("/2".to_owned(), "in_use".to_owned()),
            ("/3/rule".to_owned(), "unknown_rule".to_owned()),
            ("/4/permission_set".to_owned(), "no_effect".to_owned()),
        ]
    );
    assert!(error.problems()[2].message.contains("/users/"), "{}", error.problems()[2].message);
    // A change set that applies but yields an invalid policy reports the compile problems.
    let cycle = ops(r#"[{"op": "reparent_role", "role": "ceo", "parent": "sales_rep_east"}]"#);
    assert!(change::apply(&policy, &cycle).unwrap_err().has_code(clearance_core::Code::CycleInRoles));
    // Malformed operations are decoding errors with paths.
    let bad = change::decode(&serde_json::json!([{"op": "move_user", "usr": "x"}, {"op": "fly"}])).unwrap_err();
    // Operations are tagged by `op`, so a problem inside one is reported at the operation, naming the key.
    assert_eq!(bad.problems()[0].path, "/0");
    assert!(bad.problems()[0].message.contains("`usr`"), "{}", bad.problems()[0].message);
    assert_eq!(bad.problems()[1].path, "/1/op");
}

#[test]
fn two_approvals_for_scope_all_and_sensitive_fields() {
    let policy = reference();
    let needs = |json: &str| {
        let (after, _) = change::apply(&policy, &ops(json)).unwrap();
        change::needs_two_approvals(&policy, &after)
    };
    let all =
        r#"[{"op": "set_scope", "bundle": {"kind": "profile", "id": "sales_rep"}, "object": "Account", "action": "read", "scope": "all"}]"#;
    assert_eq!(needs(all), Some("grants_scope_all"));
    let sensitive = r#"[{"op": "set_field_access", "bundle": {"kind": "profile", "id": "sales_rep"}, "field": "Account.annual_revenue", "access": "read"}]"#;
    assert_eq!(needs(sensitive), Some("touches_sensitive_field"));
    assert_eq!(needs(r#"[{"op": "move_user", "user": "rep_east_bob", "role": "sales_rep_west"}]"#), None);
}

const ACTORS: [&str; 5] = ["rep_east_alice", "mgr_east_mike", "admin_ivy", "fin_mgr_fiona", "rep_east_eve"];

#[derive(Debug, Clone)]
enum Step {
    Submit(usize),
    Approve(usize),
    Reject(usize),
    Apply(usize),
    Review(usize),
    MovePolicy,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..ACTORS.len()).prop_map(Step::Submit),
        (0..ACTORS.len()).prop_map(Step::Approve),
        (0..ACTORS.len()).prop_map(Step::Reject),
        (0..ACTORS.len()).prop_map(Step::Apply),
        (0..ACTORS.len()).prop_map(Step::Review),
        Just(Step::MovePolicy),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// No sequence of steps lets an author approve their own change, applies
    /// an unapproved or stale change, or loses a history entry.
    #[test]
    fn request_guarantees_hold_under_any_sequence(author in 0..ACTORS.len(), wide in any::<bool>(), steps in proptest::collection::vec(step(), 0..24)) {
        let mut policy = reference();
        let set = if wide {
            ops(r#"[{"op": "set_scope", "bundle": {"kind": "profile", "id": "sales_rep"}, "object": "Account", "action": "read", "scope": "all"}]"#)
        } else {
            ops(r#"[{"op": "move_user", "user": "rep_east_bob", "role": "sales_rep_west"}]"#)
        };
        let mut request = ChangeRequest::draft("R1", ACTORS[author], &policy, set, "2026-11-29T10:00:00Z", "").unwrap();
        prop_assert_eq!(request.approvals_needed, if wide { 2 } else { 1 });
        let mut applied = 0;
        for (n, step) in steps.iter().enumerate() {
            let at = format!("2026-11-29T10:{:02}:00Z", n + 1);
            let before = request.clone();
            let engine = Engine::compile(policy.clone()).unwrap();
            let result = match step {
                Step::Submit(a) => request.submit(ACTORS[*a], &at),
                Step::Approve(a) => request.approve(&engine, ACTORS[*a], &at, ""),
                Step::Reject(a) => request.reject(&engine, ACTORS[*a], &at, ""),
                Step::Review(a) => request.review(&engine, ACTORS[*a], &at, ""),
                Step::Apply(a) => {
                    let base_matches = change::version(&policy) == request.base;
                    let approved = request.state == State::Approved;
                    match request.apply(&engine, ACTORS[*a], &at) {
                        Ok((after, _)) => {
                            prop_assert!(approved && base_matches, "applied while unapproved or stale");
                            prop_assert!(ACTORS[*a] != request.author, "the author applied their own request");
                            prop_assert!(matches!(ACTORS[*a], "admin_ivy" | "fin_mgr_fiona"), "{} applied without the permission", ACTORS[*a]);
                            policy = after;
                            applied += 1;
                            Ok(())
                        }
                        Err(e) => Err(e),
                    }
                }
                Step::MovePolicy => {
                    // Someone else's change lands: the request becomes stale.
                    let other = ops(r#"[{"op": "set_user_active", "user": "rep_east_eve", "active": true}]"#);
                    if let Ok((after, _)) = change::apply(&policy, &other) { policy = after; }
                    Ok(())
                }
            };
            match result {
                Ok(()) if !matches!(step, Step::MovePolicy) => prop_assert_eq!(request.history.len(), before.history.len() + 1, "one entry per step"),
                Ok(()) => prop_assert_eq!(&request, &before),
                Err(_) => prop_assert_eq!(&request, &before, "a refused step changes nothing"),
            }
            prop_assert!(!request.approvers.iter().any(|a| a == &request.author), "the author approved");
            let distinct: std::collections::BTreeSet<_> = request.approvers.iter().collect();
            prop_assert_eq!(distinct.len(), request.approvers.len());
            for approver in &request.approvers {
                prop_assert!(*approver == "admin_ivy" || *approver == "fin_mgr_fiona", "{} approved without the permission", approver);
            }
            if matches!(request.state, State::Approved | State::Applied | State::Reviewed) {
                prop_assert!(request.approvers.len() >= usize::from(request.approvals_needed));
            }
            prop_assert!(request.history.windows(2).all(|w| w[0].at <= w[1].at));
        }
        prop_assert!(applied <= 1);
    }
}

#[test]
fn every_operation_is_said_as_before_in_both_languages() {
    // Pinned wording: the sentences the admin app, the CLI and change
    // requests show (tests/sentences: every kind of operation, with and
    // without its optional parts), English then Chinese.
    let set = ops(include_str!("../sentences/operations.json"));
    let expected: Vec<String> = serde_json::from_str(include_str!("../sentences/expected.json")).unwrap();
    let said: Vec<String> = [Lang::En, Lang::Zh].into_iter().flat_map(|lang| change::summarize(&set, lang)).collect();
    assert_eq!(said, expected);
    assert_eq!(said[0], "move user `rep_east_bob` to role `sales_rep_west`");
    assert!(said.iter().skip(set.len()).all(|s| !s.is_ascii()), "every Chinese sentence is Chinese");
}
