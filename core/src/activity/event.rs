//! The decision event: one line of an activity log (JSON Lines). The schema
//! is documented in `docs/activity-events.md`; the application chooses which
//! decisions to record, the engine turns each into one event.

use super::line::Parts;
use crate::decision::Stage;
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
    /// The revision of the bundle that decided it, when the engine came
    /// from a bundle the control plane published.
    #[serde(default)]
    pub revision: Option<u64>,
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
        let mut out = String::with_capacity(224);
        self.write_line(&mut out);
        out
    }

    /// Appends [`Event::to_line`] to `out`.
    pub fn write_line(&self, out: &mut String) {
        Parts {
            revision: self.revision,
            time: self.time.as_str(),
            user: self.user.as_str(),
            action: self.action.as_str(),
            object: self.object.as_str(),
            record: self.record.as_ref().map(Text::as_str),
            allowed: self.allowed,
            stage: self.stage.map(Stage::as_str),
            reasons: self.reasons.iter().map(Text::as_str),
            bundle: self.bundle.as_ref().map(Text::as_str),
            ip: self.ip.as_ref().map(Text::as_str),
            mfa: self.mfa,
            fields: self.fields.iter().map(Text::as_str),
        }
        .write(out);
    }

    /// An owned copy, independent of the line it was parsed from.
    pub fn into_owned(self) -> Event<'static> {
        let own = |t: Option<Text<'_>>| t.map(Text::into_owned);
        Event {
            revision: self.revision,
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

/// Parses one log line and its time (milliseconds since the epoch).
///
/// # Errors
/// `json_syntax`, or `bad_event` for JSON that is not an event (a missing
/// key, a wrong type, a time that is not RFC 3339, an empty user).
pub fn parse_line(text: &str) -> Result<(Event<'_>, i64), Problem> {
    let bad = |code: crate::Code, message: String| Problem::new("", code, message);
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
        event.write_line(&mut text);
        text.push('\n');
    }
    text
}

/// Code of a line that is JSON but not an event.
pub const BAD_EVENT: crate::error::Code = crate::error::Code::BadEvent;

/// `Invalid type` → `invalid type`, but `EOF while …` stays.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if second.is_lowercase() => first.to_lowercase().chain([second]).chain(chars).collect(),
        _ => text.to_owned(),
    }
}
