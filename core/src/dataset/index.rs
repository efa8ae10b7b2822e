//! Indices over a loaded dataset, so the questions around `check` (filter,
//! who-can, diff) visit the few records a path can reach instead of all.

use super::Record;
use crate::engine::{Engine, Principal, RuleSource};
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// Record indices grouped by what the access paths look at.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lookups {
    /// Per object.
    pub by_object: Vec<Vec<u32>>,
    /// Per owner (user index).
    pub by_owner: Vec<Vec<u32>>,
    /// Per record department.
    pub by_department: Vec<Vec<u32>>,
    /// Per team member.
    pub by_team_member: Vec<Vec<u32>>,
    /// Per user named directly by a manual share.
    pub by_user_share: Vec<Vec<u32>>,
    /// Manual shares to groups, roles and departments: (recipient, record).
    pub other_shares: Vec<(Principal, u32)>,
    /// Records that carry their parent inline.
    pub inline_parent: Vec<u32>,
    /// Children (through the schema's parent link) of each parent record.
    pub children: FxHashMap<u32, Vec<u32>>,
    /// Records matching each record-only criteria rule, computed on first use.
    pub criteria: Vec<OnceLock<Vec<u32>>>,
}

impl Lookups {
    pub fn memory_bytes(&self) -> usize {
        let lists = |lists: &Vec<Vec<u32>>| {
            lists.capacity() * std::mem::size_of::<Vec<u32>>() + lists.iter().map(|l| l.capacity() * 4).sum::<usize>()
        };
        lists(&self.by_object)
            + lists(&self.by_owner)
            + lists(&self.by_department)
            + lists(&self.by_team_member)
            + lists(&self.by_user_share)
            + self.other_shares.capacity() * std::mem::size_of::<(Principal, u32)>()
            + self.inline_parent.capacity() * 4
            + self.children.capacity() * (4 + std::mem::size_of::<Vec<u32>>() + 1)
            + self.children.values().map(|c| c.capacity() * 4).sum::<usize>()
            + self.criteria.iter().filter_map(|c| c.get()).map(|m| m.capacity() * 4).sum::<usize>()
    }

    /// `parents[i]` is record `i`'s parent's position, or `NO_PARENT`.
    pub fn build(engine: &Engine, records: &[Record], parents: &[u32]) -> Lookups {
        let mut lookups = Lookups {
            by_object: vec![Vec::new(); engine.objects.len()],
            by_owner: vec![Vec::new(); engine.users.len()],
            by_department: vec![Vec::new(); engine.departments.len()],
            by_team_member: vec![Vec::new(); engine.users.len()],
            by_user_share: vec![Vec::new(); engine.users.len()],
            other_shares: Vec::new(),
            inline_parent: Vec::new(),
            children: FxHashMap::default(),
            criteria: engine.sharing.iter().map(|_| OnceLock::new()).collect(),
        };
        for (i, record) in records.iter().enumerate() {
            let i = i as u32;
            lookups.by_object[record.object as usize].push(i);
            lookups.by_owner[record.owner as usize].push(i);
            if let Some(d) = record.department {
                lookups.by_department[d as usize].push(i);
            }
            for &(member, _) in record.team() {
                push_once(&mut lookups.by_team_member[member as usize], i);
            }
            for &(with, _) in record.shares() {
                match with {
                    Principal::User(u) => push_once(&mut lookups.by_user_share[u as usize], i),
                    other => lookups.other_shares.push((other, i)),
                }
            }
            if record.parent().is_some() {
                lookups.inline_parent.push(i);
            }
            if let Some(&parent) = parents.get(i as usize).filter(|&&p| p != super::NO_PARENT) {
                lookups.children.entry(parent).or_default().push(i);
            }
        }
        lookups
    }

    /// The records a record-only criteria rule matches (cached), or `None`
    /// when the rule is owner-based or its criteria read the user or context.
    pub fn criteria_matches(&self, engine: &Engine, records: &[Record], rule: u32) -> Option<&[u32]> {
        let entry = &engine.sharing[rule as usize];
        let RuleSource::Criteria(condition) = entry.source else { return None };
        let condition = &engine.conditions[condition as usize];
        if !condition.reads_only_record() {
            return None;
        }
        let matches = self.criteria[rule as usize].get_or_init(|| {
            // Any user will do: the condition reads only the record.
            if engine.users.is_empty() {
                return Vec::new();
            }
            let anyone = 0;
            let context = crate::request::Context::default();
            self.by_object[entry.object as usize]
                .iter()
                .copied()
                .filter(|&r| condition.evaluate(&engine.env(anyone, Some(&records[r as usize]), &context, false)) == Ok(true))
                .collect()
        });
        Some(matches)
    }
}

fn push_once(list: &mut Vec<u32>, record: u32) {
    if list.last() != Some(&record) {
        list.push(record);
    }
}
