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
    let (old, new) = load_both(before, after, records)?;
    diff_loaded(before, &old, after, &new, context)
}

/// The records loaded into each engine; problems are prefixed with
/// `before:` or `after:`.
fn load_both(before: &Engine, after: &Engine, records: &serde_json::Value) -> Result<(Dataset, Dataset), Error> {
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
    Ok((old, new))
}

/// [`diff`]'s counts alone, in memory that does not grow with the number of
/// changes (a baseline edit on a large org changes billions of pairs): for
/// previews that report how much changes, not each change.
///
/// # Errors
/// As [`diff`].
pub fn diff_summary(before: &Engine, after: &Engine, records: &serde_json::Value, context: &Context) -> Result<Summary, Error> {
    let (old, new) = load_both(before, after, records)?;
    let mut changes = Changes::counting();
    run(before, &old, after, &new, context, &mut changes)?;
    Ok(changes.summary)
}

/// [`diff`] on datasets already loaded into each engine (the same records).
///
/// # Errors
/// `foreign_dataset` for datasets of other engines or of different sizes;
/// as [`Engine::policy`] for engines from tampered bundles.
pub fn diff_loaded(before: &Engine, old: &Dataset, after: &Engine, new: &Dataset, context: &Context) -> Result<Diff, Error> {
    let mut changes = Changes { kept: Some(Vec::new()), ..Changes::counting() };
    run(before, old, after, new, context, &mut changes)?;
    let mut kept = changes.kept.unwrap_or_default();
    kept.sort_unstable_by(|a, b| a.user.cmp(&b.user).then_with(|| a.change.record.cmp(&b.change.record)).then(a.action.cmp(&b.action)));
    Ok(Diff { summary: changes.summary, changes: kept.into_iter().map(|tagged| tagged.change).collect() })
}

/// Where a diff's changes go: always counted into the summary, and kept
/// (rendered with their reasons) only when `kept` is `Some`.
struct Changes {
    summary: Summary,
    kept: Option<Vec<Tagged>>,
    /// Counts by user rank, object index and action rank, turned into the
    /// summary's named maps once at the end.
    users: Vec<Counts>,
    objects: Vec<Counts>,
    actions: Vec<Counts>,
}

impl Changes {
    fn counting() -> Changes {
        Changes { summary: Summary::default(), kept: None, users: Vec::new(), objects: Vec::new(), actions: Vec::new() }
    }

    /// A pair known to have changed; `now` is the answer after. (The side
    /// that allows knows the user and the action: it decided with them.)
    fn push(&mut self, sides: &Sides<'_>, user: &Who<'_>, record: u32, action: &Act<'_>, now: bool) {
        if let Some(kept) = &mut self.kept {
            kept.extend(sides.change(user, record, action, now));
        }
        let object = sides.new.at(record).object() as usize;
        let kind = if now { ChangeKind::Gained } else { ChangeKind::Lost };
        for (counts, at) in [(&mut self.users, user.rank as usize), (&mut self.objects, object), (&mut self.actions, action.rank as usize)]
        {
            if counts.len() <= at {
                counts.resize(at + 1, Counts::default());
            }
            counts[at].bump(kind);
        }
        self.summary.total.bump(kind);
    }

    /// The named counts: users, objects and actions with at least one change.
    fn finish(&mut self, after: &Engine, users: &[&str], actions: &[&str]) {
        let named = |counts: &[Counts], name: &dyn Fn(usize) -> String| {
            counts.iter().enumerate().filter(|(_, c)| c.gained + c.lost > 0).map(|(i, c)| (name(i), *c)).collect::<BTreeMap<_, _>>()
        };
        self.summary.users = named(&self.users, &|i| users.get(i).copied().unwrap_or_default().to_owned());
        self.summary.objects = named(&self.objects, &|i| after.object_name(i as u32).unwrap_or_default().to_owned());
        self.summary.actions = named(&self.actions, &|i| actions.get(i).copied().unwrap_or_default().to_owned());
    }
}

impl Counts {
    fn bump(&mut self, kind: ChangeKind) {
        match kind {
            ChangeKind::Gained => self.gained += 1,
            ChangeKind::Lost => self.lost += 1,
        }
    }
}

/// Decides every pair the plan says may have changed, into `changes`.
fn run(before: &Engine, old: &Dataset, after: &Engine, new: &Dataset, context: &Context, changes: &mut Changes) -> Result<(), Error> {
    if !old.belongs_to(before) || !new.belongs_to(after) || old.len() != new.len() {
        return Err(Error::one("", crate::error::code::FOREIGN_DATASET, "diff needs the same records loaded by each engine"));
    }
    let plan = Plan::new(before, old, after, new)?;
    let actions: Vec<&str> = after.actions.iter().map(|a| &*a.name).filter(|a| *a != "create").collect();
    let objects: Vec<&str> = after.objects.iter().map(|o| &*o.name).collect();
    let users: BTreeSet<&str> = before.user_ids.iter().chain(after.user_ids.iter()).collect();
    // Changes sort by user id, record id and action name: ranks stand for the names.
    let user_ranks: Vec<&str> = users.iter().copied().collect();
    let mut sorted_actions = actions.clone();
    sorted_actions.sort_unstable();
    let who = |user| Who {
        id: user,
        rank: user_ranks.binary_search(&user).unwrap_or(0) as u32,
        before: before.user_at(user),
        after: after.user_at(user),
    };
    let sides = Sides { before, old, after, new, context };

    for object in &objects {
        let dirty = plan.dirty_objects.contains(*object);
        let (Some(o_new), o_old) = (after.object_id(object), before.object_id(object)) else { continue };
        // A record reads its own owner and its parents' owners: the objects whose changed owners matter here.
        let lineage: Vec<&str> = std::iter::successors(Some(o_new), |&x| after.objects[x as usize].parent.map(|(p, _)| p))
            .map(|x| after.object_name(x).unwrap_or_default())
            .collect();
        let filter_users = if dirty { &users } else { &plan.changed_users };
        // Records whose owner (or a parent's owner) changed, in groups with
        // the users whose paths read those owners (resolved once per object).
        let everyone = plan.owner_sensitive_objects.contains(*object);
        let mut owned = Vec::new();
        for (owners, records) in plan.owned_by_changed.iter().filter(|_| !dirty) {
            let records: Vec<u32> = records.iter().copied().filter(|&r| new.at(r).object() == o_new).collect();
            if records.is_empty() {
                continue;
            }
            let readers: BTreeSet<&str> = if everyone {
                users.clone()
            } else {
                let everywhere = owners.iter().filter_map(|o| plan.affected_by_owner.get(o));
                let here = lineage.iter().filter_map(|x| plan.affected_by_object.get(x));
                everywhere.chain(here).flatten().copied().collect()
            };
            let readers: Vec<_> =
                readers.into_iter().map(|user| (who(user), plan.narrow_users.get(user), plan.changed_users.contains(user))).collect();
            owned.push((records, readers));
        }
        for &action in &actions {
            let (a_new, a_old) = (after.action_id(action), before.action_id(action));
            let Some(a_new) = a_new else { continue };
            let rank = sorted_actions.binary_search(&action).unwrap_or(0) as u32;
            let act = Act { name: action, rank, before: a_old, after: Some(a_new) };
            // Changed users whose every answer on the object is known after
            // this loop: filtered under both policies.
            let mut settled: BTreeSet<&str> = BTreeSet::new();
            // Records of monotone users decided here, not to be asked again.
            let mut decided: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
            for &user in filter_users {
                let user_ = who(user);
                if !dirty && plan.same_grants.contains(user) && user_.after.is_some_and(|u| after.answers_alike(u, o_new, a_new, context)) {
                    continue;
                }
                if let (false, Some(records)) = (dirty, plan.narrow_users.get(user)) {
                    for &record in records.iter().filter(|&&r| new.at(r).object() == o_new) {
                        sides.compare(&user_, record, &act, changes);
                    }
                    continue;
                }
                // After the skip above, stages 1–3 pass on both sides.
                if let (false, Some(rules), Some(_), Some(o_old)) = (dirty, plan.monotone.get(user), a_old, o_old) {
                    let (objects, gained) = ((o_old, o_new), plan.gained.contains(user));
                    decided.insert(user, sides.monotone(&user_, &act, objects, gained, rules, changes));
                    continue;
                }
                settled.insert(user);
                let now = after.filter(new, user, a_new, o_new, context);
                let was = match (a_old, o_old) {
                    (Some(a), Some(o)) => before.filter(old, user, a, o, context),
                    _ => Vec::new(),
                };
                for record in symmetric_difference(&was, &now) {
                    sides.compare(&user_, record, &act, changes);
                }
            }
            // Only users whose paths read a changed owner can see a different
            // answer on its records. Pairs the loop above settled or asked
            // are not asked again.
            for (records, readers) in &owned {
                for (user, narrow, changed) in readers.iter().filter(|(user, ..)| !settled.contains(user.id)) {
                    // An unchanged user answering every record alike answers
                    // alike whoever owns them (forbid rules do not read the owner here).
                    if !everyone && !changed && user.after.is_some_and(|u| after.answers_alike(u, o_new, a_new, context)) {
                        continue;
                    }
                    let decided = decided.get(user.id);
                    for &record in records {
                        let asked = |list: Option<&Vec<u32>>| list.is_some_and(|list| list.binary_search(&record).is_ok());
                        if !asked(*narrow) && !asked(decided) {
                            sides.compare(user, record, &act, changes);
                        }
                    }
                }
            }
        }
    }
    changes.finish(after, &user_ranks, &sorted_actions);
    Ok(())
}

/// A change with its user's and action's ranks (see [`Who`], [`Act`]),
/// which sorting reads instead of names.
struct Tagged {
    user: u32,
    action: u32,
    change: Change,
}

impl Sides<'_> {
    /// The changes of a user whose paths on one side are the other's plus
    /// `rules` (by index on the richer side, `after` when `gained`), once
    /// stages 1–3 pass on both: the poorer side's `filter`, and what those
    /// rules reach beyond it. Returns the records so decided, ascending.
    #[allow(clippy::too_many_arguments)]
    fn monotone(
        &self,
        user: &Who<'_>,
        action: &Act<'_>,
        (o_old, o_new): (u32, u32),
        gained: bool,
        rules: &[u32],
        changes: &mut Changes,
    ) -> Vec<u32> {
        let before = (self.before, self.old, user.before, action.before, o_old);
        let after = (self.after, self.new, user.after, action.after, o_new);
        let ((rich, rich_data, rich_u, rich_a, rich_o), (poor, poor_data, _, poor_a, poor_o)) =
            if gained { (after, before) } else { (before, after) };
        let (Some(u), Some(a), Some(poor_a)) = (rich_u, rich_a, poor_a) else { return Vec::new() };
        let allowed = poor.filter(poor_data, user.id, poor_a, poor_o, self.context);
        let (sure, unsure) = rich.rule_candidates(rich_data, u, a, rich_o, rules);
        let beyond = |list: Vec<u32>| list.into_iter().filter(|r| allowed.binary_search(r).is_err()).collect::<Vec<u32>>();
        let (sure, unsure) = (beyond(sure), beyond(unsure));
        // A rule alone reaches the needed level on a sure record: the richer
        // side allows it unless a forbid rule denies; the poorer side denies.
        for record in rich.unforbidden(rich_data, u, a, rich_o, self.context, sure.clone()) {
            changes.push(self, user, record, action, gained);
        }
        for &record in &unsure {
            self.compare(user, record, action, changes);
        }
        let mut decided = sure;
        decided.extend(unsure);
        decided.sort_unstable();
        decided
    }
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
    /// The id's place among all users' ids.
    rank: u32,
    before: Option<u32>,
    after: Option<u32>,
}

/// An action by name, with its index under each policy.
struct Act<'a> {
    name: &'a str,
    /// The name's place among the actions' names.
    rank: u32,
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
    fn compare(&self, user: &Who<'_>, record: u32, action: &Act<'_>, changes: &mut Changes) {
        // The allocation-free verdict first: most pairs asked do not change.
        let verdict = |engine: &Engine, dataset: &Dataset, u: Option<u32>, a: Option<u32>| match (u, a) {
            (Some(u), Some(a)) => engine.verdict_at(dataset, u, a, record, self.context).unwrap_or(false),
            _ => false,
        };
        let now = verdict(self.after, self.new, user.after, action.after);
        if verdict(self.before, self.old, user.before, action.before) != now {
            changes.push(self, user, record, action, now);
        }
    }

    /// The change of a pair known to have changed: gained when `now` (the
    /// answer after) allows, lost otherwise.
    fn change(&self, user: &Who<'_>, record: u32, action: &Act<'_>, now: bool) -> Option<Tagged> {
        // The reasons of the side that allows, rendered only for pairs that changed.
        let (engine, dataset, u, a, change) = match now {
            true => (self.after, self.new, user.after, action.after, ChangeKind::Gained),
            false => (self.before, self.old, user.before, action.before, ChangeKind::Lost),
        };
        let reasons = engine.reasons_out(&engine.reasons_at(dataset, u?, a?, record, self.context)?);
        let record = self.new.at(record);
        let id = record.id().to_string();
        let change = Change { user: user.id.to_owned(), record: id, action: action.name.to_owned(), change, reasons };
        Some(Tagged { user: user.rank, action: action.rank, change })
    }
}
