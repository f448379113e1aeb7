//! CircleCI conditions: logic statements (workflow `when`/`unless`, step `when`/`unless`
//! `condition`) and the expression language (`pipeline.git.branch == "main" and not ...`) that
//! job `filters`, workflow `when`/`unless` and `<< ... >>` templates accept.
//!
//! Logic statements (configuration reference, "Logic statements"): a YAML literal, a pipeline
//! value or parameter (`<< ... >>`), `and`/`or` (N statements), `not` (one), `equal` (N values,
//! true when all are equal), `matches` (`pattern` and `value`; a Java regex that must match the
//! whole value). Falsy: `false`, null, `0`, NaN, `""`, and statements with no arguments;
//! everything else is truthy.
//!
//! Expressions (contexts reference, "Expression restrictions"; configuration reference,
//! expression-based job filters): variables (`pipeline.git.branch`, `pipeline.parameters.x`),
//! integer, double-quoted string (`\"` and `\\` escapes) and boolean literals, `==` `!=`
//! (different types: not equal), `starts-with` (strings only), `>=` `>` `<=` `<` (integers only),
//! `and` `or` (short-circuit, returning an operand), `not`/`!` (binding tightest), parentheses.
//! Precedence from weakest: `or`, `and`, `==`/`!=`, `starts-with`, comparisons, `not`. Only
//! `false` is falsy in an expression.
//!
//! Every evaluation is three-valued ([`Tri`]): a value that the environment does not give, a
//! regex this crate cannot evaluate exactly (look-around...) or a type error gives `Unknown`
//! with the reason, never a guess.
//!
//! How a string `when` is read (the documentation has two readings, logic-statement literal and
//! expression; this is how cilint chooses, the same way for `plan` and for `constant-condition`):
//! 1. exactly one `<< name >>` tag: the value itself, with its type;
//! 2. exactly one `<< expression >>` tag: the expression's value;
//! 3. any other text with `<< >>` tags: a string after substitution (a non-empty one is true);
//! 4. at a workflow `when`/`unless`, text without tags that parses as an expression using an
//!    operator or a `pipeline.` variable: that expression;
//! 5. anything else: a string literal.

use crate::base::span::Span;
use crate::lang::filters::compile_java_regex;
use crate::lang::mustache::{self, Env, PipelineValue};
use crate::yaml::{Node, ScalarKind, Value};

/// A three-valued answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    /// Cannot be decided, and why ("`pipeline.parameters.x` has no value", "look-around").
    Unknown(String),
}

impl std::ops::Not for Tri {
    type Output = Tri;

    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            u => u,
        }
    }
}

impl Tri {
    pub fn from_bool(b: bool) -> Tri {
        if b { Tri::Yes } else { Tri::No }
    }

    pub fn known(&self) -> Option<bool> {
        match self {
            Tri::Yes => Some(true),
            Tri::No => Some(false),
            Tri::Unknown(_) => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

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
    fn uses_operator_or_pipeline(&self) -> bool {
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
fn expr_truthy(v: &PipelineValue) -> bool {
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

// ---------------------------------------------------------------------------------------------
// Logic statements
// ---------------------------------------------------------------------------------------------

/// Where a condition is written: the expression reading of plain strings applies to workflow
/// `when`/`unless` only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Site {
    Workflow,
    Step,
}

/// A value in a logic statement.
#[derive(Clone, Debug, PartialEq)]
enum LVal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A list or mapping used as a value.
    Other(String),
}

impl LVal {
    fn truthy(&self) -> bool {
        match self {
            LVal::Null => false,
            LVal::Bool(b) => *b,
            LVal::Int(i) => *i != 0,
            LVal::Float(f) => *f != 0.0 && !f.is_nan(),
            LVal::Str(s) => !s.is_empty(),
            LVal::Other(_) => true,
        }
    }

    fn from_pipeline(v: &PipelineValue) -> LVal {
        match v {
            PipelineValue::Null => LVal::Null,
            PipelineValue::Bool(b) => LVal::Bool(*b),
            PipelineValue::Int(i) => LVal::Int(*i),
            PipelineValue::Str(s) => LVal::Str(s.clone()),
        }
    }

    fn describe(&self) -> String {
        match self {
            LVal::Null => "null".into(),
            LVal::Bool(b) => format!("`{b}`"),
            LVal::Int(i) => format!("`{i}`"),
            LVal::Float(f) => format!("`{f}`"),
            LVal::Str(s) if s.is_empty() => "the empty string".into(),
            LVal::Str(s) => format!("`{s}`"),
            LVal::Other(t) => t.clone(),
        }
    }
}

/// A value that could not be known; its truthiness may still be known (a string with text
/// around an unknown `<< >>` is non-empty whatever the value).
#[derive(Clone, Debug)]
struct Unknown {
    reason: String,
    truthy: Option<bool>,
}

/// The outcome of evaluating a condition, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub result: Tri,
    /// The sub-statement that decided the result (the whole condition when all parts mattered).
    pub decided_by: Span,
    /// That sub-statement, rendered (`equal: [main, << pipeline.git.branch >>]`).
    pub statement: String,
    /// What made it so, in words, without the statement: "is false", "is a non-empty string
    /// after substitution, so always true", "cannot be decided: ...".
    pub why: String,
    /// Every pipeline value or parameter read along the way, in order.
    pub seen: Vec<(String, PipelineValue)>,
}

impl Evaluation {
    /// One sentence: "`equal: [scheduled_pipeline, << pipeline.trigger_source >>]` is false
    /// (pipeline.trigger_source is `webhook`)".
    pub fn explain(&self) -> String {
        let mut s = format!("`{}` {}", self.statement, self.why);
        if !self.seen.is_empty() {
            let vals: Vec<String> = self
                .seen
                .iter()
                .map(|(k, v)| format!("{k} is {}", v.describe()))
                .collect();
            s.push_str(&format!(" ({})", vals.join(", ")));
        }
        s
    }
}

struct Eval<'e> {
    env: &'e Env,
    seen: Vec<(String, PipelineValue)>,
}

/// The result of one sub-statement: its truth and who decided it.
struct Step {
    truth: Result<bool, Unknown>,
    span: Span,
    statement: String,
    why: String,
}

const STATEMENT_KEYS: &[&str] = &["and", "or", "not", "equal", "matches"];

/// The single key of a logic statement mapping, if it is one.
fn statement_key(node: &Node) -> Option<(&str, &Node)> {
    let map = node.as_map()?;
    if map.len() != 1 {
        return None;
    }
    let (k, v) = &map[0];
    let key = k.scalar_text()?;
    STATEMENT_KEYS.contains(&key).then_some((key, v))
}

impl Eval<'_> {
    fn record(&mut self, name: &str, v: &PipelineValue) {
        if !self.seen.iter().any(|(k, _)| k == name) {
            self.seen.push((name.to_string(), v.clone()));
        }
    }

    /// The value of a scalar (or other node) in value position.
    fn value(&mut self, node: &Node) -> Result<LVal, Unknown> {
        let scalar = match &node.value {
            Value::Scalar(s) => s,
            _ => return Ok(LVal::Other(render(node))),
        };
        match scalar.kind {
            ScalarKind::Null => Ok(LVal::Null),
            ScalarKind::Bool(b) => Ok(LVal::Bool(b)),
            ScalarKind::Int(i) => Ok(LVal::Int(i)),
            ScalarKind::Float(f) => Ok(LVal::Float(f)),
            ScalarKind::Str => self.string_value(&scalar.text),
        }
    }

    fn string_value(&mut self, text: &str) -> Result<LVal, Unknown> {
        if let Some(r) = mustache::whole_reference(text) {
            return match self.env.get(&r.full_name) {
                Some(v) => {
                    let v = v.clone();
                    self.record(&r.full_name, &v);
                    Ok(LVal::from_pipeline(&v))
                }
                None => Err(Unknown {
                    reason: format!("`{}` has no value here", r.full_name),
                    truthy: None,
                }),
            };
        }
        if let Some(inner) = mustache::whole_expression(text) {
            let e = parse_expression(inner).map_err(|e| Unknown {
                reason: format!(
                    "`<<{inner}>>` is not an expression cilint reads: {}",
                    e.message
                ),
                truthy: None,
            })?;
            return e
                .eval(self.env, &mut self.seen)
                .map(|v| LVal::from_pipeline(&v))
                .map_err(|reason| Unknown {
                    reason,
                    truthy: None,
                });
        }
        if mustache::has_template(text) {
            let sub = mustache::substitute_checked(text, self.env);
            for r in mustache::references(text) {
                if let Some(v) = self.env.get(&r.full_name) {
                    let v = v.clone();
                    self.record(&r.full_name, &v);
                }
            }
            if sub.missing.is_empty() {
                return Ok(LVal::Str(sub.text));
            }
            // Text around the unknown tags decides whether the result can be empty.
            let mut literal = text.to_string();
            for r in mustache::references(text).iter().rev() {
                literal.replace_range(r.span.range(), "");
            }
            let nonempty = !literal.is_empty();
            return Err(Unknown {
                reason: format!("`{}` has no value here", sub.missing.join("`, `")),
                truthy: nonempty.then_some(true),
            });
        }
        Ok(LVal::Str(text.to_string()))
    }

    /// Truth of a node in statement position.
    fn truth(&mut self, node: &Node, site: Site, top: bool) -> Step {
        let span = node.use_span();
        let statement = render(node);
        if let Some((key, arg)) = statement_key(node) {
            return self.statement(key, arg, span, statement, site);
        }
        if node.as_map().is_some() {
            return Step {
                truth: Err(Unknown {
                    reason: "it is a mapping but not a logic statement (`and`, `or`, `not`, `equal`, `matches`)".into(),
                    truthy: None,
                }),
                span,
                statement,
                why: String::new(),
            };
        }
        // A plain string at a workflow `when`: maybe an expression.
        if top && site == Site::Workflow {
            if let Some(text) = node.as_str() {
                if !mustache::has_template(text) {
                    if let Ok(e) = parse_expression(text) {
                        if e.uses_operator_or_pipeline() {
                            let mut seen = Vec::new();
                            let t = match e.eval(self.env, &mut seen) {
                                Ok(v) => Ok(expr_truthy(&v)),
                                Err(reason) => Err(Unknown {
                                    reason,
                                    truthy: None,
                                }),
                            };
                            for (k, v) in seen {
                                self.record(&k, &v);
                            }
                            return Step {
                                truth: t,
                                span,
                                statement,
                                why: "(an expression)".into(),
                            };
                        }
                    }
                }
            }
        }
        let is_partial_template = node.as_str().is_some_and(|t| {
            mustache::has_template(t)
                && mustache::whole_reference(t).is_none()
                && mustache::whole_expression(t).is_none()
        });
        match self.value(node) {
            Ok(v) => {
                let t = v.truthy();
                let why = if is_partial_template {
                    format!(
                        "is {} string after substitution",
                        if t { "a non-empty" } else { "an empty" }
                    )
                } else {
                    format!("is {} value", if t { "a truthy" } else { "a falsy" })
                };
                Step {
                    truth: Ok(t),
                    span,
                    statement,
                    why,
                }
            }
            Err(u) => match u.truthy {
                Some(t) => Step {
                    truth: Ok(t),
                    span,
                    statement,
                    why: "is a non-empty string after substitution whatever the values, so always true".into(),
                },
                None => Step {
                    truth: Err(u),
                    span,
                    statement,
                    why: String::new(),
                },
            },
        }
    }

    fn statement(
        &mut self,
        key: &str,
        arg: &Node,
        span: Span,
        statement: String,
        site: Site,
    ) -> Step {
        let no_args = arg.is_null() || arg.as_seq().is_some_and(|s| s.is_empty());
        if no_args {
            return Step {
                truth: Ok(false),
                span,
                statement,
                why: "has no arguments, so it is false".into(),
            };
        }
        match key {
            "and" | "or" => {
                let want = key == "or"; // the value that decides early
                let items: Vec<&Node> = match arg.as_seq() {
                    Some(s) => s.iter().collect(),
                    None => vec![arg],
                };
                let mut unknown: Option<Step> = None;
                for item in items {
                    let step = self.truth(item, site, false);
                    match &step.truth {
                        Ok(t) if *t == want => {
                            return Step {
                                why: format!("is {want}, so `{key}` is {want}"),
                                ..step
                            };
                        }
                        Ok(_) => {}
                        Err(_) => {
                            if unknown.is_none() {
                                unknown = Some(step);
                            }
                        }
                    }
                }
                match unknown {
                    Some(u) => u,
                    None => Step {
                        truth: Ok(!want),
                        span,
                        statement,
                        why: format!("is {}", !want),
                    },
                }
            }
            "not" => {
                let inner = self.truth(arg, site, false);
                match inner.truth {
                    Ok(t) => Step {
                        truth: Ok(!t),
                        span,
                        statement,
                        why: format!("is {}", !t),
                    },
                    Err(_) => inner,
                }
            }
            "equal" => {
                let items: Vec<&Node> = match arg.as_seq() {
                    Some(s) => s.iter().collect(),
                    None => vec![arg],
                };
                let mut known: Vec<LVal> = Vec::new();
                let mut first_unknown: Option<Unknown> = None;
                for item in items {
                    match self.value(item) {
                        Ok(v) => known.push(v),
                        Err(u) => {
                            if first_unknown.is_none() {
                                first_unknown = Some(u);
                            }
                        }
                    }
                }
                if let Some(w) = known.windows(2).find(|w| !lval_eq(&w[0], &w[1])) {
                    return Step {
                        truth: Ok(false),
                        span,
                        statement,
                        why: format!("is false ({} is not {})", w[0].describe(), w[1].describe()),
                    };
                }
                match first_unknown {
                    Some(u) => Step {
                        truth: Err(u),
                        span,
                        statement,
                        why: String::new(),
                    },
                    None => Step {
                        truth: Ok(true),
                        span,
                        statement,
                        why: "is true".into(),
                    },
                }
            }
            "matches" => {
                let (Some(pat), Some(val)) = (arg.get("pattern"), arg.get("value")) else {
                    return Step {
                        truth: Err(Unknown {
                            reason: "`matches` needs `pattern` and `value`".into(),
                            truthy: None,
                        }),
                        span,
                        statement,
                        why: String::new(),
                    };
                };
                let pattern = match self.value(pat) {
                    Ok(LVal::Str(p)) => p,
                    Ok(other) => {
                        return Step {
                            truth: Err(Unknown {
                                reason: format!(
                                    "the pattern is {}, not a string",
                                    other.describe()
                                ),
                                truthy: None,
                            }),
                            span,
                            statement,
                            why: String::new(),
                        };
                    }
                    Err(u) => {
                        return Step {
                            truth: Err(u),
                            span,
                            statement,
                            why: String::new(),
                        };
                    }
                };
                let value = match self.value(val) {
                    Ok(LVal::Str(s)) => s,
                    Ok(LVal::Int(i)) => i.to_string(),
                    Ok(LVal::Bool(b)) => b.to_string(),
                    Ok(other) => {
                        return Step {
                            truth: Err(Unknown {
                                reason: format!("the value is {}, not a string", other.describe()),
                                truthy: None,
                            }),
                            span,
                            statement,
                            why: String::new(),
                        };
                    }
                    Err(u) => {
                        return Step {
                            truth: Err(u),
                            span,
                            statement,
                            why: String::new(),
                        };
                    }
                };
                match compile_java_regex(&pattern) {
                    Ok(re) => {
                        let m = re.is_match(&value);
                        Step {
                            truth: Ok(m),
                            span,
                            statement,
                            why: format!(
                                "is {m} (`{value}` {} the whole pattern)",
                                if m { "matches" } else { "does not match" }
                            ),
                        }
                    }
                    Err(reason) => Step {
                        truth: Err(Unknown {
                            reason,
                            truthy: None,
                        }),
                        span,
                        statement,
                        why: String::new(),
                    },
                }
            }
            _ => unreachable_statement(span, statement),
        }
    }
}

fn unreachable_statement(span: Span, statement: String) -> Step {
    Step {
        truth: Err(Unknown {
            reason: "not a logic statement".into(),
            truthy: None,
        }),
        span,
        statement,
        why: String::new(),
    }
}

fn lval_eq(a: &LVal, b: &LVal) -> bool {
    match (a, b) {
        (LVal::Float(x), LVal::Float(y)) => x == y,
        _ => a == b,
    }
}

/// Evaluate a condition (the value of `when`, `unless` or a step's `condition`) in `env`.
/// For `unless`, negate the result yourself (the explanation stays about the statement).
pub fn evaluate(node: &Node, env: &Env, site: Site) -> Evaluation {
    let mut ev = Eval {
        env,
        seen: Vec::new(),
    };
    let step = ev.truth(node, site, true);
    let (result, why) = match step.truth {
        Ok(t) => {
            let why = if step.why.is_empty() || step.why == "(an expression)" {
                format!("is {t}")
            } else {
                step.why
            };
            (Tri::from_bool(t), why)
        }
        Err(u) => (
            Tri::Unknown(u.reason.clone()),
            format!("cannot be decided: {}", u.reason),
        ),
    };
    Evaluation {
        result,
        decided_by: step.span,
        statement: step.statement,
        why,
        seen: ev.seen,
    }
}

/// A condition whose value can never change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstantCondition {
    /// What it always is.
    pub value: bool,
    /// The part that makes it so.
    pub span: Span,
    /// Why, in words: "`<< pipeline.parameters.x >> == false` is a non-empty string after
    /// substitution whatever the values, so always true".
    pub reason: String,
    /// The same without the statement: "is a non-empty string after substitution whatever the
    /// values, so always true".
    pub why: String,
}

/// If `node` (a `when`/`unless`/`condition` value) evaluates to the same truth whatever every
/// pipeline value and parameter is, say so. A bare `<< pipeline.parameters.flag >>` is not
/// constant; `"<< pipeline.parameters.x >> == false"` (a non-empty string after substitution),
/// a literal `true`, `equal: [a, a]` are.
pub fn constant_condition(node: &Node, site: Site) -> Option<ConstantCondition> {
    let ev = evaluate(node, &Env::new(), site);
    let value = ev.result.known()?;
    Some(ConstantCondition {
        value,
        span: ev.decided_by,
        reason: format!("`{}` {}", ev.statement, ev.why),
        why: ev.why,
    })
}

/// A compact one-line rendering of a logic statement or value.
pub fn render(node: &Node) -> String {
    fn inner(node: &Node, top: bool, budget: &mut usize) -> String {
        if *budget == 0 {
            return "...".into();
        }
        *budget -= 1;
        match &node.value {
            Value::Scalar(s) => {
                let t: &str = &s.text;
                let t = if t.chars().count() > 80 {
                    let cut: String = t.chars().take(77).collect();
                    format!("{cut}...")
                } else {
                    t.to_string()
                };
                if s.kind == ScalarKind::Str
                    && (t.is_empty() || t.contains(", ") || t.contains(']'))
                {
                    format!("{t:?}")
                } else {
                    t.replace('\n', " ")
                }
            }
            Value::Seq(items) => {
                let parts: Vec<String> = items.iter().map(|i| inner(i, false, budget)).collect();
                format!("[{}]", parts.join(", "))
            }
            Value::Map(entries) => {
                let parts: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{}: {}",
                            k.scalar_text().unwrap_or("?"),
                            inner(v, false, budget)
                        )
                    })
                    .collect();
                if top && entries.len() == 1 {
                    parts.join("")
                } else {
                    format!("{{{}}}", parts.join(", "))
                }
            }
        }
    }
    let mut budget = 64;
    inner(node, true, &mut budget)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Scalar, ScalarStyle};

    // Small builders for trees (spans are positions in an imaginary file, distinct per node).
    fn sc(kind: ScalarKind, text: &str) -> Node {
        Node {
            span: Span::new(0, text.len()),
            alias: None,
            value: Value::Scalar(Scalar {
                text: text.into(),
                style: ScalarStyle::Plain,
                kind,
            }),
        }
    }
    fn s(t: &str) -> Node {
        sc(ScalarKind::Str, t)
    }
    fn b(v: bool) -> Node {
        sc(ScalarKind::Bool(v), if v { "true" } else { "false" })
    }
    fn i(v: i64) -> Node {
        sc(ScalarKind::Int(v), &v.to_string())
    }
    fn f(v: f64, t: &str) -> Node {
        sc(ScalarKind::Float(v), t)
    }
    fn null() -> Node {
        sc(ScalarKind::Null, "null")
    }
    fn seq(items: Vec<Node>) -> Node {
        Node {
            span: Span::new(100, 200),
            alias: None,
            value: Value::Seq(items),
        }
    }
    fn map(entries: Vec<(&str, Node)>) -> Node {
        Node {
            span: Span::new(300, 400),
            alias: None,
            value: Value::Map(entries.into_iter().map(|(k, v)| (s(k), v)).collect()),
        }
    }
    fn st(key: &str, arg: Node) -> Node {
        map(vec![(key, arg)])
    }

    fn env() -> Env {
        Env::new()
            .with("pipeline.git.branch", PipelineValue::Str("main".into()))
            .with("pipeline.git.tag", PipelineValue::Str(String::new()))
            .with(
                "pipeline.trigger_source",
                PipelineValue::Str("webhook".into()),
            )
            .with("pipeline.number", PipelineValue::Int(42))
            .with("pipeline.parameters.flag", PipelineValue::Bool(true))
            .with("pipeline.parameters.off", PipelineValue::Bool(false))
            .with("pipeline.parameters.zero", PipelineValue::Int(0))
            .with(
                "pipeline.parameters.empty",
                PipelineValue::Str(String::new()),
            )
            .with("pipeline.parameters.name", PipelineValue::Str("x".into()))
    }

    fn truth(node: &Node) -> Tri {
        evaluate(node, &env(), Site::Workflow).result
    }

    #[test]
    fn truthiness_of_literals() {
        assert_eq!(truth(&b(true)), Tri::Yes);
        assert_eq!(truth(&b(false)), Tri::No);
        assert_eq!(truth(&null()), Tri::No);
        assert_eq!(truth(&i(0)), Tri::No);
        assert_eq!(truth(&i(42)), Tri::Yes);
        assert_eq!(truth(&f(f64::NAN, ".nan")), Tri::No);
        assert_eq!(truth(&f(0.0, "0.0")), Tri::No);
        assert_eq!(truth(&f(1.5, "1.5")), Tri::Yes);
        assert_eq!(truth(&s("")), Tri::No);
        assert_eq!(truth(&s("a string")), Tri::Yes);
        // A string "false" is a non-empty string.
        assert_eq!(evaluate(&s("false"), &env(), Site::Step).result, Tri::Yes);
    }

    #[test]
    fn statements_with_no_arguments_are_false() {
        for key in ["and", "or", "not", "equal"] {
            assert_eq!(truth(&st(key, null())), Tri::No, "{key}");
            assert_eq!(truth(&st(key, seq(vec![]))), Tri::No, "{key}");
        }
    }

    #[test]
    fn parameters_keep_their_type_when_whole() {
        assert_eq!(truth(&s("<< pipeline.parameters.flag >>")), Tri::Yes);
        assert_eq!(truth(&s("<< pipeline.parameters.off >>")), Tri::No);
        assert_eq!(truth(&s("<< pipeline.parameters.zero >>")), Tri::No);
        assert_eq!(truth(&s("<< pipeline.parameters.empty >>")), Tri::No);
        // Inside a larger string it is text: "false == false" is a non-empty string.
        assert_eq!(
            truth(&s("<< pipeline.parameters.off >> == false")),
            Tri::Yes
        );
        assert_eq!(truth(&s("x<< pipeline.parameters.empty >>")), Tri::Yes);
    }

    #[test]
    fn and_or_not() {
        assert_eq!(truth(&st("and", seq(vec![b(true), b(true)]))), Tri::Yes);
        assert_eq!(truth(&st("and", seq(vec![b(true), b(false)]))), Tri::No);
        assert_eq!(truth(&st("or", seq(vec![b(false), i(1)]))), Tri::Yes);
        assert_eq!(truth(&st("or", seq(vec![b(false), s("")]))), Tri::No);
        assert_eq!(truth(&st("not", b(true))), Tri::No);
        assert_eq!(
            truth(&st("not", st("not", s("<< pipeline.parameters.flag >>")))),
            Tri::Yes
        );
        // Unknowns: decided when another argument decides.
        let unk = s("<< pipeline.parameters.nope >>");
        assert_eq!(truth(&st("and", seq(vec![unk.clone(), b(false)]))), Tri::No);
        assert_eq!(truth(&st("or", seq(vec![unk.clone(), b(true)]))), Tri::Yes);
        assert!(matches!(
            truth(&st("and", seq(vec![unk.clone(), b(true)]))),
            Tri::Unknown(_)
        ));
        assert!(matches!(truth(&st("not", unk)), Tri::Unknown(_)));
    }

    #[test]
    fn equal_compares_typed_values() {
        let e = st(
            "equal",
            seq(vec![s("main"), s("<< pipeline.git.branch >>")]),
        );
        assert_eq!(truth(&e), Tri::Yes);
        let e = st("equal", seq(vec![i(42), s("<< pipeline.number >>")]));
        assert_eq!(truth(&e), Tri::Yes);
        let e = st(
            "equal",
            seq(vec![b(false), s("<< pipeline.parameters.off >>")]),
        );
        assert_eq!(truth(&e), Tri::Yes);
        // Types differ: a string "42" is not the integer 42.
        let e = st("equal", seq(vec![s("42"), s("<< pipeline.number >>")]));
        assert_eq!(truth(&e), Tri::No);
        let e = st("equal", seq(vec![s("a"), s("a"), s("b")]));
        assert_eq!(truth(&e), Tri::No);
        let e = st(
            "equal",
            seq(vec![s("a"), s("<< pipeline.parameters.nope >>")]),
        );
        assert!(matches!(truth(&e), Tri::Unknown(_)));
        // Two known values differ: false whatever the unknown one is.
        let e = st(
            "equal",
            seq(vec![s("a"), s("<< pipeline.parameters.nope >>"), s("b")]),
        );
        assert_eq!(truth(&e), Tri::No);
    }

    #[test]
    fn matches_uses_whole_java_regex() {
        let m = |p: &str, v: &str| st("matches", map(vec![("pattern", s(p)), ("value", s(v))]));
        assert_eq!(truth(&m("^feature-.+$", "feature-x")), Tri::Yes);
        assert_eq!(truth(&m("feature", "feature-x")), Tri::No, "whole match");
        assert_eq!(truth(&m("ma.*", "<< pipeline.git.branch >>")), Tri::Yes);
        assert!(matches!(truth(&m("(?!main).*", "dev")), Tri::Unknown(_)));
        assert!(matches!(truth(&m("(a)\\1", "aa")), Tri::Unknown(_)));
        let missing = st("matches", map(vec![("pattern", s("x"))]));
        assert!(matches!(truth(&missing), Tri::Unknown(_)));
    }

    #[test]
    fn explanation_names_the_deciding_statement_and_values() {
        let e = st(
            "equal",
            seq(vec![
                s("scheduled_pipeline"),
                s("<< pipeline.trigger_source >>"),
            ]),
        );
        let ev = evaluate(&e, &env(), Site::Workflow);
        assert_eq!(ev.result, Tri::No);
        assert_eq!(
            ev.explain(),
            "`equal: [scheduled_pipeline, << pipeline.trigger_source >>]` is false (`scheduled_pipeline` is not `webhook`) (pipeline.trigger_source is `webhook`)"
        );
        let and = st(
            "and",
            seq(vec![
                b(true),
                st("not", s("<< pipeline.parameters.flag >>")),
            ]),
        );
        let ev = evaluate(&and, &env(), Site::Workflow);
        assert_eq!(ev.result, Tri::No);
        assert_eq!(ev.statement, "not: << pipeline.parameters.flag >>");
        assert!(ev.explain().contains("pipeline.parameters.flag is `true`"));
        let unk = evaluate(&s("<< pipeline.parameters.nope >>"), &env(), Site::Workflow);
        assert!(unk.explain().contains("cannot be decided"));
    }

    #[test]
    fn workflow_strings_may_be_expressions() {
        assert_eq!(truth(&s("pipeline.git.branch == \"main\"")), Tri::Yes);
        assert_eq!(truth(&s("pipeline.git.branch == \"dev\"")), Tri::No);
        assert_eq!(
            truth(&s(
                "pipeline.git.branch == \"main\" and not pipeline.parameters.flag"
            )),
            Tri::No
        );
        assert_eq!(truth(&s("<< pipeline.git.branch == \"main\" >>")), Tri::Yes);
        // At a step it is a string literal.
        assert_eq!(
            evaluate(&s("pipeline.git.branch == \"dev\""), &env(), Site::Step).result,
            Tri::Yes
        );
        // A plain word is a literal, not a variable.
        assert_eq!(truth(&s("main")), Tri::Yes);
    }

    #[test]
    fn expression_language() {
        let ev = |src: &str| eval_expression_text(src, &env());
        use PipelineValue as V;
        assert_eq!(
            ev("pipeline.git.branch starts-with \"ma\""),
            Ok(V::Bool(true))
        );
        assert_eq!(
            ev("pipeline.number >= 40 and pipeline.number < 43"),
            Ok(V::Bool(true))
        );
        assert_eq!(ev("pipeline.number == \"42\""), Ok(V::Bool(false)));
        assert_eq!(ev("pipeline.number != \"42\""), Ok(V::Bool(true)));
        assert_eq!(ev("not true and false"), Ok(V::Bool(false)));
        assert_eq!(ev("not (true and false)"), Ok(V::Bool(true)));
        assert_eq!(ev("! false"), Ok(V::Bool(true)));
        assert_eq!(
            ev("pipeline.git.branch == \"main\" and 10 or 1"),
            Ok(V::Int(10))
        );
        assert_eq!(
            ev("\"a \\\"q\\\" \\\\\" == \"a \\\"q\\\" \\\\\""),
            Ok(V::Bool(true))
        );
        // `and` binds tighter than `or`; comparisons tighter than `==`.
        assert_eq!(ev("true or false and false"), Ok(V::Bool(true)));
        assert_eq!(ev("1 < 2 == true"), Ok(V::Bool(true)));
        assert!(ev("pipeline.number starts-with \"4\"").is_err());
        assert!(ev("pipeline.git.branch > 1").is_err());
        assert!(ev("pipeline.nope == 1").is_err());
        // Unknown on one side of `and`/`or` is decided by the other.
        assert_eq!(ev("pipeline.nope == 1 and false"), Ok(V::Bool(false)));
        assert_eq!(ev("pipeline.nope == 1 or true"), Ok(V::Bool(true)));
        assert!(parse_expression("a ==").is_err());
        assert!(parse_expression("(a == b").is_err());
        assert!(parse_expression("a b").is_err());
        assert!(parse_expression("\"open").is_err());
        assert!(parse_expression("").is_err());
        assert_eq!(
            expression_variables("pipeline.git.branch == \"x\" or pipeline.parameters.run-it"),
            vec![
                ("pipeline.git.branch".to_string(), 0),
                ("pipeline.parameters.run-it".to_string(), 30)
            ]
        );
    }

    #[test]
    fn render_round_trips_an_expression() {
        let e = parse_expression("a == \"x\" and not (b or c)").unwrap();
        assert_eq!(e.render(), "a == \"x\" and not (b or c)");
    }

    #[test]
    fn constant_conditions() {
        // The secretflow/scql mistake: a comparison written as a string.
        let c = constant_condition(&s("<< pipeline.parameters.x >> == false"), Site::Workflow)
            .expect("constant");
        assert!(c.value);
        assert!(c.reason.contains("non-empty string"), "{}", c.reason);
        assert!(constant_condition(&b(true), Site::Workflow).is_some());
        assert_eq!(
            constant_condition(&b(false), Site::Workflow).map(|c| c.value),
            Some(false)
        );
        assert!(constant_condition(&s("some text"), Site::Step).is_some());
        let eq = st("equal", seq(vec![s("a"), s("a")]));
        assert_eq!(
            constant_condition(&eq, Site::Workflow).map(|c| c.value),
            Some(true)
        );
        let or = st(
            "or",
            seq(vec![s("<< pipeline.parameters.flag >>"), b(true)]),
        );
        assert!(constant_condition(&or, Site::Workflow).is_some());
        assert!(constant_condition(&st("not", b(false)), Site::Step).is_some());
        assert!(constant_condition(&st("and", null()), Site::Step).is_some());
        // Not constant: these change with the pipeline.
        for node in [
            s("<< pipeline.parameters.flag >>"),
            s("<< pipeline.git.branch == \"main\" >>"),
            s("pipeline.git.branch == \"main\""),
            st(
                "equal",
                seq(vec![s("main"), s("<< pipeline.git.branch >>")]),
            ),
            st("not", s("<< pipeline.parameters.flag >>")),
            st(
                "matches",
                map(vec![
                    ("pattern", s("v.*")),
                    ("value", s("<< pipeline.git.tag >>")),
                ]),
            ),
            st(
                "and",
                seq(vec![b(true), s("<< pipeline.parameters.flag >>")]),
            ),
        ] {
            assert!(
                constant_condition(&node, Site::Workflow).is_none(),
                "{}",
                render(&node)
            );
        }
    }

    #[test]
    fn tri_helpers() {
        assert_eq!(!Tri::from_bool(true), Tri::No);
        assert_eq!(!Tri::Unknown("x".into()), Tri::Unknown("x".into()));
        assert_eq!(Tri::No.known(), Some(false));
    }
}
