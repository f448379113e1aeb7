//! From leaves to findings people can act on: one mistake, one finding, in words.

use super::*;

use crate::base::diagnostic::{Finding, Fix, Severity};
use crate::base::span::Span;
use crate::base::text::{closest, did_you_mean};
use crate::base::text::{join_and, join_or};
use crate::config::model::shape;
use crate::yaml::Node;
use serde_json::Value as Json;
use std::collections::HashSet;

/// "a job", "an executor".
/// "a job", "an executor".
pub(super) fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

/// Whether `node` is valid against `sub`, a part of the schema `root` (its `$ref`s resolved
/// against `root`'s definitions).
pub(super) fn fits(root: &Json, sub: &Json, node: &Node) -> bool {
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
pub(super) fn unconfirmed_mismatch(path: &[String], node: &Node) -> Option<&'static str> {
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

/// Whether `path` leads into a logic statement: a `when`/`unless` step's `condition`, or a
/// workflow's `when`/`unless`, at any depth of `and`, `or` and `not`.
pub(super) fn in_logic_statement(path: &[String]) -> bool {
    let workflow_condition =
        path.len() >= 3 && path[0] == "workflows" && matches!(path[2].as_str(), "when" | "unless");
    workflow_condition
        || path
            .windows(2)
            .any(|w| matches!(w[0].as_str(), "when" | "unless") && w[1] == "condition")
}

/// Places where CircleCI accepts keys it does not know, and the evidence: an unknown key there
/// is reported as a warning (likely a typo, but the config still runs). `schema_at` is the
/// schema location of the mapping that holds the key.
pub(super) fn tolerated_unknown_keys(schema_at: &str) -> Option<&'static str> {
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
    // Keys of these objects themselves (not of what is nested in them).
    const TOLERANT_HERE: &[(&str, &str)] = &[(
        "/definitions/workflow",
        "a public config ran its nightly workflows with a `description` key for months, and CircleCI's editor schema allows more keys on a workflow",
    )];
    TOLERANT
        .iter()
        .find(|(at, _)| schema_at.starts_with(at))
        .or_else(|| TOLERANT_HERE.iter().find(|(at, _)| schema_at == *at))
        .map(|(_, why)| *why)
}

pub(super) struct Findings<'a> {
    pub(super) root: &'a Node,
    pub(super) source: Option<&'a str>,
    pub(super) schema: &'a Json,
    pub(super) diags: Vec<SchemaFinding>,
    pub(super) seen: HashSet<(SchemaProblem, Span, String)>,
}

/// Collections of named items, and what the items are called.
pub(super) const COLLECTIONS: &[(&str, &str, &str)] = &[
    ("jobs", "job", "/definitions/job"),
    ("workflows", "workflow", "/definitions/workflow"),
    ("commands", "command", "/definitions/command"),
    ("executors", "executor", "/definitions/executor"),
];

impl<'a> Findings<'a> {
    pub(super) fn new(root: &'a Node, source: Option<&'a str>, schema: &'a Json) -> Findings<'a> {
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

    pub(super) fn build(&mut self, mut leaves: Vec<Leaf>) {
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
            // A workflow's `when`/`unless` with a mapping that is no logic statement: CircleCI
            // compiles it and takes the mapping as true, which `constant-condition` reports.
            if schema_at.starts_with("/definitions/logic") {
                continue;
            }
            let mut d = match tolerated_unknown_keys(schema_at) {
                None => Finding::new(SchemaProblem::UnknownKey, key_node.span, format!("unknown key `{key}` {where_}"))
                    .label(unknown_label(schema_at))
                    .help(help),
                // A `description:` documents the step or workflow; ignored, it changes nothing
                // (jobs, commands and executors have the key, so writing one here is natural).
                Some(why) if key == "description" => Finding::new(SchemaProblem::UnknownKey,
                        key_node.span,
                        format!("`description` {where_} is not a documented key: CircleCI accepts it here ({why}) and ignores it"),
                    )
                    .severity(Severity::Info)
                    .label("ignored by CircleCI")
                    .help("keep it as documentation, or turn it into a YAML comment (`# ...`) so nobody expects CircleCI to show it"),
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
            if let [best] = closest(key, allowed.iter().copied()).as_slice() {
                d = d.fix_opt(self.rename_fix(object, key_node, best));
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
        let d = if in_logic_statement(&leaf.path) {
            // A logic statement with two keys (`- not:` with its `equal:` beside it instead of
            // under it) compiled: DataDog/dd-trace-php ran such a step condition through 42
            // commits of its config (2023-03 to 2023-05). Likely a slip, not a rejection.
            let mut d = d.severity(Severity::Warning).help(
                "keep one key per item: indent the key that belongs under the other (`not:` then `equal:` under it), or give it its own item",
            );
            d.message = format!(
                "{} (CircleCI accepts it, but a logic statement takes one key per item: the others are most often meant one level deeper)",
                d.message
            );
            d
        } else {
            d
        };
        self.push(d, format!("too many {subject}"));
    }

    /// A top-level key CircleCI does not know is accepted (real configs keep anchors there),
    /// unless it is a close misspelling of `version`, `jobs` or `workflows` and the config lacks
    /// that key (`vesion:` without `version:`). Other top-level keys are left alone: a misspelt
    /// `orbs:` or `commands:` shows up as the references that fail, and names such as
    /// `setupcuda:` are real anchor holders.
    pub(super) fn top_level_typos(&mut self, leaves: &[Leaf]) {
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
                ))
                .fix_opt(self.rename_fix(self.root, key, best));
            self.push(d, format!("unknown {name}"));
        }
    }
}

/// A missing required key and an unknown key close to it in the same mapping are one mistake:
/// replace both by one `Unknown` report that says so.
pub(super) fn merge_misspelt_required(leaves: Vec<Leaf>, root: &Node) -> Vec<Leaf> {
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
        .help(format!("rename `{typo}` to `{key}`"))
        .fix_opt(self.rename_fix(object, key_node, key));
        self.push(d, format!("unknown {typo}"));
    }

    /// The fix of a misspelt key: rename it, inside its quotes, unless the mapping already has
    /// the right key or the key came through an alias.
    fn rename_fix(&self, object: &Node, key: &Node, to: &str) -> Option<Fix> {
        let src = self.source?;
        if object.alias.is_some() || object.get(to).is_some() {
            return None;
        }
        let edit = crate::yaml::edit::replace_scalar(src, key, to)?;
        Some(Fix::safe(
            format!("rename `{}` to `{to}`", key.scalar_text()?),
            vec![edit],
        ))
    }
}

/// The label of an unknown key: what the mapping is, from the schema definition it failed.
pub(super) fn unknown_label(schema_at: &str) -> String {
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

pub(super) fn missing_help(keys: &[String], any_of: bool) -> String {
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

pub(super) fn mismatch_help(path: &[String], node: &Node, expected: &str) -> String {
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
