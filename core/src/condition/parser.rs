//! A recursive-descent parser for conditions, bounded in depth.

use super::ast::{CmpOp, Expr, Operand, OperandKind};
use super::lexer::{Tok, Token, tokenize};
use super::{MAX_DEPTH, SyntaxError};
use crate::value::Value;

/// Parses condition text into an expression.
pub(crate) fn parse(text: &str) -> Result<Expr, SyntaxError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser { tokens, pos: 0, depth: 0 };
    let expr = parser.or()?;
    let next = parser.peek();
    if next.kind != Tok::End {
        return Err(SyntaxError::new(next.at, format!("expected `and`, `or` or the end of the condition, found {}", next.kind.describe())));
    }
    Ok(expr)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        // INVARIANT: the token list always ends with `End`, and `bump` never moves past it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let token = self.peek().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        token
    }

    fn is_keyword(&self, word: &str) -> bool {
        matches!(&self.peek().kind, Tok::Ident(name) if name == word)
    }

    fn enter(&mut self, at: usize) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SyntaxError::too_deep(at));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, SyntaxError> {
        let mut parts = vec![self.and()?];
        while self.is_keyword("or") {
            self.bump();
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Expr::Or(parts) })
    }

    fn and(&mut self) -> Result<Expr, SyntaxError> {
        let mut parts = vec![self.unary()?];
        while self.is_keyword("and") {
            self.bump();
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Expr::And(parts) })
    }

    fn unary(&mut self) -> Result<Expr, SyntaxError> {
        if self.is_keyword("not") {
            let at = self.bump().at;
            self.enter(at)?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        if self.peek().kind == Tok::LParen {
            let at = self.bump().at;
            self.enter(at)?;
            let inner = self.or()?;
            self.depth -= 1;
            let close = self.bump();
            if close.kind != Tok::RParen {
                return Err(SyntaxError::new(close.at, format!("expected `)`, found {}", close.kind.describe())));
            }
            return Ok(inner);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, SyntaxError> {
        let left = self.operand()?;
        if self.is_keyword("is") {
            self.bump();
            let negated = self.is_keyword("not");
            if negated {
                self.bump();
            }
            let null = self.bump();
            if !matches!(&null.kind, Tok::Ident(word) if word == "null") {
                return Err(SyntaxError::new(null.at, format!("expected `null`, found {}", null.kind.describe())));
            }
            return Ok(Expr::IsNull { operand: left, negated });
        }
        let op = match &self.peek().kind {
            Tok::Eq => CmpOp::Eq,
            Tok::Ne => CmpOp::Ne,
            Tok::Lt => CmpOp::Lt,
            Tok::Le => CmpOp::Le,
            Tok::Gt => CmpOp::Gt,
            Tok::Ge => CmpOp::Ge,
            Tok::Ident(word) if word == "in" => CmpOp::In,
            Tok::Ident(word) if word == "contains" => CmpOp::Contains,
            Tok::Ident(word) if word == "starts_with" => CmpOp::StartsWith,
            _ => return Ok(Expr::Truthy(left)),
        };
        self.bump();
        let right = self.operand()?;
        Ok(Expr::Compare { left, op, right })
    }

    fn operand(&mut self) -> Result<Operand, SyntaxError> {
        let token = self.bump();
        let at = token.at;
        let kind = match token.kind {
            Tok::Str(s) => OperandKind::Literal(Value::Str(s.into())),
            Tok::Num(n) => OperandKind::Literal(Value::Num(n)),
            Tok::LBracket => OperandKind::Literal(self.list(at)?),
            Tok::Ident(word) => match word.as_str() {
                "true" => OperandKind::Literal(Value::Bool(true)),
                "false" => OperandKind::Literal(Value::Bool(false)),
                "null" => OperandKind::Literal(Value::Null),
                "record" | "user" | "context" => {
                    let dot = self.bump();
                    if dot.kind != Tok::Dot {
                        return Err(SyntaxError::new(dot.at, format!("expected `.` after `{word}`, found {}", dot.kind.describe())));
                    }
                    let name = self.bump();
                    let Tok::Ident(name) = name.kind else {
                        return Err(SyntaxError::new(
                            name.at,
                            format!("expected an attribute name after `{word}.`, found {}", name.kind.describe()),
                        ));
                    };
                    match word.as_str() {
                        "record" => OperandKind::Record(name),
                        "user" => OperandKind::User(name),
                        _ => OperandKind::Context(name),
                    }
                }
                other => {
                    return Err(SyntaxError::new(
                        at,
                        format!("unknown name `{other}`: an operand is `record.x`, `user.x`, `context.x` or a literal"),
                    ));
                }
            },
            other => {
                return Err(SyntaxError::new(at, format!("expected an operand, found {}", other.describe())));
            }
        };
        Ok(Operand { kind, at })
    }

    fn list(&mut self, at: usize) -> Result<Value, SyntaxError> {
        self.enter(at)?;
        let mut items = Vec::new();
        if self.peek().kind == Tok::RBracket {
            self.bump();
        } else {
            loop {
                let item = self.bump();
                items.push(match item.kind {
                    Tok::Str(s) => Value::Str(s.into()),
                    Tok::Num(n) => Value::Num(n),
                    Tok::Ident(word) if word == "true" => Value::Bool(true),
                    Tok::Ident(word) if word == "false" => Value::Bool(false),
                    other => {
                        return Err(SyntaxError::new(
                            item.at,
                            format!("expected a string, number or boolean in the list, found {}", other.describe()),
                        ));
                    }
                });
                let next = self.bump();
                match next.kind {
                    Tok::Comma => {}
                    Tok::RBracket => break,
                    other => {
                        return Err(SyntaxError::new(next.at, format!("expected `,` or `]`, found {}", other.describe())));
                    }
                }
            }
        }
        self.depth -= 1;
        Ok(Value::List(items.into_boxed_slice()))
    }
}
