//! `unescaped-heredoc`: a `<<` in a `run` command of a version 2 config, which version 2.1 reads
//! as the start of a `<< parameter >>` expression.
//!
//! Version 2.0 passed `run` commands to the shell untouched. Version 2.1, which every config
//! must use since 2026-09-21, substitutes `<< ... >>` expressions before the shell runs, so a
//! shell heredoc (`cat <<EOF`), here-string (`<<<`) or shift (`$((1 << 2))`) must be written
//! `\<<` after the move. CircleCI's migration guide for the retirement of version 2.0 names
//! this as the first thing to fix.

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::span::Span;
use crate::config::model::Version;

pub static UNESCAPED_HEREDOC: Rule = Rule {
    id: "unescaped-heredoc",
    severity: Severity::Warning,
    summary: "a `run` command of a version 2 config uses `<<`, which version 2.1 reads as a parameter expression",
    explanation: include_str!("docs/unescaped-heredoc.md"),
    category: super::Category::Correctness,
    check: Some(check),
};

/// Byte offsets of each `<<` in `text` that is not escaped as `\<<` (a run of `<` counts once).
pub fn unescaped(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'<' && bytes[i + 1] == b'<' {
            if i == 0 || bytes[i - 1] != b'\\' {
                out.push(i);
            }
            while i < bytes.len() && bytes[i] == b'<' {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    if cx.config.version() != Some(Version::V2) {
        return;
    }
    let mut seen = std::collections::HashSet::new();
    for (_, st) in cx.config.all_steps() {
        let Some(node) = st.run_command() else {
            continue;
        };
        let Some(text) = node.as_str() else { continue };
        for at in unescaped(text) {
            let span = crate::lang::mustache::source_span(cx.source, node, Span::new(at, at + 2));
            if !seen.insert(span) {
                continue;
            }
            out.push(
                UNESCAPED_HEREDOC
                    .at(span, "`<<` in a `run` command: version 2.1 reads it as the start of a `<< parameter >>` expression, so this command breaks when the config moves to 2.1")
                    .label("write `\\<<` here")
                    .help("escape it as `\\<<` when you change the config to `version: 2.1`; the shell still sees `<<`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::unescaped;

    #[test]
    fn finds_unescaped_only() {
        assert_eq!(unescaped("cat <<EOF\nx\nEOF"), vec![4]);
        assert_eq!(unescaped("cat \\<<EOF"), Vec::<usize>::new());
        assert_eq!(unescaped("a <<< b; c << d"), vec![2, 11]);
        assert_eq!(unescaped("echo x >> y"), Vec::<usize>::new());
    }
}
