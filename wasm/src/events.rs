//! Decision events recorded by the npm package: off until
//! `recordEvents(true)`, then every `check`, `checkMany`, `allows` and
//! `checkHandles` adds one, and `drainEvents` returns those since the last
//! drain. The handle-based fast path stores 24 bytes per decision and renders
//! the full event (stage, reasons, fields) only when drained, so recording
//! costs a push, not a second evaluation.

use crate::contexts::Contexts;
use clearance_core::activity::Event;
use clearance_core::error::code;
use clearance_core::{Dataset, Error};
use wasm_bindgen::JsValue;

/// A fast-path decision awaiting rendering.
#[derive(Clone, Copy)]
pub struct Compact {
    pub user: u32,
    pub action: u32,
    pub record: u32,
    /// [`Contexts::index_of`] the context handle.
    pub context: u32,
    pub ms: f64,
}

/// Pending events, oldest first, at most `limit`.
pub struct Recorder {
    /// Events in order: full ones, or compact ones awaiting rendering.
    pending: Vec<Pending>,
    pub limit: usize,
    /// Events not kept because `limit` were already waiting.
    pub dropped: u64,
}

/// One pending event.
pub enum Pending {
    /// Rendered already (from `check`).
    Full(Box<Event<'static>>),
    /// From the fast path.
    Compact(Compact),
}

/// Default bound on pending events between drains (a full event is a few
/// hundred bytes: tens of megabytes at most).
pub const DEFAULT_LIMIT: usize = 100_000;
/// The largest bound a caller may set.
pub const MAX_LIMIT: usize = 1_000_000;

/// `recordEvents`' optional `limit`: a whole number from 1 to [`MAX_LIMIT`].
///
/// # Errors
/// `bad_value` for anything else.
pub fn limit_arg(limit: &JsValue) -> Result<Option<usize>, Error> {
    if limit.is_undefined() || limit.is_null() {
        return Ok(None);
    }
    match limit.as_f64() {
        Some(n) if n.fract() == 0.0 && (1.0..=MAX_LIMIT as f64).contains(&n) => Ok(Some(n as usize)),
        _ => Err(Error::one("/limit", code::BAD_VALUE, format!("`limit` must be a whole number from 1 to {MAX_LIMIT}"))),
    }
}

impl Recorder {
    /// An empty recorder, reusing `buffer`'s memory (a stopped recorder's).
    pub fn new(limit: usize, mut buffer: Vec<Pending>) -> Recorder {
        buffer.clear();
        // Room for the first 65,536 events up front: growing the buffer while
        // checks run would cost them copies.
        buffer.reserve(limit.clamp(1, 1 << 16));
        Recorder { pending: buffer, limit: limit.max(1), dropped: 0 }
    }

    /// The buffer, emptied, for a later recorder.
    pub fn into_buffer(mut self) -> Vec<Pending> {
        self.pending.clear();
        self.pending
    }

    /// Adds an event; when `limit` are waiting, counts it in `dropped`
    /// instead (the application drains too rarely, and can see it did).
    pub fn push(&mut self, event: Pending) {
        if self.pending.len() >= self.limit {
            self.dropped += 1;
        } else {
            self.pending.push(event);
        }
    }

    /// Renders every pending compact event against the records they were
    /// decided on (called before the records change, and by `drain`).
    pub fn settle(&mut self, engine: &clearance_core::Engine, dataset: &Dataset, contexts: &Contexts) {
        for slot in &mut self.pending {
            if let Pending::Compact(c) = *slot
                && let Some(context) = contexts.by_index(c.context)
                && let Some(event) = engine.event_at(dataset, c.user, c.action, c.record, context, c.ms as i64)
            {
                *slot = Pending::Full(Box::new(event));
            }
        }
    }

    /// Every pending event, rendered, oldest first; the recorder is left empty.
    pub fn drain(&mut self, engine: &clearance_core::Engine, dataset: &Dataset, contexts: &Contexts) -> Vec<Event<'static>> {
        self.settle(engine, dataset, contexts);
        self.pending
            .drain(..)
            .filter_map(|p| match p {
                Pending::Full(event) => Some(*event),
                Pending::Compact(_) => None,
            })
            .collect()
    }
}
