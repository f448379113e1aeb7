//! Any bytes through the whole pipeline, as the command line runs it on a config:
//! `cilint::analyze` (load, model, graphs, schema, rules, suppressions), every report format,
//! the workflow diagrams in SVG, DOT and Mermaid (`cilint graph`), and the pipeline plan for a
//! branch push and a tag push (`cilint plan`, human and JSON, and the plan-marked diagrams).
//!
//! Invariants checked: nothing panics; every finding's spans lie inside the text, on character
//! boundaries, with a non-empty message; every output is produced without error; the JSON
//! formats parse as JSON and the SVG and JUnit outputs as XML.
//!
//! Shellcheck is off (`Settings::shellcheck` is `None`, so no process is started) and the orb
//! cache is a folder that does not exist (no file outside the input is read; nothing here
//! touches the network). Run it as BENCHMARKS.md "Fuzzing" says:
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run -s none lint fuzz/corpus/lint -- -dict=fuzz/circleci.dict`.
#![no_main]

use cilint::Settings;
use cilint::plan::GitRef;
use cilint::plan::{self, PlanInput, Trigger};
use cilint::render::{self, Direction, from_graph};
use cilint::report::{self, Format};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn settings() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| Settings {
        shellcheck: None,
        orb_cache: Some("/nonexistent/cilint-fuzz/orb-cache".into()),
        ..Settings::default()
    })
}

fuzz_target!(|data: &[u8]| {
    let (report, ()) = cilint::analyze(data, "fuzz.yml", settings(), |cx, findings| {
        // `cilint graph`, all three formats, both directions for the SVG layout.
        let mut diagrams = from_graph::diagrams(cx.graphs, findings);
        draw(&diagrams);

        // `cilint plan` (and `cilint graph --branch/--tag`): a push of a branch, and of a tag
        // through the API with a schedule name.
        let inputs = [
            PlanInput::branch("main"),
            PlanInput {
                git_ref: GitRef::Tag("v1.2.3".into()),
                trigger: Trigger::Api,
                schedule_name: Some("nightly".into()),
                params: Vec::new(),
            },
        ];
        for input in &inputs {
            let p = plan::plan(cx.config, cx.graphs, input);
            let _ = plan::render_human(&p, cx.path, true);
            let json = plan::to_json(&p, cx.path, cx.source, cx.lines);
            serde_json::to_string_pretty(&json).expect("plan JSON serializes");
            for (d, w) in diagrams.iter_mut().zip(&p.workflows) {
                plan::mark_diagram(d, w);
            }
        }
        draw(&diagrams);
    });

    let source = &report.source;
    let len = source.len() as u32;
    for d in &report.diagnostics {
        assert!(!d.message.is_empty(), "{d:?} has no message");
        for span in std::iter::once(d.primary.span).chain(d.labels.iter().map(|l| l.span)) {
            assert!(
                span.start <= span.end && span.end <= len,
                "{d:?} outside the text"
            );
            assert!(
                source.is_char_boundary(span.start as usize)
                    && source.is_char_boundary(span.end as usize),
                "{d:?} splits a character"
            );
        }
    }
    let reports = [report];
    for format in [
        Format::Human,
        Format::Short,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Junit,
        Format::Gitlab,
    ] {
        for color in [false, true] {
            let mut out = Vec::new();
            let options = report::Options {
                color,
                ..report::Options::default()
            };
            report::write(format, &reports, &options, &mut out).expect("report renders");
            let text = String::from_utf8(out).expect("report is UTF-8");
            match format {
                Format::Json | Format::Sarif | Format::Gitlab => {
                    serde_json::from_str::<serde_json::Value>(&text).expect("report is JSON");
                }
                Format::Junit => well_formed_xml(&text),
                _ => {}
            }
        }
    }
});

/// SVG and JUnit output must be XML a reader accepts, whatever names the config holds.
fn well_formed_xml(text: &str) {
    if let Err(e) = roxmltree::Document::parse(text) {
        panic!("not well-formed XML ({e}):\n{text}");
    }
}

fn draw(diagrams: &[render::Diagram]) {
    for direction in [Direction::LeftRight, Direction::TopBottom] {
        let opts = render::Options {
            direction,
            ..render::Options::default()
        };
        well_formed_xml(&render::svg::render_all(diagrams, &opts));
        for d in diagrams {
            well_formed_xml(&render::svg::render(d, &opts));
        }
    }
    let opts = render::Options::default();
    let _ = render::dot::render_all(diagrams, &opts);
    let _ = render::mermaid::render_all(diagrams, &opts);
    for d in diagrams {
        let _ = render::dot::render(d, &opts);
        let _ = render::mermaid::render(d, &opts);
    }
}
