//! Events recorded as bytes read back as what was decided, and bytes that
//! are not events of the engine are refused with their place, never
//! misread or a panic.

use super::{Lines, batch, batch_header, events};
use crate::Engine;
use serde_json::{Value, json};

/// The lines a recorder writes (`activity::Lines`, as the npm package
/// drains them and the control plane writes shipped events) say what the
/// decisions said: read back, each names the request, its verdict, stage,
/// reasons, context and the revision, whether the clock moved between
/// events or not, and odd user ids survive escaping.
/// The lines a recorder writes (`activity::Lines`, as the npm package
/// drains them) say what the decisions said: read back, each names the
/// request, its verdict, stage, reasons, context and the revision, whether
/// the clock moved between events or not, and odd user ids survive escaping.
#[test]
fn recorded_events_write_lines_that_say_what_was_decided() {
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
    let mut bytes = Vec::new();
    let mut expected = Vec::new();
    for (i, request) in requests.iter_mut().enumerate() {
        request["context"] = contexts[i % contexts.len()].clone();
        let now = start + (i / 3) as i64; // three events a millisecond
        let decision = engine.answer_check_logged(request, Some(&records), Some((now, &mut bytes))).unwrap();
        expected.push((request.clone(), decision, now));
    }
    assert!(bytes.len() < requests.len() * 40, "about thirty bytes an event ({} for {})", bytes.len(), requests.len());
    let mut lines = Lines::new(&engine, Some(42), 0);
    assert_eq!(lines.push(&bytes).unwrap(), requests.len());
    let text = lines.text;
    assert!(text.ends_with('\n'));
    // Read back as events (`Engine::event`, synthetic activity), the same lines.
    let read = events(&engine, &bytes).unwrap();
    assert_eq!(read.len(), requests.len());
    for ((event, line), (_, decision, _)) in read.into_iter().zip(text.lines()).zip(&expected) {
        assert_eq!(event.stage, decision.stage, "{line}");
        assert_eq!(crate::activity::Event { revision: Some(42), ..event }.to_line(), line);
    }
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

/// Some recorded events of the reference org, and the engine.
fn recorded() -> (Engine, Vec<u8>, usize) {
    let engine = Engine::from_json(crate::generate::REFERENCE_ORG).unwrap();
    let all: Vec<Value> = serde_json::from_str(crate::generate::REFERENCE_RECORDS).unwrap();
    let records = engine.load_records(&Value::Array(all.clone())).unwrap();
    let mut draft = all[1].clone();
    draft["id"] = json!("draft_9");
    let asked = [
        json!({"user": "rep_east_alice", "action": "read", "object": all[0]["object"], "record_id": all[0]["id"],
            "context": {"ip": "10.0.0.1", "mfa": true, "time": "2026-03-02T10:00:00Z"}}),
        json!({"user": "nobody_here", "action": "read", "object": all[0]["object"], "record_id": all[0]["id"]}),
        json!({"user": "ceo_chen", "action": "create", "object": all[1]["object"], "record": draft, "context": {"mfa": false}}),
    ];
    let mut bytes = Vec::new();
    for request in &asked {
        engine.answer_check_logged(request, Some(&records), Some((1_790_000_000_000, &mut bytes))).unwrap();
    }
    (engine, bytes, asked.len())
}

/// A user the engine does not know is named by the id asked about, and a
/// draft record by its own id; the records the event was decided on need
/// not stay loaded (the id is in the bytes).
#[test]
fn unknown_users_and_drafts_are_named_by_their_ids() {
    let (engine, bytes, _) = recorded();
    let named: Vec<(String, Option<String>)> = events(&engine, &bytes)
        .unwrap()
        .into_iter()
        .map(|e| (e.user.as_str().to_owned(), e.record.map(|r| r.as_str().to_owned())))
        .collect();
    let first: Vec<Value> = serde_json::from_str(crate::generate::REFERENCE_RECORDS).unwrap();
    let id = first[0]["id"].as_str().map(str::to_owned);
    assert_eq!(named, [("rep_east_alice".into(), id.clone()), ("nobody_here".into(), id), ("ceo_chen".into(), Some("draft_9".into()))]);
}

/// Every prefix of recorded bytes, and every byte of them changed to every
/// value, reads as events of the engine or is refused with the path of the
/// event it breaks: never a panic, never an action, object or bundle the
/// engine does not have (ids are texts of the bytes, and may read as any).
#[test]
fn damaged_bytes_are_refused_with_their_place_or_read_as_events_of_the_engine() {
    let (engine, bytes, count) = recorded();
    let check = |damaged: &[u8], what: &str| match events(&engine, damaged) {
        Ok(read) => {
            for event in read {
                assert!(engine.action_id(event.action.as_str()).is_some() && engine.object_id(event.object.as_str()).is_some(), "{what}");
                let bundles: Vec<&str> = engine.bundles.iter().map(|b| &*b.id).collect();
                assert!(event.bundle.as_ref().is_none_or(|b| bundles.contains(&b.as_str())), "{what}");
            }
        }
        Err(e) => {
            let problem = &e.problems()[0];
            assert!(problem.path.starts_with("/events/") && problem.code == "bad_value", "{what}: {problem:?}");
        }
    };
    for end in 0..bytes.len() {
        check(&bytes[..end], &format!("cut at {end}"));
        if end > 0 {
            let mut lines = Lines::new(&engine, None, 0);
            let cut = lines.push(&bytes[..end]);
            assert!(cut.is_err() || end == 0 || lines.text.lines().count() < count, "cut at {end} reads as fewer events, or none");
        }
    }
    for at in 0..bytes.len() {
        for value in 0..=255_u8 {
            let mut damaged = bytes.clone();
            damaged[at] = value;
            check(&damaged, &format!("{value:#04x} at {at}"));
        }
    }
}

/// A shipped batch names its revision and count before the events, and
/// anything else is refused.
#[test]
fn a_batch_carries_its_revision_and_count() {
    let (_, bytes, count) = recorded();
    let shipped = batch(300, count, &bytes);
    assert_eq!(batch_header(&shipped).unwrap(), (300, count, &bytes[..]));
    for bad in [&b""[..], b"CLEV", b"CLEV\x02\x01\x01", b"CLEV\x01", b"CLEV\x01\x05", b"{\"batch\":1}"] {
        let e = batch_header(bad).unwrap_err();
        assert!(e.problems()[0].message.starts_with("the body is not a batch of decision events"), "{bad:?}");
    }
}

/// The handle path's recording (`record_at`) gives `check`'s verdict and
/// records the event `check` would; a position out of range records nothing.
#[test]
fn recording_by_positions_gives_checks_verdict_and_event() {
    let engine = Engine::from_json(crate::generate::REFERENCE_ORG).unwrap();
    let records = engine.load_records_text(crate::generate::REFERENCE_RECORDS).unwrap();
    let context = crate::Context::default();
    let mut allowed = 0;
    for user in ["ceo_chen", "rep_east_alice", "rep_west_dan"] {
        let u = engine.user_position(user).unwrap();
        for action in ["read", "edit", "delete"] {
            let a = engine.action_id(action).unwrap();
            for r in 0..records.len() as u32 {
                let (mut by_positions, mut by_query) = (Vec::new(), Vec::new());
                let verdict = engine.record_at(&records, [u, a, r], &context, 7, &mut by_positions);
                let record = records.record(r).unwrap();
                let query = crate::Query {
                    user,
                    action: a,
                    object: record.object(),
                    record: Some(record),
                    context: &context,
                    fields: &[],
                    dataset: Some(&records),
                };
                let decision = engine.check_query(&query);
                engine.record_event(&query, &decision, 7, &mut by_query);
                assert_eq!(verdict, Some(decision.allowed), "{user} {action} {r}");
                assert_eq!(by_positions, by_query, "{user} {action} {r}: the same event");
                allowed += usize::from(decision.allowed);
            }
        }
    }
    assert!(allowed > 0, "some allowed");
    let account = engine.object_id("Account").unwrap();
    let creators: Vec<Option<bool>> = ["ceo_chen", "rep_east_alice"]
        .iter()
        .map(|user| {
            let u = engine.user_position(user).unwrap();
            let mut bytes = Vec::new();
            let verdict = engine.record_create_at(u, account, &context, 7, &mut bytes);
            assert_eq!(verdict, engine.allows_create_at(u, account, &context), "{user}");
            assert_eq!(events(&engine, &bytes).unwrap()[0].user.as_str(), *user);
            verdict
        })
        .collect();
    assert!(creators.iter().all(Option::is_some));
    let mut bytes = vec![9];
    let (users, actions) = (engine.users.len() as u32, engine.actions.len() as u32);
    for positions in [[users, 0, 0], [0, actions, 0], [0, 0, records.len() as u32]] {
        assert_eq!(engine.record_at(&records, positions, &context, 7, &mut bytes), None, "{positions:?}");
    }
    assert_eq!(engine.record_create_at(users, 0, &context, 7, &mut bytes), None);
    assert_eq!(bytes, [9], "nothing recorded");
}

/// A counted push reads that many events and says how many bytes they
/// took (a body holds batches one after another); its errors number events
/// from where the body's count stands.
#[test]
fn a_counted_push_stops_at_its_count_and_numbers_errors_from_its_first() {
    let (engine, bytes, count) = recorded();
    let mut lines = Lines::new(&engine, None, 0);
    let (read, used) = lines.push_counted(&bytes, count - 1, 0).unwrap();
    assert_eq!(read, count - 1);
    assert!(used < bytes.len(), "the last event is left");
    assert_eq!(lines.push_counted(&bytes[used..], 5, 0).unwrap(), (1, bytes.len() - used));
    assert_eq!(lines.text.lines().count(), count);
    let e = Lines::new(&engine, None, 0).push_counted(&bytes[used..bytes.len() - 1], 1, 7).unwrap_err();
    assert_eq!(e.problems()[0].path, "/events/7");
    // A flags byte with both MFA bits set says nothing an event can.
    let mut both = bytes.clone();
    both[0] |= 0b1100_0000;
    assert_eq!(events(&engine, &both).unwrap_err().problems()[0].path, "/events/0");
}
