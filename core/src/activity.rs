//! Activity monitoring: what users actually do with their access. Decision
//! events (`event.rs`, JSON Lines) are recorded by the CLI and the npm
//! package; `analyze.rs` streams any number of them into per-user baselines
//! and reports anomalies (`finding.rs`) with evidence and a sentence in
//! English and Chinese; `react.rs` turns a finding into a change set;
//! `synth.rs` generates a month of activity with injected anomalies.
//! Thresholds live in the policy file under `activity` (`config.rs`).

mod analyze;
mod config;
mod detect;
mod event;
mod finding;
mod keyed;
mod line;
mod merge;
mod react;
mod report;
pub mod synth;
pub mod wire;

pub use analyze::{Analyzer, DayTally, LineProblem, NamedTally, Report, Tally, analyze_texts};
pub use config::ActivityConfig;
pub use event::{BAD_EVENT, Event, Text, parse_line, to_lines};
pub use finding::{EventRef, Finding, Kind, Sentence, Severity};
pub use react::reaction;
pub use wire::Lines;

use crate::clock::Hours;
use crate::engine::Engine;

impl Engine {
    /// The login hours of every bundle the user holds (all must admit a request).
    pub(crate) fn login_hours(&self, user: &str) -> Vec<Hours> {
        let Some(u) = self.user_at(user) else {
            return Vec::new();
        };
        let merged = &self.merged[self.users[u as usize].merged as usize];
        merged.hours_bundles.iter().filter_map(|&b| self.bundles[b as usize].hours).collect()
    }

    /// The fields of `object` marked sensitive in the schema (none for an unknown object).
    pub(crate) fn sensitive_fields(&self, object: &str) -> Box<[Box<str>]> {
        self.object_id(object)
            .map(|o| self.objects[o as usize].fields.iter().filter(|f| f.sensitive).map(|f| f.name.clone()).collect())
            .unwrap_or_default()
    }
}
