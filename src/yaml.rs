//! The spanned YAML tree.
//!
//! (Module doc to be completed by the implementation: which event parser and why.)

use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// What a scalar resolves to under YAML 1.2's core schema (as CircleCI reads it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScalarKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    /// The scalar's value as text (quotes removed, escapes and folding applied). For plain
    /// scalars this is the raw text (`123`, `true`, `~`).
    pub text: Box<str>,
    pub style: ScalarStyle,
    pub kind: ScalarKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Seq(Vec<Node>),
    /// Ordered (key, value) pairs, after merge keys are applied and aliases followed.
    Map(Vec<(Node, Node)>),
}

/// A node of the resolved tree: aliases followed, `<<` merge keys applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Where the node is written (for a node reached through an alias: where it was defined).
    pub span: Span,
    /// For a node reached through an alias (or merged in with `<<`): where the alias was used.
    pub alias: Option<Span>,
    pub value: Value,
}

/// A comment in the source (`# ...`), with its span (from `#` to the end of the line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    /// The text after `#`.
    pub text: String,
}

/// The result of loading one file.
#[derive(Clone, Debug, Default)]
pub struct Document {
    /// The root of the first document; `None` for an empty file (or one that could not be read).
    pub root: Option<Node>,
    pub comments: Vec<Comment>,
    /// yaml-syntax, yaml-limits, duplicate-key... findings made while loading.
    pub diagnostics: Vec<Diagnostic>,
}

impl Node {
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a string scalar (not of null, bool or numbers).
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) if s.kind == ScalarKind::Str => Some(&s.text),
            _ => None,
        }
    }

    /// The text of any scalar (a mapping key `123` gives "123").
    pub fn scalar_text(&self) -> Option<&str> {
        self.as_scalar().map(|s| &*s.text)
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.as_scalar()?.kind {
            ScalarKind::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.as_scalar()?.kind {
            ScalarKind::Int(i) => Some(i),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(
            &self.value,
            Value::Scalar(Scalar {
                kind: ScalarKind::Null,
                ..
            })
        )
    }

    /// The value under a mapping key (compared with the key's scalar text).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The (key, value) pair under a mapping key.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.scalar_text() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// Follow a path of mapping keys and sequence indexes (as strings, as in a JSON pointer:
    /// on a mapping a segment is a key, on a sequence an index).
    pub fn lookup<S: AsRef<str>>(&self, path: impl IntoIterator<Item = S>) -> Option<&Node> {
        let mut node = self;
        for seg in path {
            let seg = seg.as_ref();
            node = match &node.value {
                Value::Map(_) => node.get(seg)?,
                Value::Seq(items) => items.get(seg.parse::<usize>().ok()?)?,
                Value::Scalar(_) => return None,
            };
        }
        Some(node)
    }

    /// "a string", "a mapping", "a list", "an integer", "a boolean", "null", "a number".
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Map(_) => "a mapping",
            Value::Seq(_) => "a list",
            Value::Scalar(s) => match s.kind {
                ScalarKind::Null => "null",
                ScalarKind::Bool(_) => "a boolean",
                ScalarKind::Int(_) => "an integer",
                ScalarKind::Float(_) => "a number",
                ScalarKind::Str => "a string",
            },
        }
    }

    /// The span to point at for the node: where the alias was used if it came through one.
    pub fn use_span(&self) -> Span {
        self.alias.unwrap_or(self.span)
    }
}
