//! `cilint check --orb src/`: lint an orb's source folder as one orb, and split the findings
//! back per file.
//!
//! The folder is assembled into one tree (`config::orb_source`); the ordinary rules run on it
//! (an orb source is checked against the schema of an orb; the rules that expect a config to
//! use its own jobs, commands and executors say nothing about an orb, which exports them);
//! the included scripts are checked with shellcheck; each example's `usage` is linted as a
//! config in which the orb under development is available under the alias the usage gives it.
//! At the end every finding goes back to the file it is in, with spans relative to it.

use crate::analysis::context::{Context, model};
use crate::analysis::graph::Graphs;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::file_report::FileReport;
use crate::base::span::LineIndex;
use crate::config::model::Config;
use crate::config::orb_source::{self, Kind, OrbFolder, Part, dev_reference};
use crate::config::orbs::{CachedOrb, Orbs, cache_dir};
use crate::config::settings::Settings;
use crate::lang::shellcheck::{Checker, with_placeholders};
use crate::rules;
use crate::yaml::{Document, Node};
use std::collections::BTreeSet;

/// Lint an orb source folder: one report per file (every file of the folder, in `rel` order;
/// a missing `@orb.yml` gets an empty report of its own, with the finding that says so).
pub fn lint_orb(folder: &OrbFolder, settings: &Settings) -> Vec<FileReport> {
    let assembled = orb_source::assemble(folder);
    let source = assembled.source.as_str();
    let parts = &assembled.parts;
    let doc = &assembled.doc;
    let lines = LineIndex::new(source);
    let config = model(doc);
    let graphs = Graphs::build(&config);
    let orbs = Orbs::load(&config, cache_dir(settings.orb_cache.as_deref()));
    let path = folder.display.as_str();
    let mut own = None;
    let checker = rules::shellcheck::checker(settings, None, &mut own);
    let cx = Context::new(path, source, &lines, doc, settings, &config, &graphs, orbs)
        .for_orb_source(&assembled.findings)
        .with_shellcheck(checker);
    let included: Vec<&Part> = assembled.included.iter().map(|&i| &parts[i]).collect();
    // The `run` scripts and the included scripts, checked all at once.
    if let Some(checker) = checker
        && !doc.stopped_early()
    {
        let mut texts: Vec<(String, &'static str)> = rules::shellcheck::scripts(&cx)
            .into_iter()
            .filter_map(|s| Some((with_placeholders(s.node.as_str()?), s.dialect)))
            .collect();
        texts.extend(included.iter().filter_map(|part| {
            let dialect = rules::shellcheck::included_dialect(part)?;
            Some((with_placeholders(&part.text), dialect))
        }));
        let asked: Vec<(&str, &'static str)> =
            texts.iter().map(|(t, d)| (t.as_str(), *d)).collect();
        checker.prepare(&asked);
    }

    let mut diagnostics = rules::run(&cx);
    if !doc.stopped_early() {
        if let Some(checker) = checker {
            diagnostics.extend(rules::shellcheck::check_scripts(checker, &included));
        }
        lint_examples(
            folder,
            parts,
            doc,
            source,
            &lines,
            settings,
            checker,
            &mut diagnostics,
        );
    }
    super::split::split(parts, &cx, diagnostics, settings)
}

/// Run `f` on the context of an assembled orb source folder (what `lint_orb` lints), for
/// the editor's questions about names that live in one file and are used in another.
pub fn inspect_orb<R>(
    assembled: &orb_source::Assembled,
    display: &str,
    settings: &Settings,
    f: impl FnOnce(&Context) -> R,
) -> R {
    let source = assembled.source.as_str();
    let doc = &assembled.doc;
    let lines = LineIndex::new(source);
    let config = model(doc);
    let graphs = Graphs::build(&config);
    let orbs = Orbs::load(&config, cache_dir(settings.orb_cache.as_deref()));
    let cx = Context::new(
        display, source, &lines, doc, settings, &config, &graphs, orbs,
    )
    .for_orb_source(&assembled.findings);
    f(&cx)
}

/// Lint each example's `usage` as a config in which the orb under development is available
/// under the alias that the usage gives it.
#[allow(clippy::too_many_arguments)]
fn lint_examples(
    folder: &OrbFolder,
    parts: &[Part],
    doc: &Document,
    source: &str,
    lines: &LineIndex,
    settings: &Settings,
    checker: Option<&Checker>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(root) = doc.root.as_ref() else {
        return;
    };
    let Some(examples) = root.get("examples").and_then(Node::as_map) else {
        return;
    };
    let own_orbs: BTreeSet<String> = root
        .get("orbs")
        .and_then(Node::as_map)
        .into_iter()
        .flatten()
        .filter_map(|(_, v)| v.as_str())
        .map(|r| r.split('@').next().unwrap_or(r).to_string())
        .collect();
    let mut dev: Option<&'static CachedOrb> = None;
    for (name, example) in examples {
        let name_text = name.scalar_text().unwrap_or("");
        // (An example without a description or a usage is an `orb-metadata` finding of the
        // folder's reading.)
        let Some(usage) = example.get("usage").filter(|u| u.as_map().is_some()) else {
            continue;
        };
        let udoc = Document {
            root: Some(usage.clone()),
            comments: Vec::new(),
            findings: Vec::new(),
            anchors: Vec::new(),
        };
        let config = model(&udoc);
        let graphs = Graphs::build(&config);
        let mut orbs = Orbs::load(&config, cache_dir(settings.orb_cache.as_deref()));
        if let Some(reference) = dev_reference(&config, &own_orbs, folder.name_hint.as_deref()) {
            let orb = *dev.get_or_insert_with(|| leak_dev_orb(source, doc, parts));
            orbs.insert(&reference, orb);
        }
        let cx = Context::new(
            &folder.display,
            source,
            lines,
            &udoc,
            settings,
            &config,
            &graphs,
            orbs,
        )
        .with_shellcheck(checker);
        let start = out.len();
        out.extend(rules::run(&cx));
        // An example is not run and does not stop the orb from being published: what would
        // fail is a config copied from it, a warning about the orb's documentation.
        for d in &mut out[start..] {
            if d.severity == Severity::Error {
                d.severity = Severity::Warning;
                let note = format!(
                    "example `{name_text}` is published with the orb: a config copied from it would fail"
                );
                d.help = Some(match d.help.take() {
                    Some(h) => format!("{h}; {note}"),
                    None => note,
                });
            }
        }
    }
}

/// The orb under development as a cached orb (kept for the rest of the process: the orb cache
/// keeps what it reads the same way).
fn leak_dev_orb(source: &str, doc: &Document, parts: &[Part]) -> &'static CachedOrb {
    let source: &'static str = Box::leak(source.to_string().into_boxed_str());
    let doc: &'static Document = Box::leak(Box::new(doc.clone()));
    let config = doc.root.as_ref().map(Config::from_root).unwrap_or_default();
    Box::leak(Box::new(CachedOrb {
        reference: "(the orb under development)".to_string(),
        path: parts
            .iter()
            .find(|p| p.kind == Kind::Root)
            .map(|p| p.path.clone().into())
            .unwrap_or_default(),
        source,
        doc,
        config,
    }))
}
