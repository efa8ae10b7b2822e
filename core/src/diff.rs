//! `diff`: which users gain and lose which access on which records when the
//! policy changes from `before` to `after` (the admin's "what if").
//!
//! Incremental: a decision depends on the acting user, the record's owner
//! (and the owners of its parents) and global settings. So only users whose
//! compiled signature changed are re-filtered, only records owned by them are
//! re-asked who-can, and only objects whose definition or rules changed are
//! recomputed in full.

mod plan;

use crate::dataset::Dataset;
use crate::engine::Engine;
use crate::error::Error;
use crate::render::ReasonOut;
use crate::request::Context;
use plan::Plan;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Gained or lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Denied before, allowed after.
    Gained,
    /// Allowed before, denied after.
    Lost,
}

/// One user's access to one record for one action changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The user.
    pub user: String,
    /// The record id.
    pub record: String,
    /// The action.
    pub action: String,
    /// Gained or lost.
    pub change: ChangeKind,
    /// Why the user has access: after the change for a gain, before it for a loss.
    pub reasons: Vec<ReasonOut>,
}

/// Counts of gains and losses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Accesses gained.
    pub gained: usize,
    /// Accesses lost.
    pub lost: usize,
}

/// Gains and losses per user, object and action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// All changes.
    pub total: Counts,
    /// Per user id.
    pub users: BTreeMap<String, Counts>,
    /// Per object type.
    pub objects: BTreeMap<String, Counts>,
    /// Per action.
    pub actions: BTreeMap<String, Counts>,
}

/// The result of [`diff`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    /// Counts.
    pub summary: Summary,
    /// Every change, sorted by user, record and action.
    pub changes: Vec<Change>,
}

/// Compares the decisions of two policies on one dataset, for every
/// record-bound action (all but `create`).
///
/// # Errors
/// The records must be valid under both policies; problems are prefixed
/// with `before:` or `after:`.
pub fn diff(before: &Engine, after: &Engine, records: &serde_json::Value, context: &Context) -> Result<Diff, Error> {
    let tag = |what: &'static str| {
        move |e: Error| {
            Error::new(
                e.into_problems().into_iter().map(|p| crate::error::Problem { message: format!("{what}: {}", p.message), ..p }).collect(),
            )
        }
    };
    let old = before.load_records(records).map_err(tag("before"))?;
    // Most edits compile records alike: share them instead of loading again.
    let new = match after.rebind(&old, before) {
        Some(new) => new,
        None => after.load_records(records).map_err(tag("after"))?,
    };
    diff_loaded(before, &old, after, &new, context)
}

/// [`diff`] on datasets already loaded into each engine (the same records).
///
/// # Errors
/// `foreign_dataset` for datasets of other engines or of different sizes;
/// as [`Engine::policy`] for engines from tampered bundles.
pub fn diff_loaded(before: &Engine, old: &Dataset, after: &Engine, new: &Dataset, context: &Context) -> Result<Diff, Error> {
    if !old.belongs_to(before) || !new.belongs_to(after) || old.len() != new.len() {
        return Err(Error::one("", crate::error::code::FOREIGN_DATASET, "diff needs the same records loaded by each engine"));
    }
    let plan = Plan::new(before, old, after, new)?;
    let actions: Vec<&str> = after.actions.iter().map(|a| &*a.name).filter(|a| *a != "create").collect();
    let objects: Vec<&str> = after.objects.iter().map(|o| &*o.name).collect();
    let users: BTreeSet<&str> = before.user_ids.iter().chain(after.user_ids.iter()).collect();
    let who = |user| Who { id: user, before: before.user_at(user), after: after.user_at(user) };
    let sides = Sides { before, old, after, new, context };

    let mut changes = Vec::new();
    for object in &objects {
        let dirty = plan.dirty_objects.contains(*object);
        let (Some(o_new), o_old) = (after.object_id(object), before.object_id(object)) else { continue };
        let filter_users = if dirty { &users } else { &plan.changed_users };
        for &action in &actions {
            let (a_new, a_old) = (after.action_id(action), before.action_id(action));
            let Some(a_new) = a_new else { continue };
            let act = Act { name: action, before: a_old, after: Some(a_new) };
            // Changed users whose every answer on the object is known after
            // this loop: filtered under both policies.
            let mut settled: BTreeSet<&str> = BTreeSet::new();
            for &user in filter_users {
                if !dirty && plan.same_grants.contains(user) && after.covers_everything(user, o_new, a_new) {
                    continue;
                }
                let user_ = who(user);
                if let (false, Some(records)) = (dirty, plan.narrow_users.get(user)) {
                    for &record in records.iter().filter(|&&r| new.at(r).object() == o_new) {
                        changes.extend(sides.compare(&user_, record, &act));
                    }
                    continue;
                }
                settled.insert(user);
                let now = after.filter(new, user, a_new, o_new, context);
                let was = match (a_old, o_old) {
                    (Some(a), Some(o)) => before.filter(old, user, a, o, context),
                    _ => Vec::new(),
                };
                for record in symmetric_difference(&was, &now) {
                    changes.extend(sides.compare(&user_, record, &act));
                }
            }
            if dirty {
                continue;
            }
            // Records whose owner (or a parent's owner) changed: only users
            // whose paths read that owner can see a different answer. Pairs
            // the loop above settled or asked are not asked again.
            let asked = |user: &str, record: u32| {
                settled.contains(user) || plan.narrow_users.get(user).is_some_and(|records| records.binary_search(&record).is_ok())
            };
            let everyone = plan.owner_sensitive_objects.contains(*object);
            for (&record, owners) in &plan.owned_by_changed {
                if new.at(record).object() != o_new {
                    continue;
                }
                let candidates: BTreeSet<&str> = if everyone {
                    users.clone()
                } else {
                    owners.iter().flat_map(|o| plan.affected_by_owner.get(o).into_iter().flatten()).copied().collect()
                };
                for user in candidates.into_iter().filter(|&user| !asked(user, record)) {
                    changes.extend(sides.compare(&who(user), record, &act));
                }
            }
        }
    }
    changes.sort_by(|a, b| (&a.user, &a.record, &a.action).cmp(&(&b.user, &b.record, &b.action)));
    let mut summary = Summary::default();
    for change in &changes {
        let object = new.get(&change.record).and_then(|r| after.object_name(r.object())).unwrap_or_default().to_owned();
        for counts in [
            &mut summary.total,
            summary.users.entry(change.user.clone()).or_default(),
            summary.objects.entry(object.clone()).or_default(),
            summary.actions.entry(change.action.clone()).or_default(),
        ] {
            match change.change {
                ChangeKind::Gained => counts.gained += 1,
                ChangeKind::Lost => counts.lost += 1,
            }
        }
    }
    Ok(Diff { summary, changes })
}

/// Elements in exactly one of two sorted, duplicate-free lists (a linear merge:
/// these lists can hold every record of an object).
fn symmetric_difference(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// A user by id, with their index under each policy.
struct Who<'a> {
    id: &'a str,
    before: Option<u32>,
    after: Option<u32>,
}

/// An action by name, with its index under each policy.
struct Act<'a> {
    name: &'a str,
    before: Option<u32>,
    after: Option<u32>,
}

/// Both policies with their datasets, and the context every question shares.
struct Sides<'a> {
    before: &'a Engine,
    old: &'a Dataset,
    after: &'a Engine,
    new: &'a Dataset,
    context: &'a Context,
}

impl Sides<'_> {
    /// Decides (user, record, action) under both policies; a change if they differ.
    fn compare(&self, user: &Who<'_>, record: u32, action: &Act<'_>) -> Option<Change> {
        // The allocation-free verdict first: most pairs asked do not change.
        let verdict = |engine: &Engine, dataset: &Dataset, u: Option<u32>, a: Option<u32>| match (u, a) {
            (Some(u), Some(a)) => engine.verdict_at(dataset, u, a, record, self.context).unwrap_or(false),
            _ => false,
        };
        let now = verdict(self.after, self.new, user.after, action.after);
        if verdict(self.before, self.old, user.before, action.before) == now {
            return None;
        }
        // The reasons of the side that allows, rendered only for pairs that changed.
        let (engine, dataset, u, a, change) = match now {
            true => (self.after, self.new, user.after, action.after, ChangeKind::Gained),
            false => (self.before, self.old, user.before, action.before, ChangeKind::Lost),
        };
        let (_, decision) = engine.decide_at(dataset, u?, a?, record, self.context)?;
        let reasons = engine.reasons_out(&decision);
        let record = self.new.at(record).id().to_string();
        Some(Change { user: user.id.to_owned(), record, action: action.name.to_owned(), change, reasons })
    }
}
