//! Evaluation of resolved conditions. No allocation, no recursion beyond the
//! nesting the parser admitted.

use super::ast::CmpOp;
use super::compiled::{CExpr, COp, Condition, CtxKey};
use crate::cidr::Cidr;
use crate::clock::parse_rfc3339;
use crate::dataset::{RecordRef, Scalar};
use crate::request::Context;
use crate::value::Value;

/// The user a condition looks at.
#[derive(Debug, Clone, Copy)]
pub struct UserView<'a> {
    /// User id.
    pub id: &'a str,
    /// Role id.
    pub role: Option<&'a str>,
    /// Department id.
    pub department: Option<&'a str>,
    /// Attribute values, indexed by the engine's attribute table.
    pub attributes: &'a [Value],
}

/// The record a condition looks at.
#[derive(Debug, Clone, Copy)]
pub struct RecordView<'a> {
    /// Owner's user id.
    pub owner: &'a str,
    /// The record's department id (its own or its owner's).
    pub department: Option<&'a str>,
    /// Its id and field values.
    pub data: RecordData<'a>,
}

/// A record's id and field values: given, or read from a compiled record
/// only when a condition asks (most checks read neither, and reading them
/// touches the record's bytes: a cache miss per random record).
#[derive(Debug, Clone, Copy)]
pub enum RecordData<'a> {
    /// Given values.
    Values {
        /// Record id.
        id: &'a str,
        /// Field values, indexed by the object's field table.
        fields: &'a [Value],
    },
    /// A compiled record.
    Stored(RecordRef<'a>),
}

/// Everything a condition can read.
#[derive(Debug, Clone, Copy)]
pub struct EvalEnv<'a> {
    /// The requesting user.
    pub user: UserView<'a>,
    /// The record, when there is one.
    pub record: Option<RecordView<'a>>,
    /// The request context.
    pub context: &'a Context,
    /// Read `context.mfa` as `true` whatever the context says: the "would
    /// step-up authentication allow it" evaluation, without copying the context.
    pub assume_mfa: bool,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum V<'a> {
    Null,
    Bool(bool),
    Num(f64),
    Str(&'a str),
    List(&'a [Value]),
    Time(i64),
}

pub(crate) fn of(value: &Value) -> V<'_> {
    match value {
        Value::Null => V::Null,
        Value::Bool(b) => V::Bool(*b),
        Value::Num(n) => V::Num(*n),
        Value::Str(s) => V::Str(s),
        Value::List(items) => V::List(items),
    }
}

/// The first context key the condition needs and the context lacks.
pub(crate) fn missing_context<'k>(keys: &'k [CtxKey], env: &EvalEnv<'_>) -> Option<&'k CtxKey> {
    keys.iter().find(|key| (!env.assume_mfa || **key != CtxKey::Mfa) && !env.context.has(key.name()))
}

pub(crate) fn eval(expr: &CExpr, env: &EvalEnv<'_>) -> bool {
    match expr {
        CExpr::Const(b) => *b,
        CExpr::Or(parts) => parts.iter().any(|p| eval(p, env)),
        CExpr::And(parts) => parts.iter().all(|p| eval(p, env)),
        CExpr::Not(inner) => !eval(inner, env),
        CExpr::Truthy(op) => matches!(operand(op, env), V::Bool(true)),
        CExpr::IsNull(op, negated) => matches!(operand(op, env), V::Null) != *negated,
        CExpr::InCidr(op, cidr) => match operand(op, env) {
            V::Str(ip) => cidr.contains_text(ip),
            _ => false,
        },
        CExpr::Compare(left, op, right) => compare(operand(left, env), *op, operand(right, env)),
    }
}

pub(crate) fn operand<'a>(op: &'a COp, env: &EvalEnv<'a>) -> V<'a> {
    match op {
        COp::Lit(value) => of(value),
        COp::Time(ms) => V::Time(*ms),
        COp::RecordField(index, datetime) => {
            let value = match env.record.map(|r| r.data) {
                None => return V::Null,
                Some(RecordData::Values { fields, .. }) => fields.get(*index as usize).map_or(V::Null, of),
                Some(RecordData::Stored(record)) => match record.field(*index) {
                    Scalar::Null => V::Null,
                    Scalar::Bool(b) => V::Bool(b),
                    Scalar::Num(n) => V::Num(n),
                    Scalar::Str(s) => V::Str(s),
                },
            };
            match (value, datetime) {
                (V::Str(s), true) => parse_rfc3339(s).map_or(V::Null, V::Time),
                _ => value,
            }
        }
        COp::RecordId => match env.record.map(|r| r.data) {
            None => V::Null,
            Some(RecordData::Values { id, .. }) => V::Str(id),
            Some(RecordData::Stored(record)) => V::Str(record.id()),
        },
        COp::RecordOwner => env.record.map_or(V::Null, |r| V::Str(r.owner)),
        COp::RecordDepartment => env.record.and_then(|r| r.department).map_or(V::Null, V::Str),
        COp::Absent => V::Null,
        COp::UserId => V::Str(env.user.id),
        COp::UserRole => env.user.role.map_or(V::Null, V::Str),
        COp::UserDepartment => env.user.department.map_or(V::Null, V::Str),
        COp::UserAttr(index) => env.user.attributes.get(*index as usize).map_or(V::Null, of),
        COp::Context(key) => match key {
            CtxKey::Mfa if env.assume_mfa => V::Bool(true),
            CtxKey::Mfa => env.context.mfa.map_or(V::Null, V::Bool),
            CtxKey::Ip => env.context.ip.as_deref().map_or(V::Null, V::Str),
            CtxKey::Time => env.context.time_ms().map_or(V::Null, V::Time),
            CtxKey::Other(name) => env.context.extra.get(name.as_ref()).map_or(V::Null, of),
        },
    }
}

pub(crate) fn compare(left: V<'_>, op: CmpOp, right: V<'_>) -> bool {
    if matches!(left, V::Null) || matches!(right, V::Null) {
        return false;
    }
    match op {
        CmpOp::Eq => equal(left, right),
        CmpOp::Ne => !equal(left, right),
        CmpOp::Lt => order(left, right).is_some_and(|o| o.is_lt()),
        CmpOp::Le => order(left, right).is_some_and(|o| o.is_le()),
        CmpOp::Gt => order(left, right).is_some_and(|o| o.is_gt()),
        CmpOp::Ge => order(left, right).is_some_and(|o| o.is_ge()),
        CmpOp::In => match right {
            V::List(items) => items.iter().any(|item| equal(left, of(item))),
            V::Str(range) => match (left, Cidr::parse(range)) {
                (V::Str(ip), Some(cidr)) => cidr.contains_text(ip),
                _ => false,
            },
            _ => false,
        },
        CmpOp::Contains => match (left, right) {
            (V::List(items), _) => items.iter().any(|item| equal(of(item), right)),
            (V::Str(haystack), V::Str(needle)) => haystack.contains(needle),
            _ => false,
        },
        CmpOp::StartsWith => {
            matches!((left, right), (V::Str(s), V::Str(prefix)) if s.starts_with(prefix))
        }
    }
}

fn as_time(value: V<'_>) -> Option<i64> {
    match value {
        V::Time(ms) => Some(ms),
        V::Str(s) => parse_rfc3339(s),
        _ => None,
    }
}

fn equal(left: V<'_>, right: V<'_>) -> bool {
    match (left, right) {
        (V::Bool(a), V::Bool(b)) => a == b,
        (V::Num(a), V::Num(b)) => a == b,
        (V::Str(a), V::Str(b)) => a == b,
        (V::Time(_), _) | (_, V::Time(_)) => {
            matches!((as_time(left), as_time(right)), (Some(a), Some(b)) if a == b)
        }
        _ => false,
    }
}

fn order(left: V<'_>, right: V<'_>) -> Option<std::cmp::Ordering> {
    match (left, right) {
        (V::Num(a), V::Num(b)) => a.partial_cmp(&b),
        (V::Str(a), V::Str(b)) => Some(a.cmp(b)),
        (V::Time(_), _) | (_, V::Time(_)) => Some(as_time(left)?.cmp(&as_time(right)?)),
        _ => None,
    }
}

impl Condition {
    /// Evaluates the condition. `Err(name)` means the condition is unknown
    /// because it reads `context.name`, which the request lacks.
    pub fn evaluate<'k>(&'k self, env: &EvalEnv<'_>) -> Result<bool, &'k str> {
        if let Some(key) = missing_context(&self.context_keys, env) {
            return Err(key.name());
        }
        Ok(eval(&self.expr, env))
    }
}
