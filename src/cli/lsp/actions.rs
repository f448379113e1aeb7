//! Code actions: each finding's fix (safe ones preferred), "ignore this rule here" (a
//! suppression comment on the line before the finding, or for the file when the finding is
//! inside a multi-line scalar, where a comment would be text), and "fix all" (the safe fixes of
//! the whole file, as `cilint check --fix` applies them).

use super::Ctx;
use super::handlers::HasDocument;
use crate::base::diagnostic::{Applicability, Diagnostic};
use crate::base::fix::line_break;
use crate::base::span::Span;
use crate::yaml::{Node, ScalarStyle};
use lsp_types as lsp;
use std::collections::HashMap;

fn workspace_edit(cx: &Ctx, edits: Vec<lsp::TextEdit>) -> lsp::WorkspaceEdit {
    lsp::WorkspaceEdit {
        changes: Some(HashMap::from([(cx.doc.uri.clone(), edits)])),
        ..Default::default()
    }
}

fn lsp_diagnostic(cx: &Ctx, d: &Diagnostic) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: cx.doc.range(d.primary.span, cx.enc),
        code: Some(lsp::NumberOrString::String(d.rule.to_string())),
        source: Some("cilint".to_string()),
        message: d.message.clone(),
        ..Default::default()
    }
}

/// Whether `offset` lies in a scalar that starts on an earlier line (a block scalar or a
/// multi-line flow scalar), where a comment line would become part of the text.
fn inside_multiline_scalar(node: &Node, source: &str, offset: u32, depth: usize) -> bool {
    if depth > 256 || !(node.span.start <= offset && offset <= node.span.end) {
        return false;
    }
    if let Some(s) = node.as_scalar() {
        let multi = matches!(s.style, ScalarStyle::Literal | ScalarStyle::Folded)
            || source
                .get(node.span.start as usize..offset as usize)
                .is_some_and(|t| t.contains('\n'));
        return multi;
    }
    if let Some(map) = node.as_map() {
        return map.iter().any(|(k, v)| {
            inside_multiline_scalar(k, source, offset, depth + 1)
                || inside_multiline_scalar(v, source, offset, depth + 1)
        });
    }
    node.as_seq().is_some_and(|items| {
        items
            .iter()
            .any(|v| inside_multiline_scalar(v, source, offset, depth + 1))
    })
}

/// The edit that suppresses `rule` for the finding at `span`.
fn ignore_edit(cx: &Ctx, rule: &str, span: Span) -> (String, crate::base::diagnostic::Edit) {
    use crate::base::diagnostic::Edit;
    let text = &cx.doc.text;
    let nl = line_break(text);
    let in_scalar = crate::pipeline::inspect(text, &cx.doc.display, &cx.settings, |c| {
        c.doc
            .root
            .as_ref()
            .is_some_and(|r| inside_multiline_scalar(r, text, span.start, 0))
    });
    if in_scalar {
        return (
            format!("Ignore `{rule}` in this file"),
            Edit::insert(0, format!("# cilint: ignore-file[{rule}]{nl}")),
        );
    }
    let lines = cx.doc.lines();
    let line = lines.line(span.start as usize);
    let line_text = lines.line_text(text, line);
    let indent: String = line_text.chars().take_while(|c| *c == ' ').collect();
    // An own-line suppression right above: add the rule to it.
    if line > 1 {
        let above = lines.line_text(text, line - 1);
        let trimmed = above.trim_start();
        if trimmed.starts_with("# cilint: ignore[")
            && let Some(close) = above.find(']')
        {
            let at = lines.line_start(line - 1) + close;
            return (
                format!("Ignore `{rule}` here"),
                Edit::insert(at, format!(", {rule}")),
            );
        }
    }
    (
        format!("Ignore `{rule}` here"),
        Edit::insert(
            lines.line_start(line),
            format!("{indent}# cilint: ignore[{rule}]{nl}"),
        ),
    )
}

pub(super) fn code_actions(
    cx: &Ctx,
    p: lsp::CodeActionParams,
) -> super::handlers::Answer<Option<lsp::CodeActionResponse>> {
    let _ = p.uri();
    let owned;
    let report = match cx.report {
        Some(r) if r.source == cx.doc.text => r,
        _ => {
            owned = crate::lint(cx.doc.text.as_bytes(), &cx.doc.display, &cx.settings);
            &owned
        }
    };
    let wanted = |kind: &lsp::CodeActionKind| {
        p.context.only.as_ref().is_none_or(|only| {
            only.iter().any(|o| {
                kind.as_str() == o.as_str()
                    || kind.as_str().starts_with(&format!("{}.", o.as_str()))
            })
        })
    };
    let range = cx.doc.span(p.range, cx.enc);
    let mut out: Vec<lsp::CodeActionOrCommand> = Vec::new();
    if wanted(&lsp::CodeActionKind::QUICKFIX) {
        for d in &report.diagnostics {
            let s = d.primary.span;
            if s.start > range.end || range.start > s.end {
                continue;
            }
            if let Some(fix) = &d.fix {
                let edits = fix
                    .edits
                    .iter()
                    .map(|e| lsp::TextEdit::new(cx.doc.range(e.span, cx.enc), e.text.clone()))
                    .collect();
                let safe = fix.applicability == Applicability::Safe;
                out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: if safe {
                        format!("Fix: {}", fix.title)
                    } else {
                        format!("Fix (may change behaviour): {}", fix.title)
                    },
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![lsp_diagnostic(cx, d)]),
                    edit: Some(workspace_edit(cx, edits)),
                    is_preferred: Some(safe),
                    ..Default::default()
                }));
            }
        }
        for d in &report.diagnostics {
            let s = d.primary.span;
            if s.start > range.end || range.start > s.end {
                continue;
            }
            let (title, edit) = ignore_edit(cx, d.rule, s);
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title,
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diagnostic(cx, d)]),
                edit: Some(workspace_edit(
                    cx,
                    vec![lsp::TextEdit::new(
                        cx.doc.range(edit.span, cx.enc),
                        edit.text,
                    )],
                )),
                ..Default::default()
            }));
        }
    }
    if wanted(&lsp::CodeActionKind::SOURCE_FIX_ALL)
        && report.diagnostics.iter().any(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| f.applicability == Applicability::Safe)
        })
    {
        let fixed =
            crate::pipeline::fix::fix_text(&cx.doc.text, &cx.doc.display, &cx.settings, false);
        if fixed.changed() {
            let all = Span::new(0, cx.doc.text.len());
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: match fixed.applied.len() {
                    1 => "Fix all: the 1 safe fix of cilint".to_string(),
                    n => format!("Fix all: {n} safe fixes of cilint"),
                },
                kind: Some(lsp::CodeActionKind::SOURCE_FIX_ALL),
                edit: Some(workspace_edit(
                    cx,
                    vec![lsp::TextEdit::new(cx.doc.range(all, cx.enc), fixed.text)],
                )),
                ..Default::default()
            }));
        }
    }
    Ok(Some(out))
}
