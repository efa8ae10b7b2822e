//! One file per page.

pub mod account;
pub mod activity;
pub mod audit;
pub mod data;
pub mod enroll;
pub mod fleet;
pub mod lint;
pub mod org;
pub mod permissions;
pub mod requests;
pub mod reviews;
pub mod sign_in;
pub mod simulate;
pub mod versions;
pub mod who;
