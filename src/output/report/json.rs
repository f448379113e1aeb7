//! `json`: the machine-readable report, version 1.
//!
//! ```json
//! {"version": 1,
//!  "files": [{"path": "...", "diagnostics": [{"rule": "...", "severity": "error|warning|info",
//!     "category": "correctness|security|style", "confidence": "high|medium|low",
//!     "message": "...", "line": 3, "column": 7, "end_line": 3, "end_column": 12,
//!     "help": "..." or null,
//!     "labels": [{"line": .., "column": .., "end_line": .., "end_column": .., "message": "..."}],
//!     "fix": null or {"title": "...", "applicability": "safe|unsafe",
//!        "edits": [{"start": 120, "end": 120, "line": .., "column": .., "end_line": ..,
//!                   "end_column": .., "text": "  "}]}}]}],
//!  "summary": {"files": 1, "errors": 1, "warnings": 0, "infos": 0}}
//! ```
//!
//! Positions as described in [`super`]: 1-based, columns in characters, the end just after the
//! span's last character. `labels` are the secondary labels (the primary one is the position).
//! A fix's edits replace the text between `start` and `end` (byte offsets into the file as
//! read; the same range as the positions) with `text`; they are sorted and never overlap.

use super::{Options, Summary, position};
use crate::base::diagnostic::{Applicability, Confidence, Severity};
use crate::base::file_report::FileReport;
use crate::base::span::Span;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    files: Vec<File<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct File<'a> {
    path: &'a str,
    diagnostics: Vec<Diag<'a>>,
}

#[derive(Serialize)]
struct Diag<'a> {
    rule: &'a str,
    severity: Severity,
    category: &'static str,
    confidence: Confidence,
    message: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    help: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    applicability: Applicability,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    start: u32,
    end: u32,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    text: &'a str,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

struct Pos {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

fn pos(report: &FileReport, span: Span) -> Pos {
    let (s, e) = position(report, span);
    Pos {
        line: s.line,
        column: s.column,
        end_line: e.line,
        end_column: e.column,
    }
}

pub fn write(reports: &[FileReport], _options: &Options, out: &mut dyn Write) -> io::Result<()> {
    let files = reports
        .iter()
        .map(|report| File {
            path: &report.path,
            diagnostics: report
                .diagnostics
                .iter()
                .map(|d| {
                    let p = pos(report, d.span());
                    Diag {
                        rule: d.rule,
                        severity: d.severity,
                        category: crate::rules::find(d.rule)
                            .map_or("correctness", |r| r.category.as_str()),
                        confidence: d.confidence,
                        message: &d.message,
                        line: p.line,
                        column: p.column,
                        end_line: p.end_line,
                        end_column: p.end_column,
                        help: d.help.as_deref(),
                        labels: d
                            .labels
                            .iter()
                            .map(|l| {
                                let p = pos(report, l.span);
                                JsonLabel {
                                    line: p.line,
                                    column: p.column,
                                    end_line: p.end_line,
                                    end_column: p.end_column,
                                    message: &l.message,
                                }
                            })
                            .collect(),
                        fix: d.fix.as_ref().map(|f| JsonFix {
                            title: &f.title,
                            applicability: f.applicability,
                            edits: f
                                .edits
                                .iter()
                                .map(|e| {
                                    let p = pos(report, e.span);
                                    JsonEdit {
                                        start: e.span.start,
                                        end: e.span.end,
                                        line: p.line,
                                        column: p.column,
                                        end_line: p.end_line,
                                        end_column: p.end_column,
                                        text: &e.text,
                                    }
                                })
                                .collect(),
                        }),
                    }
                })
                .collect(),
        })
        .collect();
    let s = Summary::of(reports);
    let report = Report {
        version: 1,
        files,
        summary: JsonSummary {
            files: s.files,
            errors: s.errors,
            warnings: s.warnings,
            infos: s.infos,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::super::{Format, tests::*};
    use serde_json::json;

    #[test]
    fn exact_shape() {
        let out = render(Format::Json, &sample());
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v,
            json!({
                "version": 1,
                "files": [
                    {"path": "dir/a b,c:d.yml", "diagnostics": [
                        {"rule": "yaml-limits", "severity": "info", "category": "correctness",
                         "confidence": "high", "message": "an info",
                         "line": 1, "column": 1, "end_line": 1, "end_column": 1,
                         "help": null, "labels": [], "fix": null},
                        {"rule": "duplicate-key", "severity": "warning", "category": "correctness",
                         "confidence": "high",
                         "message": "key `build` appears twice, 100% sure: <&>\"'",
                         "line": 4, "column": 3, "end_line": 4, "end_column": 8,
                         "help": "remove one of them,\nor rename it",
                         "labels": [{"line": 3, "column": 3, "end_line": 3, "end_column": 8,
                                     "message": "first here"}], "fix": null},
                        {"rule": "yaml-syntax", "severity": "error", "category": "correctness",
                         "confidence": "high",
                         "message": "something about `é`",
                         "line": 6, "column": 3, "end_line": 6, "end_column": 4,
                         "help": null, "labels": [], "fix": null}
                    ]},
                    {"path": "clean.yml", "diagnostics": []}
                ],
                "summary": {"files": 2, "errors": 1, "warnings": 1, "infos": 1}
            })
        );
        // Key order is part of the format.
        assert!(out.find("\"version\"").unwrap() < out.find("\"files\"").unwrap());
        assert!(out.find("\"files\"").unwrap() < out.find("\"summary\"").unwrap());
    }
}
