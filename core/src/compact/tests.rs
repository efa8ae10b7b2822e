//! The words read back (as `wasm/npm/decision.js` reads them) give what
//! `render` gives, on every user × record × action of two orgs.

use serde_json::{Map, Value, json};

use super::{BASELINES, LEVELS, RECIPIENTS, SCOPES, STAGES, push_word};
use crate::explain::level_word;
use crate::{Context, Dataset, Engine};

/// A reader of one answer: the words, then the message.
struct Reader<'a> {
    units: Vec<u32>,
    at: usize,
    text: &'a str,
}

impl Reader<'_> {
    fn next(&mut self) -> usize {
        let (mut word, mut scale) = (0usize, 1usize);
        loop {
            let unit = self.units[self.at] as usize;
            self.at += 1;
            if unit < 0x40 {
                return word + unit * scale;
            }
            word += (unit - 0x40) * scale;
            scale *= 0x40;
        }
    }

    fn list(&mut self, names: &[&str]) -> Value {
        let count = self.next();
        (0..count).map(|_| json!(names[self.next()])).collect()
    }

    fn message(&self) -> String {
        self.text.chars().skip(self.at).collect()
    }
}

/// The decision the answer says, as `render` serialises it.
fn decode(names: &[Vec<&str>], answer: &str, user: &str) -> Value {
    let list = |i: usize| names[i].as_slice();
    let (levels, stages, scopes, baselines, kinds) = (list(0), list(1), list(2), list(3), list(4));
    let (keys, lists, missing, bundles, roles, sharing, forbid) = (list(5), list(6), list(7), list(9), list(10), list(11), list(12));
    let by_name = |name: &str| match name {
        "users" => list(13),
        "groups" => list(14),
        "roles" => list(10),
        _ => list(15),
    };
    let mut r = Reader { units: answer.chars().map(u32::from).collect(), at: 0, text: answer };
    let flags = r.next();
    let (level, stage, object) = (r.next(), r.next(), r.next());
    let fields = list(16 + object);
    let mut out = Map::new();
    out.insert("allowed".into(), json!(flags & 1 == 1));
    if flags & 2 != 0 {
        out.insert("level".into(), json!(levels[level]));
    }
    if flags & 16 != 0 {
        out.insert("stage".into(), json!(stages[stage]));
    }
    let count = r.next();
    let mut reasons = Vec::new();
    for _ in 0..count {
        let (kind, level, a, b) = (kinds[r.next()], levels[r.next()], r.next(), r.next());
        let mut reason = json!({"kind": kind, "level": level});
        let particular = match kind {
            "scope" => json!({"scope": scopes[a], "bundle": bundles[b]}),
            "baseline" => json!({"baseline": baselines[a]}),
            "hierarchy" => json!({"role": roles[a], "owner_role": roles[b]}),
            "peers" => json!({"role": roles[a]}),
            "sharing_rule" => json!({"rule": sharing[a], "via_superior": b == 1}),
            "manual_share" => json!({"with": {keys[a]: by_name(lists[a])[b]}}),
            _ => json!({}),
        };
        reason.as_object_mut().into_iter().for_each(|m| m.extend(particular.as_object().cloned().unwrap_or_default()));
        reasons.push(reason);
    }
    out.insert("reasons".into(), Value::Array(reasons));
    if flags & 16 != 0 {
        let denial = match stages[stage] {
            "unknown_user" | "inactive_user" => json!({"user": user}),
            "no_privilege" => json!({"bundles": r.list(bundles)}),
            "no_record_access" => json!({"needs": levels[r.next()], "checked": kinds[..r.next()]}),
            "forbidden" => json!({"rule": forbid[r.next()]}),
            "field_not_editable" => json!({"fields": r.list(fields)}),
            _ => {
                let bundle = bundles[r.next()];
                match r.next() {
                    0 => json!({"bundle": bundle}),
                    m => json!({"bundle": bundle, "missing_context": missing[m - 1]}),
                }
            }
        };
        out.insert("denial".into(), denial);
    }
    if flags & 4 != 0 {
        out.insert("remedy".into(), json!("mfa"));
    }
    if flags & 8 != 0 {
        let read = r.list(fields);
        out.insert("fields".into(), json!({"read": read, "edit": r.list(fields)}));
    }
    out.insert("message".into(), json!(r.message()));
    Value::Object(out)
}

/// Every plain request of the org, its answer read back against `render`;
/// returns how many were answered in words, and the recipient kinds of the
/// manual shares among their reasons.
fn check_org(policy: &str, records: &str) -> (usize, std::collections::BTreeSet<String>) {
    let engine = Engine::from_json(policy).expect("the org compiles");
    let dataset: Dataset = engine.load_records_text(records).expect("the records load");
    let names = engine.names();
    let context = Context::default();
    let policy: Value = serde_json::from_str(policy).expect("json");
    let records: Value = serde_json::from_str(records).expect("json");
    let users = policy["users"].as_array().into_iter().flatten().filter_map(|u| u["id"].as_str());
    let mut answered = 0;
    let mut recipients = std::collections::BTreeSet::new();
    for user in users.chain(["nobody"]) {
        for record in records.as_array().into_iter().flatten() {
            let (object, id) = (record["object"].as_str().unwrap_or_default(), record["id"].as_str().unwrap_or_default());
            for action in ["read", "edit", "delete", "transfer", "share", "export"] {
                let Some(query) = engine.plain_query(user, [action, object, id], &dataset, &context) else { continue };
                let mut answer = String::new();
                let decided = engine.answer_compact(&query, &mut answer);
                let decision = engine.check_query(&query);
                let expected = serde_json::to_value(engine.render(&decision, &query)).expect("json");
                // Only these have no words.
                let wordless = decision.reasons.iter().any(|r| matches!(r, crate::Reason::Parent { .. }))
                    || matches!(decision.denial, Some(crate::Denial::Forbidden { unknown: Some(_), .. }));
                assert_eq!(answer.is_empty(), wordless, "{user} {action} {id}: words unless wordless");
                if answer.is_empty() {
                    assert!(decided.is_none(), "{user} {action} {id}: no words, no decision to record");
                    continue;
                }
                assert_eq!(decided, Some(decision.clone()), "{user} {action} {id}: the decision");
                assert_eq!(decode(&names, &answer, user), expected, "{user} {action} {id}");
                answered += 1;
                let shares = expected["reasons"].as_array().into_iter().flatten().filter_map(|r| r["with"].as_object());
                recipients.extend(shares.flat_map(|with| with.keys().cloned()));
            }
        }
    }
    (answered, recipients)
}

/// The reference records, and one Account shared with each kind of recipient.
fn shared_records() -> String {
    let mut records: Vec<Value> = serde_json::from_str(crate::generate::REFERENCE_RECORDS).expect("json");
    let recipients = [
        json!({"user": "rep_west_carl"}),
        json!({"group": "eu_team"}),
        json!({"role": "sales_rep_east"}),
        json!({"role_and_subordinates": "sales_director"}),
        json!({"department": "sales_west"}),
        json!({"department_tree": "sales"}),
    ];
    for (i, with) in recipients.into_iter().enumerate() {
        records.push(json!({"id": format!("acc_shared_{i}"), "object": "Account", "owner": "ceo_chen",
            "fields": {"name": "Shared", "region": "EU", "industry": "retail", "annual_revenue": 1},
            "shares": [{"with": with, "access": "edit"}]}));
    }
    Value::Array(records).to_string()
}

#[test]
fn words_read_back_as_render_gives_them() {
    let (reference, recipients) = check_org(crate::generate::REFERENCE_ORG, &shared_records());
    let (branch, _) =
        check_org(include_str!("../../../tests/orgs/branch-org.json"), include_str!("../../../tests/orgs/branch-records.json"));
    assert!(reference > 500 && branch > 500, "{reference} and {branch} answered in words");
    let every: std::collections::BTreeSet<String> = RECIPIENTS.iter().map(|(key, _)| (*key).to_owned()).collect();
    assert_eq!(recipients, every, "a manual share to each kind of recipient crosses in words");
}

#[test]
fn words_cross_as_ascii_chars_of_six_bits() {
    let mut out = String::new();
    let words = [0, 1, 0x3F, 0x40, 0xFFF, 0x1000, 1_000_000, u32::MAX];
    for word in words {
        push_word(&mut out, word);
    }
    assert!(out.is_ascii());
    assert_eq!(out.len(), 1 + 1 + 1 + 2 + 2 + 3 + 4 + 6, "one char per six bits");
    let units: Vec<u32> = out.chars().map(u32::from).collect();
    let mut reader = Reader { units, at: 0, text: "" };
    let decoded: Vec<usize> = words.iter().map(|_| reader.next()).collect();
    assert_eq!(decoded, words.map(|w| w as usize));
}

fn json_name(value: impl serde::Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

#[test]
fn each_list_is_in_the_order_of_its_enum_and_names_it_as_json_does() {
    assert!(LEVELS.iter().enumerate().all(|(i, l)| *l as usize == i && json_name(l) == level_word(*l, crate::Lang::En)));
    assert!(SCOPES.iter().enumerate().all(|(i, (s, name))| *s as usize == i && json_name(s) == *name));
    assert!(BASELINES.iter().enumerate().all(|(i, (b, name))| *b as usize == i && json_name(b) == *name));
    assert!(STAGES.iter().enumerate().all(|(i, s)| *s as usize == i && json_name(s) == s.as_str()));
    let recipients = [
        crate::policy::Recipient::User(String::new()),
        crate::policy::Recipient::Group(String::new()),
        crate::policy::Recipient::Role(String::new()),
        crate::policy::Recipient::RoleAndSubordinates(String::new()),
        crate::policy::Recipient::Department(String::new()),
        crate::policy::Recipient::DepartmentTree(String::new()),
    ];
    for (recipient, (key, _)) in recipients.iter().zip(RECIPIENTS) {
        let json = serde_json::to_value(recipient).unwrap_or_default();
        assert!(json.get(key).is_some(), "{json} has no `{key}`");
    }
}

#[test]
fn a_plain_query_needs_known_ids_a_record_of_its_object_and_this_engines_records() {
    let engine = Engine::from_json(crate::generate::REFERENCE_ORG).expect("the org compiles");
    let dataset = engine.load_records_text(crate::generate::REFERENCE_RECORDS).expect("the records load");
    let other = Engine::from_json(crate::generate::REFERENCE_ORG).expect("the org compiles");
    let foreign = other.load_records_text(crate::generate::REFERENCE_RECORDS).expect("the records load");
    let context = Context::default();
    let query = |ids: [&str; 3], dataset: &Dataset| engine.plain_query("rep_east_alice", ids, dataset, &context).is_some();
    assert!(query(["read", "Account", "acc_eu_1"], &dataset));
    assert!(!query(["read", "Account", "acc_eu_1"], &foreign), "records of another engine");
    assert!(!query(["create", "Account", "acc_eu_1"], &dataset), "create takes no record");
    assert!(!query(["read", "Contact", "acc_eu_1"], &dataset), "a record of another object");
    assert!(!query(["fly", "Account", "acc_eu_1"], &dataset), "an unknown action");
    assert!(!query(["read", "Planet", "acc_eu_1"], &dataset), "an unknown object");
    assert!(!query(["read", "Account", "acc_nowhere"], &dataset), "an unknown record");
}

#[test]
fn a_denial_lists_the_users_bundles_and_the_paths_its_object_has() {
    let engine = Engine::from_json(crate::generate::REFERENCE_ORG).expect("the org compiles");
    let dataset = engine.load_records_text(crate::generate::REFERENCE_RECORDS).expect("the records load");
    let context = Context::default();
    let denial = |user: &str, ids: [&str; 3]| {
        let query = engine.plain_query(user, ids, &dataset, &context).expect("a plain query");
        serde_json::to_value(engine.render(&engine.check_query(&query), &query)).expect("json")["denial"].clone()
    };
    assert_eq!(denial("rep_east_alice", ["delete", "Account", "acc_eu_2"]), json!({"bundles": ["sales_rep"]}));
    let every = ["owner", "scope", "baseline", "hierarchy", "peers", "sharing_rule", "team", "manual_share"];
    let with_parent = [every.as_slice(), &["parent"]].concat();
    assert_eq!(denial("mgr_east_mike", ["read", "Contact", "con_2"]), json!({"needs": "read", "checked": with_parent}));
    assert_eq!(denial("rep_east_alice", ["edit", "Account", "acc_us_1"])["checked"], json!(every));
}
