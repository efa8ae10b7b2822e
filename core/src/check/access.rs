//! Stage 4: record access. Every path yields a level; the record's level is
//! their maximum, and every path that yields one is kept as a reason.

use super::Query;
use crate::dataset::Record;
use crate::decision::Reason;
use crate::engine::{Engine, Principal, RuleSource};
use crate::policy::{Baseline, Level, Scope};

impl Engine {
    /// The level `user` has on `record` for the query's action, pushing every reason.
    pub(crate) fn record_level(
        &self,
        u: u32,
        record: &Record,
        query: &Query<'_>,
        assume_mfa: bool,
        reasons: &mut Vec<Reason>,
        enough: Option<Level>,
    ) -> Option<Level> {
        let action = query.action;
        let start = reasons.len();
        // With `enough` (a verdict, not a decision), stop at the first level
        // that suffices: the later paths only add reasons.
        let settled = |reasons: &[Reason]| enough.is_some_and(|e| reasons[start..].iter().any(|r| r.level() >= e));
        let user = &self.users[u as usize];
        let object = &self.objects[record.object as usize];
        let owner = &self.users[record.owner as usize];
        if record.owner == u {
            reasons.push(Reason::Owner);
        }
        let merged = &self.merged[user.merged as usize];
        if let Some((scope, bundle)) = merged.scopes[self.slot(record.object, action)]
            && self.scope_covers(scope, u, record)
        {
            reasons.push(Reason::Scope { scope, bundle, level: self.actions[action as usize].needs });
        }
        if let Some(level) = object.baseline.level() {
            reasons.push(Reason::Baseline { baseline: object.baseline, level });
        }
        if let (Some(level), Some(role), Some(owner_role)) = (object.hierarchy, user.role, owner.role) {
            // Only a role strictly above the owner's has a (positive) distance to it.
            let within_depth = || {
                object
                    .hierarchy_depth
                    .is_none_or(|depth| self.roles.depth[owner_role as usize].saturating_sub(self.roles.depth[role as usize]) <= depth)
            };
            if self.roles.strictly_above(role, owner_role) && within_depth() {
                reasons.push(Reason::Hierarchy { role, owner_role, level });
            }
            if role == owner_role && record.owner != u && self.peer_roles[role as usize] {
                reasons.push(Reason::Peers { role, level });
            }
        }
        if settled(reasons) {
            return reasons[start..].iter().map(Reason::level).max();
        }
        let mut env = None;
        for &entry in &*user.sharing_rules {
            let (r, superior) = (entry >> 1, entry & 1 == 1);
            let rule = &self.sharing[r as usize];
            if rule.object != record.object {
                continue;
            }
            let applies = match rule.source {
                RuleSource::OwnedBy(principal) => self.contains(principal, record.owner),
                // Unknown criteria (missing context) do not share.
                RuleSource::Criteria(condition) => {
                    let env = env.get_or_insert_with(|| self.env(user, Some(record), query.context, assume_mfa));
                    self.conditions[condition as usize].evaluate(env) == Ok(true)
                }
            };
            if applies {
                reasons.push(Reason::SharingRule { rule: r, superior, level: rule.level });
                if settled(reasons) {
                    return reasons[start..].iter().map(Reason::level).max();
                }
            }
        }
        for &(member, level) in &*record.team {
            if member == u {
                reasons.push(Reason::Team { level });
            }
        }
        for &(with, level) in &*record.shares {
            if self.contains(with, u) {
                reasons.push(Reason::ManualShare { with, level });
            }
        }
        if object.baseline == Baseline::ControlledByParent
            && !settled(reasons)
            && let Some(parent) = self.parent_of(record, query)
        {
            let mut inner = Vec::new();
            if let Some(level) = self.record_level(u, parent, query, assume_mfa, &mut inner, enough) {
                reasons.push(Reason::Parent { object: parent.object, record: parent.id.clone(), level, reasons: inner });
            }
        }
        reasons[start..].iter().map(Reason::level).max()
    }

    /// The parent record: inline, else found in the dataset through the schema's parent field.
    fn parent_of<'a>(&self, record: &'a Record, query: &Query<'a>) -> Option<&'a Record> {
        if let Some(parent) = &record.parent {
            return Some(parent);
        }
        let (parent_object, field) = self.objects[record.object as usize].parent?;
        let id = record.fields.get(field as usize)?.as_str()?;
        query.dataset?.get(id).filter(|p| p.object == parent_object)
    }

    /// Whether a scope covers the record for user `u`. Scopes are cumulative:
    /// a department grant also covers the user's own records.
    pub(crate) fn scope_covers(&self, scope: Scope, u: u32, record: &Record) -> bool {
        if scope == Scope::All || record.owner == u {
            return true;
        }
        let user_department = self.users[u as usize].department;
        match (scope, record.department, user_department) {
            (Scope::Department, Some(rd), Some(ud)) => rd == ud,
            (Scope::DepartmentTree, Some(rd), Some(ud)) => self.departments.within(rd, ud),
            _ => false,
        }
    }

    /// Whether user `u` belongs to the principal.
    pub(crate) fn contains(&self, principal: Principal, u: u32) -> bool {
        let user = &self.users[u as usize];
        match principal {
            Principal::User(x) => x == u,
            Principal::Group(g) => user.groups.binary_search(&g).is_ok(),
            Principal::Role(r) => user.role == Some(r),
            Principal::RoleAndSubordinates(r) => user.role.is_some_and(|ur| self.roles.within(ur, r)),
            Principal::Department(d) => user.department == Some(d),
            Principal::DepartmentTree(d) => user.department.is_some_and(|ud| self.departments.within(ud, d)),
        }
    }
}
