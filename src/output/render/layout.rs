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
//! 6. **Edges** leave the source's border and reach the target's border (ports spread along the
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

use super::{Diagram, Direction};

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
    fn new(
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

    fn run(mut self) -> Layout {
        self.break_cycles();
        self.assign_ranks();
        self.add_dummies();
        self.order();
        self.place();
        self.finish()
    }

    /// Mark back edges by an iterative DFS in input order, and collect the layering edges.
    fn break_cycles(&mut self) {
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

    fn topo_order(&self, succ: &[Vec<usize>], indeg: &mut [usize]) -> Vec<usize> {
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

    fn assign_ranks(&mut self) {
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

    fn add_dummies(&mut self) {
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

    fn is_dummy(&self, v: usize) -> bool {
        v >= self.n
    }

    fn order(&mut self) {
        let total = self.rank.len();
        self.pos = vec![0; total];
        // Initial order: by a depth-first walk from the sources in input order, so that chains
        // stay together.
        let mut seen = vec![false; total];
        let mut walk = Vec::with_capacity(total);
        let mut roots: Vec<usize> = (0..total).filter(|&v| self.pred[v].is_empty()).collect();
        roots.sort_by_key(|&v| (self.rank[v], v));
        for r in roots.into_iter().chain(0..total) {
            if seen[r] {
                continue;
            }
            let mut stack = vec![r];
            while let Some(v) = stack.pop() {
                if seen[v] {
                    continue;
                }
                seen[v] = true;
                walk.push(v);
                for &w in self.succ[v].iter().rev() {
                    if !seen[w] {
                        stack.push(w);
                    }
                }
            }
        }
        for &v in &walk {
            let r = self.rank[v];
            self.pos[v] = self.layers[r].len();
            self.layers[r].push(v);
        }
        let mut best = self.layers.clone();
        let mut best_cross = self.crossings();
        let sweeps = if total > 20_000 { 4 } else { 12 };
        for it in 0..sweeps {
            if best_cross == 0 {
                break;
            }
            let down = it % 2 == 0;
            self.sweep(down);
            let c = self.crossings();
            if c < best_cross {
                best_cross = c;
                best = self.layers.clone();
            }
        }
        self.set_layers(best);
        if total <= 1500 && best_cross > 0 {
            for _ in 0..4 {
                if !self.transpose() {
                    break;
                }
            }
        }
    }

    fn set_layers(&mut self, layers: Vec<Vec<usize>>) {
        self.layers = layers;
        for layer in &self.layers {
            for (i, &v) in layer.iter().enumerate() {
                self.pos[v] = i;
            }
        }
    }

    fn sweep(&mut self, down: bool) {
        let nl = self.layers.len();
        let idx: Vec<usize> = if down {
            (1..nl).collect()
        } else {
            (0..nl.saturating_sub(1)).rev().collect()
        };
        for r in idx {
            let mut keyed: Vec<(f64, usize)> = self.layers[r]
                .iter()
                .map(|&v| {
                    let nb = if down { &self.pred[v] } else { &self.succ[v] };
                    let key = if nb.is_empty() {
                        self.pos[v] as f64
                    } else {
                        nb.iter().map(|&w| self.pos[w] as f64).sum::<f64>() / nb.len() as f64
                    };
                    (key, v)
                })
                .collect();
            // Stable: ties keep the current order.
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            self.layers[r] = keyed.into_iter().map(|(_, v)| v).collect();
            for (i, &v) in self.layers[r].iter().enumerate() {
                self.pos[v] = i;
            }
        }
    }

    /// Total edge crossings between adjacent layers.
    fn crossings(&self) -> usize {
        let mut total = 0;
        for r in 0..self.layers.len().saturating_sub(1) {
            let lower_len = self.layers[r + 1].len();
            let mut pairs: Vec<(usize, usize)> = Vec::new();
            for &v in &self.layers[r] {
                for &w in &self.succ[v] {
                    pairs.push((self.pos[v], self.pos[w]));
                }
            }
            pairs.sort_unstable();
            // Count inversions of the lower positions with a Fenwick tree.
            let mut tree = vec![0usize; lower_len + 1];
            for (seen, &(_, p)) in pairs.iter().enumerate() {
                // number already inserted with position > p
                let mut i = p + 1;
                let mut le = 0;
                while i > 0 {
                    le += tree[i];
                    i &= i - 1;
                }
                total += seen - le;
                let mut i = p + 1;
                while i <= lower_len {
                    tree[i] += 1;
                    i += i & i.wrapping_neg();
                }
            }
        }
        total
    }

    /// Crossings between the edges of `a` and of `b` (with `a` before `b`) towards `nbrs`.
    fn pair_cross(&self, a: &[usize], b: &[usize]) -> usize {
        let mut c = 0;
        for &x in a {
            for &y in b {
                if self.pos[x] > self.pos[y] {
                    c += 1;
                }
            }
        }
        c
    }

    /// Swap adjacent vertices while that removes crossings. Returns whether anything changed.
    fn transpose(&mut self) -> bool {
        let mut changed = false;
        for r in 0..self.layers.len() {
            let len = self.layers[r].len();
            for i in 0..len.saturating_sub(1) {
                let v = self.layers[r][i];
                let w = self.layers[r][i + 1];
                let now = self.pair_cross(&self.pred[v], &self.pred[w])
                    + self.pair_cross(&self.succ[v], &self.succ[w]);
                let swapped = self.pair_cross(&self.pred[w], &self.pred[v])
                    + self.pair_cross(&self.succ[w], &self.succ[v]);
                if swapped < now {
                    self.layers[r].swap(i, i + 1);
                    self.pos[v] = i + 1;
                    self.pos[w] = i;
                    changed = true;
                }
            }
        }
        changed
    }

    /// Mark adjacent long-edge segments that may share one line: edges out of the same job
    /// (a fan-out trunk) or into the same job (a fan-in trunk), never both kinds in one run, so
    /// that a trunk never suggests an edge that does not exist.
    fn find_bundles(&mut self) {
        #[derive(PartialEq, Clone, Copy)]
        enum Run {
            None,
            Src,
            Dst,
        }
        self.bundle_next = vec![false; self.rank.len()];
        for layer in &self.layers {
            let mut run = Run::None;
            for pair in layer.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                if !self.is_dummy(a) || !self.is_dummy(b) {
                    run = Run::None;
                    continue;
                }
                let (ea, eb) = (self.dummy_ends[a - self.n], self.dummy_ends[b - self.n]);
                if ea.0 == eb.0 && run != Run::Dst {
                    run = Run::Src;
                } else if ea.1 == eb.1 && run != Run::Src {
                    run = Run::Dst;
                } else {
                    run = Run::None;
                    continue;
                }
                self.bundle_next[a] = true;
            }
        }
    }

    fn sep(&self, a: usize, b: usize) -> f64 {
        if self.bundle_next[a] {
            return 0.0;
        }
        let gap = match (self.is_dummy(a), self.is_dummy(b)) {
            (false, false) => self.sp.node_sep,
            (true, true) => 4.0,
            _ => self.sp.node_sep * 0.6,
        };
        self.ext[a] / 2.0 + self.ext[b] / 2.0 + gap
    }

    fn edge_weight(&self, a: usize, b: usize) -> f64 {
        match (self.is_dummy(a), self.is_dummy(b)) {
            (false, false) => 1.0,
            (true, true) => 8.0,
            _ => 2.0,
        }
    }

    /// Coordinates along the order axis.
    fn place(&mut self) {
        self.find_bundles();
        let total = self.rank.len();
        self.coord = vec![0.0; total];
        for r in 0..self.layers.len() {
            let layer = &self.layers[r];
            let mut c = 0.0;
            for i in 0..layer.len() {
                if i > 0 {
                    c += self.sep(layer[i - 1], layer[i]);
                }
                self.coord[layer[i]] = c;
            }
            let shift = c / 2.0;
            for &v in layer {
                self.coord[v] -= shift;
            }
        }
        let nl = self.layers.len();
        let rounds = 10;
        for it in 0..rounds {
            // down, up, ..., and both sides in the last rounds
            let both = it >= rounds - 4;
            let down = it % 2 == 0;
            let idx: Vec<usize> = if down {
                (0..nl).collect()
            } else {
                (0..nl).rev().collect()
            };
            for r in idx {
                self.place_layer(r, down, both);
            }
        }
        // Normalise to start at 0 (with the extents).
        let min = (0..total)
            .map(|v| self.coord[v] - self.ext[v] / 2.0)
            .fold(f64::INFINITY, f64::min);
        if min.is_finite() {
            for c in &mut self.coord {
                *c -= min;
            }
        }
    }

    fn place_layer(&mut self, r: usize, down: bool, both: bool) {
        let layer = &self.layers[r];
        let m = layer.len();
        if m == 0 {
            return;
        }
        let mut target = Vec::with_capacity(m);
        let mut weight = Vec::with_capacity(m);
        for &v in layer {
            let mut sw = 0.0;
            let mut sx = 0.0;
            let mut add = |nb: &Vec<usize>| {
                for &w in nb {
                    let ew = self.edge_weight(v, w);
                    sw += ew;
                    sx += ew * self.coord[w];
                }
            };
            if both || down {
                add(&self.pred[v]);
            }
            if both || !down {
                add(&self.succ[v]);
            }
            if sw == 0.0 {
                target.push(self.coord[v]);
                weight.push(0.05);
            } else {
                // A little inertia keeps the sweeps from oscillating.
                let inertia = 0.1 * sw;
                target.push((sx + inertia * self.coord[v]) / (sw + inertia));
                weight.push(sw + inertia);
            }
        }
        // Bundled runs move as one unit (a trunk): pool their targets first.
        let mut units: Vec<(usize, usize)> = Vec::new(); // [start, end) in the layer
        let mut i = 0;
        while i < m {
            let mut j = i + 1;
            while j < m && self.bundle_next[layer[j - 1]] {
                j += 1;
            }
            units.push((i, j));
            i = j;
        }
        let k = units.len();
        let mut ut = Vec::with_capacity(k);
        let mut uw = Vec::with_capacity(k);
        for &(a, b) in &units {
            let w: f64 = weight[a..b].iter().sum();
            let t: f64 = (a..b).map(|i| target[i] * weight[i]).sum::<f64>() / w;
            ut.push(t);
            uw.push(w);
        }
        // Offsets so that the constraint becomes y[u+1] >= y[u].
        let mut off = vec![0.0; k];
        for u in 1..k {
            off[u] = off[u - 1] + self.sep(layer[units[u - 1].1 - 1], layer[units[u].0]);
        }
        let y: Vec<f64> = (0..k).map(|u| ut[u] - off[u]).collect();
        let fit = isotonic(&y, &uw);
        for u in 0..k {
            for &v in &layer[units[u].0..units[u].1] {
                self.coord[v] = fit[u] + off[u];
            }
        }
    }

    fn finish(self) -> Layout {
        let nl = self.layers.len();
        let total = self.rank.len();
        // Thickness of each layer.
        let mut lthick = vec![0.0f64; nl];
        for v in 0..self.n {
            let r = self.rank[v];
            lthick[r] = lthick[r].max(self.thick[v]);
        }
        // Gaps: widen for steep segments and for labels.
        let mut gap = vec![self.sp.rank_sep; nl.saturating_sub(1)];
        for v in 0..total {
            for &w in &self.succ[v] {
                let r = self.rank[v];
                let dy = (self.coord[v] - self.coord[w]).abs();
                let want = self.sp.rank_sep + (dy * 0.08).min(70.0);
                gap[r] = gap[r].max(want);
            }
        }
        for e in &self.edges {
            if let Some(Some(ls)) = self.label_size.get(e.edge) {
                let lt = match self.dir {
                    Direction::LeftRight => ls.w,
                    Direction::TopBottom => ls.h,
                };
                let r = if e.reversed {
                    self.rank[e.v] - 1
                } else {
                    self.rank[e.u]
                };
                gap[r] = gap[r].max(lt + 44.0);
            }
        }
        let mut lstart = vec![0.0f64; nl];
        let mut acc = 0.0;
        for r in 0..nl {
            lstart[r] = acc;
            acc += lthick[r];
            if r + 1 < nl {
                acc += gap[r];
            }
        }
        let rank_len = acc;
        let order_len = (0..total)
            .map(|v| self.coord[v] + self.ext[v] / 2.0)
            .fold(0.0, f64::max);
        let lr = self.dir == Direction::LeftRight;
        let to_xy = |rc: f64, oc: f64| -> Point {
            if lr {
                Point { x: rc, y: oc }
            } else {
                Point { x: oc, y: rc }
            }
        };
        let mut nodes = Vec::with_capacity(self.n);
        for v in 0..self.n {
            let r = self.rank[v];
            let rc = lstart[r] + lthick[r] / 2.0;
            let c = to_xy(rc, self.coord[v]);
            let (w, h) = if lr {
                (self.thick[v], self.ext[v])
            } else {
                (self.ext[v], self.thick[v])
            };
            nodes.push(Rect {
                x: c.x - w / 2.0,
                y: c.y - h / 2.0,
                w,
                h,
            });
        }
        // Ports: spread the ends of the edges along each side, ordered by the other end.
        let mut out_ports: Vec<Vec<(f64, usize)>> = vec![Vec::new(); self.n];
        let mut in_ports: Vec<Vec<(f64, usize)>> = vec![Vec::new(); self.n];
        for (i, e) in self.edges.iter().enumerate() {
            let next = e.chain[1];
            let prev = e.chain[e.chain.len() - 2];
            out_ports[e.u].push((self.coord[next], i));
            in_ports[e.v].push((self.coord[prev], i));
        }
        let max_step = if lr { 9.0 } else { 16.0 };
        let spread = |list: &mut Vec<(f64, usize)>, ext: f64| -> Vec<(usize, f64)> {
            list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let k = list.len();
            if k == 0 {
                return Vec::new();
            }
            let step = if k > 1 {
                (ext * 0.5 / (k - 1) as f64).min(max_step)
            } else {
                0.0
            };
            list.iter()
                .enumerate()
                .map(|(j, &(_, ei))| (ei, (j as f64 - (k - 1) as f64 / 2.0) * step))
                .collect()
        };
        let mut out_off = vec![0.0; self.edges.len()];
        let mut in_off = vec![0.0; self.edges.len()];
        for v in 0..self.n {
            let ext = self.ext[v];
            for (ei, o) in spread(&mut out_ports[v], ext) {
                out_off[ei] = o;
            }
            for (ei, o) in spread(&mut in_ports[v], ext) {
                in_off[ei] = o;
            }
        }
        let mut edges = Vec::with_capacity(self.edges.len() + self.self_loops.len());
        for (i, e) in self.edges.iter().enumerate() {
            let mut pts = Vec::with_capacity(2 * e.chain.len());
            let (u, v) = (e.u, e.v);
            let ru = self.rank[u];
            let rv = self.rank[v];
            let u_end = lstart[ru] + lthick[ru] / 2.0 + self.thick[u] / 2.0;
            let y0 = self.coord[u] + out_off[i];
            pts.push(to_xy(u_end, y0));
            // Straight to the end of the rank, so the curve never cuts a wider box's corner.
            pts.push(to_xy(lstart[ru] + lthick[ru], y0));
            for &dv in &e.chain[1..e.chain.len() - 1] {
                let r = self.rank[dv];
                pts.push(to_xy(lstart[r], self.coord[dv]));
                pts.push(to_xy(lstart[r] + lthick[r], self.coord[dv]));
            }
            let v_start = lstart[rv] + lthick[rv] / 2.0 - self.thick[v] / 2.0;
            let y1 = self.coord[v] + in_off[i];
            pts.push(to_xy(lstart[rv], y1));
            pts.push(to_xy(v_start, y1));
            let label_at = self.label_size.get(e.edge).copied().flatten().map(|_| {
                // On the first gap after the real source.
                let (a, b) = if e.reversed {
                    (pts[pts.len() - 2], pts[pts.len() - 3])
                } else {
                    (pts[1], pts[2])
                };
                Point {
                    x: (a.x + b.x) / 2.0,
                    y: (a.y + b.y) / 2.0,
                }
            });
            if e.reversed {
                pts.reverse();
            }
            edges.push(EdgePath {
                edge: e.edge,
                points: pts,
                reversed: e.reversed,
                self_loop: false,
                label_at,
            });
        }
        for &ei in &self.self_loops {
            let v = self.d.edges[ei].from;
            let b = nodes[v];
            // Loop over the top (LR) or around the right side (TB) of the box.
            let (a, z) = if lr {
                (
                    Point {
                        x: b.x + b.w * 0.62,
                        y: b.y,
                    },
                    Point {
                        x: b.x + b.w * 0.38,
                        y: b.y,
                    },
                )
            } else {
                (
                    Point {
                        x: b.x + b.w,
                        y: b.y + b.h * 0.35,
                    },
                    Point {
                        x: b.x + b.w,
                        y: b.y + b.h * 0.65,
                    },
                )
            };
            let label_at = self.label_size.get(ei).copied().flatten().map(|_| {
                if lr {
                    Point {
                        x: b.cx(),
                        y: b.y - 34.0,
                    }
                } else {
                    Point {
                        x: b.x + b.w + 40.0,
                        y: b.cy(),
                    }
                }
            });
            edges.push(EdgePath {
                edge: ei,
                points: vec![a, z],
                reversed: false,
                self_loop: true,
                label_at,
            });
        }
        edges.sort_by_key(|e| e.edge);
        let (mut width, mut height) = if lr {
            (rank_len, order_len)
        } else {
            (order_len, rank_len)
        };
        // Room for self-loops and their labels.
        let mut min_x: f64 = 0.0;
        let mut min_y: f64 = 0.0;
        for e in edges.iter().filter(|e| e.self_loop) {
            let b = nodes[self.d.edges[e.edge].from];
            if lr {
                min_y = min_y.min(b.y - 46.0);
            } else {
                width = width.max(b.x + b.w + 80.0);
            }
        }
        for e in &edges {
            if let (Some(p), Some(Some(s))) = (e.label_at, self.label_size.get(e.edge)) {
                min_x = min_x.min(p.x - s.w / 2.0);
                min_y = min_y.min(p.y - s.h / 2.0);
                width = width.max(p.x + s.w / 2.0);
                height = height.max(p.y + s.h / 2.0);
            }
        }
        let mut layout = Layout {
            width,
            height,
            nodes,
            edges,
            ranks: nl,
        };
        if min_x < 0.0 || min_y < 0.0 {
            layout.translate(-min_x, -min_y);
        }
        layout
    }
}

impl Layout {
    /// Move everything by (dx, dy), growing the size to match.
    pub fn translate(&mut self, dx: f64, dy: f64) {
        for n in &mut self.nodes {
            n.x += dx;
            n.y += dy;
        }
        for e in &mut self.edges {
            for p in &mut e.points {
                p.x += dx;
                p.y += dy;
            }
            if let Some(p) = &mut e.label_at {
                p.x += dx;
                p.y += dy;
            }
        }
        self.width += dx;
        self.height += dy;
    }
}

/// Weighted isotonic regression (non-decreasing), by pool adjacent violators.
fn isotonic(y: &[f64], w: &[f64]) -> Vec<f64> {
    // blocks: (mean, weight, count)
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(y.len());
    for i in 0..y.len() {
        let mut cur = (y[i], w[i], 1usize);
        while let Some(&(m, bw, c)) = blocks.last() {
            if m > cur.0 {
                blocks.pop();
                let tw = bw + cur.1;
                cur = ((m * bw + cur.0 * cur.1) / tw, tw, c + cur.2);
            } else {
                break;
            }
        }
        blocks.push(cur);
    }
    let mut out = Vec::with_capacity(y.len());
    for (m, _, c) in blocks {
        out.extend(std::iter::repeat_n(m, c));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::render::{Edge, Node, synthetic};

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
