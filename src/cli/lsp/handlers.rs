//! The requests about a document's names and shape: hover, definition, references, rename,
//! completion, document symbols, folding ranges.

use super::Ctx;
use crate::analysis::symbols::{SymbolKind, Symbols, symbols};
use crate::base::span::Span;
use crate::output::ide::{self, CompletionKind};
use lsp_server::ErrorCode;
use lsp_types as lsp;
use std::collections::HashMap;

pub(super) type Answer<R> = Result<R, (ErrorCode, String)>;

/// The parameters of a request about one document.
pub(super) trait HasDocument {
    fn uri(&self) -> &lsp::Uri;
}

macro_rules! has_document {
    ($($t:ty => $($field:ident).+;)+) => {
        $(impl HasDocument for $t {
            fn uri(&self) -> &lsp::Uri {
                &self.$($field).+.uri
            }
        })+
    };
}

has_document! {
    lsp::HoverParams => text_document_position_params.text_document;
    lsp::GotoDefinitionParams => text_document_position_params.text_document;
    lsp::ReferenceParams => text_document_position.text_document;
    lsp::TextDocumentPositionParams => text_document;
    lsp::RenameParams => text_document_position.text_document;
    lsp::CompletionParams => text_document_position.text_document;
    lsp::DocumentSymbolParams => text_document;
    lsp::FoldingRangeParams => text_document;
    lsp::CodeActionParams => text_document;
}

/// Run `f` on the document's context and symbols.
fn inspect<R>(cx: &Ctx, f: impl FnOnce(&crate::analysis::context::Context, &Symbols) -> R) -> R {
    crate::pipeline::inspect(&cx.doc.text, &cx.doc.display, &cx.settings, |c| {
        let s = symbols(c);
        f(c, &s)
    })
}

/// The byte offset of a position, for a request about the name there: inside
/// `<< parameters.x >>` (or `<< pipeline.parameters.x >>`), anywhere on the reference means
/// its last name.
fn cursor(cx: &Ctx, position: lsp::Position) -> usize {
    let offset = cx.doc.offset(position, cx.enc);
    template_name(&cx.doc.text, offset).unwrap_or(offset)
}

fn template_name(text: &str, offset: usize) -> Option<usize> {
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let before = &text[line_start..offset];
    let open = before.rfind("<<")?;
    if before[open..].contains(">>") {
        return None;
    }
    let close = text[offset..line_end].find(">>")? + offset;
    let start = line_start + open + 2;
    let inner = text[start..close].trim_end();
    let last = start + inner.rfind('.')? + 1;
    (offset < last).then_some(last)
}

pub(super) fn hover(cx: &Ctx, p: lsp::HoverParams) -> Answer<Option<lsp::Hover>> {
    let offset = cursor(cx, p.text_document_position_params.position);
    Ok(
        inspect(cx, |c, s| ide::hover(c, s, offset)).map(|h| lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: h.markdown,
            }),
            range: Some(cx.doc.range(h.span, cx.enc)),
        }),
    )
}

fn location(cx: &Ctx, span: Span) -> lsp::Location {
    lsp::Location::new(cx.doc.uri.clone(), cx.doc.range(span, cx.enc))
}

pub(super) fn definition(
    cx: &Ctx,
    p: lsp::GotoDefinitionParams,
) -> Answer<Option<lsp::GotoDefinitionResponse>> {
    let offset = cursor(cx, p.text_document_position_params.position);
    let def = inspect(cx, |_, s| s.at(offset).map(|o| s.symbols[o.symbol].def));
    Ok(def.map(|span| lsp::GotoDefinitionResponse::Scalar(location(cx, span))))
}

pub(super) fn references(cx: &Ctx, p: lsp::ReferenceParams) -> Answer<Option<Vec<lsp::Location>>> {
    let offset = cursor(cx, p.text_document_position.position);
    let with_def = p.context.include_declaration;
    let spans = inspect(cx, |_, s| {
        s.at(offset).map(|o| {
            s.occurrences_of(o.symbol)
                .into_iter()
                .filter(|occ| with_def || !occ.def)
                .map(|occ| occ.span)
                .collect::<Vec<_>>()
        })
    });
    Ok(spans.map(|spans| spans.into_iter().map(|s| location(cx, s)).collect()))
}

pub(super) fn prepare_rename(
    cx: &Ctx,
    p: lsp::TextDocumentPositionParams,
) -> Answer<Option<lsp::PrepareRenameResponse>> {
    let offset = cursor(cx, p.position);
    let found = inspect(cx, |_, s| {
        let o = s.at(offset)?;
        let sym = &s.symbols[o.symbol];
        sym.kind.renamable().then(|| (o.span, sym.name.clone()))
    });
    Ok(found.map(
        |(span, name)| lsp::PrepareRenameResponse::RangeWithPlaceholder {
            range: cx.doc.range(span, cx.enc),
            placeholder: name,
        },
    ))
}

/// Whether `name` may be written as a plain YAML key and a step or job name.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(['-', '?', '!', '&', '*', '%', '@', '`', '\'', '"', '|', '>'])
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

pub(super) fn rename(cx: &Ctx, p: lsp::RenameParams) -> Answer<Option<lsp::WorkspaceEdit>> {
    let offset = cursor(cx, p.text_document_position.position);
    let new_name = p.new_name;
    let spans = inspect(cx, |_, s| {
        let o = s.at(offset)?;
        let sym = &s.symbols[o.symbol];
        if !sym.kind.renamable() {
            return None;
        }
        let clash = s.symbols.iter().any(|other| {
            other.kind == sym.kind
                && other.scope == sym.scope
                && other.owner == sym.owner
                && other.name == new_name
        });
        Some((
            clash,
            s.occurrences_of(o.symbol)
                .into_iter()
                .map(|o| o.span)
                .collect::<Vec<_>>(),
        ))
    });
    let Some((clash, spans)) = spans else {
        return Err((
            ErrorCode::InvalidRequest,
            "nothing that can be renamed here".to_string(),
        ));
    };
    if !valid_name(&new_name) {
        return Err((
            ErrorCode::InvalidParams,
            format!("`{new_name}` is not a name cilint can write here"),
        ));
    }
    if clash {
        return Err((ErrorCode::InvalidParams, format!("`{new_name}` is taken")));
    }
    let edits = spans
        .into_iter()
        .map(|s| lsp::TextEdit::new(cx.doc.range(s, cx.enc), new_name.clone()))
        .collect();
    Ok(Some(lsp::WorkspaceEdit {
        changes: Some(HashMap::from([(cx.doc.uri.clone(), edits)])),
        ..Default::default()
    }))
}

pub(super) fn completion(
    cx: &Ctx,
    p: lsp::CompletionParams,
) -> Answer<Option<lsp::CompletionResponse>> {
    let offset = cx.doc.offset(p.text_document_position.position, cx.enc);
    let range = cx.doc.range(replaced(&cx.doc.text, offset), cx.enc);
    let items = ide::complete(&cx.doc.text, &cx.doc.display, &cx.settings, offset)
        .into_iter()
        .map(|c| lsp::CompletionItem {
            text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                range,
                c.label.clone(),
            ))),
            filter_text: Some(c.label.clone()),
            label: c.label,
            kind: Some(match c.kind {
                CompletionKind::Key => lsp::CompletionItemKind::PROPERTY,
                CompletionKind::Job => lsp::CompletionItemKind::CLASS,
                CompletionKind::Step | CompletionKind::Command => lsp::CompletionItemKind::FUNCTION,
                CompletionKind::Executor => lsp::CompletionItemKind::MODULE,
                CompletionKind::Parameter => lsp::CompletionItemKind::VARIABLE,
                CompletionKind::PipelineValue => lsp::CompletionItemKind::CONSTANT,
            }),
            detail: c.detail,
            documentation: c.documentation.map(|d| {
                lsp::Documentation::MarkupContent(lsp::MarkupContent {
                    kind: lsp::MarkupKind::Markdown,
                    value: d,
                })
            }),
            ..Default::default()
        })
        .collect();
    Ok(Some(lsp::CompletionResponse::Array(items)))
}

/// What a completion replaces: inside an open `<< `, the name written since it (so that
/// `parameters.x` replaces `param`, and `pipeline.parameters.x` replaces `pipeline.`);
/// elsewhere the word at the cursor (a key, a job, a step, an orb member).
fn replaced(text: &str, offset: usize) -> Span {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let in_template = before
        .rfind("<<")
        .filter(|open| !before[*open..].contains(">>"));
    let word = |c: char| -> bool {
        c.is_ascii_alphanumeric()
            || matches!(c, '_' | '-' | '.')
            || (in_template.is_none() && matches!(c, '/' | '@'))
    };
    let start = match in_template {
        Some(open) => {
            let inner = &before[open + 2..];
            line_start + open + 2 + (inner.len() - inner.trim_start().len())
        }
        None => before
            .char_indices()
            .rev()
            .take_while(|(_, c)| word(*c))
            .last()
            .map_or(offset, |(i, _)| line_start + i),
    };
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !word(*c))
        .map_or(text.len(), |(i, _)| offset + i);
    Span::new(start, end)
}

fn symbol_kind(kind: SymbolKind) -> lsp::SymbolKind {
    match kind {
        SymbolKind::Job => lsp::SymbolKind::CLASS,
        SymbolKind::Command => lsp::SymbolKind::FUNCTION,
        SymbolKind::Executor => lsp::SymbolKind::MODULE,
        SymbolKind::Parameter | SymbolKind::PipelineParameter => lsp::SymbolKind::VARIABLE,
        SymbolKind::Orb => lsp::SymbolKind::PACKAGE,
        SymbolKind::Workflow => lsp::SymbolKind::EVENT,
        SymbolKind::EntryName => lsp::SymbolKind::OBJECT,
        SymbolKind::Anchor => lsp::SymbolKind::KEY,
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written
fn outline_symbol(cx: &Ctx, o: ide::Outline) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: o.name,
        detail: Some(o.kind.as_str().to_string()),
        kind: symbol_kind(o.kind),
        tags: None,
        deprecated: None,
        range: cx.doc.range(o.extent, cx.enc),
        selection_range: cx.doc.range(o.selection, cx.enc),
        children: Some(
            o.children
                .into_iter()
                .map(|c| outline_symbol(cx, c))
                .collect(),
        ),
    }
}

pub(super) fn document_symbols(
    cx: &Ctx,
    _: lsp::DocumentSymbolParams,
) -> Answer<Option<lsp::DocumentSymbolResponse>> {
    let outline = inspect(cx, |_, s| ide::outline(s));
    Ok(Some(lsp::DocumentSymbolResponse::Nested(
        outline.into_iter().map(|o| outline_symbol(cx, o)).collect(),
    )))
}

pub(super) fn folding(
    cx: &Ctx,
    _: lsp::FoldingRangeParams,
) -> Answer<Option<Vec<lsp::FoldingRange>>> {
    let folds = inspect(cx, |c, _| ide::folds(c));
    Ok(Some(
        folds
            .into_iter()
            .map(|(first, last)| lsp::FoldingRange {
                start_line: (first - 1) as u32,
                end_line: (last - 1) as u32,
                kind: Some(lsp::FoldingRangeKind::Region),
                ..Default::default()
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_reference_means_its_last_name() {
        let text = "x: << parameters.who >>\ny: << pipeline.parameters.a-b >> << b >>\n";
        let at = |needle: &str| text.find(needle).unwrap();
        // On the space after `<<`, in `parameters` or on the dot: the name `who`.
        for from in [
            at("<< parameters.who") + 2,
            at("parameters.who") + 3,
            at(".who"),
        ] {
            assert_eq!(template_name(text, from), Some(at("who")), "{from}");
        }
        assert_eq!(template_name(text, at("who")), None, "already on the name");
        assert_eq!(template_name(text, at("pipeline")), Some(at("a-b")));
        assert_eq!(template_name(text, at("<< b") + 3), None, "no dot");
        assert_eq!(template_name(text, at("x:")), None);
        assert_eq!(template_name(text, text.len()), None);
    }

    #[test]
    fn completion_replaces_the_word_or_the_template_name() {
        let text = "steps:\n  - slack/no\nrun: << parameters.ta >>\n";
        let end = text.find("\nrun").unwrap();
        assert_eq!(
            replaced(text, end),
            Span::new(text.find("slack").unwrap(), end)
        );
        let cursor = text.find(" >>").unwrap();
        let start = text.find("parameters").unwrap();
        assert_eq!(replaced(text, cursor), Span::new(start, cursor));
        assert_eq!(replaced(text, start + 3), Span::new(start, cursor));
        assert_eq!(replaced(text, 999), Span::new(text.len(), text.len()));
    }
}
