//! The rules of a config packed from a folder (`cilint check --pack`, `cilint pack`, `cilint
//! expand FOLDER`): findings about the folder itself, which [`crate::config::pack::assemble`]
//! makes while it packs; each rule reports the findings of its kind. Everything else about the
//! packed config is found by the ordinary rules, in the files it came from.

use super::{Rule, report_stage};
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::config::pack::PackProblem;

fn folder(cx: &Context, rule: &'static Rule, kind: PackProblem, out: &mut Vec<Diagnostic>) {
    if let Some(found) = cx.pack {
        report_stage(rule, found, kind, out);
    }
}

pub static PACK_CONFLICT: Rule = Rule {
    id: "pack-conflict",
    severity: Severity::Error,
    summary: "two files of a packed config folder give the same key, and packing keeps only one",
    explanation: include_str!("docs/pack-conflict.md"),
    category: super::Category::Correctness,
    check: Some(|cx, out| folder(cx, &PACK_CONFLICT, PackProblem::Conflict, out)),
};

pub static PACK_FILE: Rule = Rule {
    id: "pack-file",
    severity: Severity::Error,
    summary: "a file of a packed config folder is not a mapping, which `circleci config pack` refuses",
    explanation: include_str!("docs/pack-file.md"),
    category: super::Category::Correctness,
    check: Some(|cx, out| folder(cx, &PACK_FILE, PackProblem::NotMapping, out)),
};
