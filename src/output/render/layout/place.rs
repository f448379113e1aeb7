//! Coordinates: each rank's jobs placed along the cross axis, and the edges routed.

use super::*;

impl Builder<'_> {
    pub(super) fn sep(&self, a: usize, b: usize) -> f64 {
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

    pub(super) fn edge_weight(&self, a: usize, b: usize) -> f64 {
        match (self.is_dummy(a), self.is_dummy(b)) {
            (false, false) => 1.0,
            (true, true) => 8.0,
            _ => 2.0,
        }
    }

    /// Coordinates along the order axis.
    pub(super) fn place(&mut self) {
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

    pub(super) fn place_layer(&mut self, r: usize, down: bool, both: bool) {
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

    pub(super) fn finish(self) -> Layout {
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
                junction: None,
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
                junction: None,
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
            junctions: Vec::new(),
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
        for j in &mut self.junctions {
            j.at.x += dx;
            j.at.y += dy;
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
pub(super) fn isotonic(y: &[f64], w: &[f64]) -> Vec<f64> {
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
