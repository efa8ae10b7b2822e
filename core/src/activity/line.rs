//! The JSON object writer of decision events, by hand: the npm package
//! carries this code (a derived serializer costs it 2 KB) and writes one
//! line per recorded decision, so plain text is copied without a detour.

/// A JSON object being written at the end of a buffer.
pub(super) struct Line<'o> {
    out: &'o mut String,
    first: bool,
}

impl<'o> Line<'o> {
    /// Opens the object.
    #[inline]
    pub(super) fn open(out: &'o mut String) -> Line<'o> {
        out.push('{');
        Line { out, first: true }
    }

    /// Closes the object.
    #[inline]
    pub(super) fn close(self) {
        self.out.push('}');
    }

    #[inline]
    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
    }

    #[inline]
    fn string(&mut self, text: &str) {
        // Ids and names rarely need escaping: copy them when they do not.
        if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
            self.out.push('"');
            self.out.push_str(text);
            self.out.push('"');
        } else {
            escaped(self.out, text);
        }
    }

    /// `"key":"text"`, when there is a text.
    #[inline]
    pub(super) fn text(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.key(key);
            self.string(value);
        }
    }

    /// `"key":true`, when there is a value.
    #[inline]
    pub(super) fn bool(&mut self, key: &str, value: Option<bool>) {
        if let Some(value) = value {
            self.key(key);
            self.out.push_str(if value { "true" } else { "false" });
        }
    }

    /// `"key":7`, when there is a number.
    #[inline]
    pub(super) fn number(&mut self, key: &str, value: Option<u64>) {
        if let Some(value) = value {
            self.key(key);
            // Writing to a `String` cannot fail.
            let _ = std::fmt::Write::write_fmt(self.out, format_args!("{value}"));
        }
    }

    /// `"key":["a","b"]`, unless there are no items.
    #[inline]
    pub(super) fn list<'t>(&mut self, key: &str, items: impl IntoIterator<Item = &'t str>) {
        let mut items = items.into_iter().peekable();
        if items.peek().is_none() {
            return;
        }
        self.key(key);
        self.out.push('[');
        for (i, item) in items.enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.string(item);
        }
        self.out.push(']');
    }
}

/// `text` as a JSON string, escaped (out of the hot path: rare).
#[cold]
#[inline(never)]
fn escaped(out: &mut String, text: &str) {
    out.push_str(&serde_json::Value::from(text).to_string());
}

/// What an event's line says, borrowed from wherever the event lives (a
/// parsed [`super::Event`], or a recorded [`super::Logged`] and its engine).
pub(super) struct Parts<'a, R, F> {
    pub revision: Option<u64>,
    pub time: &'a str,
    pub user: &'a str,
    pub action: &'a str,
    pub object: &'a str,
    pub record: Option<&'a str>,
    pub allowed: bool,
    pub stage: Option<&'a str>,
    pub reasons: R,
    pub bundle: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub mfa: Option<bool>,
    pub fields: F,
}

impl<'a, R: Iterator<Item = &'a str>, F: Iterator<Item = &'a str>> Parts<'a, R, F> {
    /// Appends the event's JSON line (without the newline) to `out`;
    /// absent and empty values are left out.
    #[inline]
    pub(super) fn write(self, out: &mut String) {
        let mut line = Line::open(out);
        line.number("revision", self.revision);
        line.text("time", Some(self.time));
        line.text("user", Some(self.user));
        line.text("action", Some(self.action));
        line.text("object", Some(self.object));
        line.text("record", self.record);
        line.bool("allowed", Some(self.allowed));
        line.text("stage", self.stage);
        line.list("reasons", self.reasons);
        line.text("bundle", self.bundle);
        line.text("ip", self.ip);
        line.bool("mfa", self.mfa);
        line.list("fields", self.fields);
        line.close();
    }
}
