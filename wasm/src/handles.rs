//! Handles tied to what issued them. A handle is a JavaScript number
//! `tag × 2^32 + index`: the tag names the engine and the kind (user,
//! action, object, context) or the loaded records (records) that issued it,
//! so a handle of another engine or kind, of records since replaced, or of a
//! freed engine is refused, never read as some other user's or record's
//! position. Every number that is not
//! exactly such a value (NaN, a fraction, a negative number, one below 2^32,
//! one beyond 2^53, and what JavaScript turns `undefined`, strings or objects
//! into) is refused the same way.
//!
//! Tags count up from 1 and wrap at 2^21, skipping tags still in use, so a
//! live engine's tag is never issued twice; a handle kept two million
//! engines after its own was freed is the one case left (documented).

use std::cell::RefCell;

/// Code of a refused handle.
pub const BAD_HANDLE: clearance_core::Code = clearance_core::Code::BadHandle;

/// Bits of a handle below its tag.
const INDEX_BITS: u32 = 32;
/// Tags are below this (2^53 / 2^32: handles stay exact JavaScript integers).
const TAG_LIMIT: u32 = 1 << 21;

thread_local! {
    static ALLOCATOR: RefCell<Allocator> = const { RefCell::new(Allocator { next: 1, live: Vec::new() }) };
}

struct Allocator {
    next: u32,
    /// Tags in use (a few per engine: its own and its records').
    live: Vec<u32>,
}

/// A tag in use; released when dropped.
#[derive(Debug, PartialEq, Eq)]
pub struct Tag(u32);

impl Tag {
    /// A tag no live owner has.
    pub fn new() -> Tag {
        ALLOCATOR.with(|tags| {
            let mut tags = tags.borrow_mut();
            loop {
                let tag = tags.next;
                tags.next = if tag + 1 >= TAG_LIMIT { 1 } else { tag + 1 };
                if !tags.live.contains(&tag) {
                    tags.live.push(tag);
                    return Tag(tag);
                }
            }
        })
    }

    /// The handle of `index` under this tag.
    pub fn handle(&self, index: u32) -> f64 {
        ((u64::from(self.0) << INDEX_BITS) | u64::from(index)) as f64
    }

    /// The index a handle of this tag names; `None` for anything else.
    #[inline]
    pub fn index(&self, handle: f64) -> Option<u32> {
        // `as` saturates: NaN and negatives become 0, which no tag owns;
        // the round trip refuses fractions, -0 and values beyond 2^64.
        let bits = handle as u64;
        (bits as f64 == handle && bits >> INDEX_BITS == u64::from(self.0)).then_some(bits as u32)
    }

    /// [`Tag::index`] of every handle, `u32::MAX` (a position no engine has) for a refused one.
    pub fn indices(&self, handles: &[f64]) -> Vec<u32> {
        handles.iter().map(|&h| self.index(h).unwrap_or(u32::MAX)).collect()
    }
}

/// An engine's tags, one per kind of handle (records have theirs apart:
/// they change with every `loadRecords`).
#[derive(Default)]
pub struct Tags {
    /// Users.
    pub user: Tag,
    /// Actions.
    pub action: Tag,
    /// Object types.
    pub object: Tag,
    /// Contexts.
    pub context: Tag,
}

/// A refused handle as an error message shows it, without float formatting
/// (which would add kilobytes to the package): whole numbers as such.
pub fn shown(handle: f64) -> String {
    let whole = handle as i64;
    if whole as f64 == handle { whole.to_string() } else { "a number that is not a whole number".to_owned() }
}

impl Default for Tag {
    fn default() -> Tag {
        Tag::new()
    }
}

impl Drop for Tag {
    fn drop(&mut self) {
        // `try_with`: a tag dropped while its thread ends has nothing left to release.
        let _ = ALLOCATOR.try_with(|tags| tags.borrow_mut().live.retain(|&t| t != self.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handle_is_read_back_only_by_its_own_tag() {
        let (a, b) = (Tag::new(), Tag::new());
        assert_ne!(a, b);
        for index in [0, 1, 41, u32::MAX - 1] {
            let h = a.handle(index);
            assert_eq!(a.index(h), Some(index));
            assert_eq!(b.index(h), None);
        }
    }

    #[test]
    fn numbers_that_are_not_handles_are_refused() {
        let tag = Tag::new();
        let h = tag.handle(7);
        for bad in
            [f64::NAN, -1.0, -0.0, 0.0, 7.0, h + 0.5, h - 0.25, -h, f64::INFINITY, f64::NEG_INFINITY, 2f64.powi(64), 2f64.powi(53) + 2.0]
        {
            assert_eq!(tag.index(bad), None, "{bad}");
        }
        assert_eq!(tag.indices(&[h, f64::NAN, 3.0]), vec![7, u32::MAX, u32::MAX]);
    }

    #[test]
    fn tags_wrap_without_reissuing_a_live_one() {
        let kept = Tag::new();
        let mut seen_wrap = false;
        let mut last = kept.0;
        for _ in 0..TAG_LIMIT + 2 {
            let t = Tag::new();
            assert_ne!(t.0, kept.0, "a live tag was issued again");
            assert!(t.0 >= 1 && t.0 < TAG_LIMIT);
            seen_wrap |= t.0 < last;
            last = t.0;
        }
        assert!(seen_wrap);
        assert!(kept.handle(u32::MAX) < 2f64.powi(53), "handles are exact JavaScript integers");
    }
}
