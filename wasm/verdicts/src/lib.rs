//! The npm package's verdict path (`allows`, `checkHandles`, `allowsCreate`)
//! and its decision events' lines (when drained as lines), compiled at
//! full speed inside its size-optimised build: the core's check path is
//! `#[inline]`, so it is instantiated here, at this crate's opt-level (see
//! the workspace's `Cargo.toml`), once.
use clearance_core::activity::Lines;
use clearance_core::{Context, Dataset, Engine};

/// [`Engine::allows_at`] compiled for speed.
#[inline(never)]
pub fn allows(engine: &Engine, dataset: &Dataset, user: u32, action: u32, record: u32, context: &Context) -> Option<bool> {
    engine.allows_at(dataset, user, action, record, context)
}

/// [`Engine::allows_many`] compiled for speed.
pub fn allows_many(engine: &Engine, dataset: &Dataset, users: &[u32], actions: &[u32], records: &[u32], context: &Context) -> Vec<u8> {
    engine.allows_many_by(dataset, users, actions, records, |u, a, r| allows(engine, dataset, u, a, r, context))
}

/// [`Engine::allows_create_at`] compiled for speed.
#[inline(never)]
pub fn allows_create(engine: &Engine, user: u32, object: u32, context: &Context) -> Option<bool> {
    engine.allows_create_at(user, object, context)
}

/// [`Lines::push`] compiled for speed: a drain as lines writes one for
/// every check recorded.
///
/// # Errors
/// As [`Lines::push`].
#[inline(never)]
pub fn push_lines(lines: &mut Lines<'_>, bytes: &[u8]) -> Result<usize, clearance_core::Error> {
    lines.push(bytes)
}
