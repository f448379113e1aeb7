//! A layered (Sugiyama-style) layout for workflow diagrams.
//!
//! Steps, each linear or near-linear in nodes plus edges:
//!
//! 1. **Cycles**: a depth-first search marks back edges; they are reversed for layering and still
//!    drawn (from their real source to their real target).
//! 2. **Ranks**: longest path from the sources; a source is then pulled next to its nearest
//!    successor. Ranks that would be too tall (wide, top to bottom) are **wrapped**: nodes with
//!    the most slack move on to the next rank until the rank fits a bound that grows with the
//!    square root of the graph, so a 300-job workflow stays a few thousand pixels on each side.
//! 3. **Dummy nodes** split edges that span several ranks.
//! 4. **Ordering**: barycentric sweeps (down and up, keeping the best ordering by crossing
//!    count), then adjacent-swap (transpose) refinement on graphs small enough for it.
//! 5. **Coordinates** along each rank: alternating sweeps move every node towards the weighted
//!    mean of its neighbours (long-edge segments weigh most, so they run straight), and each
//!    rank is placed by isotonic regression with minimum separations (pool adjacent violators),
//!    which is the best placement for those targets and can never overlap two boxes.
//! 6. **Junctions**: where every job of one set is required by every job of another (wide
//!    fan-ins and fan-outs that share both ends), the edges are drawn through one point, given a
//!    rank of its own ([`junction`]).
//! 7. **Edges** leave the source's border and reach the target's border (ports spread along the
//!    side), run straight through the ranks they cross and curve (cubic, tangent along the rank
//!    axis) in the gaps between ranks. Gaps widen for steep edges and for status labels.
//!
//! Why our own layout rather than layout-rs (the design card's crate). Measured with
//! `cargo bench --bench render` (release build, this 2-core machine shared with other builds, load
//! average about 15, so absolute figures are pessimistic) on generated CI-shaped workflows
//! (jobs in stages, about three `requires` each), same graphs for every column:
//!
//! | jobs | edges | this layout + SVG | layout-rs | layout-rs, optimisations off | `dot -Tsvg` |
//! |-----:|------:|------------------:|----------:|-----------------------------:|------------:|
//! |   50 |    65 |            0.4 ms |     93 ms |                       0.5 ms |      174 ms |
//! |  100 |   201 |            1.2 ms |    0.91 s |                        12 ms |      247 ms |
//! |  300 |   777 |             20 ms |    45.8 s |                       3.77 s |      3.09 s |
//! | 1000 |  2793 |             79 ms |   not run |                      not run |      234 s  |
//!
//! (On a quieter run: 9 ms for 300 jobs and 34 ms for 1,000; `dot` 1.0 s and 108 s.)
//! layout-rs misses the one-second budget from a few hundred jobs even with its optimisations
//! off, and its pictures of the same 50-job graph are a 510 x 3989 px column with edges crossing
//! boxes and text set high in the boxes; it also ignores clusters. So this layout is used at
//! every size: the look is the same for 3 jobs and for 1,000, and it is fast enough everywhere.
//! Wide fan-outs and fan-ins are bundled into trunks (adjacent long-edge segments from the same
//! job, or into the same job, share one line), which keeps a 90-way fan-out compact.

mod junction;
mod order;
mod place;

pub use junction::{Junction, JunctionEnd, path_ends};

#[cfg(test)]
use place::isotonic;

/// The generated diagrams the render tests and benchmarks use.
#[cfg(test)]
#[path = "../../../../tests/support/diagrams.rs"]
mod diagrams;

use crate::output::render::{Diagram, Direction};

/// A width and height in pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Size {
    pub w: f64,
    pub h: f64,
}

/// A point in pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// A node's box (top-left corner and size).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
    pub fn cy(&self) -> f64 {
        self.y + self.h / 2.0
    }
    /// Whether two boxes overlap (touching edges do not count).
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
}

/// How an edge is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgePath {
    /// Index into [`Diagram::edges`].
    pub edge: usize,
    /// From the source's border to the target's border. Segment `i` (from `points[i]` to
    /// `points[i + 1]`) is a straight run inside a rank when `i` is even (possibly of length 0)
    /// and a curve between two ranks when `i` is odd. For a self-loop: the two points on the
    /// node's border.
    pub points: Vec<Point>,
    /// The edge goes against the rank order (it closes a cycle).
    pub reversed: bool,
    /// The edge requires its own source.
    pub self_loop: bool,
    /// Where the centre of the status label goes, if the edge has one.
    pub label_at: Option<Point>,
    /// The path runs into or out of a junction (see [`Layout::junctions`]) rather than between
    /// the two jobs of `edge`.
    pub junction: Option<JunctionEnd>,
}

/// The result of laying out a diagram. Coordinates start at (0, 0).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    /// One box per diagram node, in the diagram's order.
    pub nodes: Vec<Rect>,
    /// One path per drawable edge (both ends exist).
    pub edges: Vec<EdgePath>,
    /// The number of ranks used.
    pub ranks: usize,
    /// Points where edges that share both ends meet (see [`junction`]): each of a set of jobs
    /// required by each of another set, drawn as one line per job into the point and one per
    /// job out of it.
    pub junctions: Vec<Junction>,
}

/// Spacing parameters.
#[derive(Clone, Copy, Debug)]
pub struct Spacing {
    /// Between two boxes of the same rank.
    pub node_sep: f64,
    /// The smallest gap between two ranks.
    pub rank_sep: f64,
    /// The extent given to a long edge passing through a rank.
    pub dummy_ext: f64,
}

impl Spacing {
    pub fn for_direction(dir: Direction) -> Self {
        match dir {
            Direction::LeftRight => Spacing {
                node_sep: 18.0,
                rank_sep: 56.0,
                dummy_ext: 6.0,
            },
            Direction::TopBottom => Spacing {
                node_sep: 24.0,
                rank_sep: 48.0,
                dummy_ext: 6.0,
            },
        }
    }
}

/// Lay out `d`. `node_size[i]` is the box of node `i`; `label_size[e]` the status label of edge
/// `e` (if any).
pub fn layout(
    d: &Diagram,
    node_size: &[Size],
    label_size: &[Option<Size>],
    dir: Direction,
) -> Layout {
    let groups = junction::find(d);
    if groups.is_empty() {
        return Builder::new(d, node_size, label_size, dir).run();
    }
    let (aug, sizes, labels, origin) = junction::augment(d, &groups, node_size, label_size);
    let lay = Builder::new(&aug, &sizes, &labels, dir).run();
    junction::restore(d.nodes.len(), groups, lay, &origin)
}

/// [`layout`] with every edge drawn on its own, no junctions: how diagrams were drawn before
/// junctions, for comparisons (the test that counts edge crossings on the corpus).
pub fn layout_without_junctions(
    d: &Diagram,
    node_size: &[Size],
    label_size: &[Option<Size>],
    dir: Direction,
) -> Layout {
    Builder::new(d, node_size, label_size, dir).run()
}

/// Node size along the rank axis (thickness) and along the order axis (extent).
fn thick_ext(s: Size, dir: Direction) -> (f64, f64) {
    match dir {
        Direction::LeftRight => (s.w, s.h),
        Direction::TopBottom => (s.h, s.w),
    }
}

struct DagEdge {
    /// Diagram edge index.
    edge: usize,
    /// Ends in layering orientation (`u` ranks before `v`).
    u: usize,
    v: usize,
    reversed: bool,
    /// Layered vertices from `u` to `v`, both included.
    chain: Vec<usize>,
}

struct Builder<'a> {
    d: &'a Diagram,
    dir: Direction,
    sp: Spacing,
    n: usize,
    thick: Vec<f64>,
    /// Extent along the order axis of every layered vertex (real then dummy).
    ext: Vec<f64>,
    label_size: &'a [Option<Size>],
    edges: Vec<DagEdge>,
    self_loops: Vec<usize>,
    rank: Vec<usize>,
    succ: Vec<Vec<usize>>,
    pred: Vec<Vec<usize>>,
    layers: Vec<Vec<usize>>,
    /// Position of each vertex within its layer.
    pos: Vec<usize>,
    /// Coordinate of each vertex's centre along the order axis.
    coord: Vec<f64>,
    /// For each dummy (index `v - n`): the real ends of its edge.
    dummy_ends: Vec<(usize, usize)>,
    /// The vertex shares a bundle (same line) with the next one in its layer.
    bundle_next: Vec<bool>,
}

impl<'a> Builder<'a> {
    pub(super) fn new(
        d: &'a Diagram,
        node_size: &[Size],
        label_size: &'a [Option<Size>],
        dir: Direction,
    ) -> Self {
        let n = d.nodes.len();
        let mut thick = Vec::with_capacity(n);
        let mut ext = Vec::with_capacity(n);
        for i in 0..n {
            let (t, e) = thick_ext(
                node_size
                    .get(i)
                    .copied()
                    .unwrap_or(Size { w: 80.0, h: 40.0 }),
                dir,
            );
            thick.push(t);
            ext.push(e);
        }
        Builder {
            d,
            dir,
            sp: Spacing::for_direction(dir),
            n,
            thick,
            ext,
            label_size,
            edges: Vec::new(),
            self_loops: Vec::new(),
            rank: Vec::new(),
            succ: Vec::new(),
            pred: Vec::new(),
            layers: Vec::new(),
            pos: Vec::new(),
            coord: Vec::new(),
            dummy_ends: Vec::new(),
            bundle_next: Vec::new(),
        }
    }

    pub(super) fn run(mut self) -> Layout {
        self.break_cycles();
        self.assign_ranks();
        self.add_dummies();
        self.order();
        self.place();
        self.finish()
    }

    /// Mark back edges by an iterative DFS in input order, and collect the layering edges.
    pub(super) fn break_cycles(&mut self) {
        let n = self.n;
        let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
        for (ei, e) in self.d.edges.iter().enumerate() {
            if e.from >= n || e.to >= n {
                continue;
            }
            if e.from == e.to {
                self.self_loops.push(ei);
                continue;
            }
            out[e.from].push((e.to, ei));
        }
        // 0 = new, 1 = on stack, 2 = done
        let mut state = vec![0u8; n];
        let mut back = vec![false; self.d.edges.len()];
        for root in 0..n {
            if state[root] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
            state[root] = 1;
            while let Some(&mut (v, ref mut i)) = stack.last_mut() {
                if *i < out[v].len() {
                    let (w, ei) = out[v][*i];
                    *i += 1;
                    match state[w] {
                        0 => {
                            state[w] = 1;
                            stack.push((w, 0));
                        }
                        1 => back[ei] = true,
                        _ => {}
                    }
                } else {
                    state[v] = 2;
                    stack.pop();
                }
            }
        }
        for (v, outs) in out.iter().enumerate() {
            for &(w, ei) in outs {
                let (u, v2, reversed) = if back[ei] {
                    (w, v, true)
                } else {
                    (v, w, false)
                };
                self.edges.push(DagEdge {
                    edge: ei,
                    u,
                    v: v2,
                    reversed,
                    chain: Vec::new(),
                });
            }
        }
        self.edges.sort_by_key(|e| e.edge);
    }

    pub(super) fn topo_order(&self, succ: &[Vec<usize>], indeg: &mut [usize]) -> Vec<usize> {
        let mut order = Vec::with_capacity(self.n);
        let mut stack: Vec<usize> = (0..self.n).rev().filter(|&v| indeg[v] == 0).collect();
        while let Some(v) = stack.pop() {
            order.push(v);
            for &w in succ[v].iter().rev() {
                indeg[w] -= 1;
                if indeg[w] == 0 {
                    stack.push(w);
                }
            }
        }
        order
    }

    pub(super) fn assign_ranks(&mut self) {
        let n = self.n;
        let mut succ = vec![Vec::new(); n];
        let mut pred = vec![Vec::new(); n];
        for e in &self.edges {
            succ[e.u].push(e.v);
            pred[e.v].push(e.u);
        }
        let mut indeg: Vec<usize> = pred.iter().map(Vec::len).collect();
        let topo = self.topo_order(&succ, &mut indeg);
        let mut rank = vec![0usize; n];
        for &v in &topo {
            for &w in &succ[v] {
                rank[w] = rank[w].max(rank[v] + 1);
            }
        }
        // Pull sources next to their nearest successor.
        for &v in topo.iter().rev() {
            if pred[v].is_empty()
                && let Some(m) = succ[v].iter().map(|&w| rank[w]).min()
            {
                rank[v] = m.saturating_sub(1);
            }
        }
        // Wrap ranks that are too tall.
        let count = n.max(1) as f64;
        let mean_thick = self.thick.iter().sum::<f64>() / count + self.sp.rank_sep + 10.0;
        let mean_ext = self.ext.iter().sum::<f64>() / count + self.sp.node_sep;
        // Aim at a landscape picture: rank axis / order axis about 1.6 (LR) or 1 / 1.6 (TB).
        let ratio = match self.dir {
            Direction::LeftRight => 1.6,
            Direction::TopBottom => 0.8,
        };
        let limit = (count * mean_thick * mean_ext / ratio).sqrt().max(1200.0);
        let mut r = 0;
        loop {
            let max_rank = rank.iter().copied().max().unwrap_or(0);
            if r > max_rank {
                break;
            }
            let members: Vec<usize> = (0..n).filter(|&v| rank[v] == r).collect();
            let total: f64 = members
                .iter()
                .map(|&v| self.ext[v] + self.sp.node_sep)
                .sum();
            if total > limit {
                let slack = |v: usize| -> usize {
                    succ[v]
                        .iter()
                        .map(|&w| rank[w] - rank[v] - 1)
                        .min()
                        .unwrap_or(usize::MAX / 2)
                };
                let mut cand = members.clone();
                // Keep the nodes with the least slack and the earliest in the input.
                cand.sort_by_key(|&v| (slack(v), v));
                let mut kept = 0.0;
                for &v in &cand {
                    let e = self.ext[v] + self.sp.node_sep;
                    if kept + e <= limit || kept == 0.0 {
                        kept += e;
                    } else {
                        rank[v] += 1;
                    }
                }
                for &v in &topo {
                    for &w in &succ[v] {
                        if rank[w] <= rank[v] {
                            rank[w] = rank[v] + 1;
                        }
                    }
                }
            }
            r += 1;
        }
        self.rank = rank;
    }

    pub(super) fn add_dummies(&mut self) {
        let n = self.n;
        let mut succ = vec![Vec::new(); n];
        let mut pred = vec![Vec::new(); n];
        let dummy_ext = self.sp.dummy_ext;
        for ei in 0..self.edges.len() {
            let (u, v) = (self.edges[ei].u, self.edges[ei].v);
            let mut chain = vec![u];
            let mut prev = u;
            for r in self.rank[u] + 1..self.rank[v] {
                let dv = self.rank.len();
                self.rank.push(r);
                self.ext.push(dummy_ext);
                self.thick.push(0.0);
                self.dummy_ends.push((u, v));
                succ.push(Vec::new());
                pred.push(Vec::new());
                succ[prev].push(dv);
                pred[dv].push(prev);
                chain.push(dv);
                prev = dv;
            }
            succ[prev].push(v);
            pred[v].push(prev);
            chain.push(v);
            self.edges[ei].chain = chain;
        }
        self.succ = succ;
        self.pred = pred;
        let layers_n = self.rank.iter().copied().max().map_or(0, |m| m + 1);
        self.layers = vec![Vec::new(); layers_n];
    }

    pub(super) fn is_dummy(&self, v: usize) -> bool {
        v >= self.n
    }
}

#[cfg(test)]
mod tests {
    use super::diagrams::synthetic;
    use super::*;
    use crate::output::render::{Edge, Node};

    fn sizes(d: &Diagram) -> Vec<Size> {
        d.nodes.iter().map(|_| Size { w: 100.0, h: 40.0 }).collect()
    }

    #[test]
    fn isotonic_pools_violators() {
        let out = isotonic(&[3.0, 1.0, 2.0, 5.0], &[1.0, 1.0, 1.0, 1.0]);
        assert_eq!(out, vec![2.0, 2.0, 2.0, 5.0]);
    }

    #[test]
    fn chain_runs_left_to_right_and_cycles_are_drawn() {
        let mut d = Diagram::new("w");
        let a = d.add_node(Node::job("a", "a"));
        let b = d.add_node(Node::job("b", "b"));
        let c = d.add_node(Node::job("c", "c"));
        d.add_edge(Edge::new(a, b));
        d.add_edge(Edge::new(b, c));
        d.add_edge(Edge::new(c, a).cycle());
        d.add_edge(Edge::new(b, b).cycle());
        let l = layout(
            &d,
            &sizes(&d),
            &[None, None, None, None],
            Direction::LeftRight,
        );
        assert!(l.nodes[a].x < l.nodes[b].x && l.nodes[b].x < l.nodes[c].x);
        assert_eq!(l.edges.len(), 4);
        let back = &l.edges[2];
        assert!(back.reversed);
        // The back edge starts at c and ends at a.
        let first = back.points[0];
        let last = *back.points.last().unwrap();
        assert!((first.x - l.nodes[c].x).abs() < 1e-6);
        assert!((last.x - (l.nodes[a].x + l.nodes[a].w)).abs() < 1e-6);
        assert!(l.edges[3].self_loop);
        assert!(l.nodes.iter().all(|n| n.x >= 0.0 && n.y >= 0.0));
    }

    #[test]
    fn generated_graphs_have_no_overlaps() {
        for (jobs, dir) in [(60, Direction::LeftRight), (300, Direction::TopBottom)] {
            let d = synthetic(jobs, 7);
            let l = layout(&d, &sizes(&d), &vec![None; d.edges.len()], dir);
            for i in 0..l.nodes.len() {
                for j in i + 1..l.nodes.len() {
                    assert!(!l.nodes[i].overlaps(&l.nodes[j]), "{i} and {j} overlap");
                }
            }
        }
    }
}
