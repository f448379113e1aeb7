//! The expression language (`pipeline.git.branch == "main" and not ...`): parsing and
//! evaluation.

use super::*;
use crate::base::span::Span;
use crate::lang::filters::compile_java_regex;
use crate::lang::mustache::{Env, PipelineValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    StartsWith,
    /// `value matches /regex/`.
    Matches,
    Ge,
    Gt,
    Le,
    Lt,
}

impl BinOp {
    fn text(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::StartsWith => "starts-with",
            BinOp::Matches => "matches",
            BinOp::Ge => ">=",
            BinOp::Gt => ">",
            BinOp::Le => "<=",
            BinOp::Lt => "<",
        }
    }
}

/// A parsed expression. Spans are byte offsets into the expression text.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Var(String, Span),
    Lit(PipelineValue),
    /// A `/regex/` literal (the right side of `matches`): the text between the slashes, and
    /// its span in the expression.
    Regex(String, Span),
    Not(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String, usize),
    Str(String),
    /// `/.../` after `matches`: the pattern and its offset.
    Regex(String, usize),
    Int(i64),
    Op(&'static str),
    LParen,
    RParen,
}

/// A syntax error in an expression, at a byte offset of its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    pub at: usize,
    pub message: String,
}

fn lex(src: &str) -> Result<Vec<Tok>, ExprError> {
    let b = src.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    let err = |at: usize, m: &str| ExprError {
        at,
        message: m.to_string(),
    };
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'(' {
            out.push(Tok::LParen);
            i += 1;
        } else if c == b')' {
            out.push(Tok::RParen);
            i += 1;
        } else if c == b'"' {
            let mut s = String::new();
            let mut j = i + 1;
            loop {
                match src[j..].chars().next() {
                    None => return Err(err(i, "unterminated string")),
                    Some('"') => {
                        j += 1;
                        break;
                    }
                    Some('\\') => match src[j + 1..].chars().next() {
                        Some(e @ ('"' | '\\')) => {
                            s.push(e);
                            j += 2;
                        }
                        _ => return Err(err(j, "only `\\\"` and `\\\\` escapes are allowed")),
                    },
                    Some(ch) => {
                        s.push(ch);
                        j += ch.len_utf8();
                    }
                }
            }
            out.push(Tok::Str(s));
            i = j;
        } else if c == b'/' && out.last() == Some(&Tok::Op("matches")) {
            // A regex literal: up to the next `/` that is not escaped.
            let start = i + 1;
            let mut j = start;
            while j < b.len() && b[j] != b'/' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            if j >= b.len() {
                return Err(err(i, "unterminated `/regex/`"));
            }
            out.push(Tok::Regex(src[start..j].to_string(), start));
            i = j + 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let n = src[start..i]
                .parse::<i64>()
                .map_err(|_| err(start, "integer out of range"))?;
            out.push(Tok::Int(n));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'.' | b'-'))
            {
                i += 1;
            }
            let word = &src[start..i];
            match word {
                "and" => out.push(Tok::Op("and")),
                "or" => out.push(Tok::Op("or")),
                "not" => out.push(Tok::Op("not")),
                "starts-with" => out.push(Tok::Op("starts-with")),
                "matches" => out.push(Tok::Op("matches")),
                _ => out.push(Tok::Ident(word.to_string(), start)),
            }
        } else {
            let two = src.get(i..i + 2).unwrap_or("");
            let op = match two {
                "==" => Some("=="),
                "!=" => Some("!="),
                ">=" => Some(">="),
                "<=" => Some("<="),
                _ => None,
            };
            if let Some(op) = op {
                out.push(Tok::Op(op));
                i += 2;
            } else {
                let op = match c {
                    b'>' => ">",
                    b'<' => "<",
                    b'!' => "!",
                    _ => {
                        let ch = src[i..].chars().next().unwrap_or('?');
                        return Err(err(i, &format!("unexpected `{ch}`")));
                    }
                };
                out.push(Tok::Op(op));
                i += 1;
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    len: usize,
}

impl Parser {
    fn peek_op(&self) -> Option<&'static str> {
        match self.toks.get(self.pos) {
            Some(Tok::Op(o)) => Some(o),
            _ => None,
        }
    }

    fn error(&self, m: &str) -> ExprError {
        ExprError {
            at: self.len,
            message: m.to_string(),
        }
    }

    fn binary(
        &mut self,
        ops: &[(&'static str, BinOp)],
        next: fn(&mut Parser) -> Result<Expr, ExprError>,
    ) -> Result<Expr, ExprError> {
        let mut left = next(self)?;
        while let Some(op) = self.peek_op() {
            let Some((_, bin)) = ops.iter().find(|(t, _)| *t == op) else {
                break;
            };
            self.pos += 1;
            let right = next(self)?;
            left = Expr::Bin(*bin, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn or(&mut self) -> Result<Expr, ExprError> {
        self.binary(&[("or", BinOp::Or)], Parser::and)
    }
    fn and(&mut self) -> Result<Expr, ExprError> {
        self.binary(&[("and", BinOp::And)], Parser::eq)
    }
    fn eq(&mut self) -> Result<Expr, ExprError> {
        self.binary(&[("==", BinOp::Eq), ("!=", BinOp::Ne)], Parser::starts)
    }
    fn starts(&mut self) -> Result<Expr, ExprError> {
        self.binary(
            &[
                ("starts-with", BinOp::StartsWith),
                ("matches", BinOp::Matches),
            ],
            Parser::cmp,
        )
    }
    fn cmp(&mut self) -> Result<Expr, ExprError> {
        self.binary(
            &[
                (">=", BinOp::Ge),
                (">", BinOp::Gt),
                ("<=", BinOp::Le),
                ("<", BinOp::Lt),
            ],
            Parser::unary,
        )
    }
    fn unary(&mut self) -> Result<Expr, ExprError> {
        if matches!(self.peek_op(), Some("not" | "!")) {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }
    fn primary(&mut self) -> Result<Expr, ExprError> {
        let tok = self.toks.get(self.pos).cloned();
        self.pos += 1;
        match tok {
            Some(Tok::LParen) => {
                let e = self.or()?;
                match self.toks.get(self.pos) {
                    Some(Tok::RParen) => {
                        self.pos += 1;
                        Ok(e)
                    }
                    _ => Err(self.error("missing `)`")),
                }
            }
            Some(Tok::Str(s)) => Ok(Expr::Lit(PipelineValue::Str(s))),
            Some(Tok::Regex(r, at)) => {
                let span = Span::new(at, at + r.len());
                Ok(Expr::Regex(r, span))
            }
            Some(Tok::Int(n)) => Ok(Expr::Lit(PipelineValue::Int(n))),
            Some(Tok::Ident(w, at)) => Ok(match w.as_str() {
                "true" => Expr::Lit(PipelineValue::Bool(true)),
                "false" => Expr::Lit(PipelineValue::Bool(false)),
                "null" => Expr::Lit(PipelineValue::Null),
                _ => Expr::Var(w.clone(), Span::new(at, at + w.len())),
            }),
            Some(Tok::Op(o)) => Err(self.error(&format!("expected a value, found `{o}`"))),
            Some(Tok::RParen) => Err(self.error("expected a value, found `)`")),
            None => Err(self.error("expected a value, found the end")),
        }
    }
}

/// Parse an expression.
pub fn parse_expression(src: &str) -> Result<Expr, ExprError> {
    let toks = lex(src)?;
    if toks.is_empty() {
        return Err(ExprError {
            at: 0,
            message: "empty expression".into(),
        });
    }
    let mut p = Parser {
        toks,
        pos: 0,
        len: src.len(),
    };
    let e = p.or()?;
    if p.pos < p.toks.len() {
        return Err(p.error("unexpected text after the expression"));
    }
    Ok(e)
}

/// The variables an expression names, with their byte offsets (empty if it does not parse).
pub fn expression_variables(src: &str) -> Vec<(String, usize)> {
    fn walk(e: &Expr, out: &mut Vec<(String, usize)>) {
        match e {
            Expr::Var(n, s) => out.push((n.clone(), s.start as usize)),
            Expr::Lit(_) | Expr::Regex(..) => {}
            Expr::Not(x) => walk(x, out),
            Expr::Bin(_, a, b) => {
                walk(a, out);
                walk(b, out);
            }
        }
    }
    let mut out = Vec::new();
    if let Ok(e) = parse_expression(src) {
        walk(&e, &mut out);
    }
    out
}

impl Expr {
    pub(super) fn uses_operator_or_pipeline(&self) -> bool {
        match self {
            Expr::Var(n, _) => n.starts_with("pipeline."),
            Expr::Lit(_) | Expr::Regex(..) => false,
            Expr::Not(_) | Expr::Bin(..) => true,
        }
    }

    /// Render back to text (normalised spacing).
    pub fn render(&self) -> String {
        match self {
            Expr::Var(n, _) => n.clone(),
            Expr::Lit(PipelineValue::Str(s)) => format!("{s:?}"),
            Expr::Lit(v) => v.as_text_or_null(),
            Expr::Regex(r, _) => format!("/{r}/"),
            Expr::Not(x) => format!("not {}", x.render_operand()),
            Expr::Bin(op, a, b) => format!("{} {} {}", a.render(), op.text(), b.render_operand()),
        }
    }

    fn render_operand(&self) -> String {
        match self {
            Expr::Bin(..) => format!("({})", self.render()),
            _ => self.render(),
        }
    }

    /// Evaluate to a value; variables come from `env` (each one read is pushed on `seen`).
    pub fn eval(
        &self,
        env: &Env,
        seen: &mut Vec<(String, PipelineValue)>,
    ) -> Result<PipelineValue, String> {
        match self {
            Expr::Var(n, _) => match env.get(n) {
                Some(v) => {
                    if !seen.iter().any(|(k, _)| k == n) {
                        seen.push((n.clone(), v.clone()));
                    }
                    Ok(v.clone())
                }
                None => Err(format!("`{n}` has no value here")),
            },
            Expr::Lit(v) => Ok(v.clone()),
            Expr::Regex(r, _) => Err(format!("`/{r}/` is a pattern, not a value")),
            Expr::Bin(BinOp::Matches, a, b) => {
                let Expr::Regex(pattern, _) = b.as_ref() else {
                    return Err("`matches` needs a `/regex/` on its right".to_string());
                };
                match a.eval(env, seen)? {
                    PipelineValue::Str(text) => {
                        let re = compile_java_regex(pattern)?;
                        Ok(PipelineValue::Bool(re.is_match(&text)))
                    }
                    other => Err(format!(
                        "`matches` needs a string, got {}",
                        other.describe()
                    )),
                }
            }
            Expr::Not(x) => Ok(PipelineValue::Bool(!expr_truthy(&x.eval(env, seen)?))),
            Expr::Bin(BinOp::And, a, b) => match a.eval(env, seen) {
                Ok(l) if !expr_truthy(&l) => Ok(l),
                Ok(_) => b.eval(env, seen),
                Err(e) => match b.eval(env, seen) {
                    Ok(r) if !expr_truthy(&r) => Ok(PipelineValue::Bool(false)),
                    _ => Err(e),
                },
            },
            Expr::Bin(BinOp::Or, a, b) => match a.eval(env, seen) {
                Ok(l) if expr_truthy(&l) => Ok(l),
                Ok(_) => b.eval(env, seen),
                Err(e) => match b.eval(env, seen) {
                    Ok(r) if expr_truthy(&r) => Ok(PipelineValue::Bool(true)),
                    _ => Err(e),
                },
            },
            Expr::Bin(op, a, b) => {
                let l = a.eval(env, seen)?;
                let r = b.eval(env, seen)?;
                use PipelineValue as V;
                let out = match (op, &l, &r) {
                    (BinOp::Eq, _, _) => l == r,
                    (BinOp::Ne, _, _) => l != r,
                    (BinOp::StartsWith, V::Str(x), V::Str(y)) => x.starts_with(y.as_str()),
                    (BinOp::StartsWith, _, _) => {
                        return Err(format!(
                            "`starts-with` needs two strings, got {} and {}",
                            l.describe(),
                            r.describe()
                        ));
                    }
                    (BinOp::Ge, V::Int(x), V::Int(y)) => x >= y,
                    (BinOp::Gt, V::Int(x), V::Int(y)) => x > y,
                    (BinOp::Le, V::Int(x), V::Int(y)) => x <= y,
                    (BinOp::Lt, V::Int(x), V::Int(y)) => x < y,
                    _ => {
                        return Err(format!(
                            "`{}` needs two integers, got {} and {}",
                            op.text(),
                            l.describe(),
                            r.describe()
                        ));
                    }
                };
                Ok(V::Bool(out))
            }
        }
    }
}

impl PipelineValue {
    fn as_text_or_null(&self) -> String {
        match self {
            PipelineValue::Null => "null".into(),
            v => v.as_text(),
        }
    }
}

/// In an expression, only `false` is falsy (contexts reference, "Evaluation").
pub(super) fn expr_truthy(v: &PipelineValue) -> bool {
    !matches!(v, PipelineValue::Bool(false))
}

/// Parse and evaluate an expression's text (used for `<< expression >>` substitution).
pub fn eval_expression_text(src: &str, env: &Env) -> Result<PipelineValue, String> {
    let e = parse_expression(src).map_err(|e| e.message)?;
    e.eval(env, &mut Vec::new())
}

/// Evaluate an expression to a truth value, with the variables it read.
pub fn eval_expression_tri(e: &Expr, env: &Env) -> (Tri, Vec<(String, PipelineValue)>) {
    let mut seen = Vec::new();
    let t = match e.eval(env, &mut seen) {
        Ok(v) => Tri::from_bool(expr_truthy(&v)),
        Err(r) => Tri::Unknown(r),
    };
    (t, seen)
}
