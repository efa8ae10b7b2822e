//! Tokens of the condition language.

use super::SyntaxError;

/// A token with the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub kind: Tok,
    pub at: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Dot,
    Comma,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    End,
}

impl Tok {
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Ident(name) => format!("`{name}`"),
            Tok::Str(s) => format!("string `{s}`"),
            // Through JSON's number writer: the standard library's float
            // formatting would cost the npm package 14 KB for this message.
            Tok::Num(n) => match serde_json::Number::from_f64(*n) {
                Some(_) if n.fract() == 0.0 && n.abs() < 1e15 => format!("number `{}`", *n as i64),
                Some(number) => format!("number `{number}`"),
                None => "a number".into(),
            },
            Tok::Dot => "`.`".into(),
            Tok::Comma => "`,`".into(),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::LBracket => "`[`".into(),
            Tok::RBracket => "`]`".into(),
            Tok::Eq => "`==`".into(),
            Tok::Ne => "`!=`".into(),
            Tok::Lt => "`<`".into(),
            Tok::Le => "`<=`".into(),
            Tok::Gt => "`>`".into(),
            Tok::Ge => "`>=`".into(),
            Tok::End => "the end of the condition".into(),
        }
    }
}

pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>, SyntaxError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let at = i;
        let single = |kind| Token { kind, at };
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'.' => tokens.push(single(Tok::Dot)),
            b',' => tokens.push(single(Tok::Comma)),
            b'(' => tokens.push(single(Tok::LParen)),
            b')' => tokens.push(single(Tok::RParen)),
            b'[' => tokens.push(single(Tok::LBracket)),
            b']' => tokens.push(single(Tok::RBracket)),
            b'=' | b'!' | b'<' | b'>' => {
                let two = bytes.get(i + 1) == Some(&b'=');
                let kind = match (c, two) {
                    (b'=', true) => Tok::Eq,
                    (b'!', true) => Tok::Ne,
                    (b'<', true) => Tok::Le,
                    (b'>', true) => Tok::Ge,
                    (b'<', false) => Tok::Lt,
                    (b'>', false) => Tok::Gt,
                    (b'=', false) => return Err(SyntaxError::new(at, "expected `==`, found `=`")),
                    _ => {
                        return Err(SyntaxError::new(at, "expected `!=`, found `!` (use `not` to negate)"));
                    }
                };
                tokens.push(Token { kind, at });
                i += if two { 2 } else { 1 };
                continue;
            }
            b'"' | b'\'' => {
                let (value, end) = string_literal(text, i)?;
                tokens.push(Token { kind: Tok::Str(value), at });
                i = end;
                continue;
            }
            b'-' | b'0'..=b'9' => {
                let end = number_end(bytes, i).ok_or_else(|| SyntaxError::new(at, "invalid number"))?;
                let literal = &text[i..end];
                let number: f64 = literal
                    .parse()
                    .ok()
                    .filter(|n: &f64| n.is_finite())
                    .ok_or_else(|| SyntaxError::new(at, format!("invalid number `{literal}`")))?;
                tokens.push(Token { kind: Tok::Num(number), at });
                i = end;
                continue;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let mut end = i + 1;
                while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                    end += 1;
                }
                tokens.push(Token { kind: Tok::Ident(text[i..end].to_owned()), at });
                i = end;
                continue;
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or('?');
                return Err(SyntaxError::new(at, format!("unexpected character `{ch}`")));
            }
        }
        i += 1;
    }
    tokens.push(Token { kind: Tok::End, at: text.len() });
    Ok(tokens)
}

fn string_literal(text: &str, start: usize) -> Result<(String, usize), SyntaxError> {
    let quote = text.as_bytes()[start] as char;
    let mut value = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((offset, ch)) = chars.next() {
        let at = start + 1 + offset;
        match ch {
            c if c == quote => return Ok((value, at + 1)),
            '\\' => match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((_, c @ ('\\' | '"' | '\''))) => value.push(c),
                Some((_, c)) => {
                    return Err(SyntaxError::new(at, format!("unknown escape `\\{c}`")));
                }
                None => break,
            },
            c => value.push(c),
        }
    }
    Err(SyntaxError::new(start, "unterminated string"))
}

/// The end of a number starting at `start`: `-?digits(.digits)?([eE][+-]?digits)?`,
/// not followed by a letter or digit.
fn number_end(bytes: &[u8], start: usize) -> Option<usize> {
    let digits = |mut at: usize| {
        while at < bytes.len() && bytes[at].is_ascii_digit() {
            at += 1;
        }
        at
    };
    let mut end = start + usize::from(bytes[start] == b'-');
    let first = end;
    end = digits(end);
    if end == first {
        return None;
    }
    if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end = digits(end + 1);
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let mut exponent = end + 1;
        if matches!(bytes.get(exponent), Some(b'+' | b'-')) {
            exponent += 1;
        }
        let after = digits(exponent);
        if after > exponent {
            end = after;
        }
    }
    if bytes.get(end).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_') {
        return None;
    }
    Some(end)
}
