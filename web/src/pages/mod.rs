//! One file per page.

pub mod data;
pub mod lint;
pub mod org;
pub mod permissions;
pub mod simulate;
pub mod who;
