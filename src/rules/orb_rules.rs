//! `unknown-orb-member`, `orb-unresolved`, `orb-unpinned`, `unused-orb`: what a config says
//! about the orbs it declares.

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::text::did_you_mean;
use crate::config::model::Scope;
use crate::config::model::{Name, OrbSource, StepKind, orb_ref};
use crate::config::orbs::{self, MemberKind, Resolution, VersionKind};

pub static UNKNOWN_ORB_MEMBER: Rule = Rule {
    id: "unknown-orb-member",
    severity: Severity::Error,
    summary: "`orb/name` names no job, command or executor of that kind in the orb",
    explanation: include_str!("docs/unknown-orb-member.md"),
    category: super::Category::Correctness,
    check: Some(check_members),
};

pub static ORB_UNRESOLVED: Rule = Rule {
    id: "orb-unresolved",
    severity: Severity::Info,
    summary: "an orb's source is not in the orb cache, so its jobs and commands are not checked",
    explanation: include_str!("docs/orb-unresolved.md"),
    category: super::Category::Correctness,
    check: Some(check_unresolved),
};

pub static ORB_UNPINNED: Rule = Rule {
    id: "orb-unpinned",
    severity: Severity::Warning,
    summary: "a third-party orb is not pinned to an exact version (`@volatile`, no version, `@1`, `@1.2`, `dev:`); CircleCI orbs pinned to a major version are info",
    explanation: include_str!("docs/orb-unpinned.md"),
    // CWE-829: inclusion of functionality from an untrusted control sphere.
    category: super::Category::Security { cwe: 829, score: 40 },
    check: Some(check_unpinned),
};

pub static UNUSED_ORB: Rule = Rule {
    id: "unused-orb",
    severity: Severity::Warning,
    summary: "an orb is declared under `orbs:` and never used",
    explanation: include_str!("docs/unused-orb.md"),
    category: super::Category::Correctness,
    check: Some(check_unused),
};

/// Every place a scope uses a name as a job, command or executor: (name, expected kind).
pub fn member_uses<'m, 'a>(scope: &Scope<'m, 'a>) -> Vec<(Name<'a>, MemberKind)> {
    let cfg = scope.config;
    let mut out = Vec::new();
    for (_, step) in cfg.all_steps() {
        if let (Some(name), StepKind::Call) = (step.name, &step.kind)
            && !step.is_builtin()
        {
            out.push((name, MemberKind::Command));
        }
    }
    for job in &cfg.jobs {
        if let Some(name) = job.executor.as_ref().and_then(|e| e.name) {
            out.push((name, MemberKind::Executor));
        }
    }
    for wf in &cfg.workflows {
        for inv in wf.jobs.iter().filter(|i| !i.is_approval()) {
            out.push((inv.job, MemberKind::Job));
        }
    }
    out
}

/// The `unknown-orb-member` finding for `name` used as a `kind` in `scope`, if `name` is
/// `orb/member` of a known orb that has no such member.
pub fn missing_member(
    cx: &Context,
    scope: &Scope,
    name: Name,
    kind: MemberKind,
) -> Option<Diagnostic> {
    let r = orb_ref(name.text)?;
    if name.text.contains("<<") {
        return None;
    }
    let res = orbs::resolve(&cx.orbs, cx.config, scope, r.orb);
    let orb_cfg = res.config()?;
    if orbs::member(orb_cfg, kind, r.member).is_some() {
        return None;
    }
    let what = match res {
        Resolution::Inline(_) => format!("inline orb `{}`", r.orb),
        _ => format!("orb `{}`", r.orb),
    };
    let other = [MemberKind::Job, MemberKind::Command, MemberKind::Executor]
        .into_iter()
        .find(|k| *k != kind && orbs::member(orb_cfg, *k, r.member).is_some());
    let (message, help) = match other {
        Some(actual) => {
            let (fix, help) = match actual {
                MemberKind::Command => (
                    "call it as a step inside a job",
                    "list it under a job's `steps:` and run that job from the workflow, or run one of the orb's jobs",
                ),
                MemberKind::Job => (
                    "run it from a workflow's `jobs:`",
                    "list it under a workflow's `jobs:`, or call one of the orb's commands as a step",
                ),
                MemberKind::Executor => (
                    "use it as a job's `executor:`",
                    "write `executor: <orb>/<name>` in a job",
                ),
            };
            (
                format!(
                    "`{}` is {} {} of {what}, not {} {}{}: {fix}",
                    name.text,
                    article(actual),
                    actual.as_str(),
                    article(kind),
                    kind.as_str(),
                    scope.suffix()
                ),
                help.to_string(),
            )
        }
        None => {
            let names = orbs::member_names(orb_cfg, kind);
            let qualified: Vec<String> = names.iter().map(|n| format!("{}/{n}", r.orb)).collect();
            let help = did_you_mean(name.text, qualified.iter().map(String::as_str))
                .unwrap_or_else(|| {
                    if qualified.is_empty() {
                        format!("{what} defines no {}", kind.plural())
                    } else {
                        let list: Vec<String> = qualified
                            .iter()
                            .take(12)
                            .map(|q| format!("`{q}`"))
                            .collect();
                        format!(
                            "the {} of {what} are {}{}",
                            kind.plural(),
                            list.join(", "),
                            if qualified.len() > 12 { ", ..." } else { "" }
                        )
                    }
                });
            (
                format!(
                    "{what} has no {} `{}`{}",
                    kind.as_str(),
                    r.member,
                    scope.suffix()
                ),
                help,
            )
        }
    };
    let label = match other {
        Some(actual) => format!("this is {} {}", article(actual), actual.as_str()),
        None => format!("no such {} in the orb", kind.as_str()),
    };
    Some(
        UNKNOWN_ORB_MEMBER
            .at(name.span, message)
            .label(label)
            .help(help),
    )
}

fn article(kind: MemberKind) -> &'static str {
    match kind {
        MemberKind::Executor => "an",
        _ => "a",
    }
}

fn check_members(cx: &Context, out: &mut Vec<Diagnostic>) {
    for scope in cx.scopes() {
        for (name, kind) in member_uses(&scope) {
            if let Some(d) = missing_member(cx, &scope, name, kind) {
                out.push(d);
            }
        }
    }
}

fn check_unresolved(cx: &Context, out: &mut Vec<Diagnostic>) {
    for scope in cx.scopes() {
        for decl in &scope.config.orbs {
            let message = match &decl.source {
                OrbSource::Registry { .. } => {
                    if !matches!(
                        orbs::resolve(&cx.orbs, cx.config, &scope, decl.alias.text),
                        Resolution::Uncached
                    ) {
                        continue;
                    }
                    let Some(r) = orbs::registry_ref(decl, cx.config) else {
                        continue;
                    };
                    if r.is_cacheable() {
                        format!(
                            "orb `{}` is not in the orb cache, so its jobs and commands are not checked{}",
                            r.reference(),
                            scope.suffix()
                        )
                    } else {
                        format!(
                            "orb `{}` names no exact version, so it cannot be cached and its jobs and commands are not checked{}",
                            r.reference(),
                            scope.suffix()
                        )
                    }
                }
                OrbSource::Inline(cfg) if orbs::is_placeholder(cfg) => format!(
                    "inline orb `{}` is empty (a placeholder that a tool fills in, as orb-tools does), so its jobs and commands are not checked{}",
                    decl.alias,
                    scope.suffix()
                ),
                OrbSource::Url(url) => format!(
                    "orb `{}` is loaded from `{url}`, which cilint never fetches, so its jobs and commands are not checked{}",
                    decl.alias,
                    scope.suffix()
                ),
                _ => continue,
            };
            let help = match &decl.source {
                OrbSource::Inline(_) => {
                    "nothing to fix if a tool fills the orb in; otherwise define its jobs, commands or executors".to_string()
                }
                OrbSource::Url(_) => {
                    "nothing to fix; for full checks, use a registry orb or an inline orb"
                        .to_string()
                }
                _ => match orbs::registry_ref(decl, cx.config) {
                    Some(r) if !r.is_cacheable() => format!(
                        "pin an exact version (`{}/{}@x.y.z`), then run `cilint orbs fetch` to cache its source",
                        r.namespace, r.name
                    ),
                    _ => "run `cilint orbs fetch` to download the sources of the config's orbs into the orb cache".to_string(),
                },
            };
            out.push(
                ORB_UNRESOLVED
                    .at(decl.node.span, message)
                    .label("source not known")
                    .help(help),
            );
        }
    }
}

fn check_unpinned(cx: &Context, out: &mut Vec<Diagnostic>) {
    for scope in cx.scopes() {
        for decl in &scope.config.orbs {
            let Some(r) = orbs::registry_ref(decl, cx.config) else {
                continue;
            };
            // CircleCI's own (certified) orbs are reviewed by CircleCI, and pinning them to a
            // major version is the documented convention: worth knowing at most. A
            // third-party orb without an exact version runs unreviewed code with the job's
            // secrets: a warning.
            let certified = r.namespace == "circleci";
            let kind = orbs::version_kind(&r.version);
            let (what, severity) = match kind {
                VersionKind::Volatile => (
                    "`@volatile`, the latest release of any version",
                    Severity::Warning,
                ),
                VersionKind::Missing => (
                    "no version, which means the latest release of any version",
                    Severity::Warning,
                ),
                VersionKind::MajorOnly => (
                    "a major version only, which takes every new minor and patch release",
                    if certified {
                        Severity::Info
                    } else {
                        Severity::Warning
                    },
                ),
                VersionKind::MajorMinor if !certified => (
                    "a major and minor version only, which takes every new patch release",
                    Severity::Warning,
                ),
                // `dev:<< pipeline.git.revision >>`: an orb's own pipeline testing the
                // development version it just published.
                VersionKind::Dev if decl.node.as_str().is_some_and(|t| t.contains("<<")) => (
                    "a `dev:` version named by the pipeline (the orb's own development version)",
                    Severity::Info,
                ),
                VersionKind::Dev => (
                    "a `dev:` version, which can be overwritten at any time and expires after 90 days",
                    Severity::Warning,
                ),
                _ => continue,
            };
            let owner = if certified {
                "a CircleCI orb"
            } else {
                "a third-party orb"
            };
            out.push(
                ORB_UNPINNED
                    .at(
                        decl.node.span,
                        format!(
                            "orb `{}` ({owner}) is not pinned to an exact version: it uses {what}{}",
                            decl.alias,
                            scope.suffix()
                        ),
                    )
                    .severity(severity)
                    .label("floating orb version")
                    .help(format!(
                        "pin an exact version such as `{}/{}@1.2.3`: an orb's code runs with the job's secrets, and a floating version runs whatever is published next",
                        r.namespace, r.name
                    )),
            );
        }
    }
}

fn check_unused(cx: &Context, out: &mut Vec<Diagnostic>) {
    for scope in cx.scopes() {
        let cfg = scope.config;
        if cfg.orbs.is_empty() {
            continue;
        }
        let Some(root) = cfg.root else { continue };
        let mut used: Vec<bool> = vec![false; cfg.orbs.len()];
        let mut unused = used.len();
        let Some(map) = root.as_map() else { continue };
        'entries: for (k, v) in map {
            if k.scalar_text() == Some("orbs") {
                continue;
            }
            for node in [k, v] {
                // Stops once every orb is used.
                let go_on = crate::yaml::walk::walk_scalars_until(node, 256, &mut |s| {
                    let Some(text) = s.scalar_text() else {
                        return true;
                    };
                    if !text.contains('/') {
                        return true;
                    }
                    for (i, decl) in cfg.orbs.iter().enumerate() {
                        if !used[i]
                            && text.trim_start().starts_with(decl.alias.text)
                            && text.trim_start()[decl.alias.text.len()..].starts_with('/')
                        {
                            used[i] = true;
                            unused -= 1;
                        }
                    }
                    unused > 0
                });
                if !go_on {
                    break 'entries;
                }
            }
        }
        for (decl, used) in cfg.orbs.iter().zip(used) {
            if used {
                continue;
            }
            out.push(
                UNUSED_ORB
                    .at(
                        decl.alias.span,
                        format!(
                            "orb `{}` is declared but none of its jobs, commands or executors is used{}",
                            decl.alias,
                            scope.suffix()
                        ),
                    )
                    .label("never used")
                    .help(format!(
                        "remove `{}` from `orbs:`, or use it as `{}/<job, command or executor>`",
                        decl.alias, decl.alias
                    )),
            );
        }
    }
}
