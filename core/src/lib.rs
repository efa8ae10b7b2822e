//! Clearance's engine: decides who may see and change which CRM records and
//! fields, and explains why. Pure: no I/O, so the same code runs natively,
//! in the browser and in edge runtimes.
//!
//! ```
//! use clearance_core::{Engine, Request};
//! let engine = Engine::from_json(r#"{
//!   "schema": {"objects": {"Account": {"fields": {"name": {"type": "string"}}}}},
//!   "roles": [{"id": "rep"}],
//!   "users": [{"id": "ann", "role": "rep", "profile": "sales"}],
//!   "bundles": {"profiles": {"sales": {"objects": {"Account": {"read": "own"}}}}}
//! }"#).unwrap();
//! let request: Request = serde_json::from_str(r#"{"user": "ann", "action": "read", "object": "Account",
//!   "record": {"id": "a1", "object": "Account", "owner": "ann", "fields": {"name": "Acme"}}}"#).unwrap();
//! let decision = engine.check(&request, None).unwrap();
//! assert!(decision.allowed);
//! ```

pub mod activity;
pub mod api;
pub mod audit;
pub mod bundle;
pub mod change;
mod check;
pub mod checkpoint;
mod cidr;
mod clock;
pub mod compact;
mod compile;
pub mod condition;
mod dataset;
mod decision;
pub mod diff;
mod engine;
pub mod error;
mod explain;
mod fields;
pub mod generate;
mod hex;
mod id_index;
mod json;
pub mod lint;
mod output;
/// The access matrix: users in classes, records named by terms.
pub mod matrix {
    pub use crate::questions::matrix::{Access, Matrix, Slot, Term, UserClass};
}
pub mod plan;
pub mod policy;
mod questions;
mod render;
mod request;
pub mod suite;
mod value;

pub use check::{Prepared, Query};
pub use cidr::Cidr;
pub use clock::{format_rfc3339, parse_rfc3339};
pub use dataset::{Dataset, Record, RecordRef, parse_records};
pub use decision::{Decision, Denial, FieldSets, Reason, Stage};
pub use engine::{Engine, Principal};
pub use error::{Code, Error, Problem};
pub use explain::{Lang, Subject, explain};
pub use fields::FieldBits;
pub use json::parse_json;
pub use policy::{Policy, decode_policy, parse_policy};
pub use questions::{FilterHit, Matrix, WhoCanHit};
pub use render::{DecisionOut, DenialOut, FieldsOut, ReasonOut};
pub use request::{Context, RecordInput, Request, Share, TeamMember};
pub use value::Value;

/// The JSON Schema of the policy file, generated from the Rust types.
pub fn policy_json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Policy)).unwrap_or_default()
}
