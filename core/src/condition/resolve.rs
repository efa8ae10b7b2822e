//! Name resolution and type checking: turns a parsed condition into a
//! compiled one whose operands are indices, and rejects comparisons the
//! schema shows can never hold.

use super::ast::{CmpOp, Expr, Operand, OperandKind};
use super::compiled::{CExpr, COp, Condition, CtxKey};
use super::{SyntaxError, parse};
use crate::cidr::Cidr;
use crate::clock::parse_rfc3339;
use crate::error::code;
use crate::policy::FieldType;
use crate::value::Value;

/// Answers the names a condition uses.
pub trait Resolver {
    /// `record.name`: `Some(Some((index, type)))` for a field of the object in
    /// scope, `Some(None)` for a name that is valid but absent here (a field of
    /// another object the rule covers), `None` for an unknown name.
    fn record_field(&self, name: &str) -> Option<Option<(u32, FieldType)>>;
    /// `user.name` for a non-built-in attribute: its index, or `None` when no
    /// user has it (it is then always null).
    fn user_attribute(&self, name: &str) -> Option<u32>;
}

impl Condition {
    /// Parses, resolves and type-checks condition text.
    ///
    /// # Errors
    /// The first problem, with its byte offset: `condition_syntax`,
    /// `condition_too_complex`, `unknown_field`, `type_mismatch`, `bad_cidr`.
    pub fn compile(text: &str, resolver: &dyn Resolver) -> Result<Condition, SyntaxError> {
        let expr = parse(text)?;
        let mut context_keys = Vec::new();
        let expr = Compiler { resolver, context_keys: &mut context_keys }.expr(&expr)?;
        Ok(Condition { expr, context_keys: context_keys.into_boxed_slice() })
    }
}

/// Static types, for rejecting comparisons that can never hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum Ty {
    Str,
    Num,
    Bool,
    Time,
    Null,
    List,
    Any,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Str => "a string",
            Ty::Num => "a number",
            Ty::Bool => "a boolean",
            Ty::Time => "a datetime",
            Ty::Null => "null",
            Ty::List => "a list",
            Ty::Any => "any value",
        }
    }

    fn of_value(value: &Value) -> Ty {
        match value {
            Value::Null => Ty::Null,
            Value::Bool(_) => Ty::Bool,
            Value::Num(_) => Ty::Num,
            Value::Str(_) => Ty::Str,
            Value::List(_) => Ty::List,
        }
    }
}

struct Compiler<'r, 'k> {
    resolver: &'r dyn Resolver,
    context_keys: &'k mut Vec<CtxKey>,
}

impl Compiler<'_, '_> {
    fn expr(&mut self, expr: &Expr) -> Result<CExpr, SyntaxError> {
        Ok(match expr {
            Expr::Or(parts) => CExpr::Or(parts.iter().map(|p| self.expr(p)).collect::<Result<_, _>>()?),
            Expr::And(parts) => CExpr::And(parts.iter().map(|p| self.expr(p)).collect::<Result<_, _>>()?),
            Expr::Not(inner) => CExpr::Not(Box::new(self.expr(inner)?)),
            Expr::IsNull { operand, negated } => CExpr::IsNull(self.operand(operand)?.0, *negated),
            Expr::Truthy(operand) => {
                let (op, ty) = self.operand(operand)?;
                if !matches!(ty, Ty::Bool | Ty::Any) {
                    return Err(mismatch(
                        operand.at,
                        format!("{} is {}, not a boolean; compare it with an operator", describe(operand), ty.name()),
                    ));
                }
                CExpr::Truthy(op)
            }
            Expr::Compare { left, op, right } => self.compare(left, *op, right)?,
        })
    }

    fn compare(&mut self, left: &Operand, op: CmpOp, right: &Operand) -> Result<CExpr, SyntaxError> {
        let (mut l, lt) = self.operand(left)?;
        let (mut r, rt) = self.operand(right)?;
        if lt == Ty::Null || rt == Ty::Null {
            let at = if lt == Ty::Null { left.at } else { right.at };
            return Err(mismatch(
                at,
                format!("comparing with `null` never holds; write `is null` or `is not null` instead of `{}`", op.symbol()),
            ));
        }
        // A string literal compared with a datetime must be a valid time.
        if lt == Ty::Time {
            r = time_literal(r, right)?;
        }
        if rt == Ty::Time {
            l = time_literal(l, left)?;
        }
        let known = |t: Ty| t != Ty::Any;
        let same = |a: Ty, b: Ty| a == b || (a == Ty::Time && b == Ty::Str) || (a == Ty::Str && b == Ty::Time);
        match op {
            CmpOp::Eq | CmpOp::Ne => {
                if known(lt) && known(rt) && !same(lt, rt) {
                    return Err(mismatch(
                        right.at,
                        format!(
                            "{} is {} and {} is {}: `{}` never holds",
                            describe(left),
                            lt.name(),
                            describe(right),
                            rt.name(),
                            op.symbol()
                        ),
                    ));
                }
            }
            CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => {
                for (t, operand) in [(lt, left), (rt, right)] {
                    if matches!(t, Ty::Bool | Ty::List) {
                        return Err(mismatch(operand.at, format!("{} is {}, which has no order", describe(operand), t.name())));
                    }
                }
                if known(lt) && known(rt) && !same(lt, rt) {
                    return Err(mismatch(
                        right.at,
                        format!("{} is {} and {} is {}: they cannot be ordered", describe(left), lt.name(), describe(right), rt.name()),
                    ));
                }
            }
            CmpOp::In => match (&r, rt) {
                (COp::Lit(Value::Str(range)), _) => {
                    let cidr = Cidr::parse(range).ok_or_else(|| {
                        SyntaxError::typed(right.at, code::BAD_CIDR, format!("`{range}` is not a cidr range (like `10.0.0.0/8`)"))
                    })?;
                    if known(lt) && lt != Ty::Str {
                        return Err(mismatch(left.at, format!("{} is {}, not an ip address", describe(left), lt.name())));
                    }
                    return Ok(CExpr::InCidr(l, cidr));
                }
                (COp::Lit(Value::List(items)), _) => {
                    if known(lt)
                        && let Some(item) = items.iter().find(|item| !same(lt, Ty::of_value(item)))
                    {
                        return Err(mismatch(
                            right.at,
                            format!("{} is {} but the list holds {}", describe(left), lt.name(), Ty::of_value(item).name()),
                        ));
                    }
                }
                (_, Ty::Any | Ty::List) => {}
                _ => {
                    return Err(mismatch(right.at, format!("{} is {}; `in` needs a list or a cidr range", describe(right), rt.name())));
                }
            },
            CmpOp::Contains => {
                if !matches!(lt, Ty::List | Ty::Str | Ty::Any) {
                    return Err(mismatch(left.at, format!("{} is {}; `contains` needs a list or a string", describe(left), lt.name())));
                }
                if rt == Ty::List {
                    return Err(mismatch(right.at, format!("{} is a list; `contains` looks for one value", describe(right))));
                }
                if lt == Ty::Str && known(rt) && rt != Ty::Str {
                    return Err(mismatch(right.at, format!("{} is {}; a string contains only strings", describe(right), rt.name())));
                }
            }
            CmpOp::StartsWith => {
                for (t, operand) in [(lt, left), (rt, right)] {
                    if known(t) && t != Ty::Str {
                        return Err(mismatch(operand.at, format!("{} is {}; `starts_with` needs strings", describe(operand), t.name())));
                    }
                }
            }
        }
        Ok(CExpr::Compare(l, op, r))
    }

    fn operand(&mut self, operand: &Operand) -> Result<(COp, Ty), SyntaxError> {
        Ok(match &operand.kind {
            OperandKind::Literal(value) => (COp::Lit(value.clone()), Ty::of_value(value)),
            OperandKind::Record(name) => match name.as_str() {
                "id" => (COp::RecordId, Ty::Str),
                "owner" => (COp::RecordOwner, Ty::Str),
                "department" => (COp::RecordDepartment, Ty::Str),
                _ => match self.resolver.record_field(name) {
                    Some(Some((index, kind))) => {
                        let ty = match kind {
                            FieldType::String | FieldType::Id => Ty::Str,
                            FieldType::Number => Ty::Num,
                            FieldType::Bool => Ty::Bool,
                            FieldType::Datetime => Ty::Time,
                        };
                        (COp::RecordField(index, kind == FieldType::Datetime), ty)
                    }
                    Some(None) => (COp::Absent, Ty::Any),
                    None => {
                        return Err(SyntaxError::typed(operand.at, code::UNKNOWN_FIELD, format!("unknown field `record.{name}`")));
                    }
                },
            },
            OperandKind::User(name) => match name.as_str() {
                "id" => (COp::UserId, Ty::Str),
                "role" => (COp::UserRole, Ty::Str),
                "department" => (COp::UserDepartment, Ty::Str),
                _ => match self.resolver.user_attribute(name) {
                    Some(index) => (COp::UserAttr(index), Ty::Any),
                    None => (COp::Absent, Ty::Any),
                },
            },
            OperandKind::Context(name) => {
                let (key, ty) = match name.as_str() {
                    "mfa" => (CtxKey::Mfa, Ty::Bool),
                    "ip" => (CtxKey::Ip, Ty::Str),
                    "time" => (CtxKey::Time, Ty::Time),
                    other => (CtxKey::Other(other.into()), Ty::Any),
                };
                if !self.context_keys.contains(&key) {
                    self.context_keys.push(key.clone());
                }
                (COp::Context(key), ty)
            }
        })
    }
}

fn time_literal(op: COp, operand: &Operand) -> Result<COp, SyntaxError> {
    match op {
        COp::Lit(Value::Str(text)) => parse_rfc3339(&text)
            .map(COp::Time)
            .ok_or_else(|| mismatch(operand.at, format!("`{text}` is not an rfc 3339 time (like `2026-01-31T09:00:00Z`)"))),
        other => Ok(other),
    }
}

fn mismatch(at: usize, message: String) -> SyntaxError {
    SyntaxError::typed(at, code::TYPE_MISMATCH, message)
}

fn describe(operand: &Operand) -> String {
    match &operand.kind {
        OperandKind::Record(name) => format!("`record.{name}`"),
        OperandKind::User(name) => format!("`user.{name}`"),
        OperandKind::Context(name) => format!("`context.{name}`"),
        OperandKind::Literal(value) => format!("`{}`", value.to_json()),
    }
}
