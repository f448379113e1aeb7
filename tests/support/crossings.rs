//! Edge crossings of a laid-out diagram, counted on the drawing: every edge path is cut into
//! short straight pieces (its curves as the SVG draws them), and each point where pieces of two
//! paths cross is one crossing. Paths that share an end (a job or a junction) are not counted
//! against each other: they meet there by design. Touching and overlapping pieces (a bundle's
//! shared trunk) are not crossings.

#![allow(dead_code)]

use cilint::render::Direction;
use cilint::render::layout::{EdgePath, Layout, Point};
use cilint::render::svg::curve_controls;

/// One drawn path cut into pieces, with the ends it joins.
struct Flat {
    ends: [usize; 2],
    pts: Vec<Point>,
    min: Point,
    max: Point,
}

/// The points of a path as drawn: straight runs, and cubic curves between ranks (the control
/// points the SVG renderer uses), each curve cut into 16 pieces.
pub fn flatten(e: &EdgePath, dir: Direction) -> Vec<Point> {
    let pts = &e.points;
    let mut out = vec![pts[0]];
    if e.self_loop {
        return pts.clone();
    }
    for i in 0..pts.len() - 1 {
        let (a, b) = (pts[i], pts[i + 1]);
        if i % 2 == 0 {
            out.push(b);
            continue;
        }
        let (c1, c2) = curve_controls(a, b, dir);
        for k in 1..=16 {
            let t = k as f64 / 16.0;
            let u = 1.0 - t;
            out.push(Point {
                x: u * u * u * a.x
                    + 3.0 * u * u * t * c1.x
                    + 3.0 * u * t * t * c2.x
                    + t * t * t * b.x,
                y: u * u * u * a.y
                    + 3.0 * u * u * t * c1.y
                    + 3.0 * u * t * t * c2.y
                    + t * t * t * b.y,
            });
        }
    }
    out
}

fn orient(a: Point, b: Point, c: Point) -> f64 {
    (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
}

/// Whether two pieces cross at one point inside both (not at an end, not along a shared line).
fn cross(p1: Point, p2: Point, q1: Point, q2: Point) -> bool {
    let eps = 1e-9;
    let d1 = orient(q1, q2, p1);
    let d2 = orient(q1, q2, p2);
    let d3 = orient(p1, p2, q1);
    let d4 = orient(p1, p2, q2);
    ((d1 > eps && d2 < -eps) || (d1 < -eps && d2 > eps))
        && ((d3 > eps && d4 < -eps) || (d3 < -eps && d4 > eps))
}

/// The crossings of a drawing. `ends(path)` names the two things a path joins (jobs, and
/// junctions numbered after the jobs).
pub fn count(layout: &Layout, dir: Direction, ends: impl Fn(&EdgePath) -> [usize; 2]) -> usize {
    let flats: Vec<Flat> = layout
        .edges
        .iter()
        .filter(|e| !e.self_loop)
        .map(|e| {
            let pts = flatten(e, dir);
            let min = pts.iter().fold(
                Point {
                    x: f64::INFINITY,
                    y: f64::INFINITY,
                },
                |m, p| Point {
                    x: m.x.min(p.x),
                    y: m.y.min(p.y),
                },
            );
            let max = pts.iter().fold(
                Point {
                    x: f64::NEG_INFINITY,
                    y: f64::NEG_INFINITY,
                },
                |m, p| Point {
                    x: m.x.max(p.x),
                    y: m.y.max(p.y),
                },
            );
            Flat {
                ends: ends(e),
                pts,
                min,
                max,
            }
        })
        .collect();
    let mut total = 0;
    for i in 0..flats.len() {
        for j in i + 1..flats.len() {
            let (a, b) = (&flats[i], &flats[j]);
            if a.ends.iter().any(|x| b.ends.contains(x)) {
                continue;
            }
            if a.max.x < b.min.x || b.max.x < a.min.x || a.max.y < b.min.y || b.max.y < a.min.y {
                continue;
            }
            for s in a.pts.windows(2) {
                let (lo_x, hi_x) = (s[0].x.min(s[1].x), s[0].x.max(s[1].x));
                let (lo_y, hi_y) = (s[0].y.min(s[1].y), s[0].y.max(s[1].y));
                if hi_x < b.min.x || lo_x > b.max.x || hi_y < b.min.y || lo_y > b.max.y {
                    continue;
                }
                for t in b.pts.windows(2) {
                    if cross(s[0], s[1], t[0], t[1]) {
                        total += 1;
                    }
                }
            }
        }
    }
    total
}
