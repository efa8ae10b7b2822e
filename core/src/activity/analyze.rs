//! Streaming analysis: one pass folds every event into per-user aggregates
//! (per day, per minute of denial, per IP range, per privilege); `finish`
//! learns each user's baselines from those aggregates and reports what
//! stands out. Memory grows with users × active days, never with events,
//! and the order of events does not matter.

use super::config::ActivityConfig;
use super::event::{Event, parse_line};
use super::finding::Finding;
use super::keyed::Keyed;
use crate::clock::Hours;
use crate::decision::Stage;
use crate::engine::Engine;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;

pub(super) const DAY_MS: i64 = 86_400_000;
pub(super) const HOUR_MS: i64 = 3_600_000;
pub(super) const MINUTE_MS: i64 = 60_000;

/// A line that could not be read, reported and skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineProblem {
    /// The log's name.
    pub source: String,
    /// The line, counting from 1.
    pub line: u64,
    /// Stable code (`json_syntax`, `bad_event`).
    pub code: String,
    /// What is wrong.
    pub message: String,
}

/// Events and denials of one day (or one user, or one object).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Events.
    pub events: u64,
    /// Denied events.
    pub denied: u64,
}

/// One day of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTally {
    /// The day, `YYYY-MM-DD` (UTC).
    pub day: String,
    /// Its counts.
    #[serde(flatten)]
    pub tally: Tally,
}

/// A name with its counts (top users, top objects).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedTally {
    /// The user id or object name.
    pub name: String,
    /// Its counts.
    #[serde(flatten)]
    pub tally: Tally,
}

/// The result of an analysis (read back by the admin app from the
/// server's analysis of the fleet's logs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Events read.
    pub events: u64,
    /// Distinct users.
    pub users: u64,
    /// First event time, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Last event time, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Lines skipped, each with its line number (at most 1,000 listed).
    pub skipped: Vec<LineProblem>,
    /// How many lines were skipped in all.
    pub skipped_count: u64,
    /// Events and denials per UTC day.
    pub timeline: Vec<DayTally>,
    /// The ten busiest users.
    pub top_users: Vec<NamedTally>,
    /// The ten busiest objects.
    pub top_objects: Vec<NamedTally>,
    /// Findings, most severe first, then by time.
    pub findings: Vec<Finding>,
}

#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Ref {
    pub(super) source: u32,
    pub(super) line: u64,
}

/// A count with the time span and first example of what it counts.
#[derive(Clone, Copy, Debug)]
pub(super) struct Span {
    pub(super) count: u32,
    pub(super) first_ms: i64,
    pub(super) last_ms: i64,
    pub(super) example: Ref,
}

impl Span {
    fn new(ms: i64, at: Ref) -> Span {
        Span { count: 1, first_ms: ms, last_ms: ms, example: at }
    }

    fn include(&mut self, ms: i64, at: Ref) {
        self.count = self.count.saturating_add(1);
        if ms < self.first_ms {
            self.first_ms = ms;
            self.example = at;
        }
        self.last_ms = self.last_ms.max(ms);
    }

    fn add(slot: &mut Option<Span>, ms: i64, at: Ref) {
        match slot {
            Some(span) => span.include(ms, at),
            None => *slot = Some(Span::new(ms, at)),
        }
    }

    /// Counts an event into the span under `key`.
    fn add_at<K: Ord + Copy>(map: &mut Keyed<K, Span>, key: K, ms: i64, at: Ref) {
        let (span, made) = map.slot(key, || Span::new(ms, at));
        if !made {
            span.include(ms, at);
        }
    }
}

/// One user's local day.
#[derive(Debug, Default)]
pub(super) struct Day {
    pub(super) all: Option<Span>,
    pub(super) exports: Option<Span>,
    pub(super) sensitive: Option<Span>,
    pub(super) outside: Option<Span>,
    /// Events per local hour.
    pub(super) hours: [u32; 24],
    /// The first example of each active hour.
    pub(super) hour_examples: Vec<(u8, Ref)>,
}

#[derive(Debug, Default)]
pub(super) struct Privilege {
    /// Uses on each local day.
    pub(super) days: Keyed<i64, Span>,
    pub(super) bundle: Option<u32>,
}

#[derive(Debug)]
pub(super) struct UserState {
    pub(super) offset_ms: i64,
    pub(super) hours: Vec<Hours>,
    pub(super) days: Keyed<i64, Day>,
    pub(super) denials: Keyed<i64, Span>,
    pub(super) ranges: Keyed<(u128, bool), Span>,
    pub(super) privileges: Keyed<(u32, u32), Privilege>,
    pub(super) first_ms: i64,
    pub(super) tally: Tally,
}

/// Streams events into per-user aggregates; [`Analyzer::finish`] reports.
pub struct Analyzer<'o> {
    pub(super) config: ActivityConfig,
    pub(super) org: Option<&'o Engine>,
    pub(super) sources: Vec<String>,
    pub(super) user_ids: Vec<Box<str>>,
    pub(super) users: FxHashMap<Box<str>, u32>,
    pub(super) states: Vec<UserState>,
    pub(super) names: FxHashMap<Box<str>, u32>,
    pub(super) name_list: Vec<Box<str>>,
    /// Per interned object name: its sensitive fields (from the org), once looked up.
    pub(super) sensitive: Vec<Option<Box<[Box<str>]>>>,
    pub(super) objects: FxHashMap<u32, Tally>,
    pub(super) timeline: BTreeMap<i64, Tally>,
    pub(super) events: u64,
    pub(super) span: Option<(i64, i64)>,
    pub(super) skipped: Vec<LineProblem>,
    pub(super) skipped_count: u64,
}

impl<'o> Analyzer<'o> {
    /// An analyzer with `config`; with `org`, login hours, local time and
    /// sensitive fields come from the policy, and reactions name the user's
    /// permission sets.
    pub fn new(config: ActivityConfig, org: Option<&'o Engine>) -> Analyzer<'o> {
        Analyzer {
            config,
            org,
            sources: Vec::new(),
            user_ids: Vec::new(),
            users: FxHashMap::default(),
            states: Vec::new(),
            names: FxHashMap::default(),
            name_list: Vec::new(),
            sensitive: Vec::new(),
            objects: FxHashMap::default(),
            timeline: BTreeMap::new(),
            events: 0,
            span: None,
            skipped: Vec::new(),
            skipped_count: 0,
        }
    }

    /// An analyzer with the thresholds of `org`'s policy (or the defaults).
    pub fn for_org(org: Option<&'o Engine>) -> Analyzer<'o> {
        let config = org.and_then(|e| e.policy().ok()).and_then(|p| p.activity.clone()).unwrap_or_default();
        Analyzer::new(config, org)
    }

    /// Starts a new log; its lines are numbered from 1.
    pub fn source(&mut self, name: &str) -> u32 {
        self.sources.push(name.to_owned());
        u32::try_from(self.sources.len() - 1).unwrap_or(u32::MAX)
    }

    /// Reads one line of log `source`: an event is folded in, a blank line
    /// ignored, a bad line reported (with its number) and skipped.
    pub fn push_line(&mut self, source: u32, line: u64, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        match parse_line(text) {
            Ok((event, ms)) => self.push(&event, ms, source, line),
            Err(problem) => {
                self.skipped_count += 1;
                if self.skipped.len() < 1000 {
                    let name = self.sources.get(source as usize).cloned().unwrap_or_default();
                    self.skipped.push(LineProblem { source: name, line, code: problem.code, message: problem.message });
                }
            }
        }
    }

    /// How many lines were skipped so far.
    pub fn skipped_count(&self) -> u64 {
        self.skipped_count
    }

    /// Reads a whole log text.
    pub fn push_text(&mut self, name: &str, text: &str) {
        let source = self.source(name);
        for (n, line) in text.lines().enumerate() {
            self.push_line(source, n as u64 + 1, line);
        }
    }

    pub(super) fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.names.get(name) {
            return id;
        }
        let id = u32::try_from(self.name_list.len()).unwrap_or(u32::MAX);
        self.name_list.push(name.into());
        self.names.insert(name.into(), id);
        id
    }

    pub(super) fn user(&mut self, id: &str, ms: i64) -> usize {
        if let Some(&u) = self.users.get(id) {
            return u as usize;
        }
        let hours = self.org.map(|org| org.login_hours(id)).unwrap_or_default();
        let offset = hours.first().map_or(self.config.utc_offset_minutes, |h| h.utc_offset_minutes);
        self.states.push(UserState {
            offset_ms: i64::from(offset) * MINUTE_MS,
            hours,
            days: Keyed::default(),
            denials: Keyed::default(),
            ranges: Keyed::default(),
            privileges: Keyed::default(),
            first_ms: ms,
            tally: Tally::default(),
        });
        let u = u32::try_from(self.user_ids.len()).unwrap_or(u32::MAX);
        self.user_ids.push(id.into());
        self.users.insert(id.into(), u);
        u as usize
    }

    /// Folds in one event at `ms` (its parsed time), found at `line` of `source`.
    pub fn push(&mut self, event: &Event<'_>, ms: i64, source: u32, line: u64) {
        let at = Ref { source, line };
        self.events += 1;
        self.span = Some(self.span.map_or((ms, ms), |(a, b)| (a.min(ms), b.max(ms))));
        let denied = u64::from(!event.allowed);
        let day_tally = self.timeline.entry(ms.div_euclid(DAY_MS)).or_default();
        day_tally.events += 1;
        day_tally.denied += denied;
        let action = self.intern(event.action.as_str());
        let object = self.intern(event.object.as_str());
        let object_tally = self.objects.entry(object).or_default();
        object_tally.events += 1;
        object_tally.denied += denied;
        let bundle = event.bundle.as_ref().map(|b| self.intern(b.as_str()));
        let sensitive = event.allowed && !event.fields.is_empty() && self.touches_sensitive(object, event);
        let prefixes = (self.config.ip_prefix_v4, self.config.ip_prefix_v6);
        let u = self.user(event.user.as_str(), ms);
        let state = &mut self.states[u];
        state.first_ms = state.first_ms.min(ms);
        state.tally.events += 1;
        state.tally.denied += denied;
        let local = ms + state.offset_ms;
        let day = local.div_euclid(DAY_MS);
        let hour = usize::try_from(local.rem_euclid(DAY_MS) / HOUR_MS).unwrap_or(0);
        let outside = event.stage == Some(Stage::OutsideLoginHours) || state.hours.iter().any(|h| !h.admits(ms));
        let (entry, _) = state.days.slot(day, Day::default);
        Span::add(&mut entry.all, ms, at);
        if entry.hours[hour] == 0 {
            entry.hour_examples.push((u8::try_from(hour).unwrap_or(0), at));
        }
        entry.hours[hour] = entry.hours[hour].saturating_add(1);
        if outside {
            Span::add(&mut entry.outside, ms, at);
        }
        if event.allowed && event.action.as_str() == "export" {
            Span::add(&mut entry.exports, ms, at);
        }
        if sensitive {
            Span::add(&mut entry.sensitive, ms, at);
        }
        if matches!(event.stage, Some(Stage::NoRecordAccess | Stage::Forbidden | Stage::NoPrivilege)) {
            Span::add_at(&mut state.denials, ms.div_euclid(MINUTE_MS), ms, at);
        }
        if let Some(key) = event.ip.as_ref().and_then(|ip| range_key(ip.as_str(), prefixes)) {
            Span::add_at(&mut state.ranges, key, ms, at);
        }
        if event.allowed {
            let (privilege, _) = state.privileges.slot((action, object), Privilege::default);
            Span::add_at(&mut privilege.days, day, ms, at);
            if bundle.is_some() {
                privilege.bundle = bundle;
            }
        }
    }

    fn touches_sensitive(&mut self, object: u32, event: &Event<'_>) -> bool {
        let Some(org) = self.org else { return true };
        let slot = object as usize;
        if self.sensitive.len() <= slot {
            self.sensitive.resize(slot + 1, None);
        }
        let fields = self.sensitive[slot].get_or_insert_with(|| org.sensitive_fields(event.object.as_str()));
        event.fields.iter().any(|f| fields.iter().any(|s| **s == *f.as_str()))
    }
}

/// Groups an address into its range: (masked bits, is IPv6).
fn range_key(ip: &str, (v4, v6): (u8, u8)) -> Option<(u128, bool)> {
    match ip.parse::<IpAddr>().ok()? {
        IpAddr::V4(a) => Some((u128::from(u32::from(a) & mask32(v4)), false)),
        IpAddr::V6(a) => Some((u128::from(a) & mask128(v6), true)),
    }
}

fn mask32(bits: u8) -> u32 {
    if bits == 0 { 0 } else { u32::MAX << (32 - u32::from(bits.min(32))) }
}

fn mask128(bits: u8) -> u128 {
    if bits == 0 { 0 } else { u128::MAX << (128 - u32::from(bits.min(128))) }
}

/// Analyses whole log texts (name, text) against an optional org: the
/// admin app's and the tests' entry point.
pub fn analyze_texts(org: Option<&Engine>, logs: &[(&str, &str)]) -> Report {
    let mut analyzer = Analyzer::for_org(org);
    for (name, text) in logs {
        analyzer.push_text(name, text);
    }
    analyzer.finish()
}
