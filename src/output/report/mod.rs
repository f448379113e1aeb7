//! Reports: turn the findings of a run into text, one module per format.
//!
//! Every format writes to an `impl Write` (the binary passes stdout, tests a `Vec<u8>`); nothing
//! here prints on its own. To add a format: a module with
//! `pub fn write(reports: &[FileReport], options: &Options, out: &mut dyn Write) -> io::Result<()>`,
//! a variant in [`Format`], and its arm in [`write`].
//!
//! Positions: lines and columns are 1-based and columns count characters (not bytes, not UTF-16
//! units). An end position (`end_line`, `end_column`) is the position just after the last
//! character of the span, converted the same way: a span covering `abc` that starts at column 7
//! ends at column 10. An empty span ends where it starts.

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod short;

use crate::base::diagnostic::Severity;
use crate::base::file_report::FileReport;
use crate::base::span::{LineCol, Span};
use std::fmt;
use std::io::{self, Write};

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Rustc-like: the message, the labelled source lines, help; then a summary line.
    Human,
    /// One line per finding: `path:line:col: severity[rule-id]: message`.
    Short,
    /// Machine-readable, version 1 (see the README for the shape).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other tools.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// JUnit XML, for CircleCI's `store_test_results` and other CI systems.
    Junit,
    /// GitLab code quality report (Code Climate JSON).
    Gitlab,
}

/// How to write a report.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Colour (ANSI escapes) in the human and short formats.
    pub color: bool,
    /// No summary line.
    pub quiet: bool,
}

/// Write the findings of a run in `format`.
pub fn write(
    format: Format,
    reports: &[FileReport],
    options: &Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::write(reports, options, out),
        Format::Short => short::write(reports, options, out),
        Format::Json => json::write(reports, options, out),
        Format::Sarif => sarif::write(reports, options, out),
        Format::Github => github::write(reports, options, out),
        Format::Junit => junit::write(reports, options, out),
        Format::Gitlab => gitlab::write(reports, options, out),
    }
}

/// Counts over a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn of(reports: &[FileReport]) -> Summary {
        let mut s = Summary {
            files: reports.len(),
            ..Summary::default()
        };
        for d in reports.iter().flat_map(|r| &r.diagnostics) {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }
}

/// `2 errors, 1 warning in 1 file` / `no problems in 3 files`.
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counts: Vec<String> = [
            (self.errors, "error"),
            (self.warnings, "warning"),
            (self.infos, "info"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| plural(n, word))
        .collect();
        let files = plural(self.files, "file");
        if counts.is_empty() {
            write!(f, "no problems in {files}")
        } else {
            write!(f, "{} in {files}", counts.join(", "))
        }
    }
}

/// `1 file`, `2 files`, `0 files`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Start and (exclusive) end of a span, 1-based, columns in characters.
pub fn position(report: &FileReport, span: Span) -> (LineCol, LineCol) {
    let start = report.lines.line_col(&report.source, span.start as usize);
    let end = report.lines.line_col(&report.source, span.end as usize);
    (start, end)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::base::diagnostic::Diagnostic;
    use crate::base::span::LineIndex;

    /// A report with a finding of each severity, a secondary label, a help, and characters that
    /// every format must escape.
    pub(crate) fn sample() -> Vec<FileReport> {
        let source =
            "version: 2.1\njobs:\n  build: {}\n  build: {}\nworkflows: {}\n# é <&>\"',:%\n"
                .to_string();
        let lines = LineIndex::new(&source);
        let diagnostics = vec![
            Diagnostic::new("yaml-limits", Severity::Info, Span::empty(0), "an info"),
            Diagnostic::new(
                "duplicate-key",
                Severity::Warning,
                Span::new(33, 38),
                "key `build` appears twice, 100% sure: <&>\"'",
            )
            .label("the later value wins")
            .with_label(Span::new(21, 26), "first here")
            .help("remove one of them,\nor rename it"),
            Diagnostic::new(
                "yaml-syntax",
                Severity::Error,
                Span::new(59, 61),
                "something about `é`",
            ),
        ];
        vec![
            FileReport {
                path: "dir/a b,c:d.yml".into(),
                source,
                lines,
                diagnostics,
            },
            FileReport {
                path: "clean.yml".into(),
                source: "version: 2.1\n".into(),
                lines: LineIndex::new("version: 2.1\n"),
                diagnostics: Vec::new(),
            },
        ]
    }

    pub(crate) fn render(format: Format, reports: &[FileReport]) -> String {
        let mut out = Vec::new();
        write(format, reports, &Options::default(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn summary_line() {
        let reports = sample();
        assert_eq!(
            Summary::of(&reports).to_string(),
            "1 error, 1 warning, 1 info in 2 files"
        );
        assert_eq!(
            Summary::of(&reports[1..]).to_string(),
            "no problems in 1 file"
        );
        let s = Summary {
            files: 3,
            errors: 2,
            warnings: 0,
            infos: 0,
        };
        assert_eq!(s.to_string(), "2 errors in 3 files");
    }

    #[test]
    fn positions_count_characters_and_end_exclusive() {
        let reports = sample();
        let (start, end) = position(&reports[0], Span::new(59, 61));
        // Line 6 is `# é <&>...`: `é` is two bytes but one character.
        assert_eq!((start.line, start.column), (6, 3));
        assert_eq!((end.line, end.column), (6, 4));
    }
}
