//! Version rules: the retired configuration version 2.0, `workflows: version:`, empty configs.

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::base::span::Span;
use crate::config::model::Version;
use crate::yaml::Node;

pub static RETIRED_VERSION: Rule = Rule {
    id: "retired-version",
    severity: Severity::Error,
    summary: "the config is `version: 2` (or `2.0`), which CircleCI stopped compiling on 2026-09-21",
    explanation: include_str!("docs/retired-version.md"),
    category: super::Category::Correctness,
    check: Some(check_retired),
};

pub static OBSOLETE_WORKFLOWS_VERSION: Rule = Rule {
    id: "obsolete-workflows-version",
    severity: Severity::Info,
    summary: "`workflows: version:` is no longer needed in a version 2.1 config",
    explanation: include_str!("docs/obsolete-workflows-version.md"),
    category: super::Category::Correctness,
    check: Some(check_obsolete_workflows_version),
};

pub static EMPTY_CONFIG: Rule = Rule {
    id: "empty-config",
    severity: Severity::Error,
    summary: "the config defines no jobs and no workflows, so nothing can run",
    explanation: include_str!("docs/empty-config.md"),
    category: super::Category::Correctness,
    check: Some(check_empty),
};

/// What moving a version 2 config to 2.1 involves, for the help of `retired-version` and of the
/// findings that would fail after the move (see [`demote_for_retired_version`]).
const MOVE_HELP: &str = "change `version: 2` to `version: 2.1`. Version 2.1 reads `<<` in a `run` command as the start of a `<< parameter >>` expression (escape shell heredocs as `\\<<`), rejects keys that 2.0 ignored, and no longer needs `workflows: version: 2`; cilint reports each of these in this file as a warning";

fn check_retired(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((Version::V2, node)) = cx.config.version else {
        return;
    };
    out.push(
        RETIRED_VERSION
            .at(
                node.span,
                format!(
                    "configuration version {} is no longer compiled: since 2026-09-21 CircleCI only runs `version: 2.1` configs, so no pipeline starts from this file",
                    version_text(node)
                ),
            )
            .label("retired on 2026-09-21")
            .help(MOVE_HELP)
            .fix_opt(move_to_21(cx, node)),
    );
}

/// The move to 2.1 as one (unsafe) fix: `version: 2.1`, every unescaped `<<` of a `run`
/// command escaped as `\<<` (`\\<<` inside a double-quoted scalar), and `workflows: version`
/// dropped. What else 2.1 rejects is reported by the other rules.
fn move_to_21(cx: &Context, version: &Node) -> Option<Fix> {
    use crate::yaml::ScalarStyle;
    let mut edits = vec![crate::yaml::edit::replace_scalar(cx.source, version, "2.1")?];
    for (_, st) in cx.config.all_steps() {
        let Some(node) = st.run_command() else {
            continue;
        };
        let (Some(text), Some(scalar)) = (node.as_str(), node.as_scalar()) else {
            continue;
        };
        let escape = if scalar.style == ScalarStyle::DoubleQuoted {
            "\\\\"
        } else {
            "\\"
        };
        for at in super::heredoc::unescaped(text) {
            let span = crate::lang::mustache::source_span(cx.source, node, Span::new(at, at + 2));
            if span.slice(cx.source) != "<<" {
                return None; // a scalar whose text cannot be mapped back exactly
            }
            edits.push(Edit::insert(span.start as usize, escape));
        }
    }
    if let Some((key, value)) = cx.config.workflows_version {
        edits.extend(crate::yaml::edit::delete_entry(cx.source, key, value));
    }
    Some(Fix::unsafe_("move the config to `version: 2.1`", edits))
}

/// In a version 2 config, `retired-version` is the one error: CircleCI rejects the file for its
/// version before anything else. Every other error is what would fail once the config is moved
/// to 2.1, so it is reported as a warning that says so. Security findings keep their severity
/// (a leaked secret is leaked whatever the version).
pub fn demote_for_retired_version(cx: &Context, diagnostics: &mut [Diagnostic]) {
    if cx.config.version() != Some(Version::V2) {
        return;
    }
    for d in diagnostics.iter_mut() {
        if d.severity != Severity::Error
            || d.rule == RETIRED_VERSION.id
            || super::find(d.rule).is_some_and(|r| r.category.is_security())
        {
            continue;
        }
        d.severity = Severity::Warning;
        let note = "note: this config is version 2, which CircleCI no longer compiles (`retired-version`); this is what fails once it says `version: 2.1`";
        d.help = Some(match d.help.take() {
            Some(h) => format!("{h}\n{note}"),
            None => note.to_string(),
        });
    }
}

fn version_text(node: &Node) -> &str {
    node.scalar_text().unwrap_or("")
}

fn check_obsolete_workflows_version(cx: &Context, out: &mut Vec<Diagnostic>) {
    let cfg = cx.config;
    if cfg.version() != Some(Version::V21) {
        return;
    }
    if let Some((key, value)) = cfg.workflows_version {
        out.push(
            OBSOLETE_WORKFLOWS_VERSION
                .at(
                    key.span.cover(value.span),
                    format!(
                        "`workflows: version: {}` is no longer needed in a version 2.1 config",
                        version_text(value)
                    ),
                )
                .label("can be removed")
                .help("remove this line; version 2.1 configs take the version from the top-level `version: 2.1` (CircleCI accepts and ignores any value here)")
                .fix_opt(crate::yaml::edit::delete_entry(cx.source, key, value).map(|e| {
                    Fix::safe("remove `workflows: version`", vec![e])
                })),
        );
    }
}

fn check_empty(cx: &Context, out: &mut Vec<Diagnostic>) {
    let cfg = cx.config;
    if cx.is_orb_source() {
        return; // an orb has no workflows: what it defines, configs run
    }
    if cfg
        .root
        .is_some_and(|r| r.as_map().is_none() && !r.is_null())
    {
        return; // not a mapping at all: the schema says what it should be
    }
    let has_jobs = cfg.jobs_key.is_some() || cfg.workflows_key.is_some();
    if has_jobs || cx.doc.stopped_early() {
        return;
    }
    let span = cfg.root.map_or(Span::empty(0), |r| {
        Span::new(r.span.start as usize, r.span.start as usize)
    });
    out.push(
        EMPTY_CONFIG
            .at(span, if cfg.root.is_none_or(|r| r.is_null()) { "the config is empty: it defines no jobs and no workflows".to_string() } else { "the config defines no jobs and no workflows, so nothing can run".to_string() })
            .label("nothing to run")
            .help("a config needs `version: 2.1`, at least one job under `jobs:` with its executor and `steps:`, and a workflow under `workflows:` that runs it"),
    );
}
