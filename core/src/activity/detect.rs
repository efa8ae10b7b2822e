//! The detectors: from one user's aggregates (see `analyze.rs`), the
//! baselines learned from the log itself and the findings that stand out of
//! them, each with its evidence, sentence and suggested reaction.

use super::analyze::{Analyzer, DAY_MS, HOUR_MS, MINUTE_MS, Ref, Span, UserState};
use super::config::ActivityConfig;
use super::finding::{EventRef, Finding, Kind, Sentence, sentence};
use crate::clock::format_rfc3339;

/// Example events cited per finding.
const EXAMPLES: usize = 5;

fn range_text((bits, v6): (u128, bool), (p4, p6): (u8, u8)) -> String {
    if v6 {
        format!("{}/{p6}", std::net::Ipv6Addr::from(bits))
    } else {
        format!("{}/{p4}", std::net::Ipv4Addr::from(u32::try_from(bits).unwrap_or(0)))
    }
}

/// The findings of one user, as each detector adds them.
pub(super) struct Found<'a, 'o> {
    pub(super) analyzer: &'a Analyzer<'o>,
    pub(super) user: &'a str,
    pub(super) findings: &'a mut Vec<Finding>,
}

struct Evidence<'e> {
    from_ms: i64,
    to_ms: i64,
    count: u64,
    baseline: Option<f64>,
    detail: Option<String>,
    bundle: Option<String>,
    examples: &'e [Ref],
}

impl Found<'_, '_> {
    fn config(&self) -> &ActivityConfig {
        &self.analyzer.config
    }

    fn add(&mut self, kind: Kind, evidence: Evidence<'_>) {
        let events = evidence
            .examples
            .iter()
            .take(EXAMPLES)
            .map(|r| EventRef { source: self.analyzer.sources.get(r.source as usize).cloned().unwrap_or_default(), line: r.line })
            .collect();
        let from = format_rfc3339(evidence.from_ms);
        let mut finding = Finding {
            id: format!("{}:{}:{}", kind.as_str(), self.user, &from),
            kind,
            severity: kind.severity(),
            user: self.user.to_owned(),
            from,
            to: format_rfc3339(evidence.to_ms),
            count: evidence.count,
            baseline: evidence.baseline,
            detail: evidence.detail,
            bundle: evidence.bundle,
            events,
            message: Sentence { en: String::new(), zh: String::new() },
            changes: Vec::new(),
        };
        finding.message = sentence(&finding, evidence.from_ms, evidence.to_ms);
        finding.changes = super::react::reaction(&finding, self.analyzer.org);
        self.findings.push(finding);
    }

    fn span(&mut self, kind: Kind, span: &Span, baseline: Option<f64>) {
        let evidence = Evidence {
            from_ms: span.first_ms,
            to_ms: span.last_ms,
            count: u64::from(span.count),
            baseline,
            detail: None,
            bundle: None,
            examples: &[span.example],
        };
        self.add(kind, evidence);
    }

    fn has_history(&self, state: &UserState) -> bool {
        state.days.len() >= self.config().min_history_days as usize
    }

    pub(super) fn volume(&mut self, state: &UserState) {
        if !self.has_history(state) {
            return;
        }
        let mut counts: Vec<u32> = state.days.values().filter_map(|d| d.all.map(|s| s.count)).collect();
        counts.sort_unstable();
        let median = f64::from(counts[counts.len() / 2]);
        let (factor, min) = (self.config().spike_factor, self.config().spike_min_events);
        for span in state.days.values().filter_map(|d| d.all) {
            if span.count >= min && f64::from(span.count) > factor * median {
                self.span(Kind::VolumeSpike, &span, Some(median));
            }
        }
    }

    pub(super) fn bursts(&mut self, state: &UserState) {
        let window = i64::from(self.config().burst_window_minutes);
        let need = u64::from(self.config().burst_denials);
        let minutes: Vec<(i64, Span)> = state.denials.iter().map(|(&m, &s)| (m, s)).collect();
        // Windows [m, m + window) that hold enough denials, merged when they overlap.
        let mut clusters: Vec<(usize, usize)> = Vec::new();
        let (mut end, mut sum) = (0, 0u64);
        for start in 0..minutes.len() {
            while end < minutes.len() && minutes[end].0 < minutes[start].0 + window {
                sum += u64::from(minutes[end].1.count);
                end += 1;
            }
            if sum >= need {
                match clusters.last_mut() {
                    Some(last) if last.1 > start => last.1 = last.1.max(end),
                    _ => clusters.push((start, end)),
                }
            }
            sum -= u64::from(minutes[start].1.count);
        }
        for (a, b) in clusters {
            let part = &minutes[a..b];
            let examples: Vec<Ref> = part.iter().map(|(_, s)| s.example).collect();
            let evidence = Evidence {
                from_ms: part.iter().map(|(_, s)| s.first_ms).min().unwrap_or(0),
                to_ms: part.iter().map(|(_, s)| s.last_ms).max().unwrap_or(0),
                count: part.iter().map(|(_, s)| u64::from(s.count)).sum(),
                baseline: Some(need as f64),
                detail: None,
                bundle: None,
                examples: &examples,
            };
            self.add(Kind::DenialBurst, evidence);
        }
    }

    pub(super) fn hours(&mut self, state: &UserState) {
        if !self.has_history(state) {
            return;
        }
        let mut active = [0u32; 24];
        for day in state.days.values() {
            for (h, &n) in day.hours.iter().enumerate() {
                active[h] += u32::from(n > 0);
            }
        }
        let days = state.days.len() as f64;
        let need = (self.config().usual_hour_share * days).ceil().max(f64::from(self.config().usual_hour_days));
        let usual: Vec<bool> = active.iter().map(|&n| f64::from(n) >= need).collect();
        for (&day, record) in state.days.iter() {
            let mut h = 0;
            while h < 24 {
                if usual[h] || record.hours[h] == 0 {
                    h += 1;
                    continue;
                }
                let start = h;
                while h < 24 && !usual[h] && record.hours[h] > 0 {
                    h += 1;
                }
                let count: u64 = record.hours[start..h].iter().map(|&n| u64::from(n)).sum();
                let examples: Vec<Ref> =
                    record.hour_examples.iter().filter(|(x, _)| (start..h).contains(&usize::from(*x))).map(|(_, r)| *r).collect();
                let local_start = day * DAY_MS + start as i64 * HOUR_MS;
                let evidence = Evidence {
                    from_ms: local_start - state.offset_ms,
                    to_ms: local_start + (h - start) as i64 * HOUR_MS - 1 - state.offset_ms,
                    count,
                    baseline: None,
                    detail: Some(format!("{start:02}:00–{h:02}:00 {}", offset_text(state.offset_ms))),
                    bundle: None,
                    examples: &examples,
                };
                self.add(Kind::UnusualHours, evidence);
            }
        }
    }

    pub(super) fn thresholds(&mut self, state: &UserState) {
        let (exports, sensitive) = (self.config().export_threshold, self.config().sensitive_threshold);
        for day in state.days.values() {
            if let Some(span) = day.outside {
                self.span(Kind::OutsideLoginHours, &span, None);
            }
            if let Some(span) = day.exports.filter(|s| s.count > exports) {
                self.span(Kind::ExportVolume, &span, Some(f64::from(exports)));
            }
            if let Some(span) = day.sensitive.filter(|s| s.count > sensitive) {
                self.span(Kind::SensitiveReads, &span, Some(f64::from(sensitive)));
            }
        }
    }

    pub(super) fn ranges(&mut self, state: &UserState) {
        let learned = state.first_ms + i64::from(self.config().ip_learning_days) * DAY_MS;
        let prefixes = (self.config().ip_prefix_v4, self.config().ip_prefix_v6);
        let mut fresh: Vec<(&(u128, bool), &Span)> = state.ranges.iter().filter(|(_, s)| s.first_ms >= learned).collect();
        fresh.sort_by_key(|(_, s)| s.first_ms);
        for (key, span) in fresh {
            let evidence = Evidence {
                from_ms: span.first_ms,
                to_ms: span.last_ms,
                count: u64::from(span.count),
                baseline: None,
                detail: Some(range_text(*key, prefixes)),
                bundle: None,
                examples: &[span.example],
            };
            self.add(Kind::NewIpRange, evidence);
        }
    }

    pub(super) fn dormant(&mut self, state: &UserState) {
        let gap = i64::from(self.config().dormant_days);
        let first_day = (state.first_ms + state.offset_ms).div_euclid(DAY_MS);
        for (&(action, object), privilege) in state.privileges.iter() {
            let mut previous = first_day;
            let mut used_before = false;
            for (&day, span) in privilege.days.iter() {
                let idle = day - previous - i64::from(used_before);
                if idle >= gap {
                    let names = &self.analyzer.name_list;
                    let evidence = Evidence {
                        from_ms: span.first_ms,
                        to_ms: span.last_ms,
                        count: u64::from(span.count),
                        baseline: Some(gap as f64),
                        detail: Some(format!("{} {}", names[action as usize], names[object as usize])),
                        bundle: privilege.bundle.map(|b| names[b as usize].to_string()),
                        examples: &[span.example],
                    };
                    self.add(Kind::DormantPrivilege, evidence);
                }
                previous = day;
                used_before = true;
            }
        }
    }
}

fn offset_text(offset_ms: i64) -> String {
    let minutes = offset_ms / MINUTE_MS;
    if minutes == 0 {
        return "UTC".to_owned();
    }
    let sign = if minutes < 0 { '-' } else { '+' };
    format!("UTC{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60)
}
