//! The one error type of the engine: a list of problems, each with a JSON
//! Pointer path, a stable code and a lowercase message.

use serde::Serialize;
use std::fmt;

/// Stable error codes. They are part of the public contract: tools match on
/// them, so a code is never renamed once released.
pub mod code {
    /// The input is not well-formed JSON.
    pub const JSON_SYNTAX: &str = "json_syntax";
    /// A value has the wrong JSON type (a string where a list belongs).
    pub const BAD_TYPE: &str = "bad_type";
    /// A value is of the right type but not one of the allowed ones.
    pub const BAD_VALUE: &str = "bad_value";
    /// A key that the format does not know (typos are never ignored).
    pub const UNKNOWN_KEY: &str = "unknown_key";
    /// A required key is absent.
    pub const MISSING_KEY: &str = "missing_key";
    /// Two items of one kind share an id.
    pub const DUPLICATE_ID: &str = "duplicate_id";
    /// An id is empty.
    pub const EMPTY_ID: &str = "empty_id";
    /// A user names a role that does not exist.
    pub const UNKNOWN_ROLE: &str = "unknown_role";
    /// A department that does not exist.
    pub const UNKNOWN_DEPARTMENT: &str = "unknown_department";
    /// A user that does not exist.
    pub const UNKNOWN_USER: &str = "unknown_user";
    /// A group that does not exist.
    pub const UNKNOWN_GROUP: &str = "unknown_group";
    /// A profile that does not exist.
    pub const UNKNOWN_PROFILE: &str = "unknown_profile";
    /// A permission set that does not exist.
    pub const UNKNOWN_PERMISSION_SET: &str = "unknown_permission_set";
    /// An object type that the schema does not declare.
    pub const UNKNOWN_OBJECT: &str = "unknown_object";
    /// An action that is neither built in nor declared in the schema.
    pub const UNKNOWN_ACTION: &str = "unknown_action";
    /// A field that the object does not declare.
    pub const UNKNOWN_FIELD: &str = "unknown_field";
    /// A record id that is not in the loaded dataset.
    pub const UNKNOWN_RECORD: &str = "unknown_record";
    /// The role tree has a cycle.
    pub const CYCLE_IN_ROLES: &str = "cycle_in_roles";
    /// The department tree has a cycle.
    pub const CYCLE_IN_DEPARTMENTS: &str = "cycle_in_departments";
    /// Groups contain each other in a cycle.
    pub const CYCLE_IN_GROUPS: &str = "cycle_in_groups";
    /// Objects are each other's parents in a cycle.
    pub const CYCLE_IN_PARENTS: &str = "cycle_in_parents";
    /// An IP range is not valid CIDR notation.
    pub const BAD_CIDR: &str = "bad_cidr";
    /// Login hours are malformed (day names, `HH:MM` times, start before end).
    pub const BAD_HOURS: &str = "bad_hours";
    /// A condition does not parse.
    pub const CONDITION_SYNTAX: &str = "condition_syntax";
    /// A condition nests deeper than the documented limit, or is too long.
    pub const CONDITION_TOO_COMPLEX: &str = "condition_too_complex";
    /// A comparison the schema shows can never hold.
    pub const TYPE_MISMATCH: &str = "type_mismatch";
    /// A sharing rule must have exactly one of `owned_by` and `criteria`.
    pub const BAD_RULE: &str = "bad_rule";
    /// A name clashes with a built-in one.
    pub const RESERVED_NAME: &str = "reserved_name";
    /// The policy file's `version` is not one this engine reads.
    pub const UNSUPPORTED_VERSION: &str = "unsupported_version";
    /// A parent link is malformed (missing field, wrong object).
    pub const BAD_PARENT: &str = "bad_parent";
    /// A request for a record-bound action names no record.
    pub const RECORD_REQUIRED: &str = "record_required";
    /// A record's object differs from the request's object.
    pub const OBJECT_MISMATCH: &str = "object_mismatch";
    /// A dataset loaded by one engine was given to another.
    pub const FOREIGN_DATASET: &str = "foreign_dataset";
    /// More data than one dataset holds.
    pub const TOO_LARGE: &str = "too_large";
    /// A test expectation is malformed.
    pub const BAD_EXPECTATION: &str = "bad_expectation";
    /// Not a bundle, or truncated, or its parts do not decode.
    pub const BAD_BUNDLE: &str = "bad_bundle";
    /// The bundle was written without its policy, which lint and diff need.
    pub const NO_POLICY: &str = "no_policy";
}

/// One thing wrong with the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Problem {
    /// JSON Pointer (RFC 6901) to the offending value; `""` is the whole document.
    pub path: String,
    /// Stable machine-readable code, one of [`code`].
    pub code: String,
    /// Lowercase human message; user input appears in backticks.
    pub message: String,
}

impl Problem {
    /// Builds a problem.
    pub fn new(path: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Problem { path: path.into(), code: code.to_owned(), message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() { "/" } else { &self.path };
        write!(f, "{path}: {} [{}]", self.message, self.code)
    }
}

/// The engine's error: every problem found in one input, never just the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    problems: Vec<Problem>,
}

impl Error {
    /// An error holding the given problems (at least one is expected).
    pub fn new(problems: Vec<Problem>) -> Self {
        Error { problems }
    }

    /// An error with a single problem.
    pub fn one(path: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Error { problems: vec![Problem::new(path, code, message)] }
    }

    /// Every problem, in the order found.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Consumes the error into its problems.
    pub fn into_problems(self) -> Vec<Problem> {
        self.problems
    }

    /// The code of the first problem (the error's headline code).
    pub fn code(&self) -> &str {
        self.problems.first().map_or("", |p| p.code.as_str())
    }

    /// Whether any problem has this code.
    pub fn has_code(&self, code: &str) -> bool {
        self.problems.iter().any(|p| p.code == code)
    }

    /// Whether the input was not well-formed JSON.
    pub fn is_syntax(&self) -> bool {
        self.has_code(code::JSON_SYNTAX)
    }

    /// Whether some reference names something that does not exist.
    pub fn is_unknown_reference(&self) -> bool {
        self.problems.iter().any(|p| p.code.starts_with("unknown_"))
    }

    /// Prefixes every path with `prefix` (a JSON Pointer), for errors found
    /// in a value nested inside a larger document.
    pub fn at(mut self, prefix: &str) -> Self {
        for problem in &mut self.problems {
            problem.path = format!("{prefix}{}", problem.path);
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Collects problems while validating, so that every one is reported at once.
#[derive(Debug, Default)]
pub struct Problems {
    list: Vec<Problem>,
}

impl Problems {
    /// Records a problem.
    pub fn push(&mut self, path: impl Into<String>, code: &str, message: impl Into<String>) {
        self.list.push(Problem::new(path, code, message));
    }

    /// Records every problem of an error, with paths under `prefix`.
    pub fn extend_at(&mut self, prefix: &str, error: Error) {
        self.list.extend(error.at(prefix).into_problems());
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// `Ok(value)` when no problem was recorded, else the error.
    pub fn finish<T>(self, value: T) -> Result<T, Error> {
        if self.list.is_empty() { Ok(value) } else { Err(Error::new(self.list)) }
    }

    /// Turns the recorded problems into an error, if any.
    pub fn into_result(self) -> Result<(), Error> {
        self.finish(())
    }
}

/// Escapes one JSON Pointer reference token (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends a key to a JSON Pointer.
pub fn join(pointer: &str, token: impl fmt::Display) -> String {
    format!("{pointer}/{}", escape_token(&token.to_string()))
}
