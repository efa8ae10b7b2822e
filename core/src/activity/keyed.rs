//! A small sorted map for the analyzer's per-user aggregates: a sorted
//! vector whose common case — the key of the newest entry, or a newer one,
//! as events mostly arrive in time order — costs one comparison, and whose
//! other lookups are a binary search over a few dozen entries. Far fewer
//! cache misses than a tree or a hash map per user.

/// Entries sorted by key.
#[derive(Debug)]
pub(super) struct Keyed<K, V>(Vec<(K, V)>);

impl<K, V> Default for Keyed<K, V> {
    fn default() -> Self {
        Keyed(Vec::new())
    }
}

impl<K: Ord + Copy, V> Keyed<K, V> {
    /// Where `key` is (`Ok`) or would go (`Err`).
    fn find(&self, key: K) -> Result<usize, usize> {
        match self.0.last() {
            Some((last, _)) if *last == key => Ok(self.0.len() - 1),
            Some((last, _)) if *last < key => Err(self.0.len()),
            None => Err(0),
            Some(_) => self.0.binary_search_by(|(k, _)| k.cmp(&key)),
        }
    }

    /// The value under `key`, made by `make` when absent; `true` when it was made.
    pub(super) fn slot(&mut self, key: K, make: impl FnOnce() -> V) -> (&mut V, bool) {
        match self.find(key) {
            Ok(i) => (&mut self.0[i].1, false),
            Err(i) => {
                self.0.insert(i, (key, make()));
                (&mut self.0[i].1, true)
            }
        }
    }

    /// Entries in key order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Values in key order.
    pub(super) fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }

    /// Takes every entry of `other`, its key mapped by `key`; values under
    /// a key both hold are combined by `combine`.
    pub(super) fn absorb<W>(
        &mut self,
        other: Keyed<K, W>,
        mut key: impl FnMut(K) -> K,
        mut make: impl FnMut(W) -> V,
        mut combine: impl FnMut(&mut V, W),
    ) {
        for (k, w) in other.0 {
            let k = key(k);
            match self.find(k) {
                Ok(i) => combine(&mut self.0[i].1, w),
                Err(i) => self.0.insert(i, (k, make(w))),
            }
        }
    }

    /// Number of entries.
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::Keyed;

    #[test]
    fn keeps_keys_sorted_whatever_the_order() {
        let mut map = Keyed::default();
        for key in [5, 7, 7, 3, 9, 1, 5, 8] {
            *map.slot(key, || 0).0 += 1;
        }
        let entries: Vec<(i32, i32)> = map.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(entries, [(1, 1), (3, 1), (5, 2), (7, 2), (8, 1), (9, 1)]);
    }
}
