//! Rules whose findings the schema check (`crate::schema`) makes.

use super::Rule;
use crate::diagnostic::Severity;

pub static UNKNOWN_KEY: Rule = Rule {
    id: "unknown-key",
    severity: Severity::Error,
    summary: "a key CircleCI does not know at this place (often a misspelling)",
    explanation: include_str!("docs/unknown-key.md"),
    category: super::Category::Correctness,
    check: None,
};

pub static INVALID_VALUE: Rule = Rule {
    id: "invalid-value",
    severity: Severity::Error,
    summary: "a value of the wrong kind (a string where a number or a mapping is needed, an unknown option)",
    explanation: include_str!("docs/invalid-value.md"),
    category: super::Category::Correctness,
    check: None,
};

pub static MISSING_KEY: Rule = Rule {
    id: "missing-key",
    severity: Severity::Error,
    summary: "a key CircleCI requires is absent (`version`, a job's `steps`, a docker `image`...)",
    explanation: include_str!("docs/missing-key.md"),
    category: super::Category::Correctness,
    check: None,
};
