//! Compact events: their reason kinds, and the lines `Lines` writes from
//! them read back as what was decided.

use super::{Kinds, Lines};
use crate::Engine;
use crate::decision::Reason;
use crate::policy::Level;

#[test]
fn reason_kinds_keep_their_order_packed_or_listed() {
    let team = Reason::Team { level: Level::Read };
    for n in [0, 1, 15, 16, 17, 40] {
        let reasons: Vec<Reason> = (0..n).map(|i| if i % 3 == 2 { team.clone() } else { Reason::Owner }).collect();
        let kinds = Kinds::of(&reasons);
        assert_eq!(matches!(kinds, Kinds::Packed(_)), n <= 16, "{n} reasons");
        let names: Vec<&str> = kinds.names().collect();
        assert_eq!(names, reasons.iter().map(Reason::kind).collect::<Vec<_>>(), "{n} reasons");
    }
    assert!(Reason::KINDS.len() < 16, "four bits hold a kind + 1");
}

/// The lines a recorder writes (`activity::Lines`, as the npm package
/// drains them) say what the decisions said: read back, each names the
/// request, its verdict, stage, reasons, context and the revision, whether
/// the clock moved between events or not, and odd user ids survive escaping.
#[test]
fn recorded_events_write_lines_that_say_what_was_decided() {
    use serde_json::{Value, json};
    let engine = Engine::from_json(crate::generate::REFERENCE_ORG).unwrap();
    let records = engine.load_records_text(crate::generate::REFERENCE_RECORDS).unwrap();
    let all: Vec<Value> = serde_json::from_str(crate::generate::REFERENCE_RECORDS).unwrap();
    let policy: Value = serde_json::from_str(crate::generate::REFERENCE_ORG).unwrap();
    let mut users: Vec<String> = ["ceo_chen", "mgr_east_mike", "rep_east_alice", "rep_west_dan"].map(String::from).to_vec();
    users.push("we\"ird\\user\n名\u{1}".to_owned());
    let contexts = [json!({}), json!({"time": "2026-03-02T10:00:00Z", "ip": "10.0.0.1", "mfa": true}), json!({"mfa": false})];
    let mut requests = Vec::new();
    for user in &users {
        for record in all.iter().take(10) {
            let actions = [
                ("read", None),
                ("read", Some(json!(["name"]))),
                ("edit", Some(json!(["name"]))),
                ("edit", None),
                ("export", None),
                ("delete", None),
            ];
            for (action, fields) in actions {
                let mut request = json!({"user": user, "action": action, "object": record["object"], "record_id": record["id"]});
                if let Some(fields) = fields.filter(|_| record["object"] == "Account") {
                    request["fields"] = fields;
                }
                requests.push(request);
            }
        }
        requests.push(json!({"user": user, "action": "create", "object": "Account"}));
    }
    let start = 1_790_000_000_000_i64;
    let mut lines = Lines::new(&engine, Some(42), 0);
    let mut expected = Vec::new();
    for (i, request) in requests.iter_mut().enumerate() {
        request["context"] = contexts[i % contexts.len()].clone();
        let now = start + (i / 3) as i64; // three events a millisecond
        let (decision, logged) = engine.answer_check_logged(request, Some(&records), Some(now)).unwrap();
        lines.push(&logged.unwrap());
        expected.push((request.clone(), decision, now));
    }
    let text = lines.text;
    assert!(text.ends_with('\n'));
    let parsed: Vec<_> =
        text.lines().map(|line| crate::activity::parse_line(line).map(|(event, _)| event.into_owned())).collect::<Result<_, _>>().unwrap();
    assert_eq!(crate::activity::to_lines(&parsed), text, "the events write back the lines they were read from");
    assert_eq!(text.lines().count(), requests.len());
    let mut allowed = 0;
    for (line, (request, decision, now)) in text.lines().zip(&expected) {
        let (event, _) = crate::activity::parse_line(line).unwrap_or_else(|e| panic!("{line}: {e:?}"));
        assert_eq!(event.to_line(), line, "the same writer, the same line");
        let context = &request["context"];
        let time = context["time"].as_str().map_or_else(|| crate::format_rfc3339(*now), str::to_owned);
        let text = |t: &Option<crate::activity::Text<'_>>| t.as_ref().map(|t| t.as_str().to_owned());
        assert_eq!(event.revision, Some(42));
        assert_eq!(event.time.as_str(), time, "{line}");
        assert_eq!(event.user.as_str(), request["user"], "{line}");
        assert_eq!(event.action.as_str(), request["action"]);
        assert_eq!(event.object.as_str(), request["object"]);
        assert_eq!(text(&event.record), request["record_id"].as_str().map(str::to_owned));
        assert_eq!((event.allowed, event.stage), (decision.allowed, decision.stage), "{line}");
        let kinds: Vec<&str> = decision.reasons.iter().map(|r| &*r.kind).collect();
        assert_eq!(event.reasons.iter().map(crate::activity::Text::as_str).collect::<Vec<_>>(), kinds, "{line}");
        let bundle = decision.reasons.iter().find(|r| r.kind == "scope").and_then(|r| r.bundle.clone());
        assert_eq!(text(&event.bundle), bundle, "{line}");
        assert_eq!(text(&event.ip), context["ip"].as_str().map(str::to_owned));
        assert_eq!(event.mfa, context["mfa"].as_bool());
        let fields: Vec<&str> = event.fields.iter().map(crate::activity::Text::as_str).collect();
        // The fields asked about; else, for an allowed read or export of a
        // record, the sensitive fields the answer exposes; else none.
        let exposes = matches!(request["action"].as_str(), Some("read" | "export")) && request.get("record_id").is_some();
        let expected: Vec<&str> = match (request.get("fields"), &decision.fields) {
            (Some(asked), _) => asked.as_array().into_iter().flatten().filter_map(Value::as_str).collect(),
            (None, Some(sets)) if exposes => {
                let schema = &policy["schema"]["objects"][request["object"].as_str().unwrap_or_default()]["fields"];
                sets.read.iter().map(String::as_str).filter(|f| schema[*f]["sensitive"] == json!(true)).collect()
            }
            _ => Vec::new(),
        };
        assert_eq!(fields, expected, "{line}");
        allowed += usize::from(event.allowed);
    }
    assert!(allowed > 10 && allowed < requests.len(), "both verdicts are written ({allowed} allowed)");
    assert!(text.contains("\"fields\":[\"annual_revenue\"]"), "an allowed read names the sensitive fields it exposes");
}

/// An event names the record it was decided on even when the loaded
/// records are replaced before it is written (the npm package's
/// `loadRecords` between a check and the drain puts another record at the
/// same place), a record given inline by its own id, and a user the engine
/// does not know by the id asked about.
#[test]
fn an_event_names_its_record_and_user_after_the_records_are_replaced() {
    use serde_json::{Value, json};
    let engine = Engine::from_json(crate::generate::REFERENCE_ORG).unwrap();
    let all: Vec<Value> = serde_json::from_str(crate::generate::REFERENCE_RECORDS).unwrap();
    let records = engine.load_records(&Value::Array(all.clone())).unwrap();
    let (first, last) = (&all[0], &all[all.len() - 1]);
    let asked = |user: &str, record: &Value| json!({"user": user, "action": "read", "object": record["object"], "record_id": record["id"]});
    let stored = engine.answer_check_logged(&asked("ceo_chen", first), Some(&records), Some(0)).unwrap().1.unwrap();
    let unknown = engine.answer_check_logged(&asked("nobody_here", first), Some(&records), Some(0)).unwrap().1.unwrap();
    let mut draft = last.clone();
    draft["id"] = json!("draft_9");
    let inline = json!({"user": "ceo_chen", "action": "create", "object": last["object"], "record": draft});
    let drafted = engine.answer_check_logged(&inline, Some(&records), Some(0)).unwrap().1.unwrap();
    // Kept as places, not copies, where there are places to keep.
    assert!(matches!((&stored.user, &stored.record), (super::UserName::At(_), Some(super::RecordName::Stored(..)))));
    assert!(matches!((&unknown.user, &drafted.record), (super::UserName::Id(_), Some(super::RecordName::Draft(_)))));
    drop(records);
    let reversed = engine.load_records(&Value::Array(all.iter().rev().cloned().collect())).unwrap();
    assert_eq!(reversed.record(0).map(|r| r.id()), last["id"].as_str(), "another record at the first one's place");
    let mut lines = Lines::new(&engine, None, 0);
    for event in [&stored, &unknown, &drafted] {
        lines.push(event);
    }
    let named: Vec<(String, String)> = lines
        .text
        .lines()
        .map(|line| {
            let (event, _) = crate::activity::parse_line(line).unwrap();
            (event.user.as_str().to_owned(), event.record.map(|r| r.as_str().to_owned()).unwrap_or_default())
        })
        .collect();
    let id = |record: &Value| record["id"].as_str().unwrap().to_owned();
    assert_eq!(
        named,
        [("ceo_chen".to_owned(), id(first)), ("nobody_here".to_owned(), id(first)), ("ceo_chen".to_owned(), "draft_9".to_owned())]
    );
    assert_eq!(stored.to_event(&engine).record.map(|r| r.as_str().to_owned()), Some(id(first)));
}
