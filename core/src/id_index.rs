//! An index from ids to positions that stores positions only: an
//! open-addressing table whose keys are read back from the table they index
//! (the users' id strings, the records). Building it allocates one array, not
//! a copy of every id — what a hash map keyed by `Box<str>` costs a million
//! records (some 50 bytes each) and a bundle's cold start (an allocation per
//! user).

use std::hash::{BuildHasher, BuildHasherDefault};

/// Positions by id (the ids' bytes). `u32::MAX` marks an empty slot; the table's length is a
/// power of two, kept at least twice the number of entries.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    slots: Vec<u32>,
    len: usize,
}

const EMPTY: u32 = u32::MAX;

fn hash(id: &[u8]) -> usize {
    BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(id) as usize
}

impl IdIndex {
    /// An index of `n` entries whose ids `key` gives; the first of equal ids wins.
    pub(crate) fn build<'k>(n: usize, key: impl Fn(u32) -> &'k [u8]) -> IdIndex {
        let mut index = IdIndex { slots: vec![EMPTY; (n * 2).next_power_of_two().max(8)], len: 0 };
        for i in 0..n as u32 {
            index.insert(i, &key);
        }
        index
    }

    /// Adds position `at` under its id (`key(at)`); when the id is there
    /// already, returns that entry's position and adds nothing.
    pub(crate) fn insert<'k>(&mut self, at: u32, key: &impl Fn(u32) -> &'k [u8]) -> Option<u32> {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow(key);
        }
        let id = key(at);
        let mask = self.slots.len() - 1;
        let mut slot = hash(id) & mask;
        loop {
            match self.slots[slot] {
                EMPTY => {
                    self.slots[slot] = at;
                    self.len += 1;
                    return None;
                }
                other if key(other) == id => return Some(other),
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    fn grow<'k>(&mut self, key: &impl Fn(u32) -> &'k [u8]) {
        let size = (self.slots.len() * 2).max(8);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; size]);
        let mask = self.slots.len() - 1;
        for at in old.into_iter().filter(|&p| p != EMPTY) {
            let mut slot = hash(key(at)) & mask;
            while self.slots[slot] != EMPTY {
                slot = (slot + 1) & mask;
            }
            self.slots[slot] = at;
        }
    }

    /// The position whose id is `id`. Ids are compared as bytes: a record's
    /// id read back from its store needs no UTF-8 check to be compared.
    pub(crate) fn get<'k>(&self, id: &str, key: impl Fn(u32) -> &'k [u8]) -> Option<u32> {
        let id = id.as_bytes();
        let mask = self.slots.len().checked_sub(1)?;
        let mut slot = hash(id) & mask;
        loop {
            match self.slots[slot] {
                EMPTY => return None,
                at if key(at) == id => return Some(at),
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    /// Bytes the table holds.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<u32>()
    }
}

#[cfg(test)]
mod tests {
    use super::IdIndex;

    #[test]
    fn finds_every_id_and_nothing_else_whether_built_or_grown() {
        let ids: Vec<String> = (0..5000).map(|i| format!("id_{i}")).collect();
        let key = |i: u32| ids[i as usize].as_bytes();
        let built = IdIndex::build(ids.len(), key);
        let mut grown = IdIndex::default();
        for i in 0..ids.len() as u32 {
            assert_eq!(grown.insert(i, &key), None);
        }
        for index in [&built, &grown] {
            for (i, id) in ids.iter().enumerate() {
                assert_eq!(index.get(id, key), Some(i as u32));
            }
            for missing in ["", "id_5000", "id_", "ID_1"] {
                assert_eq!(index.get(missing, key), None);
            }
        }
        assert_eq!(grown.insert(7, &|i| if i == 7 { b"id_3" } else { key(i) }), Some(3), "a duplicate names the first");
        assert_eq!(IdIndex::default().get("id_1", key), None, "an empty index finds nothing");
    }
}
