//! Translating a condition into a PostgreSQL boolean over a record's
//! columns, with the user and context folded into parameters. The SQL keeps
//! the engine's two-valued semantics: every comparison with a null is
//! false (`COALESCE(…, FALSE)`), so `NOT` means the same in both.

use super::ast::CmpOp;
use super::compiled::{CExpr, COp, Condition};
use super::eval::{EvalEnv, V, compare, of, operand};
use crate::error::Error;
use crate::policy::FieldType;
use crate::value::Value;

/// Code for conditions PostgreSQL cannot evaluate with the same meaning.
pub const NOT_TRANSLATABLE: crate::error::Code = crate::error::Code::NotTranslatable;

/// A boolean that may be known before the query runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlBool {
    /// Always true.
    True,
    /// Always false.
    False,
    /// Decided by the database.
    Expr(String),
}

impl SqlBool {
    /// The SQL text.
    pub fn sql(&self) -> String {
        match self {
            SqlBool::True => "TRUE".into(),
            SqlBool::False => "FALSE".into(),
            SqlBool::Expr(e) => e.clone(),
        }
    }

    /// Disjunction with folding.
    pub fn any(parts: Vec<SqlBool>) -> SqlBool {
        SqlBool::fold(parts, SqlBool::True, SqlBool::False, " OR ")
    }

    /// Conjunction with folding.
    pub fn all(parts: Vec<SqlBool>) -> SqlBool {
        SqlBool::fold(parts, SqlBool::False, SqlBool::True, " AND ")
    }

    /// `absorbing` decides the whole; `identity` parts drop out; the rest join with `joiner`.
    fn fold(parts: Vec<SqlBool>, absorbing: SqlBool, identity: SqlBool, joiner: &str) -> SqlBool {
        if parts.contains(&absorbing) {
            return absorbing;
        }
        let mut exprs: Vec<String> = parts.into_iter().filter_map(|p| if let SqlBool::Expr(e) = p { Some(e) } else { None }).collect();
        match exprs.len() {
            0 => identity,
            1 => SqlBool::Expr(exprs.remove(0)),
            _ => SqlBool::Expr(format!("({})", exprs.join(joiner))),
        }
    }
}

impl std::ops::Not for SqlBool {
    type Output = SqlBool;

    /// Negation with folding.
    fn not(self) -> SqlBool {
        match self {
            SqlBool::True => SqlBool::False,
            SqlBool::False => SqlBool::True,
            SqlBool::Expr(e) => SqlBool::Expr(format!("NOT {e}")),
        }
    }
}

/// Positional parameters (`$1`, `$2`, …) with their PostgreSQL types.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SqlParams {
    /// Values, as JSON.
    pub values: Vec<serde_json::Value>,
}

impl SqlParams {
    /// Adds a value and returns its placeholder with a cast (`$3::text`).
    pub fn push(&mut self, value: serde_json::Value, cast: &str) -> String {
        self.values.push(value);
        format!("${}::{cast}", self.values.len())
    }
}

/// How a record's columns are written in SQL.
pub trait SqlRecord {
    /// The column of field `index` and its type.
    fn field(&self, index: u32) -> (String, FieldType);
    /// The id column.
    fn id(&self) -> String;
    /// The owner column (user ids).
    fn owner(&self) -> String;
    /// The effective-department column (department ids).
    fn department(&self) -> String;
}

/// Column type classes that compare with each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Str,
    Num,
    Bool,
    Time,
}

enum Side<'a> {
    Column(String, Class),
    Const(V<'a>),
}

impl Condition {
    /// The condition as SQL over `record`'s columns, for the user and context
    /// in `env` (whose record is ignored). `Ok(None)`: the condition is
    /// unknown because it reads a context attribute the request lacks.
    ///
    /// # Errors
    /// `not_translatable` for a comparison SQL cannot make with the same meaning.
    pub fn to_sql(&self, env: &EvalEnv<'_>, record: &dyn SqlRecord, params: &mut SqlParams) -> Result<Option<SqlBool>, Error> {
        if super::eval::missing_context(&self.context_keys, env).is_some() {
            return Ok(None);
        }
        let env = EvalEnv { record: None, ..*env };
        Translator { env: &env, record, params }.expr(&self.expr).map(Some)
    }
}

struct Translator<'e, 'a> {
    env: &'e EvalEnv<'a>,
    record: &'e dyn SqlRecord,
    params: &'e mut SqlParams,
}

fn untranslatable(what: &str) -> Error {
    Error::one("", NOT_TRANSLATABLE, format!("{what} cannot be translated to sql with the same meaning"))
}

impl<'a> Translator<'_, 'a> {
    fn expr(&mut self, expr: &'a CExpr) -> Result<SqlBool, Error> {
        Ok(match expr {
            CExpr::Const(b) => {
                if *b {
                    SqlBool::True
                } else {
                    SqlBool::False
                }
            }
            CExpr::Or(parts) => SqlBool::any(parts.iter().map(|p| self.expr(p)).collect::<Result<_, _>>()?),
            CExpr::And(parts) => SqlBool::all(parts.iter().map(|p| self.expr(p)).collect::<Result<_, _>>()?),
            CExpr::Not(inner) => !self.expr(inner)?,
            CExpr::Truthy(op) => match self.side(op) {
                Side::Const(v) => fold(matches!(v, V::Bool(true))),
                Side::Column(column, Class::Bool) => SqlBool::Expr(format!("COALESCE({column}, FALSE)")),
                Side::Column(..) => SqlBool::False,
            },
            CExpr::IsNull(op, negated) => match self.side(op) {
                Side::Const(v) => fold(matches!(v, V::Null) != *negated),
                Side::Column(column, _) => SqlBool::Expr(format!("({column} IS {}NULL)", if *negated { "NOT " } else { "" })),
            },
            CExpr::InCidr(op, cidr) => match self.side(op) {
                Side::Const(V::Str(ip)) => fold(cidr.contains_text(ip)),
                Side::Const(_) => SqlBool::False,
                Side::Column(..) => return Err(untranslatable("an ip-range test on a record field")),
            },
            CExpr::Compare(left, op, right) => self.compare(left, *op, right)?,
        })
    }

    fn side(&self, op: &'a COp) -> Side<'a> {
        let column = |text: String, class| Side::Column(text, class);
        match op {
            COp::RecordField(index, _) => {
                let (text, kind) = self.record.field(*index);
                column(
                    text,
                    match kind {
                        FieldType::String | FieldType::Id => Class::Str,
                        FieldType::Number => Class::Num,
                        FieldType::Bool => Class::Bool,
                        FieldType::Datetime => Class::Time,
                    },
                )
            }
            COp::RecordId => column(self.record.id(), Class::Str),
            COp::RecordOwner => column(self.record.owner(), Class::Str),
            COp::RecordDepartment => column(self.record.department(), Class::Str),
            other => Side::Const(operand(other, self.env)),
        }
    }

    /// A constant as a typed parameter, in the column's class; `None` when
    /// the value cannot equal any value of that class.
    fn param(&mut self, value: V<'_>, class: Class) -> Option<String> {
        Some(match (value, class) {
            (V::Str(s), Class::Str) => self.params.push(s.into(), "text"),
            (V::Num(n), Class::Num) => self.params.push(Value::Num(n).to_json(), "float8"),
            (V::Bool(b), Class::Bool) => self.params.push(b.into(), "boolean"),
            (V::Time(ms), Class::Time) => format!("to_timestamp({} / 1000.0)", self.params.push(ms.into(), "float8")),
            (V::Str(s), Class::Time) => {
                let ms = crate::clock::parse_rfc3339(s)?;
                format!("to_timestamp({} / 1000.0)", self.params.push(ms.into(), "float8"))
            }
            _ => return None,
        })
    }

    fn compare(&mut self, left: &'a COp, op: CmpOp, right: &'a COp) -> Result<SqlBool, Error> {
        match (self.side(left), self.side(right)) {
            (Side::Const(l), Side::Const(r)) => Ok(fold(compare(l, op, r))),
            (Side::Column(column, class), Side::Const(value)) => self.column_const(&column, class, op, value),
            (Side::Const(value), Side::Column(column, class)) => {
                let flipped = match op {
                    CmpOp::Eq | CmpOp::Ne => op,
                    CmpOp::Lt => CmpOp::Gt,
                    CmpOp::Le => CmpOp::Ge,
                    CmpOp::Gt => CmpOp::Lt,
                    CmpOp::Ge => CmpOp::Le,
                    CmpOp::Contains => return self.const_contains_column(value, &column, class),
                    CmpOp::StartsWith => {
                        return Ok(match (value, class) {
                            (V::Str(s), Class::Str) => {
                                let p = self.params.push(s.into(), "text");
                                SqlBool::Expr(format!("COALESCE(starts_with({p}, {column}), FALSE)"))
                            }
                            _ => SqlBool::False,
                        });
                    }
                    CmpOp::In => return Err(untranslatable("`in` with a record field on the right")),
                };
                self.column_const(&column, class, flipped, value)
            }
            (Side::Column(l, lc), Side::Column(r, rc)) => Ok(match op {
                _ if lc != rc => match op {
                    CmpOp::Ne => SqlBool::Expr(format!("({l} IS NOT NULL AND {r} IS NOT NULL)")),
                    _ => SqlBool::False,
                },
                CmpOp::Eq | CmpOp::Ne | CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => {
                    let collate = if lc == Class::Str && !matches!(op, CmpOp::Eq | CmpOp::Ne) { " COLLATE \"C\"" } else { "" };
                    SqlBool::Expr(format!("COALESCE({l}{collate} {} {r}{collate}, FALSE)", sql_op(op)))
                }
                CmpOp::Contains if lc == Class::Str => SqlBool::Expr(format!("COALESCE(strpos({l}, {r}) > 0, FALSE)")),
                CmpOp::StartsWith if lc == Class::Str => SqlBool::Expr(format!("COALESCE(starts_with({l}, {r}), FALSE)")),
                _ => SqlBool::False,
            }),
        }
    }

    fn column_const(&mut self, column: &str, class: Class, op: CmpOp, value: V<'_>) -> Result<SqlBool, Error> {
        if matches!(value, V::Null) {
            return Ok(SqlBool::False);
        }
        if class == Class::Str && matches!(value, V::Time(_)) {
            return Err(untranslatable("comparing a text field with a datetime"));
        }
        Ok(match op {
            CmpOp::Eq | CmpOp::Ne | CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => match self.param(value, class) {
                Some(p) => {
                    if class == Class::Bool && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                        return Ok(SqlBool::False);
                    }
                    let collate = if class == Class::Str && !matches!(op, CmpOp::Eq | CmpOp::Ne) { " COLLATE \"C\"" } else { "" };
                    SqlBool::Expr(format!("COALESCE({column}{collate} {} {p}, FALSE)", sql_op(op)))
                }
                // Values of different types are never equal, so `!=` holds whenever the field is set.
                None if op == CmpOp::Ne => SqlBool::Expr(format!("({column} IS NOT NULL)")),
                None => SqlBool::False,
            },
            CmpOp::In => match value {
                V::List(items) => {
                    let (cast, kept): (&str, Vec<serde_json::Value>) = match class {
                        Class::Str => ("text[]", items.iter().filter_map(|i| i.as_str().map(serde_json::Value::from)).collect()),
                        Class::Num => ("float8[]", items.iter().filter(|i| matches!(i, Value::Num(_))).map(Value::to_json).collect()),
                        Class::Bool => ("boolean[]", items.iter().filter(|i| matches!(i, Value::Bool(_))).map(Value::to_json).collect()),
                        Class::Time => {
                            let times: Vec<serde_json::Value> = items
                                .iter()
                                .filter_map(|i| match of(i) {
                                    V::Str(s) => crate::clock::parse_rfc3339(s),
                                    _ => None,
                                })
                                .map(Into::into)
                                .collect();
                            if times.is_empty() {
                                return Ok(SqlBool::False);
                            }
                            let p = self.params.push(times.into(), "float8[]");
                            return Ok(SqlBool::Expr(format!("COALESCE(EXTRACT(EPOCH FROM {column}) * 1000 = ANY({p}), FALSE)")));
                        }
                    };
                    if kept.is_empty() {
                        return Ok(SqlBool::False);
                    }
                    let p = self.params.push(kept.into(), cast);
                    SqlBool::Expr(format!("COALESCE({column} = ANY({p}), FALSE)"))
                }
                V::Str(_) => return Err(untranslatable("an ip-range test on a record field")),
                _ => SqlBool::False,
            },
            CmpOp::Contains => match (value, class) {
                (V::Str(s), Class::Str) => {
                    let p = self.params.push(s.into(), "text");
                    SqlBool::Expr(format!("COALESCE(strpos({column}, {p}) > 0, FALSE)"))
                }
                _ => SqlBool::False,
            },
            CmpOp::StartsWith => match (value, class) {
                (V::Str(s), Class::Str) => {
                    let p = self.params.push(s.into(), "text");
                    SqlBool::Expr(format!("COALESCE(starts_with({column}, {p}), FALSE)"))
                }
                _ => SqlBool::False,
            },
        })
    }

    /// `constant contains record.field`: a list holding the value, or a string holding it.
    fn const_contains_column(&mut self, value: V<'_>, column: &str, class: Class) -> Result<SqlBool, Error> {
        match (value, class) {
            (V::List(_), _) => self.column_const(column, class, CmpOp::In, value),
            (V::Str(s), Class::Str) => {
                let p = self.params.push(s.into(), "text");
                Ok(SqlBool::Expr(format!("COALESCE(strpos({p}, {column}) > 0, FALSE)")))
            }
            _ => Ok(SqlBool::False),
        }
    }
}

fn fold(value: bool) -> SqlBool {
    if value { SqlBool::True } else { SqlBool::False }
}

fn sql_op(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "=",
        CmpOp::Ne => "<>",
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Gt => ">",
        CmpOp::Ge => ">=",
        _ => "=",
    }
}
