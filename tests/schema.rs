//! The schema check and the step-shape rule: the schema accepts every key of CircleCI's
//! configuration reference, rejects what CircleCI rejects, and its findings read well.

use cilint::context::Context;
use cilint::diagnostic::Diagnostic;
use cilint::model::Config;
use cilint::rules::step_shape::STEP_SHAPE;
use cilint::settings::Settings;
use cilint::span::LineIndex;
use cilint::{schema, yaml};
use std::path::Path;

/// The schema and step-shape findings for one config.
fn findings(src: &str) -> Vec<Diagnostic> {
    let doc = yaml::parse(src);
    let mut out = Vec::new();
    schema::check_document(&doc, src, &mut out);
    let lines = LineIndex::new(src);
    let settings = Settings::default();
    let config = doc.root.as_ref().map(Config::from_root).unwrap_or_default();
    let graphs = cilint::graph::Graphs::build(&config);
    let cx = Context {
        path: "config.yml",
        source: src,
        lines: &lines,
        doc: &doc,
        settings: &settings,
        config: &config,
        graphs: &graphs,
    };
    if let Some(check) = STEP_SHAPE.check {
        check(&cx, &mut out);
    }
    out
}

/// Findings as short lines, with their labels and help.
fn render(src: &str) -> String {
    let lines = LineIndex::new(src);
    let mut out = String::new();
    let mut diags = findings(src);
    diags.sort_by_key(|d| (d.primary.span, d.rule));
    for d in diags {
        let at = lines.line_col(src, d.primary.span.start as usize);
        out.push_str(&format!(
            "{}:{}: {}[{}] {}\n",
            at.line, at.column, d.severity, d.rule, d.message
        ));
        let text = d.primary.span.slice(src);
        let text = text.lines().next().unwrap_or("");
        out.push_str(&format!("  = at `{text}`: {}\n", d.primary.message));
        for l in &d.labels {
            let at = lines.line_col(src, l.span.start as usize);
            out.push_str(&format!("  = {}:{}: {}\n", at.line, at.column, l.message));
        }
        if let Some(help) = &d.help {
            out.push_str(&format!("  help: {}\n", help.replace('\n', "\n        ")));
        }
    }
    out
}

#[test]
fn scratch() {
    let Ok(path) = std::env::var("SCRATCH") else {
        return;
    };
    let src = std::fs::read_to_string(Path::new(&path)).unwrap();
    println!("{}", render(&src));
}

/// `../shared/corpus/real`, when the shared corpus is next to the project.
fn corpus_dir(kind: &str) -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(kind);
    dir.is_dir().then_some(dir)
}

fn read_config(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    yaml::decode(&bytes).unwrap_or_else(|_| yaml::lossy_text(&bytes))
}

#[test]
fn real_configs_get_no_schema_error() {
    let Some(dir) = corpus_dir("real") else {
        return;
    };
    let known = std::fs::read_to_string(dir.join("KNOWN-INVALID.tsv")).unwrap_or_default();
    let known: Vec<&str> = known
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .collect();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    assert!(files.len() >= 60, "the corpus has {} configs", files.len());
    let mut failures = String::new();
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap();
        let src = read_config(path);
        let found = render(&src);
        if known.contains(&name) {
            continue;
        }
        if !found.is_empty() {
            failures.push_str(&format!("{name}:\n{found}\n"));
        }
    }
    assert!(
        failures.is_empty(),
        "findings on accepted configs:\n{failures}"
    );
}
