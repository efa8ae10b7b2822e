//! A version's policy by its hash, in either mode: the sandbox's ledger
//! holds its versions; the server's are asked for once and kept for the
//! visit (a version is named by its content's hash, so it never changes).

use super::AppState;
use clearance_core::Problem;
use clearance_core::policy::Policy;
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

thread_local! {
    /// The server's versions fetched so far, by full hash.
    static KEPT: RefCell<HashMap<String, Rc<Policy>>> = RefCell::new(HashMap::new());
}

/// The policy of version `hash`.
///
/// # Errors
/// `unknown_version` (the sandbox's, or the server's refusal).
pub async fn policy_of(state: AppState, hash: &str) -> Result<Rc<Policy>, Vec<Problem>> {
    if !state.server.mode.with_untracked(|m| matches!(m, super::api::Mode::Server(_))) {
        return state.control.ledger.with_untracked(|l| {
            let ledger = l.as_ref().ok_or_else(|| vec![unknown(hash)])?;
            ledger.version(hash).map(|v| Rc::new(v.policy.clone())).map_err(clearance_core::Error::into_problems)
        });
    }
    if let Some(kept) = KEPT.with(|k| k.borrow().get(hash).cloned()) {
        return Ok(kept);
    }
    let version = state.server.version(hash).await?;
    let policy = Rc::new(version.policy);
    if version.hash == hash {
        KEPT.with(|k| k.borrow_mut().insert(version.hash, policy.clone()));
    }
    Ok(policy)
}

/// A version's hash as the pages show it: its first 12 characters, cut by
/// characters (a server's answer is not trusted to be hex).
pub fn short(hash: &str) -> String {
    hash.chars().take(12).collect()
}

fn unknown(hash: &str) -> Problem {
    Problem::new("", clearance_core::Code::UnknownVersion, format!("no version `{hash}`"))
}
