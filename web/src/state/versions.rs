//! A version's policy by its hash, in either mode: the sandbox's ledger
//! holds its versions; the server's are asked for once and kept for the
//! visit (a version is named by its content's hash, so it never changes).

use super::AppState;
use super::api::VersionRow;
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

/// The version a picked value names among `listed`: its sequence number,
/// as the address carries it (`/versions/3..5`), or its hash (as links
/// made before sequence numbers did).
pub fn picked<'a>(listed: &'a [VersionRow], value: &str) -> Option<&'a VersionRow> {
    if value.is_empty() {
        return None;
    }
    listed.iter().find(|v| v.seq.to_string() == value || v.version == value)
}

/// A version's hash as the pages show it: its first 12 characters, cut by
/// characters (a server's answer is not trusted to be hex).
pub fn short(hash: &str) -> String {
    hash.chars().take(12).collect()
}

fn unknown(hash: &str) -> Problem {
    Problem::new("", clearance_core::Code::UnknownVersion, format!("no version `{hash}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seq: u64, version: &str) -> VersionRow {
        VersionRow { seq, version: version.to_owned(), at: String::new(), author: String::new(), request: None }
    }

    #[test]
    fn a_version_is_picked_by_its_number_or_its_hash() {
        let listed = [row(1, "sha256:aa"), row(2, "sha256:bb"), row(12, "sha256:cc")];
        assert_eq!(picked(&listed, "2").map(|v| v.seq), Some(2));
        assert_eq!(picked(&listed, "12").map(|v| v.seq), Some(12));
        assert_eq!(picked(&listed, "sha256:aa").map(|v| v.seq), Some(1));
        for nothing in ["", "3", "1.0", "sha256:a"] {
            assert!(picked(&listed, nothing).is_none(), "{nothing}");
        }
    }
}
