//! `lint`: findings on a policy that compiles but may not do what its
//! authors think (SPEC §3). Each finding has a JSON Pointer, a stable code,
//! a severity and a lowercase message.

use crate::engine::{Engine, Principal};
use crate::error::join;
use crate::policy::{Policy, Privilege, Recipient, Scope};
use serde::{Deserialize, Serialize};

/// Stable lint codes.
pub mod code {
    /// A user holds no role: hierarchy and role-based sharing skip them.
    pub const USER_WITHOUT_ROLE: &str = "user_without_role";
    /// A user holds no profile.
    pub const USER_WITHOUT_PROFILE: &str = "user_without_profile";
    /// No user holds the role or a role below it, and nothing names it.
    pub const UNUSED_ROLE: &str = "unused_role";
    /// No rule, share or other group names the group.
    pub const UNUSED_GROUP: &str = "unused_group";
    /// No user holds the profile or permission set.
    pub const UNUSED_BUNDLE: &str = "unused_bundle";
    /// A sharing rule gives no one anything the baseline does not already give.
    pub const REDUNDANT_SHARING_RULE: &str = "redundant_sharing_rule";
    /// A sharing rule's recipients or owners contain no user.
    pub const EMPTY_SHARING_RULE: &str = "empty_sharing_rule";
    /// A bundle grants scope `all` on an object with sensitive fields.
    pub const ALL_ON_SENSITIVE_OBJECT: &str = "all_on_sensitive_object";
    /// A user holds both sides of a separation-of-duty constraint.
    pub const SEPARATION_OF_DUTY_CONFLICT: &str = "separation_of_duty_conflict";
    /// An inactive user still holds bundles that grant something.
    pub const INACTIVE_USER_WITH_PRIVILEGES: &str = "inactive_user_with_privileges";
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth a look.
    Info,
    /// Probably a mistake.
    Warning,
    /// A policy the org declared it must not have.
    Error,
}

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// JSON Pointer to the item.
    pub path: String,
    /// Stable code, one of [`code`].
    pub code: String,
    /// Lowercase message naming the item.
    pub message: String,
    /// How much it matters.
    pub severity: Severity,
}

impl Engine {
    /// Every lint finding, in policy order.
    ///
    /// # Errors
    /// As [`Engine::policy`].
    pub fn lint(&self) -> Result<Vec<Finding>, crate::error::Error> {
        let policy = self.policy()?;
        let mut findings = Findings::default();
        self.lint_users(policy, &mut findings);
        self.lint_unused_roles_and_groups(policy, &mut findings);
        self.lint_bundles(policy, &mut findings);
        self.lint_sharing_rules(policy, &mut findings);
        Ok(findings.0)
    }

    /// Users without a role or profile, inactive users who still hold
    /// access, and users holding every privilege of a separation-of-duty
    /// constraint.
    fn lint_users(&self, policy: &Policy, findings: &mut Findings) {
        let mut add = |path: String, code: &str, severity: Severity, message: String| findings.add(path, code, severity, message);
        let n_actions = self.n_actions();
        for (i, user) in policy.users.iter().enumerate() {
            let path = join("/users", i);
            if user.role.is_none() {
                add(path.clone(), code::USER_WITHOUT_ROLE, Severity::Warning, format!("user `{}` holds no role", user.id));
            }
            if user.profile.is_none() {
                add(path.clone(), code::USER_WITHOUT_PROFILE, Severity::Warning, format!("user `{}` holds no profile", user.id));
            }
            let merged = &self.merged[self.users[i].merged as usize];
            let grants_something = merged.scopes.iter().any(Option::is_some) || !merged.system.is_empty();
            if !user.active && grants_something {
                add(
                    path.clone(),
                    code::INACTIVE_USER_WITH_PRIVILEGES,
                    Severity::Warning,
                    format!("inactive user `{}` still holds bundles that grant access", user.id),
                );
            }
            for constraint in &policy.separation_of_duties {
                let holds = |privilege: &Privilege| match privilege {
                    Privilege::Object { object, action } => match (self.object_id(object), self.action_id(action)) {
                        (Some(o), Some(a)) => merged.scopes[o as usize * n_actions + a as usize].is_some(),
                        _ => false,
                    },
                    Privilege::System { system } => merged.system.iter().any(|s| **s == **system),
                };
                if constraint.conflicting.len() >= 2 && constraint.conflicting.iter().all(holds) {
                    add(
                        path.clone(),
                        code::SEPARATION_OF_DUTY_CONFLICT,
                        Severity::Error,
                        format!("user `{}` holds every privilege of separation-of-duty constraint `{}`", user.id, constraint.id),
                    );
                }
            }
        }
    }

    /// Roles no user holds (at or below) and no rule names; groups no rule or group names.
    fn lint_unused_roles_and_groups(&self, policy: &Policy, findings: &mut Findings) {
        let mut add = |path: String, code: &str, severity: Severity, message: String| findings.add(path, code, severity, message);
        let mut named_roles = vec![false; self.roles.len()];
        let mut named_groups = vec![false; self.groups.len()];
        let mut mark = |principal: Principal| match principal {
            Principal::Role(r) | Principal::RoleAndSubordinates(r) => named_roles[r as usize] = true,
            Principal::Group(g) => named_groups[g as usize] = true,
            _ => {}
        };
        for rule in &self.sharing {
            mark(rule.share_with);
            if let crate::engine::RuleSource::OwnedBy(p) = rule.source {
                mark(p);
            }
        }
        for group in &policy.groups {
            for member in &group.members {
                match member {
                    Recipient::Group(id) => self.group_index.get(id.as_str()).into_iter().for_each(|&g| named_groups[g as usize] = true),
                    Recipient::Role(id) | Recipient::RoleAndSubordinates(id) => {
                        self.roles.index.get(id.as_str()).into_iter().for_each(|&r| named_roles[r as usize] = true);
                    }
                    _ => {}
                }
            }
        }
        for (r, role) in policy.roles.iter().enumerate() {
            let held = self.roles.subtree(r as u32).iter().any(|&x| !self.users_by_role[x as usize].is_empty());
            if !held && !named_roles[r] {
                add(join("/roles", r), code::UNUSED_ROLE, Severity::Info, format!("no user holds role `{}` or a role below it", role.id));
            }
        }
        for (g, group) in policy.groups.iter().enumerate() {
            if !named_groups[g] {
                add(join("/groups", g), code::UNUSED_GROUP, Severity::Info, format!("no sharing rule or group names group `{}`", group.id));
            }
        }
    }

    /// Bundles no user holds, and bundles granting `all` on an object with sensitive fields.
    fn lint_bundles(&self, policy: &Policy, findings: &mut Findings) {
        let mut add = |path: String, code: &str, severity: Severity, message: String| findings.add(path, code, severity, message);
        let mut held_bundles = vec![false; self.bundles.len()];
        for user in &self.users {
            for &b in &*self.merged[user.merged as usize].bundles {
                held_bundles[b as usize] = true;
            }
        }
        for (b, bundle) in self.bundles.iter().enumerate() {
            let held = held_bundles[b];
            // Profiles come first in the bundle table, then permission sets.
            let (section, noun) = if b < policy.bundles.profiles.len() {
                ("/bundles/profiles", "profile")
            } else {
                ("/bundles/permission_sets", "permission set")
            };
            if !held {
                add(join(section, &bundle.id), code::UNUSED_BUNDLE, Severity::Info, format!("no user holds {noun} `{}`", bundle.id));
            }
            let source =
                if noun == "profile" { &policy.bundles.profiles[&*bundle.id] } else { &policy.bundles.permission_sets[&*bundle.id] };
            for (object, actions) in &source.objects {
                let sensitive = self.object_id(object).is_some_and(|o| self.objects[o as usize].fields.iter().any(|f| f.sensitive));
                let broad: Vec<String> =
                    actions.iter().filter(|(_, scope)| **scope == Scope::All).map(|(action, _)| format!("`{action}`")).collect();
                if sensitive && !broad.is_empty() {
                    add(
                        join(&join(&join(section, &bundle.id), "objects"), object),
                        code::ALL_ON_SENSITIVE_OBJECT,
                        Severity::Warning,
                        format!(
                            "{noun} `{}` grants {} on all `{object}` records, an object with sensitive fields",
                            bundle.id,
                            broad.join(", ")
                        ),
                    );
                }
            }
        }
    }

    /// Sharing rules the baseline makes redundant, and rules that share with or from no one.
    fn lint_sharing_rules(&self, policy: &Policy, findings: &mut Findings) {
        let mut add = |path: String, code: &str, severity: Severity, message: String| findings.add(path, code, severity, message);
        for (i, rule) in policy.sharing_rules.iter().enumerate() {
            let Some(index) = self.sharing_at(&rule.id).map(|r| r as usize) else { continue };
            let entry = &self.sharing[index];
            let object = &self.objects[entry.object as usize];
            let baseline = object.baseline.level();
            let path = join("/sharing_rules", i);
            if baseline.is_some_and(|b| b >= entry.level) {
                add(
                    path.clone(),
                    code::REDUNDANT_SHARING_RULE,
                    Severity::Warning,
                    format!(
                        "sharing rule `{}` grants `{}` access that the baseline of `{}` already gives",
                        rule.id,
                        crate::explain::level_word(entry.level, crate::Lang::En),
                        object.name
                    ),
                );
            }
            let reaches_anyone = (0..self.users.len() as u32).any(|u| self.contains(entry.share_with, u));
            let owners_exist = match entry.source {
                crate::engine::RuleSource::OwnedBy(_) => !self.rule_owners[index].is_empty(),
                crate::engine::RuleSource::Criteria(_) => true,
            };
            if !reaches_anyone || !owners_exist {
                let which = if reaches_anyone { "`owned_by`" } else { "`share_with`" };
                add(
                    path,
                    code::EMPTY_SHARING_RULE,
                    Severity::Warning,
                    format!("sharing rule `{}` shares nothing: its {which} contains no user", rule.id),
                );
            }
        }
    }
}

/// The findings gathered so far, in policy order.
#[derive(Default)]
struct Findings(Vec<Finding>);

impl Findings {
    fn add(&mut self, path: String, code: &str, severity: Severity, message: String) {
        self.0.push(Finding { path, code: code.to_owned(), message, severity });
    }
}
