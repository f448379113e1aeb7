//! A self-contained SVG of a workflow diagram, made without Graphviz.
//!
//! The layout is our own layered layout ([`super::layout`]); the module doc there gives the
//! measurements that decided against layout-rs (0.9 s at 100 jobs, 46 s at 300, text placed high
//! in boxes, no clusters) in favour of it (10 to 20 ms for a 300-job workflow and under 0.1 s for
//! 1,000, layout plus writing, against 3 s and 234 s for Graphviz `dot -Tsvg`).
//!
//! The look: a white card with the workflow name as title and its triggers under it; rounded
//! blue-grey job boxes with the invocation name and, small and grey, the job it runs, its filters
//! and its context; approval holds as amber hexagons with a pause mark; grey curved edges with
//! arrowheads, status labels (`failed`, `terminal`) as small pills, cycle edges in red; nodes with
//! an error outlined in red; nodes that do not run faded and dashed, their reason as a tooltip;
//! a small legend at the bottom. Fonts are a sans-serif stack; box sizes come from per-character
//! width estimates ([`super::text_width`]) with some slack, so text stays inside its box.

use std::fmt::Write as _;

use super::layout::{self, EdgePath, JunctionEnd, Layout, Point, Rect, Size};
use super::{Diagram, Direction, NodeKind, Options, ellipsize, text_width, xml_escape};

const FONT: &str =
    "'Inter', 'Segoe UI', 'Helvetica Neue', Helvetica, Arial, 'DejaVu Sans', sans-serif";
const LABEL_SIZE: f64 = 14.0;
const LABEL_LINE: f64 = 18.0;
const SUB_SIZE: f64 = 11.0;
const SUB_LINE: f64 = 14.0;
const PAD_X: f64 = 14.0;
const PAD_Y: f64 = 9.0;
const MARGIN: f64 = 24.0;
const EDGE_LABEL_SIZE: f64 = 11.0;
/// Width of the pause mark drawn before an approval's name, with its gap.
const PAUSE_W: f64 = 15.0;
const MAX_LABEL_CHARS: usize = 60;
const TITLE_SIZE: f64 = 18.0;
const TRIGGER_SIZE: f64 = 12.0;
/// A trigger is wrapped into at most this many lines (then shortened).
const TRIGGER_LINES: usize = 3;
/// Header lines wrap at the drawing's width, but never narrower or wider than these.
const HEAD_MIN_W: f64 = 480.0;
const HEAD_MAX_W: f64 = 960.0;
/// Slack over the width estimate: fonts in the stack differ a little.
pub const WIDTH_SLACK: f64 = 1.06;
/// The radius of a junction's dot.
const JUNCTION_R: f64 = 4.0;
const MAX_SUB_CHARS: usize = 48;

const STYLE: &str = "
.bg{fill:#ffffff}
.title{font-size:18px;font-weight:700;fill:#111827}
.trigger{font-size:12px;fill:#6b7280}
.shape{stroke-width:1.5}
.job .shape{fill:#eef4ff;stroke:#5b7db8}
.approval .shape{fill:#fff3cd;stroke:#c98a00}
.approval .pause{fill:#b07800}
.label{font-size:14px;font-weight:600;fill:#102a43}
.approval .label{fill:#5c3d00}
.sub{font-size:11px;fill:#6b7280}
.error .shape{stroke:#d92d20;stroke-width:2.5}
.faded{opacity:0.45}
.faded .shape{stroke-dasharray:5 3}
.edge path{fill:none;stroke:#94a3b8;stroke-width:1.4}
.edge.cycle path{stroke:#d92d20;stroke-width:2}
.edge.faded{opacity:0.35}
.elabel rect{fill:#ffffff;stroke:#cbd5e1;stroke-width:1}
.elabel text{font-size:11px;fill:#475569}
.elabel.failed rect{fill:#fef3f2;stroke:#fda29b}
.elabel.failed text{fill:#b42318}
.legend text{font-size:11px;fill:#6b7280}
.junction circle{fill:#64748b}
";

/// The sizes of a node's box and text.
struct NodeText {
    label: String,
    subs: Vec<String>,
    size: Size,
    /// Inset of the hexagon's points (approvals), 0 for boxes.
    inset: f64,
}

fn measure(d: &Diagram) -> Vec<NodeText> {
    d.nodes
        .iter()
        .map(|n| {
            let label = ellipsize(&n.label, MAX_LABEL_CHARS);
            let subs: Vec<String> = n
                .sublabels
                .iter()
                .map(|s| ellipsize(s, MAX_SUB_CHARS))
                .collect();
            let approval = n.kind == NodeKind::Approval;
            // 6% slack over the estimate: fonts in the stack differ a little.
            let mut text_w = text_width(&label, LABEL_SIZE, true) * 1.06;
            if approval {
                text_w += PAUSE_W;
            }
            for s in &subs {
                text_w = text_w.max(text_width(s, SUB_SIZE, false) * 1.06);
            }
            let h = 2.0 * PAD_Y + LABEL_LINE + SUB_LINE * subs.len() as f64;
            let inset = if approval { (h * 0.32).min(16.0) } else { 0.0 };
            let w = (text_w + 2.0 * PAD_X + 2.0 * inset).max(72.0).ceil();
            NodeText {
                label,
                subs,
                size: Size { w, h },
                inset,
            }
        })
        .collect()
}

fn edge_label_size(label: &str) -> Size {
    Size {
        w: (text_width(label, EDGE_LABEL_SIZE, false) * 1.06 + 12.0).ceil(),
        h: 17.0,
    }
}

/// A laid-out diagram, ready to write.
pub struct Drawing {
    pub layout: Layout,
    texts: Vec<NodeText>,
}

/// Lay out `d` for SVG (node sizes from the text, approval hexagons, labels).
pub fn lay_out(d: &Diagram, opts: &Options) -> Drawing {
    lay_out_by(d, opts, layout::layout)
}

/// [`lay_out`] with every edge drawn on its own (no junctions), as diagrams were drawn before
/// junctions: for comparisons.
pub fn lay_out_without_junctions(d: &Diagram, opts: &Options) -> Drawing {
    lay_out_by(d, opts, layout::layout_without_junctions)
}

type LayoutFn = fn(&Diagram, &[Size], &[Option<Size>], Direction) -> Layout;

fn lay_out_by(d: &Diagram, opts: &Options, how: LayoutFn) -> Drawing {
    let texts = measure(d);
    let sizes: Vec<Size> = texts.iter().map(|t| t.size).collect();
    let labels: Vec<Option<Size>> = d
        .edges
        .iter()
        .map(|e| e.label.as_deref().map(edge_label_size))
        .collect();
    let mut lay = how(d, &sizes, &labels, opts.direction);
    // Edge ends on a hexagon's slanted sides (left to right only; top and bottom are flat).
    if opts.direction == Direction::LeftRight {
        for e in &mut lay.edges {
            if e.self_loop {
                continue;
            }
            let edge = &d.edges[e.edge];
            let last = e.points.len() - 1;
            for (node, idx) in [(edge.from, 0), (edge.to, last)] {
                // A junction is a point: nothing to move at that end.
                let at_junction = match e.junction {
                    Some(JunctionEnd::Into(_)) => idx == last,
                    Some(JunctionEnd::OutOf(_)) => idx == 0,
                    None => false,
                };
                if at_junction {
                    continue;
                }
                let t = &texts[node];
                if t.inset > 0.0 {
                    let b = lay.nodes[node];
                    let p = &mut e.points[idx];
                    let dy = ((p.y - b.cy()).abs() / (b.h / 2.0)).min(1.0);
                    let shift = t.inset * dy;
                    if (p.x - b.x).abs() < 1e-6 {
                        p.x += shift;
                    } else {
                        p.x -= shift;
                    }
                }
            }
        }
    }
    Drawing { layout: lay, texts }
}

/// Render one diagram as a standalone SVG document.
pub fn render(d: &Diagram, opts: &Options) -> String {
    render_all(std::slice::from_ref(d), opts)
}

/// Render several diagrams stacked top to bottom in one SVG document (one card each), with one
/// legend at the bottom for all of them.
pub fn render_all(diagrams: &[Diagram], opts: &Options) -> String {
    let mut parts = Vec::with_capacity(diagrams.len());
    let mut width: f64 = 0.0;
    let mut height: f64 = 0.0;
    let mut keys = LegendKeys::default();
    for d in diagrams {
        let drawing = lay_out(d, opts);
        keys.add(d, &drawing.layout);
        let (body, w, h) = card(d, &drawing, opts);
        width = width.max(w);
        parts.push((body, height));
        height += h;
    }
    let legend_part = if opts.legend {
        // The legend's row sits where a single card's legend always sat: 22 below its drawing.
        let y = height - MARGIN + 22.0;
        let mut text = String::new();
        let w = legend(&mut text, &keys, MARGIN, y);
        width = width.max(w + 2.0 * MARGIN);
        height = y + 18.0 + MARGIN;
        Some(text)
    } else {
        None
    };
    let width = width.ceil();
    let height = height.ceil().max(1.0);
    let mut out = String::with_capacity(parts.iter().map(|p| p.0.len()).sum::<usize>() + 4096);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"{}\">",
        xml_escape(FONT)
    );
    out.push_str("<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n<defs>\n");
    for (id, color) in [("arrow", "#94a3b8"), ("arrow-cycle", "#d92d20")] {
        let _ = writeln!(
            out,
            "<marker id=\"{id}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"9\" markerHeight=\"9\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0.5 L10,5 L0,9.5 z\" fill=\"{color}\"/></marker>"
        );
    }
    out.push_str("</defs>\n");
    let _ = writeln!(
        out,
        "<rect class=\"bg\" x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\"/>"
    );
    for (body, y) in parts {
        if y == 0.0 {
            out.push_str(&body);
        } else {
            let _ = writeln!(out, "<g transform=\"translate(0 {})\">", fmt(y));
            out.push_str(&body);
            out.push_str("</g>\n");
        }
    }
    if let Some(text) = legend_part {
        out.push_str(&text);
    }
    out.push_str("</svg>\n");
    out
}

/// Format a coordinate with at most one decimal.
fn fmt(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

fn p(pt: Point) -> String {
    format!("{},{}", fmt(pt.x), fmt(pt.y))
}

/// One diagram's group (without the legend); returns it with its width and height.
fn card(d: &Diagram, drawing: &Drawing, opts: &Options) -> (String, f64, f64) {
    let lay = &drawing.layout;
    let mut out = String::new();
    let mut y = MARGIN;
    // Header lines are wrapped (or shortened, the whole text in a tooltip) at the drawing's
    // width, within bounds, so that a long trigger never makes the picture wide.
    let head_max = lay.width.clamp(HEAD_MIN_W, HEAD_MAX_W);
    let (title, title_cut) = shorten_to(&d.title, TITLE_SIZE, true, head_max);
    let mut head_w = text_width(&title, TITLE_SIZE, true) * WIDTH_SLACK;
    out.push_str("<g class=\"workflow\">");
    if title_cut {
        let _ = write!(out, "<g><title>{}</title>", xml_escape(&d.title));
    }
    let _ = write!(
        out,
        "<text class=\"title\" x=\"{}\" y=\"{}\">{}</text>",
        fmt(MARGIN),
        fmt(y + 14.0),
        xml_escape(&title)
    );
    if title_cut {
        out.push_str("</g>");
    }
    out.push('\n');
    y += 24.0;
    for line in &d.subtitle {
        let (lines, cut) = wrap(line, TRIGGER_SIZE, head_max, TRIGGER_LINES);
        let grouped = lines.len() > 1 || cut;
        if grouped {
            let _ = write!(
                out,
                "<g class=\"triggers\"><title>{}</title>",
                xml_escape(line)
            );
        }
        for part in &lines {
            let _ = writeln!(
                out,
                "<text class=\"trigger\" x=\"{}\" y=\"{}\">{}</text>",
                fmt(MARGIN),
                fmt(y + 11.0),
                xml_escape(part)
            );
            head_w = head_w.max(text_width(part, TRIGGER_SIZE, false) * WIDTH_SLACK);
            y += 16.0;
        }
        if grouped {
            out.push_str("</g>\n");
        }
    }
    y += 18.0;
    let ox = MARGIN;
    let oy = y;
    let _ = writeln!(out, "<g transform=\"translate({} {})\">", fmt(ox), fmt(oy));
    // Edges first, so that boxes sit on top of them; labels last.
    for e in &lay.edges {
        let edge = &d.edges[e.edge];
        let mut class = String::from("edge");
        if edge.in_cycle {
            class.push_str(" cycle");
        }
        let (from, to) = (&d.nodes[edge.from], &d.nodes[edge.to]);
        let faded = match e.junction {
            None => from.faded || to.faded,
            Some(JunctionEnd::Into(_)) => from.faded,
            Some(JunctionEnd::OutOf(_)) => to.faded,
        };
        if faded {
            class.push_str(" faded");
        }
        let marker = if edge.in_cycle {
            "arrow-cycle"
        } else {
            "arrow"
        };
        // Into a junction: no arrowhead (the arrow is on the way out of it).
        let (ends, arrow) = match e.junction {
            None => (
                format!(
                    "data-from=\"{}\" data-to=\"{}\"",
                    xml_escape(&from.id),
                    xml_escape(&to.id)
                ),
                true,
            ),
            Some(JunctionEnd::Into(k)) => (
                format!(
                    "data-from=\"{}\" data-junction=\"{k}\"",
                    xml_escape(&from.id)
                ),
                false,
            ),
            Some(JunctionEnd::OutOf(k)) => (
                format!("data-junction=\"{k}\" data-to=\"{}\"", xml_escape(&to.id)),
                true,
            ),
        };
        let _ = write!(
            out,
            "<g class=\"{class}\" {ends}><path d=\"{}\"",
            path_d(e, opts.direction)
        );
        if arrow {
            let _ = write!(out, " marker-end=\"url(#{marker})\"");
        }
        out.push_str("/></g>\n");
    }
    for (k, j) in lay.junctions.iter().enumerate() {
        let _ = writeln!(
            out,
            "<g class=\"junction\" data-junction=\"{k}\"><title>{}</title><circle cx=\"{}\" cy=\"{}\" r=\"{JUNCTION_R}\"/></g>",
            xml_escape(&junction_tip(d, j)),
            fmt(j.at.x),
            fmt(j.at.y)
        );
    }
    for (i, node) in d.nodes.iter().enumerate() {
        let b = lay.nodes[i];
        let t = &drawing.texts[i];
        let mut class = String::from("node ");
        class.push_str(match node.kind {
            NodeKind::Job => "job",
            NodeKind::Approval => "approval",
        });
        if node.has_error {
            class.push_str(" error");
        }
        if node.faded {
            class.push_str(" faded");
        }
        let _ = write!(
            out,
            "<g class=\"{class}\" data-id=\"{}\">",
            xml_escape(&node.id)
        );
        let tip = node.tooltip.clone().unwrap_or_else(|| {
            let mut s = node.label.clone();
            for sub in &node.sublabels {
                s.push('\n');
                s.push_str(sub);
            }
            s
        });
        let _ = write!(out, "<title>{}</title>", xml_escape(&tip));
        write_shape(&mut out, &b, t.inset);
        write_text(&mut out, &b, t, node.kind == NodeKind::Approval);
        out.push_str("</g>\n");
    }
    for e in &lay.edges {
        let edge = &d.edges[e.edge];
        if let (Some(label), Some(at)) = (&edge.label, e.label_at) {
            let s = edge_label_size(label);
            let class = if label.contains("failed") {
                "elabel failed"
            } else {
                "elabel"
            };
            let _ = writeln!(
                out,
                "<g class=\"{class}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8.5\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>",
                fmt(at.x - s.w / 2.0),
                fmt(at.y - s.h / 2.0),
                fmt(s.w),
                fmt(s.h),
                fmt(at.x),
                fmt(at.y + 3.9),
                xml_escape(label)
            );
        }
    }
    out.push_str("</g>\n");
    out.push_str("</g>\n");
    let width = (lay.width.max(head_w) + 2.0 * MARGIN).ceil();
    let height = (oy + lay.height + MARGIN).ceil();
    (out, width, height)
}

/// A junction's tooltip: who requires whom.
fn junction_tip(d: &Diagram, j: &layout::Junction) -> String {
    let names = |list: &[usize]| {
        let shown: Vec<&str> = list
            .iter()
            .take(12)
            .map(|&i| d.nodes[i].label.as_str())
            .collect();
        let mut text = shown.join(", ");
        if list.len() > shown.len() {
            let _ = write!(text, " and {} more", list.len() - shown.len());
        }
        text
    };
    format!(
        "each of {} ({}) requires all of {} ({})",
        names(&j.targets),
        j.targets.len(),
        names(&j.sources),
        j.sources.len()
    )
}

/// `text` shortened with `…` to fit `max_w` pixels (by the width estimate); whether it was cut.
fn shorten_to(text: &str, size: f64, bold: bool, max_w: f64) -> (String, bool) {
    if text_width(text, size, bold) * WIDTH_SLACK <= max_w {
        return (text.to_string(), false);
    }
    let mut out = String::new();
    let mut w = text_width("…", size, bold);
    for c in text.chars() {
        let cw = text_width(c.encode_utf8(&mut [0; 4]), size, bold);
        if (w + cw) * WIDTH_SLACK > max_w {
            break;
        }
        w += cw;
        out.push(c);
    }
    out.push('…');
    (out, true)
}

/// `text` in lines of at most `max_w` pixels (by the width estimate), broken after spaces and
/// commas where it can be and anywhere where it must; at most `max_lines`, the last shortened
/// with `…` when the text does not fit. Whether it was shortened.
pub(crate) fn wrap(text: &str, size: f64, max_w: f64, max_lines: usize) -> (Vec<String>, bool) {
    let fits = |s: &str| text_width(s, size, false) * WIDTH_SLACK <= max_w;
    let mut lines: Vec<String> = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if fits(rest) {
            lines.push(rest.to_string());
            rest = "";
            break;
        }
        // The longest prefix that fits, then back to the last break opportunity in it.
        let mut end = 0;
        for (i, c) in rest.char_indices() {
            if !fits(&rest[..i + c.len_utf8()]) {
                break;
            }
            end = i + c.len_utf8();
        }
        let end = end.max(rest.chars().next().map_or(0, char::len_utf8));
        let cut = rest[..end]
            .char_indices()
            .rev()
            .find(|&(i, c)| (c == ' ' || c == ',') && i > 0)
            .map_or(end, |(i, c)| i + c.len_utf8());
        if lines.len() + 1 == max_lines {
            break;
        }
        lines.push(rest[..cut].trim_end().to_string());
        rest = rest[cut..].trim_start();
    }
    if rest.is_empty() {
        return (lines, false);
    }
    let (last, _) = shorten_to(rest, size, false, max_w);
    lines.push(last);
    (lines, true)
}

fn write_shape(out: &mut String, b: &Rect, inset: f64) {
    if inset > 0.0 {
        let pts = [
            Point {
                x: b.x + inset,
                y: b.y,
            },
            Point {
                x: b.x + b.w - inset,
                y: b.y,
            },
            Point {
                x: b.x + b.w,
                y: b.cy(),
            },
            Point {
                x: b.x + b.w - inset,
                y: b.y + b.h,
            },
            Point {
                x: b.x + inset,
                y: b.y + b.h,
            },
            Point { x: b.x, y: b.cy() },
        ];
        let list: Vec<String> = pts.iter().map(|&q| p(q)).collect();
        let _ = write!(
            out,
            "<polygon class=\"shape\" points=\"{}\"/>",
            list.join(" ")
        );
    } else {
        let _ = write!(
            out,
            "<rect class=\"shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\"/>",
            fmt(b.x),
            fmt(b.y),
            fmt(b.w),
            fmt(b.h)
        );
    }
}

fn write_text(out: &mut String, b: &Rect, t: &NodeText, approval: bool) {
    let top = b.y + PAD_Y;
    let base = top + (LABEL_LINE + LABEL_SIZE * 0.7) / 2.0;
    let label_w = text_width(&t.label, LABEL_SIZE, true) * 1.06;
    let cx = b.cx();
    if approval {
        // A pause mark, then the name; centred together.
        let total = PAUSE_W + label_w;
        let x0 = cx - total / 2.0;
        let bar_h = 11.0;
        let bar_y = base - 10.0;
        let _ = write!(
            out,
            "<rect class=\"pause\" x=\"{}\" y=\"{}\" width=\"3.5\" height=\"{bar_h}\" rx=\"1\"/><rect class=\"pause\" x=\"{}\" y=\"{}\" width=\"3.5\" height=\"{bar_h}\" rx=\"1\"/>",
            fmt(x0),
            fmt(bar_y),
            fmt(x0 + 6.0),
            fmt(bar_y)
        );
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            fmt(x0 + PAUSE_W + label_w / 2.0),
            fmt(base),
            xml_escape(&t.label)
        );
    } else {
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            fmt(cx),
            fmt(base),
            xml_escape(&t.label)
        );
    }
    let mut line_top = top + LABEL_LINE;
    for s in &t.subs {
        let base = line_top + (SUB_LINE + SUB_SIZE * 0.7) / 2.0;
        let _ = write!(
            out,
            "<text class=\"sub\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            fmt(cx),
            fmt(base),
            xml_escape(s)
        );
        line_top += SUB_LINE;
    }
}

/// The SVG path of an edge: curves between ranks, straight runs through ranks.
fn path_d(e: &EdgePath, dir: Direction) -> String {
    let pts = &e.points;
    let mut d = String::with_capacity(pts.len() * 40);
    if e.self_loop {
        let (a, z) = (pts[0], pts[1]);
        let _ = match dir {
            Direction::LeftRight => write!(
                d,
                "M{} C{} {} {}",
                p(a),
                p(Point {
                    x: a.x + 14.0,
                    y: a.y - 40.0
                }),
                p(Point {
                    x: z.x - 14.0,
                    y: z.y - 40.0
                }),
                p(z)
            ),
            Direction::TopBottom => write!(
                d,
                "M{} C{} {} {}",
                p(a),
                p(Point {
                    x: a.x + 40.0,
                    y: a.y - 14.0
                }),
                p(Point {
                    x: z.x + 40.0,
                    y: z.y + 14.0
                }),
                p(z)
            ),
        };
        return d;
    }
    let _ = write!(d, "M{}", p(pts[0]));
    for i in 0..pts.len() - 1 {
        let (a, b) = (pts[i], pts[i + 1]);
        if i % 2 == 0 {
            if a != b {
                let _ = write!(d, " L{}", p(b));
            }
            continue;
        }
        let (c1, c2) = curve_controls(a, b, dir);
        let _ = write!(d, " C{} {} {}", p(c1), p(c2), p(b));
    }
    d
}

/// The control points of the cubic curve an edge takes between two ranks, from `a` to `b`:
/// half-way along the direction of flow, so the curve leaves and enters level.
pub fn curve_controls(a: Point, b: Point, dir: Direction) -> (Point, Point) {
    match dir {
        Direction::LeftRight => {
            let mx = (b.x - a.x) / 2.0;
            (
                Point {
                    x: a.x + mx,
                    y: a.y,
                },
                Point {
                    x: b.x - mx,
                    y: b.y,
                },
            )
        }
        Direction::TopBottom => {
            let my = (b.y - a.y) / 2.0;
            (
                Point {
                    x: a.x,
                    y: a.y + my,
                },
                Point {
                    x: b.x,
                    y: b.y - my,
                },
            )
        }
    }
}

/// What the legend shows: the kinds of things some diagram of the picture has.
#[derive(Default)]
struct LegendKeys {
    error: bool,
    faded: bool,
    cycle: bool,
    junction: bool,
}

impl LegendKeys {
    fn add(&mut self, d: &Diagram, lay: &Layout) {
        self.error |= d.nodes.iter().any(|n| n.has_error);
        self.faded |= d.nodes.iter().any(|n| n.faded);
        self.cycle |= d.edges.iter().any(|e| e.in_cycle);
        self.junction |= !lay.junctions.is_empty();
    }
}

/// The legend row; returns its width.
fn legend(out: &mut String, keys: &LegendKeys, x0: f64, y: f64) -> f64 {
    let mut items = vec![("job", "job"), ("approval", "approval hold")];
    if keys.error {
        items.push(("error", "has an error"));
    }
    if keys.faded {
        items.push(("faded", "not run"));
    }
    items.push(("edge", "requires"));
    if keys.junction {
        items.push(("junction", "each job after the dot requires all before it"));
    }
    if keys.cycle {
        items.push(("cycle", "cycle"));
    }
    let sw = 22.0;
    let mut x = x0;
    out.push_str("<g class=\"legend\">");
    for (kind, text) in items {
        let (l, t, r, b) = (fmt(x), fmt(y - 6.0), fmt(x + sw), fmt(y + 6.0));
        let _ = match kind {
            "approval" => write!(
                out,
                "<g class=\"node approval\"><polygon class=\"shape\" points=\"{},{t} {},{t} {r},{} {},{b} {},{b} {l},{}\"/></g>",
                fmt(x + 4.0),
                fmt(x + sw - 4.0),
                fmt(y),
                fmt(x + sw - 4.0),
                fmt(x + 4.0),
                fmt(y)
            ),
            "junction" => write!(
                out,
                "<g class=\"edge\"><path d=\"M{l},{} L{},{m}\"/><path d=\"M{l},{} L{},{m}\"/><path d=\"M{},{m} L{r},{m}\" marker-end=\"url(#arrow)\"/></g><g class=\"junction\"><circle cx=\"{}\" cy=\"{m}\" r=\"{JUNCTION_R}\"/></g>",
                fmt(y - 5.0),
                fmt(x + sw / 2.0),
                fmt(y + 5.0),
                fmt(x + sw / 2.0),
                fmt(x + sw / 2.0),
                fmt(x + sw / 2.0),
                m = fmt(y)
            ),
            "edge" | "cycle" => {
                let (class, marker) = if kind == "cycle" {
                    ("edge cycle", "arrow-cycle")
                } else {
                    ("edge", "arrow")
                };
                write!(
                    out,
                    "<g class=\"{class}\"><path d=\"M{l},{m} L{r},{m}\" marker-end=\"url(#{marker})\"/></g>",
                    m = fmt(y)
                )
            }
            _ => {
                let class = match kind {
                    "error" => "node job error",
                    "faded" => "node job faded",
                    _ => "node job",
                };
                write!(
                    out,
                    "<g class=\"{class}\"><rect class=\"shape\" x=\"{l}\" y=\"{t}\" width=\"{sw}\" height=\"12\" rx=\"3\"/></g>"
                )
            }
        };
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            fmt(x + sw + 6.0),
            fmt(y + 4.0),
            xml_escape(text)
        );
        x += sw + 6.0 + text_width(text, 11.0, false) * 1.06 + 18.0;
    }
    out.push_str("</g>\n");
    x - x0
}
