//! The rules of `cilint check --orb`: findings about an orb's source folder itself (the files
//! `circleci orb pack` assembles). [`crate::config::orb_source::assemble`] finds them while it
//! reads the folder; each rule reports the findings of its kind. Everything else about the orb
//! (its jobs, commands, executors, parameters, examples) is found by the ordinary rules.

use super::{Rule, report_stage};
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::config::orb_source::OrbProblem;

fn folder(cx: &Context, rule: &'static Rule, kind: OrbProblem, out: &mut Vec<Diagnostic>) {
    if let Some(found) = cx.orb_source {
        report_stage(rule, found, kind, out);
    }
}

pub static ORB_ROOT_MISSING: Rule = Rule {
    id: "orb-root-missing",
    severity: Severity::Error,
    summary: "an orb source folder has no `@orb.yml`",
    explanation: include_str!("docs/orb-root-missing.md"),
    category: super::Category::Correctness,
    check: Some(|cx, out| folder(cx, &ORB_ROOT_MISSING, OrbProblem::RootMissing, out)),
};

pub static ORB_INCLUDE_MISSING: Rule = Rule {
    id: "orb-include-missing",
    severity: Severity::Error,
    summary: "`<<include(file)>>` names a file that is not in the orb source folder",
    explanation: include_str!("docs/orb-include-missing.md"),
    category: super::Category::Correctness,
    check: Some(|cx, out| folder(cx, &ORB_INCLUDE_MISSING, OrbProblem::IncludeMissing, out)),
};

pub static ORB_INCLUDE_NOT_WHOLE: Rule = Rule {
    id: "orb-include-not-whole",
    severity: Severity::Error,
    summary: "`<<include(file)>>` is only part of a value, which makes `circleci orb pack` fail",
    explanation: include_str!("docs/orb-include-not-whole.md"),
    category: super::Category::Correctness,
    check: Some(|cx, out| folder(cx, &ORB_INCLUDE_NOT_WHOLE, OrbProblem::IncludeNotWhole, out)),
};

pub static ORB_SOURCE_FILE: Rule = Rule {
    id: "orb-source-file",
    severity: Severity::Warning,
    summary: "a file or folder in an orb source folder that `circleci orb pack` does not read as a member",
    explanation: include_str!("docs/orb-source-file.md"),
    category: super::Category::Correctness,
    check: Some(|cx, out| folder(cx, &ORB_SOURCE_FILE, OrbProblem::SourceFile, out)),
};

pub static ORB_METADATA: Rule = Rule {
    id: "orb-metadata",
    severity: Severity::Warning,
    summary: "an orb lacks the description or links that the orb registry shows",
    explanation: include_str!("docs/orb-metadata.md"),
    category: super::Category::Correctness,
    check: Some(|cx, out| folder(cx, &ORB_METADATA, OrbProblem::Metadata, out)),
};

pub static ORB_UNUSED_SCRIPT: Rule = Rule {
    id: "orb-unused-script",
    severity: Severity::Info,
    summary: "a file under `scripts/` that no `<<include(...)>>` uses",
    explanation: include_str!("docs/orb-unused-script.md"),
    category: super::Category::Correctness,
    check: Some(|cx, out| folder(cx, &ORB_UNUSED_SCRIPT, OrbProblem::UnusedScript, out)),
};

pub static ORB_SCRIPT_PARAMETER: Rule = Rule {
    id: "orb-script-parameter",
    severity: Severity::Warning,
    summary: "a `<< parameters.x >>` inside an included script, which `circleci orb pack` leaves as literal text",
    explanation: include_str!("docs/orb-script-parameter.md"),
    category: super::Category::Correctness,
    check: Some(|cx, out| folder(cx, &ORB_SCRIPT_PARAMETER, OrbProblem::ScriptParameter, out)),
};
