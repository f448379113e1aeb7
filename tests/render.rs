//! Renderers: DOT and Mermaid snapshots of hand-built diagrams, SVG geometry checks, and Graphviz
//! accepting the DOT (when `dot` is installed).

mod common;
#[path = "support/crossings.rs"]
mod crossings;
#[path = "support/diagrams.rs"]
mod diagrams;

use cilint::render::{self, Diagram, Direction, Edge, Node, Options};

fn snap(name: &str, text: &str) {
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

/// stage -> test -> hold (approval) -> deploy, as in the approval tutorial.
fn approval() -> Diagram {
    let mut d = Diagram::new("stage_test_deploy");
    let stage = d.add_node(Node::job("stage", "stage"));
    let test = d.add_node(Node::job("test", "test"));
    let hold = d.add_node(Node::approval("hold", "hold"));
    let deploy = d.add_node(Node::job("deploy", "deploy"));
    d.add_edge(Edge::new(stage, test));
    d.add_edge(Edge::new(test, hold));
    d.add_edge(Edge::new(hold, deploy));
    d
}

/// An orb job under its own name, with a context and branch filter.
fn orb() -> Diagram {
    let mut d = Diagram::new("orb-workflow");
    let a = d.add_node(Node::job("node/test", "node/test"));
    let b = d.add_node(
        Node::job("unit", "unit")
            .sublabel("node/test")
            .sublabel("context: org-global"),
    );
    let c = d.add_node(Node::job("publish", "publish").sublabel("main"));
    d.add_edge(Edge::new(a, c));
    d.add_edge(Edge::new(b, c));
    d
}

/// A matrix expanded into instances, all required by one job.
fn matrix() -> Diagram {
    let mut d = Diagram::new("matrix");
    d.trigger("when: << pipeline.parameters.run-tests >>");
    let build = d.add_node(Node::job("build", "build"));
    let report = d.add_node(Node::job("report", "report"));
    for v in ["18", "20", "22"] {
        let name = format!("test-node-{v}");
        let i = d.add_node(Node::job(name.clone(), name).sublabel(format!("test (version: {v})")));
        d.add_edge(Edge::new(build, i));
        d.add_edge(Edge::new(i, report));
    }
    d
}

/// Branch and tag filters in short form; a scheduled trigger.
fn filters() -> Diagram {
    let mut d = Diagram::new("release");
    d.trigger("schedule: 0 4 * * 1-5");
    d.trigger("filters: main");
    let b = d.add_node(Node::job("build", "build").sublabel("tags /v.*/"));
    let p = d.add_node(
        Node::job("publish", "publish")
            .sublabel("tags /^v[0-9]+/, ignore branches /.*/")
            .sublabel("context: release"),
    );
    let g = d.add_node(Node::job("gh-pages", "gh-pages").sublabel("main"));
    d.add_edge(Edge::new(b, p));
    d.add_edge(Edge::new(b, g));
    d
}

/// a -> b -> c -> a, c has an error, and b requires itself.
fn cycle() -> Diagram {
    let mut d = Diagram::new("cyclic");
    let a = d.add_node(Node::job("a", "a"));
    let b = d.add_node(Node::job("b", "b"));
    let c = d.add_node(Node::job("c", "c").error());
    let z = d.add_node(Node::job("z", "z"));
    d.add_edge(Edge::new(a, b).cycle());
    d.add_edge(Edge::new(b, c).cycle());
    d.add_edge(Edge::new(c, a).cycle());
    d.add_edge(Edge::new(b, b).cycle());
    d.add_edge(Edge::new(c, z));
    d
}

/// Status labels, a faded node with a reason, and names that need escaping.
fn statuses() -> Diagram {
    let mut d = Diagram::new("notify \"on\" <failure> & more");
    let build = d.add_node(Node::job("build", "build"));
    let notify = d.add_node(Node::job("notify", "notify [slack]"));
    let cleanup = d.add_node(Node::job("cleanup", "cleanup").faded("runs only on branch `main`"));
    let gate = d.add_node(Node::approval("gate", "gate \"ok?\"").error());
    d.add_edge(Edge::new(build, notify).status("failed"));
    d.add_edge(Edge::new(build, cleanup).status("terminal"));
    d.add_edge(Edge::new(notify, gate).status("success, failed"));
    d
}

/// Six jobs each requiring the same four (after a build), one of them faded: drawn through a
/// junction.
fn fan_in() -> Diagram {
    let mut d = Diagram::new("fan-in");
    let build = d.add_node(Node::job("build", "build"));
    let tests: Vec<usize> = (0..4)
        .map(|i| d.add_node(Node::job(format!("test-{i}"), format!("test-{i}"))))
        .collect();
    for &t in &tests {
        d.add_edge(Edge::new(build, t));
    }
    for i in 0..6 {
        let mut node = Node::job(format!("deploy-{i}"), format!("deploy-{i}"));
        if i == 5 {
            node = node.faded("runs only on tags");
        }
        let deploy = d.add_node(node);
        for &t in &tests {
            d.add_edge(Edge::new(t, deploy));
        }
    }
    d
}

fn fixtures() -> Vec<(&'static str, Diagram)> {
    vec![
        ("approval", approval()),
        ("orb", orb()),
        ("matrix", matrix()),
        ("filters", filters()),
        ("cycle", cycle()),
        ("statuses", statuses()),
        ("fan-in", fan_in()),
    ]
}

#[test]
fn dot_snapshots() {
    let opts = Options::default();
    for (name, d) in fixtures() {
        snap(&format!("dot_{name}"), &render::dot::render(&d, &opts));
    }
    let all: Vec<Diagram> = vec![approval(), cycle()];
    snap("dot_all", &render::dot::render_all(&all, &opts));
    let tb = Options {
        direction: Direction::TopBottom,
        ..Options::default()
    };
    assert!(render::dot::render(&approval(), &tb).contains("rankdir=TB"));
}

#[test]
fn mermaid_snapshots() {
    let opts = Options::default();
    for (name, d) in fixtures() {
        snap(
            &format!("mermaid_{name}"),
            &render::mermaid::render(&d, &opts),
        );
    }
    let all: Vec<Diagram> = vec![approval(), cycle()];
    snap("mermaid_all", &render::mermaid::render_all(&all, &opts));
}

#[test]
fn mermaid_ids_are_sanitised_and_labels_escaped() {
    let out = render::mermaid::render(&statuses(), &Options::default());
    for line in out.lines().filter(|l| l.starts_with("  n")) {
        let id: String = line
            .trim()
            .chars()
            .take_while(|c| !matches!(c, '(' | '{' | ' '))
            .collect();
        assert!(
            id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{id}"
        );
    }
    assert!(out.contains("gate #quot;ok?#quot;"));
    assert!(!out.contains("[slack]\")") || out.contains("(\"notify [slack]\")"));
}

#[test]
fn graphviz_accepts_the_dot() {
    if std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_err()
    {
        common::skip("Graphviz's dot program");
        return;
    }
    let mut inputs: Vec<String> = fixtures()
        .iter()
        .map(|(_, d)| render::dot::render(d, &Options::default()))
        .collect();
    inputs.push(render::dot::render_all(
        &[approval(), statuses()],
        &Options::default(),
    ));
    for dot in inputs {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.dot");
        std::fs::write(&path, &dot).unwrap();
        let out = std::process::Command::new("dot")
            .arg("-Tsvg")
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "dot rejected:\n{dot}\n{stderr}");
        assert!(!stderr.contains("Error"), "{stderr}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
    }
}

/// A node's box as drawn in the SVG.
#[derive(Debug, Clone, Copy)]
struct BoxR {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

fn nums(s: &str) -> Vec<f64> {
    s.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter(|t| !t.is_empty())
        .map(|t| t.parse().unwrap())
        .collect()
}

/// from, to, start point, end point
type DrawnEdge = (String, String, (f64, f64), (f64, f64));

/// A path into or out of a junction: job id, junction number, into (true) or out of it, the
/// path's end at the job, its end at the junction, whether it has an arrowhead.
type JunctionPath = (String, String, bool, (f64, f64), (f64, f64), bool);

struct Parsed {
    /// id -> (box, text of the group, class)
    nodes: Vec<(String, BoxR, String, String)>,
    /// id -> outline of the shape (the rectangle's corners or the polygon's points)
    outlines: Vec<(String, Vec<(f64, f64)>)>,
    /// from, to, start, end
    edges: Vec<DrawnEdge>,
    /// Paths into or out of a junction (see [`JunctionPath`]).
    junction_paths: Vec<JunctionPath>,
    /// junction number -> centre of its dot
    junctions: Vec<(String, (f64, f64))>,
    width: f64,
    height: f64,
}

fn parse_svg(svg: &str) -> Parsed {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let width: f64 = root.attribute("width").unwrap().parse().unwrap();
    let height: f64 = root.attribute("height").unwrap().parse().unwrap();
    let mut nodes = Vec::new();
    let mut outlines = Vec::new();
    let mut edges = Vec::new();
    let mut junction_paths = Vec::new();
    let mut junctions = Vec::new();
    for g in doc.descendants().filter(|n| n.has_tag_name("g")) {
        if let Some(k) = g.attribute("data-junction") {
            if g.attribute("class") == Some("junction") {
                let c = g.children().find(|c| c.has_tag_name("circle")).unwrap();
                let f = |a: &str| c.attribute(a).unwrap().parse::<f64>().unwrap();
                junctions.push((k.to_string(), (f("cx"), f("cy"))));
                continue;
            }
            let path = g.children().find(|c| c.has_tag_name("path")).unwrap();
            let v = nums(path.attribute("d").unwrap());
            let n = v.len();
            let (start, end) = ((v[0], v[1]), (v[n - 2], v[n - 1]));
            let arrow = path.attribute("marker-end").is_some();
            match (g.attribute("data-from"), g.attribute("data-to")) {
                (Some(from), None) => {
                    junction_paths.push((from.to_string(), k.to_string(), true, start, end, arrow))
                }
                (None, Some(to)) => {
                    junction_paths.push((to.to_string(), k.to_string(), false, end, start, arrow))
                }
                _ => panic!("a junction path names one job"),
            }
            continue;
        }
        let class = g.attribute("class").unwrap_or("");
        if let Some(id) = g.attribute("data-id") {
            let shape = g
                .children()
                .find(|c| c.has_tag_name("rect") || c.has_tag_name("polygon"))
                .expect("a node has a shape");
            let b = if shape.has_tag_name("rect") {
                let f = |a: &str| shape.attribute(a).unwrap().parse::<f64>().unwrap();
                let b = BoxR {
                    x: f("x"),
                    y: f("y"),
                    w: f("width"),
                    h: f("height"),
                };
                let corners = vec![
                    (b.x, b.y),
                    (b.x + b.w, b.y),
                    (b.x + b.w, b.y + b.h),
                    (b.x, b.y + b.h),
                ];
                outlines.push((id.to_string(), corners));
                b
            } else {
                let v = nums(shape.attribute("points").unwrap());
                outlines.push((id.to_string(), v.chunks(2).map(|c| (c[0], c[1])).collect()));
                let xs: Vec<f64> = v.iter().step_by(2).copied().collect();
                let ys: Vec<f64> = v.iter().skip(1).step_by(2).copied().collect();
                let minx = xs.iter().copied().fold(f64::INFINITY, f64::min);
                let maxx = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let miny = ys.iter().copied().fold(f64::INFINITY, f64::min);
                let maxy = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                BoxR {
                    x: minx,
                    y: miny,
                    w: maxx - minx,
                    h: maxy - miny,
                }
            };
            let text: Vec<&str> = g
                .descendants()
                .filter(|c| c.has_tag_name("text"))
                .filter_map(|c| c.text())
                .collect();
            nodes.push((id.to_string(), b, text.join("\n"), class.to_string()));
        } else if let (Some(from), Some(to)) = (g.attribute("data-from"), g.attribute("data-to")) {
            let path = g.children().find(|c| c.has_tag_name("path")).unwrap();
            let v = nums(path.attribute("d").unwrap());
            let n = v.len();
            edges.push((
                from.to_string(),
                to.to_string(),
                (v[0], v[1]),
                (v[n - 2], v[n - 1]),
            ));
        }
    }
    Parsed {
        nodes,
        outlines,
        edges,
        junction_paths,
        junctions,
        width,
        height,
    }
}

/// Distance from a point to the outline of a closed polygon (0 on the border).
fn border_distance(outline: &[(f64, f64)], p: (f64, f64)) -> f64 {
    let mut best = f64::INFINITY;
    for i in 0..outline.len() {
        let a = outline[i];
        let b = outline[(i + 1) % outline.len()];
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = dx * dx + dy * dy;
        let t = if len2 == 0.0 {
            0.0
        } else {
            (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
        };
        let (qx, qy) = (a.0 + t * dx, a.1 + t * dy);
        best = best.min(((p.0 - qx).powi(2) + (p.1 - qy).powi(2)).sqrt());
    }
    best
}

fn overlaps(a: &BoxR, b: &BoxR) -> bool {
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
}

fn check_svg(d: &Diagram, opts: &Options) -> Parsed {
    let svg = render::svg::render(d, opts);
    let p = parse_svg(&svg);
    assert_eq!(p.nodes.len(), d.nodes.len());
    for n in &d.nodes {
        let (_, _, text, _) = p
            .nodes
            .iter()
            .find(|(id, ..)| *id == n.id)
            .expect("node drawn");
        assert!(
            text.contains(&n.label),
            "label {} missing in {text}",
            n.label
        );
        for s in &n.sublabels {
            assert!(text.contains(s.as_str()), "sublabel {s} missing");
        }
    }
    for i in 0..p.nodes.len() {
        for j in i + 1..p.nodes.len() {
            assert!(
                !overlaps(&p.nodes[i].1, &p.nodes[j].1),
                "{} and {} overlap",
                p.nodes[i].0,
                p.nodes[j].0
            );
        }
    }
    let drawable = d
        .edges
        .iter()
        .filter(|e| e.from < d.nodes.len() && e.to < d.nodes.len())
        .count();
    // Edges through a junction are drawn as one path per job into it and one per job out of it.
    let lay = render::svg::lay_out(d, opts).layout;
    let through: usize = lay.junctions.iter().map(|j| j.edges.len()).sum();
    let sides: usize = lay
        .junctions
        .iter()
        .map(|j| j.sources.len() + j.targets.len())
        .sum();
    assert_eq!(p.edges.len(), drawable - through);
    assert_eq!(p.junction_paths.len(), sides);
    assert_eq!(p.junctions.len(), lay.junctions.len());
    for (job, k, into, at_job, at_junction, arrow) in &p.junction_paths {
        let centre = p
            .junctions
            .iter()
            .find(|j| &j.0 == k)
            .expect("its junction")
            .1;
        let off = ((at_junction.0 - centre.0).powi(2) + (at_junction.1 - centre.1).powi(2)).sqrt();
        assert!(off < 0.6, "a path of junction {k} ends {off}px off its dot");
        let outline = p.outlines.iter().find(|n| &n.0 == job).unwrap().1.clone();
        let dj = border_distance(&outline, *at_job);
        assert!(
            dj < 0.6,
            "a path of junction {k} ends {dj}px off {job}'s border"
        );
        assert_eq!(
            *arrow, !*into,
            "only the paths out of a junction have arrowheads"
        );
    }
    let by_id = |id: &str| p.outlines.iter().find(|n| n.0 == id).unwrap().1.clone();
    for (from, to, start, end) in &p.edges {
        // Coordinates are written with one decimal.
        let ds = border_distance(&by_id(from), *start);
        let de = border_distance(&by_id(to), *end);
        assert!(
            ds < 0.6,
            "edge {from}->{to} starts {ds}px off {from}'s border"
        );
        assert!(de < 0.6, "edge {from}->{to} ends {de}px off {to}'s border");
    }
    p
}

#[test]
fn svg_approval_hold_is_drawn_as_an_approval() {
    let d = approval();
    let svg = render::svg::render(&d, &Options::default());
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let hold = doc
        .descendants()
        .find(|n| n.attribute("data-id") == Some("hold"))
        .unwrap();
    assert!(
        hold.attribute("class")
            .unwrap()
            .split(' ')
            .any(|c| c == "approval")
    );
    assert!(
        hold.children().any(|c| c.has_tag_name("polygon")),
        "a hexagon"
    );
    assert_eq!(
        hold.children()
            .filter(|c| c.attribute("class") == Some("pause"))
            .count(),
        2
    );
    let style = doc
        .descendants()
        .find(|n| n.has_tag_name("style"))
        .unwrap()
        .text()
        .unwrap();
    assert!(style.contains(".approval .shape{fill:#fff3cd"));
}

#[test]
fn svg_fixtures_have_labels_no_overlaps_and_edges_on_borders() {
    for (_, d) in fixtures() {
        for dir in [Direction::LeftRight, Direction::TopBottom] {
            check_svg(
                &d,
                &Options {
                    direction: dir,
                    ..Options::default()
                },
            );
        }
    }
}

#[test]
fn svg_escapes_text_and_carries_tooltips() {
    let svg = render::svg::render(&statuses(), &Options::default());
    assert!(svg.contains("notify &quot;on&quot; &lt;failure&gt; &amp; more"));
    assert!(svg.contains("<title>runs only on branch `main`</title>"));
    assert!(svg.contains("class=\"node job faded\""));
    assert!(svg.contains("class=\"node approval error\""));
    assert!(svg.contains(">failed</text>"));
    let cyc = render::svg::render(&cycle(), &Options::default());
    assert!(cyc.contains("class=\"edge cycle\""));
    assert!(cyc.contains("marker-end=\"url(#arrow-cycle)\""));
}

#[test]
fn svg_several_diagrams_stack_in_one_document() {
    let svg = render::svg::render_all(&[approval(), matrix(), cycle()], &Options::default());
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let cards = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("workflow"))
        .count();
    assert_eq!(cards, 3);
    assert_eq!(legends(&svg), 1, "one legend for the whole picture");
    // It shows what any of the diagrams has (the cycle's red edge).
    assert!(svg.contains(">cycle</text>"));
    assert_eq!(text_outside(&svg), Vec::<String>::new());
}

fn legends(svg: &str) -> usize {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.attribute("class") == Some("legend"))
        .count()
}

/// The texts of an SVG that reach outside its canvas, by the width estimate the layout uses
/// (the renderer's slack included), each with where it is.
fn text_outside(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let root = doc.root_element();
    let width: f64 = root.attribute("width").unwrap().parse().unwrap();
    let height: f64 = root.attribute("height").unwrap().parse().unwrap();
    assert_eq!(
        root.attribute("viewBox"),
        Some(format!("0 0 {width} {height}").as_str())
    );
    let mut out = Vec::new();
    for t in doc.descendants().filter(|n| n.has_tag_name("text")) {
        let content: String = t
            .descendants()
            .filter(|c| c.is_text() && c.parent() == Some(t))
            .filter_map(|c| c.text())
            .collect();
        let class = t.attribute("class").unwrap_or("");
        let (size, bold) = match class {
            "title" => (18.0, true),
            "trigger" => (12.0, false),
            "label" => (14.0, true),
            _ => (11.0, false),
        };
        // Where the text is: its own x and y plus every translation above it.
        let (mut dx, mut dy) = (0.0, 0.0);
        for a in t.ancestors() {
            if let Some(tr) = a.attribute("transform") {
                let v = nums(tr);
                dx += v[0];
                dy += v.get(1).copied().unwrap_or(0.0);
            }
        }
        let x: f64 = t.attribute("x").unwrap().parse::<f64>().unwrap() + dx;
        let y: f64 = t.attribute("y").unwrap().parse::<f64>().unwrap() + dy;
        let w = render::text_width(&content, size, bold) * render::svg::WIDTH_SLACK;
        let left = match t.attribute("text-anchor") {
            Some("middle") => x - w / 2.0,
            Some("end") => x - w,
            _ => x,
        };
        let (top, bottom) = (y - size * 0.8, y + size * 0.25);
        if left < -0.5 || left + w > width + 0.5 || top < -0.5 || bottom > height + 0.5 {
            out.push(format!(
                "{content:?} ({class}) spans x {left:.1}..{:.1}, y {top:.1}..{bottom:.1} on a {width}x{height} canvas",
                left + w
            ));
        }
    }
    out
}

#[test]
fn long_triggers_are_wrapped_within_the_canvas_with_the_whole_text_as_tooltip() {
    let mut d = approval();
    let long = format!(
        "when: and(equal(<< pipeline.git.branch >>, main), {})",
        (0..40)
            .map(|i| format!("not(equal(<< pipeline.parameters.flag-{i} >>, true))"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    d.trigger(long.clone());
    d.trigger("schedule: 0 3 * * 1-5");
    let svg = render::svg::render(&d, &Options::default());
    assert_eq!(text_outside(&svg), Vec::<String>::new());
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let width: f64 = doc
        .root_element()
        .attribute("width")
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        width < 1100.0,
        "the trigger does not widen the picture: {width}"
    );
    let group = doc
        .descendants()
        .find(|n| n.attribute("class") == Some("triggers"))
        .expect("the long trigger is a group with a tooltip");
    let title = group.children().find(|c| c.has_tag_name("title")).unwrap();
    assert_eq!(title.text(), Some(long.as_str()));
    let lines: Vec<&str> = group
        .children()
        .filter(|c| c.has_tag_name("text"))
        .filter_map(|c| c.text())
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].starts_with("when: and(equal("));
    assert!(lines[2].ends_with('…'));
    // A short trigger is one line, no tooltip.
    assert!(svg.contains(">schedule: 0 3 * * 1-5</text>"));
}

/// Every diagram of the real configs of the corpus (`../shared/corpus/real`), all workflows
/// of a file in one picture as `cilint graph` draws them: one legend per picture, no text
/// outside the canvas. Among them the largest config with many workflows (RevenueCat's, 19).
#[test]
fn corpus_pictures_have_one_legend_and_no_text_outside_the_canvas() {
    let dir = common::root().join("../shared/corpus/real");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        common::skip("../shared/corpus/real");
        return;
    };
    let mut files: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    let mut largest: Option<(usize, String)> = None;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let (_, diagrams) =
            cilint::analyze(&bytes, &name, &cilint::Settings::default(), |cx, found| {
                render::from_graph::diagrams(cx.graphs, found)
            });
        if diagrams.is_empty() {
            continue;
        }
        for direction in [Direction::LeftRight, Direction::TopBottom] {
            let opts = Options {
                direction,
                ..Options::default()
            };
            let svg = render::svg::render_all(&diagrams, &opts);
            assert_eq!(legends(&svg), 1, "{name}");
            assert_eq!(text_outside(&svg), Vec::<String>::new(), "{name}");
        }
        if diagrams.len() > 1 && largest.as_ref().is_none_or(|l| bytes.len() > l.0) {
            largest = Some((bytes.len(), name.clone()));
        }
        if name == "RevenueCat__purchases-ios__default_config.yml" {
            assert!(diagrams.len() >= 19, "{}", diagrams.len());
        }
    }
    assert_eq!(
        largest.map(|l| l.1).as_deref(),
        Some("RevenueCat__purchases-ios__default_config.yml"),
        "the largest multi-workflow config of the corpus was checked"
    );
}

#[test]
fn svg_of_a_generated_300_job_workflow_is_bounded_and_clean() {
    let d = diagrams::synthetic(300, 1);
    assert!(d.edges.len() > 600);
    let p = check_svg(&d, &Options::default());
    assert!(
        p.width < 7000.0 && p.height < 5000.0,
        "{}x{}",
        p.width,
        p.height
    );
    let tb = check_svg(
        &d,
        &Options {
            direction: Direction::TopBottom,
            ..Options::default()
        },
    );
    assert!(
        tb.width < 7000.0 && tb.height < 7000.0,
        "{}x{}",
        tb.width,
        tb.height
    );
}

#[test]
fn edges_with_missing_ends_are_skipped() {
    let mut d = approval();
    d.add_edge(Edge::new(0, 99));
    let svg = render::svg::render(&d, &Options::default());
    let p = parse_svg(&svg);
    assert_eq!(p.edges.len(), 3);
    assert!(!render::dot::render(&d, &Options::default()).contains("n99"));
    assert!(!render::mermaid::render(&d, &Options::default()).contains("n99"));
}

/// `CILINT_RENDER_OUT=DIR cargo test --test render pictures` writes every fixture (and generated
/// workflows) as SVG to DIR, to look at them; without the variable it checks them in memory.
#[test]
fn pictures() {
    let dir = std::env::var_os("CILINT_RENDER_OUT");
    let mut all = fixtures();
    all.push(("generated-40", diagrams::synthetic(40, 3)));
    all.push(("generated-300", diagrams::synthetic(300, 1)));
    for (name, d) in all {
        for (suffix, direction) in [("", Direction::LeftRight), ("-tb", Direction::TopBottom)] {
            let opts = Options {
                direction,
                ..Options::default()
            };
            let svg = render::svg::render(&d, &opts);
            assert!(roxmltree::Document::parse(&svg).is_ok(), "{name}");
            if let Some(dir) = &dir {
                let path = std::path::Path::new(dir).join(format!("{name}{suffix}.svg"));
                std::fs::write(path, svg).unwrap();
            }
        }
    }
    // Diagrams as JSON (the serialised model) from CILINT_RENDER_IN, drawn into the same folder.
    if let (Some(dir), Some(input)) = (&dir, std::env::var_os("CILINT_RENDER_IN")) {
        for entry in std::fs::read_dir(input).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let d: Diagram =
                    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                let stem = path.file_stem().unwrap().to_string_lossy().to_string();
                std::fs::write(
                    std::path::Path::new(dir).join(format!("{stem}.svg")),
                    render::svg::render(&d, &Options::default()),
                )
                .unwrap();
            }
        }
    }
    if let Some(dir) = &dir {
        let svg = render::svg::render_all(
            &fixtures().into_iter().map(|f| f.1).collect::<Vec<_>>(),
            &Options::default(),
        );
        std::fs::write(std::path::Path::new(dir).join("all.svg"), svg).unwrap();
    }
}

/// The workflow diagrams of the real configs of the corpus (`../shared/corpus/real`), drawn
/// with junctions and as before junctions (every edge on its own): the drawings with junctions
/// have fewer edge crossings in all (the largest configs' wide fan-ins lose all or nearly all
/// of theirs), and none has more than before.
#[test]
fn junctions_reduce_crossings_on_the_corpus() {
    let dir = common::root().join("../shared/corpus/real");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        common::skip("../shared/corpus/real");
        return;
    };
    let mut files: Vec<(u64, std::path::PathBuf)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .map(|p| (std::fs::metadata(&p).map_or(0, |m| m.len()), p))
        .collect();
    files.sort_by(|a, b| b.cmp(a));
    let opts = Options::default();
    let (mut before, mut after, mut with_junctions) = (0, 0, 0);
    let mut lines = Vec::new();
    for (_, path) in &files {
        let bytes = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let (_, diagrams) =
            cilint::analyze(&bytes, &name, &cilint::Settings::default(), |cx, found| {
                render::from_graph::diagrams(cx.graphs, found)
            });
        for d in &diagrams {
            let plain = render::svg::lay_out_without_junctions(d, &opts).layout;
            let joined = render::svg::lay_out(d, &opts).layout;
            let b = crossings::count(&plain, opts.direction, |e| {
                let edge = &d.edges[e.edge];
                [edge.from, edge.to]
            });
            let a = crossings::count(&joined, opts.direction, |e| render::layout::path_ends(d, e));
            if !joined.junctions.is_empty() {
                with_junctions += 1;
                lines.push(format!(
                    "{name} / {}: {b} -> {a} crossings ({} junctions)",
                    d.title,
                    joined.junctions.len()
                ));
            }
            assert!(a <= b, "{name} / {}: {b} -> {a} crossings", d.title);
            before += b;
            after += a;
        }
    }
    eprintln!("{}\nin all: {before} -> {after}", lines.join("\n"));
    assert!(
        with_junctions >= 5,
        "{with_junctions} diagrams with junctions"
    );
    assert!(after < before, "{before} -> {after}");
}
