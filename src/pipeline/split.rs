//! Findings of a tree assembled from many files (an orb source folder, a packed config
//! folder; see `config::combined`), handed back to the files they are in: each file's
//! suppression comments apply to its own findings, then the settings; spans are made relative
//! to the file; a secondary label in another file becomes a note in the help.

use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Label};
use crate::base::file_report::{FileReport, sort};
use crate::base::span::{LineIndex, Span};
use crate::config::combined::{Part, owner};
use crate::config::settings::Settings;
use crate::rules::suppress;
use crate::yaml::{self, Document};
use std::collections::HashSet;

/// One report per part (in the order of `parts`), each with its findings.
pub fn split<K>(
    parts: &[Part<K>],
    cx: &Context<'_>,
    diagnostics: Vec<Diagnostic>,
    settings: &Settings,
) -> Vec<FileReport> {
    let owner = |at: u32| owner(parts, at);
    let mut per_file: Vec<Vec<Diagnostic>> = parts.iter().map(|_| Vec::new()).collect();
    let mut seen = HashSet::new();
    for d in diagnostics {
        let key = (d.rule, d.primary.span, d.message.clone());
        if !seen.insert(key) {
            continue; // an example linted twice, a finding made by two stages
        }
        per_file[owner(d.primary.span.start)].push(d);
    }
    let mut reports = Vec::new();
    for (i, mut diags) in per_file.into_iter().enumerate() {
        // Suppression comments of this file apply to this file's findings.
        let comments: Vec<yaml::Comment> = cx
            .doc
            .comments
            .iter()
            .filter(|c| owner(c.span.start) == i)
            .cloned()
            .collect();
        // (With the loader's findings of this file: a file that could not be read gets no
        // unused-suppression finding.)
        let fdoc = Document {
            root: None,
            anchors: Vec::new(),
            comments,
            findings: cx
                .doc
                .findings
                .iter()
                .filter(|f| owner(f.primary.span.start) == i)
                .cloned()
                .collect(),
        };
        suppress::apply(&cx.with_doc(&fdoc), &mut diags);
        settings.apply(&mut diags);
        reports.push(relative(parts, i, diags));
    }
    reports
}

/// Findings whose spans are in the combined text, one report per part that has some (no
/// suppression, no settings: for findings that stop a command).
pub fn per_file<K>(parts: &[Part<K>], diagnostics: Vec<Diagnostic>) -> Vec<FileReport> {
    let mut per_file: Vec<Vec<Diagnostic>> = parts.iter().map(|_| Vec::new()).collect();
    for d in diagnostics {
        per_file[owner(parts, d.primary.span.start)].push(d);
    }
    per_file
        .into_iter()
        .enumerate()
        .filter(|(_, d)| !d.is_empty())
        .map(|(i, d)| relative(parts, i, d))
        .collect()
}

/// The report of part `i` for findings whose spans are in the combined text: spans made
/// relative to the part, labels in other parts turned into notes in the help.
pub fn relative<K>(parts: &[Part<K>], i: usize, mut diags: Vec<Diagnostic>) -> FileReport {
    let part = &parts[i];
    let lines = LineIndex::new(&part.text);
    for d in &mut diags {
        d.primary.span = local(d.primary.span, part);
        let mut notes = Vec::new();
        let mut labels = Vec::new();
        for l in std::mem::take(&mut d.labels) {
            let j = owner(parts, l.span.start);
            if j == i {
                labels.push(Label::new(local(l.span, part), l.message));
            } else {
                let other = &parts[j];
                let lc = LineIndex::new(&other.text)
                    .line_col(&other.text, local(l.span, other).start as usize);
                notes.push(format!(
                    "{} at {}:{}:{}",
                    l.message, other.path, lc.line, lc.column
                ));
            }
        }
        d.labels = labels;
        if !notes.is_empty() {
            let note = notes.join("; ");
            d.help = Some(match d.help.take() {
                Some(h) => format!("{h} (see: {note})"),
                None => format!("see: {note}"),
            });
        }
    }
    sort(&mut diags);
    FileReport {
        path: part.path.clone(),
        source: part.text.clone(),
        lines,
        diagnostics: diags,
    }
}

fn local<K>(s: Span, part: &Part<K>) -> Span {
    let len = part.text.len();
    let start = (s.start as usize).saturating_sub(part.base).min(len);
    let end = (s.end as usize).saturating_sub(part.base).clamp(start, len);
    Span::new(start, end)
}
