//! The decision event: one line of an activity log (JSON Lines). The schema
//! is documented in `docs/activity-events.md`; the application chooses which
//! decisions to record, the engine turns each into one event.

use crate::check::Query;
use crate::decision::{Decision, Reason, Stage};
use crate::engine::Engine;
use crate::error::{Problem, code};
use serde::Deserialize;
use std::borrow::Cow;

/// Text borrowed from the log line when it has no escapes (the common
/// case), so analysing millions of lines allocates little.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(transparent)]
pub struct Text<'a>(#[serde(borrow)] pub Cow<'a, str>);

impl Text<'_> {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An owned copy.
    pub fn into_owned(self) -> Text<'static> {
        Text(Cow::Owned(self.0.into_owned()))
    }
}

impl From<&str> for Text<'static> {
    fn from(text: &str) -> Self {
        Text(Cow::Owned(text.to_owned()))
    }
}

/// One recorded decision. Unknown keys are ignored so that logs written by a
/// newer version still load. Written by [`Event::to_line`], by hand: the npm
/// package carries this code, and a derived serializer costs it 2 KB.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Event<'a> {
    /// When, RFC 3339 (the request's `context.time`, else the recorder's clock).
    #[serde(borrow)]
    pub time: Text<'a>,
    /// The acting user's id.
    #[serde(borrow)]
    pub user: Text<'a>,
    /// The action.
    #[serde(borrow)]
    pub action: Text<'a>,
    /// The object type.
    #[serde(borrow)]
    pub object: Text<'a>,
    /// The record id, for record-bound requests.
    #[serde(borrow, default)]
    pub record: Option<Text<'a>>,
    /// Whether the request was allowed.
    pub allowed: bool,
    /// On a deny, the stage that denied.
    #[serde(default)]
    pub stage: Option<Stage>,
    /// The kinds of the reasons that gave access (`owner`, `scope`, …).
    #[serde(borrow, default)]
    pub reasons: Vec<Text<'a>>,
    /// The bundle whose scope granted the action, when a scope did.
    #[serde(borrow, default)]
    pub bundle: Option<Text<'a>>,
    /// The client address (`context.ip`).
    #[serde(borrow, default)]
    pub ip: Option<Text<'a>>,
    /// Whether the session passed MFA (`context.mfa`).
    #[serde(default)]
    pub mfa: Option<bool>,
    /// The fields touched: the request's `fields`, or for an allowed `read`
    /// or `export` the sensitive fields the answer exposes.
    #[serde(borrow, default)]
    pub fields: Vec<Text<'a>>,
}

impl Event<'_> {
    /// The event as one JSON line (without the newline); absent and empty
    /// values are left out.
    pub fn to_line(&self) -> String {
        let mut out = Line(String::with_capacity(224));
        out.0.push('{');
        out.text("time", Some(&self.time));
        out.text("user", Some(&self.user));
        out.text("action", Some(&self.action));
        out.text("object", Some(&self.object));
        out.text("record", self.record.as_ref());
        out.bool("allowed", Some(self.allowed));
        out.text("stage", self.stage.map(|s| Text(Cow::Borrowed(s.as_str()))).as_ref());
        out.list("reasons", &self.reasons);
        out.text("bundle", self.bundle.as_ref());
        out.text("ip", self.ip.as_ref());
        out.bool("mfa", self.mfa);
        out.list("fields", &self.fields);
        out.0.push('}');
        out.0
    }

    /// An owned copy, independent of the line it was parsed from.
    pub fn into_owned(self) -> Event<'static> {
        let own = |t: Option<Text<'_>>| t.map(Text::into_owned);
        Event {
            time: self.time.into_owned(),
            user: self.user.into_owned(),
            action: self.action.into_owned(),
            object: self.object.into_owned(),
            record: own(self.record),
            allowed: self.allowed,
            stage: self.stage,
            reasons: self.reasons.into_iter().map(Text::into_owned).collect(),
            bundle: own(self.bundle),
            ip: own(self.ip),
            mfa: self.mfa,
            fields: self.fields.into_iter().map(Text::into_owned).collect(),
        }
    }
}

/// A JSON object being written.
struct Line(String);

impl Line {
    fn key(&mut self, key: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.0.push('"');
        self.0.push_str(key);
        self.0.push_str("\":");
    }

    fn string(&mut self, text: &str) {
        self.0.push_str(&serde_json::Value::from(text).to_string());
    }

    fn text(&mut self, key: &str, value: Option<&Text<'_>>) {
        if let Some(value) = value {
            self.key(key);
            self.string(value.as_str());
        }
    }

    fn bool(&mut self, key: &str, value: Option<bool>) {
        if let Some(value) = value {
            self.key(key);
            self.0.push_str(if value { "true" } else { "false" });
        }
    }

    fn list(&mut self, key: &str, items: &[Text<'_>]) {
        if !items.is_empty() {
            self.key(key);
            self.0.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    self.0.push(',');
                }
                self.string(item.as_str());
            }
            self.0.push(']');
        }
    }
}

/// Parses one log line and its time (milliseconds since the epoch).
///
/// # Errors
/// `json_syntax`, or `bad_event` for JSON that is not an event (a missing
/// key, a wrong type, a time that is not RFC 3339, an empty user).
pub fn parse_line(text: &str) -> Result<(Event<'_>, i64), Problem> {
    let bad = |code: &str, message: String| Problem::new("", code, message);
    let event: Event<'_> = serde_json::from_str(text).map_err(|e| {
        let code = if e.is_syntax() || e.is_eof() { code::JSON_SYNTAX } else { BAD_EVENT };
        bad(code, lowercase_first(&e.to_string()))
    })?;
    let Some(time) = crate::clock::parse_rfc3339(event.time.as_str()) else {
        return Err(bad(BAD_EVENT, format!("`{}` is not an rfc 3339 time", event.time.as_str())));
    };
    if event.user.as_str().is_empty() {
        return Err(bad(BAD_EVENT, "the user is empty".to_owned()));
    }
    Ok((event, time))
}

/// The events as JSON Lines text.
pub fn to_lines(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for event in events {
        text.push_str(&event.to_line());
        text.push('\n');
    }
    text
}

/// Code of a line that is JSON but not an event.
pub const BAD_EVENT: &str = "bad_event";

/// `Invalid type` → `invalid type`, but `EOF while …` stays.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if second.is_lowercase() => first.to_lowercase().chain([second]).chain(chars).collect(),
        _ => text.to_owned(),
    }
}

impl Engine {
    /// The event recording a decision. `now_ms` is the recorder's clock,
    /// used when the request's context has no `time`.
    pub fn event(&self, query: &Query<'_>, decision: &Decision, now_ms: i64) -> Event<'static> {
        let object = &self.objects[query.object as usize];
        let mut fields: Vec<Text<'static>> =
            query.fields.iter().filter_map(|&f| object.fields.get(f as usize)).map(|f| Text::from(&*f.name)).collect();
        let action = &self.actions[query.action as usize];
        let exposes = query.record.is_some() && matches!(&*action.name, "read" | "export");
        if let Some(sets) = decision.fields.as_ref().filter(|_| fields.is_empty() && exposes) {
            fields = sets
                .read
                .iter()
                .filter_map(|f| object.fields.get(f as usize))
                .filter(|f| f.sensitive)
                .map(|f| Text::from(&*f.name))
                .collect();
        }
        let bundle = decision.reasons.iter().find_map(|r| match r {
            Reason::Scope { bundle, .. } => self.bundles.get(*bundle as usize).map(|b| Text::from(&*b.id)),
            _ => None,
        });
        let time = query.context.time.clone().unwrap_or_else(|| crate::clock::format_rfc3339(now_ms));
        Event {
            time: Text(Cow::Owned(time)),
            user: Text::from(query.user),
            action: Text::from(&*action.name),
            object: Text::from(&*object.name),
            record: query.record.map(|r| Text::from(r.id())),
            allowed: decision.allowed,
            stage: decision.stage(),
            reasons: decision.reasons.iter().map(|r| Text(Cow::Borrowed(r.kind()))).collect(),
            bundle,
            ip: query.context.ip.as_deref().map(Text::from),
            mfa: query.context.mfa,
            fields,
        }
    }

    /// The event of a `create` on an object by positions (no record), as
    /// [`Engine::event_at`] renders one for a record.
    pub fn create_event_at(&self, user: u32, object: u32, context: &crate::Context, now_ms: i64) -> Option<Event<'static>> {
        let (query, decision) = self.decide_create_at(user, object, context)?;
        Some(self.event(&query, &decision, now_ms))
    }

    /// The event of the decision for positions (see [`Engine::allows_at`]):
    /// how the npm package's handle-based fast path renders what it recorded.
    /// `None` for an invalid position.
    pub fn event_at(
        &self,
        dataset: &crate::Dataset,
        user: u32,
        action: u32,
        record: u32,
        context: &crate::Context,
        now_ms: i64,
    ) -> Option<Event<'static>> {
        let (query, decision) = self.decide_at(dataset, user, action, record, context)?;
        Some(self.event(&query, &decision, now_ms))
    }
}
