//! An orb's source folder (what `circleci orb pack` assembles into one orb), read and assembled
//! into one tree that the ordinary rules can lint (`cilint check --orb src/`; the lint itself
//! is `pipeline::orb`), with the findings about the folder itself.
//!
//! # The layout
//!
//! - `@orb.yml`: the orb's root (`version`, `description`, `display`, `orbs`, and members
//!   written inline, if any);
//! - `commands/NAME.yml`, `jobs/NAME.yml`, `executors/NAME.yml`, `examples/NAME.yml`: one member
//!   each, named after the file (the file holds the member's body); files in sub-folders are not
//!   read by `circleci orb pack`;
//! - `scripts/...`: files pulled into a value with `<<include(scripts/x.sh)>>` (a path relative
//!   to the source folder; the include must be the whole value).
//!
//! # How findings keep their files
//!
//! Every file gets its own byte range in one combined text (its bytes at a base offset,
//! followed by a newline), and each YAML file is parsed on its own and its spans moved by its
//! base. The orb is then assembled as a tree (the root's entries, plus one entry per member
//! file whose value is that file's tree), so every span in it, and so in every finding, names
//! one file. The ordinary rules run on that tree, and at the end the findings are split back
//! per file, their spans made relative to it.
//!
//! A member file's name is a mapping key that is written nowhere: it is given the empty span
//! at the start of its file.

use crate::base::diagnostic::{Finding, Severity};
use crate::base::span::Span;
use crate::base::text::did_you_mean;
use crate::config::combined::{Combined, Part as Part_};
use crate::config::model::{Config, OrbSource};
use crate::yaml::scalar_map::ScalarMap;
use crate::yaml::{self, Document, Node, Scalar, ScalarKind, ScalarStyle, Value};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

/// What reading an orb source folder finds, by the rule that reports it (`rules::orb_source`,
/// and `invalid-value` for a root that is not a mapping).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrbProblem {
    /// No `@orb.yml` (`orb-root-missing`).
    RootMissing,
    /// `@orb.yml` is not a mapping (`invalid-value`).
    RootNotMapping,
    /// `<<include(file)>>` of a file that is not there (`orb-include-missing`).
    IncludeMissing,
    /// `<<include(file)>>` as part of a value (`orb-include-not-whole`).
    IncludeNotWhole,
    /// A file or folder `circleci orb pack` does not read as a member (`orb-source-file`).
    SourceFile,
    /// Missing description or links (`orb-metadata`).
    Metadata,
    /// A script no include uses (`orb-unused-script`).
    UnusedScript,
    /// `<< parameters.x >>` inside an included script (`orb-script-parameter`).
    ScriptParameter,
}

/// One finding about an orb source folder.
pub type OrbFinding = Finding<OrbProblem>;

/// The folders whose files are members, in the order their members are assembled.
pub const MEMBER_FOLDERS: &[&str] = &["executors", "commands", "jobs", "examples"];

/// At most this many bytes are read from one file of the folder (as for a config).
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// One file of an orb source folder.
#[derive(Clone, Debug)]
pub struct OrbFile {
    /// Relative to the source folder, with `/` separators: `commands/greet.yml`.
    pub rel: String,
    pub bytes: Vec<u8>,
}

/// An orb source folder, read.
#[derive(Clone, Debug, Default)]
pub struct OrbFolder {
    /// The folder as reports show it (`src`): a file's path is `display/rel`.
    pub display: String,
    /// The files, sorted by `rel`: `@orb.yml`, the member folders' files, `scripts/` (all
    /// depths).
    pub files: Vec<OrbFile>,
    /// Sub-folders of member folders (`commands/more`), which `circleci orb pack` does not read.
    pub subfolders: Vec<String>,
    /// The orb's likely name (the project folder's name), used to tell which orb an example's
    /// `usage` means when it declares several.
    pub name_hint: Option<String>,
}

/// An orb source folder written as one text (as the rule explanations show one): each line
/// `# file: PATH` starts a file at `PATH`, relative to the folder. `None` when the text does not
/// start with such a line.
pub fn folder_from_listing(text: &str, display: &str) -> Option<OrbFolder> {
    let mut folder = OrbFolder {
        display: display.to_string(),
        ..OrbFolder::default()
    };
    for line in text.split_inclusive('\n') {
        if let Some(path) = line.trim_end().strip_prefix("# file: ") {
            folder.files.push(OrbFile {
                rel: path.trim().to_string(),
                bytes: Vec::new(),
            });
        } else {
            folder
                .files
                .last_mut()?
                .bytes
                .extend_from_slice(line.as_bytes());
        }
    }
    folder.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    Some(folder)
}

/// Whether `dir` looks like an orb source folder (it has `@orb.yml`, or a member folder).
pub fn is_orb_source(dir: &Path) -> bool {
    dir.join("@orb.yml").is_file()
        || dir.join("@orb.yaml").is_file()
        || MEMBER_FOLDERS.iter().any(|f| dir.join(f).is_dir())
}

/// The source folder meant by `path`: `path` itself when it is one, else `path/src` when that
/// is (the orb project's root). `None` when neither is.
pub fn source_folder(path: &Path) -> Option<std::path::PathBuf> {
    if is_orb_source(path) {
        Some(path.to_path_buf())
    } else if is_orb_source(&path.join("src")) {
        Some(path.join("src"))
    } else {
        None
    }
}

/// Read the files of the orb source folder `dir`; reports show them as `display/rel`.
pub fn read_folder(dir: &Path, display: &str) -> std::io::Result<OrbFolder> {
    let mut folder = OrbFolder {
        display: display.trim_end_matches(['/', '\\']).to_string(),
        ..OrbFolder::default()
    };
    let read = |path: &Path| -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let mut bytes = Vec::new();
        std::fs::File::open(path)?
            .take(MAX_FILE_BYTES)
            .read_to_end(&mut bytes)?;
        Ok(bytes)
    };
    for root in ["@orb.yml", "@orb.yaml"] {
        let path = dir.join(root);
        if path.is_file() {
            folder.files.push(OrbFile {
                rel: root.to_string(),
                bytes: read(&path)?,
            });
        }
    }
    for sub in MEMBER_FOLDERS {
        let path = dir.join(sub);
        if !path.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&path)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = format!("{sub}/{name}");
            let kind = entry.file_type()?;
            if kind.is_dir() {
                folder.subfolders.push(rel);
            } else if entry.path().is_file() {
                folder.files.push(OrbFile {
                    rel,
                    bytes: read(&entry.path())?,
                });
            }
        }
    }
    // Scripts, at every depth (bounded).
    let mut stack = vec![(dir.join("scripts"), "scripts".to_string(), 0)];
    while let Some((path, rel, depth)) = stack.pop() {
        if !path.is_dir() || depth > 8 {
            continue;
        }
        for entry in std::fs::read_dir(&path)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = format!("{rel}/{name}");
            if entry.file_type()?.is_dir() {
                stack.push((entry.path(), child, depth + 1));
            } else if entry.path().is_file() {
                folder.files.push(OrbFile {
                    rel: child,
                    bytes: read(&entry.path())?,
                });
            }
        }
    }
    folder.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    folder.subfolders.sort();
    folder.name_hint = std::fs::canonicalize(dir).ok().and_then(|abs| {
        let base = if abs.file_name().is_some_and(|n| n == "src") {
            abs.parent()?.to_path_buf()
        } else {
            abs
        };
        Some(base.file_name()?.to_string_lossy().into_owned())
    });
    Ok(folder)
}

/// What a file of the folder is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `@orb.yml`.
    Root,
    /// `@orb.yml` that is not there: an empty stand-in, for the finding that says so.
    MissingRoot,
    /// A YAML file of a member folder (`commands`, ...).
    Member(&'static str),
    /// A file of a member folder that is not a YAML file.
    NotYaml,
    /// A file under `scripts/`.
    Script,
}

/// One file's place in the combined text (see `combined`).
pub type Part = Part_<Kind>;

impl Part_<Kind> {
    /// The member name of a member file (its name without `.yml`/`.yaml`).
    pub fn member_name(&self) -> &str {
        let file = self.rel.rsplit('/').next().unwrap_or(&self.rel);
        file.strip_suffix(".yml")
            .or_else(|| file.strip_suffix(".yaml"))
            .unwrap_or(file)
    }
}

/// An orb source folder assembled: the combined text of its files, where each starts, the
/// orb's tree, and what was found about the folder.
#[derive(Debug)]
pub struct Assembled {
    /// Every file's text at its base, each followed by a newline.
    pub source: String,
    pub parts: Vec<Part>,
    /// The orb's tree (`@orb.yml`'s entries and one entry per member file); its findings are
    /// the loader's, of every file.
    pub doc: Document,
    /// What was found about the folder, its root and its includes.
    pub findings: Vec<OrbFinding>,
    /// The parts included as a whole value by `<<include(...)>>` (scripts to check).
    pub included: Vec<usize>,
}

/// Read an orb source folder into one tree.
pub fn assemble(folder: &OrbFolder) -> Assembled {
    let mut files: Vec<&OrbFile> = folder.files.iter().collect();
    let missing_root = OrbFile {
        rel: "@orb.yml".to_string(),
        bytes: Vec::new(),
    };
    let has_root = files.iter().any(|f| is_root_name(&f.rel));
    if !has_root {
        files.insert(0, &missing_root);
    }

    // The combined text: each file at its base, then a newline.
    let mut combined: Combined<Kind> = Combined::default();
    let mut docs: Vec<(usize, Document)> = Vec::new();
    for f in files {
        let kind = if is_root_name(&f.rel) {
            if has_root {
                Kind::Root
            } else {
                Kind::MissingRoot
            }
        } else if f.rel.starts_with("scripts/") {
            Kind::Script
        } else {
            let folder = MEMBER_FOLDERS
                .iter()
                .find(|m| f.rel.starts_with(&format!("{m}/")))
                .copied()
                .unwrap_or("commands");
            if f.rel.ends_with(".yml") || f.rel.ends_with(".yaml") {
                Kind::Member(folder)
            } else {
                Kind::NotYaml
            }
        };
        let yaml_file = matches!(kind, Kind::Root | Kind::Member(_));
        let path = format!("{}/{}", folder.display, f.rel);
        let index = combined.parts.len();
        if let Some(doc) = combined.add(&f.rel, path, kind, &f.bytes, yaml_file) {
            docs.push((index, doc));
        }
    }
    let Combined {
        source,
        parts,
        undecodable: mut loader,
    } = combined;

    for (_, doc) in &docs {
        loader.extend(doc.findings.iter().cloned());
    }
    let mut findings = Vec::new();
    let (root, mut comments) = assemble_tree(&parts, &docs, &mut findings);
    comments.sort_by_key(|c| c.span.start);
    let doc = Document {
        root: Some(root),
        comments,
        findings: loader,
        anchors: Vec::new(),
    };
    folder_findings(folder, &parts, &mut findings);
    let mut included = Vec::new();
    if !doc.stopped_early() {
        let root = doc.root.as_ref().expect("the assembled orb has a root");
        let config = Config::from_root(root);
        metadata_findings(&parts, root, &config, &mut findings);
        included = include_findings(&parts, root, &config, &source, &mut findings);
    }
    Assembled {
        source,
        parts,
        doc,
        findings,
        included,
    }
}

fn is_root_name(rel: &str) -> bool {
    rel == "@orb.yml" || rel == "@orb.yaml"
}

// ---------------------------------------------------------------------------------------------
// Assembling the orb.

/// A plain scalar the assembled tree needs (a member's name as its key, an empty folder's null).
fn plain_node(text: &str, kind: ScalarKind, span: Span) -> Node {
    Node {
        span,
        alias: None,
        value: Value::Scalar(Scalar {
            text: text.into(),
            style: ScalarStyle::Plain,
            kind,
        }),
    }
}

fn name_node(text: &str, span: Span) -> Node {
    plain_node(text, ScalarKind::Str, span)
}

fn null_node(span: Span) -> Node {
    plain_node("", ScalarKind::Null, span)
}

/// The orb's tree: `@orb.yml`'s entries, with each member file added under its folder's key.
fn assemble_tree(
    parts: &[Part],
    docs: &[(usize, Document)],
    out: &mut Vec<OrbFinding>,
) -> (Node, Vec<yaml::Comment>) {
    let doc_of = |i: usize| docs.iter().find(|(p, _)| *p == i).map(|(_, d)| d);
    let mut comments = Vec::new();
    for (_, d) in docs {
        comments.extend(d.comments.iter().cloned());
    }
    let mut entries: Vec<(Node, Node)> = Vec::new();
    let mut root_span = Span::empty(0);
    if let Some(i) = parts.iter().position(|p| p.kind == Kind::Root)
        && let Some(root) = doc_of(i).and_then(|d| d.root.as_ref())
    {
        match root.as_map() {
            Some(map) => {
                root_span = root.span;
                entries = map.to_vec();
            }
            None if root.is_null() => {}
            None => out.push(
                Finding::new(
                        OrbProblem::RootNotMapping,
                        root.span,
                        format!("`@orb.yml` must be a mapping, found {}", root.type_name()),
                    )
                    .label("the orb's root")
                    .help("write the orb's root as keys: `version: 2.1`, `description: ...`, `display: ...`"),
            ),
        }
    }
    for folder in MEMBER_FOLDERS {
        let members: Vec<(usize, &Part)> = parts
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == Kind::Member(folder))
            .collect();
        if members.is_empty() {
            continue;
        }
        let first = Span::empty(members[0].1.base);
        let at = match entries
            .iter()
            .position(|(k, _)| k.scalar_text() == Some(folder))
        {
            Some(at) => at,
            None => {
                entries.push((name_node(folder, first), null_node(first)));
                entries.len() - 1
            }
        };
        let value = &mut entries[at].1;
        if value.as_map().is_none() {
            let span = if value.is_null() { value.span } else { first };
            *value = Node {
                span,
                alias: None,
                value: Value::Map(Vec::new()),
            };
        }
        let Value::Map(map) = &mut value.value else {
            continue;
        };
        for (i, part) in members {
            let name = part.member_name();
            let body = doc_of(i)
                .and_then(|d| d.root.clone())
                .unwrap_or_else(|| null_node(Span::empty(part.base)));
            if let Some((k, _)) = map.iter().find(|(k, _)| k.scalar_text() == Some(name)) {
                out.push(
                    Finding::new(
                        OrbProblem::SourceFile,
                        Span::empty(part.base),
                        format!(
                            "{} `{name}` is defined both in `{}` and in `@orb.yml`",
                            singular(folder),
                            part.rel
                        ),
                    )
                    .with_label(k.span, "also defined here")
                    .severity(Severity::Error)
                    .help(format!("keep one of the two definitions of `{name}`")),
                );
                continue;
            }
            map.push((name_node(name, Span::empty(part.base)), body));
        }
    }
    (
        Node {
            span: root_span,
            alias: None,
            value: Value::Map(entries),
        },
        comments,
    )
}

fn singular(folder: &str) -> &'static str {
    match folder {
        "executors" => "executor",
        "commands" => "command",
        "jobs" => "job",
        _ => "example",
    }
}

// ---------------------------------------------------------------------------------------------
// Findings about the folder and the orb's root.

/// A member name `circleci orb pack` and CircleCI accept: a letter, then letters, digits, `_`
/// and `-`.
fn valid_member_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn folder_findings(folder: &OrbFolder, parts: &[Part], out: &mut Vec<OrbFinding>) {
    for part in parts {
        let at = Span::empty(part.base);
        match part.kind {
            Kind::MissingRoot => out.push(
                Finding::new(OrbProblem::RootMissing, at, format!("the orb source folder `{}` has no `@orb.yml`", folder.display))
                    .label("this file does not exist")
                    .help("add `@orb.yml` with the orb's root: `version: 2.1`, `description: ...` and `display: {home_url: ..., source_url: ...}`"),
            ),
            Kind::NotYaml => out.push(
                Finding::new(OrbProblem::SourceFile, at, format!("`{}` is not a YAML file (`.yml` or `.yaml`), so it is not an orb member", part.rel))
                    .label("not a member")
                    .help("give it a `.yml` extension if it is a member, or move it out of the member folder (scripts go under `scripts/`)"),
            ),
            Kind::Member(f) if !valid_member_name(part.member_name()) => out.push(
                Finding::new(OrbProblem::SourceFile, at, format!("`{}` makes a {} named `{}`, which is not a valid name", part.rel, singular(f), part.member_name()))
                    .label("the file name is the member name")
                    .severity(Severity::Error)
                    .help("rename the file: a member name starts with a letter and has only letters, digits, `_` and `-`"),
            ),
            _ => {}
        }
    }
    // A sub-folder has no file of its own to point at: its first file's finding would be in a
    // file that is not read. Point at the folder's members instead when there is one.
    for sub in &folder.subfolders {
        let top = sub.split('/').next().unwrap_or(sub);
        let at = parts
            .iter()
            .find(|p| p.rel.starts_with(&format!("{top}/")) || p.kind == Kind::Root)
            .or_else(|| parts.first())
            .map_or(Span::empty(0), |p| Span::empty(p.base));
        out.push(
            Finding::new(OrbProblem::SourceFile, at, format!("the folder `{sub}` is not read by `circleci orb pack`: only files directly inside `{top}/` are members"))
                .label(format!("`{sub}/` is ignored"))
                .help(format!("move its files up into `{top}/`")),
        );
    }
}

fn metadata_findings(parts: &[Part], root: &Node, config: &Config<'_>, out: &mut Vec<OrbFinding>) {
    let Some(part) = parts.iter().find(|p| p.kind == Kind::Root) else {
        return;
    };
    let at = root
        .as_map()
        .and_then(|m| m.first())
        .map_or(Span::empty(part.base), |(k, _)| k.span);
    if root
        .get("description")
        .is_none_or(|d| d.scalar_text().is_none_or(|t| t.trim().is_empty()))
    {
        out.push(
            Finding::new(OrbProblem::Metadata, at, "the orb has no `description`")
                .label("in `@orb.yml`")
                .help("add `description:` to `@orb.yml`: the orb registry shows it as the orb's summary"),
        );
    }
    match root.entry("display") {
        None => out.push(
            Finding::new(OrbProblem::Metadata, at, "the orb has no `display` links")
                .label("in `@orb.yml`")
                .severity(Severity::Info)
                .help("add `display:` with `home_url:` and `source_url:` to `@orb.yml`, which the orb registry links to"),
        ),
        Some((key, value)) => {
            if value.get("source_url").is_none() {
                out.push(
                    Finding::new(OrbProblem::Metadata, key.span, "`display` has no `source_url`")
                        .label("no link to the orb's source")
                        .severity(Severity::Info)
                        .help("add `source_url:` (the orb's repository) under `display:`"),
                );
            }
            for k in ["home_url", "source_url"] {
                if let Some(v) = value.get(k)
                    && let Some(url) = v.as_str()
                    && !(url.starts_with("https://") || url.starts_with("http://"))
                {
                    out.push(
                        Finding::new(OrbProblem::Metadata, v.span, format!("`display.{k}` is not an http(s) URL"))
                            .label("not a URL")
                            .help(format!("write the full address, `https://...`, in `{k}`")),
                    );
                }
            }
        }
    }
    // Examples: the registry shows each one's description above its usage.
    if let Some(examples) = root.get("examples").and_then(Node::as_map) {
        for (name, example) in examples {
            let name_text = name.scalar_text().unwrap_or("");
            if example.as_map().is_some() && example.get("description").is_none() {
                out.push(
                    Finding::new(OrbProblem::Metadata, name.span, format!("example `{name_text}` has no `description`"))
                        .label("undocumented")
                        .severity(Severity::Info)
                        .help("add `description:` saying what the example shows: the orb registry shows it above the usage"),
                );
            }
            if example.get("usage").is_none_or(|u| u.as_map().is_none()) {
                let at = example.get("usage").map_or(name.span, |u| u.span);
                out.push(
                    Finding::new(OrbProblem::Metadata, at, format!("example `{name_text}` has no `usage` config"))
                        .label("nothing to show")
                        .help("add `usage:` holding a whole config (`version: 2.1`, `orbs:`, `workflows:`) that uses the orb"),
                );
            }
        }
    }
    // Jobs and commands are what the registry documents: each should say what it does.
    for (what, name, node) in config
        .jobs
        .iter()
        .map(|j| ("job", j.name, j.node))
        .chain(config.commands.iter().map(|c| ("command", c.name, c.node)))
    {
        if node.get("description").is_none() && node.as_map().is_some() {
            out.push(
                Finding::new(OrbProblem::Metadata, name.span, format!("{what} `{name}` has no `description`"))
                    .label("undocumented")
                    .severity(Severity::Info)
                    .help(format!("add `description:` to {what} `{name}`: the orb registry shows it to the orb's users")),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// `<<include(file)>>`.

fn include_regex() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"<<\s*include\(([^)\n]*)\)\s*>>").expect("the include pattern is valid")
    })
}

/// Every string scalar (not mapping keys) under `node`.
fn strings<'n>(node: &'n Node, out: &mut Vec<&'n Node>) {
    match &node.value {
        Value::Scalar(_) => {
            if node.as_str().is_some() {
                out.push(node);
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Map(entries) => entries.iter().for_each(|(_, v)| strings(v, out)),
    }
}

/// Normalise an include path (`./scripts/x.sh` → `scripts/x.sh`).
fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.trim().split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Check every `<<include(...)>>`; returns the script files included (as a whole value, once
/// each).
fn include_findings(
    parts: &[Part],
    root: &Node,
    config: &Config<'_>,
    source: &str,
    out: &mut Vec<OrbFinding>,
) -> Vec<usize> {
    let mut included: Vec<usize> = Vec::new();
    let mut found = Vec::new();
    strings(root, &mut found);
    let files: HashMap<&str, (usize, &Part)> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| (p.rel.as_str(), (i, p)))
        .collect();
    let scripts: Vec<&str> = parts
        .iter()
        .filter(|p| p.kind == Kind::Script)
        .map(|p| p.rel.as_str())
        .collect();
    let mut used: HashSet<&str> = HashSet::new();
    for node in found {
        let Some(text) = node.as_str() else { continue };
        if !text.contains("include") {
            continue;
        }
        for m in include_regex().captures_iter(text) {
            let whole = m.get(0).expect("a match has group 0");
            let map = ScalarMap::new(source, node);
            let span = map
                .as_ref()
                .map_or(node.span, |m| m.span(whole.start(), whole.end()));
            let rel = normalise(&m[1]);
            let others = text[..whole.start()].trim().len() + text[whole.end()..].trim().len();
            if let Some((_, part)) = files.get(rel.as_str()) {
                used.insert(part.rel.as_str());
            }
            if others > 0 {
                out.push(
                    Finding::new(OrbProblem::IncludeNotWhole, span, format!("`{}` is only part of the value: `circleci orb pack` fails with \"entire string must be include statement\"", whole.as_str()))
                        .label("not the whole value")
                        .help("make the include the whole value (move the other text into the included file), for example `command: <<include(scripts/run.sh)>>`"),
                );
                continue;
            }
            match files.get(rel.as_str()) {
                Some(&(i, part)) => {
                    if !included.contains(&i) {
                        included.push(i);
                    }
                    // `circleci orb pack` escapes `<<` in what it includes, so a parameter
                    // reference in a script reaches the job as literal text.
                    let member = enclosing_member(config, node.span);
                    for r in crate::lang::mustache::references(&part.text) {
                        let env =
                            format!("PARAM_{}", r.name.to_uppercase().replace(['-', '.'], "_"));
                        let how = match (&member, r.kind) {
                            (Some(m), crate::lang::mustache::RefKind::Parameter) => format!(
                                "pass it in the `environment:` of the step that includes the script, in {} `{}` (`{env}: << {} >>`), and read `${env}` in the script",
                                m.2, m.3, r.full_name
                            ),
                            _ => format!(
                                "pass it in the `environment:` of the step that includes the script (`{env}: << {} >>`), and read `${env}` in the script",
                                r.full_name
                            ),
                        };
                        out.push(
                            Finding::new(OrbProblem::ScriptParameter,
                                    part.span(r.span.start as usize, r.span.end as usize),
                                    format!(
                                        "`<< {} >>` in `{}` is never replaced: `circleci orb pack` escapes `<<` in included files, so the script gets the text as written",
                                        r.full_name, part.rel
                                    ),
                                )
                                .label("stays literal")
                                .with_label(span, "included here")
                                .help(how),
                        );
                    }
                }
                None => {
                    let hint = did_you_mean(&rel, scripts.iter().copied());
                    out.push(
                        Finding::new(OrbProblem::IncludeMissing, span, format!("`{}` includes `{rel}`, which is not in the orb source folder", whole.as_str()))
                            .label("no such file")
                            .help(hint.unwrap_or_else(|| format!(
                                "create `{rel}` (the path is relative to the orb source folder, the one holding `@orb.yml`), or fix the path"
                            ))),
                    );
                }
            }
        }
    }
    for part in parts.iter().filter(|p| p.kind == Kind::Script) {
        if used.contains(part.rel.as_str()) {
            continue;
        }
        out.push(
            Finding::new(
                OrbProblem::UnusedScript,
                Span::empty(part.base),
                format!("`{}` is not included anywhere in the orb", part.rel),
            )
            .label("no `<<include(...)>>` names this file")
            .help(format!(
                "include it where it runs (`command: <<include({})>>`) or delete it",
                part.rel
            )),
        );
    }
    included
}

type MemberInfo<'m, 'a> = (
    Span,
    &'m [crate::config::model::ParamDecl<'a>],
    &'static str,
    &'a str,
);

/// The job, command or executor whose body contains `span`: its body span, parameters, kind
/// and name.
fn enclosing_member<'m, 'a>(config: &'m Config<'a>, span: Span) -> Option<MemberInfo<'m, 'a>> {
    let inside = |n: &Node| n.span.contains(span);
    config
        .jobs
        .iter()
        .filter(|j| inside(j.node))
        .map(|j| (j.node.span, &j.parameters[..], "job", j.name.text))
        .chain(
            config
                .commands
                .iter()
                .filter(|c| inside(c.node))
                .map(|c| (c.node.span, &c.parameters[..], "command", c.name.text)),
        )
        .chain(
            config
                .executors
                .iter()
                .filter(|e| inside(e.node))
                .map(|e| (e.node.span, &e.parameters[..], "executor", e.name.text)),
        )
        .next()
}

/// The registry reference (as the orb cache is keyed) that an example's usage uses for the orb
/// under development: the only registry orb it declares that the orb does not itself use, or,
/// among several, the one named like the orb's project folder.
pub fn dev_reference(
    config: &Config<'_>,
    own: &BTreeSet<String>,
    hint: Option<&str>,
) -> Option<crate::config::orbs::RegistryRef> {
    let candidates: Vec<crate::config::orbs::RegistryRef> = config
        .orbs
        .iter()
        .filter(|d| matches!(d.source, OrbSource::Registry { .. }))
        .filter_map(|d| crate::config::orbs::registry_ref(d, config))
        .filter(|r| !own.contains(&format!("{}/{}", r.namespace, r.name)))
        .collect();
    let chosen = match candidates.as_slice() {
        [one] => Some(one),
        many => hint.and_then(|h| {
            let h = h.trim_end_matches("-orb").trim_start_matches("orb-");
            many.iter().find(|r| r.name == h)
        }),
    }?;
    Some(chosen.clone())
}
