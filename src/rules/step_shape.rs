//! `step-shape`: a step written as a map must have exactly one key, the step's name.
//!
//! The commonest real mistake is arguments written at the indentation of the step name instead
//! of under it: the step becomes one map with several keys, and the step name's value is null.
//! The finding names the step, labels the stray keys, and shows the corrected lines (built from
//! the source by indenting the stray keys under the step name).
//!
//! It walks the tree (no model needed): the steps of jobs and commands (also inside inline orbs),
//! the `pre-steps`/`post-steps` of workflow job entries, and the steps of step-level
//! `when`/`unless` blocks.

use super::Rule;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::span::{LineIndex, Span};
use crate::yaml::Node;

pub static STEP_SHAPE: Rule = Rule {
    id: "step-shape",
    severity: Severity::Error,
    summary: "a step written as a map must have exactly one key: the step's name",
    explanation: include_str!("docs/step-shape.md"),
    category: super::Category::Correctness,
    check: Some(check),
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(root) = cx.doc.root.as_ref() else {
        return;
    };
    // A step list shared through an anchor is reached once per use: report it once.
    let mut seen = std::collections::HashSet::new();
    let mut report = |step: &Node, place: &str| {
        if seen.insert(step.span)
            && let Some(d) = misindented(step, "arguments", place, Some(cx.source), &STEP_SHAPE)
        {
            out.push(d);
        }
    };
    walk_config(root, &mut report);
}

/// Call `f` with every misshapen step of the config (at any depth) and its place in words.
fn walk_config(root: &Node, f: &mut dyn FnMut(&Node, &str)) {
    for (owner, body) in named(root, "jobs", "job") {
        walk_steps(body.get("steps"), "step", &owner, f);
    }
    for (owner, body) in named(root, "commands", "command") {
        walk_steps(body.get("steps"), "step", &owner, f);
    }
    if let Some(orbs) = root.get("orbs").and_then(Node::as_map) {
        for (alias, orb) in orbs {
            let alias = alias.scalar_text().unwrap_or("?");
            if orb.as_map().is_none() {
                continue;
            }
            for (coll, what) in [("jobs", "job"), ("commands", "command")] {
                for (owner, body) in named(orb, coll, what) {
                    let owner = format!("{owner} of orb `{alias}`");
                    walk_steps(body.get("steps"), "step", &owner, f);
                }
            }
        }
    }
    if let Some(workflows) = root.get("workflows").and_then(Node::as_map) {
        for (name, wf) in workflows {
            let wf_name = name.scalar_text().unwrap_or("?");
            let Some(entries) = wf.get("jobs").and_then(Node::as_seq) else {
                continue;
            };
            for entry in entries {
                let Some(map) = entry.as_map() else {
                    continue;
                };
                for (job, settings) in map {
                    let owner = format!(
                        "job `{}` in workflow `{wf_name}`",
                        job.scalar_text().unwrap_or("?")
                    );
                    walk_steps(settings.get("pre-steps"), "pre-step", &owner, f);
                    walk_steps(settings.get("post-steps"), "post-step", &owner, f);
                }
            }
        }
    }
}

/// The items of the mapping `root.key`, each with "<what> `<name>`".
fn named<'n>(root: &'n Node, key: &str, what: &str) -> Vec<(String, &'n Node)> {
    root.get(key)
        .and_then(Node::as_map)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (format!("{what} `{}`", k.scalar_text().unwrap_or("?")), v))
                .collect()
        })
        .unwrap_or_default()
}

fn walk_steps(list: Option<&Node>, what: &str, owner: &str, f: &mut dyn FnMut(&Node, &str)) {
    let Some(steps) = list.and_then(Node::as_seq) else {
        return;
    };
    for (i, step) in steps.iter().enumerate() {
        let place = || format!("{what} {} of {owner}", i + 1);
        // Only a misshapen step can be reported (its place is written only then).
        if is_misshapen(step) {
            f(step, &place());
        }
        // Steps nested in a well-formed `when`/`unless` step.
        if let Some([(k, v)]) = step.as_map()
            && matches!(k.scalar_text(), Some("when" | "unless"))
        {
            let inner = format!(
                "the `{}` block of {}",
                k.scalar_text().unwrap_or(""),
                place()
            );
            walk_steps(v.get("steps"), "step", &inner, f);
        }
    }
}

/// A step (or workflow job entry) written as a map with more than one key.
pub fn is_misshapen(node: &Node) -> bool {
    node.as_map().is_some_and(|m| m.len() > 1)
}

/// The finding for a map that should have one key but has several, or `None` when it is fine.
/// `what` names the nested keys ("arguments" of a step, "settings" of a workflow job), `place`
/// says where the map is ("step 2 of job `build`"); with the `source`, the help shows the
/// corrected lines.
pub fn misindented(
    node: &Node,
    what: &str,
    place: &str,
    source: Option<&str>,
    rule: &'static Rule,
) -> Option<Diagnostic> {
    let map = node.as_map().filter(|m| m.len() > 1)?;
    let names: Vec<&str> = map
        .iter()
        .map(|(k, _)| k.scalar_text().unwrap_or("?"))
        .collect();
    let head = map.iter().position(|(_, v)| v.is_null());
    let Some(h) = head else {
        // Several keys, none of them empty: two steps run together, or arguments beside a
        // step that already has a value.
        let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let mut d = rule
            .at(
                map[0].0.span,
                format!(
                    "{place} has {} keys ({}); it must have exactly one",
                    names.len(),
                    quoted.join(", ")
                ),
            )
            .label(format!("`{}` starts here", names[0]));
        for (k, _) in &map[1..] {
            d = d.with_label(k.span, "extra key at the same level");
        }
        return Some(d.help(format!(
            "put the other keys under `{}` (written as a mapping), or start a new item with `- ` for each",
            names[0]
        )));
    };
    let name = names[h];
    let (head_key, _) = &map[h];
    let strays: Vec<&Node> = map
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != h)
        .map(|(_, (k, _))| k)
        .collect();
    let mut d = rule
        .at(
            head_key.span,
            format!("the {what} of `{name}` are not indented under it"),
        )
        .label(format!("{place}: `{name}` has no value"));
    for k in &strays {
        d = d.with_label(k.span, format!("belongs under `{name}`"));
    }
    let stray_names: Vec<String> = strays
        .iter()
        .map(|k| format!("`{}`", k.scalar_text().unwrap_or("?")))
        .collect();
    let corrected = (h == 0)
        .then(|| source.and_then(|src| corrected_lines(src, node, head_key.span)))
        .flatten();
    let help = match corrected {
        Some(lines) => format!(
            "indent {} two more spaces, under `{name}`:\n{lines}",
            stray_names.join(", ")
        ),
        None => format!(
            "indent {} under `{name}`, deeper than `{name}` itself",
            stray_names.join(", ")
        ),
    };
    Some(d.help(help))
}

/// The source lines of the map `node`, with every line after the head key's line indented two
/// more spaces, and the whole block dedented to start at column 0.
fn corrected_lines(src: &str, node: &Node, head: Span) -> Option<String> {
    let lines = LineIndex::new(src);
    let first = lines.line(head.start as usize);
    let (_, last_value) = node.as_map()?.last()?;
    let end = last_value.span.end.max(head.end) as usize;
    let mut last = lines.line(end.saturating_sub(1).max(head.start as usize));
    while last > first && lines.line_text(src, last).trim().is_empty() {
        last -= 1;
    }
    let head_text = lines.line_text(src, first);
    let base = head_text.len() - head_text.trim_start().len();
    // The stray keys sit at the head key's column; a line indented less is past the step.
    let key_col = (head.start as usize).saturating_sub(lines.line_start(first));
    let mut out = Vec::with_capacity(last - first + 1);
    out.push(head_text.get(base..).unwrap_or(head_text).to_string());
    for line in first + 1..=last {
        let text = lines.line_text(src, line);
        if text.trim().is_empty() {
            out.push(String::new());
        } else if text.len() - text.trim_start().len() < key_col {
            break;
        } else {
            let cut = text
                .char_indices()
                .take_while(|(i, c)| *i < base && *c == ' ')
                .count();
            out.push(format!("  {}", &text[cut..]));
        }
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    Some(out.join("\n"))
}
