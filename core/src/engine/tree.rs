//! Role and department trees, numbered in pre-order so that "is X below Y"
//! and depth are O(1) and every subtree is one contiguous range.

use crate::error::{Problems, join};
use rustc_hash::FxHashMap;

/// A forest of named nodes.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tree {
    /// Node ids, in input order (the node index).
    pub ids: Vec<Box<str>>,
    /// Parent node, if any.
    pub parent: Vec<Option<u32>>,
    /// Pre-order number of each node.
    pub enter: Vec<u32>,
    /// Largest pre-order number within each node's subtree.
    pub last: Vec<u32>,
    /// Distance from the root.
    pub depth: Vec<u32>,
    /// Nodes in pre-order (`order[enter[n]] == n`).
    pub order: Vec<u32>,
    /// Id → node index.
    pub index: FxHashMap<Box<str>, u32>,
}

/// Input of one node: id and parent id.
pub struct NodeInput<'a> {
    pub id: &'a str,
    pub parent: Option<&'a str>,
}

impl Tree {
    /// Builds the tree, reporting duplicate ids, unknown parents and cycles
    /// under `section` (e.g. `/roles`).
    pub fn build(
        nodes: &[NodeInput<'_>],
        section: &str,
        unknown_code: crate::Code,
        cycle_code: crate::Code,
        noun: &str,
        problems: &mut Problems,
    ) -> Tree {
        let mut tree = Tree::default();
        for (i, node) in nodes.iter().enumerate() {
            let path = join(&join(section, i), "id");
            if node.id.is_empty() {
                problems.push(path, crate::error::code::EMPTY_ID, format!("{noun} id is empty"));
            } else if tree.index.insert(node.id.into(), i as u32).is_some() {
                problems.push(path, crate::error::code::DUPLICATE_ID, format!("duplicate {noun} id `{}`", node.id));
            }
            tree.ids.push(node.id.into());
        }
        let n = nodes.len();
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            let parent = node.parent.and_then(|p| {
                let found = tree.index.get(p).copied();
                if found.is_none() {
                    problems.push(join(&join(section, i), "parent"), unknown_code, format!("unknown {noun} `{p}`"));
                }
                found
            });
            tree.parent.push(parent);
            match parent {
                Some(p) => children[p as usize].push(i as u32),
                None => roots.push(i as u32),
            }
        }
        tree.enter = vec![u32::MAX; n];
        tree.last = vec![0; n];
        tree.depth = vec![0; n];
        let mut stack: Vec<(u32, bool)> = roots.iter().rev().map(|&r| (r, false)).collect();
        while let Some((node, done)) = stack.pop() {
            let i = node as usize;
            if done {
                tree.last[i] = tree.order.len() as u32 - 1;
                continue;
            }
            if tree.enter[i] != u32::MAX {
                continue; // duplicate ids can make a node reachable twice
            }
            tree.enter[i] = tree.order.len() as u32;
            tree.order.push(node);
            tree.depth[i] = tree.parent[i].map_or(0, |p| tree.depth[p as usize] + 1);
            stack.push((node, true));
            for &child in children[i].iter().rev() {
                stack.push((child, false));
            }
        }
        // Nodes never reached from a root sit on (or hang below) a cycle.
        for (i, node) in nodes.iter().enumerate() {
            if tree.enter[i] == u32::MAX {
                problems.push(join(&join(section, i), "parent"), cycle_code, format!("{noun} `{}` is part of a cycle of parents", node.id));
                tree.enter[i] = tree.order.len() as u32;
                tree.last[i] = tree.enter[i];
                tree.order.push(i as u32);
            }
        }
        tree
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether `node` is `top` or below it.
    // On the check path: inlined even in the npm package's size-optimised build.
    #[inline(always)]
    pub fn within(&self, node: u32, top: u32) -> bool {
        let (e, t) = (self.enter[node as usize], top as usize);
        self.enter[t] <= e && e <= self.last[t]
    }

    /// Whether `top` is a strict ancestor of `node`.
    // On the check path: inlined even in the npm package's size-optimised build.
    #[inline(always)]
    pub fn strictly_above(&self, top: u32, node: u32) -> bool {
        top != node && self.within(node, top)
    }

    /// The nodes of `top`'s subtree, `top` first.
    pub fn subtree(&self, top: u32) -> &[u32] {
        let t = top as usize;
        &self.order[self.enter[t] as usize..=self.last[t] as usize]
    }
}
