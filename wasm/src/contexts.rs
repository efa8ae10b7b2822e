//! Contexts interned for the handle path, with a lifetime: `contextHandle`
//! validates a context once and returns a handle, `freeContext` releases it.
//! At most [`LIMIT`] are live per engine (a handle per request that is
//! never freed fills the table and is refused with `too_many_contexts`,
//! instead of growing memory forever). A slot's generation changes each
//! time it is reused, and freed slots are reused oldest first, so a freed
//! handle is refused rather than read as a newer context.

use crate::handles::Tag;
use clearance_core::{Context, Error};
use std::collections::VecDeque;

/// Live contexts per engine.
pub const LIMIT: usize = 4096;
/// Bits of a context index that hold the slot's generation.
const GENERATION_BITS: u32 = 20;
const GENERATION_MASK: u32 = (1 << GENERATION_BITS) - 1;

/// An engine's interned contexts.
pub struct Contexts {
    /// Slots: the generation and, while live, the context.
    slots: Vec<(u32, Option<Context>)>,
    /// Free slots, the longest free first.
    free: VecDeque<u32>,
    empty: Context,
}

/// Code of a full context table.
pub const TOO_MANY_CONTEXTS: clearance_core::Code = clearance_core::Code::TooManyContexts;

impl Contexts {
    /// No context interned yet; handle `0` is always the empty context.
    pub fn new() -> Contexts {
        Contexts { slots: Vec::new(), free: VecDeque::new(), empty: Context::default() }
    }

    /// Interns `context`; its handle under `tag`.
    ///
    /// # Errors
    /// `too_many_contexts` when [`LIMIT`] are live.
    pub fn add(&mut self, tag: &Tag, context: Context) -> Result<f64, Error> {
        let slot = match self.free.pop_front() {
            Some(slot) => slot,
            None if self.slots.len() < LIMIT => {
                self.slots.push((0, None));
                (self.slots.len() - 1) as u32
            }
            None => {
                return Err(Error::one(
                    "",
                    TOO_MANY_CONTEXTS,
                    format!("{LIMIT} contexts are live: free the ones no longer needed with `freeContext`"),
                ));
            }
        };
        let entry = &mut self.slots[slot as usize];
        entry.1 = Some(context);
        Ok(tag.handle(slot << GENERATION_BITS | entry.0))
    }

    /// The context a handle names: `0` is the empty context.
    pub fn get(&self, tag: &Tag, handle: f64) -> Option<&Context> {
        if handle == 0.0 {
            return Some(&self.empty);
        }
        let (slot, generation) = split(tag.index(handle)?);
        match self.slots.get(slot as usize) {
            Some((g, Some(context))) if *g == generation => Some(context),
            _ => None,
        }
    }

    /// Releases a handle; its slot's next context gets a new generation.
    ///
    /// # Errors
    /// `bad_handle` for a handle that names no live context (or for `0`).
    pub fn free(&mut self, tag: &Tag, handle: f64) -> Result<(), Error> {
        let index = tag.index(handle).ok_or_else(|| bad_context(handle))?;
        let (slot, generation) = split(index);
        match self.slots.get_mut(slot as usize) {
            Some((g, context @ Some(_))) if *g == generation => {
                *context = None;
                // Generations stop short of the mask: no context's index is
                // `u32::MAX`, an index no handle has.
                *g = (*g + 1) % GENERATION_MASK;
                self.free.push_back(slot);
                Ok(())
            }
            _ => Err(bad_context(handle)),
        }
    }
}

impl Default for Contexts {
    fn default() -> Contexts {
        Contexts::new()
    }
}

fn split(index: u32) -> (u32, u32) {
    (index >> GENERATION_BITS, index & GENERATION_MASK)
}

/// The error of a handle that names nothing here.
pub fn bad_context(handle: f64) -> Error {
    Error::one(
        "",
        crate::handles::BAD_HANDLE,
        format!("context handle `{}` is not a live context of this engine", crate::handles::shown(handle)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_freed_handle_is_refused_and_its_slot_reused_under_a_new_generation() {
        let tag = Tag::new();
        let mut contexts = Contexts::new();
        let a = contexts.add(&tag, Context::default()).unwrap();
        assert!(contexts.get(&tag, a).is_some());
        contexts.free(&tag, a).unwrap();
        assert!(contexts.get(&tag, a).is_none());
        assert!(contexts.free(&tag, a).is_err(), "a double free is an error");
        let b = contexts.add(&tag, Context::default()).unwrap();
        assert_ne!(a, b);
        assert!(contexts.get(&tag, a).is_none(), "the old handle does not name the new context");
        assert!(contexts.get(&tag, b).is_some());
        assert!(contexts.get(&Tag::new(), b).is_none(), "another engine's tag");
        assert!(contexts.get(&tag, 0.0).is_some());
        assert!(contexts.free(&tag, 0.0).is_err());
    }

    #[test]
    fn the_table_is_bounded_and_freeing_makes_room() {
        let tag = Tag::new();
        let mut contexts = Contexts::new();
        let handles: Vec<f64> = (0..LIMIT).map(|_| contexts.add(&tag, Context::default()).unwrap()).collect();
        let full = contexts.add(&tag, Context::default()).unwrap_err();
        assert!(full.has_code(TOO_MANY_CONTEXTS));
        contexts.free(&tag, handles[9]).unwrap();
        assert_eq!(contexts.slots.len() - contexts.free.len(), LIMIT - 1);
        assert!(contexts.add(&tag, Context::default()).is_ok());
        // No index is the empty context's: the last slot's generations skip the mask.
        let mut last = Contexts { slots: vec![(0, None); LIMIT - 1], free: VecDeque::new(), empty: Context::default() };
        last.slots.push((GENERATION_MASK - 1, None));
        last.free.push_back((LIMIT - 1) as u32);
        let h = last.add(&tag, Context::default()).unwrap();
        assert_ne!(tag.index(h).unwrap_or(u32::MAX), u32::MAX);
        last.free(&tag, h).unwrap();
        last.free.retain(|&s| s == (LIMIT - 1) as u32);
        let h = last.add(&tag, Context::default()).unwrap();
        assert_ne!(tag.index(h).unwrap_or(u32::MAX), u32::MAX, "the generation wrapped past the mask");
        assert!(last.get(&tag, h).is_some());
        // 10^5 add/free cycles stay in one slot's worth of memory.
        let mut cycling = Contexts::new();
        for _ in 0..100_000 {
            let h = cycling.add(&tag, Context::default()).unwrap();
            cycling.free(&tag, h).unwrap();
        }
        assert_eq!(cycling.slots.len(), 1);
    }
}
