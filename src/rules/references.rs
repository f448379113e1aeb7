//! `unknown-command`, `unknown-executor`, `undeclared-orb`: names that refer to nothing.

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::text::did_you_mean;
use crate::config::model::Scope;
use crate::config::model::{BUILTIN_STEPS, Name, StepKind, orb_ref};

pub static UNKNOWN_COMMAND: Rule = Rule {
    id: "unknown-command",
    severity: Severity::Error,
    summary: "a step names no built-in step, no command of the config and no command of a declared orb",
    explanation: include_str!("docs/unknown-command.md"),
    category: super::Category::Correctness,
    check: Some(check_commands),
};

pub static UNKNOWN_EXECUTOR: Rule = Rule {
    id: "unknown-executor",
    severity: Severity::Error,
    summary: "`executor:` names no executor of the config and no executor of a declared orb",
    explanation: include_str!("docs/unknown-executor.md"),
    category: super::Category::Correctness,
    check: Some(check_executors),
};

pub static UNDECLARED_ORB: Rule = Rule {
    id: "undeclared-orb",
    severity: Severity::Error,
    summary: "`orb/name` is used but `orb` is not declared under `orbs:`",
    explanation: include_str!("docs/undeclared-orb.md"),
    category: super::Category::Correctness,
    check: Some(check_orbs),
};

/// True for names written with a `<< ... >>` parameter: they are only known after substitution.
pub fn is_templated(name: &str) -> bool {
    name.contains("<<")
}

/// The `undeclared-orb` finding for `name` if it is `orb/member` and `orb` is not declared in
/// the scope; `what` says what the name is used as ("step", "executor", "job").
pub fn undeclared_orb(
    scope: &Scope,
    provided_orbs: &[String],
    name: Name,
    what: &str,
) -> Option<Diagnostic> {
    let r = orb_ref(name.text)?;
    if scope.config.orb(r.orb).is_some() {
        return None;
    }
    let declared: Vec<&str> = scope.config.orbs.iter().map(|o| o.alias.text).collect();
    let span = name.span;
    let provided = provided_orbs.iter().any(|o| o == r.orb);
    if scope.orb.is_none() && (provided || uses_orb_tools(scope.config)) {
        // An orb's test config: orb-tools' `continue` job adds the orb being developed to this
        // file's `orbs:` when it continues the pipeline, so the alias is declared at run time.
        return Some(
            UNDECLARED_ORB
                .at(
                    span,
                    format!(
                        "{what} `{}` uses orb `{}`, which is not declared here; orb-tools adds the orb under development when it continues the pipeline, so cilint cannot check it",
                        name.text, r.orb
                    ),
                )
                .severity(Severity::Info)
                .label(format!("`{}` is expected from orb-tools", r.orb))
                .help(format!(
                    "nothing to do if `{}` is the orb this repository builds; otherwise declare it under `orbs:`",
                    r.orb
                )),
        );
    }
    let help = match did_you_mean(r.orb, declared.iter().copied()) {
        Some(dym) => format!(
            "{dym} Otherwise declare the orb under `orbs:` (`{}: namespace/name@x.y.z`)",
            r.orb
        ),
        None => format!(
            "declare the orb under `orbs:`, for example `{}: namespace/{}@x.y.z`",
            r.orb, r.orb
        ),
    };
    Some(
        UNDECLARED_ORB
            .at(
                span,
                format!(
                    "{what} `{}` uses orb `{}`, which is not declared under `orbs:`{}",
                    name.text,
                    r.orb,
                    scope.suffix()
                ),
            )
            .label(format!("`{}` is not an orb of this config", r.orb))
            .help(help),
    )
}

/// Whether a config declares CircleCI's orb-tools orb (`circleci/orb-tools@...`), whose
/// `continue` job injects the orb under development into the config it continues with.
fn uses_orb_tools(cfg: &crate::config::model::Config) -> bool {
    cfg.orbs.iter().any(|o| {
        matches!(
            o.source,
            crate::config::model::OrbSource::Registry {
                namespace: "circleci",
                name: "orb-tools",
                ..
            }
        )
    })
}

fn check_commands(cx: &Context, out: &mut Vec<Diagnostic>) {
    for scope in cx.scopes() {
        let cfg = scope.config;
        for (owner, step) in cfg.all_steps() {
            let Some(name) = step.name else { continue };
            if matches!(step.kind, StepKind::Malformed)
                || is_templated(name.text)
                || step.is_builtin()
            {
                continue;
            }
            if orb_ref(name.text).is_some() {
                continue; // checked by undeclared-orb, and against the orb by the orb rules
            }
            if cfg.command(name.text).is_some() {
                continue;
            }
            let mut candidates: Vec<&str> = BUILTIN_STEPS.to_vec();
            candidates.extend(cfg.commands.iter().map(|c| c.name.text));
            let help = if cfg.job(name.text).is_some() {
                Some(format!(
                    "`{}` is a job, not a command; jobs are run from workflows, so list it under a workflow's `jobs:`, or move its steps into a command under `commands:`",
                    name.text
                ))
            } else if !cfg.is_v21() && scope.orb.is_none() {
                Some(format!(
                    "version 2 configs can only use built-in steps; to define a command `{}`, switch to `version: 2.1` and declare it under `commands:`",
                    name.text
                ))
            } else {
                did_you_mean(name.text, candidates.iter().copied())
                    .or_else(|| Some(format!("declare a command `{}` under `commands:`, or use a built-in step such as `run`", name.text)))
            };
            out.push(
                UNKNOWN_COMMAND
                    .at(
                        name.span,
                        format!(
                            "step `{}` in {} is not a built-in step or a known command{}",
                            name.text,
                            owner.describe(),
                            scope.suffix()
                        ),
                    )
                    .label("no step or command has this name")
                    .help_opt(help),
            );
        }
    }
}

fn check_executors(cx: &Context, out: &mut Vec<Diagnostic>) {
    for scope in cx.scopes() {
        let cfg = scope.config;
        // A job's `executor:`, and an executor defined as the name of another.
        let uses = cfg
            .jobs
            .iter()
            .filter_map(|job| {
                let name = job.executor.as_ref()?.name?;
                Some((format!("job `{}`", job.name), name))
            })
            .chain(
                cfg.executors
                    .iter()
                    .filter_map(|ex| Some((format!("executor `{}`", ex.name), ex.refers_to?))),
            );
        for (user, name) in uses {
            if is_templated(name.text)
                || orb_ref(name.text).is_some()
                || cfg.executor(name.text).is_some()
            {
                continue;
            }
            let help = did_you_mean(name.text, cfg.executors.iter().map(|e| e.name.text)).unwrap_or_else(|| {
                if cfg.executors.is_empty() {
                    format!("declare it under a top-level `executors:` key (`{}:` with `docker:`, `machine:` or `macos:`)", name.text)
                } else {
                    let names: Vec<String> = cfg.executors.iter().map(|e| format!("`{}`", e.name)).collect();
                    format!("the executors of this config are {}", names.join(", "))
                }
            });
            out.push(
                UNKNOWN_EXECUTOR
                    .at(
                        name.span,
                        format!(
                            "{user} uses executor `{}`, which is defined nowhere{}",
                            name.text,
                            scope.suffix()
                        ),
                    )
                    .label("no executor has this name")
                    .help(help),
            );
        }
    }
}

fn check_orbs(cx: &Context, out: &mut Vec<Diagnostic>) {
    let provided = cx.settings.provided_orbs.as_slice();
    for scope in cx.scopes() {
        let cfg = scope.config;
        for (_, step) in cfg.all_steps() {
            if let Some(name) = step.name
                && !is_templated(name.text)
                && let Some(d) = undeclared_orb(&scope, provided, name, "step")
            {
                out.push(d);
            }
        }
        let executor_names = cfg
            .jobs
            .iter()
            .filter_map(|job| job.executor.as_ref().and_then(|e| e.name))
            .chain(cfg.executors.iter().filter_map(|ex| ex.refers_to));
        for name in executor_names {
            if !is_templated(name.text)
                && let Some(d) = undeclared_orb(&scope, provided, name, "executor")
            {
                out.push(d);
            }
        }
        for wf in &cfg.workflows {
            for inv in &wf.jobs {
                if !is_templated(inv.job.text)
                    && let Some(d) = undeclared_orb(&scope, provided, inv.job, "job")
                {
                    out.push(d);
                }
            }
        }
    }
}
