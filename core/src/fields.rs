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

    /// The fields in ascending order: each word's set bits, lowest first,
    /// found by counting trailing zeros (not by testing 64 bits a word).
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.inline.iter().chain(&self.more).enumerate().flat_map(|(word, &bits)| Ones { bits, base: word as u32 * 64 })
    }

    /// How many fields the set holds.
    pub fn len(&self) -> usize {
        self.inline.iter().chain(&self.more).map(|w| w.count_ones() as usize).sum()
    }

    /// Whether the set holds no field.
    pub fn is_empty(&self) -> bool {
        self.inline.iter().chain(&self.more).all(|&w| w == 0)
    }
}

/// The set bits of one word, lowest first, offset by `base`.
struct Ones {
    bits: u64,
    base: u32,
}

impl Iterator for Ones {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        if self.bits == 0 {
            return None;
        }
        let bit = self.bits.trailing_zeros();
        self.bits &= self.bits - 1;
        Some(self.base + bit)
    }
}

#[cfg(test)]
mod tests {
    use super::FieldBits;

    #[test]
    fn lists_counts_and_empties_across_inline_and_spilled_words() {
        let mut set = FieldBits::default();
        assert!(set.is_empty());
        assert_eq!((set.len(), set.iter().count()), (0, 0));
        let fields = [0, 1, 5, 63, 64, 100, 127, 128, 130, 191, 192, 300];
        for field in fields.iter().rev() {
            set.insert(*field);
        }
        assert_eq!(set.iter().collect::<Vec<_>>(), fields, "ascending, every word, inline and spilled");
        assert_eq!(set.len(), fields.len());
        assert!(!set.is_empty());
        for field in fields {
            set.remove(field);
        }
        assert!(set.is_empty(), "spilled words that are all zero count as empty");
        assert_eq!((set.len(), set.iter().next()), (0, None));
        set.insert(200);
        assert!(!set.is_empty(), "a spilled word alone is not empty");
    }
}
