//! Reactions: a finding becomes a change set — deactivate the user, or
//! revoke the permission set behind a privilege — that goes through change
//! control like any other edit.

use super::finding::{Finding, Kind};
use crate::change::Operation;
use crate::engine::Engine;

/// The suggested change set for `finding`. Privilege findings revoke the
/// granting permission set when the org shows the user holds it; everything
/// else (and privileges from a profile) deactivates the user.
pub fn reaction(finding: &Finding, org: Option<&Engine>) -> Vec<Operation> {
    let user = finding.user.clone();
    if org.is_some_and(|org| !org.user_ids().any(|u| u == user)) {
        return Vec::new();
    }
    if matches!(finding.kind, Kind::DormantPrivilege | Kind::ExportVolume) {
        let held = |set: &str| {
            org.and_then(|o| o.policy().ok())
                .is_some_and(|p| p.users.iter().any(|u| u.id == user && u.permission_sets.iter().any(|s| s == set)))
        };
        if let Some(set) = finding.bundle.as_deref().filter(|s| held(s)) {
            return vec![Operation::RevokePermissionSet { user, permission_set: set.to_owned() }];
        }
    }
    vec![Operation::SetUserActive { user, active: false }]
}
