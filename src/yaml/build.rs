//! Events to the resolved tree: an explicit stack of open collections (no recursion), aliases
//! expanded against a budget, merge keys applied, duplicate keys reported.

use super::errors::syntax_error;
use super::scalar::{resolve_plain, resolve_tagged};
use super::{Comment, Document, Limits, Node, Scalar, ScalarKind, ScalarStyle, Value};
use super::{Problem, YamlFinding};
use crate::base::diagnostic::Finding;
use crate::base::span::Span;
use crate::base::text::did_you_mean;
use granit_parser::{Event, ParseResult, Parser, StructureStyle};

/// Files from this size on are parsed on a thread of their own (see `Builder::run`).
const PIPELINE_FROM_BYTES: usize = 256 * 1024;

/// Events handed from the parser's thread to the builder at a time.
const EVENT_BATCH: usize = 4096;
use std::collections::HashMap;

/// An open collection.
struct Frame {
    flow: bool,
    /// Byte offset where the collection starts (`[`/`{`, a block collection's first entry).
    start: usize,
    /// Furthest byte offset covered by the source text of its children so far.
    end: usize,
    /// Anchor id on the collection (0: none).
    anchor: usize,
    /// Nodes in the subtree so far (the collection itself included).
    size: usize,
    /// Deepest nesting of collections among the children so far (0: only scalars).
    child_height: usize,
    kind: FrameKind,
}

enum FrameKind {
    Seq(Vec<Node>),
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

/// An anchored node, kept to expand its aliases.
struct Anchored {
    node: Node,
    size: usize,
    /// Nesting of collections in the node (0 for a scalar).
    height: usize,
}

/// What a mapping key is, to find duplicates (as a loader would compare the constructed keys:
/// `1` and `"1"` differ, `0x10` and `16` are the same).
#[derive(Clone, PartialEq, Eq, Hash)]
enum KeyId {
    Str(Box<str>),
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
}

fn key_id(key: &Node) -> Option<KeyId> {
    let s = key.as_scalar()?;
    Some(match s.kind {
        ScalarKind::Str => KeyId::Str(s.text.clone()),
        ScalarKind::Null => KeyId::Null,
        ScalarKind::Bool(b) => KeyId::Bool(b),
        ScalarKind::Int(i) => KeyId::Int(i),
        ScalarKind::Float(f) => KeyId::Float(f.to_bits()),
    })
}

fn is_merge_key(key: &Node) -> bool {
    matches!(&key.value, Value::Scalar(s) if s.style == ScalarStyle::Plain && &*s.text == "<<")
        && key.alias.is_none()
}

/// A mapping's entries as merge keys and duplicates are resolved.
struct Resolved {
    entries: Vec<(Node, Node)>,
    /// For each entry, where its key was last written explicitly (not merged in).
    explicit: Vec<Option<Span>>,
    /// Entries by key, built once the mapping is large (small ones are searched in order).
    index: Option<HashMap<KeyId, usize>>,
}

/// Mappings with more entries than this get an index (see [`Resolved`]).
const INDEX_FROM: usize = 16;

impl Resolved {
    /// The entry whose key is the same as `key` (`None` for a key that is not a scalar, which
    /// is never the same as another).
    fn position(&self, key: &Node) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(&key_id(key)?).copied(),
            None => {
                let id = key_ref(key)?;
                self.entries
                    .iter()
                    .position(|(k, _)| key_ref(k) == Some(id))
            }
        }
    }

    /// Add an entry whose key is not there yet.
    fn push(&mut self, key: Node, value: Node, explicit: Option<Span>) {
        if let Some(index) = &mut self.index {
            if let Some(id) = key_id(&key) {
                index.insert(id, self.entries.len());
            }
        } else if self.entries.len() >= INDEX_FROM {
            let mut index = HashMap::with_capacity(self.entries.len() * 2);
            for (i, (k, _)) in self.entries.iter().enumerate() {
                if let Some(id) = key_id(k) {
                    index.entry(id).or_insert(i);
                }
            }
            if let Some(id) = key_id(&key) {
                index.insert(id, self.entries.len());
            }
            self.index = Some(index);
        }
        self.entries.push((key, value));
        self.explicit.push(explicit);
    }
}

/// [`KeyId`] without copying the text.
#[derive(Clone, Copy, PartialEq)]
enum KeyRef<'n> {
    Str(&'n str),
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
}

fn key_ref(key: &Node) -> Option<KeyRef<'_>> {
    let s = key.as_scalar()?;
    Some(match s.kind {
        ScalarKind::Str => KeyRef::Str(&s.text),
        ScalarKind::Null => KeyRef::Null,
        ScalarKind::Bool(b) => KeyRef::Bool(b),
        ScalarKind::Int(i) => KeyRef::Int(i),
        ScalarKind::Float(f) => KeyRef::Float(f.to_bits()),
    })
}

pub(crate) struct Builder<'s> {
    src: &'s str,
    limits: &'s Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    /// Anchor id -> (name, span of `&name`).
    anchor_names: HashMap<usize, (String, Span)>,
    /// Aliases with no anchor defined before them: (name, span of `*name`).
    unresolved: Vec<(String, Span)>,
    /// Nodes created by alias expansion so far.
    expanded: usize,
    /// Nodes read from the source so far.
    source_nodes: usize,
    root: Option<Node>,
    comments: Vec<Comment>,
    /// Every anchor with the aliases that use it, in source order; anchor id -> index.
    anchor_uses: Vec<crate::yaml::Anchor>,
    anchor_index: HashMap<usize, usize>,
    diagnostics: Vec<YamlFinding>,
    /// A fatal error was reported: stop building, no root.
    failed: bool,
}

impl<'s> Builder<'s> {
    pub(crate) fn new(src: &'s str, limits: &'s Limits) -> Builder<'s> {
        Builder {
            src,
            limits,
            stack: Vec::new(),
            anchors: HashMap::new(),
            anchor_names: HashMap::new(),
            unresolved: Vec::new(),
            expanded: 0,
            source_nodes: 0,
            root: None,
            comments: Vec::new(),
            anchor_uses: Vec::new(),
            anchor_index: HashMap::new(),
            diagnostics: Vec::new(),
            failed: false,
        }
    }

    pub(crate) fn run(self) -> Document {
        let pipelined = self.src.len() >= PIPELINE_FROM_BYTES;
        self.run_as(pipelined)
    }

    /// [`Builder::run`], with the parser on a thread of its own or not.
    pub(crate) fn run_as(mut self, pipelined: bool) -> Document {
        if self.src.len() > self.limits.max_bytes {
            self.diagnostics.push(
                Finding::new(
                        Problem::Limit,
                        Span::empty(0),
                        format!(
                            "the file is {} bytes long, more than the limit of {} bytes",
                            self.src.len(),
                            self.limits.max_bytes
                        ),
                    )
                    .label("file too large to read")
                    // Over CircleCI's own 8 MB limit: an error (the other limits are cilint's).
                    .severity(crate::base::diagnostic::Severity::Error)
                    .help("CircleCI rejects configs larger than 8 MB (after expanding aliases and orbs); check that this is the right file, or split the work with dynamic configuration"),
            );
            return self.finish();
        }
        let depth_limit = self.limits.max_depth.saturating_add(1);
        let options = granit_parser::options! {
            emit_anchor_events: true,
            emit_unresolved_aliases: true,
            block_scalar_eof_without_line_feed: true,
            max_buffered_comment_events: usize::MAX,
            flow_nesting_limit: depth_limit,
            block_nesting_limit: depth_limit,
        };
        let src = self.src;
        if !pipelined {
            let mut parser = Parser::new_from_str_with_options(src, options);
            self.consume(std::iter::from_fn(|| parser.next_event()));
        } else {
            // A large file: the parser runs on a thread of its own and hands its events over in
            // batches, so that reading the text and building the tree overlap. The events, and
            // so the tree, are the same.
            std::thread::scope(|scope| {
                let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<ParseResult<'_>>>(8);
                scope.spawn(move || {
                    let mut parser = Parser::new_from_str_with_options(src, options);
                    let mut batch = Vec::with_capacity(EVENT_BATCH);
                    while let Some(next) = parser.next_event() {
                        let failed = next.is_err();
                        batch.push(next);
                        if batch.len() == EVENT_BATCH || failed {
                            let full =
                                std::mem::replace(&mut batch, Vec::with_capacity(EVENT_BATCH));
                            // A closed channel: the builder stopped (an error, a limit).
                            if tx.send(full).is_err() || failed {
                                return;
                            }
                        }
                    }
                    let _ = tx.send(batch);
                });
                self.consume(rx.into_iter().flatten());
            });
        }
        self.report_unresolved();
        self.finish()
    }

    /// Build the tree from the parser's events (until the first document ends, an error or a
    /// limit).
    fn consume<'e>(&mut self, events: impl Iterator<Item = ParseResult<'e>>) {
        let mut documents = 0usize;
        let mut first_done = false;
        // End of the last node or structure event (not comments or anchors, whose spans lie
        // elsewhere): where a block scalar's header search starts.
        let mut last_end = 0usize;
        for next in events {
            let (event, span) = match next {
                Ok(ev) => ev,
                Err(err) => {
                    let offset = err
                        .marker()
                        .byte_offset()
                        .unwrap_or(self.src.len())
                        .min(self.src.len());
                    // The innermost open bracket. A single-pair mapping inside a flow sequence
                    // (`[key: value]`) is a flow collection too, but it starts at its key, not
                    // at a bracket: the bracket to close is the one around it.
                    let open_flow = self
                        .stack
                        .iter()
                        .rev()
                        .filter(|f| f.flow)
                        .map(|f| f.start)
                        .find(|&o| matches!(self.src.as_bytes().get(o), Some(b'[' | b'{')));
                    let diag = syntax_error(self.src, err.kind(), offset, open_flow, err.info());
                    self.fail(diag);
                    break;
                }
            };
            let range = span.byte_range().unwrap_or(0..0);
            let sp = Span::new(range.start, range.end);
            let prev_end = last_end;
            if !matches!(event, Event::Comment(..) | Event::Anchor(..)) {
                last_end = last_end.max(range.end);
            }
            match event {
                Event::StreamStart | Event::StreamEnd => {}
                Event::DocumentStart(..) => {
                    documents += 1;
                    if documents > 1 {
                        self.second_document(sp);
                        break;
                    }
                }
                Event::DocumentEnd => {
                    first_done = true;
                }
                Event::Comment(text, _) => self.comments.push(Comment {
                    span: sp,
                    text: text.into_owned(),
                }),
                _ if first_done => {}
                Event::Scalar(text, style, anchor, tag) => {
                    let (style, kind) = scalar_kind(&text, style, tag.as_deref());
                    let mut sp = self.scalar_span(sp, style, prev_end);
                    if sp.is_empty() && self.src[sp.start as usize..].starts_with(':') {
                        // An empty value is reported at its key's `:`: place it just after.
                        sp = Span::empty(sp.start as usize + 1);
                    }
                    // An empty value (`key:`) comes as `~`: keep its text as written, empty.
                    let text: Box<str> = if sp.is_empty() && style == ScalarStyle::Plain {
                        "".into()
                    } else {
                        text.into()
                    };
                    let node = Node {
                        span: sp,
                        alias: None,
                        value: Value::Scalar(Scalar { text, style, kind }),
                    };
                    self.source_nodes += 1;
                    if anchor != 0 {
                        self.keep_anchor(anchor, &node, 1, 0);
                    }
                    self.complete(node, sp, 1, 0);
                }
                Event::SequenceStart(style, anchor, _) | Event::MappingStart(style, anchor, _) => {
                    let is_map = matches!(event, Event::MappingStart(..));
                    if self.stack.len() >= self.limits.max_depth {
                        self.too_deep(sp);
                        break;
                    }
                    self.source_nodes += 1;
                    let flow = style == StructureStyle::Flow;
                    self.stack.push(Frame {
                        flow,
                        start: sp.start as usize,
                        end: if flow { sp.end } else { sp.start } as usize,
                        anchor,
                        size: 1,
                        child_height: 0,
                        kind: if is_map {
                            FrameKind::Map {
                                entries: Vec::new(),
                                key: None,
                            }
                        } else {
                            FrameKind::Seq(Vec::new())
                        },
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(frame) = self.stack.pop() else {
                        continue;
                    };
                    self.close(frame, sp);
                }
                Event::Anchor(id, name) => {
                    self.anchor_index.insert(id, self.anchor_uses.len());
                    self.anchor_uses.push(crate::yaml::Anchor {
                        name: name.to_string(),
                        span: sp,
                        uses: Vec::new(),
                    });
                    self.anchor_names.insert(id, (name.into_owned(), sp));
                }
                Event::Alias(id) => {
                    if let Some(&i) = self.anchor_index.get(&id) {
                        self.anchor_uses[i].uses.push(sp);
                    }
                    if !self.alias(id, sp) {
                        break;
                    }
                }
                Event::UnresolvedAlias(name) => {
                    self.unresolved.push((name.into_owned(), sp));
                    // A placeholder keeps the structure; the document fails anyway.
                    let node = Node {
                        span: sp,
                        alias: Some(sp),
                        value: Value::Scalar(Scalar {
                            text: "".into(),
                            style: ScalarStyle::Plain,
                            kind: ScalarKind::Null,
                        }),
                    };
                    self.complete(node, sp, 1, 0);
                }
                // Events added by later parser versions carry no node.
                _ => {}
            }
            if self.failed {
                break;
            }
        }
    }

    /// A block scalar's span starts at its `|`/`>` header (the parser's starts at the
    /// content) and ends at the end of its last line (without the line break).
    fn scalar_span(&self, sp: Span, style: ScalarStyle, prev_end: usize) -> Span {
        if !matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            return sp;
        }
        let start = sp.start as usize;
        let from = prev_end.min(start);
        let Some(header) = find_block_header(&self.src[from..start]).map(|i| from + i) else {
            return sp;
        };
        let body = &self.src[start..sp.end as usize];
        let content = body.trim_end_matches(['\n', '\r']).len();
        let end = if content == 0 {
            header + 1
        } else {
            start + content
        };
        Span::new(header, end.max(header))
    }

    fn finish(mut self) -> Document {
        let failed = self.failed || self.diagnostics.iter().any(|d| d.kind.stops_loading());
        // Drop the open frames one by one (their depth is bounded, but be explicit).
        while self.stack.pop().is_some() {}
        // The parser may hold comments back while it looks ahead: keep source order.
        self.comments.sort_by_key(|c| c.span);
        Document {
            root: if failed { None } else { self.root },
            comments: self.comments,
            anchors: self.anchor_uses,
            findings: self.diagnostics,
        }
    }

    fn fail(&mut self, diag: YamlFinding) {
        self.diagnostics.push(diag);
        self.failed = true;
    }

    /// A finished node: into its parent, or the root.
    fn complete(&mut self, node: Node, extent: Span, size: usize, height: usize) {
        let Some(top) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return;
        };
        top.size += size;
        top.child_height = top.child_height.max(height);
        top.end = top.end.max(extent.end as usize);
        match &mut top.kind {
            FrameKind::Seq(items) => items.push(node),
            FrameKind::Map { entries, key } => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }

    fn close(&mut self, frame: Frame, end_span: Span) {
        let end = if frame.flow {
            end_span.end as usize
        } else {
            frame.end
        };
        let span = Span::new(frame.start, end.max(frame.start));
        let value = match frame.kind {
            FrameKind::Seq(mut items) => {
                // Vectors grow by doubling: the tree is kept until the end, so give back what
                // its lists and mappings do not use (a fifth of a large tree's memory).
                items.shrink_to_fit();
                Value::Seq(items)
            }
            FrameKind::Map { entries, key } => {
                let mut entries = entries;
                if let Some(k) = key {
                    // A key without a value event (cannot happen with a well-formed stream).
                    let at = Span::empty(k.span.end as usize);
                    entries.push((k, null_node(at)));
                }
                Value::Map(self.resolve_map(entries))
            }
        };
        let node = Node {
            span,
            alias: None,
            value,
        };
        let height = frame.child_height + 1;
        if frame.anchor != 0 {
            self.keep_anchor(frame.anchor, &node, frame.size, height);
        }
        self.complete(node, span, frame.size, height);
    }

    /// Apply merge keys and drop duplicate keys, as SnakeYAML (CircleCI's YAML loader) does:
    /// an explicit key replaces an earlier entry with that key in place; a merged entry is
    /// added only when its key is not there yet (so earlier merge sources win, and `<<` keys
    /// are applied in order).
    fn resolve_map(&mut self, entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
        if entries.len() < 2 && !entries.first().is_some_and(|(k, _)| is_merge_key(k)) {
            let mut entries = entries;
            entries.shrink_to_fit();
            return entries;
        }
        let mut out = Resolved {
            entries: Vec::with_capacity(entries.len()),
            explicit: Vec::with_capacity(entries.len()),
            index: None,
        };
        for (k, v) in entries {
            if is_merge_key(&k) {
                self.merge_into(&k, v, &mut out);
                continue;
            }
            let Some(at) = out.position(&k) else {
                let key_span = k.use_span();
                out.push(k, v, Some(key_span));
                continue;
            };
            let key_span = k.use_span();
            if let Some(earlier) = out.explicit[at] {
                let name = k.scalar_text().unwrap_or_default();
                self.diagnostics.push(
                    Finding::new(
                            Problem::DuplicateKey,
                            key_span,
                            format!(
                                "duplicate key `{name}`: the later value silently replaces the earlier one"
                            ),
                        )
                        .label("this key's value is the one kept")
                        .with_label(earlier, "first defined here; its value is dropped")
                        .help(format!(
                            "remove one of the two `{name}` entries, or rename one if both are wanted"
                        )),
                );
            }
            out.explicit[at] = Some(key_span);
            out.entries[at] = (k, v);
        }
        out.entries
    }

    fn merge_into(&mut self, key: &Node, value: Node, out: &mut Resolved) {
        let sources: Vec<Node> = match value.value {
            Value::Map(_) => vec![value],
            Value::Seq(items) => items,
            Value::Scalar(_) => {
                self.merge_error(key, value.use_span());
                return;
            }
        };
        for source in sources {
            let source_span = source.use_span();
            let Value::Map(entries) = source.value else {
                self.merge_error(key, source_span);
                return;
            };
            for (k, v) in entries {
                // A merged entry never replaces one already there.
                if out.position(&k).is_none() {
                    out.push(k, v, None);
                }
            }
        }
    }

    fn merge_error(&mut self, key: &Node, at: Span) {
        if self.unresolved.iter().any(|(_, s)| *s == at) {
            // An undefined alias: reported as such at the end.
            return;
        }
        self.fail(
            Finding::new(
                    Problem::Syntax,
                    at,
                    "the value of a `<<` merge key must be a mapping, an alias of one, or a list of them",
                )
                .label("not a mapping")
                .with_label(key.span, "merge key")
                .help("merge an anchored mapping (`<<: *name`) or several (`<<: [*a, *b]`); to use `<<` as an ordinary key, quote it (`\"<<\"`)"),
        );
    }

    /// Keep a copy of an anchored node for its aliases. The copy counts against the alias
    /// budget (nested anchors would otherwise copy a large subtree once per level).
    fn keep_anchor(&mut self, id: usize, node: &Node, size: usize, height: usize) {
        let budget = self.alias_budget();
        if self.expanded.saturating_add(size) > budget {
            let at = self.anchor_names.get(&id).map_or(node.span, |(_, s)| *s);
            self.fail(
                Finding::new(
                        Problem::Limit,
                        at,
                        format!(
                            "expanding the anchors and aliases of this file would create more than {budget} nodes"
                        ),
                    )
                    .label("expansion limit reached at this anchor")
                    .help("this looks like an alias bomb (anchors of aliases that multiply); write the repeated parts out or nest fewer aliases"),
            );
            return;
        }
        self.expanded += size;
        self.anchors.insert(
            id,
            Anchored {
                node: node.clone(),
                size,
                height,
            },
        );
    }

    /// Expand an alias. Returns false when expansion must stop (a limit or a cycle).
    fn alias(&mut self, id: usize, at: Span) -> bool {
        let name = self
            .anchor_names
            .get(&id)
            .map(|(n, _)| n.clone())
            .unwrap_or_default();
        let Some(anchored) = self.anchors.get(&id) else {
            // The anchor is on a collection that is still open: the alias is inside it.
            let mut diag = Finding::new(
                Problem::Syntax,
                at,
                format!("alias `*{name}` is used inside the node its anchor `&{name}` is on"),
            )
            .label("recursive alias")
            .help("an alias cannot refer to a node that contains it; copy the needed part instead");
            if let Some((_, def)) = self.anchor_names.get(&id) {
                diag = diag.with_label(*def, "anchor defined here");
            }
            self.fail(diag);
            return false;
        };
        let budget = self.alias_budget();
        if self.expanded.saturating_add(anchored.size) > budget {
            let mut diag = Finding::new(
                    Problem::Limit,
                    at,
                    format!(
                        "expanding the anchors and aliases of this file would create more than {budget} nodes (alias `*{name}` alone adds {})",
                        anchored.size
                    ),
                )
                .label("expansion limit reached here")
                .help("this looks like an alias bomb (aliases of aliases that multiply); write the repeated parts out or use fewer nested aliases");
            if let Some((_, def)) = self.anchor_names.get(&id) {
                diag = diag.with_label(*def, "anchor defined here");
            }
            self.fail(diag);
            return false;
        }
        let max = self.limits.max_depth;
        if self.stack.len() + anchored.height > max {
            self.fail(
                Finding::new(
                        Problem::Limit,
                        at,
                        format!(
                            "with alias `*{name}` expanded here, the YAML nests more than {max} collections deep"
                        ),
                    )
                    .label("too deep once expanded")
                    .help("a CircleCI config needs a few levels; nest fewer aliases of deeply nested anchors (this limit guards against stack exhaustion)"),
            );
            return false;
        }
        self.expanded += anchored.size;
        let (size, height) = (anchored.size, anchored.height);
        let mut node = anchored.node.clone();
        mark_alias(&mut node, at);
        self.complete(node, at, size, height);
        true
    }

    /// Nodes alias expansion may create: the larger of `limits.max_alias_nodes` and the
    /// number of nodes written in the file so far (so expansion at most doubles a large file).
    fn alias_budget(&self) -> usize {
        self.limits.max_alias_nodes.max(self.source_nodes)
    }

    fn too_deep(&mut self, at: Span) {
        let max = self.limits.max_depth;
        self.fail(
            Finding::new(
                    Problem::Limit,
                    Span::new(at.start as usize, at.end.max(at.start + 1) as usize),
                    format!("the YAML nests more than {max} collections deep"),
                )
                .label(format!("nesting level {} starts here", max + 1))
                .help("a CircleCI config needs a few levels; flatten the structure (this limit guards against stack exhaustion)"),
        );
    }

    fn second_document(&mut self, at: Span) {
        let at = if at.is_empty() {
            let rest = &self.src[at.start as usize..];
            let len = if rest.starts_with("---") {
                3
            } else {
                rest.chars().next().map_or(0, char::len_utf8)
            };
            Span::new(at.start as usize, at.start as usize + len)
        } else {
            at
        };
        self.diagnostics.push(
            Finding::new(
                    Problem::Syntax,
                    at,
                    "a second YAML document starts here; CircleCI reads a config as a single document and rejects a file with several",
                )
                .label("second document")
                .help("remove this `---` line (a `---` is only allowed before the first document) or move the rest to its own file"),
        );
    }

    fn report_unresolved(&mut self) {
        if self.unresolved.is_empty() {
            return;
        }
        // Every anchor defined in the file, in source order, by name.
        let mut defs: Vec<(&str, Span)> = self
            .anchor_names
            .values()
            .map(|(n, s)| (n.as_str(), *s))
            .collect();
        defs.sort_by_key(|(_, s)| *s);
        let mut diags = Vec::new();
        for (name, at) in &self.unresolved {
            let later = defs.iter().find(|(n, s)| n == name && *s > *at);
            let diag = match later {
                Some((_, def)) => Finding::new(
                        Problem::Syntax,
                        *at,
                        format!(
                            "alias `*{name}` is used before its anchor `&{name}` is defined"
                        ),
                    )
                    .label("alias used here")
                    .with_label(*def, "anchor defined later here")
                    .help(format!(
                        "YAML reads top to bottom: move the node with `&{name}` above its first use, or move this use below it"
                    )),
                None => {
                    let names = defs.iter().map(|(n, _)| *n);
                    let hint = did_you_mean(name, names)
                        .map(|h| format!("{h} "))
                        .unwrap_or_default();
                    let looks_like_text = !name
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
                    let help = if looks_like_text {
                        format!(
                            "a value starting with `*` is an alias: if `*{name}` is meant as text (a file pattern), quote it (`\"*{name}\"`)"
                        )
                    } else {
                        format!(
                            "{hint}define the anchor (`key: &{name} value`) above this alias, or fix the alias name; if `*{name}` is meant as text, quote it"
                        )
                    };
                    Finding::new(Problem::Syntax, *at, format!("no anchor `&{name}` is defined"))
                        .label("alias of an unknown anchor")
                        .help(help)
                }
            };
            diags.push(diag);
        }
        self.diagnostics.extend(diags);
        self.failed = true;
    }
}

/// The offset of the first `|` or `>` outside a comment.
fn find_block_header(between: &str) -> Option<usize> {
    let mut in_comment = false;
    let mut prev_blank = true;
    for (i, c) in between.char_indices() {
        match c {
            '\n' => in_comment = false,
            '#' if prev_blank => in_comment = true,
            '|' | '>' if !in_comment => return Some(i),
            _ => {}
        }
        prev_blank = c.is_whitespace();
    }
    None
}

fn null_node(at: Span) -> Node {
    Node {
        span: at,
        alias: None,
        value: Value::Scalar(Scalar {
            text: "".into(),
            style: ScalarStyle::Plain,
            kind: ScalarKind::Null,
        }),
    }
}

fn scalar_kind(
    text: &str,
    style: granit_parser::ScalarStyle,
    tag: Option<&granit_parser::Tag>,
) -> (ScalarStyle, ScalarKind) {
    let style = match style {
        granit_parser::ScalarStyle::Plain => ScalarStyle::Plain,
        granit_parser::ScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        granit_parser::ScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        granit_parser::ScalarStyle::Literal => ScalarStyle::Literal,
        granit_parser::ScalarStyle::Folded => ScalarStyle::Folded,
    };
    if let Some(kind) = tag
        .and_then(|t| t.core_suffix())
        .and_then(|suffix| resolve_tagged(suffix, text))
    {
        return (style, kind);
    }
    let kind = if style == ScalarStyle::Plain {
        resolve_plain(text)
    } else {
        ScalarKind::Str
    };
    (style, kind)
}

/// Set `alias` on a node and all its descendants (iteratively).
fn mark_alias(node: &mut Node, at: Span) {
    let mut todo: Vec<&mut Node> = vec![node];
    while let Some(n) = todo.pop() {
        n.alias = Some(at);
        match &mut n.value {
            Value::Scalar(_) => {}
            Value::Seq(items) => todo.extend(items.iter_mut()),
            Value::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    todo.push(k);
                    todo.push(v);
                }
            }
        }
    }
}
