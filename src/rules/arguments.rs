//! `missing-argument`, `unknown-argument`, `argument-type`: the arguments of every call of a
//! job (a workflow job entry, with its matrix), a command (a step) and an executor (a job's
//! `executor:`), checked against the parameters the callee declares, as a compiler checks a
//! function call. Callees are local or inline-orb members, or members of the release a
//! registry orb resolved to (its cached source, or its interface in the built-in catalog);
//! calls of members of orbs cilint knows nothing of are not checked. A finding about a release
//! other than the one written says which release it was checked against, and is a warning
//! when that release may not be the one CircleCI runs.
//!
//! A value written with `<< ... >>` is only known once CircleCI substitutes it: it is checked
//! only where that cannot change the answer.

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::span::Span;
use crate::base::text::did_you_mean;
use crate::config::model::Scope;
use super::orb_rules::hedge;
use crate::config::model::{
    Arg, Name, ParamDecl, ParamType, StepKind, is_bool_word, is_env_var_name, orb_ref,
};
use crate::config::orbs::{self, Lookup, Member, MemberKind, Param, Resolved};
use crate::yaml::{Node, ScalarKind, ScalarStyle};

pub static MISSING_ARGUMENT: Rule = Rule {
    id: "missing-argument",
    severity: Severity::Error,
    summary: "a job, command or executor is called without a parameter that has no default",
    explanation: include_str!("docs/missing-argument.md"),
    category: super::Category::Correctness,
    check: Some(check_missing),
};

pub static UNKNOWN_ARGUMENT: Rule = Rule {
    id: "unknown-argument",
    severity: Severity::Error,
    summary: "an argument is passed that the job, command or executor does not declare",
    explanation: include_str!("docs/unknown-argument.md"),
    category: super::Category::Correctness,
    check: Some(check_unknown),
};

pub static ARGUMENT_TYPE: Rule = Rule {
    id: "argument-type",
    severity: Severity::Error,
    summary: "an argument, default or matrix value does not fit the parameter's declared type",
    explanation: include_str!("docs/argument-type.md"),
    category: super::Category::Correctness,
    check: Some(check_types),
};

/// One call of a job, command or executor.
struct Call<'a> {
    kind: MemberKind,
    name: Name<'a>,
    /// The node to point at when an argument is missing (the name).
    span: Span,
    args: Vec<Arg<'a>>,
    /// Matrix parameters of a workflow job entry: (name, values node).
    matrix: Vec<(Name<'a>, &'a Node)>,
}

/// Every call in a scope.
fn calls<'a>(scope: &Scope<'_, 'a>) -> Vec<Call<'a>> {
    let cfg = scope.config;
    let mut out = Vec::new();
    for (_, step) in cfg.all_steps() {
        let (Some(name), StepKind::Call) = (step.name, &step.kind) else {
            continue;
        };
        if step.is_builtin() {
            continue;
        }
        out.push(Call {
            kind: MemberKind::Command,
            name,
            span: name.span,
            args: step.arguments(),
            matrix: Vec::new(),
        });
    }
    for job in &cfg.jobs {
        if let Some(e) = &job.executor
            && let Some(name) = e.name
        {
            out.push(Call {
                kind: MemberKind::Executor,
                name,
                span: name.span,
                args: e.args.clone(),
                matrix: Vec::new(),
            });
        }
    }
    for wf in &cfg.workflows {
        for inv in wf.jobs.iter().filter(|i| !i.is_approval()) {
            if inv.override_with.is_some() {
                continue;
            }
            out.push(Call {
                kind: MemberKind::Job,
                name: inv.job,
                span: inv.job.span,
                args: inv.args.clone(),
                matrix: inv
                    .matrix
                    .as_ref()
                    .map(|m| m.parameters.clone())
                    .unwrap_or_default(),
            });
        }
    }
    out
}

/// The callee of `call`, if it is known, and the registry release it is a member of.
fn callee<'m, 'a>(
    cx: &Context,
    scope: &Scope<'m, 'a>,
    call: &Call,
) -> Option<(Member<'m, 'a>, Option<&'static Resolved>)> {
    if call.name.text.contains("<<") {
        return None;
    }
    match orbs::lookup(&cx.orbs, cx.config, scope, call.kind, call.name.text) {
        Lookup::Found(m, via) => Some((m, via)),
        _ => None,
    }
}

/// "job `build`", "command `node/install`", "executor `default`".
fn describe(call: &Call) -> String {
    format!("{} `{}`", call.kind.as_str(), call.name.text)
}

fn check_missing(cx: &Context, out: &mut Vec<Diagnostic>) {
    for scope in cx.scopes() {
        for call in calls(&scope) {
            let Some((m, via)) = callee(cx, &scope, &call) else {
                continue;
            };
            let missing: Vec<Param> = m
                .params()
                .into_iter()
                .filter(|p| p.is_required())
                .filter(|p| !call.args.iter().any(|a| a.name.text == p.name()))
                .filter(|p| !call.matrix.iter().any(|(n, _)| n.text == p.name()))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let names: Vec<String> = missing.iter().map(|p| format!("`{}`", p.name())).collect();
            let example = missing
                .iter()
                .map(|p| format!("`{}: <{}>`", p.name(), p.ty().map_or("value", |t| t.as_str())))
                .collect::<Vec<_>>()
                .join(", ");
            let (noun, verb) = if missing.len() == 1 {
                ("parameter", "has")
            } else {
                ("parameters", "have")
            };
            let place = match call.kind {
                MemberKind::Job => "under the workflow job entry",
                MemberKind::Command => "under the step",
                MemberKind::Executor => "in the `executor:` mapping, beside `name:`",
            };
            let fix = if !own(via) {
                format!("pass {example} {place}")
            } else {
                format!("pass {example} {place}, or give the {noun} a `default:`")
            };
            out.push(hedge(
                MISSING_ARGUMENT
                    .at(
                        call.span,
                        format!(
                            "{} is called without {noun} {}, which {verb} no default{}",
                            describe(&call),
                            names.join(", "),
                            scope.suffix()
                        ),
                    )
                    .label(format!("missing {}", names.join(", ")))
                    .help(fix),
                via,
            ));
        }
    }
}

fn check_unknown(cx: &Context, out: &mut Vec<Diagnostic>) {
    for scope in cx.scopes() {
        for call in calls(&scope) {
            let Some((m, via)) = callee(cx, &scope, &call) else {
                continue;
            };
            let params = m.params();
            let declared: Vec<&str> = params.iter().map(Param::name).collect();
            let given = call
                .args
                .iter()
                .map(|a| (a.name, "argument"))
                .chain(call.matrix.iter().map(|(n, _)| (*n, "matrix parameter")));
            for (name, what) in given {
                if declared.contains(&name.text) {
                    continue;
                }
                let help = did_you_mean(name.text, declared.iter().copied()).unwrap_or_else(|| {
                    if declared.is_empty() {
                        format!("{} declares no parameters: remove `{}`", describe(&call), name)
                    } else {
                        let list: Vec<String> =
                            declared.iter().map(|d| format!("`{d}`")).collect();
                        let fix = if !own(via) {
                            format!("remove `{name}`")
                        } else {
                            format!("declare `{name}` under its `parameters:` or remove it")
                        };
                        format!(
                            "the parameters of {} are {}; {fix}",
                            describe(&call),
                            list.join(", "),
                        )
                    }
                });
                out.push(hedge(
                    UNKNOWN_ARGUMENT
                        .at(
                            name.span,
                            format!(
                                "{what} `{}` is not a parameter of {}{}",
                                name,
                                describe(&call),
                                scope.suffix()
                            ),
                        )
                        .label(format!("{} declares no `{}`", call.kind.as_str(), name))
                        .help(help),
                    via,
                ));
            }
        }
    }
}

/// Why `value` does not fit `param`, if it provably does not.
fn type_error(cx: &Context, scope: &Scope, param: Param, value: &Node) -> Option<String> {
    let ty = param.ty()?;
    if has_template(value) {
        return None;
    }
    let scalar = value.as_scalar();
    match ty {
        ParamType::Boolean => {
            let ok = match scalar {
                Some(s) => match s.kind {
                    ScalarKind::Bool(_) => true,
                    ScalarKind::Str => is_bool_word(&s.text),
                    _ => false,
                },
                None => false,
            };
            (!ok).then(|| {
                format!(
                    "expected a boolean (`true` or `false`), got {}",
                    shown(value)
                )
            })
        }
        ParamType::Integer => {
            let ok = match scalar {
                Some(s) => match s.kind {
                    ScalarKind::Int(_) => true,
                    ScalarKind::Float(f) => f.fract() == 0.0,
                    ScalarKind::Str => s.text.trim().parse::<i64>().is_ok(),
                    _ => false,
                },
                None => false,
            };
            (!ok).then(|| format!("expected an integer, got {}", shown(value)))
        }
        ParamType::String => scalar
            .is_none()
            .then(|| format!("expected a string, got {}", value.type_name())),
        ParamType::Enum => {
            let Some(text) = value.scalar_text() else {
                return Some(format!(
                    "expected one of the enum values, got {}",
                    value.type_name()
                ));
            };
            if param.enum_allows(value) {
                return None;
            }
            let list: Vec<String> = param
                .enum_texts()
                .iter()
                .map(|t| format!("`{t}`"))
                .collect();
            Some(format!(
                "`{text}` is not one of the allowed values {}",
                list.join(", ")
            ))
        }
        ParamType::Steps => match value.as_seq() {
            Some(items) => items
                .iter()
                .find(|i| !(i.scalar_text().is_some() || i.as_map().is_some_and(|m| m.len() == 1)))
                .map(|i| {
                    format!(
                        "expected a list of steps, but one item is {}",
                        i.type_name()
                    )
                }),
            None if value.is_null() => None,
            None => Some(format!(
                "expected a list of steps, got {}",
                value.type_name()
            )),
        },
        ParamType::EnvVarName => match value.as_str().or(value.scalar_text()) {
            Some(t) if is_env_var_name(t) => None,
            Some(t) => Some(format!(
                "`{t}` is not a valid environment variable name (letters, digits and `_`, not starting with a digit)"
            )),
            None => Some(format!(
                "expected an environment variable name, got {}",
                value.type_name()
            )),
        },
        ParamType::Executor => executor_error(cx, scope, value),
    }
}

/// Why an `executor` parameter's value names no executor, if it provably does not.
fn executor_error(cx: &Context, scope: &Scope, value: &Node) -> Option<String> {
    let name_node = if value.as_map().is_some() {
        value.get("name")?
    } else {
        value
    };
    let Some(name) = name_node.as_str() else {
        return Some(format!(
            "expected an executor name or a mapping with `name:`, got {}",
            value.type_name()
        ));
    };
    match orbs::lookup(&cx.orbs, cx.config, scope, MemberKind::Executor, name) {
        Lookup::Found(..) | Lookup::Unresolved => None,
        Lookup::MissingMember => Some(format!(
            "`{name}` is not an executor of orb `{}`",
            orb_ref(name).map_or("", |r| r.orb)
        )),
        Lookup::NotFound => {
            if orb_ref(name).is_some() {
                // An undeclared orb: `undeclared-orb` reports it.
                return None;
            }
            Some(format!("`{name}` names no executor of this config"))
        }
    }
}

/// A value that CircleCI substitutes first.
fn has_template(node: &Node) -> bool {
    let mut found = false;
    crate::yaml::walk::walk_scalars(node, 64, &mut |s| {
        if s.scalar_text().is_some_and(|t| t.contains("<<")) {
            found = true;
        }
    });
    found
}

/// A value for a message: a scalar as written, otherwise its kind.
fn shown(node: &Node) -> String {
    match node.as_scalar() {
        Some(s) if s.style == ScalarStyle::Plain || s.kind == ScalarKind::Str => {
            if s.kind == ScalarKind::Str {
                format!("the string `{}`", s.text)
            } else {
                format!("`{}`", s.text)
            }
        }
        _ => node.type_name().to_string(),
    }
}

/// Whether the parameters of a callee found `via` a registry orb (or not) are the author's
/// to change: the config's own, an inline orb's, or the orb under development's.
fn own(via: Option<&Resolved>) -> bool {
    via.is_none_or(|v| v.development)
}

/// `own`: the parameter is declared in the config (or an inline orb), so its declaration may
/// be what is wrong; a registry orb's parameters are not the config's to change.
fn type_finding(param: Param, span: Span, why: String, what: &str, own: bool) -> Diagnostic {
    let (label, fix) = match param.ty() {
        Some(ParamType::Boolean) => ("not a boolean", "write `true` or `false`"),
        Some(ParamType::Integer) => ("not an integer", "write a whole number"),
        Some(ParamType::String) => ("not a string", "write a single string value"),
        Some(ParamType::Enum) if own => (
            "not an allowed value",
            "use one of the values listed under the parameter's `enum:`",
        ),
        Some(ParamType::Enum) => ("not an allowed value", "use one of the allowed values"),
        Some(ParamType::Steps) => (
            "not a list of steps",
            "give a list of steps, for example `[checkout, run: make]`",
        ),
        Some(ParamType::Executor) => (
            "not an executor",
            "name an executor declared under `executors:` or an orb's executor (`orb/name`)",
        ),
        Some(ParamType::EnvVarName) => (
            "not a variable name",
            "use letters, digits and `_` only, not starting with a digit (for example `API_TOKEN`)",
        ),
        None => ("does not fit", "change the value"),
    };
    let help = match param.ty() {
        Some(ParamType::Boolean | ParamType::Integer | ParamType::String) if own => {
            format!("{fix}, or change the parameter's `type:`")
        }
        None if own => "change the value or the parameter's `type:`".to_string(),
        _ => fix.to_string(),
    };
    ARGUMENT_TYPE
        .at(
            span,
            format!(
                "{what} for {} parameter `{}` does not fit its type: {why}",
                param.ty().map_or("a", |t| t.as_str()),
                param.name()
            ),
        )
        .label(label)
        .help(help)
}

fn check_types(cx: &Context, out: &mut Vec<Diagnostic>) {
    for scope in cx.scopes() {
        // Declarations: defaults (and an enum's default in its own list).
        let cfg = scope.config;
        let all_calls = calls(&scope);
        // Each declaration with the member that declares it (none for pipeline parameters).
        let mut decls: Vec<(Option<(MemberKind, &str)>, &ParamDecl)> = Vec::new();
        for j in &cfg.jobs {
            decls.extend(j.parameters.iter().map(|p| (Some((MemberKind::Job, j.name.text)), p)));
        }
        for c in &cfg.commands {
            decls.extend(
                c.parameters
                    .iter()
                    .map(|p| (Some((MemberKind::Command, c.name.text)), p)),
            );
        }
        for e in &cfg.executors {
            decls.extend(
                e.parameters
                    .iter()
                    .map(|p| (Some((MemberKind::Executor, e.name.text)), p)),
            );
        }
        if scope.orb.is_none() {
            decls.extend(cfg.parameters.iter().map(|p| (None, p)));
        }
        for &(owner, p) in &decls {
            let Some(default) = p.default else { continue };
            if default.is_null() {
                continue;
            }
            let Some(why) = type_error(cx, &scope, Param::Decl(p), default) else {
                continue;
            };
            let mut d = type_finding(Param::Decl(p), default.span, why, "the default", true);
            // CircleCI resolves an executor default only where a call leaves the parameter out:
            // aws-amplify/amplify-cli compiled 30 commits (2021-09/10) of a job whose `executor`
            // default named no executor, every workflow entry giving the parameter by matrix.
            if p.ty == Some(ParamType::Executor)
                && let Some((kind, member)) = owner
                && !all_calls.iter().any(|c| {
                    c.kind == kind
                        && c.name.text == member
                        && !c.args.iter().any(|a| a.name.text == p.name.text)
                        && !c.matrix.iter().any(|(n, _)| n.text == p.name.text)
                })
            {
                d = d.severity(Severity::Warning);
                d.message = format!(
                    "{}; no call leaves `{}` out, so CircleCI never uses this default, but the first one that does will fail",
                    d.message, p.name.text
                );
            }
            out.push(d);
        }
        // Calls.
        for call in all_calls {
            // Matrix values must be lists, whatever the callee.
            for (name, values) in &call.matrix {
                if values.as_seq().is_none() && !has_template(values) {
                    out.push(
                        ARGUMENT_TYPE
                            .at(
                                values.span,
                                format!(
                                    "matrix parameter `{}` of job `{}` must be a list of values, got {}",
                                    name,
                                    call.name,
                                    values.type_name()
                                ),
                            )
                            .label("not a list")
                            .help(format!(
                                "write the values as a list, for example `{}: [{}]`",
                                name,
                                values.scalar_text().unwrap_or("a, b")
                            )),
                    );
                }
            }
            let Some((m, via)) = callee(cx, &scope, &call) else {
                continue;
            };
            let params = m.params();
            let param = |name: &str| params.iter().copied().find(|p| p.name() == name);
            for arg in &call.args {
                let Some(p) = param(arg.name.text) else {
                    continue;
                };
                if let Some(why) = type_error(cx, &scope, p, arg.value) {
                    out.push(hedge(
                        type_finding(p, arg.value.span, why, "the argument", own(via)),
                        via,
                    ));
                }
            }
            for (name, values) in &call.matrix {
                let Some(p) = param(name.text) else {
                    continue;
                };
                for v in values.as_seq().unwrap_or(&[]) {
                    if let Some(why) = type_error(cx, &scope, p, v) {
                        out.push(hedge(
                            type_finding(p, v.span, why, "the matrix value", own(via)),
                            via,
                        ));
                    }
                }
            }
        }
    }
}
