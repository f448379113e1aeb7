//! The parser's errors, rewritten for a person: what is wrong at that place in words about the
//! lines around it, and the usual causes as a `help:`.

use super::{Problem, YamlFinding};
use crate::base::diagnostic::Finding;
use crate::base::span::{LineIndex, Span};
use granit_parser::ErrorKind;

/// One line of the source, as the heuristics see it.
struct Line<'s> {
    /// Byte offset of the line start.
    start: usize,
    text: &'s str,
    /// Leading spaces.
    indent: usize,
}

impl<'s> Line<'s> {
    fn content(&self) -> &'s str {
        self.text[self.indent.min(self.text.len())..].trim_end()
    }

    /// Length of the `- ` list markers that start the content.
    fn dashes(&self) -> usize {
        let c = self.content();
        let mut rest = c;
        while let Some(r) = rest
            .strip_prefix('-')
            .filter(|r| r.is_empty() || r.starts_with(' '))
        {
            rest = r.trim_start();
        }
        c.len() - rest.len()
    }

    fn is_blank_or_comment(&self) -> bool {
        let c = self.content();
        c.is_empty() || c.starts_with('#')
    }

    /// `key:` with nothing after it (a mapping key that opens a nested block).
    fn opens_block(&self) -> bool {
        let c = strip_comment(self.content());
        let c = c.strip_prefix("- ").unwrap_or(c).trim_end();
        c.ends_with(':') || c.ends_with('|') || c.ends_with('>') || c == "-"
    }
}

fn strip_comment(s: &str) -> &str {
    match s.find(" #") {
        Some(i) => s[..i].trim_end(),
        None => s,
    }
}

fn lines(src: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for text in src.split_inclusive('\n') {
        let t = text.trim_end_matches(['\n', '\r']);
        let indent = t.bytes().take_while(|&b| b == b' ').count();
        out.push(Line {
            start,
            text: t,
            indent,
        });
        start += text.len();
    }
    out
}

/// `word:value` (a colon followed by something other than a space) outside quotes: a missing
/// space after `:` makes the whole thing one string instead of a key and a value.
fn missing_space_after_colon(s: &str) -> Option<&str> {
    let c = strip_comment(s);
    let c = c.strip_prefix("- ").unwrap_or(c);
    if c.starts_with(['"', '\'']) || c.contains(": ") || c.ends_with(':') {
        return None;
    }
    let b = c.as_bytes();
    (1..b.len().saturating_sub(1))
        .find(|&i| {
            b[i] == b':'
                && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b'-')
                && !b[i + 1].is_ascii_whitespace()
                && b[i + 1] != b'/'
                && b[i + 1] != b':'
        })
        .map(|i| &c[..i])
}

/// The span of the character at `offset` (empty at the end of the text).
fn char_span(src: &str, offset: usize) -> Span {
    let mut at = offset.min(src.len());
    while !src.is_char_boundary(at) {
        at -= 1;
    }
    let len = src[at..].chars().next().map_or(0, |c| {
        if c == '\n' || c == '\r' {
            0
        } else {
            c.len_utf8()
        }
    });
    Span::new(at, at + len)
}

/// Build the `yaml-syntax` diagnostic for a parser error at byte `offset`.
pub(crate) fn syntax_error(
    src: &str,
    kind: &ErrorKind,
    offset: usize,
    open_flow: Option<usize>,
    raw: String,
) -> YamlFinding {
    let all = lines(src);
    let index = LineIndex::new(src);
    let line_no = index.line(offset.min(src.len())).max(1);
    let here = all.get(line_no - 1);
    let prev = all[..(line_no - 1).min(all.len())]
        .iter()
        .rev()
        .find(|l| !l.is_blank_or_comment());
    let span = char_span(src, offset);
    match kind {
        ErrorKind::MappingValueNotAllowed => {
            mapping_value_not_allowed(src, span, here, prev)
        }
        ErrorKind::ExpectedBlockMappingKey
            if here.is_some_and(|h| {
                h.start + h.indent <= offset
                    && !h.content().starts_with('-')
                    && prev.is_some_and(|p| h.indent > p.indent && !p.opens_block())
            }) =>
        {
            deeper_than_previous(src, span, prev)
        }
        ErrorKind::ExpectedBlockMappingKey
            if here.is_some_and(|h| offset > h.start + h.indent + h.dashes()) =>
        {
            let h = here.expect("checked");
            let help = if h.content().contains("{{") {
                "a value starting with `{` is read as a `{...}` mapping: quote the whole value (`\"{{ ... }}-x\"`)"
            } else {
                "the value before this point is complete (a quoted string, a `[...]` or `{...}`): quote the whole value, or move this text onto its own key"
            };
            Finding::new(Problem::Syntax, span, "unexpected text after a complete value")
                .label("not part of the value")
                .help(help)
        }
        ErrorKind::ExpectedBlockMappingKey => {
            let here_line = here.filter(|l| l.start + l.indent <= offset);
            let dash = here_line
                .filter(|l| l.content().starts_with("- ") || l.content() == "-")
                .map(|l| Span::new(l.start + l.indent, l.start + l.indent + 1));
            let (message, help) = match here_line {
                Some(l) if l.content().starts_with("- ") || l.content() == "-" => (
                    "a list item (`- `) where a mapping key was expected".to_string(),
                    "a list must be the value of a key: put it under a key ending in `:`, indented deeper than that key, or line the `- ` up with the list it belongs to".to_string(),
                ),
                Some(l) => {
                    let keys = enclosing_keys(&all, line_no);
                    let below = keys.iter().filter(|(i, _)| *i < l.indent).max_by_key(|(i, _)| *i);
                    let above = keys.iter().filter(|(i, _)| *i > l.indent).min_by_key(|(i, _)| *i);
                    let spaces = |n: usize| if n == 1 { "1 space".to_string() } else { format!("{n} spaces") };
                    let describe = |(i, k): &(usize, &str)| format!("`{k}:` ({})", spaces(*i));
                    let lined_up = match (above, below) {
                        (Some(a), Some(b)) => format!("{} or {}", describe(a), describe(b)),
                        (Some(a), None) => describe(a),
                        (None, Some(b)) => describe(b),
                        (None, None) => "its sibling keys".to_string(),
                    };
                    (
                        format!(
                            "this line is indented by {}, which lines it up with no key above it",
                            spaces(l.indent)
                        ),
                        match block_scalar_above(&all, line_no, l.indent) {
                            Some(block) => format!(
                                "if this line belongs to the `|`/`>` text block above, indent it like the block's first line ({}); otherwise line it up with {lined_up}",
                                spaces(block)
                            ),
                            None => format!(
                                "line this key up with {lined_up}, the keys of the mappings above, whichever it belongs to"
                            ),
                        },
                    )
                }
                None => (
                    "expected a mapping key here".to_string(),
                    "indent this key like its sibling keys".to_string(),
                ),
            };
            Finding::new(Problem::Syntax, dash.unwrap_or(span), message)
                .label("mis-indented")
                .help(help)
        }
        ErrorKind::ExpectedBlockSequenceEntry => Finding::new(
                Problem::Syntax,
                span,
                "a mapping key where a list item (`- `) was expected: this line is indented like the list items above it",
            )
            .label("expected `- ` here")
            .help("start the line with `- ` to make it a list item, or indent it under a key, or out-dent it to the mapping the list belongs to"),
        ErrorKind::TabInBlockIndentation
        | ErrorKind::TabInIndentation
        | ErrorKind::TabNotAllowed
        | ErrorKind::TabAtBlockScalarStart
        | ErrorKind::TabInPlainScalar => {
            let tab = src[span.start as usize..]
                .find('\t')
                .map_or(span, |i| Span::new(span.start as usize + i, span.start as usize + i + 1));
            let tab = if here.is_some_and(|l| l.text.contains('\t')) {
                let l = here.expect("checked");
                let i = l.text.find('\t').expect("checked");
                Span::new(l.start + i, l.start + i + 1)
            } else {
                tab
            };
            Finding::new(Problem::Syntax, tab, "a tab is used for indentation; YAML allows only spaces there")
                .label("tab")
                .help("replace the tab with spaces (set your editor to insert spaces in YAML files)")
        }
        ErrorKind::UnclosedQuotedScalar => {
            let quote = src[span.start as usize..].chars().next().unwrap_or('"');
            Finding::new(Problem::Syntax, span, format!("this quoted string is never closed (no closing `{quote}`)"))
                .label("quoted string starts here")
                .help(if quote == '\'' {
                    "add the closing `'` at the end of the value; inside single quotes write `''` for a quote".to_string()
                } else {
                    "add the closing `\"` at the end of the value; inside double quotes write `\\\"` for a quote".to_string()
                })
        }
        ErrorKind::UnclosedFlowCollection { .. }
        | ErrorKind::UnexpectedEofFlowSequence
        | ErrorKind::UnexpectedEofFlowMapping
        | ErrorKind::UnexpectedEofImplicitFlowMapping
        | ErrorKind::ExpectedFlowMappingSeparator
        | ErrorKind::ExpectedFlowSequenceSeparator
        | ErrorKind::InvalidColonPlacement
        | ErrorKind::InvalidFlowScalarIndent => unclosed_flow(src, span, open_flow, kind),
        ErrorKind::MisplacedFlowCollectionEnd => {
            let c = src[span.start as usize..].chars().next().unwrap_or(']');
            Finding::new(Problem::Syntax, span, format!("this `{c}` closes no bracket"))
                .label("unmatched")
                .help("remove it, or add the matching opening bracket; to use it as text, quote the value")
        }
        ErrorKind::MismatchedFlowCollectionEnd { open, close } => Finding::new(Problem::Syntax, span, format!("a `{open}` is closed by `{close}`"))
            .label("wrong bracket")
            .help(format!(
                "close `{open}` with `{}`",
                if *open == '[' { ']' } else { '}' }
            )),
        ErrorKind::MissingAnchorOrAliasName => {
            let c = src[span.start as usize..].chars().next().unwrap_or('*');
            Finding::new(
                    Problem::Syntax,
                    span,
                    format!("`{c}` must be followed by an anchor name; as text it must be quoted"),
                )
                .label(if c == '&' { "anchor without a name" } else { "alias without a name" })
                .help(format!("quote the value (`\"{c}...\"`) if it is text"))
        }
        ErrorKind::UnexpectedCharacter { character } => Finding::new(
                Problem::Syntax,
                span,
                format!("a value cannot start with `{character}` unless it is quoted"),
            )
            .label("reserved character")
            .help("put the value in quotes (`\"...\"`)"),
        ErrorKind::ExpectedDocumentStart => Finding::new(
                Problem::Syntax,
                span,
                "this line is indented less than the first line of the file",
            )
            .label("less indented")
            .help("top-level keys must all start in the same column: remove the indentation of the first lines, or indent this one to match"),
        ErrorKind::UnknownQuotedScalarEscape
        | ErrorKind::InvalidQuotedScalarHexEscape
        | ErrorKind::InvalidUnicodeEscape
        | ErrorKind::InvalidLowSurrogate
        | ErrorKind::InvalidLowSurrogateHexEscape
        | ErrorKind::MissingLowSurrogate
        | ErrorKind::UnpairedLowSurrogate => Finding::new(
                Problem::Syntax,
                span,
                "a double-quoted string contains an invalid `\\` escape",
            )
            .label("in this string")
            .help("write `\\\\` for a backslash, or use single quotes (`'...'`), where a backslash is an ordinary character"),
        ErrorKind::InvalidBlockScalarIndent | ErrorKind::InvalidBlockScalarHeader => {
            Finding::new(Problem::Syntax, span, "a line of a `|` or `>` block is less indented than the block's first line")
                .label("less indented")
                .help("indent every line of the block at least as much as its first line")
        }
        ErrorKind::InvalidMappingValueWhitespace | ErrorKind::ExpectedWhitespace => Finding::new(Problem::Syntax, span, "a `:` must be followed by a space")
            .label("space needed")
            .help("add a space after the `:`, or quote the value"),
        ErrorKind::CommentNotSeparated => Finding::new(Problem::Syntax, span, "a `#` comment must be separated from the value by a space")
            .label("comment start")
            .help("add a space before `#`, or quote the value if `#` is part of it"),
        ErrorKind::InvalidTrailingSingleQuotedScalar
        | ErrorKind::InvalidTrailingDoubleQuotedScalar => Finding::new(Problem::Syntax, span, "text follows a closing quote")
            .label("after the quoted string")
            .help("quote the whole value (inside single quotes write `''` for a quote, inside double quotes `\\\"`)"),
        ErrorKind::SimpleKeyExpected | ErrorKind::InvalidSimpleKey => Finding::new(Problem::Syntax, span, "a mapping key must be followed by `:` on the same line")
            .label("key without `:`")
            .help("add the `:` after the key, or check for a line break inside a key"),
        ErrorKind::InvalidBlockEntryWhitespace => Finding::new(Problem::Syntax, span, "a `-` list item marker must be followed by a space")
            .label("space needed")
            .help("write `- item`"),
        ErrorKind::BlockEntryInFlowCollection => Finding::new(Problem::Syntax, span, "a `- ` list item inside `[...]` or `{...}`")
            .label("block list item")
            .help("inside brackets separate items with commas; or remove the brackets"),
        ErrorKind::BlockSequenceEntryNotAllowed => Finding::new(Problem::Syntax, span, "a `- ` list item where a value on the same line was expected")
            .label("list item")
            .help("put the list on the lines below its key, indented"),
        ErrorKind::MappingKeyNotAllowed => Finding::new(Problem::Syntax, span, "a `? ` key indicator is not allowed here")
            .label("`?`")
            .help("quote the value if the `?` is text"),
        ErrorKind::BomInsideDocument => Finding::new(Problem::Syntax, span, "a byte-order mark (U+FEFF) in the middle of the file")
            .label("invisible U+FEFF character")
            .help("delete this invisible character (it often comes from pasting or joining files)"),
        ErrorKind::RecursionLimitExceeded => Finding::new(Problem::Limit, span, "the YAML nests collections too deep")
            .label("too deep")
            .help("a CircleCI config needs a few levels of nesting; flatten the structure"),
        ErrorKind::CommentInterceptedScalar => Finding::new(Problem::Syntax, span, "a comment interrupts a value that continues on the next line")
            .label("comment")
            .help("move the comment after the whole value, or quote the value"),
        ErrorKind::ExpectedNodeContent => Finding::new(Problem::Syntax, span, "expected a value here")
            .label("no value")
            .help("check the indentation and the quoting on this line and the line above"),
        ErrorKind::UnexpectedEofBlockSequence
        | ErrorKind::UnexpectedEofBlockMapping
        | ErrorKind::UnexpectedEof => Finding::new(Problem::Syntax, span, "the file ends in the middle of a value")
            .label("end of file")
            .help("check for an unclosed quote or bracket"),
        _ => Finding::new(Problem::Syntax, span, format!("invalid YAML: {raw}"))
            .label("here")
            .help("check the indentation and the quoting on this line and the line above"),
    }
}

/// The keys a line at `line_no` could line up with: walking up from it, the nearest key at
/// each smaller indentation (the keys of the enclosing mappings), as (column, key).
fn enclosing_keys<'s>(all: &[Line<'s>], line_no: usize) -> Vec<(usize, &'s str)> {
    let mut out = Vec::new();
    let mut limit = usize::MAX;
    for l in all[..(line_no - 1).min(all.len())].iter().rev() {
        if l.is_blank_or_comment() {
            continue;
        }
        let mut col = l.indent;
        let mut content = strip_comment(l.content());
        while let Some(rest) = content.strip_prefix("- ") {
            let trimmed = rest.trim_start();
            col += content.len() - trimmed.len();
            content = trimmed;
        }
        if let Some(colon) = content
            .find(": ")
            .or_else(|| content.ends_with(':').then(|| content.len() - 1))
            && col < limit
        {
            out.push((col, &content[..colon]));
            limit = col;
        }
        if l.indent < limit {
            limit = l.indent;
        }
        if limit == 0 {
            break;
        }
    }
    out
}

/// When the lines just above a line at `line_no` (indented `indent`) are the content of a
/// block scalar (`key: |`) that this line is less indented than: the content's indentation.
fn block_scalar_above(all: &[Line<'_>], line_no: usize, indent: usize) -> Option<usize> {
    let mut content_indent = None;
    for l in all[..(line_no - 1).min(all.len())].iter().rev() {
        if l.content().is_empty() {
            continue;
        }
        let c = strip_comment(l.content());
        let header = c.rsplit(' ').next().is_some_and(|w| {
            w.starts_with(['|', '>'])
                && w[1..].chars().all(|ch| matches!(ch, '-' | '+' | '1'..='9'))
        });
        if let Some(ci) = content_indent {
            if l.indent < ci {
                return (header && l.indent <= indent && indent < ci).then_some(ci);
            }
        } else if l.indent <= indent {
            return None;
        }
        content_indent = Some(content_indent.map_or(l.indent, |ci: usize| ci.min(l.indent)));
    }
    None
}

/// A line indented deeper than the line above, which opens no block (`key: value`, `- item`).
fn deeper_than_previous(src: &str, span: Span, prev: Option<&Line<'_>>) -> YamlFinding {
    let at_colon = src[span.start as usize..].starts_with(':');
    let mut help = "indent this line like its sibling keys, or add the missing key (a line ending in `:`) above it".to_string();
    if let Some(word) = prev.and_then(|p| missing_space_after_colon(p.content())) {
        help = format!(
            "on the line above, `{word}:` has no space after the colon, so it is read as text, not as a key: write `{word}: ...`"
        );
    }
    Finding::new(
            Problem::Syntax,
            span,
            "this line is indented deeper than the line above, which is not a mapping key: a mapping key above it is missing or this line is mis-indented",
        )
        .label(if span.len() == 1 && at_colon {
            "this `:` makes the line a mapping key"
        } else {
            "key indented deeper than the line above"
        })
        .help(help)
}

fn mapping_value_not_allowed(
    src: &str,
    span: Span,
    here: Option<&Line<'_>>,
    prev: Option<&Line<'_>>,
) -> YamlFinding {
    let colon = span.start as usize;
    // `a: b: c` on one line: the colon follows an earlier `: ` on the same line.
    if let Some(l) = here {
        let before = &l.text[..colon.saturating_sub(l.start).min(l.text.len())];
        if before.contains(": ") && !before.trim_start().starts_with("- ")
            || before.matches(": ").count() > 1
        {
            return Finding::new(
                    Problem::Syntax,
                    span,
                    "a second `key: ` on one line: a plain value cannot contain `: `",
                )
                .label("second `:`")
                .help("quote the value (`key: \"a: b\"`), or put the nested mapping on its own lines, indented under the key");
        }
    }
    let here_indent = here.map_or(0, |l| l.indent);
    match prev {
        Some(p) if here_indent > p.indent && !p.opens_block() => deeper_than_previous(src, span, prev),
        Some(p) if missing_space_after_colon(p.content()).is_some() => {
            let word = missing_space_after_colon(p.content()).unwrap_or_default();
            Finding::new(
                    Problem::Syntax,
                    span,
                    format!("the line above (`{}`) is read as text, so a mapping key cannot follow it here", p.content()),
                )
                .label("this `:` makes the line a mapping key")
                .help(format!(
                    "`{word}:` has no space after the colon: write `{word}: ...`"
                ))
        }
        _ => Finding::new(Problem::Syntax, span, "a `key:` is not allowed here: the value it is in is a plain string")
            .label("unexpected `:`")
            .help("if the `:` is part of a value, quote the value; otherwise check the indentation of this line and the lines above"),
    }
}

fn unclosed_flow(src: &str, span: Span, open_flow: Option<usize>, kind: &ErrorKind) -> YamlFinding {
    let open_char = open_flow
        .and_then(|o| src.get(o..))
        .and_then(|s| s.chars().next())
        .filter(|c| matches!(c, '[' | '{'));
    let open_char = open_char.or(match kind {
        ErrorKind::UnclosedFlowCollection { open } => Some(*open),
        ErrorKind::ExpectedFlowMappingSeparator | ErrorKind::UnexpectedEofFlowMapping => Some('{'),
        ErrorKind::ExpectedFlowSequenceSeparator | ErrorKind::UnexpectedEofFlowSequence => {
            Some('[')
        }
        _ => None,
    });
    let (open, close) = match open_char {
        Some('{') => ('{', '}'),
        _ => ('[', ']'),
    };
    if open_flow == Some(span.start as usize) {
        return Finding::new(Problem::Syntax, span, format!("this `{open}` is never closed"))
            .label(format!("no matching `{close}`"))
            .help(format!(
                "add the missing `{close}` (and check the commas between items); if the brackets are text, quote the whole value"
            ));
    }
    let mut diag = Finding::new(
            Problem::Syntax,
            span,
            format!("expected `,` or `{close}`: the `{open}` opened above is not closed"),
        )
        .label(format!("`{close}` expected before this"))
        .help(format!(
            "add the missing `{close}` (and check the commas between items); if the brackets are text, quote the whole value"
        ));
    // The label marks the bracket itself (one byte), so only when one is there.
    if let Some(o) = open_flow.filter(|&o| matches!(src.as_bytes().get(o), Some(b'[' | b'{'))) {
        diag = diag.with_label(Span::new(o, o + 1), format!("`{open}` opened here"));
    }
    diag
}
