//! Recorded decision events as compact bytes: how the npm package keeps
//! them between a check and a drain, and how an edge ships them to the
//! control plane (`POST /v1/events`, [`MEDIA_TYPE`]). An event's names
//! (user, action, object, bundle, fields, reason kinds, stage) are the
//! deciding engine's positions; the record's id, an unknown user's id, the
//! request's own time and address are copied in. Recording a check then
//! appends about thirty bytes, and a drain hands the bytes over as they
//! are: the JSON line of an event is written where it is read, against the
//! same engine (a bundle's revision names it; the control plane holds every
//! revision). Writing lines at the edge was half of what recording cost its
//! fast path (bench/README.md, issue 18, 2026-12-08).
//!
//! An event: a flags byte ([`ALLOWED`] …), the clock (milliseconds since
//! the epoch, unless the context gave its time), the user's position (unless
//! unknown), action, object, the stage (0, or its index + 1), the bundle,
//! the reason kinds (count, one byte each), the fields (count, positions);
//! then the texts: the context's time, the unknown user's id, the record's
//! id, the address. Numbers are LEB128; texts are a length and UTF-8 bytes.
//! A shipped batch is [`MAGIC`], the revision, the count, then the events.

use super::event::{Event, Text};
use super::line::Parts;
use crate::check::Query;
use crate::decision::{Decision, Reason, Stage};
use crate::engine::Engine;
use crate::error::{Error, code};

/// The first bytes of a shipped batch: the format's name and version.
pub const MAGIC: &[u8; 5] = b"CLEV\x01";
/// The media type of a shipped batch.
pub const MEDIA_TYPE: &str = "application/vnd.clearance.events";

const ALLOWED: u8 = 1;
const TIME_TEXT: u8 = 2;
const USER_ID: u8 = 4;
const RECORD: u8 = 8;
const BUNDLE: u8 = 16;
const IP: u8 = 32;
/// Two bits from here: MFA unknown (0), false (1), true (2).
const MFA_SHIFT: u8 = 6;

/// The numbers at the start of an event: at most 42 bytes (a flags byte,
/// the clock, four positions, the stage, the reason count).
struct Head {
    bytes: [u8; 48],
    len: usize,
}

impl Head {
    #[inline]
    fn byte(&mut self, byte: u8) {
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    #[inline]
    fn number(&mut self, value: u64) {
        leb128(value, |byte| self.byte(byte));
    }
}

/// `value`'s LEB128 bytes, each given to `emit`.
#[inline]
fn leb128(mut value: u64, mut emit: impl FnMut(u8)) {
    while value >= 0x80 {
        emit((value & 0x7F) as u8 + 0x80);
        value >>= 7;
    }
    emit(value as u8);
}

/// Appends `value` as LEB128.
#[inline]
fn put_number(out: &mut Vec<u8>, value: u64) {
    leb128(value, |byte| out.push(byte));
}

#[inline]
fn put_text(out: &mut Vec<u8>, text: &[u8]) {
    put_number(out, text.len() as u64);
    out.extend_from_slice(text);
}

impl Engine {
    /// Appends the event recording `decision` on `query` to `out`.
    /// `now_ms` stamps it when the request's context has no `time`.
    pub fn record_event(&self, query: &Query<'_>, decision: &Decision, now_ms: i64, out: &mut Vec<u8>) {
        let context = query.context;
        let bundle = decision.reasons.iter().find_map(|r| match r {
            Reason::Scope { bundle, .. } => Some(*bundle),
            _ => None,
        });
        // The sum of disjoint bits.
        let flags = u8::from(decision.allowed)
            + if context.time.is_some() { TIME_TEXT } else { 0 }
            + if decision.user.is_none() { USER_ID } else { 0 }
            + if query.record.is_some() { RECORD } else { 0 }
            + if bundle.is_some() { BUNDLE } else { 0 }
            + if context.ip.is_some() { IP } else { 0 }
            + (context.mfa.map_or(0, |mfa| 1 + u8::from(mfa)) << MFA_SHIFT);
        // The numbers first, assembled on the stack and copied once (each
        // push is a call in the package's size-optimised build: a fifth of
        // what recording cost there), then the lists and the texts.
        let mut head = Head { bytes: [0; 48], len: 0 };
        head.byte(flags);
        if context.time.is_none() {
            head.number(now_ms.max(0) as u64);
        }
        if let Some(u) = decision.user {
            head.number(u64::from(u));
        }
        head.number(u64::from(query.action));
        head.number(u64::from(query.object));
        head.byte(decision.stage().map_or(0, |s| s as u8 + 1));
        if let Some(bundle) = bundle {
            head.number(u64::from(bundle));
        }
        head.number(decision.reasons.len() as u64);
        out.extend_from_slice(head.bytes.get(..head.len).unwrap_or_default());
        out.extend(decision.reasons.iter().map(Reason::kind_index));
        let fields = || self.event_fields(query, decision);
        put_number(out, fields().count() as u64);
        fields().for_each(|f| put_number(out, u64::from(f)));
        let user = decision.user.is_none().then_some(query.user.as_bytes());
        let record = query.record.map(|r| r.id_bytes());
        for text in
            [context.time.as_deref().map(str::as_bytes), user, record, context.ip.as_deref().map(str::as_bytes)].into_iter().flatten()
        {
            put_text(out, text);
        }
    }

    /// The fields an event names: the request's, or for an allowed `read`
    /// or `export` of a record the sensitive fields the answer exposes.
    pub(crate) fn event_fields<'q>(&'q self, query: &'q Query<'_>, decision: &'q Decision) -> impl Iterator<Item = u32> + 'q {
        let object = self.objects.get(query.object as usize);
        // Asked only when the decision has fields (an action's name is compared then).
        let exposes = || {
            query.fields.is_empty()
                && query.record.is_some()
                && self.actions.get(query.action as usize).is_some_and(|a| matches!(&*a.name, "read" | "export"))
        };
        let exposed = decision.fields.as_ref().filter(|_| exposes()).into_iter().flat_map(|sets| sets.read.iter());
        let sensitive = move |f: &u32| object.and_then(|o| o.fields.get(*f as usize)).is_some_and(|f| f.sensitive);
        query.fields.iter().copied().chain(exposed.filter(sensitive))
    }

    /// [`Engine::record_event`] for positions (see [`Engine::allows_at`]):
    /// the verdict, or `None` (nothing recorded) for an invalid position.
    pub fn record_at(
        &self,
        dataset: &crate::Dataset,
        [user, action, record]: [u32; 3],
        context: &crate::Context,
        now_ms: i64,
        out: &mut Vec<u8>,
    ) -> Option<bool> {
        let (query, decision) = self.decide_at(dataset, user, action, record, context)?;
        self.record_event(&query, &decision, now_ms, out);
        Some(decision.allowed)
    }

    /// [`Engine::record_event`] for a `create` by positions (no record).
    pub fn record_create_at(&self, user: u32, object: u32, context: &crate::Context, now_ms: i64, out: &mut Vec<u8>) -> Option<bool> {
        let (query, decision) = self.decide_create_at(user, object, context)?;
        self.record_event(&query, &decision, now_ms, out);
        Some(decision.allowed)
    }

    /// The event recording a decision, as the activity analysis reads it.
    ///
    /// # Errors
    /// None in practice: the bytes are this engine's own (`bad_value` if
    /// they did not read back).
    pub fn event(&self, query: &Query<'_>, decision: &Decision, now_ms: i64) -> Result<Event<'static>, Error> {
        let mut bytes = Vec::with_capacity(64);
        self.record_event(query, decision, now_ms, &mut bytes);
        events(self, &bytes)?.pop().ok_or_else(|| Error::one("", code::BAD_VALUE, "a decision recorded no event"))
    }
}

/// An owned [`Event`] of the names an event's bytes read as.
fn to_event<'a>(parts: &Parts<'a, impl Iterator<Item = &'a str> + Clone, impl Iterator<Item = &'a str> + Clone>) -> Event<'static> {
    let own = |text: Option<&str>| text.map(Text::from);
    Event {
        revision: parts.revision,
        time: Text::from(parts.time),
        user: Text::from(parts.user),
        action: Text::from(parts.action),
        object: Text::from(parts.object),
        record: own(parts.record),
        allowed: parts.allowed,
        stage: parts.stage.and_then(|s| Stage::ALL.into_iter().find(|stage| stage.as_str() == s)),
        reasons: parts.reasons.clone().map(Text::from).collect(),
        bundle: own(parts.bundle),
        ip: own(parts.ip),
        mfa: parts.mfa,
        fields: parts.fields.clone().map(Text::from).collect(),
    }
}

/// The last clock time written, formatted: events recorded in the same
/// millisecond (dozens, on a busy edge) format it once.
#[derive(Default)]
pub(super) struct Clock {
    ms: Option<i64>,
    text: String,
}

impl Clock {
    fn format(&mut self, ms: i64) -> &str {
        if self.ms != Some(ms) {
            self.ms = Some(ms);
            self.text = crate::clock::format_rfc3339(ms);
        }
        &self.text
    }
}

/// A shipped batch's revision and event count, and its events' bytes.
///
/// # Errors
/// `bad_value` when the bytes do not start as a batch does.
pub fn batch_header(bytes: &[u8]) -> Result<(u64, usize, &[u8]), Error> {
    let bad = |what: &str| Error::one("", code::BAD_VALUE, format!("the body is not a batch of decision events: {what}"));
    let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or_else(|| bad("it does not start with the format's name and version"))?;
    let mut cursor = Cursor { bytes: rest, at: 0 };
    let revision = cursor.number().ok_or_else(|| bad("no revision"))?;
    let count = cursor.number().and_then(|n| usize::try_from(n).ok()).ok_or_else(|| bad("no event count"))?;
    Ok((revision, count, rest.get(cursor.at..).unwrap_or_default()))
}

/// The bytes of a batch of `count` events recorded with `revision`.
pub fn batch(revision: u64, count: usize, events: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(events.len() + 16);
    out.extend_from_slice(MAGIC);
    put_number(&mut out, revision);
    put_number(&mut out, count as u64);
    out.extend_from_slice(events);
    out
}

/// Bytes being read.
#[derive(Clone, Copy)]
struct Cursor<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Cursor<'b> {
    #[inline]
    fn byte(&mut self) -> Option<u8> {
        let byte = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(byte)
    }

    #[inline]
    fn number(&mut self) -> Option<u64> {
        let mut value = 0_u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7F).checked_shl(shift)?;
            if byte < 0x80 {
                return Some(value);
            }
        }
        None
    }

    #[inline]
    fn below(&mut self, bound: usize) -> Option<u32> {
        self.number().and_then(|n| u32::try_from(n).ok()).filter(|&n| (n as usize) < bound)
    }

    #[inline]
    fn bytes(&mut self, n: usize) -> Option<&'b [u8]> {
        let taken = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(taken)
    }

    #[inline]
    fn text(&mut self) -> Option<&'b str> {
        let n = usize::try_from(self.number()?).ok()?;
        std::str::from_utf8(self.bytes(n)?).ok()
    }
}

/// Events' bytes read back against the engine that recorded them.
pub(super) struct Reader<'e, 'b> {
    engine: &'e Engine,
    cursor: Cursor<'b>,
}

/// The time of an event read back.
enum When<'b> {
    Ms(i64),
    Text(&'b str),
}

/// One event read back: every position checked against the engine.
pub(super) struct Read<'b> {
    flags: u8,
    time: When<'b>,
    user: Result<u32, &'b str>,
    action: u32,
    object: u32,
    record: Option<&'b str>,
    stage: Option<Stage>,
    kinds: &'b [u8],
    bundle: Option<u32>,
    ip: Option<&'b str>,
    fields: Cursor<'b>,
    field_count: usize,
}

impl<'e, 'b> Reader<'e, 'b> {
    pub(super) fn new(engine: &'e Engine, bytes: &'b [u8]) -> Reader<'e, 'b> {
        Reader { engine, cursor: Cursor { bytes, at: 0 } }
    }

    /// Whether every byte was read.
    pub(super) fn done(&self) -> bool {
        self.cursor.at >= self.cursor.bytes.len()
    }

    /// The next event (`n` is its place, for the error's path); `None` at the end.
    pub(super) fn next(&mut self, n: usize) -> Option<Result<Read<'b>, Error>> {
        if self.done() {
            return None;
        }
        let at = self.cursor.at;
        Some(self.read().ok_or_else(|| {
            Error::one(
                format!("/events/{n}"),
                code::BAD_VALUE,
                format!("event {n} (byte {at}) is not a decision event of this revision: cut short, or a name it does not have"),
            )
        }))
    }

    fn read(&mut self) -> Option<Read<'b>> {
        let engine = self.engine;
        let c = &mut self.cursor;
        let flags = c.byte()?;
        let ms = if flags & TIME_TEXT == 0 { Some(i64::try_from(c.number()?).ok()?) } else { None };
        let position = if flags & USER_ID == 0 { Some(c.below(engine.users.len())?) } else { None };
        let action = c.below(engine.actions.len())?;
        let object = c.below(engine.objects.len())?;
        let stage = match c.byte()? {
            0 => None,
            n => Some(*Stage::ALL.get(usize::from(n) - 1)?),
        };
        let bundle = if flags & BUNDLE != 0 { Some(c.below(engine.bundles.len())?) } else { None };
        let kinds = c.number().and_then(|n| usize::try_from(n).ok()).and_then(|n| c.bytes(n))?;
        if kinds.iter().any(|&k| usize::from(k) >= Reason::KINDS.len()) || flags >> MFA_SHIFT == 3 {
            return None;
        }
        let field_count = usize::try_from(c.number()?).ok()?;
        let fields = Cursor { bytes: c.bytes, at: c.at };
        let bound = engine.objects.get(object as usize)?.fields.len();
        for _ in 0..field_count {
            c.below(bound)?;
        }
        let time = match ms {
            Some(ms) => When::Ms(ms),
            None => When::Text(c.text()?),
        };
        let user = match position {
            Some(u) => Ok(u),
            None => Err(c.text()?),
        };
        let record = if flags & RECORD != 0 { Some(c.text()?) } else { None };
        let ip = if flags & IP != 0 { Some(c.text()?) } else { None };
        Some(Read { flags, time, user, action, object, record, stage, kinds, bundle, ip, fields, field_count })
    }
}

impl<'b> Read<'b> {
    /// The event's names, read from `engine` (the one whose bytes these are).
    pub(super) fn parts<'a>(
        &'a self,
        engine: &'a Engine,
        clock: &'a mut Clock,
    ) -> Parts<'a, impl Iterator<Item = &'a str> + Clone + 'a, impl Iterator<Item = &'a str> + Clone + 'a> {
        let object = engine.objects.get(self.object as usize);
        let names = object.map(|o| &o.fields[..]).unwrap_or_default();
        let mut fields = Cursor { bytes: self.fields.bytes, at: self.fields.at };
        let field_names = (0..self.field_count).filter_map(move |_| names.get(fields.number()? as usize)).map(|f| &*f.name);
        Parts {
            revision: None,
            time: match self.time {
                When::Ms(ms) => clock.format(ms),
                When::Text(text) => text,
            },
            user: self.user.map_or_else(|id| id, |u| engine.user_id(u)),
            action: engine.actions.get(self.action as usize).map_or("", |a| &*a.name),
            object: object.map_or("", |o| &*o.name),
            record: self.record,
            allowed: self.flags & ALLOWED != 0,
            stage: self.stage.map(Stage::as_str),
            reasons: self.kinds.iter().filter_map(|&k| Reason::KINDS.get(usize::from(k)).copied()),
            bundle: self.bundle.and_then(|b| engine.bundles.get(b as usize)).map(|b| &*b.id),
            ip: self.ip,
            mfa: match self.flags >> MFA_SHIFT {
                0 => None,
                mfa => Some(mfa == 2),
            },
            fields: field_names,
        }
    }
}

/// Recorded events being written as JSON Lines, against the engine that
/// recorded them.
pub struct Lines<'e> {
    engine: &'e Engine,
    revision: Option<u64>,
    clock: Clock,
    /// The lines so far, each ending in a newline.
    pub text: String,
}

impl<'e> Lines<'e> {
    /// Lines naming `revision` (the bundle's that decided them) when given.
    pub fn new(engine: &'e Engine, revision: Option<u64>, capacity: usize) -> Lines<'e> {
        Lines { engine, revision, clock: Clock::default(), text: String::with_capacity(capacity) }
    }

    /// Appends the line of every event in `bytes` (as [`Engine::record_event`]
    /// wrote them); how many.
    ///
    /// # Errors
    /// `bad_value`, with the event's path, for bytes that are not events of
    /// this engine; the lines before it are kept.
    pub fn push(&mut self, bytes: &[u8]) -> Result<usize, Error> {
        self.push_counted(bytes, usize::MAX, 0).map(|(n, _)| n)
    }

    /// Appends the lines of the first `count` events in `bytes` (fewer when
    /// the bytes end first), numbering them from `first` in errors' paths;
    /// how many, and how many bytes they took (a shipped body holds a batch
    /// per revision, one after another).
    ///
    /// # Errors
    /// As [`Lines::push`].
    pub fn push_counted(&mut self, bytes: &[u8], count: usize, first: usize) -> Result<(usize, usize), Error> {
        let mut reader = Reader::new(self.engine, bytes);
        let mut n = 0;
        while n < count {
            let Some(read) = reader.next(first + n) else { break };
            let read = read?;
            let mut parts = read.parts(self.engine, &mut self.clock);
            parts.revision = self.revision;
            parts.write(&mut self.text);
            self.text.push('\n');
            n += 1;
        }
        Ok((n, reader.cursor.at))
    }
}

/// Every event in `bytes`, as the activity analysis reads them (synthetic
/// activity is recorded, then read back, as an edge's is).
///
/// # Errors
/// As [`Lines::push`].
pub fn events(engine: &Engine, bytes: &[u8]) -> Result<Vec<Event<'static>>, Error> {
    let mut reader = Reader::new(engine, bytes);
    let mut clock = Clock::default();
    let mut out = Vec::new();
    while let Some(read) = reader.next(out.len()) {
        out.push(to_event(&read?.parts(engine, &mut clock)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
