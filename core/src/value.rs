//! Attribute values of users, records and contexts.

use serde_json::Value as Json;

/// A value a condition can look at. Lists hold scalars only.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub enum Value {
    /// Absent or JSON `null`.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// A number (JSON numbers are doubles).
    Num(f64),
    /// A string (also ids and RFC 3339 times).
    Str(Box<str>),
    /// A list of scalars.
    List(Box<[Value]>),
}

impl Value {
    /// Converts JSON into a value; `None` for objects and nested lists,
    /// which conditions cannot compare.
    pub fn from_json(json: &Json) -> Option<Value> {
        Some(match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Num(n.as_f64()?),
            Json::String(s) => Value::Str(s.as_str().into()),
            Json::Array(items) => Value::List(
                items
                    .iter()
                    .map(|item| match item {
                        Json::Array(_) | Json::Object(_) => None,
                        scalar => Value::from_json(scalar),
                    })
                    .collect::<Option<Vec<_>>>()?
                    .into_boxed_slice(),
            ),
            Json::Object(_) => return None,
        })
    }

    /// Converts back to JSON.
    pub fn to_json(&self) -> Json {
        match self {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Num(n) => serde_json::Number::from_f64(*n).map_or(Json::Null, Json::Number),
            Value::Str(s) => Json::String(s.to_string()),
            Value::List(items) => Json::Array(items.iter().map(Value::to_json).collect()),
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}
