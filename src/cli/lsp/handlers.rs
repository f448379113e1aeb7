//! The requests about a document's names and shape: hover, definition, references, rename,
//! completion, document symbols, folding ranges.

use super::Ctx;
use crate::analysis::symbols::{SymbolKind, Symbols, symbols};
use crate::base::span::Span;
use crate::output::ide::{self, CompletionKind};
use lsp_server::ErrorCode;
use lsp_types as lsp;

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
    let position = p.text_document_position_params.position;
    let found = match &cx.orb {
        // In an orb source folder, definitions may be in other files: say which.
        Some(o) => {
            let offset = o.base + cursor(cx, position);
            crate::pipeline::orb::inspect_orb(&o.assembled, &o.display, &cx.settings, |c| {
                let s = symbols(c);
                let described = |span: Span| {
                    let at = place(cx, span);
                    let line = at.range.start.line + 1;
                    if at.uri == cx.doc.uri {
                        format!("line {line}")
                    } else {
                        let rel = o
                            .docs
                            .iter()
                            .position(|d| d.uri == at.uri)
                            .map_or("", |i| o.assembled.parts[i].rel.as_str());
                        format!("line {line} of `{rel}`")
                    }
                };
                ide::hover_at(c, &s, offset, &described)
            })
        }
        None => inspect(cx, |c, s| ide::hover(c, s, cursor(cx, position))),
    };
    Ok(found.map(|h| lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: h.markdown,
        }),
        range: Some(place(cx, h.span).range),
    }))
}

fn location(cx: &Ctx, span: Span) -> lsp::Location {
    lsp::Location::new(cx.doc.uri.clone(), cx.doc.range(span, cx.enc))
}

/// An orb source folder assembled (see `Server::orb_view`): its parts' documents, and where
/// the document asked about starts in the combined text.
pub(super) struct OrbView {
    pub assembled: crate::config::orb_source::Assembled,
    pub docs: Vec<super::text::Doc>,
    pub base: usize,
    pub display: String,
}

/// Run `f` on the names of the document, or of its whole orb source folder; `f` gets the
/// text's symbols and the cursor's offset in that text.
fn names<R>(cx: &Ctx, position: lsp::Position, f: impl FnOnce(&Symbols, usize) -> R) -> R {
    let offset = cursor(cx, position);
    match &cx.orb {
        Some(o) => crate::pipeline::orb::inspect_orb(&o.assembled, &o.display, &cx.settings, |c| {
            f(&symbols(c), o.base + offset)
        }),
        None => inspect(cx, |_, s| f(s, offset)),
    }
}

/// Where a span of the text `names` looked at is: in the document, or in a file of its orb
/// folder.
fn place(cx: &Ctx, span: Span) -> lsp::Location {
    let Some(o) = &cx.orb else {
        return location(cx, span);
    };
    let start = span.start as usize;
    let i = o
        .assembled
        .parts
        .iter()
        .rposition(|p| p.base <= start)
        .unwrap_or(0);
    let base = o.assembled.parts[i].base.min(start);
    let doc = &o.docs[i];
    let local = Span::new(start - base, (span.end as usize).max(start) - base);
    lsp::Location::new(doc.uri.clone(), doc.range(local, cx.enc))
}

/// The text a span of `names`' text holds.
fn text_at<'c>(cx: &'c Ctx, span: Span) -> Option<&'c str> {
    let text = match &cx.orb {
        Some(o) => o.assembled.source.as_str(),
        None => cx.doc.text.as_str(),
    };
    text.get(span.start as usize..span.end as usize)
}

pub(super) fn definition(
    cx: &Ctx,
    p: lsp::GotoDefinitionParams,
) -> Answer<Option<lsp::GotoDefinitionResponse>> {
    let position = p.text_document_position_params.position;
    let def = names(cx, position, |s, offset| {
        s.at(offset).map(|o| s.symbols[o.symbol].def)
    });
    Ok(def.map(|span| lsp::GotoDefinitionResponse::Scalar(place(cx, span))))
}

pub(super) fn references(cx: &Ctx, p: lsp::ReferenceParams) -> Answer<Option<Vec<lsp::Location>>> {
    let with_def = p.context.include_declaration;
    let spans = names(cx, p.text_document_position.position, |s, offset| {
        s.at(offset).map(|o| {
            s.occurrences_of(o.symbol)
                .into_iter()
                .filter(|occ| with_def || !occ.def)
                .map(|occ| occ.span)
                .collect::<Vec<_>>()
        })
    });
    Ok(spans.map(|spans| spans.into_iter().map(|s| place(cx, s)).collect()))
}

pub(super) fn prepare_rename(
    cx: &Ctx,
    p: lsp::TextDocumentPositionParams,
) -> Answer<Option<lsp::PrepareRenameResponse>> {
    let found = names(cx, p.position, |s, offset| {
        let o = s.at(offset)?;
        let sym = &s.symbols[o.symbol];
        let spans: Vec<Span> = s.occurrences_of(o.symbol).iter().map(|o| o.span).collect();
        let checked = [spans.as_slice(), &[sym.def]].concat();
        (sym.kind.renamable() && written(cx, &checked, &sym.name))
            .then(|| (o.span, sym.name.clone()))
    });
    Ok(found.map(
        |(span, name)| lsp::PrepareRenameResponse::RangeWithPlaceholder {
            range: place(cx, span).range,
            placeholder: name,
        },
    ))
}

/// Whether every occurrence is the name written out (not, say, an orb source's member named
/// by its file, which renaming would have to rename).
fn written(cx: &Ctx, spans: &[Span], name: &str) -> bool {
    spans.iter().all(|s| text_at(cx, *s) == Some(name))
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
    let new_name = p.new_name;
    let spans = names(cx, p.text_document_position.position, |s, offset| {
        let o = s.at(offset)?;
        let sym = &s.symbols[o.symbol];
        let spans: Vec<Span> = s.occurrences_of(o.symbol).iter().map(|o| o.span).collect();
        let checked = [spans.as_slice(), &[sym.def]].concat();
        if !sym.kind.renamable() || !written(cx, &checked, &sym.name) {
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
    // The edits of each file (the document's, or its orb folder's files').
    let mut per_file: Vec<(lsp::Uri, Vec<lsp::TextEdit>)> = Vec::new();
    for span in spans {
        let at = place(cx, span);
        let edit = lsp::TextEdit::new(at.range, new_name.clone());
        match per_file.iter_mut().find(|(uri, _)| *uri == at.uri) {
            Some((_, edits)) => edits.push(edit),
            None => per_file.push((at.uri, vec![edit])),
        }
    }
    Ok(Some(lsp::WorkspaceEdit {
        changes: Some(per_file.into_iter().collect()),
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
