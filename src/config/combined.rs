//! Many files as one text, so that one tree built from all of them keeps, in every span, the
//! file it came from: an orb source folder (`orb_source`) and a packed config folder (`pack`)
//! are both read this way.
//!
//! Every file gets its own byte range in the combined text (its bytes at a base offset, then a
//! newline). Each YAML file is decoded and parsed on its own and its spans are moved by its
//! base, so a node taken from it into the assembled tree, and every finding about that node,
//! points into that file's range. At the end `pipeline::split` hands each file its findings
//! with spans relative to it.

use crate::base::diagnostic::Finding;
use crate::base::span::Span;
use crate::yaml::{self, Document, Node, Value, YamlFinding};

/// One file's place in the combined text; `K` says what the file is to its folder.
#[derive(Debug)]
pub struct Part<K> {
    /// Relative to the folder, with `/` separators: `commands/greet.yml`.
    pub rel: String,
    /// As reports show it: `src/commands/greet.yml`.
    pub path: String,
    pub kind: K,
    /// Where the file starts in the combined text.
    pub base: usize,
    /// The file's decoded text.
    pub text: String,
}

impl<K> Part<K> {
    /// A span of the file (offsets relative to it) in the combined text.
    pub fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.base + start, self.base + end)
    }

    /// The empty span at the start of the file: where a finding about the whole file points.
    pub fn start(&self) -> Span {
        Span::empty(self.base)
    }
}

/// The combined text and its files.
#[derive(Debug)]
pub struct Combined<K> {
    /// Every file's text at its base, each followed by a newline.
    pub source: String,
    pub parts: Vec<Part<K>>,
    /// Files that could not be decoded (`yaml-syntax`), spans in the combined text.
    pub undecodable: Vec<YamlFinding>,
}

impl<K> Default for Combined<K> {
    fn default() -> Self {
        Combined {
            source: String::new(),
            parts: Vec::new(),
            undecodable: Vec::new(),
        }
    }
}

impl<K> Combined<K> {
    /// Add a file at the end of the text. A YAML file (`yaml`) is decoded and parsed on its
    /// own, its spans moved to its base, and its document returned (with the loader's
    /// findings); `None` for another file or one that could not be decoded (the finding is in
    /// `undecodable`). Another file is kept as text (invalid UTF-8 replaced).
    pub fn add(
        &mut self,
        rel: &str,
        path: String,
        kind: K,
        bytes: &[u8],
        yaml: bool,
    ) -> Option<Document> {
        let base = self.source.len();
        let (text, decoded) = if yaml {
            match yaml::decode(bytes) {
                Ok(text) => (text, true),
                Err(mut d) => {
                    shift_finding(&mut d, base);
                    self.undecodable.push(d);
                    (yaml::lossy_text(bytes), false)
                }
            }
        } else {
            (String::from_utf8_lossy(bytes).into_owned(), false)
        };
        self.source.push_str(&text);
        self.source.push('\n');
        let doc = (yaml && decoded).then(|| {
            let mut doc = yaml::parse(&text);
            shift_document(&mut doc, base);
            doc
        });
        self.parts.push(Part {
            rel: rel.to_string(),
            path,
            kind,
            base,
            text,
        });
        doc
    }
}

/// The index of the part a combined-text offset falls in.
pub fn owner<K>(parts: &[Part<K>], at: u32) -> usize {
    parts
        .iter()
        .rposition(|p| p.base <= at as usize)
        .unwrap_or(0)
}

fn shift_span(s: Span, by: usize) -> Span {
    Span::new(s.start as usize + by, s.end as usize + by)
}

/// Move every span of a tree by `by` bytes.
pub fn shift_node(n: &mut Node, by: usize) {
    n.span = shift_span(n.span, by);
    n.alias = n.alias.map(|a| shift_span(a, by));
    match &mut n.value {
        Value::Scalar(_) => {}
        Value::Seq(items) => items.iter_mut().for_each(|i| shift_node(i, by)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            shift_node(k, by);
            shift_node(v, by);
        }),
    }
}

/// Move the spans of a finding by `by` bytes.
pub fn shift_finding<K>(d: &mut Finding<K>, by: usize) {
    d.primary.span = shift_span(d.primary.span, by);
    for l in &mut d.labels {
        l.span = shift_span(l.span, by);
    }
}

/// Move every span of a loaded document (tree, comments, findings) by `by` bytes.
pub fn shift_document(doc: &mut Document, by: usize) {
    if let Some(root) = doc.root.as_mut() {
        shift_node(root, by);
    }
    for c in &mut doc.comments {
        c.span = shift_span(c.span, by);
    }
    for d in &mut doc.findings {
        shift_finding(d, by);
    }
}
