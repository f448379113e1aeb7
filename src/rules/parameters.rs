//! `undefined-parameter`, `unknown-pipeline-value`, `unused-parameter`: the `<< ... >>`
//! references of a config, checked against the parameters in scope.
//!
//! A job, command or executor sees its own `parameters:` as `<< parameters.x >>`; the whole
//! config sees its pipeline parameters as `<< pipeline.parameters.x >>` and CircleCI's built-in
//! values as `<< pipeline.x >>`. Sections (`<<# parameters.x >>...<</ parameters.x >>`,
//! `<<^ ... >>`) are references like any other.

use super::Rule;
use crate::analysis::context::Context;
use crate::analysis::references::{Found, member_references, members, references_under};
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::span::Span;
use std::collections::HashMap;
use crate::base::text::did_you_mean;
use crate::config::model::Config;
use crate::lang::mustache::{self, RefForm, RefKind, Reference};

pub static UNDEFINED_PARAMETER: Rule = Rule {
    id: "undefined-parameter",
    severity: Severity::Error,
    summary: "`<< parameters.x >>` or `<< pipeline.parameters.x >>` names a parameter that is not declared",
    explanation: include_str!("docs/undefined-parameter.md"),
    category: super::Category::Correctness,
    check: Some(check_undefined),
};

pub static UNKNOWN_PIPELINE_VALUE: Rule = Rule {
    id: "unknown-pipeline-value",
    severity: Severity::Error,
    summary: "`<< pipeline.x >>` is not one of CircleCI's built-in pipeline values",
    explanation: include_str!("docs/unknown-pipeline-value.md"),
    category: super::Category::Correctness,
    check: Some(check_pipeline_values),
};

pub static UNUSED_PARAMETER: Rule = Rule {
    id: "unused-parameter",
    severity: Severity::Warning,
    summary: "a parameter is declared and never referenced",
    explanation: include_str!("docs/unused-parameter.md"),
    category: super::Category::Correctness,
    check: Some(check_unused),
};

/// Every reference under the config's root, found once per file.
fn root_references<'c>(cx: &'c Context<'_>) -> &'c [Found] {
    cx.references.get_or_init(|| {
        let mut found = Vec::new();
        if let Some(root) = cx.config.root {
            references_under(cx.source, root, &mut found);
        }
        found
    })
}

/// [`member_references`] of every member of every scope, found once per file, in the order
/// of `cx.scopes()` then [`members`].
fn all_member_references<'c>(cx: &'c Context<'_>) -> &'c [Vec<Found>] {
    cx.member_references.get_or_init(|| {
        let mut all = Vec::new();
        for scope in cx.scopes() {
            for m in members(scope.config) {
                all.push(member_references(cx.source, m.node));
            }
        }
        all
    })
}

/// Every inline orb of `cfg` (at any depth) with the span of its definition.
fn inline_orbs<'a>(cfg: &Config<'a>) -> Vec<(&'a str, Span)> {
    let mut out = Vec::new();
    for decl in &cfg.orbs {
        if let crate::config::model::OrbSource::Inline(inner) = &decl.source {
            out.push((decl.alias.text, decl.node.span));
            out.extend(inline_orbs(inner));
        }
    }
    out
}

/// A parameter reference a rule reads: a plain reference or a section opening (the closing
/// tag repeats the name and is not reported again).
fn counts(r: &Reference) -> bool {
    r.form != RefForm::SectionEnd
}

fn check_undefined(cx: &Context, out: &mut Vec<Diagnostic>) {
    let mut refs = all_member_references(cx).iter();
    for scope in cx.scopes() {
        for m in members(scope.config) {
            for f in refs.next().into_iter().flatten() {
                let r = &f.reference;
                if r.kind != RefKind::Parameter || f.in_declarations || !counts(r) {
                    continue;
                }
                if m.parameters.iter().any(|p| p.name.text == r.name) {
                    continue;
                }
                let declared: Vec<&str> = m.parameters.iter().map(|p| p.name.text).collect();
                let help = did_you_mean(&r.name, declared.iter().copied()).unwrap_or_else(|| {
                    format!(
                        "declare `{}` under the {}'s `parameters:` (with a `type:`), or remove the reference",
                        r.name, m.what
                    )
                });
                let mut d = UNDEFINED_PARAMETER
                    .at(
                        f.span,
                        format!(
                            "{} `{}` uses `<< parameters.{} >>` but declares no parameter `{}`{}",
                            m.what,
                            m.name,
                            r.name,
                            r.name,
                            scope.suffix()
                        ),
                    )
                    .label("not a parameter of this ".to_string() + m.what)
                    .help(help);
                if let Some(at) = f.alias {
                    d = d.with_label(at, "used here through an alias");
                }
                out.push(d);
            }
        }
    }
    // Pipeline parameters: declared at the top level, and not visible inside an orb (an inline
    // orb resolves its references in its own scope: since 2026-09-21 CircleCI rejects a
    // pipeline parameter used there, which before silently became null).
    if cx.config.root.is_none() {
        return;
    }
    let found = root_references(cx);
    let declared: Vec<&str> = cx.config.parameters.iter().map(|p| p.name.text).collect();
    let orbs: Vec<(&str, Span)> = inline_orbs(cx.config);
    let mut seen: Vec<Span> = Vec::new();
    for f in found {
        let r = &f.reference;
        if r.kind != RefKind::PipelineParameter || !counts(r) || seen.contains(&f.span) {
            continue;
        }
        let at = f.alias.unwrap_or(f.span);
        if let Some((orb, _)) = orbs
            .iter()
            .find(|(_, s)| s.contains(at))
        {
            seen.push(f.span);
            let mut d = UNDEFINED_PARAMETER
                .at(
                    f.span,
                    format!(
                        "inline orb `{orb}` uses `<< pipeline.parameters.{} >>`, but an orb cannot see pipeline parameters: CircleCI rejects this since 2026-09-21 (before, it silently became null)",
                        r.name
                    ),
                )
                .label("not in scope inside an orb")
                .help(format!(
                    "declare a parameter on the orb's job or command and pass `<< pipeline.parameters.{} >>` to it from the workflow or job that calls it",
                    r.name
                ));
            if let Some(alias) = f.alias {
                d = d.with_label(alias, "used here through an alias");
            }
            out.push(d);
            continue;
        }
        if declared.contains(&r.name.as_str()) {
            continue;
        }
        seen.push(f.span);
        if cx.is_orb_source() {
            out.push(
                UNDEFINED_PARAMETER
                    .at(
                        f.span,
                        format!(
                            "an orb cannot use `<< pipeline.parameters.{} >>`: CircleCI rejects pipeline parameters inside an orb since 2026-09-21 (before, they silently became null)",
                            r.name
                        ),
                    )
                    .label("not in scope inside an orb")
                    .help("take the value as a parameter of the job or command, which a config can pass `<< pipeline.parameters.x >>` to"),
            );
            continue;
        }
        let help = did_you_mean(&r.name, declared.iter().copied()).unwrap_or_else(|| {
            format!(
                "declare `{}` under the top-level `parameters:` (with a `type:` and a `default:`)",
                r.name
            )
        });
        out.push(
            UNDEFINED_PARAMETER
                .at(
                    f.span,
                    format!(
                        "`<< pipeline.parameters.{} >>` names no declared pipeline parameter",
                        r.name
                    ),
                )
                .label("not a pipeline parameter")
                .help(help),
        );
    }
}

fn check_pipeline_values(cx: &Context, out: &mut Vec<Diagnostic>) {
    let found = root_references(cx);
    let mut seen: Vec<Span> = Vec::new();
    for f in found {
        let r = &f.reference;
        if r.kind != RefKind::PipelineValue
            || !counts(r)
            || mustache::is_builtin_pipeline_value(&r.full_name)
            || seen.contains(&f.span)
        {
            continue;
        }
        seen.push(f.span);
        let help = did_you_mean(
            &r.full_name,
            mustache::builtin_pipeline_values().iter().copied(),
        )
        .unwrap_or_else(|| {
            "see CircleCI's pipeline values reference for the names it provides; for a value of your own, declare a pipeline parameter and use `<< pipeline.parameters.x >>`".to_string()
        });
        out.push(
            UNKNOWN_PIPELINE_VALUE
                .at(
                    f.span,
                    format!("`{}` is not a built-in pipeline value", r.full_name),
                )
                .label("unknown pipeline value")
                .help(help),
        );
    }
}

/// Whether one of `refs` is a `kind` reference to `name`.
fn refers_to(refs: &[Found], kind: RefKind, name: &str) -> bool {
    refs.iter()
        .any(|f| f.reference.kind == kind && f.reference.name == name)
}

/// One parameter declaration and the members that declare it (several when a `parameters:`
/// block in an anchor is merged into them).
struct Declaration {
    span: Span,
    name: String,
    /// What the members are: `job`, `command` or `executor`.
    what: &'static str,
    /// The members that do not use it, quoted.
    unused_by: Vec<String>,
    /// Where they are (` in inline orb ...`).
    suffix: String,
    /// Some member uses it.
    used: bool,
}

fn check_unused(cx: &Context, out: &mut Vec<Diagnostic>) {
    // One declaration can serve several members: a `parameters:` block in an anchor that jobs
    // merge with `<<:`. It is unused only when none of them uses it, and then reported once,
    // naming them all.
    let mut decls: Vec<Declaration> = Vec::new();
    let mut at: HashMap<Span, usize> = HashMap::new();
    let mut all = all_member_references(cx).iter();
    for scope in cx.scopes() {
        for m in members(scope.config) {
            let refs = all.next().map_or(&[][..], Vec::as_slice);
            for p in m.parameters {
                let used = refers_to(refs, RefKind::Parameter, p.name.text);
                let i = *at.entry(p.name.span).or_insert_with(|| {
                    decls.push(Declaration {
                        span: p.name.span,
                        name: p.name.text.to_string(),
                        what: m.what,
                        unused_by: Vec::new(),
                        suffix: scope.suffix(),
                        used: false,
                    });
                    decls.len() - 1
                });
                let d = &mut decls[i];
                d.used |= used;
                if !used {
                    d.unused_by.push(format!("`{}`", m.name));
                }
            }
        }
    }
    for d in decls.into_iter().filter(|d| !d.used) {
        let (name, what) = (&d.name, d.what);
        let of = match d.unused_by.as_slice() {
            [one] => format!("{what} {one}"),
            many => format!("{what}s {}", crate::base::text::join_and(many)),
        };
        out.push(
            UNUSED_PARAMETER
                .at(
                    d.span,
                    format!("parameter `{name}` of {of} is never used{}", d.suffix),
                )
                .label("declared here, never referenced")
                .help(format!(
                    "use it as `<< parameters.{name} >>` in the {what}, or remove the declaration"
                )),
        );
    }
    // Pipeline parameters. A setup config declares the parameters its trigger may send even
    // when it only passes them on, so it is not checked.
    if cx.config.setup || cx.config.parameters.is_empty() {
        return;
    }
    let found = root_references(cx);
    for p in &cx.config.parameters {
        if refers_to(found, RefKind::PipelineParameter, p.name.text) {
            continue;
        }
        out.push(
            UNUSED_PARAMETER
                .at(
                    p.name.span,
                    format!("pipeline parameter `{}` is never used", p.name),
                )
                // A trigger (the API, a GitHub Action, a schedule) may pass it: CircleCI rejects
                // a pipeline given a parameter the config does not declare, so an unused
                // declaration can be needed. Worth knowing, not a likely bug.
                .severity(Severity::Info)
                .label("declared here, never referenced")
                .help(format!(
                    "use it as `<< pipeline.parameters.{} >>` (for example in a workflow's `when:`); remove the declaration only if no trigger passes it, since CircleCI rejects a pipeline given an undeclared parameter",
                    p.name
                )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::settings::Settings;
    use crate::rules::env_vars::tests::run_rule;

    const SHARED: &str = "version: 2.1\ndefaults: &defaults\n  parameters:\n    edge:\n      type: boolean\n      default: false\n  docker: [{image: cimg/base:2024.01}]\njobs:\n  a:\n    <<: *defaults\n    steps: [{run: make a}]\n  b:\n    <<: *defaults\n    steps: [{run: make b}]\nworkflows:\n  w:\n    jobs: [a, b]\n";

    #[test]
    fn a_declaration_shared_through_an_anchor_is_reported_once() {
        let found = run_rule(&UNUSED_PARAMETER, SHARED, &Settings::default());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "parameter `edge` of jobs `a` and `b` is never used"
        );
        // Used by one of the jobs that share it: the declaration is needed.
        let used = SHARED.replace("make b", "make b << parameters.edge >>");
        assert!(run_rule(&UNUSED_PARAMETER, &used, &Settings::default()).is_empty());
    }
}
