//! `cilint plan`: what a push would run.

use super::*;
use std::io::Write;
use std::path::PathBuf;

pub(super) fn plan(args: &PlanArgs, out: &mut dyn Write) -> Result<Exit, Failure> {
    use crate::analysis::plan as p;
    let paths: Vec<PathBuf> = args.config_file.iter().cloned().collect();
    let sources = collect_sources(&paths, None)?;
    let [source] = sources.as_slice() else {
        return Err(Failure(format!(
            "`cilint plan` takes one config file; {} were found",
            sources.len()
        )));
    };
    let bytes = source.read()?;
    let text = crate::yaml::decode(&bytes)
        .map_err(|d| Failure(format!("cannot plan {}: {}", source.display, d.message)))?;
    let doc = crate::yaml::parse(&text);
    let lines = crate::LineIndex::new(&text);
    if let Some(d) = doc.findings.iter().find(|d| d.kind.stops_loading()) {
        let at = lines.line_col(&text, d.primary.span.start as usize);
        return Err(Failure(format!(
            "cannot plan {}:{}:{}: {}",
            source.display, at.line, at.column, d.message
        )));
    }
    let config = crate::analysis::context::model(&doc);
    let graphs = crate::analysis::graph::Graphs::build(&config);

    let input = args.plan.input(&config, source)?;
    let result = p::plan(&config, &graphs, &input);
    let rendered = match args.format {
        PlanFormat::Human => {
            crate::output::plan::render_human(&result, &source.display, use_color(args.color))
        }
        PlanFormat::Json => {
            let v = crate::output::plan::to_json(&result, &source.display, &text, &lines);
            let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    out.write_all(rendered.as_bytes()).map_err(write_failed)?;
    Ok(Exit::Clean)
}
