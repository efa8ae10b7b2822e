//! The condition language of SPEC §1: parsing with precise positions, name
//! resolution and type checking against the schema, and bounded evaluation.
//!
//! Limits: a condition is at most [`MAX_LEN`] bytes and nests at most
//! [`MAX_DEPTH`] levels (`(`, `not`, `[`), so evaluation is bounded and the
//! parser cannot overflow the stack.

mod ast;
mod compiled;
mod eval;
mod lexer;
mod parser;
mod resolve;
mod sql;

pub use ast::{CmpOp, Expr, Operand, OperandKind};
pub use compiled::Condition;
pub use eval::{EvalEnv, RecordData, RecordView, UserView};
pub use resolve::Resolver;
pub use sql::{SqlBool, SqlParams, SqlRecord};

use crate::error::{Error, code};

/// Deepest nesting of parentheses, `not` and lists.
pub const MAX_DEPTH: usize = 32;
/// Longest condition text, in bytes.
pub const MAX_LEN: usize = 4096;

/// A problem at a byte offset of the condition text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset.
    pub at: usize,
    /// Stable code.
    pub code: crate::Code,
    /// Lowercase message without the position.
    pub message: String,
}

impl SyntaxError {
    pub(crate) fn new(at: usize, message: impl Into<String>) -> Self {
        SyntaxError { at, code: code::CONDITION_SYNTAX, message: message.into() }
    }

    pub(crate) fn too_deep(at: usize) -> Self {
        SyntaxError { at, code: code::CONDITION_TOO_COMPLEX, message: format!("condition nests deeper than {MAX_DEPTH} levels") }
    }

    pub(crate) fn typed(at: usize, code: crate::Code, message: impl Into<String>) -> Self {
        SyntaxError { at, code, message: message.into() }
    }

    /// Turns this into an [`Error`] at `path`, with line and column (1-based,
    /// in characters) in the message.
    pub fn into_error(self, text: &str, path: &str) -> Error {
        let (line, column) = line_column(text, self.at);
        Error::one(path, self.code, format!("{} at line {line}, column {column}", self.message))
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, at: usize) -> (usize, usize) {
    let mut line = 1;
    let mut column = 1;
    for (offset, ch) in text.char_indices() {
        if offset >= at {
            break;
        }
        if ch == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

/// Parses condition text (syntax only).
///
/// # Errors
/// `condition_syntax` or `condition_too_complex` with the position.
pub fn parse(text: &str) -> Result<Expr, SyntaxError> {
    if text.len() > MAX_LEN {
        return Err(SyntaxError::typed(0, code::CONDITION_TOO_COMPLEX, format!("condition is longer than {MAX_LEN} bytes")));
    }
    parser::parse(text)
}

#[cfg(test)]
mod tests;
