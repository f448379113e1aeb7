//! Completion: what may be written at the cursor. The word under the cursor is replaced by a
//! placeholder and the text parsed again, so that a half-written key still has a place in the
//! tree; that place says what fits: the keys the schema allows there, the jobs a `requires`
//! may name, the steps and commands of a `steps` list, executors, the members of orbs and
//! their parameters (from the orb cache and the built-in catalog), `<< parameters.x >>` and
//! `<< pipeline.x >>` names.

use crate::analysis::context::Context;
use crate::config::model::{Config, orb_ref};
use crate::config::orbs::{self as members, MemberKind, Param};
use crate::config::schema::{PathStep, keys_at};
use crate::config::settings::Settings;
use crate::lang::mustache::builtin_pipeline_values;
use crate::yaml::Node;

const PLACEHOLDER: &str = "cilint__completion__here";

/// What a completion names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Key,
    Job,
    Step,
    Command,
    Executor,
    Parameter,
    PipelineValue,
}

/// One thing that may be written at the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    pub documentation: Option<String>,
}

fn item(label: impl Into<String>, kind: CompletionKind, detail: Option<String>) -> Completion {
    Completion {
        label: label.into(),
        kind,
        detail,
        documentation: None,
    }
}

fn word_byte(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | '.' | '@')
}

/// The completions at byte `offset` of `text`.
pub fn complete(text: &str, path: &str, settings: &Settings, offset: usize) -> Vec<Completion> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    // Inside an open `<< ... `.
    if let Some(open) = before.rfind("<<")
        && !before[open..].contains(">>")
    {
        let inner = before[open + 2..].trim_start();
        return crate::pipeline::inspect(text, path, settings, |cx| template(cx, inner, offset));
    }
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| word_byte(*c))
        .last()
        .map_or(offset, |(i, _)| line_start + i);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !word_byte(*c))
        .map_or(text.len(), |(i, _)| offset + i);
    let rest_of_line = text[end..].split('\n').next().unwrap_or("");
    let mut variants = vec![format!("{}{PLACEHOLDER}{}", &text[..start], &text[end..])];
    if !rest_of_line.trim_start().starts_with(':') {
        let keyed = format!("{}{PLACEHOLDER}:{}", &text[..start], &text[end..]);
        // A word alone on its line is a key being written (or a list item, which the places
        // below read the same way).
        let lead = text[line_start..start].trim_start_matches(' ');
        if (lead.is_empty() || lead.trim_end() == "-") && rest_of_line.trim().is_empty() {
            variants.insert(0, keyed);
        } else {
            variants.push(keyed);
        }
    }
    for variant in variants {
        let found = crate::pipeline::inspect(&variant, path, settings, |cx| {
            let root = cx.doc.root.as_ref()?;
            let (steps, on_key) = find(root, &mut Vec::new())?;
            Some(at_place(cx, root, &steps, on_key))
        });
        if let Some(found) = found {
            return found;
        }
    }
    Vec::new()
}

/// The path to the placeholder, and whether it is a key.
fn find(node: &Node, path: &mut Vec<PathStep>) -> Option<(Vec<PathStep>, bool)> {
    if path.len() > 128 || node.alias.is_some() {
        return None;
    }
    if node.scalar_text() == Some(PLACEHOLDER) {
        return Some((path.clone(), false));
    }
    if let Some(map) = node.as_map() {
        for (k, v) in map {
            let key = k.scalar_text().unwrap_or("").to_string();
            path.push(PathStep::Key(key.clone()));
            if key == PLACEHOLDER {
                return Some((path.clone(), true));
            }
            if let Some(found) = find(v, path) {
                return Some(found);
            }
            path.pop();
        }
    } else if let Some(items) = node.as_seq() {
        for v in items {
            path.push(PathStep::Index);
            if let Some(found) = find(v, path) {
                return Some(found);
            }
            path.pop();
        }
    }
    None
}

fn key(step: Option<&PathStep>) -> Option<&str> {
    match step {
        Some(PathStep::Key(k)) => Some(k),
        _ => None,
    }
}

/// The node at a path (list items by position are not known: the first match of the rest).
fn lookup<'n>(node: &'n Node, path: &[PathStep]) -> Vec<&'n Node> {
    let Some((first, rest)) = path.split_first() else {
        return vec![node];
    };
    match first {
        PathStep::Key(k) => node.get(k).map(|n| lookup(n, rest)).unwrap_or_default(),
        PathStep::Index => node
            .as_seq()
            .unwrap_or(&[])
            .iter()
            .flat_map(|n| lookup(n, rest))
            .collect(),
    }
}

/// What fits at the placeholder at `path`.
fn at_place(cx: &Context, root: &Node, path: &[PathStep], on_key: bool) -> Vec<Completion> {
    let n = path.len();
    let last_key = |back: usize| key(n.checked_sub(back).and_then(|i| path.get(i)));
    let in_list = matches!(path.last(), Some(PathStep::Index));
    let top = key(path.first());
    // A value of `requires`: the workflow's entries.
    let requires_at = path
        .iter()
        .rposition(|p| *p == PathStep::Key("requires".into()));
    if let Some(r) = requires_at
        && (r + 2 == n || (r + 3 == n && path[n - 2] == PathStep::Index))
        && matches!(top, Some("workflows" | "job-groups"))
    {
        return entry_names(cx, key(path.get(1)).unwrap_or(""));
    }
    // A step name.
    let step_list =
        |i: usize| matches!(key(path.get(i)), Some("steps" | "pre-steps" | "post-steps"));
    if (in_list && n >= 2 && step_list(n - 2) && !on_key)
        || (on_key && n >= 3 && path[n - 2] == PathStep::Index && step_list(n - 3))
    {
        return steps(cx);
    }
    // A workflow's job entry.
    if matches!(top, Some("workflows" | "job-groups"))
        && ((in_list && last_key(2) == Some("jobs"))
            || (on_key && n >= 3 && path[n - 2] == PathStep::Index && last_key(3) == Some("jobs")))
    {
        return members_named(cx, MemberKind::Job);
    }
    // `executor: x` or `executor: { name: x }`.
    if !on_key
        && (last_key(1) == Some("executor")
            || (last_key(1) == Some("name") && last_key(2) == Some("executor")))
    {
        return members_named(cx, MemberKind::Executor);
    }
    if !on_key {
        return Vec::new();
    }
    // A key: the arguments of what the mapping calls, then what the schema allows.
    let parent = &path[..n - 1];
    let existing: Vec<String> = lookup(root, parent)
        .iter()
        .filter_map(|m| m.as_map())
        .flat_map(|m| {
            m.iter()
                .filter_map(|(k, _)| k.scalar_text().map(str::to_string))
        })
        .collect();
    let mut out = Vec::new();
    if let Some(callee) = last_key(2) {
        let kind = if n >= 4 && path[n - 3] == PathStep::Index && step_list(n - 4) {
            Some(MemberKind::Command)
        } else if n >= 4
            && path[n - 3] == PathStep::Index
            && last_key(4) == Some("jobs")
            && matches!(top, Some("workflows" | "job-groups"))
        {
            Some(MemberKind::Job)
        } else if callee == "executor" {
            let names = lookup(root, parent);
            let name = names
                .first()
                .and_then(|m| m.get("name"))
                .and_then(Node::scalar_text);
            return parameters(cx, MemberKind::Executor, name.unwrap_or(""), &existing);
        } else {
            None
        };
        if let Some(kind) = kind {
            out.extend(parameters(cx, kind, callee, &existing));
        }
    }
    for (k, doc) in keys_at(parent) {
        if existing.contains(&k) || k == PLACEHOLDER {
            continue;
        }
        out.push(Completion {
            label: k,
            kind: CompletionKind::Key,
            detail: None,
            documentation: doc,
        });
    }
    out
}

/// The names a `requires` in workflow `wf` may use.
fn entry_names(cx: &Context, wf: &str) -> Vec<Completion> {
    let entries = cx
        .config
        .workflows
        .iter()
        .filter(|w| w.name.text == wf)
        .flat_map(|w| &w.jobs)
        .chain(
            cx.config
                .job_groups
                .iter()
                .filter(|g| g.name.text == wf)
                .flat_map(|g| &g.jobs),
        );
    let mut out: Vec<Completion> = Vec::new();
    for inv in entries {
        let name = inv.name.map_or(inv.job.text, |n| n.text);
        if name == PLACEHOLDER || out.iter().any(|c| c.label == name) {
            continue;
        }
        let detail = (name != inv.job.text).then(|| format!("runs `{}`", inv.job.text));
        out.push(item(name, CompletionKind::Job, detail));
    }
    out
}

/// Built-in steps, the config's commands, and the orbs' commands.
fn steps(cx: &Context) -> Vec<Completion> {
    let path = [
        PathStep::Key("jobs".into()),
        PathStep::Key("j".into()),
        PathStep::Key("steps".into()),
        PathStep::Index,
    ];
    let mut out: Vec<Completion> = keys_at(&path)
        .into_iter()
        .map(|(k, doc)| Completion {
            label: k,
            kind: CompletionKind::Step,
            detail: Some("built-in step".to_string()),
            documentation: doc,
        })
        .collect();
    out.extend(members_named(cx, MemberKind::Command));
    out
}

/// The config's own members of `kind`, then each orb's as `alias/member`.
fn members_named(cx: &Context, kind: MemberKind) -> Vec<Completion> {
    let ck = match kind {
        MemberKind::Job => CompletionKind::Job,
        MemberKind::Command => CompletionKind::Command,
        MemberKind::Executor => CompletionKind::Executor,
    };
    let cfg = cx.config;
    let own: Vec<&str> = match kind {
        MemberKind::Job => cfg.jobs.iter().map(|j| j.name.text).collect(),
        MemberKind::Command => cfg.commands.iter().map(|c| c.name.text).collect(),
        MemberKind::Executor => cfg.executors.iter().map(|e| e.name.text).collect(),
    };
    let mut out: Vec<Completion> = own
        .into_iter()
        .filter(|n| *n != PLACEHOLDER)
        .map(|n| item(n, ck, Some(format!("{} of this config", kind.as_str()))))
        .collect();
    let scope = cx.scopes()[0];
    for orb in &cfg.orbs {
        let res = members::resolve(&cx.orbs, cfg, &scope, orb.alias.text);
        let Some(found) = res.members() else { continue };
        let from = res
            .registry()
            .map_or_else(|| "inline orb".to_string(), |r| r.checked());
        for name in found.names(kind) {
            out.push(item(
                format!("{}/{name}", orb.alias.text),
                ck,
                Some(format!("{} of {from}", kind.as_str())),
            ));
        }
    }
    out
}

/// The parameters of member `name` (local or `alias/member`) not given yet.
fn parameters(cx: &Context, kind: MemberKind, name: &str, given: &[String]) -> Vec<Completion> {
    let cfg: &Config = cx.config;
    let scope = cx.scopes()[0];
    let params: Vec<Param> = match orb_ref(name) {
        Some(r) => {
            let res = members::resolve(&cx.orbs, cfg, &scope, r.orb);
            let Some(found) = res.members() else {
                return Vec::new();
            };
            let Some(m) = found.member(kind, r.member) else {
                return Vec::new();
            };
            m.params()
        }
        None => {
            let decls = match kind {
                MemberKind::Job => cfg.job(name).map(|j| &j.parameters[..]),
                MemberKind::Command => cfg.command(name).map(|c| &c.parameters[..]),
                MemberKind::Executor => cfg.executor(name).map(|e| &e.parameters[..]),
            };
            decls.unwrap_or(&[]).iter().map(Param::Decl).collect()
        }
    };
    params
        .iter()
        .filter(|p| !given.iter().any(|g| g == p.name()))
        .map(|p| param_item(p, format!("parameter of `{name}`")))
        .collect()
}

fn param_item(p: &Param, of: String) -> Completion {
    let ty = p.ty().map_or("?", |t| t.as_str());
    let default = match p.default_json() {
        None => "required".to_string(),
        Some(v) => format!("default {v}"),
    };
    item(
        p.name(),
        CompletionKind::Parameter,
        Some(format!("{ty}, {default}; {of}")),
    )
}

/// Inside `<< `: `parameters.x` of the member the cursor is in, or `pipeline.x`.
fn template(cx: &Context, inner: &str, offset: usize) -> Vec<Completion> {
    let mut out = Vec::new();
    if "parameters.".starts_with(inner) || inner.starts_with("parameters.") {
        let offset = offset as u32;
        for scope in cx.scopes() {
            let cfg = scope.config;
            let owners = cfg
                .jobs
                .iter()
                .map(|j| (j.node, &j.parameters, j.name.text))
                .chain(
                    cfg.commands
                        .iter()
                        .map(|c| (c.node, &c.parameters, c.name.text)),
                )
                .chain(
                    cfg.executors
                        .iter()
                        .map(|e| (e.node, &e.parameters, e.name.text)),
                );
            for (node, params, name) in owners {
                if node.alias.is_none() && node.span.start <= offset && offset <= node.span.end {
                    out.extend(params.iter().map(|p| {
                        let mut c = param_item(&Param::Decl(p), format!("parameter of `{name}`"));
                        c.label = format!("parameters.{}", p.name.text);
                        c
                    }));
                }
            }
        }
    }
    if "pipeline.".starts_with(inner) || inner.starts_with("pipeline.") {
        out.extend(builtin_pipeline_values().iter().map(|v| {
            item(
                *v,
                CompletionKind::PipelineValue,
                Some("pipeline value".to_string()),
            )
        }));
        out.extend(cx.config.parameters.iter().map(|p| {
            let mut c = param_item(&Param::Decl(p), "pipeline parameter".to_string());
            c.label = format!("pipeline.parameters.{}", p.name.text);
            c
        }));
    }
    out
}
