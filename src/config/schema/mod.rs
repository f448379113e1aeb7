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

mod describe;
mod findings;
pub use describe::{PathStep, description as key_description, keys as keys_at};
mod leaves;
mod words;

use crate::base::diagnostic::{Finding, Severity};
use crate::base::span::Span;
use crate::yaml::Node;
use serde_json::Value as Json;
use std::sync::OnceLock;

use findings::*;
use leaves::*;
use words::*;

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
pub const SCHEMA_DATE: &str = "2026-12-03";

/// The schema text, as shipped.
pub const SCHEMA_SOURCE: &str = include_str!("../../../schema/circleci-config.schema.json");

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
