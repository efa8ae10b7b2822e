//! Stage 2: every session policy of every bundle the user holds must hold,
//! checked in the order MFA, IP ranges, login hours (fail closed).

use crate::decision::{Denial, Stage};
use crate::engine::{Engine, Merged};
use crate::request::Context;

impl Engine {
    /// Stages 1 and 2 for user `u`, as the questions that run them once per
    /// user do (`filter`, `plan`, the matrix, `diff`): the user's merged
    /// permissions when they are active and the session passes, MFA as the
    /// context says.
    pub(crate) fn gates_pass(&self, u: u32, context: &Context) -> Option<&Merged> {
        let entry = &self.users[u as usize];
        let merged = &self.merged[entry.merged as usize];
        (entry.active && self.session_gate(merged, context, false).is_none()).then_some(merged)
    }

    // On the check path: instantiated in clearance-verdicts, which the npm
    // package compiles at opt-level 3 (see the workspace's Cargo.toml).
    #[inline]
    pub(crate) fn session_gate(&self, merged: &Merged, context: &Context, assume_mfa: bool) -> Option<Denial> {
        let mfa = if assume_mfa { Some(true) } else { context.mfa };
        if let Some(&bundle) = merged.mfa_bundles.first()
            && mfa != Some(true)
        {
            return Some(Denial::Session { stage: Stage::MfaRequired, bundle, missing: mfa.is_none().then_some("mfa") });
        }
        for &bundle in &*merged.ip_bundles {
            let Some(ip) = context.ip.as_deref() else {
                return Some(Denial::Session { stage: Stage::IpNotAllowed, bundle, missing: Some("ip") });
            };
            if !self.bundles[bundle as usize].ip_ranges.iter().any(|range| range.contains_text(ip)) {
                return Some(Denial::Session { stage: Stage::IpNotAllowed, bundle, missing: None });
            }
        }
        for &bundle in &*merged.hours_bundles {
            let Some(time) = context.time_ms() else {
                return Some(Denial::Session { stage: Stage::OutsideLoginHours, bundle, missing: Some("time") });
            };
            if self.bundles[bundle as usize].hours.is_some_and(|hours| !hours.admits(time)) {
                return Some(Denial::Session { stage: Stage::OutsideLoginHours, bundle, missing: None });
            }
        }
        None
    }
}
