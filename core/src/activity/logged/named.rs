//! The user and the record a recorded decision names, kept as places
//! rather than copied ids: an edge records every check, and copying two
//! ids into fresh allocations was a fifth of what recording one cost on
//! the npm package's fast path (bench/README.md, issue 18, 2026-12-07
//! evening). The ids are read only when the event's line is written.

use crate::dataset::{Dataset, RecordRef, RecordStore};
use crate::engine::Engine;
use std::sync::Arc;

/// The acting user: a position in the engine's users (a [`super::Logged`]
/// is always read against the engine that recorded it), or the id itself
/// when the engine has no such user (a check for an unknown user is a deny,
/// and is recorded too).
#[derive(Clone)]
pub(super) enum UserName {
    At(u32),
    Id(Box<str>),
}

impl UserName {
    /// `id`, by the position the decision found it at (`None`: unknown).
    #[inline]
    pub(super) fn of(position: Option<u32>, id: &str) -> UserName {
        position.map_or_else(|| UserName::Id(id.into()), UserName::At)
    }

    /// The id, read from `engine` (the one that recorded the event).
    #[inline]
    pub(super) fn id<'a>(&'a self, engine: &'a Engine) -> &'a str {
        match self {
            UserName::At(u) => engine.user_id(*u),
            UserName::Id(id) => id,
        }
    }
}

/// The record acted on: its place in the records it was decided on, which
/// the event keeps alive (a shared store, not a copy: replacing the
/// loaded records later cannot make the event name another record), or
/// the id of a draft that is in no loaded records (`create`).
#[derive(Clone)]
pub(super) enum RecordName {
    Stored(Arc<RecordStore>, u32),
    Draft(Box<str>),
}

impl RecordName {
    /// `record`, by its place in `dataset` when it is one of its records.
    #[inline]
    pub(super) fn of(record: RecordRef<'_>, dataset: Option<&Dataset>) -> RecordName {
        match dataset {
            Some(dataset) if dataset.holds(record) => RecordName::Stored(Arc::clone(&dataset.store), record.at),
            _ => RecordName::Draft(record.id().into()),
        }
    }

    /// The record's id.
    #[inline]
    pub(super) fn id(&self) -> &str {
        match self {
            // The place was taken from this very store, so it is in range.
            RecordName::Stored(store, at) => store.get(*at).map_or("", RecordRef::id),
            RecordName::Draft(id) => id,
        }
    }
}
