//! The whole lint of one file, from bytes to findings, and of many files at once: load the
//! tree, build the model, the graphs and the orbs, run the rules, apply suppression comments,
//! then the settings. Nothing here prints. Imports every layer below the output.

pub mod expand;
pub mod fix;
pub mod orb;
pub mod pack;
pub mod split;

use crate::analysis::context::{Context, model};
use crate::analysis::graph::Graphs;
use crate::base::diagnostic::Diagnostic;
use crate::base::file_report::{FileReport, sort};
use crate::base::span::LineIndex;
use crate::config::orbs::{Orbs, cache_dir};
use crate::config::settings::{Settings, SettingsError};
use crate::rules;
use crate::yaml;
use rayon::prelude::*;
use std::path::Path;

/// Lint one file.
pub fn lint(bytes: &[u8], path: &str, settings: &Settings) -> FileReport {
    analyze(bytes, path, settings, |_, _| ()).0
}

/// Run the whole pipeline on one file, then hand what it built (the context: source, tree,
/// model, graphs, settings) and the final findings to `then`, for commands that need more than
/// the findings (`cilint graph`, `cilint plan`). Returns the report and what `then` returned.
pub fn analyze<R>(
    bytes: &[u8],
    path: &str,
    settings: &Settings,
    then: impl FnOnce(&Context, &[Diagnostic]) -> R,
) -> (FileReport, R) {
    let (source, doc) = load(bytes);
    let lines = LineIndex::new(&source);
    let config = model(&doc);
    let graphs = Graphs::build(&config);
    // Reading the orb cache (files on disk) happens here, before the analysis.
    let orbs = Orbs::load(&config, cache_dir(settings.orb_cache.as_deref()));
    let cx = Context::new(
        path, &source, &lines, &doc, settings, &config, &graphs, orbs,
    );

    let mut diagnostics = rules::run(&cx);
    rules::version::demote_for_retired_version(&cx, &mut diagnostics);
    rules::suppress::apply(&cx, &mut diagnostics);
    settings.apply(&mut diagnostics);
    sort(&mut diagnostics);
    let extra = then(&cx, &diagnostics);

    let report = FileReport {
        path: path.to_string(),
        diagnostics,
        source,
        lines,
    };
    (report, extra)
}

/// Build what the rules read (tree, model, graphs, orbs) for `text` without running them, and
/// hand it to `f`: for an editor's questions about a file (hover, completion, definitions).
pub fn inspect<R>(text: &str, path: &str, settings: &Settings, f: impl FnOnce(&Context) -> R) -> R {
    let doc = yaml::parse(text);
    let lines = LineIndex::new(text);
    let config = model(&doc);
    let graphs = Graphs::build(&config);
    let orbs = Orbs::load(&config, cache_dir(settings.orb_cache.as_deref()));
    let cx = Context::new(path, text, &lines, &doc, settings, &config, &graphs, orbs);
    f(&cx)
}

impl Settings {
    /// Parse the text of a settings file (`.cilint.toml`); `path` names it in errors and
    /// anchors relative paths. Rule ids in `[rules]` are checked against the rule registry.
    pub fn from_toml(text: &str, path: &Path) -> Result<Settings, SettingsError> {
        Settings::from_toml_with(text, path, &rules::ids(), &rules::groups())
    }

    /// Read and parse a settings file (see [`Settings::from_toml`]).
    pub fn load(path: &Path) -> Result<Settings, SettingsError> {
        Settings::load_with(path, &rules::ids(), &rules::groups())
    }
}

/// One file to lint with [`lint_many`].
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    pub path: &'a str,
    pub bytes: &'a [u8],
    pub settings: &'a Settings,
}

/// Lint several files in parallel; the reports come back in the order of `inputs`.
pub fn lint_many(inputs: &[Input<'_>]) -> Vec<FileReport> {
    inputs
        .par_iter()
        .map(|i| lint(i.bytes, i.path, i.settings))
        .collect()
}

/// [`analyze`] several files in parallel; the results come back in the order of `inputs`.
pub fn analyze_many<R: Send>(
    inputs: &[Input<'_>],
    then: impl Fn(&Context, &[Diagnostic]) -> R + Sync,
) -> Vec<(FileReport, R)> {
    inputs
        .par_iter()
        .map(|i| analyze(i.bytes, i.path, i.settings, &then))
        .collect()
}

/// The orbs the pipeline adds to the config at `file` without a declaration: when the setup
/// config beside it (`config.yml` or `config.yaml` in the same folder) continues with this file
/// through orb-tools' `continue` job, the orb under development is injected into it (see
/// `rules::continuation::orb_tools_injections`). Reads that setup config from disk.
pub fn provided_orbs(file: &std::path::Path) -> Vec<String> {
    let Some(dir) = file.parent() else {
        return Vec::new();
    };
    let Ok(target) = std::fs::canonicalize(file) else {
        return Vec::new();
    };
    let root = if dir.file_name().is_some_and(|n| n == ".circleci") {
        dir.parent().unwrap_or(dir)
    } else {
        dir
    };
    let mut out = Vec::new();
    for name in ["config.yml", "config.yaml"] {
        let setup = dir.join(name);
        if std::fs::canonicalize(&setup)
            .ok()
            .is_none_or(|s| s == target)
        {
            continue;
        }
        let Ok(bytes) = std::fs::read(&setup) else {
            continue;
        };
        let (_, doc) = load(&bytes);
        let config = crate::analysis::context::model(&doc);
        for (path, orb) in rules::continuation::orb_tools_injections(&config) {
            let continued = root.join(path.trim_start_matches("./"));
            if std::fs::canonicalize(&continued).ok().as_ref() == Some(&target)
                && !out.contains(&orb)
            {
                out.push(orb);
            }
        }
    }
    out
}

/// Decode and parse. An undecodable file is reported against its lossily decoded text.
pub fn load(bytes: &[u8]) -> (String, yaml::Document) {
    match yaml::decode(bytes) {
        Ok(source) => {
            let doc = yaml::parse(&source);
            (source, doc)
        }
        Err(finding) => {
            let doc = yaml::Document {
                findings: vec![finding],
                ..yaml::Document::default()
            };
            (yaml::lossy_text(bytes), doc)
        }
    }
}
