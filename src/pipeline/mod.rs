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
use crate::lang::shellcheck::{Checker, with_placeholders};
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
    let diagnostics = diagnose(&cx);
    let extra = then(&cx, &diagnostics);
    drop(cx);
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

/// The rules on a context, then what follows them: the findings as reported.
fn diagnose(cx: &Context) -> Vec<Diagnostic> {
    let mut diagnostics = rules::run(cx);
    rules::version::demote_for_retired_version(cx, &mut diagnostics);
    rules::suppress::apply(cx, &mut diagnostics);
    cx.settings.apply(&mut diagnostics);
    sort(&mut diagnostics);
    diagnostics
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
    analyze_many(inputs, |_, _| ())
        .into_iter()
        .map(|(report, ())| report)
        .collect()
}

/// [`analyze`] several files in parallel; the results come back in the order of `inputs`.
///
/// With shellcheck, the files are read in groups of up to [`GROUP_BYTES`]: each group's files
/// are loaded and modelled, the `run` scripts of all of them are given to one shellcheck
/// checker per program (which checks each distinct script once, many per process, across the
/// cores, see `lang::shellcheck::batch`), then the rules run on each file. The findings are
/// those of [`analyze`] on each file alone.
pub fn analyze_many<R: Send>(
    inputs: &[Input<'_>],
    then: impl Fn(&Context, &[Diagnostic]) -> R + Sync,
) -> Vec<(FileReport, R)> {
    if inputs.iter().all(|i| i.settings.shellcheck.is_none()) {
        return inputs
            .par_iter()
            .map(|i| analyze(i.bytes, i.path, i.settings, &then))
            .collect();
    }
    let checkers = Checkers::default();
    let mut out = Vec::with_capacity(inputs.len());
    let mut start = 0;
    while start < inputs.len() {
        let mut end = start + 1;
        let mut bytes = inputs[start].bytes.len();
        while end < inputs.len() && bytes + inputs[end].bytes.len() <= GROUP_BYTES {
            bytes += inputs[end].bytes.len();
            end += 1;
        }
        out.extend(analyze_group(&inputs[start..end], &checkers, &then));
        start = end;
    }
    out
}

/// The most bytes of config files loaded at once by [`analyze_many`] with shellcheck (their
/// trees take about twenty times that); a larger file is a group of its own.
pub const GROUP_BYTES: usize = 8 * 1024 * 1024;

/// One shellcheck checker per program and cache folder, shared by the files of a run.
#[derive(Default)]
struct Checkers(std::sync::Mutex<Vec<std::sync::Arc<Checker>>>);

impl Checkers {
    fn for_settings(&self, settings: &Settings) -> Option<std::sync::Arc<Checker>> {
        let bin = settings.shellcheck.as_deref()?;
        let cache = settings.shellcheck_cache.as_deref();
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = all
            .iter()
            .find(|c| c.bin() == bin && c.cache_dir() == cache)
        {
            return Some(c.clone());
        }
        let c = std::sync::Arc::new(Checker::new(bin, cache));
        all.push(c.clone());
        Some(c)
    }
}

fn analyze_group<R: Send>(
    group: &[Input<'_>],
    checkers: &Checkers,
    then: &(impl Fn(&Context, &[Diagnostic]) -> R + Sync),
) -> Vec<(FileReport, R)> {
    let loaded: Vec<(String, yaml::Document)> = group.par_iter().map(|i| load(i.bytes)).collect();
    let lines: Vec<LineIndex> = loaded.par_iter().map(|(s, _)| LineIndex::new(s)).collect();
    let configs: Vec<_> = loaded.par_iter().map(|(_, doc)| model(doc)).collect();
    let graphs: Vec<Graphs> = configs.par_iter().map(Graphs::build).collect();
    let own: Vec<Option<std::sync::Arc<Checker>>> = group
        .iter()
        .map(|i| checkers.for_settings(i.settings))
        .collect();
    let contexts: Vec<Context> = (0..group.len())
        .into_par_iter()
        .map(|k| {
            let settings = group[k].settings;
            let orbs = Orbs::load(&configs[k], cache_dir(settings.orb_cache.as_deref()));
            Context::new(
                group[k].path,
                &loaded[k].0,
                &lines[k],
                &loaded[k].1,
                settings,
                &configs[k],
                &graphs[k],
                orbs,
            )
            .with_shellcheck(own[k].as_deref())
        })
        .collect();
    // Every file's scripts, given to its checker at once.
    let scripts: Vec<Vec<(String, &'static str)>> = contexts
        .par_iter()
        .map(|cx| {
            if cx.shellcheck.is_none() || cx.doc.stopped_early() {
                return Vec::new();
            }
            rules::shellcheck::scripts(cx)
                .into_iter()
                .filter_map(|s| Some((with_placeholders(s.node.as_str()?), s.dialect)))
                .collect()
        })
        .collect();
    let mut distinct: Vec<&std::sync::Arc<Checker>> = Vec::new();
    for c in own.iter().flatten() {
        if !distinct.iter().any(|d| std::sync::Arc::ptr_eq(d, c)) {
            distinct.push(c);
        }
    }
    for checker in distinct {
        let asked: Vec<(&str, &'static str)> = scripts
            .iter()
            .zip(&own)
            .filter(|(_, c)| {
                c.as_ref()
                    .is_some_and(|c| std::sync::Arc::ptr_eq(c, checker))
            })
            .flat_map(|(list, _)| list.iter().map(|(t, d)| (t.as_str(), *d)))
            .collect();
        checker.prepare(&asked);
    }
    drop(scripts);
    let found: Vec<(Vec<Diagnostic>, R)> = contexts
        .par_iter()
        .map(|cx| {
            let diagnostics = diagnose(cx);
            let extra = then(cx, &diagnostics);
            (diagnostics, extra)
        })
        .collect();
    drop(contexts);
    drop(graphs);
    drop(configs);
    found
        .into_iter()
        .zip(loaded.into_iter().zip(lines))
        .zip(group)
        .map(|(((diagnostics, extra), ((source, _), lines)), input)| {
            (
                FileReport {
                    path: input.path.to_string(),
                    diagnostics,
                    source,
                    lines,
                },
                extra,
            )
        })
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
