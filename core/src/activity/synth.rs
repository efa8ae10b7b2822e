//! A deterministic month of synthetic activity for an org and its records:
//! every active user works their own hours on weekdays from their own IP
//! range, reading and editing records they may access (a few denials, as
//! in life), and on chosen days one user each misbehaves in one of the ways
//! analysis detects. Tests check every injected anomaly is found and count
//! what else is reported on the clean month.

use super::event::Event;
use super::finding::Kind;
use crate::clock::{format_rfc3339, parse_rfc3339};
use crate::dataset::Dataset;
use crate::engine::Engine;
use crate::generate::Rng;
use crate::request::Context;
use std::collections::BTreeMap;
use std::rc::Rc;

const DAY_MS: i64 = 86_400_000;
const MINUTE_MS: i64 = 60_000;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Params {
    /// First day, `YYYY-MM-DD` (UTC).
    pub start: String,
    /// Number of days.
    pub days: u32,
    /// Events per user and working day: at least …
    pub min_per_day: u32,
    /// … and at most.
    pub max_per_day: u32,
    /// Inject one anomaly of every kind the org allows.
    pub inject: bool,
    /// Random seed.
    pub seed: u64,
}

impl Default for Params {
    fn default() -> Self {
        Params { start: "2026-11-02".to_owned(), days: 28, min_per_day: 20, max_per_day: 60, inject: true, seed: 7 }
    }
}

/// One injected anomaly: whose, what, and when (RFC 3339).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injected {
    /// The kind analysis should report.
    pub kind: Kind,
    /// The user.
    pub user: String,
    /// First injected event.
    pub from: String,
    /// Last injected event.
    pub to: String,
}

/// A user's habits.
struct Habit {
    user: u32,
    /// Local working start, minutes after midnight, and length.
    start: i64,
    length: i64,
    offset_ms: i64,
    ip: Rc<str>,
    /// (action, record) pairs the user may take, weighted by repetition.
    mix: Vec<(u32, u32)>,
    /// Records of objects the user may read but cannot access (for denials).
    denied: Vec<u32>,
}

/// A timed request: user, action, record, time, IP.
#[derive(Clone)]
struct Planned {
    ms: i64,
    user: u32,
    action: u32,
    record: u32,
    ip: Rc<str>,
}

/// Generates the activity, calling `sink` with each event in time order;
/// returns the anomalies injected.
pub fn generate(engine: &Engine, dataset: &Dataset, params: &Params, mut sink: impl FnMut(Event<'static>)) -> Vec<Injected> {
    if params.days == 0 {
        return Vec::new();
    }
    let mut rng = Rng::new(params.seed);
    let start_ms = parse_rfc3339(&format!("{}T00:00:00Z", params.start)).unwrap_or(0);
    let habits = habits(engine, dataset, start_ms, &mut rng);
    // Anomalies first (their own random stream), then day by day: only one
    // day of normal activity is ever held, however large the org.
    let mut extra: Vec<Vec<Planned>> = vec![Vec::new(); params.days as usize];
    let injected = if params.inject {
        inject(engine, dataset, &habits, &mut extra, start_ms, &mut Rng::new(params.seed ^ 0xA5A5))
    } else {
        Vec::new()
    };
    let read = engine.action_id("read").unwrap_or(0);
    for (day, extra) in extra.into_iter().enumerate() {
        let midnight = start_ms + day as i64 * DAY_MS;
        let mut planned = extra;
        for habit in &habits {
            if (midnight.div_euclid(DAY_MS) + 3).rem_euclid(7) >= 5 {
                continue; // weekend
            }
            let spread = params.max_per_day.saturating_sub(params.min_per_day) + 1;
            let n = params.min_per_day + rng.below(spread as usize) as u32;
            for _ in 0..n {
                let ms = midnight - habit.offset_ms + habit.start * MINUTE_MS + rng.below((habit.length * MINUTE_MS) as usize) as i64;
                let (action, record) =
                    if !habit.denied.is_empty() && rng.chance(1) { (read, *rng.pick(&habit.denied)) } else { *rng.pick(&habit.mix) };
                planned.push(Planned { ms, user: habit.user, action, record, ip: habit.ip.clone() });
            }
        }
        planned.sort_by_key(|p| (p.ms, p.user));
        // Recorded and read back as an edge's events are.
        let mut bytes = Vec::new();
        for p in planned {
            engine.record_at(dataset, [p.user, p.action, p.record], &context(&p.ip, p.ms), p.ms, &mut bytes);
        }
        super::wire::events(engine, &bytes).unwrap_or_default().into_iter().for_each(&mut sink);
    }
    injected
}

fn context(ip: &str, ms: i64) -> Context {
    let map = BTreeMap::from([
        ("mfa".to_owned(), serde_json::Value::Bool(true)),
        ("ip".to_owned(), serde_json::Value::String(ip.to_owned())),
        ("time".to_owned(), serde_json::Value::String(format_rfc3339(ms))),
    ]);
    Context::from_map(&map, "/context").unwrap_or_default()
}

fn habits(engine: &Engine, dataset: &Dataset, start_ms: i64, rng: &mut Rng) -> Vec<Habit> {
    let read = engine.action_id("read");
    let edit = engine.action_id("edit");
    let mut owned: Vec<Vec<u32>> = vec![Vec::new(); engine.users.len()];
    for record in dataset.records() {
        if let Some(list) = owned.get_mut(record.owner() as usize) {
            list.push(record.position());
        }
    }
    let mut out = Vec::new();
    for (u, user) in engine.users.iter().enumerate() {
        if !user.active {
            continue;
        }
        let u = u as u32;
        let hours = engine.login_hours(engine.user_id(u));
        let (start, length) = match hours.first() {
            Some(h) => (i64::from(h.start), (i64::from(h.end) - i64::from(h.start)).min(8 * 60)),
            None => (8 * 60 + 60 * (i64::from(u) % 3), 8 * 60),
        };
        let offset_ms = i64::from(hours.first().map_or(0, |h| h.utc_offset_minutes)) * MINUTE_MS;
        let ip: Rc<str> = format!("10.{}.{}.{}", (u / 256) % 256, u % 256, 10 + rng.below(200)).into();
        // Candidates: every record of a small dataset, else the user's own
        // plus a sample, so a million records stay cheap.
        let candidates: Vec<u32> = if dataset.len() <= 5000 {
            (0..dataset.len() as u32).collect()
        } else {
            let mut c = owned[u as usize].clone();
            c.extend((0..64).map(|_| rng.below(dataset.len()) as u32));
            c
        };
        // Probe at the start of the first working day, inside any login hours.
        let first = weekday_from(start_ms, 0, 7) as i64;
        let probe = context(&ip, start_ms + first * DAY_MS - offset_ms + start * MINUTE_MS);
        let mut mix = Vec::new();
        let mut denied = Vec::new();
        for &r in &candidates {
            for (action, weight) in [(read, 3), (edit, 1)] {
                let Some(action) = action else { continue };
                let Some((_, decision)) = engine.decide_at(dataset, u, action, r, &probe) else { continue };
                if decision.allowed {
                    mix.extend(std::iter::repeat_n((action, r), weight));
                } else if decision.stage() == Some(crate::decision::Stage::NoRecordAccess) && Some(action) == read {
                    denied.push(r);
                }
            }
        }
        if !mix.is_empty() {
            out.push(Habit { user: u, start, length, offset_ms, ip, mix, denied });
        }
    }
    out
}

/// The first weekday on or after day `from` of the month.
fn weekday_from(start_ms: i64, from: usize, days: usize) -> usize {
    (from..days).find(|&d| (start_ms.div_euclid(DAY_MS) + d as i64 + 3).rem_euclid(7) < 5).unwrap_or(from.min(days.saturating_sub(1)))
}

/// Injects one anomaly of each kind, each into a user not used before, and lists them.
fn inject(engine: &Engine, dataset: &Dataset, habits: &[Habit], plan: &mut [Vec<Planned>], start_ms: i64, rng: &mut Rng) -> Vec<Injected> {
    let mut inj = Injector { engine, habits, plan, start_ms, out: Vec::new(), used: Vec::new() };
    inject_bursts_and_hours(&mut inj, rng);
    inject_privileges_and_places(&mut inj, dataset);
    inj.out
}

/// What the injections share: the month's plan, the users already used, what was injected.
struct Injector<'a> {
    engine: &'a Engine,
    habits: &'a [Habit],
    plan: &'a mut [Vec<Planned>],
    start_ms: i64,
    out: Vec<Injected>,
    used: Vec<u32>,
}

impl<'a> Injector<'a> {
    fn days(&self) -> usize {
        self.plan.len()
    }

    /// Adds `events` to `day` as one anomaly of `kind` by `user`.
    fn add(&mut self, kind: Kind, user: u32, events: Vec<Planned>, day: usize) {
        if events.is_empty() {
            return;
        }
        let from = events.iter().map(|p| p.ms).min().unwrap_or(0);
        let to = events.iter().map(|p| p.ms).max().unwrap_or(0);
        self.out.push(Injected { kind, user: self.engine.user_id(user).to_string(), from: format_rfc3339(from), to: format_rfc3339(to) });
        self.plan[day].extend(events);
        self.used.push(user);
    }

    /// The first unused habit that `ok` accepts.
    fn fresh(&self, ok: &dyn Fn(&Habit) -> bool) -> Option<&'a Habit> {
        self.habits.iter().find(|h| !self.used.contains(&h.user) && ok(h))
    }

    /// The first unused habit for which `pick` finds a record, with that record.
    fn fresh_with(&self, pick: &dyn Fn(&Habit) -> Option<u32>) -> Option<(&'a Habit, u32)> {
        self.habits.iter().filter(|h| !self.used.contains(&h.user)).find_map(|h| pick(h).map(|record| (h, record)))
    }

    /// The time `minute` minutes into `day`, in the habit's local time.
    fn at(&self, day: usize, habit: &Habit, minute: i64) -> i64 {
        moment(self.start_ms, day, habit, minute)
    }
}

/// The time `minute` minutes into day `day` of the month starting at `start_ms`, in the habit's local time.
fn moment(start_ms: i64, day: usize, habit: &Habit, minute: i64) -> i64 {
    start_ms + day as i64 * DAY_MS - habit.offset_ms + minute * MINUTE_MS
}

/// A working moment of the habit's first week.
fn working(start_ms: i64, habit: &Habit) -> i64 {
    moment(start_ms, weekday_from(start_ms, 0, 7), habit, habit.start)
}

/// A burst of denials, a volume spike, work at night, requests outside login hours.
fn inject_bursts_and_hours(inj: &mut Injector<'_>, rng: &mut Rng) {
    let days = inj.days();
    let read = inj.engine.action_id("read").unwrap_or(0);
    // A burst of denials: probing for records the user cannot see.
    if let Some(h) = inj.fresh(&|h| !h.denied.is_empty()) {
        let day = weekday_from(inj.start_ms, 12, days);
        let events = (0..25)
            .map(|i| Planned {
                ms: inj.at(day, h, h.start + 120) + i * 10_000,
                user: h.user,
                action: read,
                record: h.denied[i as usize % h.denied.len()],
                ip: h.ip.clone(),
            })
            .collect();
        inj.add(Kind::DenialBurst, h.user, events, day);
    }
    // A volume spike: eight times the usual day.
    if let Some(h) = inj.fresh(&|_| true) {
        let day = weekday_from(inj.start_ms, 9, days);
        let events = (0..320).map(|_| Planned {
            ms: inj.at(day, h, h.start) + rng.below((h.length * MINUTE_MS) as usize) as i64,
            user: h.user,
            action: h.mix[rng.below(h.mix.len())].0,
            record: h.mix[rng.below(h.mix.len())].1,
            ip: h.ip.clone(),
        });
        let events: Vec<Planned> = events
            .map(|mut p| {
                p.action = read;
                p
            })
            .collect();
        inj.add(Kind::VolumeSpike, h.user, events, day);
    }
    // Work at 02:00–03:00 local.
    if let Some(h) = inj.fresh(&|h| h.start >= 6 * 60 && inj.engine.login_hours(inj.engine.user_id(h.user)).is_empty()) {
        let day = weekday_from(inj.start_ms, 15, days);
        let events = (0..12)
            .map(|i| {
                let (action, record) = h.mix[i % h.mix.len()];
                Planned { ms: inj.at(day, h, 120) + i as i64 * 4 * MINUTE_MS, user: h.user, action, record, ip: h.ip.clone() }
            })
            .collect();
        inj.add(Kind::UnusualHours, h.user, events, day);
    }
    // Requests outside login hours (only orgs with login hours have them): a Saturday night.
    if let Some(h) = inj.fresh(&|h| !inj.engine.login_hours(inj.engine.user_id(h.user)).is_empty()) {
        let day =
            (14..days).find(|&d| (inj.start_ms.div_euclid(DAY_MS) + d as i64 + 3).rem_euclid(7) == 5).unwrap_or(days.saturating_sub(1));
        let events = (0..6)
            .map(|i| {
                let (action, record) = h.mix[i % h.mix.len()];
                Planned { ms: inj.at(day, h, 23 * 60) + i as i64 * 5 * MINUTE_MS, user: h.user, action, record, ip: h.ip.clone() }
            })
            .collect();
        inj.add(Kind::OutsideLoginHours, h.user, events, day);
    }
}

/// A dormant privilege, export volume, sensitive reads, a new IP range.
fn inject_privileges_and_places(inj: &mut Injector<'_>, dataset: &Dataset) {
    let days = inj.days();
    let engine = inj.engine;
    let read = engine.action_id("read").unwrap_or(0);
    let export = engine.action_id("export");
    let start_ms = inj.start_ms;
    let working = |h: &Habit| working(start_ms, h);
    let probe = |h: &Habit, action: u32, r: u32| {
        engine.decide_at(dataset, h.user, action, r, &context(&h.ip, working(h))).is_some_and(|(_, d)| d.allowed)
    };
    // A dormant privilege (export, never used before), then exports above the threshold.
    // Among the records the user works on: scanning the dataset would cost a million checks per user.
    let exportable = |h: &Habit| export.and_then(|e| h.mix.iter().map(|&(_, r)| r).find(|&r| probe(h, e, r)));
    if let (Some(e), Some((h, record))) = (export, inj.fresh_with(&exportable)) {
        let day = weekday_from(inj.start_ms, 22, days);
        let events = (0..2)
            .map(|i| Planned { ms: inj.at(day, h, h.start + 90) + i * MINUTE_MS, user: h.user, action: e, record, ip: h.ip.clone() })
            .collect();
        inj.add(Kind::DormantPrivilege, h.user, events, day);
    }
    if let (Some(e), Some((h, record))) = (export, inj.fresh_with(&exportable)) {
        let day = weekday_from(inj.start_ms, 18, days);
        let events = (0..30)
            .map(|i| Planned { ms: inj.at(day, h, h.start + 60) + i * 20_000, user: h.user, action: e, record, ip: h.ip.clone() })
            .collect();
        inj.add(Kind::ExportVolume, h.user, events, day);
    }
    // Sensitive reads above the threshold.
    let sensitive = |h: &Habit| h.mix.iter().map(|&(_, r)| r).find(|&r| exposes_sensitive(engine, dataset, h, read, r, working(h)));
    if let Some((h, record)) = inj.fresh_with(&sensitive) {
        let day = weekday_from(inj.start_ms, 19, days);
        let events = (0..150)
            .map(|i| Planned { ms: inj.at(day, h, h.start + 30) + i * 30_000, user: h.user, action: read, record, ip: h.ip.clone() })
            .collect();
        inj.add(Kind::SensitiveReads, h.user, events, day);
    }
    // A new IP range.
    if let Some(h) = inj.fresh(&|_| true) {
        let day = weekday_from(inj.start_ms, 20, days);
        let events = (0..10)
            .map(|i| {
                let (action, record) = h.mix[i % h.mix.len()];
                Planned {
                    ms: inj.at(day, h, h.start + 200) + i as i64 * 3 * MINUTE_MS,
                    user: h.user,
                    action,
                    record,
                    ip: "203.0.113.77".into(),
                }
            })
            .collect();
        inj.add(Kind::NewIpRange, h.user, events, day);
    }
}

fn exposes_sensitive(engine: &Engine, dataset: &Dataset, habit: &Habit, read: u32, record: u32, ms: i64) -> bool {
    engine
        .decide_at(dataset, habit.user, read, record, &context(&habit.ip, ms))
        .is_some_and(|(query, decision)| engine.event_fields(&query, &decision).next().is_some())
}
