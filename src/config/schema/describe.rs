//! What the schema says about a place in a config: the description of a key, and the keys a
//! mapping may have (for an editor's hover and completion).

use super::compiled;
use serde_json::Value as Json;

/// One step of a path into a config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    Key(String),
    Index,
}

/// Definitions whose description says nothing about a particular key (a generic type).
const GENERIC: &[&str] = &[
    "interpolated",
    "text",
    "string",
    "boolean",
    "integer",
    "string_list",
];

/// The schemas `schema` stands for: itself, what it refers to, and its alternatives.
fn expand<'s>(root: &'s Json, schema: &'s Json, depth: usize, out: &mut Vec<&'s Json>) {
    if depth > 16 {
        return;
    }
    out.push(schema);
    if let Some(r) = schema.get("$ref").and_then(Json::as_str)
        && let Some(target) = r.strip_prefix('#').and_then(|p| root.pointer(p))
    {
        expand(root, target, depth + 1, out);
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        for alt in schema
            .get(key)
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            expand(root, alt, depth + 1, out);
        }
    }
}

/// The schemas of a child `step` of any of `schemas`.
fn child<'s>(root: &'s Json, schemas: &[&'s Json], step: &PathStep) -> Vec<&'s Json> {
    let mut out = Vec::new();
    for s in schemas {
        let found: Vec<&Json> = match step {
            PathStep::Key(k) => {
                if let Some(p) = s.get("properties").and_then(|p| p.get(k)) {
                    vec![p]
                } else if let Some(pp) = s.get("patternProperties").and_then(Json::as_object) {
                    pp.iter()
                        .filter(|(re, _)| regex::Regex::new(re).is_ok_and(|r| r.is_match(k)))
                        .map(|(_, v)| v)
                        .chain(s.get("additionalProperties").filter(|a| a.is_object()))
                        .collect()
                } else {
                    s.get("additionalProperties")
                        .filter(|a| a.is_object())
                        .into_iter()
                        .collect()
                }
            }
            PathStep::Index => match s.get("items") {
                Some(Json::Array(items)) => items.iter().collect(),
                Some(items) => vec![items],
                None => Vec::new(),
            },
        };
        for f in found {
            expand(root, f, 0, &mut out);
        }
    }
    out
}

/// The schemas at `path` from the top of a config, alternatives expanded.
fn at(path: &[PathStep]) -> Vec<&'static Json> {
    let root = &compiled().schema;
    let mut schemas = Vec::new();
    expand(root, root, 0, &mut schemas);
    for step in path {
        schemas = child(root, &schemas, step);
        if schemas.is_empty() {
            break;
        }
    }
    schemas
}

/// Whether a schema is a reference to a generic type only.
fn generic(s: &Json) -> bool {
    s.get("$ref")
        .and_then(Json::as_str)
        .and_then(|r| r.strip_prefix("#/definitions/"))
        .is_some_and(|d| GENERIC.contains(&d))
}

/// The description of the key at the end of `path` (the first the schema gives, skipping the
/// generic descriptions of plain types).
pub fn description(path: &[PathStep]) -> Option<String> {
    if path.is_empty() {
        return None;
    }
    let schemas = at(path);
    let own: Vec<&Json> = schemas
        .iter()
        .copied()
        .take_while(|s| !generic(s))
        .collect();
    own.iter()
        .chain(schemas.iter())
        .find_map(|s| s.get("description").and_then(Json::as_str))
        .filter(|_| !own.is_empty() || !schemas.is_empty())
        .map(str::to_string)
}

/// The keys the mapping at `path` may have, each with its description, in the schema's order.
pub fn keys(path: &[PathStep]) -> Vec<(String, Option<String>)> {
    let root = &compiled().schema;
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for s in at(path) {
        let Some(props) = s.get("properties").and_then(Json::as_object) else {
            continue;
        };
        for (k, v) in props {
            if out.iter().any(|(o, _)| o == k) {
                continue;
            }
            let mut alts = Vec::new();
            expand(root, v, 0, &mut alts);
            let text = alts
                .iter()
                .find_map(|a| a.get("description").and_then(Json::as_str))
                .map(str::to_string);
            out.push((k.clone(), text));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(parts: &[&str]) -> Vec<PathStep> {
        parts
            .iter()
            .map(|p| match *p {
                "#" => PathStep::Index,
                k => PathStep::Key(k.to_string()),
            })
            .collect()
    }

    #[test]
    fn describes_keys_and_lists_them() {
        assert!(
            description(&path(&["jobs"]))
                .unwrap()
                .contains("Job definitions")
        );
        assert!(description(&path(&["jobs", "build", "type"])).is_some());
        let job_keys = keys(&path(&["jobs", "build"]));
        assert!(job_keys.iter().any(|(k, _)| k == "steps"));
        assert!(job_keys.iter().any(|(k, _)| k == "docker"));
        let top: Vec<String> = keys(&[]).into_iter().map(|(k, _)| k).collect();
        assert!(top.contains(&"workflows".to_string()));
        let step = keys(&path(&["jobs", "b", "steps", "#"]));
        assert!(step.iter().any(|(k, _)| k == "save_cache"));
        let run = keys(&path(&["jobs", "b", "steps", "#", "run"]));
        assert!(run.iter().any(|(k, _)| k == "command"), "{run:?}");
    }
}
