//! Rules whose findings the YAML loader and the suppression pass make.

use super::Rule;
use crate::diagnostic::Severity;

pub static YAML_SYNTAX: Rule = Rule {
    id: "yaml-syntax",
    severity: Severity::Error,
    summary: "the file is not valid YAML",
    explanation: include_str!("docs/yaml-syntax.md"),
    category: super::Category::Correctness,
    check: None,
};

pub static YAML_LIMITS: Rule = Rule {
    id: "yaml-limits",
    severity: Severity::Warning,
    summary: "the file exceeds a safety limit (size, nesting depth or alias expansion)",
    explanation: include_str!("docs/yaml-limits.md"),
    category: super::Category::Correctness,
    check: None,
};

pub static DUPLICATE_KEY: Rule = Rule {
    id: "duplicate-key",
    severity: Severity::Warning,
    summary: "a mapping has the same key twice; the later value silently replaces the earlier one",
    explanation: include_str!("docs/duplicate-key.md"),
    category: super::Category::Correctness,
    check: None,
};

pub static UNUSED_SUPPRESSION: Rule = Rule {
    id: "unused-suppression",
    severity: Severity::Warning,
    summary: "a `# cilint: ignore` comment suppresses nothing, or names an unknown rule",
    explanation: include_str!("docs/unused-suppression.md"),
    category: super::Category::Correctness,
    check: None,
};
