//! The schema check: the config tree against `schema/circleci-config.schema.json`.
//!
//! The schema (JSON Schema draft 7, written for cilint from CircleCI's configuration reference)
//! is embedded in the binary and compiled once per process. A file is validated once; when it
//! is valid (the common case) that is the whole cost. When it is not, every error of the
//! validator is turned into a finding people can act on:
//!
//! - the JSON pointer of the error is looked up in the tree segment by segment, as strings (a
//!   job named `123` is a mapping key, not an index), so the finding points at the exact key or
//!   value;
//! - `anyOf`/`oneOf` failures are replaced by the error of the branch that got furthest (or, when
//!   the value matches none of the branches' types, by one "must be X or Y, found Z" finding);
//! - messages name the key and the place in words ("unknown key `steeps` in job `build`"), never
//!   print a whole value, and carry a help line (a "did you mean" when a known key is close);
//! - one mistake gives one finding: duplicates (an anchor merged into many jobs) are dropped,
//!   a misspelt required key is reported once, a workflow-level key written directly under
//!   `workflows:` is reported once instead of as a broken workflow, and errors inside a step
//!   that `step-shape` reports are left to it.

use crate::base::diagnostic::{Finding, Severity};
use crate::base::span::Span;
use crate::base::text::{closest, did_you_mean};
use crate::base::text::{join_and, join_or};
use crate::config::model::shape;
use crate::yaml::{Node, ScalarKind, Value};
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, ValidationError};
use serde_json::Value as Json;
use std::collections::HashSet;
use std::sync::OnceLock;

/// "a job", "an executor".
fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

/// Whether `node` is valid against `sub`, a part of the schema `root` (its `$ref`s resolved
/// against `root`'s definitions).
fn fits(root: &Json, sub: &Json, node: &Node) -> bool {
    let mut schema = sub.clone();
    if let (Some(obj), Some(defs)) = (schema.as_object_mut(), root.get("definitions")) {
        obj.insert("definitions".into(), defs.clone());
    } else {
        return false;
    }
    jsonschema::draft7::new(&schema).is_ok_and(|v| v.is_valid(&crate::yaml::to_json(node)))
}

/// Value shapes the configuration reference does not document but that CircleCI may accept
/// (its own editor schema does, or nothing shows the compiler rejects them): a warning, with
/// the reason, instead of an error.
fn unconfirmed_mismatch(path: &[String], node: &Node) -> Option<&'static str> {
    let last = path.last()?.as_str();
    let parent = path.len().checked_sub(2).map(|i| path[i].as_str());
    match (parent, last) {
        (_, "parallelism") if node.as_str().is_some() => {
            Some("a quoted number: CircleCI has been seen to accept it and then not start the job")
        }
        (_, "requires") if node.as_str().is_some() => Some(
            "CircleCI's documentation shows lists; whether a single name works is not documented",
        ),
        (_, "shell") if node.as_seq().is_some() => {
            Some("CircleCI's editor schema accepts a list here, its reference documents a string")
        }
        _ => None,
    }
}

/// Places where CircleCI accepts keys it does not know, and the evidence: an unknown key there
/// is reported as a warning (likely a typo, but the config still runs). `schema_at` is the
/// schema location of the mapping that holds the key.
fn tolerated_unknown_keys(schema_at: &str) -> Option<&'static str> {
    const TOLERANT: &[(&str, &str)] = &[
        (
            "/definitions/run/",
            "a 2.1 config that CircleCI compiled on every change for months had an undocumented key in a `run` step",
        ),
        (
            "/definitions/macos/",
            "CircleCI's editor schema allows more keys under `macos:` than its reference documents",
        ),
    ];
    TOLERANT
        .iter()
        .find(|(at, _)| schema_at.starts_with(at))
        .map(|(_, why)| *why)
}

/// What the schema check finds, by the rule that reports it (`rules::schema_rules`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SchemaProblem {
    /// A key CircleCI does not know at its place (`unknown-key`).
    UnknownKey,
    /// A value of the wrong kind (`invalid-value`).
    InvalidValue,
    /// A required key that is absent (`missing-key`).
    MissingKey,
}

/// One finding of the schema check.
pub type SchemaFinding = Finding<SchemaProblem>;

/// When the embedded schema was last revised against CircleCI's configuration reference
/// (`cilint --version` prints it). Change it with every revision of the schema.
pub const SCHEMA_DATE: &str = "2026-11-22";

/// The schema text, as shipped.
pub const SCHEMA_SOURCE: &str = include_str!("../../schema/circleci-config.schema.json");

/// At most this many schema findings are reported for one file.
pub const MAX_FINDINGS: usize = 200;

/// At most this many validator errors are examined for one file.
const MAX_ERRORS: usize = 5 * MAX_FINDINGS;

struct Compiled {
    schema: Json,
    validator: jsonschema::Validator,
    /// The same check split by top-level section (see [`Parts`]), compiled on first use (for a
    /// large file); `None` when the schema's top level does not have the shape that makes the
    /// split exact.
    parts: OnceLock<Option<Parts>>,
}

/// Files from this size on are checked by parts (see [`Parts`]); smaller ones whole, which
/// costs less than compiling the parts' validators.
const SPLIT_FROM_BYTES: usize = 256 * 1024;

impl Compiled {
    fn parts(&self) -> Option<&Parts> {
        self.parts.get_or_init(|| Parts::new(&self.schema)).as_ref()
    }
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        // Both are checked by the tests; the schema is part of the binary.
        let schema: Json =
            serde_json::from_str(SCHEMA_SOURCE).expect("the embedded schema is valid JSON");
        let validator = jsonschema::draft7::new(&schema)
            .expect("the embedded schema is a valid draft 7 schema");
        Compiled {
            schema,
            validator,
            parts: OnceLock::new(),
        }
    })
}

/// The schema split in two: the top level, with the entries of each section (`jobs:`,
/// `commands:`...) accepted as anything, and for each section a validator of one entry (its
/// `additionalProperties`). A document is valid against the whole schema exactly when its top
/// level is valid against the first and every entry against its section's (that is what
/// `additionalProperties` means), so a valid file, the common case, is checked entry by entry:
/// the JSON copy the validator needs is made one entry at a time (not of the whole file at
/// once), and the entries are checked on every core. An invalid file is checked whole, as
/// before, for its errors.
struct Parts {
    top: jsonschema::Validator,
    /// Whether top-level keys the schema does not name may hold anything (then their values,
    /// such as `aliases:`, are not copied for the check).
    open: bool,
    /// The top-level keys the schema names.
    named: Vec<String>,
    sections: Vec<Section>,
}

struct Section {
    key: String,
    /// Keys of the section with a schema of their own (`workflows: version:`): checked with
    /// the top level.
    own: Vec<String>,
    entry: jsonschema::Validator,
}

impl Parts {
    /// `None` unless the top level only uses keywords whose meaning splits this way.
    fn new(schema: &Json) -> Option<Parts> {
        const TOP: &[&str] = &[
            "$schema",
            "$id",
            "$comment",
            "title",
            "description",
            "type",
            "required",
            "properties",
            "additionalProperties",
            "definitions",
        ];
        const SECTION: &[&str] = &[
            "$comment",
            "title",
            "description",
            "type",
            "properties",
            "additionalProperties",
        ];
        let root = schema.as_object()?;
        if !root.keys().all(|k| TOP.contains(&k.as_str())) {
            return None;
        }
        let open = match root.get("additionalProperties") {
            None => true,
            Some(Json::Bool(b)) => *b,
            Some(_) => false,
        };
        let properties = root.get("properties")?.as_object()?;
        let mut top = schema.clone();
        let mut sections = Vec::new();
        for (key, section) in properties {
            let Some(sec) = section.as_object() else {
                continue;
            };
            let splits = sec.keys().all(|k| SECTION.contains(&k.as_str()))
                && sec.get("type") == Some(&Json::from("object"))
                && sec.get("additionalProperties").is_some_and(Json::is_object);
            if !splits {
                continue;
            }
            let own = match sec.get("properties") {
                None => Vec::new(),
                Some(p) => p.as_object()?.keys().cloned().collect(),
            };
            // The entry schema, as the root of a copy of the whole document (so that
            // `#/definitions/...` references resolve as before).
            let mut entry = root.clone();
            for k in ["type", "required", "properties", "additionalProperties"] {
                entry.remove(k);
            }
            entry.insert(
                "allOf".into(),
                Json::Array(vec![sec["additionalProperties"].clone()]),
            );
            let entry = jsonschema::draft7::new(&Json::Object(entry)).ok()?;
            top["properties"][key]["additionalProperties"] = Json::Bool(true);
            sections.push(Section {
                key: key.clone(),
                own,
                entry,
            });
        }
        Some(Parts {
            top: jsonschema::draft7::new(&top).ok()?,
            open,
            named: properties.keys().cloned().collect(),
            sections,
        })
    }

    /// Whether the document is valid against the whole schema.
    fn is_valid(&self, root: &Node) -> bool {
        use rayon::prelude::*;
        let Some(entries) = root.as_map() else {
            return self.top.is_valid(&crate::yaml::to_json(root));
        };
        // As `to_json` builds the object: a later key with the same text replaces an earlier.
        let mut top = serde_json::Map::with_capacity(entries.len());
        let mut split: Vec<(&Section, &Node)> = Vec::new();
        for (k, v) in entries {
            let key = crate::yaml::json_key(k);
            let section = self.sections.iter().find(|s| s.key == key);
            split.retain(|(s, _)| s.key != key);
            let value = match (section, v.as_map()) {
                (Some(section), Some(items)) => {
                    split.push((section, v));
                    let mut obj = serde_json::Map::with_capacity(items.len());
                    for (ik, iv) in items {
                        let ikey = crate::yaml::json_key(ik);
                        let value = if section.own.contains(&ikey) {
                            crate::yaml::to_json(iv)
                        } else {
                            Json::Null
                        };
                        obj.insert(ikey, value);
                    }
                    Json::Object(obj)
                }
                _ if self.open && !self.named.contains(&key) => Json::Null,
                _ => crate::yaml::to_json(v),
            };
            top.insert(key, value);
        }
        if !self.top.is_valid(&Json::Object(top)) {
            return false;
        }
        // Each entry once, the last of those with the same key text.
        let mut checks: Vec<(&jsonschema::Validator, &Node)> = Vec::new();
        for (section, node) in split {
            let mut last: std::collections::HashMap<String, &Node> =
                std::collections::HashMap::new();
            for (ik, iv) in node.as_map().unwrap_or_default() {
                let ikey = crate::yaml::json_key(ik);
                if !section.own.contains(&ikey) {
                    last.insert(ikey, iv);
                }
            }
            checks.extend(last.into_values().map(|n| (&section.entry, n)));
        }
        checks
            .par_iter()
            .all(|(v, n)| v.is_valid(&crate::yaml::to_json(n)))
    }
}

/// The schema of an orb's root (`cilint check --orb`): the embedded schema with its top level
/// replaced by the `inline_orb` definition (an orb has `description`, `display` and `examples`
/// where a config has `workflows`), so that the same definitions (and the same findings) apply
/// to the orb's jobs, commands and executors.
fn compiled_orb() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let mut schema = compiled().schema.clone();
        let orb = schema
            .pointer("/definitions/inline_orb")
            .cloned()
            .unwrap_or(Json::Null);
        if let Some(root) = schema.as_object_mut() {
            root.remove("required");
            for key in ["properties", "additionalProperties", "type"] {
                if let Some(v) = orb.get(key) {
                    root.insert(key.to_string(), v.clone());
                }
            }
        }
        let validator = jsonschema::draft7::new(&schema)
            .expect("the orb schema derived from the embedded schema is valid");
        Compiled {
            schema,
            validator,
            parts: OnceLock::new(),
        }
    })
}

/// Check an orb's root (an orb source folder, assembled) against the orb schema.
pub fn check_orb(root: &Node, source: &str) -> Vec<SchemaFinding> {
    let mut out = Vec::new();
    check_compiled(compiled_orb(), root, Some(source), &mut out);
    out
}

/// Check a config's tree against the schema; with the `source` it was loaded from, helps can
/// show corrected lines. An empty document is left to the `empty-config` rule (one finding
/// for one mistake).
pub fn check(root: &Node, source: Option<&str>) -> Vec<SchemaFinding> {
    let mut out = Vec::new();
    if !root.is_null() {
        check_compiled(compiled(), root, source, &mut out);
    }
    out
}

fn check_compiled(
    c: &'static Compiled,
    doc_root: &Node,
    source: Option<&str>,
    out: &mut Vec<SchemaFinding>,
) {
    let large = doc_root.span.len() >= SPLIT_FROM_BYTES;
    let parts = if large { c.parts() } else { None };
    if parts.is_some_and(|p| p.is_valid(doc_root)) {
        let mut found = Findings::new(doc_root, source, &c.schema);
        found.top_level_typos(&[]);
        out.extend(found.diags);
        return;
    }
    let instance = crate::yaml::to_json(doc_root);
    // (Parts that found the file invalid leave nothing to ask the whole validator.)
    if parts.is_none() && c.validator.is_valid(&instance) {
        // Valid, but a misspelt top-level key is silently ignored by CircleCI: still say so.
        let mut found = Findings::new(doc_root, source, &c.schema);
        found.top_level_typos(&[]);
        out.extend(found.diags);
        return;
    }
    // Resolving an error costs more than finding it: look at a bounded number of them.
    let mut leaves = Vec::new();
    let mut errors = c.validator.iter_errors(&instance);
    for err in errors.by_ref().take(MAX_ERRORS) {
        flatten(&err, &mut leaves);
    }
    let unexamined = errors.count();
    let mut found = Findings::new(doc_root, source, &c.schema);
    found.build(leaves);
    let total = found.diags.len();
    out.extend(found.diags.into_iter().take(MAX_FINDINGS));
    if total > MAX_FINDINGS || unexamined > 0 {
        let more = if unexamined > 0 {
            "more".to_string()
        } else {
            format!("{} more", total - MAX_FINDINGS)
        };
        out.push(
            Finding::new(
                SchemaProblem::InvalidValue,
                Span::empty(doc_root.span.start as usize),
                format!(
                    "{} schema findings shown; {more} were not reported",
                    total.min(MAX_FINDINGS)
                ),
            )
            .severity(Severity::Info)
            .help("fix the findings above and run cilint again"),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// From validator errors to leaves: one simple error each, `anyOf`/`oneOf` resolved.

/// What one simple error says.
#[derive(Clone, Debug, PartialEq)]
enum Kind {
    /// Keys the object may not have; `schema_at` is the pointer of the object's schema.
    Unknown {
        keys: Vec<String>,
        schema_at: String,
    },
    /// Required keys that are absent; `any_of` when one of them is enough.
    Missing { keys: Vec<String>, any_of: bool },
    /// The value has none of the expected shapes ("a string", "one of `a`, `b`").
    Mismatch { expected: Vec<Expected> },
    /// A mapping with too many keys.
    TooManyKeys { limit: u64 },
    /// A mapping with too few keys (an empty mapping where one key is needed).
    TooFewKeys { limit: u64 },
    /// A list with too few items.
    TooFewItems { limit: u64 },
    /// A number below its minimum.
    BelowMinimum { limit: String },
    /// A misspelt required key: `typo` is in the mapping, `key` is missing.
    Typo { typo: String, key: String },
    /// Anything else: the JSON Schema keyword that failed.
    Other(String),
}

#[derive(Clone, Debug, PartialEq)]
enum Expected {
    Type(&'static str),
    OneOf(Vec<String>),
}

#[derive(Clone, Debug)]
struct Leaf {
    /// Instance path, as strings.
    path: Vec<String>,
    kind: Kind,
}

fn pointer_segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn flatten(err: &ValidationError<'_>, out: &mut Vec<Leaf>) {
    let path = pointer_segments(err.instance_path().as_str());
    let kind = match err.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            choose_branch(&path, context, out);
            return;
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let mut at = err.schema_path().as_str().to_string();
            if let Some(cut) = at.rfind('/') {
                at.truncate(cut);
            }
            Kind::Unknown {
                keys: unexpected.clone(),
                schema_at: at,
            }
        }
        ValidationErrorKind::Required { property } => Kind::Missing {
            keys: vec![
                property
                    .as_str()
                    .map_or_else(|| property.to_string(), str::to_string),
            ],
            any_of: false,
        },
        ValidationErrorKind::Type { kind } => Kind::Mismatch {
            expected: expected_types(kind),
        },
        ValidationErrorKind::Enum { options } => Kind::Mismatch {
            expected: vec![Expected::OneOf(
                options
                    .as_array()
                    .map(|a| a.iter().map(json_scalar_text).collect())
                    .unwrap_or_default(),
            )],
        },
        // The only pattern in the schema marks `<< ... >>` templates: a string that is not one
        // simply has the wrong shape for a number or boolean field.
        ValidationErrorKind::Pattern { .. } => Kind::Mismatch {
            expected: Vec::new(),
        },
        ValidationErrorKind::MaxProperties { limit } => Kind::TooManyKeys { limit: *limit },
        ValidationErrorKind::MinProperties { limit } => Kind::TooFewKeys { limit: *limit },
        ValidationErrorKind::MinItems { limit } => Kind::TooFewItems { limit: *limit },
        ValidationErrorKind::Minimum { limit } => Kind::BelowMinimum {
            limit: limit.to_string(),
        },
        // Not used by the schema today; named by its keyword (the validator's own text would
        // print the whole value).
        other => Kind::Other(other.keyword().to_string()),
    };
    out.push(Leaf { path, kind });
}

fn json_scalar_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn expected_types(kind: &TypeKind) -> Vec<Expected> {
    let types: Vec<JsonType> = match kind {
        TypeKind::Single(t) => vec![*t],
        TypeKind::Multiple(set) => set.iter().collect(),
    };
    let mut out = Vec::new();
    let has_string = types.contains(&JsonType::String);
    for t in types {
        let word = match t {
            JsonType::String => "a string",
            // A field typed "string or number" (text) is a string to the reader.
            JsonType::Number if has_string => continue,
            JsonType::Boolean if has_string => continue,
            JsonType::Number => "a number",
            JsonType::Integer => "an integer",
            JsonType::Boolean => "a boolean (`true` or `false`)",
            JsonType::Object => "a mapping",
            JsonType::Array => "a list",
            JsonType::Null => continue,
        };
        out.push(Expected::Type(word));
    }
    out
}

/// Resolve an `anyOf`/`oneOf` failure at `path` into the leaves of the best branch.
fn choose_branch(path: &[String], context: &[Vec<ValidationError<'static>>], out: &mut Vec<Leaf>) {
    let branches: Vec<Vec<Leaf>> = context
        .iter()
        .map(|errs| {
            let mut leaves = Vec::new();
            for e in errs {
                flatten(e, &mut leaves);
            }
            leaves
        })
        .collect();
    let is_mismatch = |l: &Leaf| l.path == path && matches!(l.kind, Kind::Mismatch { .. });
    let mismatched: Vec<bool> = branches
        .iter()
        .map(|b| !b.is_empty() && b.iter().all(is_mismatch))
        .collect();
    if mismatched.iter().all(|m| *m) {
        // The value has none of the branches' shapes: one finding listing them all.
        let mut expected: Vec<Expected> = Vec::new();
        for leaf in branches.iter().flatten() {
            if let Kind::Mismatch { expected: e } = &leaf.kind {
                for x in e {
                    if !expected.contains(x) {
                        expected.push(x.clone());
                    }
                }
            }
        }
        out.push(Leaf {
            path: path.to_vec(),
            kind: Kind::Mismatch { expected },
        });
        return;
    }
    // Branches that only miss required keys at this very place (`key` or `keys`): one finding.
    let only_missing = |b: &Vec<Leaf>| {
        !b.is_empty()
            && b.iter()
                .all(|l| l.path == path && matches!(l.kind, Kind::Missing { .. }))
    };
    let candidates: Vec<&Vec<Leaf>> = branches
        .iter()
        .zip(&mismatched)
        .filter(|(_, m)| !**m)
        .map(|(b, _)| b)
        .collect();
    if candidates.len() > 1 && candidates.iter().all(|b| only_missing(b)) {
        let mut keys = Vec::new();
        for leaf in candidates.iter().copied().flatten() {
            if let Kind::Missing { keys: k, .. } = &leaf.kind {
                keys.extend(k.iter().cloned());
            }
        }
        keys.dedup();
        out.push(Leaf {
            path: path.to_vec(),
            kind: Kind::Missing { keys, any_of: true },
        });
        return;
    }
    // The branch that got furthest: deepest error, then fewest errors, then the first.
    let best = candidates.into_iter().max_by(|a, b| {
        let depth = |x: &Vec<Leaf>| x.iter().map(|l| l.path.len()).max().unwrap_or(0);
        depth(a)
            .cmp(&depth(b))
            .then(b.len().cmp(&a.len()))
            .then(std::cmp::Ordering::Greater)
    });
    if let Some(best) = best {
        out.extend(best.iter().cloned());
    }
}

// ---------------------------------------------------------------------------------------------
// From leaves to diagnostics.

struct Findings<'a> {
    root: &'a Node,
    source: Option<&'a str>,
    schema: &'a Json,
    diags: Vec<SchemaFinding>,
    seen: HashSet<(SchemaProblem, Span, String)>,
}

/// Collections of named items, and what the items are called.
const COLLECTIONS: &[(&str, &str, &str)] = &[
    ("jobs", "job", "/definitions/job"),
    ("workflows", "workflow", "/definitions/workflow"),
    ("commands", "command", "/definitions/command"),
    ("executors", "executor", "/definitions/executor"),
];

impl<'a> Findings<'a> {
    fn new(root: &'a Node, source: Option<&'a str>, schema: &'a Json) -> Findings<'a> {
        Findings {
            root,
            source,
            schema,
            diags: Vec::new(),
            seen: HashSet::new(),
        }
    }

    fn push(&mut self, d: SchemaFinding, key: String) {
        if self.seen.insert((d.kind, d.primary.span, key)) {
            self.diags.push(d);
        }
    }

    fn build(&mut self, mut leaves: Vec<Leaf>) {
        // Errors inside a step (or workflow entry) with several keys are reported as its shape.
        leaves.retain(|l| !self.inside_misshapen_step(&l.path));
        // A setting written directly under `jobs:`/`workflows:`...: one finding for the item.
        let mut misplaced: Vec<Vec<String>> = Vec::new();
        leaves.retain(|l| match self.misplaced_item(&l.path) {
            Some(prefix) => {
                if !misplaced.contains(&prefix) {
                    misplaced.push(prefix);
                }
                false
            }
            None => true,
        });
        for prefix in &misplaced {
            self.report_misplaced(prefix);
        }
        let mut leaves = merge_misspelt_required(leaves, self.root);
        self.parameters_holding_other_things(&mut leaves);
        for leaf in &leaves {
            self.report(leaf);
        }
        self.top_level_typos(&leaves);
    }

    /// Errors inside a step that has more than one key are `step-shape`'s to report; errors
    /// inside a workflow job entry with several keys are covered by the entry's finding.
    fn inside_misshapen_step(&self, path: &[String]) -> bool {
        let mut node = self.root;
        for (i, seg) in path.iter().enumerate() {
            let Some(next) = child(node, seg) else {
                return false;
            };
            if i > 0
                && matches!(path[i - 1].as_str(), "steps" | "pre-steps" | "post-steps")
                && shape::is_misshapen(next)
            {
                return true;
            }
            // Inside (not at) a workflow job entry with several keys: the entry's own finding
            // says what is wrong.
            if i == 3
                && path.len() > 4
                && path[0] == "workflows"
                && path[2] == "jobs"
                && shape::is_misshapen(next)
            {
                return true;
            }
            node = next;
        }
        false
    }

    /// `[coll, name]` when `name` under `coll` (jobs, workflows...) is a key that belongs one
    /// level deeper (`when:` directly under `workflows:`, `parameters:` under `jobs:`).
    fn misplaced_item(&self, path: &[String]) -> Option<Vec<String>> {
        let [coll, name, ..] = path else {
            return None;
        };
        let (_, _, def) = COLLECTIONS.iter().find(|(c, _, _)| c == coll)?;
        if coll == "workflows" && name == "version" {
            return None;
        }
        let props = self.schema.pointer(def)?.get("properties")?.as_object()?;
        let setting = props.get(name.as_str())?;
        // Misplaced only when the value is what that setting takes (`when:` holding a logic
        // statement): an executor that happens to be called `windows`, or a job called
        // `docker`, is an item like any other and its own errors are reported as they are.
        let (_, value) = resolve_entry(self.root, &[coll.clone(), name.clone()])?;
        fits(self.schema, setting, value).then(|| vec![coll.clone(), name.clone()])
    }

    fn report_misplaced(&mut self, prefix: &[String]) {
        let (coll, name) = (&prefix[0], &prefix[1]);
        let item = COLLECTIONS
            .iter()
            .find(|(c, _, _)| c == coll)
            .map_or("item", |(_, i, _)| *i);
        let Some((key, _)) = resolve_entry(self.root, prefix) else {
            return;
        };
        let span = key.span;
        let d = Finding::new(
            SchemaProblem::InvalidValue,
            span,
            format!(
                "`{name}` sits directly under `{coll}`, so it is read as {} named `{name}`",
                with_article(item)
            ),
        )
        .label(format!("read as {}, not as a setting", with_article(item)))
        .help(format!(
            "`{name}` is a setting of {}: indent it under the {item} it belongs to",
            with_article(item)
        ));
        self.push(d, format!("misplaced {coll}.{name}"));
    }

    fn report(&mut self, leaf: &Leaf) {
        match &leaf.kind {
            Kind::Unknown { keys, schema_at } => self.report_unknown(leaf, keys, schema_at),
            Kind::Missing { keys, any_of } => self.report_missing(leaf, keys, *any_of),
            Kind::Mismatch { expected } => self.report_mismatch(leaf, expected),
            Kind::TooManyKeys { limit } => self.report_too_many(leaf, *limit),
            Kind::TooFewKeys { .. } => {
                let Some(node) = self.root.lookup(&leaf.path) else {
                    return;
                };
                let (subject, label) = describe(self.root, &leaf.path);
                let d = Finding::new(
                    SchemaProblem::InvalidValue,
                    node.span,
                    format!(
                        "{subject} is an empty mapping {}",
                        place_in(self.root, parent(&leaf.path))
                    ),
                )
                .label(label)
                .help("give it its one key, or remove it");
                self.push(d, format!("empty {subject}"));
            }
            Kind::TooFewItems { limit } => {
                let Some(node) = self.root.lookup(&leaf.path) else {
                    return;
                };
                let (subject, label) = describe(self.root, &leaf.path);
                let items = if *limit == 1 { "item" } else { "items" };
                let d = Finding::new(
                    SchemaProblem::InvalidValue,
                    node.span,
                    format!("{subject} must have at least {limit} {items}"),
                )
                .label(label)
                .help("add the missing entries, or remove the key");
                self.push(d, format!("few {subject}"));
            }
            Kind::BelowMinimum { limit } => {
                let Some(node) = self.root.lookup(&leaf.path) else {
                    return;
                };
                let (subject, label) = describe(self.root, &leaf.path);
                let found = node.scalar_text().unwrap_or("it").to_string();
                let d = Finding::new(
                    SchemaProblem::InvalidValue,
                    node.span,
                    format!("{subject} must be at least {limit}, found {found}"),
                )
                .label(label)
                .help(format!("use a value of {limit} or more"));
                self.push(d, format!("min {subject}"));
            }
            Kind::Typo { typo, key } => self.report_typo(&leaf.path, typo, key),
            Kind::Other(keyword) => {
                let Some(node) = self.root.lookup(&leaf.path) else {
                    return;
                };
                let (subject, label) = describe(self.root, &leaf.path);
                let d = Finding::new(
                    SchemaProblem::InvalidValue,
                    node.span,
                    format!("{subject} is not valid here (schema rule `{keyword}`)"),
                )
                .label(label)
                .help("see CircleCI's configuration reference for this key");
                self.push(d, format!("other {subject}"));
            }
        }
    }

    fn allowed_keys(&self, schema_at: &str) -> Vec<&'a str> {
        self.schema
            .pointer(schema_at)
            .and_then(|s| s.get("properties"))
            .and_then(Json::as_object)
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    fn report_unknown(&mut self, leaf: &Leaf, keys: &[String], schema_at: &str) {
        let Some(object) = self.root.lookup(&leaf.path) else {
            return;
        };
        let allowed = self.allowed_keys(schema_at);
        let where_ = place_in(self.root, &leaf.path);
        for key in keys {
            let Some((key_node, _)) = object.entry(key) else {
                continue;
            };
            let suggestion = did_you_mean(key, allowed.iter().copied());
            let list = allowed
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let help = match (&suggestion, list.is_empty()) {
                (Some(s), _) => s.clone(),
                (None, false) => format!("the keys allowed here are {list}"),
                (None, true) => "remove it".to_string(),
            };
            let help = if suggestion.is_some() && !list.is_empty() {
                format!("{help} (the keys allowed here are {list})")
            } else {
                help
            };
            let mut d = match tolerated_unknown_keys(schema_at) {
                None => Finding::new(SchemaProblem::UnknownKey, key_node.span, format!("unknown key `{key}` {where_}"))
                    .label(unknown_label(schema_at))
                    .help(help),
                Some(why) => Finding::new(SchemaProblem::UnknownKey,
                        key_node.span,
                        format!("unknown key `{key}` {where_}: CircleCI's reference does not document it, but accepts such keys here ({why})"),
                    )
                    .severity(Severity::Warning)
                    .label("not a documented key")
                    .help(help),
            };
            if let Some(alias) = key_node.alias.or(object.alias) {
                d = d.with_label(alias, "merged in here");
            }
            self.push(d, format!("unknown {key}"));
        }
    }

    /// A parameter declaration without `type` whose keys are not settings is one mistake: the
    /// mapping is not a declaration at all (top-level `parameters:` used to hold an anchor, or
    /// a declaration nested one level too deep). One finding for it, naming the stray keys.
    fn parameters_holding_other_things(&mut self, leaves: &mut Vec<Leaf>) {
        let mut done: Vec<Vec<String>> = Vec::new();
        for leaf in leaves.iter() {
            let Kind::Missing {
                keys,
                any_of: false,
            } = &leaf.kind
            else {
                continue;
            };
            let path = &leaf.path;
            if path.len() < 2
                || path[path.len() - 2] != "parameters"
                || !keys.iter().any(|k| k == "type")
            {
                continue;
            }
            let strays: Vec<&String> = leaves
                .iter()
                .filter(|l| &l.path == path)
                .filter_map(|l| match &l.kind {
                    Kind::Unknown { keys, .. } => Some(keys),
                    _ => None,
                })
                .flatten()
                .collect();
            if strays.is_empty() {
                continue;
            }
            let Some((key, value)) = resolve_entry(self.root, path) else {
                continue;
            };
            let quoted: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
            let what = if quoted.len() == 1 {
                format!("the required key {}", quoted[0])
            } else {
                format!("the required keys {}", join_and(&quoted))
            };
            let help = if path.len() == 2 {
                "top-level `parameters:` declares pipeline parameters, each with `type:` and \
                 `default:`; to hold YAML anchors, use another top-level key (for example \
                 `x-params:`)"
                    .to_string()
            } else {
                "a parameter declaration has `type`, `description`, `default` and `enum`; \
                 if this is a group of parameters, move them up one level"
                    .to_string()
            };
            let mut d = Finding::new(
                SchemaProblem::MissingKey,
                key.span,
                format!("missing {what} {}", place_in(self.root, path)),
            )
            .label("not a parameter declaration")
            .help(help);
            for stray in &strays {
                if let Some((k, _)) = value.entry(stray) {
                    d = d.with_label(k.span, "not a setting of a parameter");
                }
            }
            self.push(d, format!("missing {}", keys.join(",")));
            done.push(path.clone());
        }
        leaves.retain(|l| {
            !(done.contains(&l.path)
                && matches!(l.kind, Kind::Unknown { .. } | Kind::Missing { .. }))
        });
    }

    fn report_missing(&mut self, leaf: &Leaf, keys: &[String], any_of: bool) {
        let (span, alias) = match resolve_entry(self.root, &leaf.path) {
            Some((key, value)) => (key.span, value.alias),
            None => (
                self.root
                    .as_map()
                    .and_then(|m| m.first())
                    .map_or(self.root.span, |(k, _)| Span::empty(k.span.start as usize)),
                None,
            ),
        };
        let quoted: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
        let what = if any_of {
            format!("one of {}", join_or(&quoted))
        } else if quoted.len() == 1 {
            format!("the required key {}", quoted[0])
        } else {
            format!("the required keys {}", join_and(&quoted))
        };
        let where_ = place_in(self.root, &leaf.path);
        let mut d = Finding::new(
            SchemaProblem::MissingKey,
            span,
            format!("missing {what} {where_}"),
        )
        .label(format!(
            "needs {}",
            if any_of {
                join_or(&quoted)
            } else {
                join_and(&quoted)
            }
        ))
        .help(missing_help(keys, any_of));
        if let Some(alias) = alias {
            d = d.with_label(alias, "used here");
        }
        self.push(d, format!("missing {}", keys.join(",")));
    }

    fn report_mismatch(&mut self, leaf: &Leaf, expected: &[Expected]) {
        let Some(node) = self.root.lookup(&leaf.path) else {
            return;
        };
        let (subject, label) = describe(self.root, &leaf.path);
        let mut words: Vec<String> = Vec::new();
        let mut options: Vec<String> = Vec::new();
        for e in expected {
            match e {
                Expected::Type(t) => words.push((*t).to_string()),
                Expected::OneOf(o) => {
                    options.extend(o.iter().cloned());
                }
            }
        }
        if !options.is_empty() {
            let quoted: Vec<String> = options.iter().map(|o| format!("`{o}`")).collect();
            if words.is_empty() {
                words.push(format!("one of {}", join_or(&quoted)));
            } else {
                // "one of `a`, `b`, or a list"
                words = vec![format!(
                    "one of {}, or {}",
                    quoted.join(", "),
                    join_or(&words)
                )];
            }
        }
        if words.is_empty() {
            words.push("a different kind of value".to_string());
        }
        let expected_text = join_or(&words);
        let found = found_text(node, !options.is_empty());
        let help = match node.scalar_text() {
            Some(text) if !options.is_empty() => {
                did_you_mean(text, options.iter().map(String::as_str))
                    .unwrap_or_else(|| format!("use {expected_text}"))
            }
            _ => mismatch_help(&leaf.path, node, &expected_text),
        };
        let mut d = Finding::new(
            SchemaProblem::InvalidValue,
            node.span,
            format!("{subject} must be {expected_text}, found {found}"),
        )
        .label(label)
        .help(help);
        if let Some(alias) = node.alias {
            d = d.with_label(alias, "used here");
        }
        if let Some(why) = unconfirmed_mismatch(&leaf.path, node) {
            d = d.severity(Severity::Warning);
            d.message = format!("{} ({why})", d.message);
        }
        self.push(d, format!("mismatch {subject}"));
    }

    fn report_too_many(&mut self, leaf: &Leaf, limit: u64) {
        let Some(node) = self.root.lookup(&leaf.path) else {
            return;
        };
        let Some(map) = node.as_map() else {
            return;
        };
        let in_workflow_jobs = leaf.path.len() >= 2
            && leaf.path[leaf.path.len() - 2] == "jobs"
            && leaf.path.first().map(String::as_str) == Some("workflows");
        let where_ = place(self.root, &leaf.path);
        if in_workflow_jobs
            && let Some(d) = shape::misindented(
                node,
                "settings",
                &where_,
                self.source,
                SchemaProblem::InvalidValue,
            )
        {
            self.push(d, "entry shape".to_string());
            return;
        }
        let keys: Vec<String> = map
            .iter()
            .filter_map(|(k, _)| k.scalar_text().map(|t| format!("`{t}`")))
            .collect();
        let (subject, label) = describe(self.root, &leaf.path);
        let d = Finding::new(
            SchemaProblem::InvalidValue,
            node.span,
            format!(
                "{subject} has {} keys ({}) but may have only {limit}",
                keys.len(),
                keys.join(", ")
            ),
        )
        .label(label)
        .help("keep one key here; move the others where they belong, or into their own entry");
        self.push(d, format!("too many {subject}"));
    }

    /// A top-level key CircleCI does not know is accepted (real configs keep anchors there),
    /// unless it is a close misspelling of `version`, `jobs` or `workflows` and the config lacks
    /// that key (`vesion:` without `version:`). Other top-level keys are left alone: a misspelt
    /// `orbs:` or `commands:` shows up as the references that fail, and names such as
    /// `setupcuda:` are real anchor holders.
    fn top_level_typos(&mut self, leaves: &[Leaf]) {
        let Some(map) = self.root.as_map() else {
            return;
        };
        let known: Vec<&str> = self.allowed_keys("");
        let present: Vec<&str> = map.iter().filter_map(|(k, _)| k.scalar_text()).collect();
        let missing: Vec<&str> = ["version", "jobs", "workflows"]
            .into_iter()
            .filter(|k| !present.contains(k))
            .collect();
        let required_missing: Vec<String> = leaves
            .iter()
            .filter(|l| l.path.is_empty())
            .filter_map(|l| match &l.kind {
                Kind::Missing { keys, .. } => Some(keys.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        for (key, _) in map {
            let Some(name) = key.scalar_text() else {
                continue;
            };
            if known.contains(&name) {
                continue;
            }
            let Some(best) = closest(name, missing.iter().copied())
                .first()
                .copied()
                .filter(|best| strsim::damerau_levenshtein(name, best) <= 2)
            else {
                continue;
            };
            if required_missing.iter().any(|r| r == best) {
                // Reported with the missing key (merge_misspelt_required).
                continue;
            }
            // CircleCI accepts the file (it ignores unknown top-level keys): a warning; what
            // the missing key breaks (`no-workflows`) is reported on its own.
            let d = Finding::new(SchemaProblem::UnknownKey, key.span, format!("unknown key `{name}` at the top level"))
                .severity(Severity::Warning)
                .label(format!("did you mean `{best}`?"))
                .help(format!(
                    "rename it to `{best}`; CircleCI ignores unknown top-level keys, so this one has no effect"
                ));
            self.push(d, format!("unknown {name}"));
        }
    }
}

/// A missing required key and an unknown key close to it in the same mapping are one mistake:
/// replace both by one `Unknown` report that says so.
fn merge_misspelt_required(leaves: Vec<Leaf>, root: &Node) -> Vec<Leaf> {
    let mut out: Vec<Leaf> = Vec::with_capacity(leaves.len());
    // (mapping path, key) pairs: the unknown keys reported, and those merged into a typo.
    let mut unknown: HashSet<(&[String], &str)> = HashSet::new();
    for leaf in &leaves {
        if let Kind::Unknown { keys, .. } = &leaf.kind {
            unknown.extend(keys.iter().map(|k| (leaf.path.as_slice(), k.as_str())));
        }
    }
    let mut consumed: HashSet<(Vec<String>, String)> = HashSet::new();
    let mut merged: Vec<Leaf> = Vec::new();
    for leaf in &leaves {
        if let Kind::Missing {
            keys,
            any_of: false,
        } = &leaf.kind
        {
            let Some(object) = root.lookup(&leaf.path) else {
                continue;
            };
            let Some(map) = object.as_map() else {
                continue;
            };
            for key in keys {
                let typo = map.iter().filter_map(|(k, _)| k.scalar_text()).find(|k| {
                    !keys.iter().any(|r| r == k)
                        && !closest(k, [key.as_str()]).is_empty()
                        && (leaf.path.is_empty() || unknown.contains(&(leaf.path.as_slice(), *k)))
                });
                if let Some(typo) = typo {
                    consumed.insert((leaf.path.clone(), key.clone()));
                    consumed.insert((leaf.path.clone(), typo.to_string()));
                    merged.push(Leaf {
                        path: leaf.path.clone(),
                        kind: Kind::Typo {
                            typo: typo.to_string(),
                            key: key.clone(),
                        },
                    });
                }
            }
        }
    }
    drop(unknown);
    for leaf in leaves {
        if consumed.is_empty() {
            out.push(leaf);
            continue;
        }
        match &leaf.kind {
            Kind::Missing { keys, any_of } => {
                let rest: Vec<String> = keys
                    .iter()
                    .filter(|k| !consumed.contains(&(leaf.path.clone(), (*k).clone())))
                    .cloned()
                    .collect();
                if !rest.is_empty() {
                    out.push(Leaf {
                        path: leaf.path.clone(),
                        kind: Kind::Missing {
                            keys: rest,
                            any_of: *any_of,
                        },
                    });
                }
            }
            Kind::Unknown { keys, schema_at } => {
                let rest: Vec<String> = keys
                    .iter()
                    .filter(|k| !consumed.contains(&(leaf.path.clone(), (*k).clone())))
                    .cloned()
                    .collect();
                if !rest.is_empty() {
                    out.push(Leaf {
                        path: leaf.path.clone(),
                        kind: Kind::Unknown {
                            keys: rest,
                            schema_at: schema_at.clone(),
                        },
                    });
                }
            }
            _ => out.push(leaf),
        }
    }
    out.extend(merged);
    // Several required keys missing from one mapping: one finding naming them all.
    let mut combined: Vec<Leaf> = Vec::with_capacity(out.len());
    let mut missing_at: std::collections::HashMap<Vec<String>, usize> =
        std::collections::HashMap::new();
    for leaf in out {
        if let Kind::Missing {
            keys,
            any_of: false,
        } = &leaf.kind
        {
            if let Some(&i) = missing_at.get(&leaf.path)
                && let Kind::Missing {
                    keys: prev_keys, ..
                } = &mut combined[i].kind
            {
                for k in keys {
                    if !prev_keys.contains(k) {
                        prev_keys.push(k.clone());
                    }
                }
                continue;
            }
            missing_at.insert(leaf.path.clone(), combined.len());
        }
        combined.push(leaf);
    }
    combined
}

impl Findings<'_> {
    fn report_typo(&mut self, path: &[String], typo: &str, key: &str) {
        let Some(object) = self.root.lookup(path) else {
            return;
        };
        let Some((key_node, _)) = object.entry(typo) else {
            return;
        };
        let where_ = place_in(self.root, path);
        let d = Finding::new(
            SchemaProblem::UnknownKey,
            key_node.span,
            format!("unknown key `{typo}` {where_}, and the required key `{key}` is missing"),
        )
        .label(format!("did you mean `{key}`?"))
        .help(format!("rename `{typo}` to `{key}`"));
        self.push(d, format!("unknown {typo}"));
    }
}

/// The label of an unknown key: what the mapping is, from the schema definition it failed.
fn unknown_label(schema_at: &str) -> String {
    let def = schema_at
        .strip_prefix("/definitions/")
        .and_then(|d| d.split('/').next())
        .unwrap_or("");
    let what = match def {
        "job" => "a job",
        "executor" => "an executor",
        "command" => "a command",
        "workflow" => "a workflow",
        "docker_image" => "a docker image",
        "macos" => "`macos`",
        "machine" => "`machine`",
        "run" => "a `run` step",
        "conditional_steps" => "a `when`/`unless` step",
        "parameter" => "a parameter declaration",
        "pipeline_parameter" => "a pipeline parameter declaration",
        "trigger" => "a trigger",
        "filters" | "branch_filter" => "a filter",
        "matrix" => "a matrix",
        "logic" => "a logic statement",
        _ => return "not a key CircleCI knows here".to_string(),
    };
    format!("not a key of {what}")
}

fn missing_help(keys: &[String], any_of: bool) -> String {
    let first = keys.first().map_or("", String::as_str);
    if any_of {
        let quoted: Vec<String> = keys.iter().map(|k| format!("`{k}:`")).collect();
        return format!("add {}", join_or(&quoted));
    }
    if keys.len() > 1 {
        let quoted: Vec<String> = keys.iter().map(|k| format!("`{k}:`")).collect();
        return format!("add {}", join_and(&quoted));
    }
    match first {
        "version" => "add `version: 2.1` at the top of the file".to_string(),
        "steps" => "add `steps:` with the list of steps the job runs".to_string(),
        "jobs" => "add `jobs:` with the list of jobs the workflow runs".to_string(),
        "image" => "add `image:` with the name of the Docker image".to_string(),
        "command" => "add `command:` with the shell command to run".to_string(),
        "type" => "add `type:` (string, boolean, integer, enum, executor, steps or env_var_name)"
            .to_string(),
        _ => {
            let quoted: Vec<String> = keys.iter().map(|k| format!("`{k}:`")).collect();
            format!("add {}", join_and(&quoted))
        }
    }
}

fn mismatch_help(path: &[String], node: &Node, expected: &str) -> String {
    let parent_key = path.iter().rev().nth(1).map(String::as_str);
    let text = node.as_str();
    match (parent_key, text) {
        (Some("docker"), Some(image)) if expected.contains("mapping") => {
            format!("write the image as a mapping: `- image: {}`", short(image))
        }
        _ if expected.starts_with("an integer") && node.as_str().is_some() => {
            "write a whole number without quotes, or a `<< parameters.name >>` expression"
                .to_string()
        }
        _ if expected.starts_with("a boolean") && node.as_str().is_some() => {
            "write `true` or `false` without quotes, or a `<< parameters.name >>` expression"
                .to_string()
        }
        _ => format!("use {expected} here"),
    }
}

// ---------------------------------------------------------------------------------------------
// Paths, nodes and words.

/// The child of `node` named by one pointer segment: a key of a mapping, an index of a list.
fn child<'n>(node: &'n Node, seg: &str) -> Option<&'n Node> {
    match &node.value {
        Value::Map(_) => node.get(seg),
        Value::Seq(items) => items.get(seg.parse::<usize>().ok()?),
        Value::Scalar(_) => None,
    }
}

/// The (key, value) of the node at `path` (for a list item: the item twice).
fn resolve_entry<'n>(root: &'n Node, path: &[String]) -> Option<(&'n Node, &'n Node)> {
    let (last, init) = path.split_last()?;
    let parent = root.lookup(init)?;
    match &parent.value {
        Value::Map(_) => parent.entry(last),
        Value::Seq(items) => {
            let item = items.get(last.parse::<usize>().ok()?)?;
            Some((item, item))
        }
        Value::Scalar(_) => None,
    }
}

fn parent(path: &[String]) -> &[String] {
    &path[..path.len().saturating_sub(1)]
}

fn is_index(seg: &str) -> bool {
    !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit())
}

/// What the value at `path` is called: "`parallelism`", "step 3", "item 1 of `docker`".
fn subject(path: &[String]) -> String {
    match path {
        [] => "the config".to_string(),
        [.., list, idx] if is_index(idx) => {
            let n = idx.parse::<usize>().map_or(0, |n| n + 1);
            match list.as_str() {
                "steps" => format!("step {n}"),
                "pre-steps" => format!("pre-step {n}"),
                "post-steps" => format!("post-step {n}"),
                "docker" => format!("docker image {n}"),
                _ => format!("item {n} of `{list}`"),
            }
        }
        [.., key] => format!("`{key}`"),
    }
}

/// What the value at `path` is called, and the label that says where it is: ("`parallelism`",
/// "in job `build`"), ("step 2 of job `build`", "here").
fn describe(root: &Node, path: &[String]) -> (String, String) {
    match path {
        [] => ("the config".to_string(), "the whole file".to_string()),
        [.., list, idx]
            if is_index(idx)
                && matches!(
                    list.as_str(),
                    "steps" | "pre-steps" | "post-steps" | "docker"
                ) =>
        {
            (place(root, path), "here".to_string())
        }
        [.., req, idx, name] if req == "requires" && is_index(idx) => (
            format!("the status required of `{name}`"),
            format!("in {}", place(root, &path[..path.len() - 2])),
        ),
        _ => (subject(path), format!("in {}", place(root, parent(path)))),
    }
}

/// "in job `build`" / "at the top level".
fn place_in(root: &Node, path: &[String]) -> String {
    if path.is_empty() {
        "at the top level".to_string()
    } else {
        format!("in {}", place(root, path))
    }
}

/// The place of the node at `path`, in words: "job `build`", "step 3 of job `build`",
/// "`auth` of docker image 1 of job `build`", "job `test` in workflow `main`".
fn place(root: &Node, path: &[String]) -> String {
    if path.is_empty() {
        return "the top level".to_string();
    }
    let mut owner: String;
    let mut i;
    match (path[0].as_str(), path.get(1)) {
        ("jobs", Some(name)) => {
            owner = format!("job `{name}`");
            i = 2;
        }
        ("commands", Some(name)) => {
            owner = format!("command `{name}`");
            i = 2;
        }
        ("executors", Some(name)) => {
            owner = format!("executor `{name}`");
            i = 2;
        }
        ("orbs", Some(name)) => {
            owner = format!("orb `{name}`");
            i = 2;
        }
        ("parameters", Some(name)) => {
            owner = format!("pipeline parameter `{name}`");
            i = 2;
        }
        ("workflows", Some(name)) => {
            owner = format!("workflow `{name}`");
            i = 2;
            if path.get(2).map(String::as_str) == Some("jobs")
                && let Some(idx) = path.get(3)
            {
                let entry = root.lookup(&path[..4]);
                let job = entry.and_then(|e| {
                    e.as_str().map(str::to_string).or_else(|| {
                        e.as_map()
                            .and_then(|m| m.first())
                            .and_then(|(k, _)| k.scalar_text())
                            .map(str::to_string)
                    })
                });
                owner = match job {
                    Some(job) => format!("job `{job}` in workflow `{name}`"),
                    None => format!(
                        "entry {} of the jobs of workflow `{name}`",
                        idx.parse::<usize>().map_or(0, |n| n + 1)
                    ),
                };
                i = 4;
                // The job name key of a one-key entry is part of the same place.
                if path.len() > 4 && entry.is_some_and(|e| e.as_map().is_some()) {
                    i = 5;
                }
            }
        }
        _ => {
            owner = String::new();
            i = 0;
        }
    }
    let mut rest: Vec<String> = Vec::new();
    while i < path.len() {
        let seg = &path[i];
        let next = path.get(i + 1);
        if matches!(seg.as_str(), "steps" | "pre-steps" | "post-steps")
            && let Some(idx) = next.filter(|n| is_index(n))
        {
            let n = idx.parse::<usize>().map_or(0, |n| n + 1);
            let what = match seg.as_str() {
                "pre-steps" => "pre-step",
                "post-steps" => "post-step",
                _ => "step",
            };
            let base = with_rest(&owner, &rest);
            rest.clear();
            i += 2;
            // The step's own key (`run`, `save_cache`...) names it.
            let step = match path.get(i) {
                Some(step) => {
                    i += 1;
                    format!("{what} {n} (`{step}`)")
                }
                None => format!("{what} {n}"),
            };
            owner = if base.is_empty() {
                step
            } else {
                format!("{step} of {base}")
            };
            continue;
        }
        if seg == "docker"
            && let Some(idx) = next.filter(|n| is_index(n))
        {
            let n = idx.parse::<usize>().map_or(0, |n| n + 1);
            let base = with_rest(&owner, &rest);
            rest.clear();
            owner = format!("docker image {n} of {base}");
            i += 2;
            continue;
        }
        if is_index(seg) {
            let n = seg.parse::<usize>().map_or(0, |n| n + 1);
            if let Some(last) = rest.last_mut() {
                *last = format!("{last}[{n}]");
            } else {
                rest.push(format!("item {n}"));
            }
        } else {
            rest.push(seg.clone());
        }
        i += 1;
    }
    let text = with_rest(&owner, &rest);
    if text.is_empty() {
        "the top level".to_string()
    } else {
        text
    }
}

fn with_rest(owner: &str, rest: &[String]) -> String {
    match (owner.is_empty(), rest.is_empty()) {
        (_, true) => owner.to_string(),
        (true, false) => format!("`{}`", rest.join(".")),
        (false, false) => format!("`{}` of {owner}", rest.join(".")),
    }
}

/// What was found instead: its kind, or (`quote`, for a short scalar) the value itself.
fn found_text(node: &Node, quote: bool) -> String {
    match &node.value {
        Value::Scalar(s) => match s.kind {
            ScalarKind::Null => "no value".to_string(),
            _ if quote && !s.text.contains('\n') && s.text.chars().count() <= 40 => {
                format!("`{}`", s.text)
            }
            _ => node.type_name().to_string(),
        },
        _ => node.type_name().to_string(),
    }
}

fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() > 60 {
        let cut: String = line.chars().take(57).collect();
        format!("{cut}...")
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A config with `n` jobs, each run by one workflow; `broken` jobs get a misspelt key.
    fn big_config(n: usize, broken: usize) -> String {
        let mut s = String::from("version: 2.1\njobs:\n");
        for i in 0..n {
            s.push_str(&format!(
                "  job-{i}:\n    docker:\n      - image: cimg/base:2024.01\n    {}:\n      - checkout\n      - run:\n          name: step {i}\n          command: make test-{i}\n",
                if i < broken { "steeps" } else { "steps" }
            ));
        }
        s.push_str("workflows:\n  main:\n    jobs:\n");
        for i in 0..n {
            s.push_str(&format!("      - job-{i}\n"));
        }
        s
    }

    #[test]
    fn findings_are_capped() {
        let valid = crate::yaml::parse(&big_config(2_000, 0));
        assert!(check(valid.root.as_ref().unwrap(), None).is_empty());
        let capped = |n: usize, broken: usize| {
            let doc = crate::yaml::parse(&big_config(n, broken));
            check(doc.root.as_ref().unwrap(), None)
        };
        // 300 misspelt `steps` (two validator errors each): 300 findings, 200 shown.
        let out = capped(2_000, 300);
        assert_eq!(out.len(), MAX_FINDINGS + 1);
        assert_eq!(
            out.last().unwrap().message,
            "200 schema findings shown; 100 more were not reported"
        );
        // So many errors that not all are examined: the note cannot count them.
        let out = capped(2_000, 1_000);
        assert_eq!(out.len(), MAX_FINDINGS + 1);
        assert_eq!(
            out.last().unwrap().message,
            "200 schema findings shown; more were not reported"
        );
    }

    /// Every YAML file under `dir`, recursively.
    fn yaml_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                yaml_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                out.push(p);
            }
        }
    }

    #[test]
    fn checking_by_parts_agrees_with_the_whole_schema() {
        let c = compiled();
        let parts = c.parts().expect("the embedded schema splits by section");
        let mut files = Vec::new();
        for dir in ["tests/fixtures", "examples", "src/rules/docs"] {
            yaml_files(std::path::Path::new(dir), &mut files);
        }
        // Hand-made cases around the split: entries with the same key text, a section that is
        // not a mapping, `workflows: version:`, an open top-level key holding anything.
        let mut texts: Vec<String> = files
            .iter()
            .filter_map(|f| std::fs::read_to_string(f).ok())
            .collect();
        // The examples of the rules' docs (whole configs in ```yaml blocks).
        let docs = std::fs::read_dir("src/rules/docs").expect("the rules' docs");
        for doc in docs
            .flatten()
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        {
            for block in doc.split("```yaml").skip(1) {
                texts.push(block.split("```").next().unwrap_or("").to_string());
            }
        }
        texts.extend(
            [
                "version: 2.1\njobs:\n  1: {docker: [{image: a}], steps: [checkout]}\n  \"1\": {steps: [checkout]}\n",
                "version: 2.1\njobs:\n  \"1\": {steps: [checkout]}\n  1: {docker: [{image: a}], steps: [checkout]}\n",
                "version: 2.1\njobs: [a]\n",
                "version: 2.1\njobs: {}\nworkflows: {version: 2, w: {jobs: [a]}}\n",
                "version: 2.1\nworkflows: {version: [2], w: {jobs: [a]}}\n",
                "version: 2.1\nworkflows: {w: {jobss: [a]}}\n",
                "version: 2.1\naliases: [{a: 1}, [2]]\nx-y: {z: 1}\n",
                "version: 3\n",
                "jobs: {a: {steps: [checkout]}}\n",
                "- version: 2.1\n",
                "version: 2.1\n1: 2\ntrue: x\n",
            ]
            .map(String::from),
        );
        let (mut valid, mut invalid) = (0, 0);
        for text in &texts {
            let doc = crate::yaml::parse(text);
            let Some(root) = doc.root.as_ref() else {
                continue;
            };
            let whole = c.validator.is_valid(&crate::yaml::to_json(root));
            assert_eq!(parts.is_valid(root), whole, "{text}");
            let orb = compiled_orb();
            if let Some(orb_parts) = orb.parts() {
                let whole = orb.validator.is_valid(&crate::yaml::to_json(root));
                assert_eq!(orb_parts.is_valid(root), whole, "as an orb: {text}");
            }
            if whole {
                valid += 1;
            } else {
                invalid += 1;
            }
        }
        assert!(
            valid > 30 && invalid > 10,
            "{valid} valid, {invalid} invalid"
        );
    }

    #[test]
    fn the_embedded_schema_compiles() {
        assert!(compiled().schema.get("definitions").is_some());
        assert!(
            compiled()
                .validator
                .is_valid(&serde_json::json!({"version": 2.1}))
        );
    }

    #[test]
    fn pointers_are_unescaped_segments() {
        assert_eq!(pointer_segments(""), Vec::<String>::new());
        assert_eq!(
            pointer_segments("/jobs/a~1b~0c/steps/0"),
            vec!["jobs", "a/b~c", "steps", "0"]
        );
    }

    #[test]
    fn places_in_words() {
        let doc = crate::yaml::parse(
            "workflows:\n  main:\n    jobs:\n      - test:\n          filters: {}\n",
        );
        let root = doc.root.as_ref().unwrap();
        let path = |p: &str| pointer_segments(p);
        assert_eq!(place(root, &path("/jobs/build")), "job `build`");
        assert_eq!(
            place(root, &path("/jobs/build/steps/2/run")),
            "step 3 (`run`) of job `build`"
        );
        assert_eq!(
            place(root, &path("/jobs/build/docker/0/auth")),
            "`auth` of docker image 1 of job `build`"
        );
        assert_eq!(
            place(root, &path("/workflows/main/jobs/0/test/filters")),
            "`filters` of job `test` in workflow `main`"
        );
        assert_eq!(
            place(root, &path("/commands/c/steps/0/when/steps/1")),
            "step 2 of step 1 (`when`) of command `c`"
        );
        assert_eq!(place_in(root, &[]), "at the top level");
    }
}
