//! From the validator's errors to leaves: one simple error each, `anyOf`/`oneOf` resolved.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, ValidationError};
use serde_json::Value as Json;

/// What one simple error says.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Kind {
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
pub(super) enum Expected {
    Type(&'static str),
    OneOf(Vec<String>),
}

#[derive(Clone, Debug)]
pub(super) struct Leaf {
    /// Instance path, as strings.
    pub(super) path: Vec<String>,
    pub(super) kind: Kind,
}

pub(super) fn pointer_segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

pub(super) fn flatten(err: &ValidationError<'_>, out: &mut Vec<Leaf>) {
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

pub(super) fn json_scalar_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(super) fn expected_types(kind: &TypeKind) -> Vec<Expected> {
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
pub(super) fn choose_branch(
    path: &[String],
    context: &[Vec<ValidationError<'static>>],
    out: &mut Vec<Leaf>,
) {
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
