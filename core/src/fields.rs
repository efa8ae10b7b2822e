//! Field access sets as bitsets over an object's fields.

/// A set of field indices; the first 128 live inline, so objects of up to
/// 128 fields never allocate.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldBits {
    inline: [u64; 2],
    more: Vec<u64>,
}

impl FieldBits {
    /// Adds a field.
    pub fn insert(&mut self, index: u32) {
        let (word, bit) = ((index / 64) as usize, index % 64);
        if word < 2 {
            self.inline[word] |= 1 << bit;
        } else {
            if self.more.len() <= word - 2 {
                self.more.resize(word - 1, 0);
            }
            self.more[word - 2] |= 1 << bit;
        }
    }

    /// Removes a field.
    pub fn remove(&mut self, index: u32) {
        let (word, bit) = ((index / 64) as usize, index % 64);
        if word < 2 {
            self.inline[word] &= !(1 << bit);
        } else if let Some(w) = self.more.get_mut(word - 2) {
            *w &= !(1 << bit);
        }
    }

    /// Whether a field is in the set.
    pub fn contains(&self, index: u32) -> bool {
        let (word, bit) = ((index / 64) as usize, index % 64);
        let w = if word < 2 { self.inline[word] } else { self.more.get(word - 2).copied().unwrap_or(0) };
        w & (1 << bit) != 0
    }

    /// Removes every field of `other`.
    pub fn subtract(&mut self, other: &FieldBits) {
        self.inline[0] &= !other.inline[0];
        self.inline[1] &= !other.inline[1];
        for (w, o) in self.more.iter_mut().zip(&other.more) {
            *w &= !o;
        }
    }

    /// The fields in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.inline
            .iter()
            .chain(&self.more)
            .enumerate()
            .flat_map(|(word, &bits)| (0..64u32).filter(move |bit| bits & (1 << bit) != 0).map(move |bit| word as u32 * 64 + bit))
    }
}
