//! Decision events recorded by the npm package: off until
//! `recordEvents(true)`, then every `check`, `checkMany`, `isAllowed`,
//! `allows`, `allowsCreate` and `checkHandles` adds one. A check appends its
//! event as bytes (`clearance_core::activity::wire`: the engine's numbers
//! and the record's id, about thirty bytes), so recording costs no
//! allocation; a drain hands them over as they are (`drainEventWire`, what
//! an edge ships) or writes their JSON Lines (`drainEventLines`).

use clearance_core::activity::{Lines, wire};
use clearance_core::error::code;
use clearance_core::{Engine, Error};
use wasm_bindgen::JsValue;

/// Pending events, oldest first, at most `limit`.
pub struct Recorder {
    /// The events' bytes, one after another.
    bytes: Vec<u8>,
    /// Where each event ends in `bytes`.
    ends: Vec<usize>,
    pub limit: usize,
    /// Events not kept because `limit` were already waiting.
    pub dropped: u64,
}

/// Default bound on pending events between drains (an event is about
/// thirty bytes: megabytes at most).
pub const DEFAULT_LIMIT: usize = 100_000;
/// The largest bound a caller may set.
pub const MAX_LIMIT: usize = 1_000_000;

/// `recordEvents`' optional `limit`, and the drains' optional most
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

/// A recorder's length before a call that may take back what it recorded.
#[derive(Clone, Copy)]
pub struct Mark(usize, u64);

impl Recorder {
    /// An empty recorder, reusing `spare`'s memory (a stopped recorder's).
    pub fn new(limit: usize, spare: Option<Recorder>) -> Recorder {
        let (mut bytes, mut ends) = spare.map(|r| (r.bytes, r.ends)).unwrap_or_default();
        bytes.clear();
        ends.clear();
        // Room for the first events up front; later growth doubles.
        let first = limit.clamp(1, 1 << 12);
        bytes.reserve(first * 32);
        ends.reserve(first);
        Recorder { bytes, ends, limit: limit.max(1), dropped: 0 }
    }

    /// Events waiting to be drained.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Where the next event is written, then [`Recorder::seal`]ed; `None`
    /// (the event counted in `dropped`) when `limit` are waiting: the
    /// application drains too rarely, and can see it did.
    pub fn room(&mut self) -> Option<&mut Vec<u8>> {
        if self.ends.len() >= self.limit {
            self.dropped += 1;
            None
        } else {
            Some(&mut self.bytes)
        }
    }

    /// Counts what was written since the last event as one event (nothing
    /// written: none).
    pub fn seal(&mut self) {
        if self.bytes.len() > self.ends.last().copied().unwrap_or(0) {
            self.ends.push(self.bytes.len());
        }
    }

    /// Where the recorder stands, to [`Recorder::undo`] back to.
    pub fn mark(&self) -> Mark {
        Mark(self.ends.len(), self.dropped)
    }

    /// Forgets the events recorded since `mark` (a call that failed records nothing).
    pub fn undo(&mut self, Mark(len, dropped): Mark) {
        self.ends.truncate(len);
        self.bytes.truncate(self.ends.last().copied().unwrap_or(0));
        self.dropped = dropped;
    }

    /// The oldest `most` pending events' bytes and their count, removed
    /// from the recorder.
    pub fn drain(&mut self, most: usize) -> (Vec<u8>, usize) {
        let take = most.min(self.ends.len());
        let Some(cut) = take.checked_sub(1).and_then(|last| self.ends.get(last).copied()) else { return (Vec::new(), 0) };
        let taken = if take == self.ends.len() {
            let room = Vec::with_capacity(self.bytes.capacity());
            std::mem::replace(&mut self.bytes, room)
        } else {
            self.bytes.drain(..cut).collect()
        };
        self.ends.drain(..take);
        self.ends.iter_mut().for_each(|end| *end -= cut);
        (taken, take)
    }
}

/// The oldest `most` events as JSON Lines, each naming `revision` when given.
///
/// # Errors
/// None in practice: the bytes are `engine`'s own events.
pub fn lines(recorder: &mut Recorder, engine: &Engine, revision: Option<u64>, most: usize) -> Result<String, Error> {
    let (bytes, count) = recorder.drain(most);
    let mut lines = Lines::new(engine, revision, count * 160);
    clearance_verdicts::push_lines(&mut lines, &bytes)?;
    Ok(lines.text)
}

/// The oldest `most` events as a batch to ship (`wire::batch`): read back
/// only against the engine of `revision`, which the control plane has.
///
/// # Errors
/// `bad_bundle` when the engine did not come from a published bundle: no
/// one else could read the events.
pub fn batch(recorder: &mut Recorder, revision: Option<u64>, most: usize) -> Result<Vec<u8>, Error> {
    let Some(revision) = revision else {
        return Err(Error::one(
            "",
            code::BAD_BUNDLE,
            "events ship as bytes only from an engine loaded from a published bundle (its revision names the engine that reads them): drain them as lines",
        ));
    };
    let (bytes, count) = recorder.drain(most);
    Ok(wire::batch(revision, count, &bytes))
}
