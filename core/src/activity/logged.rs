//! A decision event as recorded on the check path: the engine's own
//! numbers (action, object, fields, bundle, reason kinds) and the time in
//! milliseconds, written out as the event's JSON line only when drained.
//! Recording a decision then costs one small value and one or two short
//! copies, not the dozen strings and the formatted time of an [`Event`]:
//! the npm package records every check when asked to, and an edge ships
//! them all.

use super::event::{Event, Text};
use super::line::Parts;
use crate::check::Query;
use crate::decision::{Decision, Reason, Stage};
use crate::engine::Engine;
use named::{RecordName, UserName};

mod named;

/// One recorded decision, to be read against the engine that made it.
#[derive(Clone)]
pub struct Logged {
    /// The request's own `context.time`, else the recorder's clock.
    time: When,
    user: UserName,
    action: u32,
    object: u32,
    record: Option<RecordName>,
    allowed: bool,
    stage: Option<Stage>,
    reasons: Kinds,
    bundle: Option<u32>,
    ip: Option<Box<str>>,
    mfa: Option<bool>,
    /// Field indices on the object.
    fields: Box<[u32]>,
}

#[derive(Clone)]
enum When {
    Ms(i64),
    Text(Box<str>),
}

/// The kinds of a decision's reasons, in order: up to 16 packed four bits
/// each (a kind's index + 1; 0 ends), more in a list.
#[derive(Clone)]
enum Kinds {
    Packed(u64),
    Listed(Box<[u8]>),
}

impl Kinds {
    fn of(reasons: &[Reason]) -> Kinds {
        if reasons.len() <= 16 {
            // Four bits a kind (its index + 1, so 0 ends the list): the sum of disjoint bits.
            let packed = reasons.iter().rev().fold(0_u64, |acc, r| (acc << 4) + (u64::from(r.kind_index()) + 1));
            Kinds::Packed(packed)
        } else {
            Kinds::Listed(reasons.iter().map(Reason::kind_index).collect())
        }
    }

    /// The kinds' names, in order.
    fn names(&self) -> KindNames<'_> {
        match self {
            Kinds::Packed(packed) => KindNames::Packed(*packed),
            Kinds::Listed(list) => KindNames::Listed(list.iter()),
        }
    }
}

/// [`Kinds::names`].
enum KindNames<'a> {
    Packed(u64),
    Listed(std::slice::Iter<'a, u8>),
}

impl<'a> Iterator for KindNames<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let kind = match self {
            KindNames::Packed(0) => return None,
            KindNames::Packed(packed) => {
                let kind = (*packed & 0xF) - 1;
                *packed >>= 4;
                kind as usize
            }
            KindNames::Listed(list) => usize::from(*list.next()?),
        };
        Reason::KINDS.get(kind).copied()
    }
}

impl Engine {
    /// The event recording a decision, compactly. `now_ms` is the
    /// recorder's clock, used when the request's context has no `time`.
    pub fn logged(&self, query: &Query<'_>, decision: &Decision, now_ms: i64) -> Logged {
        let object = &self.objects[query.object as usize];
        let mut fields: Box<[u32]> = query.fields.into();
        let exposes = query.record.is_some() && matches!(&*self.actions[query.action as usize].name, "read" | "export");
        if let Some(sets) = decision.fields.as_ref().filter(|_| fields.is_empty() && exposes) {
            fields = sets.read.iter().filter(|&f| object.fields.get(f as usize).is_some_and(|f| f.sensitive)).collect();
        }
        Logged {
            time: query.context.time.as_deref().map_or(When::Ms(now_ms), |t| When::Text(t.into())),
            user: UserName::of(decision.user, query.user),
            action: query.action,
            object: query.object,
            record: query.record.map(|r| RecordName::of(r, query.dataset)),
            allowed: decision.allowed,
            stage: decision.stage(),
            reasons: Kinds::of(&decision.reasons),
            bundle: decision.reasons.iter().find_map(|r| match r {
                Reason::Scope { bundle, .. } => Some(*bundle),
                _ => None,
            }),
            ip: query.context.ip.as_deref().map(Into::into),
            mfa: query.context.mfa,
            fields,
        }
    }

    /// The event recording a decision. `now_ms` is the recorder's clock,
    /// used when the request's context has no `time`.
    pub fn event(&self, query: &Query<'_>, decision: &Decision, now_ms: i64) -> Event<'static> {
        self.logged(query, decision, now_ms).to_event(self)
    }

    /// The compact event of a `create` on an object by positions (no
    /// record), as [`Engine::logged_at`] records one for a record.
    pub fn create_logged_at(&self, user: u32, object: u32, context: &crate::Context, now_ms: i64) -> Option<Logged> {
        let (query, decision) = self.decide_create_at(user, object, context)?;
        Some(self.logged(&query, &decision, now_ms))
    }

    /// The compact event of the decision for positions (see
    /// [`Engine::allows_at`]): how the npm package's handle-based fast path
    /// records a decision it only gave the verdict of, and how the
    /// synthetic month makes its events. `None` for an invalid position.
    pub fn logged_at(
        &self,
        dataset: &crate::Dataset,
        user: u32,
        action: u32,
        record: u32,
        context: &crate::Context,
        now_ms: i64,
    ) -> Option<Logged> {
        let (query, decision) = self.decide_at(dataset, user, action, record, context)?;
        Some(self.logged(&query, &decision, now_ms))
    }
}

impl Logged {
    /// What the event's line says, with the engine's names.
    #[inline]
    fn parts<'a>(&'a self, engine: &'a Engine, time: &'a str) -> Parts<'a, KindNames<'a>, impl Iterator<Item = &'a str>> {
        let object = engine.objects.get(self.object as usize);
        let field_names = object.map(|o| &o.fields[..]).unwrap_or_default();
        Parts {
            revision: None,
            time,
            user: self.user.id(engine),
            action: engine.actions.get(self.action as usize).map_or("", |a| &*a.name),
            object: object.map_or("", |o| &*o.name),
            record: self.record.as_ref().map(RecordName::id),
            allowed: self.allowed,
            stage: self.stage.map(Stage::as_str),
            reasons: self.reasons.names(),
            bundle: self.bundle.and_then(|b| engine.bundles.get(b as usize)).map(|b| &*b.id),
            ip: self.ip.as_deref(),
            mfa: self.mfa,
            fields: self.fields.iter().filter_map(move |&f| field_names.get(f as usize)).map(|f| &*f.name),
        }
    }

    /// The event's time: the request's own, or the recorder's clock
    /// formatted into `clock` (kept there: consecutive events recorded in
    /// the same millisecond format it once).
    fn time<'a>(&'a self, clock: &'a mut (i64, String)) -> &'a str {
        match &self.time {
            When::Ms(ms) => {
                if clock.0 != *ms {
                    *clock = (*ms, crate::clock::format_rfc3339(*ms));
                }
                &clock.1
            }
            When::Text(text) => text,
        }
    }

    /// The event, owning its text. `engine` must be the engine that recorded it.
    pub fn to_event(&self, engine: &Engine) -> Event<'static> {
        let mut clock = (i64::MIN, String::new());
        let parts = self.parts(engine, self.time(&mut clock));
        let name = |text: &str| Text::from(text);
        Event {
            revision: parts.revision,
            time: name(parts.time),
            user: name(parts.user),
            action: name(parts.action),
            object: name(parts.object),
            record: parts.record.map(name),
            allowed: parts.allowed,
            stage: self.stage,
            reasons: parts.reasons.map(name).collect(),
            bundle: parts.bundle.map(name),
            ip: parts.ip.map(name),
            mfa: parts.mfa,
            fields: parts.fields.map(name).collect(),
        }
    }
}

/// Recorded events being written as JSON Lines, against the engine that
/// recorded them.
pub struct Lines<'e> {
    engine: &'e Engine,
    revision: Option<u64>,
    /// The last clock time written, formatted: events recorded in the same
    /// millisecond (dozens, on a busy edge) format it once.
    clock: (i64, String),
    /// The lines so far, each ending in a newline.
    pub text: String,
}

impl<'e> Lines<'e> {
    /// Lines naming `revision` (the bundle's that decided them) when given.
    pub fn new(engine: &'e Engine, revision: Option<u64>, capacity: usize) -> Lines<'e> {
        Lines { engine, revision, clock: (i64::MIN, String::new()), text: String::with_capacity(capacity) }
    }

    /// Appends the event's line.
    #[inline]
    pub fn push(&mut self, logged: &Logged) {
        let mut parts = logged.parts(self.engine, logged.time(&mut self.clock));
        parts.revision = self.revision;
        parts.write(&mut self.text);
        self.text.push('\n');
    }
}

#[cfg(test)]
mod tests;
