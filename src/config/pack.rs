//! A config split over a folder, packed into one config the way `circleci config pack` does
//! (CLI 0.1.x, from 2020-06 on: the `filetree` walk and gopkg.in/yaml.v3), keeping in every
//! node the file it came from (see `combined`), so that findings about the packed config point
//! into the source files.
//!
//! # The walk
//!
//! Depth first, the entries of a folder in byte order of their names. Skipped: folders below
//! the root whose name starts with `.`, files whose name starts with `.` (and is longer than
//! that), files not named `*.yml` or `*.yaml` (case-sensitive). Each folder is a mapping built
//! from its entries in that order:
//!
//! - a regular file directly in the root: its mapping is merged into the root (a symbolic
//!   link there is not a regular file to the walk, so it counts as a section file below; read
//!   in the CLI's code, not observed [U]);
//! - a file named `@*.yml` below the root: merged into its folder's own mapping (with the
//!   entries of the folder's child named like the folder, a quirk of the CLI kept as is);
//! - any other file or folder: its name without the last extension is a key (`jobs/build.yml`
//!   is `jobs.build`, folder `x.d` is `x`), its mapping the value. A folder with nothing kept is
//!   `{}`; a root with nothing kept is null.
//!
//! An empty file (or one of comments only) is `{}`; a file whose top level is not a mapping is
//! an error (`pack-file`). The CLI merges silently, later files winning; cilint reports two
//! files giving the same key as an error instead (`pack-conflict`), with both places, since one
//! of the two is always lost.
//!
//! # What the packed config is
//!
//! yaml.v3 reads each file (anchors and merge keys resolved within the file) and writes the
//! whole, every mapping's keys in its "natural" order ([`crate::yaml::v3::natural_cmp`]).
//! Writing re-types values: a plain `yes` is read as a string and written `"yes"`, `0o17` as
//! 15, `1.10` as `1.1`; a literal block that starts with a line break loses it. [`assemble`]
//! gives both views: the data `cilint pack` prints (as yaml.v3 typed it) and the tree CircleCI's
//! compiler reads back (re-typed as YAML 1.1 reads the printed text), with the source spans.

use crate::base::diagnostic::Finding;
use crate::base::span::Span;
use crate::config::combined::{Combined, Part};
use crate::yaml::style::{analyze_libyaml, is_break};
use crate::yaml::v3::{self, V3Scalar};
use crate::yaml::{Comment, Data, Document, Node, Scalar, ScalarKind, ScalarStyle, Value};
use std::cmp::Ordering;
use std::path::Path;

/// What packing finds, by the rule that reports it (`rules::pack_rules`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PackProblem {
    /// Two files give the same key (`pack-conflict`).
    Conflict,
    /// A file whose top level is not a mapping (`pack-file`).
    NotMapping,
}

/// One finding about a packed folder.
pub type PackFinding = Finding<PackProblem>;

/// At most this many bytes are read from one file (as for a config).
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Folders deeper than this are not read.
const MAX_DEPTH: usize = 32;

/// One entry of the walk.
#[derive(Clone, Debug)]
pub struct PackEntry {
    /// Relative to the folder, with `/` separators: `jobs/build.yml`, `jobs`.
    pub rel: String,
    /// `None` for a folder.
    pub bytes: Option<Vec<u8>>,
    /// A regular file (not a symbolic link): only those merge into the root.
    pub regular: bool,
}

/// A folder to pack, read: its entries in walk order.
#[derive(Clone, Debug, Default)]
pub struct PackFolder {
    /// The folder as reports show it (`.circleci/config`): a file's path is `display/rel`.
    pub display: String,
    pub entries: Vec<PackEntry>,
}

/// Whether the walk keeps a file named `name`.
fn keeps_file(name: &str) -> bool {
    !(name.starts_with('.') && name.len() > 1) && yaml_name(name)
}

/// `.+\.(yml|yaml)`.
fn yaml_name(name: &str) -> bool {
    [".yml", ".yaml"]
        .iter()
        .any(|ext| name.len() > ext.len() && name.ends_with(ext))
}

/// Read the folder `dir` as `circleci config pack` walks it; reports show it as `display`.
pub fn read_folder(dir: &Path, display: &str) -> std::io::Result<PackFolder> {
    let mut folder = PackFolder {
        display: display.trim_end_matches(['/', '\\']).to_string(),
        entries: Vec::new(),
    };
    // The root must be a folder.
    std::fs::read_dir(dir)?;
    walk(dir, "", 0, &mut folder.entries)?;
    Ok(folder)
}

fn walk(dir: &Path, rel: &str, depth: usize, out: &mut Vec<PackEntry>) -> std::io::Result<()> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let mut names: Vec<(Vec<u8>, std::fs::DirEntry)> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| (e.file_name().as_encoded_bytes().to_vec(), e))
        .collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, entry) in names {
        let name = entry.file_name().to_string_lossy().into_owned();
        let child = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if name.starts_with('.') {
                continue;
            }
            out.push(PackEntry {
                rel: child.clone(),
                bytes: None,
                regular: false,
            });
            walk(&entry.path(), &child, depth + 1, out)?;
        } else if keeps_file(&name) {
            use std::io::Read;
            let mut bytes = Vec::new();
            std::fs::File::open(entry.path())?
                .take(MAX_FILE_BYTES)
                .read_to_end(&mut bytes)?;
            out.push(PackEntry {
                rel: child,
                bytes: Some(bytes),
                regular: kind.is_file(),
            });
        }
    }
    Ok(())
}

/// A folder written as one text (as the rule explanations show one): each line
/// `# pack file: PATH` starts a file at `PATH`, relative to the folder. `None` when the text
/// does not start with such a line.
pub fn folder_from_listing(text: &str, display: &str) -> Option<PackFolder> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(path) = line.trim_end().strip_prefix("# pack file: ") {
            files.push((path.trim().to_string(), Vec::new()));
        } else {
            files.last_mut()?.1.extend_from_slice(line.as_bytes());
        }
    }
    // The folders the files are in, then everything in walk order.
    let mut entries: Vec<PackEntry> = Vec::new();
    for (rel, bytes) in files {
        let name = rel.rsplit('/').next().unwrap_or(&rel);
        let kept = keeps_file(name);
        let mut at = 0;
        while let Some(i) = rel[at..].find('/') {
            let dir = &rel[..at + i];
            if !entries.iter().any(|e| e.rel == dir) {
                entries.push(PackEntry {
                    rel: dir.to_string(),
                    bytes: None,
                    regular: false,
                });
            }
            at += i + 1;
        }
        if kept {
            entries.push(PackEntry {
                rel,
                bytes: Some(bytes),
                regular: true,
            });
        }
    }
    entries.sort_by(|a, b| {
        a.rel
            .split('/')
            .map(str::as_bytes)
            .cmp(b.rel.split('/').map(str::as_bytes))
    });
    Some(PackFolder {
        display: display.to_string(),
        entries,
    })
}

/// A packed folder: the combined text of its files, the packed config in both views, and what
/// was found.
#[derive(Debug)]
pub struct Packed {
    /// The files' texts, each at its base.
    pub combined: Combined<()>,
    /// The config as CircleCI's compiler reads the packed text, with the spans of the source
    /// files (its findings are the loader's, of every file; `root` is `None` when a file could
    /// not be read, or the folder holds nothing).
    pub doc: Document,
    /// What `circleci config pack` prints (as yaml.v3 typed it): `Data::Null` for an empty
    /// folder.
    pub data: Data,
    pub findings: Vec<PackFinding>,
}

impl Packed {
    /// Whether packing failed: a file could not be read, or two files claim one key, or a file
    /// is not a mapping (what the packed config would be is then not known).
    pub fn failed(&self) -> bool {
        self.doc.stopped_early() || !self.findings.is_empty()
    }

    pub fn parts(&self) -> &[Part<()>] {
        &self.combined.parts
    }
}

/// A folder of the walk, with its entries (indexes into the parts for files).
struct Dir {
    name: String,
    children: Vec<Child>,
}

enum Child {
    Dir(Dir),
    File {
        name: String,
        part: usize,
        regular: bool,
    },
}

/// Pack a folder.
pub fn assemble(folder: &PackFolder) -> Packed {
    let mut combined: Combined<()> = Combined::default();
    let mut docs: Vec<Option<Document>> = Vec::new();
    let mut root = Dir {
        name: String::new(),
        children: Vec::new(),
    };
    for e in &folder.entries {
        let mut dir = &mut root;
        let mut segs: Vec<&str> = e.rel.split('/').collect();
        let name = segs.pop().unwrap_or_default().to_string();
        for seg in segs {
            let at = dir
                .children
                .iter()
                .position(|c| matches!(c, Child::Dir(d) if d.name == seg));
            let at = match at {
                Some(at) => at,
                None => {
                    dir.children.push(Child::Dir(Dir {
                        name: seg.to_string(),
                        children: Vec::new(),
                    }));
                    dir.children.len() - 1
                }
            };
            let Child::Dir(d) = &mut dir.children[at] else {
                unreachable!("a folder was just found or added")
            };
            dir = d;
        }
        match &e.bytes {
            None => {
                if !dir
                    .children
                    .iter()
                    .any(|c| matches!(c, Child::Dir(d) if d.name == name))
                {
                    dir.children.push(Child::Dir(Dir {
                        name,
                        children: Vec::new(),
                    }));
                }
            }
            Some(bytes) => {
                let path = format!("{}/{}", folder.display, e.rel);
                docs.push(combined.add(&e.rel, path, (), bytes, true));
                dir.children.push(Child::File {
                    name,
                    part: combined.parts.len() - 1,
                    regular: e.regular,
                });
            }
        }
    }
    let mut loader = combined.undecodable.clone();
    let mut comments: Vec<Comment> = Vec::new();
    for doc in docs.iter().flatten() {
        loader.extend(doc.findings.iter().cloned());
        comments.extend(doc.comments.iter().cloned());
    }
    let mut builder = Builder {
        docs: &mut docs,
        parts: &combined.parts,
        findings: Vec::new(),
    };
    let tree = builder.folder(&root, true);
    let findings = builder.findings;
    let mut doc = Document {
        root: None,
        anchors: Vec::new(),
        comments,
        findings: loader,
    };
    let mut data = Data::Null;
    if let Some(entries) = tree
        && !doc.stopped_early()
    {
        let mut node = Node {
            span: Span::empty(0),
            alias: None,
            value: Value::Map(entries),
        };
        sort(&mut node);
        data = v3_data(&node);
        retype(&mut node, false);
        doc.root = Some(node);
    }
    Packed {
        combined,
        doc,
        data,
        findings,
    }
}

struct Builder<'b> {
    docs: &'b mut Vec<Option<Document>>,
    parts: &'b [Part<()>],
    findings: Vec<PackFinding>,
}

/// `name` without its last extension (`build.yml` is `build`, `x.d` is `x`).
fn stem(name: &str) -> &str {
    match name.rfind('.') {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

fn name_node(text: &str, span: Span) -> Node {
    Node {
        span,
        alias: None,
        value: Value::Scalar(Scalar {
            text: text.into(),
            style: ScalarStyle::Plain,
            kind: ScalarKind::Str,
        }),
    }
}

fn map_node(entries: Vec<(Node, Node)>, span: Span) -> Node {
    Node {
        span,
        alias: None,
        value: Value::Map(entries),
    }
}

impl Builder<'_> {
    /// Where a finding about a folder (which has no text) points: its first file.
    fn first_file(&self, dir: &Dir) -> Option<Span> {
        dir.children.iter().find_map(|c| match c {
            Child::File { part, .. } => Some(self.parts[*part].start()),
            Child::Dir(d) => self.first_file(d),
        })
    }

    /// The mapping of a folder; `None` when it keeps nothing.
    fn folder(&mut self, dir: &Dir, is_root: bool) -> Option<Vec<(Node, Node)>> {
        if dir.children.is_empty() {
            return None;
        }
        let mut map: Vec<(Node, Node)> = Vec::new();
        for child in &dir.children {
            match child {
                Child::File {
                    name,
                    part,
                    regular,
                } => {
                    let Some(entries) = self.file(*part) else {
                        continue;
                    };
                    if is_root && *regular {
                        self.merge(&mut map, entries);
                    } else if name.starts_with('@') {
                        // The folder's own child named like the folder is flattened in too.
                        let own = stem(&dir.name);
                        if let Some((_, v)) = map.iter().find(|(k, _)| k.scalar_text() == Some(own))
                            && let Some(inner) = v.as_map()
                        {
                            let inner = inner.to_vec();
                            self.merge(&mut map, inner);
                        }
                        self.merge(&mut map, entries);
                    } else {
                        let at = self.parts[*part].start();
                        self.section(&mut map, name_node(stem(name), at), entries, at);
                    }
                }
                Child::Dir(d) => {
                    let entries = self.folder(d, false).unwrap_or_default();
                    let at = self.first_file(d).unwrap_or_default();
                    self.section(&mut map, name_node(stem(&d.name), at), entries, at);
                }
            }
        }
        Some(map)
    }

    /// A file's top-level entries (`{}` for an empty file); `None` when it could not be read
    /// or is not a mapping (reported).
    fn file(&mut self, part: usize) -> Option<Vec<(Node, Node)>> {
        let doc = self.docs.get_mut(part)?.as_mut()?;
        if doc.stopped_early() {
            return None;
        }
        match doc.root.take() {
            None => Some(Vec::new()),
            Some(root) => match root.value {
                Value::Map(entries) => Some(entries),
                Value::Scalar(ref s) if s.kind == ScalarKind::Null => Some(Vec::new()),
                _ => {
                    let rel = &self.parts[part].rel;
                    self.findings.push(
                        Finding::new(
                            PackProblem::NotMapping,
                            root.span,
                            format!(
                                "`{rel}` holds {}, not a mapping: `circleci config pack` fails on it",
                                root.type_name()
                            ),
                        )
                        .label("the file's top level")
                        .help(format!(
                            "write the file as keys and values: its keys go under {} in the packed config",
                            section_path(rel)
                        )),
                    );
                    None
                }
            },
        }
    }

    /// Merge `entries` into `map` at the top, reporting a key that is already there.
    fn merge(&mut self, map: &mut Vec<(Node, Node)>, entries: Vec<(Node, Node)>) {
        for (k, v) in entries {
            let text = k.scalar_text().map(str::to_string);
            match map
                .iter()
                .position(|(mk, _)| text.is_some() && mk.scalar_text() == text.as_deref())
            {
                Some(at) => {
                    self.conflict(&map[at].0, &k);
                    map[at] = (k, v);
                }
                None => map.push((k, v)),
            }
        }
    }

    /// `map[key]` becomes the shallow merge of what it was and `entries`.
    fn section(
        &mut self,
        map: &mut Vec<(Node, Node)>,
        key: Node,
        entries: Vec<(Node, Node)>,
        at: Span,
    ) {
        let name = key.scalar_text().unwrap_or_default().to_string();
        match map.iter().position(|(k, _)| k.scalar_text() == Some(&name)) {
            None => map.push((key, map_node(entries, at))),
            Some(i) => {
                if map[i].1.as_map().is_none() && !map[i].1.is_null() {
                    // A value that is not a mapping cannot take the folder's keys.
                    self.conflict(&map[i].0, &key);
                    map[i].1 = map_node(entries, at);
                    return;
                }
                let mut inner = match std::mem::replace(&mut map[i].1.value, Value::Map(Vec::new()))
                {
                    Value::Map(m) => m,
                    _ => Vec::new(),
                };
                self.merge(&mut inner, entries);
                map[i].1.value = Value::Map(inner);
            }
        }
    }

    fn conflict(&mut self, earlier: &Node, later: &Node) {
        let name = later.scalar_text().unwrap_or_default();
        let (was, is) = (self.place(earlier.span), self.place(later.span));
        self.findings.push(
            Finding::new(
                PackProblem::Conflict,
                later.span,
                format!("`{name}` is given both in `{was}` and in `{is}`: packing keeps only the second"),
            )
            .label(format!("`{name}` given again here"))
            .with_label(earlier.span, format!("`{name}` first given here"))
            .help(format!(
                "keep one definition of `{name}`: `circleci config pack` keeps the one read last and silently drops the other"
            )),
        );
    }

    /// The file a span is in, for messages.
    fn place(&self, span: Span) -> &str {
        let i = crate::config::combined::owner(self.parts, span.start);
        self.parts.get(i).map_or("", |p| p.rel.as_str())
    }
}

/// `jobs.build` for `jobs/build.yml`.
fn section_path(rel: &str) -> String {
    let segs: Vec<&str> = rel.split('/').collect();
    if segs.len() == 1 {
        return "the top level".to_string();
    }
    let mut out: Vec<&str> = segs[..segs.len() - 1].iter().map(|s| stem(s)).collect();
    let last = segs[segs.len() - 1];
    if !last.starts_with('@') {
        out.push(stem(last));
    }
    format!("`{}`", out.join("."))
}

// ---------------------------------------------------------------------------------------------
// What yaml.v3 makes of the values.

/// How yaml.v3 types a scalar of the tree: quoted and block scalars are strings; a plain one
/// is resolved as YAML 1.2 (`yes` a string), unless an explicit tag typed it (`!!str 5`).
fn v3_scalar(s: &Scalar) -> V3Scalar {
    if s.style != ScalarStyle::Plain {
        return V3Scalar::Str;
    }
    let untagged = std::mem::discriminant(&crate::yaml::resolve_plain(&s.text))
        == std::mem::discriminant(&s.kind);
    if !untagged {
        return match s.kind {
            ScalarKind::Null => V3Scalar::Null,
            ScalarKind::Bool(b) => V3Scalar::Bool(b),
            ScalarKind::Int(i) => V3Scalar::Int(i),
            ScalarKind::Float(f) => V3Scalar::Float(f),
            ScalarKind::Str => V3Scalar::Str,
        };
    }
    v3::resolve_plain(&s.text)
}

/// The order yaml.v3 writes two keys in: numbers and booleans by value before strings,
/// strings in natural order.
fn key_cmp(a: &Node, b: &Node) -> Ordering {
    fn rank(n: &Node) -> (u8, Option<f64>) {
        match n.as_scalar().map(v3_scalar) {
            Some(V3Scalar::Bool(b)) => (1, Some(f64::from(u8::from(b)))),
            Some(V3Scalar::Int(i)) => (2, Some(i as f64)),
            Some(V3Scalar::Float(f)) => (14, Some(f)),
            Some(V3Scalar::Null) => (20, None),
            Some(V3Scalar::Str) => (24, None),
            Some(V3Scalar::Timestamp(_)) | None => (25, None),
        }
    }
    let (ra, fa) = rank(a);
    let (rb, fb) = rank(b);
    if let (Some(x), Some(y)) = (fa, fb) {
        return x
            .partial_cmp(&y)
            .unwrap_or(Ordering::Equal)
            .then(ra.cmp(&rb));
    }
    if ra != 24 || rb != 24 {
        return ra.cmp(&rb);
    }
    v3::natural_cmp(
        a.scalar_text().unwrap_or_default(),
        b.scalar_text().unwrap_or_default(),
    )
}

/// Sort every mapping of the tree as yaml.v3 writes it.
fn sort(node: &mut Node) {
    match &mut node.value {
        Value::Scalar(_) => {}
        Value::Seq(items) => items.iter_mut().for_each(sort),
        Value::Map(entries) => {
            entries.sort_by(|(a, _), (b, _)| key_cmp(a, b));
            entries.iter_mut().for_each(|(_, v)| sort(v));
        }
    }
}

/// What `circleci config pack` prints, as data.
fn v3_data(node: &Node) -> Data {
    match &node.value {
        Value::Scalar(s) => match v3_scalar(s) {
            V3Scalar::Null => Data::Null,
            V3Scalar::Bool(b) => Data::Bool(b),
            V3Scalar::Int(i) => Data::Int(i),
            V3Scalar::Float(f) => Data::Float(f),
            V3Scalar::Timestamp(t) => Data::Timestamp(t),
            V3Scalar::Str => Data::Str(s.text.to_string()),
        },
        Value::Seq(items) => Data::Seq(items.iter().map(v3_data).collect()),
        Value::Map(entries) => Data::Map(
            entries
                .iter()
                .map(|(k, v)| (v3_data(k), v3_data(v)))
                .collect(),
        ),
    }
}

/// Whether yaml.v3 writes the string `s` as a literal block (a value with a line feed whose
/// characters allow one).
fn packs_as_literal(s: &str, key: bool) -> bool {
    !key && s.contains('\n') && analyze_libyaml(s).block
}

/// Re-type the tree as CircleCI's compiler reads the packed text (YAML 1.1): a non-string
/// scalar is what its printed form reads as; a string stays a string, without the leading line
/// break a literal block loses.
fn retype(node: &mut Node, key: bool) {
    match &mut node.value {
        Value::Scalar(s) => {
            let (kind, text): (ScalarKind, Option<String>) = match v3_scalar(s) {
                V3Scalar::Str => {
                    if packs_as_literal(&s.text, key) && s.text.starts_with(is_break) {
                        let first = s.text.chars().next().map_or(0, char::len_utf8);
                        (ScalarKind::Str, Some(s.text[first..].to_string()))
                    } else {
                        (ScalarKind::Str, None)
                    }
                }
                V3Scalar::Null => (ScalarKind::Null, None),
                V3Scalar::Bool(b) => (ScalarKind::Bool(b), None),
                V3Scalar::Int(i) => (ScalarKind::Int(i), Some(i.to_string())),
                V3Scalar::Float(f) => {
                    let t = v3::format_float(f);
                    (crate::yaml::resolve_plain(&t), Some(t))
                }
                V3Scalar::Timestamp(t) => (ScalarKind::Str, Some(t)),
            };
            s.kind = kind;
            if let Some(t) = text {
                s.text = t.into();
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(|i| retype(i, false)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            retype(k, true);
            retype(v, false);
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(listing: &str) -> Packed {
        assemble(&folder_from_listing(listing, "src").expect("a listing"))
    }

    fn text(p: &Packed) -> String {
        crate::yaml::Data::from_node(p.doc.root.as_ref().expect("a root"))
            .get("jobs")
            .map(|j| format!("{j:?}"))
            .unwrap_or_default()
    }

    #[test]
    fn sections_roots_and_at_files() {
        let p = pack(
            "# pack file: config.yml\nversion: 2.1\njobs:\n  a: {docker: [{image: x}]}\n# pack file: jobs/b.yml\ndocker: [{image: y}]\n# pack file: orbs/my/@orb.yml\ncommands:\n  c: {steps: [checkout]}\n# pack file: scripts/.keep\n",
        );
        assert!(p.findings.is_empty(), "{:?}", p.findings);
        let root = p.doc.root.as_ref().unwrap();
        let keys: Vec<&str> = root
            .as_map()
            .unwrap()
            .iter()
            .filter_map(|(k, _)| k.scalar_text())
            .collect();
        assert_eq!(keys, vec!["jobs", "orbs", "scripts", "version"]);
        assert!(text(&p).contains("\"a\"") && text(&p).contains("\"b\""));
        assert!(root.lookup(["orbs", "my", "commands", "c"]).is_some());
        // `jobs.b` points into its file.
        let (k, _) = root.get("jobs").unwrap().entry("b").unwrap();
        assert_eq!(crate::config::combined::owner(p.parts(), k.span.start), 1);
    }

    #[test]
    fn conflicts_and_non_mappings() {
        let p = pack(
            "# pack file: config.yml\njobs:\n  a: {}\n# pack file: jobs/a.yml\nsteps: []\n# pack file: jobs/list.yml\n- a\n",
        );
        let kinds: Vec<PackProblem> = p.findings.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, vec![PackProblem::NotMapping, PackProblem::Conflict]);
        assert!(p.failed());
    }

    #[test]
    fn retyped_as_packed() {
        let p = pack(
            "# pack file: config.yml\na: yes\nb: 0o17\nc: 1.10\nd: 2.0\ne: |4\n\n    x\nf: '010'\n",
        );
        let root = p.doc.root.as_ref().unwrap();
        assert_eq!(root.get("a").unwrap().as_str(), Some("yes"));
        assert_eq!(root.get("b").unwrap().as_i64(), Some(15));
        assert_eq!(root.get("d").unwrap().as_i64(), Some(2));
        assert_eq!(root.get("e").unwrap().as_str(), Some("x\n"));
        assert_eq!(root.get("f").unwrap().as_str(), Some("010"));
        assert_eq!(p.data.get("a"), Some(&Data::str("yes")));
        assert_eq!(p.data.get("c"), Some(&Data::Float(1.1)));
    }
}
