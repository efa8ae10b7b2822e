//! A plain request's four ids cross as one string and three lengths: each
//! string passed to wasm costs an allocation and an encoding loop in the
//! generated glue, a third of a plain `check`'s time in the glue when
//! there were four.

/// `ids` cut into user, action, object and record id, the first three
/// `lengths` long in UTF-16 code units (JavaScript's `length`); `None`
/// when the lengths do not fit `ids`.
pub fn split(ids: &str, lengths: [u32; 3]) -> Option<[&str; 4]> {
    let [a, b, c] = if ids.is_ascii() { ascii_cuts(lengths) } else { utf16_cuts(ids, lengths)? };
    Some([ids.get(..a)?, ids.get(a..b)?, ids.get(b..c)?, ids.get(c..)?])
}

/// Byte offsets of the cuts when every unit is a byte.
fn ascii_cuts(lengths: [u32; 3]) -> [usize; 3] {
    let a = lengths[0] as usize;
    let b = a.saturating_add(lengths[1] as usize);
    [a, b, b.saturating_add(lengths[2] as usize)]
}

/// Byte offsets of the cuts, counting each char's UTF-16 units.
fn utf16_cuts(ids: &str, lengths: [u32; 3]) -> Option<[usize; 3]> {
    let mut cuts = [0; 3];
    let (mut chars, mut units, mut target) = (ids.char_indices(), 0, 0);
    for (cut, length) in cuts.iter_mut().zip(lengths) {
        target += length as usize;
        while units < target {
            units += chars.next()?.1.len_utf16();
        }
        if units != target {
            return None;
        }
        *cut = chars.offset();
    }
    Some(cuts)
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn cuts_at_utf16_lengths() {
        assert_eq!(split("aliceread Account acc_1", [5, 4, 8]), Some(["alice", "read", " Account", " acc_1"]));
        // `é` is one unit, `𝒜` two (a surrogate pair), in JavaScript's count.
        assert_eq!(split("éa𝒜bcd", [2, 2, 1]), Some(["éa", "𝒜", "b", "cd"]));
        assert_eq!(split("abc", [0, 0, 3]), Some(["", "", "abc", ""]));
        assert_eq!(split("abc", [1, 1, 2]), None);
        // A cut inside a surrogate pair fits no char boundary.
        assert_eq!(split("𝒜bc", [1, 1, 1]), None);
    }
}
