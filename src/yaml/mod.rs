//! The spanned YAML tree: bytes in, a resolved tree of the first document out, every node
//! with the byte span where it is written.
//!
//! # Parser
//!
//! Events come from [`granit_parser`] (2.x), chosen because it gives what a linter needs and
//! the alternatives do not all give:
//!
//! - an exact **byte** range for every event, mapping keys included, so every finding can
//!   point at the exact key or value (saphyr-parser, which it was forked from, reports
//!   character indexes, which would need converting back to bytes on every use);
//! - anchor definitions as events with their name and the span of `&name`
//!   (`Options::emit_anchor_events`), so an alias can say where its anchor is;
//! - an undefined alias reported as an event without stopping
//!   (`Options::emit_unresolved_aliases`), so "used before its anchor" can name the later
//!   anchor;
//! - comments as events with spans, which `# cilint: ignore[rule]` suppressions are read from;
//! - nesting limits of its own (it never recurses without bound), no `unsafe`, and a speed of
//!   about 60 MB/s, far more than a config file needs.
//!
//! # What the tree is
//!
//! [`parse`] builds the tree of the first document with an explicit stack (no recursion):
//! aliases are followed (the clone of the anchored node, and all its descendants, get `alias`
//! set to the span of the `*alias` token), `<<` merge keys are applied the way SnakeYAML
//! (CircleCI's YAML loader) applies them, plain scalars are resolved as SnakeYAML resolves
//! them (YAML 1.1: `on`, `yes` are booleans, `010` is octal), duplicate keys keep the later
//! value (and give a `duplicate-key` warning).
//!
//! Spans: a scalar's span is its text as written (quotes and `|`/`>` headers included); a
//! collection's span covers the whole collection (`[` to `]`; for a block mapping, the first
//! key to the end of the last value); a node reached through an alias keeps the span where it
//! is defined and records the alias in `alias`.
//!
//! When loading fails (a `yaml-syntax` or `yaml-limits` error), `root` is `None`: later stages
//! see no half-built tree, and the only findings are about the file itself.
//!
//! # Besides the tree
//!
//! [`Data`] is YAML data without spans, what `cilint expand` and `cilint pack` build and print;
//! [`v3`] is how gopkg.in/yaml.v3 (the YAML library of `circleci config pack`) types, prints and
//! orders values; [`style`] is which styles a YAML emitter may write a string in.
//!
//! # Limits
//!
//! See [`Limits`]: input size (16 MiB), nesting depth (256), nodes created by alias expansion
//! (the larger of 250,000 and the number of nodes written in the file; the largest real config
//! in our corpus creates 927). Each gives a `yaml-limits` error instead of a crash, a hang or
//! unbounded memory.

mod build;
pub mod data;
mod decode;
pub mod edit;
mod errors;
mod scalar;
pub mod scalar_map;
pub mod style;
#[cfg(test)]
pub(crate) mod test_nodes;
#[cfg(test)]
mod tests;
pub mod v3;
pub mod walk;

pub use data::Data;
pub use decode::{decode, lossy_text};
pub use scalar::resolve_plain;

use crate::base::diagnostic::Finding;
use crate::base::span::Span;

/// Safety limits of the loader. Exceeding one gives a `yaml-limits` error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest source accepted, in bytes (default 16 MiB). Real configs are under 1 MiB, and
    /// CircleCI rejects a config whose compiled form (aliases and orbs expanded) exceeds 8 MB;
    /// the limit bounds the memory of the tree (a few hundred megabytes at worst).
    pub max_bytes: usize,
    /// Deepest nesting of collections (default 256: real configs use about 10). Bounds the
    /// depth of the tree, so recursive walks over it (and dropping it) cannot exhaust the stack.
    pub max_depth: usize,
    /// Nodes that alias expansion may create (default 250,000), counting the copies kept of
    /// anchored nodes; for a file with more nodes than that, the budget is its node count (so
    /// expansion can at most double a large file). Real configs create well under 1,000; a
    /// "billion laughs" file stops at the budget in a fraction of a second and a few tens of
    /// megabytes.
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 16 * 1024 * 1024,
            max_depth: 256,
            max_alias_nodes: 250_000,
        }
    }
}

/// Load the first document of a YAML text with the default [`Limits`].
pub fn parse(src: &str) -> Document {
    parse_with(src, &Limits::default())
}

/// Load the first document of a YAML text.
pub fn parse_with(src: &str, limits: &Limits) -> Document {
    match detached_block_headers(src) {
        Some(joined) => build::Builder::new(&joined, limits).run(),
        None => build::Builder::new(src, limits).run(),
    }
}

/// A block scalar header (`|`, `>-`...) alone on the line after its key, at the key's own
/// column:
///
/// ```yaml
/// - run:
///   |
///     make test
/// ```
///
/// The YAML 1.2 grammar wants the header on the key's line or indented deeper, but the parser
/// CircleCI reads configs with (the SnakeYAML family) takes it as the key's value, and configs
/// that CircleCI ran for years are written this way. The text is read with each such line
/// break replaced by a space, which puts the header on its key's line and keeps every byte
/// offset (so spans still point into the original text). `None` when there is none.
fn detached_block_headers(src: &str) -> Option<String> {
    let mut joins = Vec::new();
    // The line just before, when it is not blank: its text.
    let mut prev: Option<&str> = None;
    let mut start = 0;
    for line in src.split_inclusive('\n') {
        let text = line.trim_end_matches(['\n', '\r']);
        let indent = text.len() - text.trim_start_matches(' ').len();
        let body = text[indent..].trim_end();
        let header = body.starts_with(['|', '>'])
            && body[1..].split('#').next().is_some_and(|rest| {
                rest.trim()
                    .chars()
                    .all(|c| matches!(c, '+' | '-' | '1'..='9'))
            });
        if header
            && let Some(prev_text) = prev
            && let Some(key) = prev_text.strip_suffix(':')
            && !key.trim_start().starts_with('#')
        {
            // The key's column: after the indentation and any `- ` sequence markers.
            let key_col = key.len() - key.trim_start_matches([' ', '-']).len();
            if key_col == indent && start > 0 {
                joins.push(start - 1);
            }
        }
        prev = (!body.is_empty()).then_some(text.trim_end());
        start += line.len();
    }
    if joins.is_empty() {
        return None;
    }
    let mut bytes = src.as_bytes().to_vec();
    for nl in joins {
        bytes[nl] = b' ';
        if nl > 0 && bytes[nl - 1] == b'\r' {
            bytes[nl - 1] = b' ';
        }
    }
    String::from_utf8(bytes).ok()
}

/// The tree as JSON (for the schema check): mappings keep their order and are keyed by the
/// key's scalar text (a non-scalar key by its JSON text); integers and finite floats are
/// numbers, NaN and infinities strings (`.nan`, `.inf`, `-.inf`), null is null.
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Scalar(s) => match s.kind {
            ScalarKind::Null => J::Null,
            ScalarKind::Bool(b) => J::Bool(b),
            ScalarKind::Int(i) => J::from(i),
            ScalarKind::Float(f) => serde_json::Number::from_f64(f).map_or_else(
                || {
                    J::String(
                        if f.is_nan() {
                            ".nan"
                        } else if f > 0.0 {
                            ".inf"
                        } else {
                            "-.inf"
                        }
                        .to_string(),
                    )
                },
                J::Number,
            ),
            ScalarKind::Str => J::String(s.text.to_string()),
        },
        Value::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => {
            let mut map = serde_json::Map::with_capacity(entries.len());
            for (k, v) in entries {
                map.insert(json_key(k), to_json(v));
            }
            J::Object(map)
        }
    }
}

/// The key [`to_json`] gives a mapping key: its scalar text, or for a collection its JSON text.
pub fn json_key(key: &Node) -> String {
    match key.scalar_text() {
        Some(t) => t.to_string(),
        None => to_json(key).to_string(),
    }
}

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// What a scalar resolves to as CircleCI reads it (SnakeYAML's YAML 1.1 resolver: `yes`, `on`
/// are booleans; see `scalar::resolve_plain`).
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

/// An anchor (`&name`) and the aliases (`*name`) that use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub name: String,
    /// The span of `&name`.
    pub span: Span,
    /// The spans of each `*name` that refers to it.
    pub uses: Vec<Span>,
}

/// The result of loading one file.
#[derive(Clone, Debug, Default)]
pub struct Document {
    /// The root of the first document; `None` for an empty file (or one that could not be read).
    pub root: Option<Node>,
    pub comments: Vec<Comment>,
    /// Every anchor of the first document with its aliases, in source order.
    pub anchors: Vec<Anchor>,
    /// What loading found (reported by the rules of `rules::yaml_rules`).
    pub findings: Vec<YamlFinding>,
}

/// What the loader finds, by the rule that reports it (`rules::yaml_rules`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Problem {
    /// Not valid YAML (`yaml-syntax`): loading stops.
    Syntax,
    /// Over a safety limit (`yaml-limits`): loading stops.
    Limit,
    /// A mapping with the same key twice (`duplicate-key`).
    DuplicateKey,
}

impl Problem {
    /// Whether loading stops at this problem (the tree is then incomplete).
    pub fn stops_loading(self) -> bool {
        matches!(self, Problem::Syntax | Problem::Limit)
    }
}

/// One finding of the loader.
pub type YamlFinding = Finding<Problem>;

impl Document {
    /// Whether loading stopped early (a syntax error or a safety limit): the tree is then
    /// incomplete, and only the loader's findings mean anything.
    pub fn stopped_early(&self) -> bool {
        self.findings.iter().any(|f| f.kind.stops_loading())
    }
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
