//! Edits of the source that fixes are made of, written so that the file keeps its
//! indentation, comments, quoting and line endings: delete a mapping entry or a list item with
//! its whole lines, rename a key inside its quotes.

use crate::base::diagnostic::Edit;
use crate::base::span::Span;
use crate::yaml::{Node, ScalarStyle};

/// Where the line holding `at` starts.
fn line_start(src: &str, at: usize) -> usize {
    src[..at.min(src.len())].rfind('\n').map_or(0, |i| i + 1)
}

/// Where the line holding `at` ends, past its line break (`\n` or `\r\n`).
fn line_end(src: &str, at: usize) -> usize {
    src[at.min(src.len())..]
        .find('\n')
        .map_or(src.len(), |i| at + i + 1)
}

/// Whether the rest of a line is blank or a comment.
fn blank_or_comment(rest: &str) -> bool {
    let rest = rest.trim_start_matches([' ', '\t']);
    rest.is_empty() || rest.starts_with('#') || rest.starts_with('\r') || rest.starts_with('\n')
}

/// The whole lines `start..end` stands on, when only spaces come before `start` on its line
/// (or spaces and one `- `, with `item`) and only a comment after `end` on its line.
pub fn whole_lines(src: &str, span: Span, item: bool) -> Option<Span> {
    let (start, end) = (span.start as usize, span.end as usize);
    if end > src.len() || !src.is_char_boundary(start) || !src.is_char_boundary(end) {
        return None;
    }
    let first = line_start(src, start);
    let before = src[first..start].trim_start_matches(' ');
    let ok = before.is_empty() || (item && before.trim_end_matches(' ') == "-");
    if !ok {
        return None;
    }
    let eol = src[end..].find('\n').map_or(src.len(), |i| end + i);
    if !blank_or_comment(&src[end..eol]) {
        return None;
    }
    Some(Span::new(first, line_end(src, end)))
}

/// Delete the entry `key: value` of a block mapping (its lines, with a comment at the end of
/// its last line). `None` when the entry shares a line with something else (a flow mapping,
/// the first entry of a list item) or came through an alias or merge key.
pub fn delete_entry(src: &str, key: &Node, value: &Node) -> Option<Edit> {
    if key.alias.is_some() || value.alias.is_some() {
        return None;
    }
    let end = if value.is_null() && value.span.is_empty() {
        key.span.end
    } else {
        value.span.end.max(key.span.end)
    };
    let span = whole_lines(src, Span::new(key.span.start as usize, end as usize), false)?;
    // A value that ends at a line break (a block scalar) already covers it.
    Some(Edit::delete(span))
}

/// Delete item `index` of the list `seq`: its line in a block list (`- name`), or the item and
/// one comma in a flow list (`[a, b]`). `None` when the list would be left empty, or the item
/// is not a scalar alone on its line.
pub fn delete_item(src: &str, seq: &Node, index: usize) -> Option<Edit> {
    let items = seq.as_seq()?;
    if items.len() < 2 || seq.alias.is_some() {
        return None;
    }
    let item = items.get(index)?;
    item.as_scalar()?;
    if item.alias.is_some() || item.span.end as usize > src.len() {
        return None;
    }
    if src.as_bytes().get(seq.span.start as usize) == Some(&b'[') {
        let span = if index + 1 < items.len() {
            Span::new(
                item.span.start as usize,
                items[index + 1].span.start as usize,
            )
        } else {
            Span::new(items[index - 1].span.end as usize, item.span.end as usize)
        };
        let text = src.get(span.range())?;
        // Only the item, commas, spaces and line breaks between them.
        let item_text = item.span.slice(src);
        let rest = text.replacen(item_text, "", 1);
        if !rest.chars().all(|c| matches!(c, ',' | ' ' | '\n' | '\r')) {
            return None;
        }
        return Some(Edit::delete(span));
    }
    whole_lines(src, item.span, true).map(Edit::delete)
}

/// Replace the text of the scalar `node` by `text`, inside its quotes when it is quoted. `None`
/// for a block scalar, a node that came through an alias, or a quoted scalar whose new text
/// would need escaping.
pub fn replace_scalar(src: &str, node: &Node, text: &str) -> Option<Edit> {
    let scalar = node.as_scalar()?;
    if node.alias.is_some() || node.span.end as usize > src.len() {
        return None;
    }
    let written = node.span.slice(src);
    let span = match scalar.style {
        ScalarStyle::Plain => node.span,
        ScalarStyle::SingleQuoted if written.starts_with('\'') && written.ends_with('\'') => {
            if text.contains('\'') {
                return None;
            }
            Span::new(node.span.start as usize + 1, node.span.end as usize - 1)
        }
        ScalarStyle::DoubleQuoted if written.starts_with('"') && written.ends_with('"') => {
            if text.contains(['"', '\\']) {
                return None;
            }
            Span::new(node.span.start as usize + 1, node.span.end as usize - 1)
        }
        _ => return None,
    };
    (written.len() >= 2 || scalar.style == ScalarStyle::Plain).then(|| Edit::replace(span, text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    fn apply(src: &str, e: Edit) -> String {
        format!(
            "{}{}{}",
            &src[..e.span.start as usize],
            e.text,
            &src[e.span.end as usize..]
        )
    }

    #[test]
    fn deletes_an_entry_with_its_comment() {
        let src = "workflows:\n  version: 2 # old\n  build:\n    jobs: [a]\n";
        let doc = parse(src);
        let (k, v) = doc
            .root
            .as_ref()
            .unwrap()
            .get("workflows")
            .unwrap()
            .entry("version")
            .unwrap();
        let e = delete_entry(src, k, v).unwrap();
        assert_eq!(apply(src, e), "workflows:\n  build:\n    jobs: [a]\n");
    }

    #[test]
    fn deletes_list_items() {
        let src = "r:\n  - a\n  - b # c\n";
        let doc = parse(src);
        let seq = doc.root.as_ref().unwrap().get("r").unwrap();
        assert_eq!(apply(src, delete_item(src, seq, 1).unwrap()), "r:\n  - a\n");
        let src = "r: [a, 'b', c]\n";
        let doc = parse(src);
        let seq = doc.root.as_ref().unwrap().get("r").unwrap();
        assert_eq!(apply(src, delete_item(src, seq, 1).unwrap()), "r: [a, c]\n");
        assert_eq!(
            apply(src, delete_item(src, seq, 2).unwrap()),
            "r: [a, 'b']\n"
        );
        assert_eq!(
            apply(src, delete_item(src, seq, 0).unwrap()),
            "r: ['b', c]\n"
        );
    }

    #[test]
    fn replaces_inside_quotes() {
        let src = "a: \"x\"\nb: 'y'\nc: z\n";
        let doc = parse(src);
        let root = doc.root.as_ref().unwrap();
        for (key, want) in [("a", "a: \"w\"\n"), ("b", "b: 'w'\n"), ("c", "c: w\n")] {
            let e = replace_scalar(src, root.get(key).unwrap(), "w").unwrap();
            assert!(apply(src, e).contains(want));
        }
    }
}
