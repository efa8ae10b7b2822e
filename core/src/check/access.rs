//! Stage 4: record access. Every path yields a level; the record's level is
//! their maximum, and every path that yields one is kept as a reason.

use super::Query;
use crate::dataset::{Dataset, RecordRef};
use crate::decision::Reason;
use crate::engine::{Engine, Principal, RuleSource};
use crate::policy::{Baseline, Level, Scope};

/// Where record access puts the paths it finds: every reason (a decision,
/// `Vec<Reason>`) or only the best level ([`Best`], a verdict, which
/// allocates nothing and stops at the first path that suffices).
pub(crate) trait Paths: Sized {
    /// Records one path.
    fn add(&mut self, reason: Reason);
    /// The best level recorded since `mark` (a length of the sink).
    fn best_since(&self, mark: usize) -> Option<Level>;
    /// A mark for [`Paths::best_since`].
    fn mark(&self) -> usize;
    /// Whether the paths since `mark` already decide (later ones only add reasons).
    fn settled(&self, mark: usize) -> bool;
    /// A fresh sink for a parent record's paths.
    fn nested(&self) -> Self;
    /// Records the parent path from the parent's sink.
    fn add_parent(&mut self, object: u32, record: RecordRef<'_>, level: Level, inner: Self);
}

impl Paths for Vec<Reason> {
    fn add(&mut self, reason: Reason) {
        self.push(reason);
    }
    fn best_since(&self, mark: usize) -> Option<Level> {
        self[mark..].iter().map(Reason::level).max()
    }
    fn mark(&self) -> usize {
        self.len()
    }
    fn settled(&self, _: usize) -> bool {
        false
    }
    fn nested(&self) -> Self {
        Vec::new()
    }
    fn add_parent(&mut self, object: u32, record: RecordRef<'_>, level: Level, inner: Self) {
        self.push(Reason::Parent { object, record: record.id().into(), level, reasons: inner });
    }
}

/// The best level so far, against the level the action needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Best {
    pub needs: Level,
    pub level: Option<Level>,
}

impl Paths for Best {
    fn add(&mut self, reason: Reason) {
        self.level = self.level.max(Some(reason.level()));
    }
    fn best_since(&self, _: usize) -> Option<Level> {
        self.level
    }
    fn mark(&self) -> usize {
        0
    }
    fn settled(&self, _: usize) -> bool {
        self.level >= Some(self.needs)
    }
    fn nested(&self) -> Self {
        Best { needs: self.needs, level: None }
    }
    fn add_parent(&mut self, _: u32, _: RecordRef<'_>, level: Level, _: Self) {
        self.level = self.level.max(Some(level));
    }
}

impl Engine {
    /// The level `user` has on `record` for the query's action, recording
    /// every path into `paths`.
    pub(crate) fn record_level<P: Paths>(
        &self,
        u: u32,
        record: RecordRef<'_>,
        query: &Query<'_>,
        assume_mfa: bool,
        paths: &mut P,
    ) -> Option<Level> {
        let action = query.action;
        let start = paths.mark();
        // One read of the record's row (a cache line of a random record).
        let row = *record.row();
        let user = &self.users[u as usize];
        let object = &self.objects[row.object as usize];
        let owner = &self.users[row.owner as usize];
        if row.owner == u {
            paths.add(Reason::Owner);
        }
        let merged = &self.merged[user.merged as usize];
        if let Some((scope, bundle)) = merged.scopes[self.slot(row.object, action)]
            && self.scope_covers(scope, u, record)
        {
            paths.add(Reason::Scope { scope, bundle, level: self.actions[action as usize].needs });
        }
        if let Some(level) = object.baseline.level() {
            paths.add(Reason::Baseline { baseline: object.baseline, level });
        }
        if let (Some(level), Some(role), Some(owner_role)) = (object.hierarchy, user.role, owner.role) {
            if self.hierarchy_reaches(row.object, role, owner_role) {
                paths.add(Reason::Hierarchy { role, owner_role, level });
            }
            if role == owner_role && row.owner != u && self.peer_roles[role as usize] {
                paths.add(Reason::Peers { role, level });
            }
        }
        if paths.settled(start) {
            return paths.best_since(start);
        }
        let mut env = None;
        for &entry in self.rules_of(u) {
            let (r, superior) = (entry >> 1, entry & 1 == 1);
            let rule = &self.sharing[r as usize];
            if rule.object != row.object {
                continue;
            }
            let applies = match rule.source {
                RuleSource::OwnedBy(principal) => self.contains(principal, row.owner),
                // Unknown criteria (missing context) do not share.
                RuleSource::Criteria(condition) => {
                    let env = env.get_or_insert_with(|| self.env(u, Some(record), query.context, assume_mfa));
                    self.conditions[condition as usize].evaluate(env) == Ok(true)
                }
            };
            if applies {
                paths.add(Reason::SharingRule { rule: r, superior, level: rule.level });
                if paths.settled(start) {
                    return paths.best_since(start);
                }
            }
        }
        for &(member, level) in record.team() {
            if member == u {
                paths.add(Reason::Team { level });
            }
        }
        for &(with, level) in record.shares() {
            if self.contains(with, u) {
                paths.add(Reason::ManualShare { with, level });
            }
        }
        if object.baseline == Baseline::ControlledByParent
            && !paths.settled(start)
            && let Some(parent) = self.parent_of(record, query.dataset)
        {
            let mut inner = paths.nested();
            if let Some(level) = self.record_level(u, parent, query, assume_mfa, &mut inner) {
                paths.add_parent(parent.object(), parent, level, inner);
            }
        }
        paths.best_since(start)
    }

    /// The parent record: inline, else found in the dataset through the schema's parent field.
    // On the check path: instantiated in clearance-verdicts, which the npm
    // package compiles at opt-level 3 (see the workspace's Cargo.toml).
    #[inline]
    pub(crate) fn parent_of<'a>(&self, record: RecordRef<'a>, dataset: Option<&'a Dataset>) -> Option<RecordRef<'a>> {
        if let Some(parent) = record.parent() {
            return Some(parent);
        }
        if let Some(found) = dataset.and_then(|d| d.stored_parent(record)) {
            return found;
        }
        let (parent_object, field) = self.objects[record.object() as usize].parent?;
        let id = record.field(field).as_str()?;
        dataset?.get(id).filter(|p| p.object() == parent_object)
    }

    /// Whether `role` reaches records owned by `owner_role` through the
    /// hierarchy of `object`: strictly above it, within the object's depth.
    // On the check path: inlined even in the npm package's size-optimised build.
    #[inline(always)]
    pub(crate) fn hierarchy_reaches(&self, object: u32, role: u32, owner_role: u32) -> bool {
        // Only a role strictly above the owner's has a (positive) distance to it.
        self.roles.strictly_above(role, owner_role)
            && self.objects[object as usize]
                .hierarchy_depth
                .is_none_or(|depth| self.roles.depth[owner_role as usize] - self.roles.depth[role as usize] <= depth)
    }

    /// The roles strictly below `role` whose holders' records `role` reaches
    /// through the hierarchy of `object` (the roles [`Engine::hierarchy_reaches`] accepts).
    pub(crate) fn roles_reached(&self, object: u32, role: u32) -> impl Iterator<Item = u32> + '_ {
        let limit = self.objects[object as usize].hierarchy_depth;
        let top = self.roles.depth[role as usize];
        self.roles.subtree(role)[1..]
            .iter()
            .copied()
            .filter(move |&below| limit.is_none_or(|limit| self.roles.depth[below as usize] - top <= limit))
    }

    /// Whether a scope covers the record for user `u`. Scopes are cumulative:
    /// a department grant also covers the user's own records.
    // On the check path: inlined even in the npm package's size-optimised build.
    #[inline(always)]
    pub(crate) fn scope_covers(&self, scope: Scope, u: u32, record: RecordRef<'_>) -> bool {
        if scope == Scope::All || record.owner() == u {
            return true;
        }
        self.department_covers(scope, record.department(), self.users[u as usize].department)
    }

    /// The departments whose records a department or department-tree scope
    /// of a user in `department` covers (those [`Engine::department_covers`] accepts).
    pub(crate) fn departments_covered(&self, scope: Scope, department: u32) -> &[u32] {
        // A subtree lists its top first.
        let subtree = self.departments.subtree(department);
        match scope {
            Scope::Department => &subtree[..1],
            Scope::DepartmentTree => subtree,
            Scope::Own | Scope::All => &[],
        }
    }

    /// Whether a department or department-tree scope of a user in
    /// `user_department` covers a record of `record_department`.
    // On the check path: inlined even in the npm package's size-optimised build.
    #[inline(always)]
    pub(crate) fn department_covers(&self, scope: Scope, record_department: Option<u32>, user_department: Option<u32>) -> bool {
        match (scope, record_department, user_department) {
            (Scope::Department, Some(rd), Some(ud)) => rd == ud,
            (Scope::DepartmentTree, Some(rd), Some(ud)) => self.departments.within(rd, ud),
            _ => false,
        }
    }

    /// Whether user `u` belongs to the principal.
    // On the check path: instantiated in clearance-verdicts, which the npm
    // package compiles at opt-level 3 (see the workspace's Cargo.toml).
    #[inline]
    pub(crate) fn contains(&self, principal: Principal, u: u32) -> bool {
        let user = &self.users[u as usize];
        match principal {
            Principal::User(x) => x == u,
            Principal::Group(g) => self.groups_of(u).binary_search(&g).is_ok(),
            Principal::Role(r) => user.role == Some(r),
            Principal::RoleAndSubordinates(r) => user.role.is_some_and(|ur| self.roles.within(ur, r)),
            Principal::Department(d) => user.department == Some(d),
            Principal::DepartmentTree(d) => user.department.is_some_and(|ud| self.departments.within(ud, d)),
        }
    }
}
