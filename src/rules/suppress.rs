//! Inline suppression comments.
//!
//! - `# cilint: ignore[rule-id, other-id]` at the end of a line suppresses those rules'
//!   findings whose primary span starts on that line.
//! - The same comment on a line of its own applies to the next line that is neither blank nor
//!   only a comment.
//! - `# cilint: ignore-file[rule-id]` anywhere applies to the whole file.
//!
//! Text after the closing `]` is free (a reason, say). A suppression that suppressed nothing, an
//! unknown rule id in one, and a `# cilint:` comment that cannot be read are reported by the rule
//! `unused-suppression`, on the id (or the comment) itself. Suppressions are matched against the
//! findings before `.cilint.toml` levels and `--select`/`--ignore` apply, so whether a
//! suppression is used does not depend on the settings. When the file could not be loaded
//! completely (a YAML syntax error or a limit), the rules did not run on it, so unused
//! suppressions are not reported.

use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::base::span::Span;
use crate::base::text::did_you_mean;
use crate::rules::{self, Rule};

pub static UNUSED_SUPPRESSION: Rule = Rule {
    id: "unused-suppression",
    severity: Severity::Warning,
    summary: "a `# cilint: ignore` comment suppresses nothing, or names an unknown rule",
    explanation: include_str!("docs/unused-suppression.md"),
    category: super::Category::Correctness,
    // Made by [`apply`], after every other rule ran.
    check: None,
};

/// Where a suppression applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    /// Findings whose primary span starts on this 1-based line.
    Line(usize),
    /// A comment on its own line with nothing after it to apply to.
    Nothing,
    File,
}

#[derive(Debug)]
struct Entry {
    id: String,
    span: Span,
    used: bool,
}

#[derive(Debug)]
struct Directive {
    scope: Scope,
    entries: Vec<Entry>,
    /// The whole comment.
    comment: Span,
    /// How many ids the comment names (known or not).
    ids: usize,
}

impl Directive {
    fn covers(&self, line: usize) -> bool {
        match self.scope {
            Scope::File => true,
            Scope::Line(l) => l == line,
            Scope::Nothing => false,
        }
    }
}

/// Remove the findings that comments suppress, and add findings about the comments themselves.
pub fn apply(cx: &Context, diagnostics: &mut Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut directives = Vec::new();
    for comment in &cx.doc.comments {
        // Prefer the comment's own text in the source, so that ids get exact spans.
        let raw = comment.span.slice(cx.source);
        let (body, base) = match raw.strip_prefix('#') {
            Some(body) => (body, Some(comment.span.start as usize + 1)),
            None => (comment.text.as_str(), None),
        };
        match parse(body) {
            Parsed::NotOurs => {}
            Parsed::Malformed => problems.push(
                UNUSED_SUPPRESSION
                    .at(
                        comment.span,
                        "this `# cilint:` comment is not understood, so it suppresses nothing",
                    )
                    .label("not a suppression")
                    .help("write `# cilint: ignore[rule-id]` or `# cilint: ignore-file[rule-id]`"),
            ),
            Parsed::Directive { file, ids } => {
                let scope = if file {
                    Scope::File
                } else {
                    target_line(cx, comment.span)
                };
                let mut entries = Vec::new();
                let count = ids.len();
                for (id, range) in ids {
                    let span = match base {
                        Some(b) => Span::new(b + range.start, b + range.end),
                        None => comment.span,
                    };
                    if rules::find(id).is_none() {
                        let help = did_you_mean(id, rules::registry().iter().map(|r| r.id))
                            .unwrap_or_else(|| "`cilint rules` lists the rule ids".to_string());
                        problems.push(
                            UNUSED_SUPPRESSION
                                .at(
                                    span,
                                    format!("unknown rule `{id}` in a suppression comment"),
                                )
                                .label("no rule has this id")
                                .help(help),
                        );
                    } else {
                        entries.push(Entry {
                            id: id.to_string(),
                            span,
                            used: false,
                        });
                    }
                }
                directives.push(Directive {
                    scope,
                    entries,
                    comment: comment.span,
                    ids: count,
                });
            }
        }
    }
    if directives.is_empty() && problems.is_empty() {
        return;
    }

    let loaded = !cx.doc.stopped_early();
    suppress(cx, &mut directives, diagnostics);

    if loaded {
        for directive in &directives {
            for entry in directive.entries.iter().filter(|e| !e.used) {
                if entry.id == UNUSED_SUPPRESSION.id {
                    continue; // judged below, against the findings about comments
                }
                let (message, help) = match directive.scope {
                    Scope::File => (
                        format!("unused suppression: no `{}` finding in this file", entry.id),
                        format!("remove `{}` from the comment", entry.id),
                    ),
                    Scope::Line(line) => (
                        format!(
                            "unused suppression: no `{}` finding on line {line}",
                            entry.id
                        ),
                        format!(
                            "remove `{}` from the comment, or move the comment to the line it is meant for",
                            entry.id
                        ),
                    ),
                    Scope::Nothing => (
                        format!(
                            "unused suppression: no line follows this comment, so `{}` is suppressed nowhere",
                            entry.id
                        ),
                        "remove the comment".to_string(),
                    ),
                };
                problems.push(
                    UNUSED_SUPPRESSION
                        .at(entry.span, message)
                        .label("suppresses nothing")
                        .help(help)
                        .fix_opt(removal(cx.source, directive, entry)),
                );
            }
        }
    }
    // Findings about suppression comments can be suppressed too (by `unused-suppression`).
    suppress(cx, &mut directives, &mut problems);
    diagnostics.extend(problems);
}

/// The fix of an unused entry: its id and one comma out of the comment, or the whole comment
/// when it suppresses nothing else (with its line when it stands alone).
fn removal(src: &str, directive: &Directive, entry: &Entry) -> Option<Fix> {
    let i = directive.entries.iter().position(|e| e.span == entry.span)?;
    let unused = directive.entries.iter().filter(|e| !e.used).count();
    if entry.span == directive.comment {
        return None; // ids without their own spans
    }
    let edit = if unused == directive.ids {
        match crate::yaml::edit::whole_lines(src, directive.comment, false) {
            Some(lines) => Edit::delete(lines),
            None => {
                let start = directive.comment.start as usize;
                let code = src.get(..start)?.trim_end_matches([' ', '\t']).len();
                Edit::delete(Span::new(code, directive.comment.end as usize))
            }
        }
    } else if let Some(next) = directive.entries.get(i + 1) {
        Edit::delete(Span::new(entry.span.start as usize, next.span.start as usize))
    } else if i > 0 {
        let prev = &directive.entries[i - 1];
        Edit::delete(Span::new(prev.span.end as usize, entry.span.end as usize))
    } else {
        return None; // the other ids are unknown ones, reported on their own
    };
    let between = src.get(edit.span.range())?;
    if directive.ids != unused && !between.replacen(&entry.id, "", 1).chars().all(|c| c == ',' || c == ' ') {
        return None;
    }
    Some(Fix::safe(
        format!("remove the unused suppression of `{}`", entry.id),
        vec![edit],
    ))
}

/// Drop the findings covered by a directive, marking the entries that matched.
fn suppress(cx: &Context, directives: &mut [Directive], diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.retain(|d| {
        let line = cx.lines.line(d.primary.span.start as usize);
        let mut suppressed = false;
        for directive in directives.iter_mut() {
            if !directive.covers(line) {
                continue;
            }
            for entry in directive.entries.iter_mut().filter(|e| e.id == d.rule) {
                entry.used = true;
                suppressed = true;
            }
        }
        !suppressed
    });
}

/// The line an `ignore[...]` comment applies to: its own line if code precedes it, else the
/// next line that is neither blank nor only a comment.
fn target_line(cx: &Context, comment: Span) -> Scope {
    let line = cx.lines.line(comment.start as usize);
    let start = cx.lines.line_start(line);
    let before = cx.source.get(start..comment.start as usize).unwrap_or("");
    if !before.trim().is_empty() {
        return Scope::Line(line);
    }
    (line + 1..=cx.lines.line_count())
        .find(|&l| {
            let text = cx.lines.line_text(cx.source, l).trim();
            !text.is_empty() && !text.starts_with('#')
        })
        .map_or(Scope::Nothing, Scope::Line)
}

enum Parsed<'a> {
    /// Not a `cilint:` comment.
    NotOurs,
    /// Starts with `cilint:` but is not a directive we know.
    Malformed,
    /// Ids with their byte ranges in the comment body.
    Directive {
        file: bool,
        ids: Vec<(&'a str, std::ops::Range<usize>)>,
    },
}

/// Read the text after `#`.
fn parse(body: &str) -> Parsed<'_> {
    let trimmed = body.trim_start();
    let Some(rest) = trimmed.strip_prefix("cilint:") else {
        return Parsed::NotOurs;
    };
    let rest = rest.trim_start();
    let (file, rest) = if let Some(r) = rest.strip_prefix("ignore-file") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix("ignore") {
        (false, r)
    } else {
        return Parsed::Malformed;
    };
    let Some(rest) = rest.trim_start().strip_prefix('[') else {
        return Parsed::Malformed;
    };
    let Some(close) = rest.find(']') else {
        return Parsed::Malformed;
    };
    let list_start = body.len() - rest.len();
    let mut ids = Vec::new();
    let mut offset = list_start;
    for part in rest[..close].split(',') {
        let lead = part.len() - part.trim_start().len();
        let id = part.trim();
        if !id.is_empty() {
            let start = offset + lead;
            ids.push((id, start..start + id.len()));
        }
        offset += part.len() + 1;
    }
    if ids.is_empty() {
        return Parsed::Malformed;
    }
    Parsed::Directive { file, ids }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_directives() {
        let body = " cilint: ignore[duplicate-key,  yaml-limits ] because";
        let Parsed::Directive { file, ids } = parse(body) else {
            panic!("not parsed")
        };
        assert!(!file);
        let names: Vec<_> = ids.iter().map(|(id, r)| (*id, &body[r.clone()])).collect();
        assert_eq!(
            names,
            [
                ("duplicate-key", "duplicate-key"),
                ("yaml-limits", "yaml-limits")
            ]
        );
        assert!(matches!(
            parse("cilint: ignore-file[a]"),
            Parsed::Directive { file: true, .. }
        ));
        assert!(matches!(parse(" just a comment"), Parsed::NotOurs));
        assert!(matches!(parse(" cilint: ignore"), Parsed::Malformed));
        assert!(matches!(parse(" cilint: ignore[]"), Parsed::Malformed));
        assert!(matches!(parse(" cilint: disable[a]"), Parsed::Malformed));
        assert!(matches!(parse(" cilint: ignore[a"), Parsed::Malformed));
    }
}
