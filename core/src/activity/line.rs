//! The JSON object writer of decision events, by hand: the npm package
//! carries this code (a derived serializer costs it 2 KB) and writes one
//! line per recorded decision, so plain text is copied without a detour.

/// A JSON object being written at the end of a buffer. Each key comes with
/// its punctuation as one literal (`,"user":"`), so a field costs three
/// copies rather than seven: writing lines is most of what draining events
/// costs an edge.
pub(super) struct Line<'o> {
    out: &'o mut String,
}

impl<'o> Line<'o> {
    /// Opens the object (room for a typical line reserved once).
    #[inline]
    pub(super) fn open(out: &'o mut String) -> Line<'o> {
        out.reserve(256);
        out.push('{');
        Line { out }
    }

    /// Closes the object.
    #[inline]
    pub(super) fn close(self) {
        self.out.push('}');
    }

    /// `text` after `key`, a literal ending in an opening quote
    /// (`,"user":"`), then the closing quote.
    #[inline]
    fn string(&mut self, key: &str, text: &str) {
        self.out.push_str(key);
        // Ids and names rarely need escaping: copy them when they do not.
        if plain(text.as_bytes()) {
            self.out.push_str(text);
            self.out.push('"');
        } else {
            self.out.pop();
            escaped(self.out, text);
        }
    }

    /// `key` and the text (see [`Line::string`]), when there is a text.
    #[inline]
    pub(super) fn text(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.string(key, value);
        }
    }

    /// `key` (a literal ending in `:`) and `true` or `false`, when there is a value.
    #[inline]
    pub(super) fn bool(&mut self, key: &str, value: Option<bool>) {
        if let Some(value) = value {
            self.out.push_str(key);
            self.out.push_str(if value { "true" } else { "false" });
        }
    }

    /// `key` (a literal ending in `:`) and the number, when there is one.
    #[inline]
    pub(super) fn number(&mut self, key: &str, value: Option<u64>) {
        if let Some(value) = value {
            self.out.push_str(key);
            digits(self.out, value);
        }
    }

    /// `key` (a literal ending in `:[`), the items, `]`; nothing when there are none.
    #[inline]
    pub(super) fn list<'t>(&mut self, key: &str, items: impl IntoIterator<Item = &'t str>) {
        let mut items = items.into_iter();
        let Some(first) = items.next() else { return };
        self.out.push_str(key);
        self.string("\"", first);
        for item in items {
            self.string(",\"", item);
        }
        self.out.push(']');
    }
}

/// Whether `text` stands in a JSON string as it is: no control byte, quote
/// or backslash. Eight bytes at a time (a drain checks every id and name
/// it writes); a byte at a time for the rest.
#[inline]
fn plain(text: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Whether a byte of `x` is below `n` (n <= 0x80): exact as a yes/no.
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGHS != 0;
    let mut chunks = text.chunks_exact(8);
    for chunk in &mut chunks {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else { return false };
        let x = u64::from_le_bytes(word);
        if below(x, 0x20) || below(x ^ (ONES * u64::from(b'"')), 1) || below(x ^ (ONES * u64::from(b'\\')), 1) {
            return false;
        }
    }
    chunks.remainder().iter().all(|&b| b >= 0x20 && b != b'"' && b != b'\\')
}

/// `value` in decimal, without the formatting machinery.
#[inline]
fn digits(out: &mut String, mut value: u64) {
    let mut buffer = [0_u8; 20];
    let mut at = buffer.len();
    loop {
        at -= 1;
        buffer[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.extend(buffer[at..].iter().map(|&b| char::from(b)));
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
        // `time` is always there: it opens the object, after `revision` when given.
        line.number("\"revision\":", self.revision);
        line.string(if self.revision.is_some() { ",\"time\":\"" } else { "\"time\":\"" }, self.time);
        line.string(",\"user\":\"", self.user);
        line.string(",\"action\":\"", self.action);
        line.string(",\"object\":\"", self.object);
        line.text(",\"record\":\"", self.record);
        line.bool(",\"allowed\":", Some(self.allowed));
        line.text(",\"stage\":\"", self.stage);
        line.list(",\"reasons\":[", self.reasons);
        line.text(",\"bundle\":\"", self.bundle);
        line.text(",\"ip\":\"", self.ip);
        line.bool(",\"mfa\":", self.mfa);
        line.list(",\"fields\":[", self.fields);
        line.close();
    }
}

#[cfg(test)]
mod tests {
    use super::{Parts, plain};

    /// Eight bytes at a time says what a byte at a time says: every byte
    /// value at every place of strings around a word's length.
    #[test]
    fn a_text_is_plain_when_no_byte_needs_escaping() {
        let simple = |text: &[u8]| text.iter().all(|&b| b >= 0x20 && b != b'"' && b != b'\\');
        for len in [1, 7, 8, 9, 16, 17, 24] {
            for at in 0..len {
                for byte in 0..=255_u8 {
                    let mut text = vec![b'a'; len];
                    text[at] = byte;
                    assert_eq!(plain(&text), simple(&text), "{byte:#04x} at {at} of {len}");
                    // The neighbours' high bits must not hide it (a borrow crossing bytes).
                    text.iter_mut().enumerate().filter(|(i, _)| *i != at).for_each(|(_, b)| *b = 0xFF);
                    assert_eq!(plain(&text), simple(&text), "{byte:#04x} at {at} of {len}, among 0xff");
                    text.iter_mut().enumerate().filter(|(i, _)| *i != at).for_each(|(_, b)| *b = 0x21);
                    assert_eq!(plain(&text), simple(&text), "{byte:#04x} at {at} of {len}, among 0x21");
                }
            }
        }
        assert!(plain(b"") && plain("user_1 名前 ok".as_bytes()));
    }

    fn line(revision: Option<u64>, reasons: &[&'static str], fields: &[&'static str], odd: Option<&'static str>) -> String {
        let mut out = String::new();
        Parts {
            revision,
            time: "2026-12-07T10:00:00.000Z",
            user: odd.unwrap_or("bob"),
            action: "read",
            object: "Account",
            record: Some("acc_1"),
            allowed: true,
            stage: None,
            reasons: reasons.iter().copied(),
            bundle: Some("sales"),
            ip: None,
            mfa: Some(false),
            fields: fields.iter().copied(),
        }
        .write(&mut out);
        out
    }

    /// The exact bytes: every reader of an edge's events (the server, the
    /// CLI's `activity`) parses them, and a line must read back as written.
    #[test]
    fn a_line_is_one_json_object_with_absent_and_empty_values_left_out() {
        assert_eq!(
            line(None, &[], &[], None),
            r#"{"time":"2026-12-07T10:00:00.000Z","user":"bob","action":"read","object":"Account","record":"acc_1","allowed":true,"bundle":"sales","mfa":false}"#
        );
        assert_eq!(
            line(Some(18_446_744_073_709_551_615), &["scope", "team"], &["phone"], None),
            r#"{"revision":18446744073709551615,"time":"2026-12-07T10:00:00.000Z","user":"bob","action":"read","object":"Account","record":"acc_1","allowed":true,"reasons":["scope","team"],"bundle":"sales","mfa":false,"fields":["phone"]}"#
        );
        assert!(line(Some(0), &[], &[], None).starts_with(r#"{"revision":0,"time":"#));
        assert!(line(Some(907), &[], &[], None).starts_with(r#"{"revision":907,"time":"#));
    }

    #[test]
    fn text_that_needs_escaping_is_escaped_wherever_it_stands() {
        let odd = "a\"b\\c\n名";
        let written = line(None, &["x\"y", "plain"], &["plain", "f\u{1}"], Some(odd));
        let value: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert_eq!(value["user"], odd);
        assert_eq!(value["reasons"], serde_json::json!(["x\"y", "plain"]));
        assert_eq!(value["fields"], serde_json::json!(["plain", "f\u{1}"]));
        assert!(written.contains(r#","user":"a\"b\\c\n名","action":"#), "{written}");
    }
}
