//! Decision events recorded by the npm package: off until
//! `recordEvents(true)`, then every `check`, `checkMany`, `allows` and
//! `checkHandles` adds one, and `drainEventLines` returns those since the
//! last drain. A check keeps its event compact (the engine's numbers, see
//! `clearance_core::activity::Logged`) and the handle-based fast path keeps
//! only its positions (rendered when drained), so recording costs a push,
//! not a second evaluation or a dozen strings.

use crate::contexts::Contexts;
use clearance_core::activity::{Lines, Logged};
use clearance_core::error::code;
use clearance_core::{Dataset, Error};
use wasm_bindgen::JsValue;

/// A fast-path decision awaiting its evaluation.
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
    /// Events in order: decided ones, or fast-path ones awaiting evaluation.
    pending: Vec<Pending>,
    pub limit: usize,
    /// Events not kept because `limit` were already waiting.
    pub dropped: u64,
}

/// One pending event.
pub enum Pending {
    /// Decided (by `check`).
    Logged(Logged),
    /// From the fast path.
    Compact(Compact),
}

/// Default bound on pending events between drains (a compact event is
/// under a hundred bytes: megabytes at most).
pub const DEFAULT_LIMIT: usize = 100_000;
/// The largest bound a caller may set.
pub const MAX_LIMIT: usize = 1_000_000;

/// `recordEvents`' optional `limit`, and `drainEventLines`' optional most
/// events: a whole number from 1 to [`MAX_LIMIT`].
///
/// # Errors
/// `bad_value` for anything else.
pub fn limit_arg(limit: &JsValue, name: &str) -> Result<Option<usize>, Error> {
    if limit.is_undefined() || limit.is_null() {
        return Ok(None);
    }
    match limit.as_f64() {
        Some(n) if n.fract() == 0.0 && (1.0..=MAX_LIMIT as f64).contains(&n) => Ok(Some(n as usize)),
        _ => Err(Error::one(format!("/{name}"), code::BAD_VALUE, format!("`{name}` must be a whole number from 1 to {MAX_LIMIT}"))),
    }
}

impl Recorder {
    /// An empty recorder, reusing `buffer`'s memory (a stopped recorder's).
    pub fn new(limit: usize, mut buffer: Vec<Pending>) -> Recorder {
        buffer.clear();
        // Room for the first events up front; later growth doubles (a
        // copy per doubling: amortised, a few bytes per event).
        buffer.reserve(limit.clamp(1, 1 << 12));
        Recorder { pending: buffer, limit: limit.max(1), dropped: 0 }
    }

    /// The buffer, emptied, for a later recorder.
    pub fn into_buffer(mut self) -> Vec<Pending> {
        self.pending.clear();
        self.pending
    }

    /// Events waiting to be drained.
    pub fn len(&self) -> usize {
        self.pending.len()
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

    /// Decides every pending fast-path event against the records and
    /// contexts they were decided on (called before those change).
    pub fn settle(&mut self, engine: &clearance_core::Engine, dataset: &Dataset, contexts: &Contexts) {
        for slot in &mut self.pending {
            if let Pending::Compact(c) = *slot
                && let Some(event) = decided(c, engine, dataset, contexts)
            {
                *slot = Pending::Logged(event);
            }
        }
    }

    /// The oldest `most` pending events as JSON Lines (each naming
    /// `revision` when given), removed from the recorder.
    pub fn drain(
        &mut self,
        engine: &clearance_core::Engine,
        dataset: &Dataset,
        contexts: &Contexts,
        revision: Option<u64>,
        most: usize,
    ) -> String {
        let take = most.min(self.pending.len());
        let mut lines = Lines::new(engine, revision, take * 160);
        // Only the events drained are decided now; the rest wait (and are
        // settled before the records or contexts change, as ever).
        for pending in self.pending.drain(..take) {
            let event = match pending {
                Pending::Logged(event) => Some(event),
                Pending::Compact(c) => decided(c, engine, dataset, contexts),
            };
            if let Some(event) = event {
                clearance_verdicts::push_line(&mut lines, &event);
            }
        }
        lines.text
    }
}

/// A fast-path decision's event, decided against the records and context it
/// was made with (`None` when they no longer name it).
fn decided(c: Compact, engine: &clearance_core::Engine, dataset: &Dataset, contexts: &Contexts) -> Option<Logged> {
    engine.logged_at(dataset, c.user, c.action, c.record, contexts.by_index(c.context)?, c.ms as i64)
}
