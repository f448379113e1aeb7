//! Benchmark of diagram rendering: `cargo bench --bench render [-- --out DIR] [-- --layout-rs-max N]`.
//!
//! For generated CI-shaped workflows (about three `requires` per job) of 50, 300 and 1,000 jobs,
//! prints the time of our SVG renderer (layout plus writing), of layout-rs (the design card's
//! crate, driven through its own API, with and without its optimisations) up to
//! `--layout-rs-max` jobs (default 100: beyond that it takes minutes), and of Graphviz
//! `dot -Tsvg` on the same graphs' DOT when `dot` is on PATH.

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "../tests/support/diagrams.rs"]
mod diagrams;

use cilint::render::{self, Diagram, Options};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ours(d: &Diagram, runs: usize) -> (Duration, usize) {
    let opts = Options::default();
    let mut times = Vec::new();
    let mut len = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let svg = render::svg::render(d, &opts);
        times.push(t.elapsed());
        len = svg.len();
    }
    (median(times), len)
}

fn layout_rs(d: &Diagram, disable_opt: bool) -> (Duration, String) {
    use layout::backends::svg::SVGWriter;
    use layout::core::base::Orientation;
    use layout::core::geometry::Point;
    use layout::core::style::StyleAttr;
    use layout::std_shapes::shapes::{Arrow, Element, ShapeKind};
    use layout::topo::layout::VisualGraph;
    let t = Instant::now();
    let mut vg = VisualGraph::new(Orientation::LeftToRight);
    let handles: Vec<_> = d
        .nodes
        .iter()
        .map(|n| {
            let w = render::text_width(&n.label, 14.0, true) + 28.0;
            let el = Element::create(
                ShapeKind::new_box(&n.label),
                StyleAttr::simple(),
                Orientation::LeftToRight,
                Point::new(w, 36.0),
            );
            vg.add_node(el)
        })
        .collect();
    for e in &d.edges {
        vg.add_edge(
            Arrow::simple(e.label.as_deref().unwrap_or("")),
            handles[e.from],
            handles[e.to],
        );
    }
    let mut svg = SVGWriter::new();
    vg.do_it(false, disable_opt, false, &mut svg);
    let out = svg.finalize();
    assert!(out.contains("<svg"));
    (t.elapsed(), out)
}

fn graphviz(d: &Diagram) -> Option<Duration> {
    let dot = render::dot::render(d, &Options::default());
    let t = Instant::now();
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(dot.as_bytes()).ok()?;
    let status = child.wait().ok()?;
    status.success().then(|| t.elapsed())
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        format!("{:.1} ms", s * 1000.0)
    } else {
        format!("{s:.2} s")
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut out_dir = None;
    // `cargo bench` passes `--bench`; under `cargo test` only a small smoke round runs.
    let full = args.iter().any(|a| a == "--bench");
    let mut lrs_max = if full { 100 } else { 0 };
    let mut i = 1;
    while i < args.len() {
        match args[i].as_str() {
            "--out" if i + 1 < args.len() => {
                out_dir = Some(args[i + 1].clone());
                i += 1;
            }
            "--layout-rs-max" if i + 1 < args.len() => {
                lrs_max = args[i + 1].parse().unwrap_or(lrs_max);
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    println!(
        "{:>6} {:>7} {:>12} {:>20} {:>14} {:>16} {:>12}",
        "jobs", "edges", "cilint svg", "svg px, size", "layout-rs", "layout-rs noopt", "dot -Tsvg"
    );
    let sizes: &[usize] = if full { &[50, 100, 300, 1000] } else { &[50] };
    for &jobs in sizes {
        let d = diagrams::synthetic(jobs, 1);
        let (t, len) = ours(&d, if jobs >= 1000 { 3 } else { 7 });
        let lay = render::svg::lay_out(&d, &Options::default()).layout;
        let (lrs, lrs_noopt) = if jobs <= lrs_max {
            let (t1, picture) = layout_rs(&d, false);
            let (t2, _) = layout_rs(&d, true);
            if let Some(dir) = &out_dir {
                let _ = std::fs::create_dir_all(dir);
                let _ = std::fs::write(format!("{dir}/generated-{jobs}-layout-rs.svg"), picture);
            }
            (secs(t1), secs(t2))
        } else {
            ("skipped".to_string(), "skipped".to_string())
        };
        let gv = graphviz(&d).map_or("n/a".to_string(), secs);
        println!(
            "{:>6} {:>7} {:>12} {:>20} {:>14} {:>16} {:>12}",
            jobs,
            d.edges.len(),
            secs(t),
            format!(
                "{}x{} {}kB",
                lay.width.round(),
                lay.height.round(),
                len / 1024
            ),
            lrs,
            lrs_noopt,
            gv
        );
        if let Some(dir) = &out_dir {
            let _ = std::fs::create_dir_all(dir);
            let _ = std::fs::write(
                format!("{dir}/generated-{jobs}.svg"),
                render::svg::render(&d, &Options::default()),
            );
            let _ = std::fs::write(
                format!("{dir}/generated-{jobs}.dot"),
                render::dot::render(&d, &Options::default()),
            );
        }
    }
}
