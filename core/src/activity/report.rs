//! The analysis's end: each user's baselines learnt, the findings
//! detected, and the report's totals. Apart from the analyzer (which only
//! gathers) and the detectors (which only judge), so neither imports the
//! other's caller.

use super::analyze::{Analyzer, DAY_MS, DayTally, NamedTally, Report};
use super::detect::Found;
use crate::clock::format_rfc3339;

impl Analyzer<'_> {
    /// Learns the baselines and reports the findings.
    pub fn finish(self) -> Report {
        let mut findings = Vec::new();
        for (u, state) in self.states.iter().enumerate() {
            let user = &self.user_ids[u];
            let mut found = Found { analyzer: &self, user, findings: &mut findings };
            found.volume(state);
            found.bursts(state);
            found.hours(state);
            found.thresholds(state);
            found.ranges(state);
            found.dormant(state);
        }
        findings.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.from.cmp(&b.from)).then_with(|| a.user.cmp(&b.user)));
        let top = |mut list: Vec<NamedTally>| {
            list.sort_by(|a, b| b.tally.events.cmp(&a.tally.events).then_with(|| a.name.cmp(&b.name)));
            list.truncate(10);
            list
        };
        Report {
            events: self.events,
            users: self.states.len() as u64,
            from: self.span.map(|(a, _)| format_rfc3339(a)),
            to: self.span.map(|(_, b)| format_rfc3339(b)),
            timeline: self
                .timeline
                .iter()
                .map(|(&day, tally)| DayTally { day: format_rfc3339(day * DAY_MS)[..10].to_owned(), tally: tally.clone() })
                .collect(),
            top_users: top(self
                .user_ids
                .iter()
                .zip(&self.states)
                .map(|(id, s)| NamedTally { name: id.to_string(), tally: s.tally.clone() })
                .collect()),
            top_objects: top(self
                .objects
                .iter()
                .map(|(&o, t)| NamedTally { name: self.name_list[o as usize].to_string(), tally: t.clone() })
                .collect()),
            skipped: self.skipped,
            skipped_count: self.skipped_count,
            findings,
        }
    }
}
