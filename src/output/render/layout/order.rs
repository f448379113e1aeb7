//! The order of the jobs within each rank: fewer crossings (barycentre sweeps, transposition),
//! and bundles of edges that share their ends.

use super::*;

impl Builder<'_> {
    pub(super) fn order(&mut self) {
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

    pub(super) fn set_layers(&mut self, layers: Vec<Vec<usize>>) {
        self.layers = layers;
        for layer in &self.layers {
            for (i, &v) in layer.iter().enumerate() {
                self.pos[v] = i;
            }
        }
    }

    pub(super) fn sweep(&mut self, down: bool) {
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
    pub(super) fn crossings(&self) -> usize {
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
    pub(super) fn pair_cross(&self, a: &[usize], b: &[usize]) -> usize {
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
    pub(super) fn transpose(&mut self) -> bool {
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
    pub(super) fn find_bundles(&mut self) {
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
}
