//! Change sets (SPEC §4): typed operations on a policy, applied atomically —
//! every operation checked, then the whole new policy compiled — or rejected
//! with every problem and its path (`/3/user` is operation 3's `user`).
//! `request.rs` runs them through approval, `summary.rs` says them in
//! English and Chinese; `version` names a policy by the hash of its
//! canonical form.

mod apply;
pub mod ledger;
mod ledger_storage;
mod ops;
pub mod request;
pub mod review;
pub mod steps;
mod summary;

pub use ops::{BundleKind, BundleRef, Operation};
pub use summary::summarize;

use crate::engine::Engine;
use crate::error::{Error, Problems};
use crate::policy::{Policy, Scope};
use sha2::Digest;

/// A change set: operations applied in order, all or nothing.
pub type ChangeSet = Vec<Operation>;

/// Decodes a change set (a JSON list of operations), reporting paths.
///
/// # Errors
/// `bad_type`, `bad_value`, `unknown_key`, `missing_key` at `/i/...`.
pub fn decode(value: &serde_json::Value) -> Result<ChangeSet, Error> {
    let mut problems = Problems::default();
    let ops = crate::json::decode_list(value, "", &mut problems);
    problems.finish(ops)
}

/// Applies a change set to a copy of `policy` and compiles the result.
///
/// # Errors
/// Every operation's problems (unknown users, roles, rules; removals of
/// things still in use), then — only if all operations applied — the new
/// policy's compile problems.
pub fn apply(policy: &Policy, changes: &[Operation]) -> Result<(Policy, Engine), Error> {
    let next = edited(policy, changes)?;
    let engine = Engine::compile(next.clone())?;
    Ok((next, engine))
}

/// A change set applied to a copy of `policy`, not compiled: what the
/// admin app checks an edit of the large org with on its main thread (the
/// compile, a long task there, is its worker's).
///
/// # Errors
/// Every operation's problems, each at its index.
pub fn edited(policy: &Policy, changes: &[Operation]) -> Result<Policy, Error> {
    let mut next = policy.clone();
    let mut problems = Problems::default();
    for (i, op) in changes.iter().enumerate() {
        if let Err(error) = op.apply(&mut next) {
            problems.extend_at(&crate::error::join("", i), error);
        }
    }
    problems.into_result()?;
    Ok(next)
}

/// A policy's version: the SHA-256 (hex) of its canonical JSON (struct
/// fields in declaration order, maps sorted by key, lists as given).
pub fn version(policy: &Policy) -> String {
    let canonical = serde_json::to_string(policy).unwrap_or_default();
    hex(&sha2::Sha256::digest(canonical.as_bytes()))
}

/// The SHA-256 of a change request's canonical JSON: the audit entry of
/// every step that writes a request records it (`request_hash`), so a
/// request edited where it is stored no longer matches the log.
pub fn request_hash(request: &request::ChangeRequest) -> String {
    let canonical = serde_json::to_string(request).unwrap_or_default();
    hex(&sha2::Sha256::digest(canonical.as_bytes()))
}

pub use crate::hex::hex;

/// Why a change needs two approvals, if it does (the policy's
/// `change_control.two_approvals_when`, judged on the policies before and
/// after, so every kind of operation — a restore too — is covered).
pub fn needs_two_approvals(before: &Policy, after: &Policy) -> Option<&'static str> {
    use crate::policy::TwoApprovalsWhen;
    let rules = before.change_control.as_ref().map(|c| c.two_approvals_when.as_slice()).unwrap_or_default();
    if rules.contains(&TwoApprovalsWhen::GrantsScopeAll) && grants_new_all(before, after) {
        return Some("grants_scope_all");
    }
    if rules.contains(&TwoApprovalsWhen::TouchesSensitiveField) && touches_sensitive_field(before, after) {
        return Some("touches_sensitive_field");
    }
    None
}

fn bundles(policy: &Policy) -> impl Iterator<Item = (&String, &crate::policy::Bundle)> {
    policy.bundles.profiles.iter().chain(&policy.bundles.permission_sets)
}

fn grants_new_all(before: &Policy, after: &Policy) -> bool {
    let alls = |policy: &Policy| -> std::collections::BTreeSet<(String, String, String)> {
        bundles(policy)
            .flat_map(|(id, bundle)| {
                bundle.objects.iter().flat_map(move |(object, actions)| {
                    actions
                        .iter()
                        .filter(|(_, scope)| **scope == Scope::All)
                        .map(move |(action, _)| (id.clone(), object.clone(), action.clone()))
                })
            })
            .collect()
    };
    !alls(after).is_subset(&alls(before))
}

/// Whether any user's access to a sensitive field changes (through bundle
/// definitions or the bundles they hold), or a forbid rule hiding one does.
fn touches_sensitive_field(before: &Policy, after: &Policy) -> bool {
    use std::collections::BTreeMap;
    let sensitive: Vec<String> =
        [before, after]
            .iter()
            .flat_map(|policy| {
                policy.schema.objects.iter().flat_map(|(object, ty)| {
                    ty.fields.iter().filter(|(_, f)| f.sensitive).map(move |(field, _)| format!("{object}.{field}"))
                })
            })
            .collect();
    if sensitive.is_empty() {
        return false;
    }
    let effective = |policy: &Policy| -> BTreeMap<(String, String), crate::policy::FieldAccess> {
        let mut access = BTreeMap::new();
        for user in &policy.users {
            let held = user.profile.iter().filter_map(|p| policy.bundles.profiles.get(p));
            let held = held.chain(user.permission_sets.iter().filter_map(|s| policy.bundles.permission_sets.get(s)));
            for bundle in held {
                for field in &sensitive {
                    if let Some(&granted) = bundle.fields.get(field) {
                        let slot = access.entry((user.id.clone(), field.clone())).or_insert(granted);
                        *slot = (*slot).max(granted);
                    }
                }
            }
        }
        access
    };
    let hiding = |policy: &Policy| -> Vec<String> {
        let names: Vec<&str> = sensitive.iter().filter_map(|f| f.split_once('.').map(|(_, name)| name)).collect();
        policy
            .forbid
            .iter()
            .filter(|rule| rule.fields.as_ref().is_some_and(|f| f.iter().any(|f| names.contains(&f.as_str()))))
            .map(|rule| serde_json::to_string(rule).unwrap_or_default())
            .collect()
    };
    effective(before) != effective(after) || hiding(before) != hiding(after)
}
