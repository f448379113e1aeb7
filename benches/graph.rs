//! Graph building and every graph rule on a generated workflow of 10,000 jobs.
//!
//! `cargo bench --bench graph` (release profile). No criterion: `std::time`, best of a few
//! runs. The workflow: 10,000 invocations of 50 defined jobs under distinct `name:`s, each
//! requiring up to three earlier jobs (fixed pseudo-random choice), an approval hold every 100
//! jobs, branch and tag filters on a fifth of them, one matrix, workspace steps.

use cilint::internals::{Config, Graphs, Orbs};
use cilint::{Context, LineIndex, Settings};
use std::fmt::Write;
use std::time::{Duration, Instant};

const JOBS: usize = 10_000;

/// `cargo bench` passes `--bench`; under `cargo test` the binary only runs a small smoke round.
fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn jobs() -> usize {
    if full_run() { JOBS } else { 300 }
}

/// The ids of the rules that read the workflow graphs.
const GRAPH_RULES: &[&str] = &[
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

fn generate() -> String {
    let mut s = String::from("version: 2.1\njobs:\n");
    for j in 0..50 {
        let _ = write!(
            s,
            "  job{j}:\n    docker:\n      - image: cimg/base:2024.01\n    parameters:\n      os:\n        type: string\n        default: linux\n    steps:\n      - checkout\n"
        );
        if j % 5 == 0 {
            s.push_str(
                "      - persist_to_workspace:\n          root: .\n          paths: [out]\n",
            );
        }
        if j % 7 == 0 {
            s.push_str("      - attach_workspace:\n          at: .\n");
        }
        s.push_str("      - run: make\n");
    }
    s.push_str("workflows:\n  big:\n    jobs:\n");
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for i in 0..jobs() {
        let name = format!("j{i}");
        if i > 0 && i % 100 == 0 {
            let _ = write!(
                s,
                "      - hold{i}:\n          type: approval\n          requires: [j{}]\n",
                i - 1
            );
        }
        if i == 5 {
            // A matrix of three instances that the others require by its alias.
            s.push_str("      - job5:\n          matrix:\n            alias: j5\n            parameters:\n              os: [linux, mac, windows]\n");
        } else {
            let _ = write!(s, "      - job{}:\n          name: {name}\n", i % 50);
        }
        if i > 0 {
            let mut reqs: Vec<String> = Vec::new();
            for _ in 0..3 {
                let back = 1 + next(50.min(i));
                reqs.push(format!("j{}", i - back));
            }
            if i % 100 == 1 && i > 100 {
                reqs.push(format!("hold{}", i - 1));
            }
            reqs.sort();
            reqs.dedup();
            let _ = writeln!(s, "          requires: [{}]", reqs.join(", "));
        }
        match i % 10 {
            0 => s.push_str("          filters:\n            branches:\n              only: [main, /release\\/.*/]\n"),
            1 => s.push_str("          filters:\n            tags:\n              only: /^v.*/\n"),
            _ => {}
        }
        if i % 3 == 0 {
            s.push_str("          context: ci\n");
        }
    }
    s
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        last = Some(v);
    }
    (best, last.expect("at least one run"))
}

fn main() {
    let source = generate();
    let t = Instant::now();
    let doc = cilint::internals::parse(&source);
    let parse = t.elapsed();
    let root = doc.root.as_ref().expect("the generated config parses");
    let config = Config::from_root(root);
    let lines = LineIndex::new(&source);
    let settings = Settings::default();

    // Building includes parsing every job's filters (cached in the graph for the rules).
    let (build, graphs) = best_of(5, || {
        let g = Graphs::build(&config);
        for w in &g.workflows {
            w.filters();
        }
        g
    });
    let nodes: usize = graphs.workflows.iter().map(|w| w.graph.node_count()).sum();
    let edges: usize = graphs.workflows.iter().map(|w| w.graph.edge_count()).sum();

    let cx = Context::new(
        "bench.yml",
        &source,
        &lines,
        &doc,
        &settings,
        &config,
        &graphs,
        Orbs::default(),
    );
    let rules: Vec<_> = GRAPH_RULES
        .iter()
        .filter_map(|id| cilint::find_rule(id))
        .collect();
    let mut per_rule = Vec::new();
    let (all, findings) = best_of(5, || {
        let mut out = Vec::new();
        for r in &rules {
            if let Some(check) = r.check {
                check(&cx, &mut out);
            }
        }
        out.len()
    });
    for r in &rules {
        if let Some(check) = r.check {
            let (d, _) = best_of(3, || {
                let mut out = Vec::new();
                check(&cx, &mut out);
                out.len()
            });
            per_rule.push((r.id, d));
        }
    }
    println!(
        "generated: {} bytes, {nodes} jobs, {edges} requires edges (YAML parse {:.1} ms, not counted)",
        source.len(),
        parse.as_secs_f64() * 1e3
    );
    println!("graph build: {:.2} ms", build.as_secs_f64() * 1e3);
    println!(
        "{} graph rules: {:.2} ms ({findings} findings)",
        rules.len(),
        all.as_secs_f64() * 1e3
    );
    per_rule.sort_by_key(|b| std::cmp::Reverse(b.1));
    for (id, d) in per_rule {
        println!("  {id:<28} {:8.2} ms", d.as_secs_f64() * 1e3);
    }
    println!(
        "total (build + rules): {:.2} ms",
        (build + all).as_secs_f64() * 1e3
    );
}
