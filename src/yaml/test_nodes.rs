//! Trees built by hand for tests (no YAML text to load). Every node gets a span of its own (an
//! imaginary position, distinct per node within a thread), so findings about different nodes
//! stay apart.

use super::{Node, Scalar, ScalarKind, ScalarStyle, Value};
use crate::base::span::Span;
use std::cell::Cell;

thread_local! {
    static NEXT: Cell<usize> = const { Cell::new(0) };
}

fn span(len: usize) -> Span {
    NEXT.with(|n| {
        let start = n.get();
        n.set(start + len + 1);
        Span::new(start, start + len)
    })
}

fn node(value: Value, len: usize) -> Node {
    Node {
        span: span(len),
        alias: None,
        value,
    }
}

/// A plain scalar of `kind` written `text`.
pub fn scalar(kind: ScalarKind, text: &str) -> Node {
    let scalar = Scalar {
        text: text.into(),
        style: ScalarStyle::Plain,
        kind,
    };
    node(Value::Scalar(scalar), text.len())
}

/// A string.
pub fn s(text: &str) -> Node {
    scalar(ScalarKind::Str, text)
}

pub fn b(v: bool) -> Node {
    scalar(ScalarKind::Bool(v), if v { "true" } else { "false" })
}

pub fn int(v: i64) -> Node {
    scalar(ScalarKind::Int(v), &v.to_string())
}

pub fn float(v: f64, text: &str) -> Node {
    scalar(ScalarKind::Float(v), text)
}

pub fn null() -> Node {
    scalar(ScalarKind::Null, "null")
}

pub fn seq(items: Vec<Node>) -> Node {
    node(Value::Seq(items), 1)
}

/// A mapping with string keys.
pub fn map(entries: Vec<(&str, Node)>) -> Node {
    let entries = entries.into_iter().map(|(k, v)| (s(k), v)).collect();
    node(Value::Map(entries), 1)
}
