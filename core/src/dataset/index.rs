//! Indices over a loaded dataset, so the questions around `check` (filter,
//! who-can, diff) visit the few records a path can reach instead of all.

use super::{RecordRef, RecordStore};
use crate::engine::{Engine, Lists, Principal, RuleSource};
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// Record indices grouped by what the access paths look at.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lookups {
    /// Per object.
    pub by_object: Lists,
    /// Per owner (user index).
    pub by_owner: Lists,
    /// Per record department.
    pub by_department: Lists,
    /// Per team member.
    pub by_team_member: Lists,
    /// Per user named directly by a manual share.
    pub by_user_share: Lists,
    /// Manual shares to groups, roles and departments: (recipient, record),
    /// sorted, so each recipient's records are one run (see [`Lookups::shared_with`]).
    pub other_shares: Vec<(Principal, u32)>,
    /// Records that carry their parent inline.
    pub inline_parent: Vec<u32>,
    /// Children (through the schema's parent link) of each parent record.
    pub children: FxHashMap<u32, Vec<u32>>,
    /// Records matching each record-only criteria rule, computed on first use.
    pub criteria: Vec<OnceLock<Vec<u32>>>,
}

impl Lookups {
    pub fn memory_parts(&self) -> Vec<(&'static str, usize)> {
        let lists = Lists::memory_bytes;
        vec![
            ("by object", lists(&self.by_object)),
            ("by owner", lists(&self.by_owner)),
            ("by department", lists(&self.by_department)),
            (
                "by team member and share",
                lists(&self.by_team_member)
                    + lists(&self.by_user_share)
                    + self.other_shares.capacity() * std::mem::size_of::<(Principal, u32)>()
                    + self.inline_parent.capacity() * 4,
            ),
            (
                "children",
                self.children.capacity() * (4 + std::mem::size_of::<Vec<u32>>() + 1)
                    + self.children.values().map(|c| c.capacity() * 4).sum::<usize>(),
            ),
            ("criteria matches", self.criteria.iter().filter_map(|c| c.get()).map(|m| m.capacity() * 4).sum::<usize>()),
        ]
    }

    /// `parents[i]` is record `i`'s parent's position, or `NO_PARENT`.
    pub fn build(engine: &Engine, records: &RecordStore, parents: &[u32]) -> Lookups {
        let users = engine.users.len();
        let mut lookups = Lookups {
            by_object: Lists::group(engine.objects.len(), &|add| records.iter().for_each(|r| add(r.object(), r.position()))),
            by_owner: Lists::group(users, &|add| records.iter().for_each(|r| add(r.owner(), r.position()))),
            by_department: Lists::group(engine.departments.len(), &|add| {
                records.iter().for_each(|r| r.department().into_iter().for_each(|d| add(d, r.position())))
            }),
            by_team_member: Lists::group(users, &|add| {
                for record in records.iter() {
                    let team = record.team();
                    // A member listed twice is one entry.
                    for (i, &(member, _)) in team.iter().enumerate() {
                        if team[..i].iter().all(|&(other, _)| other != member) {
                            add(member, record.position());
                        }
                    }
                }
            }),
            by_user_share: Lists::group(users, &|add| {
                for record in records.iter() {
                    let shares = record.shares();
                    for (i, &(with, _)) in shares.iter().enumerate() {
                        if let Principal::User(u) = with
                            && shares[..i].iter().all(|&(other, _)| other != with)
                        {
                            add(u, record.position());
                        }
                    }
                }
            }),
            other_shares: Vec::new(),
            inline_parent: Vec::new(),
            children: FxHashMap::default(),
            criteria: engine.sharing.iter().map(|_| OnceLock::new()).collect(),
        };
        for record in records.iter() {
            let i = record.position();
            for &(with, _) in record.shares() {
                if !matches!(with, Principal::User(_)) {
                    lookups.other_shares.push((with, i));
                }
            }
            if record.parent().is_some() {
                lookups.inline_parent.push(i);
            }
            if let Some(&parent) = parents.get(i as usize).filter(|&&p| p != super::NO_PARENT) {
                lookups.children.entry(parent).or_default().push(i);
            }
        }
        lookups.other_shares.sort_unstable();
        lookups
    }

    /// The records manually shared with the groups, roles and departments
    /// `member` accepts (asked once per recipient, not once per share).
    pub fn shared_with<'a>(&'a self, member: impl Fn(Principal) -> bool + 'a) -> impl Iterator<Item = u32> + 'a {
        self.other_shares.chunk_by(|a, b| a.0 == b.0).filter(move |run| member(run[0].0)).flatten().map(|&(_, record)| record)
    }

    /// The records a record-only criteria rule matches (cached), or `None`
    /// when the rule is owner-based or its criteria read the user or context.
    pub fn criteria_matches(&self, engine: &Engine, records: &RecordStore, rule: u32) -> Option<&[u32]> {
        let entry = &engine.sharing[rule as usize];
        let RuleSource::Criteria(condition) = entry.source else { return None };
        if !engine.conditions[condition as usize].reads_only_record() {
            return None;
        }
        let matches = self.criteria[rule as usize]
            .get_or_init(|| self.records_where(engine, records, entry.object, condition, &crate::request::Context::default(), false));
        Some(matches)
    }

    /// The records of `object` on which a condition that reads no user
    /// holds in `context`; with `unknown`, also those it cannot decide.
    pub fn records_where(
        &self,
        engine: &Engine,
        records: &RecordStore,
        object: u32,
        condition: u32,
        context: &crate::request::Context,
        unknown: bool,
    ) -> Vec<u32> {
        // Any user will do: the condition reads none.
        let anyone = 0;
        if engine.users.is_empty() {
            return Vec::new();
        }
        let condition = &engine.conditions[condition as usize];
        self.by_object[object as usize]
            .iter()
            .copied()
            .filter(|&r| match condition.evaluate(&engine.env(anyone, Some(RecordRef { store: records, at: r }), context, false)) {
                Ok(holds) => holds,
                Err(_) => unknown,
            })
            .collect()
    }
}
