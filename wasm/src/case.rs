//! JavaScript's camelCase keys ⇄ the engine's snake_case keys. Only the API's
//! own key names are renamed, never user data: record fields, context
//! attributes, table names and per-user summaries keep their keys as given.
//! Policies are documents in the policy file format and cross unrenamed.

use serde_json::Value;

/// The API's multi-word keys, `(snake, camel)`.
const KEYS: &[(&str, &str)] = &[
    ("record_id", "recordId"),
    ("owner_role", "ownerRole"),
    ("via_superior", "viaSuperior"),
    ("missing_context", "missingContext"),
    ("team_table", "teamTable"),
    ("shares_table", "sharesTable"),
    ("role_and_subordinates", "roleAndSubordinates"),
    ("department_tree", "departmentTree"),
];

/// Keys whose object value is user data, copied as is.
const DATA: &[&str] = &["fields", "context", "tables", "users", "objects", "actions"];

/// A value as JSON text with the engine's keys renamed for JavaScript, in
/// one pass: the keys are renamed as they are written (no JSON tree is built
/// and walked), with the same rule as [`to_snake`] the other way.
pub fn to_camel_json<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(256);
    value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, Camel::default()))?;
    // serde_json writes UTF-8 only.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// serde_json's compact output, renaming API keys: a key's text is gathered
/// while it is written and replaced at its end; inside the object value of
/// a [`DATA`] key (user data) nothing is renamed.
#[derive(Default)]
struct Camel {
    /// The key being written, escaped as it will appear (one buffer, reused).
    key: Vec<u8>,
    /// Whether a key is being written.
    in_key: bool,
    /// Objects open.
    depth: usize,
    /// The depth of the user-data object being written, if any.
    data: Option<usize>,
    /// The last key was a [`DATA`] key and its value has not started.
    data_next: bool,
}

impl Camel {
    /// Writes to the key being gathered, or else to the output.
    fn write<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, bytes: &[u8]) -> std::io::Result<()> {
        if self.in_key {
            self.key.extend_from_slice(bytes);
            Ok(())
        } else {
            writer.write_all(bytes)
        }
    }
}

impl serde_json::ser::Formatter for Camel {
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        if std::mem::take(&mut self.data_next) && self.data.is_none() {
            self.data = Some(self.depth);
        }
        writer.write_all(b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        if self.data == Some(self.depth) {
            self.data = None;
        }
        self.depth -= 1;
        writer.write_all(b"}")
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.data_next = false;
        writer.write_all(b"[")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            writer.write_all(b",")?;
        }
        self.key.clear();
        self.in_key = true;
        Ok(())
    }

    fn end_object_key<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.in_key = false;
        let key = &self.key;
        let name = key.get(1..key.len().saturating_sub(1)).and_then(|k| std::str::from_utf8(k).ok()).unwrap_or_default();
        if self.data.is_some() {
            return writer.write_all(key);
        }
        self.data_next = DATA.contains(&name);
        match KEYS.iter().find(|(snake, _)| *snake == name) {
            Some((_, camel)) => write!(writer, "\"{camel}\""),
            None => writer.write_all(key),
        }
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _writer: &mut W) -> std::io::Result<()> {
        self.data_next = false;
        Ok(())
    }

    fn begin_string<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.write(writer, b"\"")
    }

    fn end_string<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.write(writer, b"\"")
    }

    fn write_string_fragment<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, fragment: &str) -> std::io::Result<()> {
        self.write(writer, fragment.as_bytes())
    }

    fn write_char_escape<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        escape: serde_json::ser::CharEscape,
    ) -> std::io::Result<()> {
        if self.in_key {
            serde_json::ser::CompactFormatter.write_char_escape(&mut self.key, escape)
        } else {
            serde_json::ser::CompactFormatter.write_char_escape(writer, escape)
        }
    }
}

/// Renames JavaScript's keys for the engine (snake_case keys pass
/// unchanged), in place: maps are only touched where a key is renamed.
pub fn to_snake(mut value: Value) -> Value {
    snake_in_place(&mut value);
    value
}

fn snake_in_place(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(snake_in_place),
        Value::Object(entries) => {
            let renamed: Vec<(String, &str)> = entries
                .keys()
                .filter_map(|key| KEYS.iter().find(|(_, camel)| *camel == key).map(|(snake, _)| (key.clone(), *snake)))
                .collect();
            for (camel, snake) in renamed {
                if let Some(item) = entries.remove(&camel) {
                    entries.insert(snake.to_owned(), item);
                }
            }
            for (key, item) in entries.iter_mut() {
                if !(DATA.contains(&key.as_str()) && item.is_object()) {
                    snake_in_place(item);
                }
            }
        }
        _ => {}
    }
}

/// A JSON Pointer with the API's keys renamed for JavaScript.
pub fn pointer_to_camel(pointer: &str) -> String {
    pointer
        .split('/')
        .map(|token| KEYS.iter().find(|(snake, _)| *snake == token).map_or(token, |(_, camel)| camel))
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renames_api_keys_but_not_data() {
        let engine = json!({"record_id": "a", "reasons": [{"owner_role": "r", "via_superior": true}],
            "fields": {"owner_role": 1}, "context": {"record_id": 2}});
        let js: serde_json::Value = serde_json::from_str(&to_camel_json(&engine).unwrap()).unwrap();
        assert_eq!(
            js,
            json!({"recordId": "a", "reasons": [{"ownerRole": "r", "viaSuperior": true}],
            "fields": {"owner_role": 1}, "context": {"record_id": 2}})
        );
        assert_eq!(to_snake(js), engine);
    }

    #[test]
    fn decision_field_lists_are_not_data_maps() {
        // `fields` holding a list (a request's touched fields) is still walked.
        assert_eq!(to_snake(json!({"fields": ["a_b"], "recordId": "x"})), json!({"fields": ["a_b"], "record_id": "x"}));
    }

    #[test]
    fn the_json_writer_renames_only_api_keys_and_keeps_text_exact() {
        let value = json!({
            "record_id": "a \"quoted\" \\ value\n", "owner_role": {"record_id": 1, "fields": {"owner_role": {"via_superior": 2}}},
            "fields": ["owner_role"], "list": [{"via_superior": true}, {"context": {"department_tree": [{"record_id": 3}]}}],
            "k\"ey": {"team_table": null}, "context": "record_id", "users": {"x": {"owner_role": 1}}, "after": {"record_id": 4}
        });
        let text = to_camel_json(&value).unwrap();
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            back,
            json!({
                "recordId": "a \"quoted\" \\ value\n", "ownerRole": {"recordId": 1, "fields": {"owner_role": {"via_superior": 2}}},
                "fields": ["owner_role"], "list": [{"viaSuperior": true}, {"context": {"department_tree": [{"record_id": 3}]}}],
                "k\"ey": {"teamTable": null}, "context": "record_id", "users": {"x": {"owner_role": 1}}, "after": {"recordId": 4}
            })
        );
        assert_eq!(to_snake(back), value, "to_snake undoes it");
        assert!(!text.contains("\": ") && !text.contains(", \""), "compact: {text}");
    }

    #[test]
    fn renames_pointer_tokens() {
        assert_eq!(pointer_to_camel("/record_id"), "/recordId");
        assert_eq!(pointer_to_camel("/record/fields/x"), "/record/fields/x");
        assert_eq!(pointer_to_camel(""), "");
    }
}
