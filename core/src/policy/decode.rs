//! Section-by-section decoding of a policy file, so that every structural
//! problem is reported at once with its path.

use super::{Bundles, Policy, Schema};
use crate::error::{Error, Problems, join};
use crate::json::{decode, decode_list, decode_map, object_with_keys, parse_json};
use serde_json::Value;

const TOP_KEYS: &[&str] = &[
    "version",
    "name",
    "description",
    "schema",
    "roles",
    "departments",
    "users",
    "groups",
    "bundles",
    "sharing_rules",
    "forbid",
    "separation_of_duties",
    "change_control",
    "activity",
    "sign_in",
];

/// Parses policy JSON text into a [`Policy`] (structure only; references are
/// checked by [`crate::Engine::compile`]).
///
/// # Errors
/// Every structural problem, each with its JSON Pointer and code.
pub fn parse_policy(text: &str) -> Result<Policy, Error> {
    decode_policy(&parse_json(text)?)
}

/// Decodes a policy from a JSON value (structure only).
///
/// # Errors
/// Every structural problem, each with its JSON Pointer and code.
pub fn decode_policy(value: &Value) -> Result<Policy, Error> {
    let mut problems = Problems::default();
    let mut policy = Policy { version: 1, ..Policy::default() };
    let Some(top) = object_with_keys(value, "", TOP_KEYS, &mut problems) else {
        return problems.finish(policy);
    };
    for (key, item) in top {
        let path = join("", key);
        let p = &mut problems;
        match key.as_str() {
            "version" => policy.version = decode(item, &path, p).unwrap_or(1),
            "name" => policy.name = decode(item, &path, p),
            "description" => policy.description = decode(item, &path, p),
            "schema" => policy.schema = decode_schema(item, &path, p),
            "roles" => policy.roles = decode_list(item, &path, p),
            "departments" => policy.departments = decode_list(item, &path, p),
            "users" => policy.users = decode_list(item, &path, p),
            "groups" => policy.groups = decode_list(item, &path, p),
            "bundles" => policy.bundles = decode_bundles(item, &path, p),
            "sharing_rules" => policy.sharing_rules = decode_list(item, &path, p),
            "forbid" => policy.forbid = decode_list(item, &path, p),
            "separation_of_duties" => policy.separation_of_duties = decode_list(item, &path, p),
            "change_control" => policy.change_control = decode(item, &path, p),
            "activity" => {
                policy.activity = decode::<crate::activity::ActivityConfig>(item, &path, p);
                if let Some(config) = &policy.activity {
                    config.validate(&path, p);
                }
            }
            "sign_in" => {
                policy.sign_in = decode::<super::sign_in::SignIn>(item, &path, p);
                if let Some(section) = &policy.sign_in {
                    section.validate(&path, p);
                }
            }
            _ => {}
        }
    }
    problems.finish(policy)
}

fn decode_schema(value: &Value, path: &str, problems: &mut Problems) -> Schema {
    let mut schema = Schema::default();
    if let Some(object) = object_with_keys(value, path, &["objects", "actions"], problems) {
        if let Some(objects) = object.get("objects") {
            schema.objects = decode_map(objects, &join(path, "objects"), problems);
        }
        if let Some(actions) = object.get("actions") {
            schema.actions = decode_list(actions, &join(path, "actions"), problems);
        }
    }
    schema
}

fn decode_bundles(value: &Value, path: &str, problems: &mut Problems) -> Bundles {
    let mut bundles = Bundles::default();
    if let Some(object) = object_with_keys(value, path, &["profiles", "permission_sets"], problems) {
        if let Some(profiles) = object.get("profiles") {
            bundles.profiles = decode_map(profiles, &join(path, "profiles"), problems);
        }
        if let Some(sets) = object.get("permission_sets") {
            bundles.permission_sets = decode_map(sets, &join(path, "permission_sets"), problems);
        }
    }
    bundles
}
