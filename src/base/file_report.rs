//! The findings for one file, with the text they point into: what every report format reads.

use crate::base::diagnostic::Diagnostic;
use crate::base::span::LineIndex;

/// The findings for one file, with the text they point into.
#[derive(Clone, Debug)]
pub struct FileReport {
    /// The file's name as given (or `--stdin-filename`), as reports show it.
    pub path: String,
    /// The decoded source (what spans index into).
    pub source: String,
    /// Line starts of `source`.
    pub lines: LineIndex,
    /// Sorted by position, then rule id ([`sort`]).
    pub diagnostics: Vec<Diagnostic>,
}

/// Position first, then rule id, so output is the same on every run.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.primary.span.start, a.rule, a.primary.span.end, &a.message).cmp(&(
            b.primary.span.start,
            b.rule,
            b.primary.span.end,
            &b.message,
        ))
    });
}
