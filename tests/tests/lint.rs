//! Lint findings on the reference org and on a policy built to trip every check.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

use clearance_core::Engine;

fn findings(policy: &str) -> Vec<(String, String)> {
    let engine = Engine::from_json(policy).unwrap();
    let mut found: Vec<(String, String)> = engine.lint().unwrap().into_iter().map(|f| (f.code, f.path)).collect();
    found.sort();
    found
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = expected.iter().map(|(c, p)| ((*c).to_owned(), (*p).to_owned())).collect();
    pairs.sort();
    pairs
}

#[test]
fn reference_org_reports_its_separation_of_duty_conflict() {
    let found = findings(clearance_core::generate::REFERENCE_ORG);
    let expected = pairs(&[
        ("separation_of_duty_conflict", "/users/8"),
        ("inactive_user_with_privileges", "/users/13"),
        ("unused_group", "/groups/1"),
        ("all_on_sensitive_object", "/bundles/profiles/administrator/objects/Account"),
        ("all_on_sensitive_object", "/bundles/profiles/administrator/objects/Contact"),
        ("all_on_sensitive_object", "/bundles/profiles/administrator/objects/Payment"),
        ("all_on_sensitive_object", "/bundles/profiles/executive/objects/Account"),
        ("all_on_sensitive_object", "/bundles/profiles/executive/objects/Contact"),
        ("all_on_sensitive_object", "/bundles/profiles/executive/objects/Payment"),
        ("all_on_sensitive_object", "/bundles/profiles/finance/objects/Account"),
        ("all_on_sensitive_object", "/bundles/profiles/finance/objects/Payment"),
        ("all_on_sensitive_object", "/bundles/permission_sets/export_reports/objects/Payment"),
    ]);
    assert_eq!(found, expected);
}

#[test]
fn every_check_fires_where_it_should() {
    let policy = r#"{
      "schema": {"objects": {"Case": {"baseline": "public_read", "fields": {"s": {"type": "string"}}}}},
      "roles": [{"id": "top"}, {"id": "mid", "parent": "top"}, {"id": "lonely"}, {"id": "named"}],
      "departments": [{"id": "d"}, {"id": "empty"}],
      "users": [
        {"id": "a", "role": "mid", "department": "d", "profile": "p"},
        {"id": "b", "department": "d"}
      ],
      "groups": [{"id": "used", "members": [{"role": "named"}]}, {"id": "orphan", "members": []}],
      "bundles": {"profiles": {"p": {"objects": {"Case": {"read": "own"}}}, "spare": {}}, "permission_sets": {"never": {}}},
      "sharing_rules": [
        {"id": "same_as_baseline", "object": "Case", "criteria": "true", "share_with": {"user": "a"}, "access": "read"},
        {"id": "to_nobody", "object": "Case", "criteria": "true", "share_with": {"department": "empty"}, "access": "edit"},
        {"id": "from_nobody", "object": "Case", "owned_by": {"group": "used"}, "share_with": {"user": "a"}, "access": "edit"}
      ]
    }"#;
    let found = findings(policy);
    let expected = pairs(&[
        ("user_without_role", "/users/1"),
        ("user_without_profile", "/users/1"),
        ("unused_role", "/roles/2"),
        ("unused_group", "/groups/1"),
        ("unused_bundle", "/bundles/profiles/spare"),
        ("unused_bundle", "/bundles/permission_sets/never"),
        ("redundant_sharing_rule", "/sharing_rules/0"),
        ("empty_sharing_rule", "/sharing_rules/1"),
        ("empty_sharing_rule", "/sharing_rules/2"),
    ]);
    assert_eq!(found, expected);
}
