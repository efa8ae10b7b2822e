//! The `clearance` command-line tool's reusable parts: reading policies,
//! datasets and test files from disk. The binary's commands live in
//! `commands/`; the scenario corpus in `tests/` loads files through here, so
//! users' `clearance test` and our own corpus read test files the same way.

pub mod load;
pub mod store;
