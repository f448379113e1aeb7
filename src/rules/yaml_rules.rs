//! `yaml-syntax`, `yaml-limits`, `duplicate-key`: what the YAML loader finds while it reads the
//! file (`crate::yaml`, the builder and its error messages). Each rule reports the loader's
//! findings of its kind; they are the only rules that report on a file the loader could not
//! read whole.

use super::{Rule, report_stage};
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::yaml::Problem;

pub static YAML_SYNTAX: Rule = Rule {
    id: "yaml-syntax",
    severity: Severity::Error,
    summary: "the file is not valid YAML",
    explanation: include_str!("docs/yaml-syntax.md"),
    category: super::Category::Correctness,
    check: Some(|cx, out| loader(cx, &YAML_SYNTAX, Problem::Syntax, out)),
};

pub static YAML_LIMITS: Rule = Rule {
    id: "yaml-limits",
    severity: Severity::Warning,
    summary: "the file exceeds a safety limit (size, nesting depth or alias expansion)",
    explanation: include_str!("docs/yaml-limits.md"),
    category: super::Category::Correctness,
    check: Some(|cx, out| loader(cx, &YAML_LIMITS, Problem::Limit, out)),
};

pub static DUPLICATE_KEY: Rule = Rule {
    id: "duplicate-key",
    severity: Severity::Warning,
    summary: "a mapping has the same key twice; the later value silently replaces the earlier one",
    explanation: include_str!("docs/duplicate-key.md"),
    category: super::Category::Correctness,
    check: Some(|cx, out| loader(cx, &DUPLICATE_KEY, Problem::DuplicateKey, out)),
};

fn loader(cx: &Context, rule: &'static Rule, kind: Problem, out: &mut Vec<Diagnostic>) {
    report_stage(rule, &cx.doc.findings, kind, out);
}
