use cilint::context::Context;
use cilint::graph::Graphs;
use cilint::model::Config;
use cilint::{LineIndex, Settings};

#[test]
fn scratch() {
    let ids = [
        "unknown-job",
        "unknown-requires",
        "ambiguous-requires",
        "duplicate-invocation-name",
        "requires-cycle",
        "approval-unreachable",
        "approval-gates-nothing",
        "approval-name-clash",
        "approval-unrestricted",
        "tag-filter-upstream",
        "filters-never-run",
        "redundant-requires",
        "unused-job",
        "unused-command",
        "unused-executor",
        "workspace-without-persist",
        "no-workflows",
    ];
    let mut paths: Vec<_> = std::fs::read_dir("/work/shared/corpus/real")
        .unwrap()
        .chain(std::fs::read_dir("/work/shared/corpus/broken").unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    paths.sort();
    for p in paths {
        let Ok(src) = std::fs::read_to_string(&p) else {
            continue;
        };
        let doc = cilint::yaml::parse(&src);
        let lines = LineIndex::new(&src);
        let settings = Settings::default();
        let config = doc.root.as_ref().map(Config::from_root).unwrap_or_default();
        let graphs = Graphs::build(&config);
        let cx = Context {
            path: "x",
            source: &src,
            lines: &lines,
            doc: &doc,
            settings: &settings,
            config: &config,
            graphs: &graphs,
        };
        let mut out = Vec::new();
        for id in ids {
            if let Some(c) = cilint::rules::find(id).unwrap().check {
                c(&cx, &mut out);
            }
        }
        for d in out {
            let lc = lines.line_col(&src, d.primary.span.start as usize);
            println!(
                "{}:{}: {} [{}] {}",
                p.file_name().unwrap().to_string_lossy(),
                lc.line,
                d.severity,
                d.rule,
                d.message
            );
        }
    }
}
