//! The shape of steps and workflow job entries: a map that should have one key (the step's or
//! the job's name) but has several. Both the schema check and the `step-shape` rule report it.

use crate::base::diagnostic::{Applicability, Edit, Finding, Fix};
use crate::base::span::{LineIndex, Span};
use crate::base::text::quoted;
use crate::yaml::Node;

/// A step (or workflow job entry) written as a map with more than one key.
pub fn is_misshapen(node: &Node) -> bool {
    node.as_map().is_some_and(|m| m.len() > 1)
}

/// The finding for a map that should have one key but has several, or `None` when it is fine.
/// `what` names the nested keys ("arguments" of a step, "settings" of a workflow job), `place`
/// says where the map is ("step 2 of job `build`"); with the `source`, the help shows the
/// corrected lines.
pub fn misindented<K>(
    node: &Node,
    what: &str,
    place: &str,
    source: Option<&str>,
    kind: K,
) -> Option<Finding<K>> {
    let map = node.as_map().filter(|m| m.len() > 1)?;
    let names: Vec<&str> = map
        .iter()
        .map(|(k, _)| k.scalar_text().unwrap_or("?"))
        .collect();
    let head = map.iter().position(|(_, v)| v.is_null());
    let Some(h) = head else {
        // Several keys, none of them empty: two steps run together, or arguments beside a
        // step that already has a value.
        let mut d = Finding::new(
            kind,
            map[0].0.span,
            format!(
                "{place} has {} keys ({}); it must have exactly one",
                names.len(),
                quoted(&names).join(", ")
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
    let mut d = Finding::new(
        kind,
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
    let fix = (h == 0)
        .then(|| source.and_then(|src| indent_fix(src, node, head_key, &strays, name)))
        .flatten();
    Some(d.help(help).fix_opt(fix))
}

/// Built-in steps: a stray key of this name is more likely a second step run into the first
/// than an argument, so indenting it under the first is only likely right (an unsafe fix).
const STEP_NAMES: &[&str] = &[
    "run",
    "checkout",
    "save_cache",
    "restore_cache",
    "store_artifacts",
    "store_test_results",
    "persist_to_workspace",
    "attach_workspace",
    "add_ssh_keys",
    "setup_remote_docker",
    "deploy",
    "unless",
];

/// The fix of a map whose first key has no value and whose other keys sit beside it: indent
/// every line of the other keys (their values, comments and blank lines included) two more
/// spaces. Only for block mappings whose stray keys start their own lines at the head key's
/// column; `None` otherwise.
fn indent_fix(src: &str, node: &Node, head: &Node, strays: &[&Node], name: &str) -> Option<Fix> {
    let lines = LineIndex::new(src);
    let first = lines.line(head.span.start as usize);
    let key_col = (head.span.start as usize).checked_sub(lines.line_start(first))?;
    for k in strays {
        let line = lines.line(k.span.start as usize);
        if line <= first || (k.span.start as usize) - lines.line_start(line) != key_col {
            return None;
        }
    }
    let (_, last_value) = node.as_map()?.last()?;
    let end = last_value.span.end.max(head.span.end) as usize;
    let last = lines.line(end.saturating_sub(1).max(head.span.start as usize));
    let mut edits = Vec::new();
    for line in first + 1..=last {
        let text = lines.line_text(src, line);
        let indent = text.len() - text.trim_start_matches(' ').len();
        let rest = &text[indent..];
        if rest.is_empty() || rest.starts_with('\t') {
            if rest.starts_with('\t') {
                return None;
            }
            continue;
        }
        if indent < key_col {
            if rest.starts_with('#') {
                continue;
            }
            return None;
        }
        edits.push(Edit::insert(lines.line_start(line), "  "));
    }
    let keys: Vec<String> = strays
        .iter()
        .map(|k| format!("`{}`", k.scalar_text().unwrap_or("?")))
        .collect();
    let applicability = if strays
        .iter()
        .any(|k| k.scalar_text().is_some_and(|t| STEP_NAMES.contains(&t)))
    {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    Some(Fix::new(
        format!("indent {} under `{name}`", keys.join(", ")),
        applicability,
        edits,
    ))
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
