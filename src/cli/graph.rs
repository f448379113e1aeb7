//! `cilint graph`: workflow diagrams.

use super::*;
use crate::base::diagnostic::Severity;
use crate::config::settings::Settings;
use std::io::Write;
use std::path::PathBuf;

/// One config for a command that reads a single file (`graph`, `plan`): the path given or the
/// discovered one, its bytes and its settings.
pub fn read_one_config(
    path: Option<&PathBuf>,
    stdin_name: Option<&str>,
    config: &ConfigArgs,
) -> Result<(Source, Vec<u8>, Settings), Failure> {
    let paths: Vec<PathBuf> = path.into_iter().cloned().collect();
    let mut sources = collect_sources(&paths, stdin_name)?;
    if sources.len() != 1 {
        return Err(Failure(format!(
            "{} holds {} config files; name one of them",
            paths
                .first()
                .map_or(String::new(), |p| p.display().to_string()),
            sources.len()
        )));
    }
    let source = sources.remove(0);
    let bytes = source.read()?;
    let mut cache = SettingsCache::new(config, &[], &[], None)?;
    let key = cache.key_for(&source.settings_dir())?;
    let settings = cache.get(&key).clone();
    Ok((source, bytes, settings))
}

pub(super) fn graph(args: &GraphArgs, out: &mut dyn Write) -> Result<Exit, Failure> {
    use crate::output::render::{self, from_graph};
    let (source, bytes, settings) = read_one_config(
        args.path.as_ref(),
        args.stdin_filename.as_deref(),
        &args.config,
    )?;
    let (report, diagrams) = crate::analyze(&bytes, &source.display, &settings, |cx, findings| {
        let mut diagrams = from_graph::diagrams(cx.graphs, findings);
        if args.plan.any() {
            let input = args.plan.input(cx.config, &source)?;
            let plan = crate::analysis::plan::plan(cx.config, cx.graphs, &input);
            for (d, w) in diagrams.iter_mut().zip(&plan.workflows) {
                crate::output::plan::mark_diagram(d, w);
            }
        }
        Ok(diagrams)
    });
    let mut diagrams = diagrams?;
    if let Some(name) = &args.workflow {
        let names: Vec<String> = diagrams.iter().map(|d| format!("`{}`", d.title)).collect();
        diagrams.retain(|d| &d.title == name);
        if diagrams.is_empty() {
            return Err(Failure(if names.is_empty() {
                format!("{} has no workflows", source.display)
            } else {
                format!(
                    "no workflow `{name}` in {}; its workflows are {}",
                    source.display,
                    names.join(", ")
                )
            }));
        }
    }
    let errors = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if diagrams.is_empty() {
        return Err(Failure(if errors > 0 {
            format!(
                "nothing to draw: {} has {errors} error{} and no readable workflow; run `cilint check {}`",
                source.display,
                if errors == 1 { "" } else { "s" },
                source.display
            )
        } else {
            format!("{} has no workflows to draw", source.display)
        }));
    }
    if errors > 0 {
        eprintln!(
            "note: {} has {errors} error{}; the diagram outlines the jobs they point at in red (`cilint check` lists them)",
            source.display,
            if errors == 1 { "" } else { "s" }
        );
    }
    let opts = render::Options {
        direction: args.direction,
        ..render::Options::default()
    };
    let draw_one = |d: &render::Diagram| match args.format {
        GraphFormat::Svg => render::svg::render(d, &opts),
        GraphFormat::Dot => render::dot::render(d, &opts),
        GraphFormat::Mermaid => render::mermaid::render(d, &opts),
    };
    let draw_all = |ds: &[render::Diagram]| match args.format {
        GraphFormat::Svg => render::svg::render_all(ds, &opts),
        GraphFormat::Dot => render::dot::render_all(ds, &opts),
        GraphFormat::Mermaid => render::mermaid::render_all(ds, &opts),
    };
    match &args.output {
        Some(dir) if args.all => {
            std::fs::create_dir_all(dir).map_err(|e| {
                Failure(format!(
                    "cannot create {}: {}",
                    dir.display(),
                    os_reason(&e)
                ))
            })?;
            for d in &diagrams {
                let file = dir.join(format!(
                    "{}.{}",
                    file_stem(&d.title),
                    args.format.extension()
                ));
                std::fs::write(&file, draw_one(d)).map_err(|e| {
                    Failure(format!(
                        "cannot write {}: {}",
                        file.display(),
                        os_reason(&e)
                    ))
                })?;
            }
        }
        Some(file) => {
            let text = if diagrams.len() == 1 {
                draw_one(&diagrams[0])
            } else {
                draw_all(&diagrams)
            };
            std::fs::write(file, text).map_err(|e| {
                Failure(format!(
                    "cannot write {}: {}",
                    file.display(),
                    os_reason(&e)
                ))
            })?;
        }
        None => {
            let text = if diagrams.len() == 1 {
                draw_one(&diagrams[0])
            } else {
                draw_all(&diagrams)
            };
            out.write_all(text.as_bytes()).map_err(write_failed)?;
        }
    }
    Ok(Exit::Clean)
}

/// A workflow name as a file name: path separators and other awkward characters become `_`.
pub(super) fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.is_empty() || stem.starts_with('.') {
        format!("workflow{stem}")
    } else {
        stem
    }
}
