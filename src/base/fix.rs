//! Applying fixes to a text: the edits of each fix together, fixes that overlap one taken
//! before them left out (the next round of a fix loop finds them again on the new text).

use crate::base::diagnostic::{Edit, Fix};

/// The text after some fixes, and which of them were applied (indices into the list given).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub text: String,
    pub applied: Vec<usize>,
}

/// Whether two edits touch the same text: they overlap, or both insert at the same place (the
/// order of the two insertions would be a guess).
fn conflict(a: &Edit, b: &Edit) -> bool {
    (a.span.start < b.span.end && b.span.start < a.span.end) || a.span.start == b.span.start
}

/// Whether every edit of `fix` lies inside `source` on character boundaries, and the edits do
/// not conflict with one another.
fn well_formed(source: &str, fix: &Fix) -> bool {
    let inside = fix.edits.iter().all(|e| {
        e.span.end as usize <= source.len()
            && source.is_char_boundary(e.span.start as usize)
            && source.is_char_boundary(e.span.end as usize)
    });
    inside
        && fix
            .edits
            .windows(2)
            .all(|w| w[0].span.end <= w[1].span.start && !conflict(&w[0], &w[1]))
}

/// Apply `fixes` to `source`, in the order given: a fix whose edits conflict with those of a
/// fix applied before it, or that does not fit the text, is left out. A fix with no edit
/// counts as applied and changes nothing.
pub fn apply(source: &str, fixes: &[&Fix]) -> Applied {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = Vec::new();
    for (i, fix) in fixes.iter().enumerate() {
        if !well_formed(source, fix) {
            continue;
        }
        if fix
            .edits
            .iter()
            .any(|e| taken.iter().any(|t| conflict(e, t)))
        {
            continue;
        }
        taken.extend(fix.edits.iter());
        applied.push(i);
    }
    taken.sort_by_key(|e| (e.span.start, e.span.end));
    Applied {
        text: apply_edits(source, &taken),
        applied,
    }
}

/// Apply edits that are sorted and do not overlap.
fn apply_edits(source: &str, edits: &[&Edit]) -> String {
    let mut out = String::with_capacity(source.len() + 64);
    let mut at = 0;
    for e in edits {
        out.push_str(&source[at..e.span.start as usize]);
        out.push_str(&e.text);
        at = e.span.end as usize;
    }
    out.push_str(&source[at..]);
    out
}

/// The line break a text uses: `\r\n` when its first line ends with one, else `\n`.
pub fn line_break(source: &str) -> &'static str {
    match source.find('\n') {
        Some(i) if i > 0 && source.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::diagnostic::Fix;
    use crate::base::span::Span;

    fn fix(edits: &[(usize, usize, &str)]) -> Fix {
        Fix::safe(
            "t",
            edits
                .iter()
                .map(|&(s, e, t)| Edit::replace(Span::new(s, e), t))
                .collect(),
        )
    }

    #[test]
    fn applies_edits_of_several_fixes() {
        let a = fix(&[(0, 1, "A"), (4, 5, "E")]);
        let b = fix(&[(2, 2, "-")]);
        let out = apply("abcde", &[&a, &b]);
        assert_eq!(out.text, "Ab-cdE");
        assert_eq!(out.applied, vec![0, 1]);
    }

    #[test]
    fn a_conflicting_fix_is_left_out() {
        let a = fix(&[(1, 3, "X")]);
        let b = fix(&[(2, 4, "Y")]);
        let c = fix(&[(1, 1, "i")]);
        let out = apply("abcde", &[&a, &b, &c]);
        assert_eq!(out.text, "aXde");
        assert_eq!(out.applied, vec![0]);
    }

    #[test]
    fn edits_outside_the_text_or_inside_a_character_are_ignored() {
        let a = fix(&[(10, 12, "X")]);
        let b = fix(&[(1, 2, "X")]);
        let out = apply("é", &[&a, &b]);
        assert_eq!(out.text, "é");
        assert!(out.applied.is_empty());
    }

    #[test]
    fn line_breaks() {
        assert_eq!(line_break("a\r\nb"), "\r\n");
        assert_eq!(line_break("a\nb"), "\n");
        assert_eq!(line_break("a"), "\n");
    }
}
