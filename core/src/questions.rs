//! The questions around the decision (SPEC §3): which records a user may
//! access (filter), who may access a record (who-can), fields and redaction.
//! Every answer is confirmed by the same stages as `check`, so they agree.

mod candidates;
mod filter;
pub(crate) mod matrix;
mod redact;
mod who_can;

pub use filter::FilterHit;
pub use matrix::Matrix;
pub use who_can::WhoCanHit;
