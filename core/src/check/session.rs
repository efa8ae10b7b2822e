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

impl Engine {
    /// Whether `user` may act now under the session rules of every bundle
    /// they hold (MFA, IP ranges, login hours, in that order; a missing
    /// context attribute refuses): what the control plane asks before it
    /// admits an admin, at sign-in and on every request.
    ///
    /// # Errors
    /// `unknown_user`, `inactive_user`, or the stage that refuses
    /// (`mfa_required`, `ip_not_allowed`, `outside_login_hours`) naming the bundle.
    pub fn admit_session(&self, user: &str, context: &Context) -> Result<(), crate::Error> {
        let refuse = |code: crate::Code, message: String| Err(crate::Error::one("", code, message));
        let Some(u) = self.user_position(user) else {
            return refuse(crate::error::code::UNKNOWN_USER, format!("unknown user `{user}`"));
        };
        let entry = &self.users[u as usize];
        if !entry.active {
            return refuse(Stage::InactiveUser.code(), format!("`{user}` is inactive"));
        }
        let Some(Denial::Session { stage, bundle, missing }) = self.session_gate(&self.merged[entry.merged as usize], context, false)
        else {
            return self.admit_admin_mfa(user, context);
        };
        let bundle = &self.bundles[bundle as usize].id;
        let why = match (stage, missing) {
            (Stage::MfaRequired, _) => format!("`{bundle}` requires a second factor: sign in with a one-time code"),
            (Stage::IpNotAllowed, Some(_)) => "the client address is unknown".to_owned(),
            (Stage::IpNotAllowed, None) => format!("`{bundle}` does not allow the address `{}`", context.ip.as_deref().unwrap_or_default()),
            (_, Some(_)) => "the time of the request is unknown".to_owned(),
            _ => format!("`{bundle}` does not allow signing in at this time (its login hours)"),
        };
        refuse(stage.code(), format!("`{user}` may not act now: {why}"))
    }

    /// The policy's `sign_in.mfa_for_system_permissions`: holders of those
    /// permissions pass a second factor to act as admins.
    fn admit_admin_mfa(&self, user: &str, context: &Context) -> Result<(), crate::Error> {
        if context.mfa == Some(true) {
            return Ok(());
        }
        let listed = self.sign_in().map(|s| s.mfa_for_system_permissions.as_slice()).unwrap_or_default();
        match listed.iter().find(|permission| self.has_system_permission(user, permission)) {
            Some(permission) => Err(crate::Error::one(
                "",
                Stage::MfaRequired.code(),
                format!("`{user}` may not act now: holders of `{permission}` sign in with a second factor (the policy's `sign_in`)"),
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(json: serde_json::Value) -> Context {
        let map: std::collections::BTreeMap<String, serde_json::Value> = serde_json::from_value(json).unwrap();
        Context::from_map(&map, "/context").unwrap()
    }

    #[test]
    fn the_session_rules_admit_or_refuse_a_user_with_the_stage_and_bundle() {
        let engine = Engine::from_json(crate::generate::REFERENCE_ORG).unwrap();
        let office = context(serde_json::json!({"ip": "10.1.2.3", "mfa": true, "time": "2026-12-07T10:00:00Z"}));
        assert!(engine.admit_session("admin_ivy", &office).is_ok());
        assert!(engine.admit_session("mgr_east_mike", &context(serde_json::json!({}))).is_ok(), "no session rules: nothing needed");
        let code = |user: &str, json: serde_json::Value| engine.admit_session(user, &context(json)).unwrap_err().problems()[0].clone();
        let no_mfa = code("admin_ivy", serde_json::json!({"ip": "10.1.2.3", "mfa": false}));
        assert_eq!(no_mfa.code, "mfa_required");
        assert!(no_mfa.message.contains("`administrator`"), "{}", no_mfa.message);
        let away = code("admin_ivy", serde_json::json!({"ip": "203.0.113.9", "mfa": true}));
        assert_eq!(away.code, "ip_not_allowed");
        assert!(away.message.contains("`203.0.113.9`"), "{}", away.message);
        assert_eq!(code("fin_mgr_fiona", serde_json::json!({"mfa": true})).code, "ip_not_allowed", "a missing address refuses");
        assert_eq!(code("nobody", serde_json::json!({})).code, "unknown_user");
        assert_eq!(code("rep_east_eve", serde_json::json!({})).code, "inactive_user");
    }

    #[test]
    fn the_policy_can_require_a_second_factor_of_holders_of_system_permissions() {
        let mut policy = crate::parse_policy(crate::generate::REFERENCE_ORG).unwrap();
        policy.sign_in = Some(crate::policy::sign_in::SignIn { mfa_for_system_permissions: vec!["export".into()], ..Default::default() });
        let engine = Engine::compile(policy).unwrap();
        // fin_mgr_fiona holds `export` (and an IP rule); mgr_east_mike holds neither.
        let refused = engine.admit_session("fin_mgr_fiona", &context(serde_json::json!({"ip": "10.1.2.3", "mfa": false}))).unwrap_err();
        assert_eq!(refused.problems()[0].code, "mfa_required");
        assert!(refused.problems()[0].message.contains("`export`"), "{refused:?}");
        assert!(engine.admit_session("fin_mgr_fiona", &context(serde_json::json!({"ip": "10.1.2.3", "mfa": true}))).is_ok());
        assert!(engine.admit_session("mgr_east_mike", &context(serde_json::json!({"mfa": false}))).is_ok());
    }
}
