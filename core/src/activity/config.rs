//! Thresholds of activity analysis, set in the policy file under `activity`
//! (every key optional; the defaults suit a CRM's working day).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Thresholds of `clearance activity analyze`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ActivityConfig {
    /// A day is a volume spike when it has more than `spike_factor` times the
    /// user's median daily count …
    pub spike_factor: f64,
    /// … and at least this many events.
    pub spike_min_events: u32,
    /// Denials (`no_record_access`, `forbidden`, `no_privilege`) within this
    /// many minutes …
    pub burst_window_minutes: u32,
    /// … at least this many times are a burst (probing).
    pub burst_denials: u32,
    /// An hour of the day is usual for a user when they were active in it on
    /// at least this share of their active days …
    pub usual_hour_share: f64,
    /// … or on at least this many days.
    pub usual_hour_days: u32,
    /// Baselines (usual hours, volume) need this many active days first.
    pub min_history_days: u32,
    /// Allowed exports per user and day before a finding.
    pub export_threshold: u32,
    /// Reads of sensitive fields per user and day before a finding.
    pub sensitive_threshold: u32,
    /// IPv4 addresses are grouped into ranges of this prefix length …
    pub ip_prefix_v4: u8,
    /// … IPv6 addresses into ranges of this one.
    pub ip_prefix_v6: u8,
    /// A range first seen after this many days of a user's history is new.
    pub ip_learning_days: u32,
    /// A privilege (action on an object) used after this many days without
    /// use is dormant: a revocation candidate.
    pub dormant_days: u32,
    /// Local time for users without login hours, in minutes east of UTC.
    pub utc_offset_minutes: i32,
}

impl ActivityConfig {
    /// Reports thresholds outside their sensible range.
    pub(crate) fn validate(&self, path: &str, problems: &mut crate::error::Problems) {
        let mut out_of_range = |key: &str, ok: bool, range: &str| {
            if !ok {
                problems.push(crate::error::join(path, key), crate::error::code::BAD_VALUE, format!("`{key}` must be {range}"));
            }
        };
        out_of_range("spike_factor", self.spike_factor.is_finite() && self.spike_factor >= 1.0, "a number of at least 1");
        out_of_range("usual_hour_share", (0.0..=1.0).contains(&self.usual_hour_share), "between 0 and 1");
        out_of_range("burst_window_minutes", self.burst_window_minutes >= 1, "at least 1");
        out_of_range("burst_denials", self.burst_denials >= 1, "at least 1");
        out_of_range("ip_prefix_v4", (1..=32).contains(&self.ip_prefix_v4), "between 1 and 32");
        out_of_range("ip_prefix_v6", (1..=128).contains(&self.ip_prefix_v6), "between 1 and 128");
        out_of_range("dormant_days", self.dormant_days >= 1, "at least 1");
        out_of_range("utc_offset_minutes", (-1440..=1440).contains(&self.utc_offset_minutes), "between -1440 and 1440");
    }
}

impl Default for ActivityConfig {
    fn default() -> Self {
        ActivityConfig {
            spike_factor: 3.0,
            spike_min_events: 50,
            burst_window_minutes: 10,
            burst_denials: 10,
            usual_hour_share: 0.1,
            usual_hour_days: 3,
            min_history_days: 5,
            export_threshold: 20,
            sensitive_threshold: 100,
            ip_prefix_v4: 24,
            ip_prefix_v6: 48,
            ip_learning_days: 7,
            dormant_days: 14,
            utc_offset_minutes: 0,
        }
    }
}
