//! Requests, contexts and records as they arrive (JSON), and their
//! validation against the compiled policy.

use crate::clock::parse_rfc3339;
use crate::error::{Error, Problems, code, join};
use crate::json::{decode_one, kind};
use crate::policy::{Level, Recipient};
use crate::value::Value;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A record: SPEC §5 `{id, object, owner, department?, fields, team?, shares?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordInput {
    /// Record id, unique in a dataset.
    pub id: String,
    /// Object type.
    pub object: String,
    /// Owner's user id.
    pub owner: String,
    /// Owning department; defaults to the owner's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Field values.
    #[serde(default)]
    pub fields: BTreeMap<String, serde_json::Value>,
    /// Users working on the record, with their access.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub team: Vec<TeamMember>,
    /// Manual shares.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shares: Vec<Share>,
    /// The parent record, inline (else found in the dataset by the parent field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Box<RecordInput>>,
}

/// A team entry of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamMember {
    /// The member.
    pub user: String,
    /// Their access.
    pub access: Level,
}

/// A manual share of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Share {
    /// Who receives access.
    pub with: Recipient,
    /// The level received.
    pub access: Level,
}

/// A request: SPEC §5 `{user, action, object, record?, record_id?, context?, fields?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The acting user's id.
    pub user: String,
    /// The action.
    pub action: String,
    /// The object type.
    pub object: String,
    /// The record, inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<RecordInput>,
    /// The record, by id in the loaded dataset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<String>,
    /// The session context.
    #[serde(default)]
    pub context: BTreeMap<String, serde_json::Value>,
    /// Fields the action touches (an edit naming fields needs them editable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
}

impl Request {
    /// Decodes a request from JSON, reporting the path of any problem.
    ///
    /// # Errors
    /// `bad_type`, `missing_key`, `unknown_key`, `bad_value`.
    pub fn from_value(value: &serde_json::Value) -> Result<Request, Error> {
        decode_one(value)
    }
}

/// The session context of a request: `mfa`, `ip`, `time` and any attribute
/// the application adds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    /// Whether the session passed multi-factor authentication.
    pub mfa: Option<bool>,
    /// The client address.
    pub ip: Option<String>,
    /// The request time, RFC 3339.
    pub time: Option<String>,
    time_ms: Option<i64>,
    /// Other attributes.
    pub extra: BTreeMap<String, Value>,
}

impl Context {
    /// Validates a context object (at JSON path `path`).
    ///
    /// # Errors
    /// `bad_type` for a non-boolean `mfa`, non-string `ip`, nested objects;
    /// `bad_value` for an unparsable `ip` or `time`.
    pub fn from_map(map: &BTreeMap<String, serde_json::Value>, path: &str) -> Result<Context, Error> {
        let mut problems = Problems::default();
        let mut context = Context::default();
        for (key, json) in map {
            let at = join(path, key);
            match (key.as_str(), json) {
                ("mfa", serde_json::Value::Bool(b)) => context.mfa = Some(*b),
                ("ip", serde_json::Value::String(ip)) => {
                    if ip.parse::<std::net::IpAddr>().is_err() {
                        problems.push(at, code::BAD_VALUE, format!("`{ip}` is not an ip address"));
                    }
                    context.ip = Some(ip.clone());
                }
                ("time", serde_json::Value::String(time)) => match parse_rfc3339(time) {
                    Some(ms) => {
                        context.time = Some(time.clone());
                        context.time_ms = Some(ms);
                    }
                    None => problems.push(at, code::BAD_VALUE, format!("`{time}` is not an rfc 3339 time (like `2026-01-31T09:00:00Z`)")),
                },
                ("mfa", other) => problems.push(at, code::BAD_TYPE, format!("`mfa` must be a boolean, found {}", kind(other))),
                ("ip" | "time", other) => problems.push(at, code::BAD_TYPE, format!("`{key}` must be a string, found {}", kind(other))),
                (_, other) => match Value::from_json(other) {
                    Some(value) => {
                        context.extra.insert(key.clone(), value);
                    }
                    None => problems.push(
                        at,
                        code::BAD_TYPE,
                        format!("context attribute `{key}` must be a string, number, boolean, null or a list of those"),
                    ),
                },
            }
        }
        problems.finish(context)
    }

    /// The request time in milliseconds since the Unix epoch.
    pub fn time_ms(&self) -> Option<i64> {
        self.time_ms
    }

    /// Whether the attribute is present (`null` counts as present).
    pub fn has(&self, name: &str) -> bool {
        match name {
            "mfa" => self.mfa.is_some(),
            "ip" => self.ip.is_some(),
            "time" => self.time.is_some(),
            other => self.extra.contains_key(other),
        }
    }
}
