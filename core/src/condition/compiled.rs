//! The compiled form of a condition: operands resolved to indices, ready
//! to evaluate ([`super::eval`]) or translate to SQL. The engine's tables
//! hold these; resolving text into them is [`super::resolve`]'s work.

use super::ast::CmpOp;
use crate::cidr::Cidr;
use crate::value::Value;

/// A context attribute a condition reads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CtxKey {
    /// `context.mfa`
    Mfa,
    /// `context.ip`
    Ip,
    /// `context.time`
    Time,
    /// Any attribute the application adds.
    Other(Box<str>),
}

impl CtxKey {
    /// The attribute name.
    pub fn name(&self) -> &str {
        match self {
            CtxKey::Mfa => "mfa",
            CtxKey::Ip => "ip",
            CtxKey::Time => "time",
            CtxKey::Other(name) => name,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) enum COp {
    Lit(Value),
    Time(i64),
    /// Field index; `true` when the field is a datetime.
    RecordField(u32, bool),
    RecordId,
    RecordOwner,
    RecordDepartment,
    Absent,
    UserId,
    UserRole,
    UserDepartment,
    UserAttr(u32),
    Context(CtxKey),
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) enum CExpr {
    Const(bool),
    Or(Box<[CExpr]>),
    And(Box<[CExpr]>),
    Not(Box<CExpr>),
    Truthy(COp),
    IsNull(COp, bool),
    InCidr(COp, Cidr),
    Compare(COp, CmpOp, COp),
}

/// A compiled condition.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Condition {
    pub(crate) expr: CExpr,
    pub(crate) context_keys: Box<[CtxKey]>,
}

impl Condition {
    /// A condition that always holds (a forbid rule without `when`).
    pub fn always() -> Condition {
        Condition { expr: CExpr::Const(true), context_keys: Box::new([]) }
    }

    /// Whether the condition reads only `record.*` and literals, so its value
    /// on a record is the same for every user and request.
    pub fn reads_only_record(&self) -> bool {
        !self.any_operand(&|o| matches!(o, COp::UserId | COp::UserRole | COp::UserDepartment | COp::UserAttr(_) | COp::Context(_)))
    }

    /// Whether the condition reads the record: a field, its id, owner or department.
    pub fn reads_record(&self) -> bool {
        self.any_operand(&|o| matches!(o, COp::RecordField(..) | COp::RecordId | COp::RecordOwner | COp::RecordDepartment))
    }

    /// Whether the condition reads the user: id, role, department or an attribute.
    pub fn reads_user(&self) -> bool {
        self.any_operand(&|o| matches!(o, COp::UserId | COp::UserRole | COp::UserDepartment | COp::UserAttr(_)))
    }

    /// Whether the condition reads `context.mfa`.
    pub fn reads_mfa(&self) -> bool {
        self.context_keys.contains(&CtxKey::Mfa)
    }

    /// Whether the condition reads `record.owner` or `record.department`,
    /// which change when the owner moves.
    pub fn reads_owner_or_department(&self) -> bool {
        self.any_operand(&|o| matches!(o, COp::RecordOwner | COp::RecordDepartment))
    }

    /// Whether the condition reads `user.role`.
    pub fn reads_user_role(&self) -> bool {
        self.any_operand(&|o| matches!(o, COp::UserRole))
    }

    /// Whether the condition reads `user.department`.
    pub fn reads_user_department(&self) -> bool {
        self.any_operand(&|o| matches!(o, COp::UserDepartment))
    }

    fn any_operand(&self, test: &dyn Fn(&COp) -> bool) -> bool {
        fn walk(e: &CExpr, test: &dyn Fn(&COp) -> bool) -> bool {
            match e {
                CExpr::Const(_) => false,
                CExpr::Or(parts) | CExpr::And(parts) => parts.iter().any(|p| walk(p, test)),
                CExpr::Not(inner) => walk(inner, test),
                CExpr::Truthy(o) | CExpr::IsNull(o, _) | CExpr::InCidr(o, _) => test(o),
                CExpr::Compare(l, _, r) => test(l) || test(r),
            }
        }
        walk(&self.expr, test)
    }
}
