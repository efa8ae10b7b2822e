//! The parsed form of a condition, before names are resolved.

/// A boolean expression.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Expr {
    /// True when any part is.
    Or(Vec<Expr>),
    /// True when every part is.
    And(Vec<Expr>),
    /// Negation.
    Not(Box<Expr>),
    /// `left op right`.
    Compare {
        /// Left operand.
        left: Operand,
        /// Operator.
        op: CmpOp,
        /// Right operand.
        right: Operand,
    },
    /// `operand is null` (or `is not null` when `negated`).
    IsNull {
        /// Tested operand.
        operand: Operand,
        /// `is not null`.
        negated: bool,
    },
    /// An operand in a boolean position (`context.mfa`).
    Truthy(Operand),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in` (list membership, or IP in CIDR range)
    In,
    /// `contains` (list element or substring)
    Contains,
    /// `starts_with`
    StartsWith,
}

impl CmpOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::In => "in",
            CmpOp::Contains => "contains",
            CmpOp::StartsWith => "starts_with",
        }
    }
}

/// An operand with its byte offset in the condition text.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Operand {
    /// What it is.
    pub kind: OperandKind,
    /// Byte offset in the condition text.
    pub at: usize,
}

/// Operand kinds.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum OperandKind {
    /// `record.name`
    Record(String),
    /// `user.name`
    User(String),
    /// `context.name`
    Context(String),
    /// A literal.
    Literal(crate::value::Value),
}
