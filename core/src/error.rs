//! The one error type of the engine: a list of problems, each with a JSON
//! Pointer path, a stable code and a lowercase message.

mod codes;

pub use codes::Code;
use serde::Serialize;
use std::fmt;

/// The engine's codes by their historical constant names (each a [`Code`]).
pub mod code {
    use super::Code;

    /// The input is not well-formed JSON.
    pub const JSON_SYNTAX: Code = Code::JsonSyntax;
    /// A value has the wrong JSON type (a string where a list belongs).
    pub const BAD_TYPE: Code = Code::BadType;
    /// A value is of the right type but not one of the allowed ones.
    pub const BAD_VALUE: Code = Code::BadValue;
    /// A key that the format does not know (typos are never ignored).
    pub const UNKNOWN_KEY: Code = Code::UnknownKey;
    /// A required key is absent.
    pub const MISSING_KEY: Code = Code::MissingKey;
    /// Two items of one kind share an id.
    pub const DUPLICATE_ID: Code = Code::DuplicateId;
    /// An id is empty.
    pub const EMPTY_ID: Code = Code::EmptyId;
    /// A user names a role that does not exist.
    pub const UNKNOWN_ROLE: Code = Code::UnknownRole;
    /// A department that does not exist.
    pub const UNKNOWN_DEPARTMENT: Code = Code::UnknownDepartment;
    /// A user that does not exist.
    pub const UNKNOWN_USER: Code = Code::UnknownUser;
    /// A group that does not exist.
    pub const UNKNOWN_GROUP: Code = Code::UnknownGroup;
    /// A profile that does not exist.
    pub const UNKNOWN_PROFILE: Code = Code::UnknownProfile;
    /// A permission set that does not exist.
    pub const UNKNOWN_PERMISSION_SET: Code = Code::UnknownPermissionSet;
    /// An object type that the schema does not declare.
    pub const UNKNOWN_OBJECT: Code = Code::UnknownObject;
    /// An action that is neither built in nor declared in the schema.
    pub const UNKNOWN_ACTION: Code = Code::UnknownAction;
    /// A field that the object does not declare.
    pub const UNKNOWN_FIELD: Code = Code::UnknownField;
    /// A record id that is not in the loaded dataset.
    pub const UNKNOWN_RECORD: Code = Code::UnknownRecord;
    /// The role tree has a cycle.
    pub const CYCLE_IN_ROLES: Code = Code::CycleInRoles;
    /// The department tree has a cycle.
    pub const CYCLE_IN_DEPARTMENTS: Code = Code::CycleInDepartments;
    /// Groups contain each other in a cycle.
    pub const CYCLE_IN_GROUPS: Code = Code::CycleInGroups;
    /// Objects are each other's parents in a cycle.
    pub const CYCLE_IN_PARENTS: Code = Code::CycleInParents;
    /// An IP range is not valid CIDR notation.
    pub const BAD_CIDR: Code = Code::BadCidr;
    /// Login hours are malformed (day names, `HH:MM` times, start before end).
    pub const BAD_HOURS: Code = Code::BadHours;
    /// A condition does not parse.
    pub const CONDITION_SYNTAX: Code = Code::ConditionSyntax;
    /// A condition nests deeper than the documented limit, or is too long.
    pub const CONDITION_TOO_COMPLEX: Code = Code::ConditionTooComplex;
    /// A comparison the schema shows can never hold.
    pub const TYPE_MISMATCH: Code = Code::TypeMismatch;
    /// A sharing rule must have exactly one of `owned_by` and `criteria`.
    pub const BAD_RULE: Code = Code::BadRule;
    /// A name clashes with a built-in one.
    pub const RESERVED_NAME: Code = Code::ReservedName;
    /// The policy file's `version` is not one this engine reads.
    pub const UNSUPPORTED_VERSION: Code = Code::UnsupportedVersion;
    /// A parent link is malformed (missing field, wrong object).
    pub const BAD_PARENT: Code = Code::BadParent;
    /// A request for a record-bound action names no record.
    pub const RECORD_REQUIRED: Code = Code::RecordRequired;
    /// A record's object differs from the request's object.
    pub const OBJECT_MISMATCH: Code = Code::ObjectMismatch;
    /// A dataset loaded by one engine was given to another.
    pub const FOREIGN_DATASET: Code = Code::ForeignDataset;
    /// More data than one dataset holds.
    pub const TOO_LARGE: Code = Code::TooLarge;
    /// A test expectation is malformed.
    pub const BAD_EXPECTATION: Code = Code::BadExpectation;
    /// Not a bundle, or truncated, or its parts do not decode.
    pub const BAD_BUNDLE: Code = Code::BadBundle;
    /// The bundle was written without its policy, which lint and diff need.
    pub const NO_POLICY: Code = Code::NoPolicy;
}

/// One thing wrong with the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Problem {
    /// JSON Pointer (RFC 6901) to the offending value; `""` is the whole document.
    pub path: String,
    /// Stable machine-readable code: a [`Code`]'s wire string (a problem
    /// decoded from a newer peer may carry one this version does not know).
    pub code: String,
    /// Lowercase human message; user input appears in backticks.
    pub message: String,
}

impl Problem {
    /// Builds a problem.
    pub fn new(path: impl Into<String>, code: Code, message: impl Into<String>) -> Self {
        Problem { path: path.into(), code: code.as_str().to_owned(), message: message.into() }
    }

    /// A problem as another process reported it (a server's answer), its
    /// code kept as sent even when this version does not know it.
    pub fn decoded(path: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Problem { path: path.into(), code: code.into(), message: message.into() }
    }

    /// The problem's code, when this version knows it (match on it).
    pub fn kind(&self) -> Option<Code> {
        Code::from_wire(&self.code)
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
    pub fn one(path: impl Into<String>, code: Code, message: impl Into<String>) -> Self {
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

    /// The headline code, when this version knows it (match on it).
    pub fn kind(&self) -> Option<Code> {
        self.problems.first().and_then(Problem::kind)
    }

    /// Whether any problem has this code.
    pub fn has_code(&self, code: Code) -> bool {
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
    pub fn push(&mut self, path: impl Into<String>, code: Code, message: impl Into<String>) {
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
