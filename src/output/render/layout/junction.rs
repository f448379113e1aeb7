//! Junctions: where many edges share both ends, they are drawn through one point.
//!
//! When every job of a set S is required by every job of a set T (a config's "these 30 jobs
//! all wait for the same 20"), the |S| x |T| edges become |S| edges into a junction point and
//! |T| edges out of it: a reader follows one line from each job to the point and one from the
//! point to each job, instead of a bundle of crossing curves. Only plain edges are drawn this
//! way (no status label, not part of a cycle), and only where it saves at least
//! [`MIN_SAVED`] lines.
//!
//! The sets are found greedily: each job's set of required jobs, and each job's set of jobs
//! that require it, is a candidate side; the candidate whose junction saves the most lines is
//! taken, its edges removed, and the search repeated (at most [`MAX_JUNCTIONS`] times). The
//! layout then treats each junction as a node of no size with its own rank.

use super::{EdgePath, Layout, Point, Size};
use crate::output::render::{Diagram, Edge, Node};
use std::collections::{HashMap, HashSet};

/// A point that edges sharing both ends run through: each of `sources` is required by each of
/// `targets`.
#[derive(Clone, Debug, PartialEq)]
pub struct Junction {
    /// Where the point is drawn.
    pub at: Point,
    /// The required jobs (indexes into [`Diagram::nodes`]), in the diagram's order.
    pub sources: Vec<usize>,
    /// The requiring jobs, in the diagram's order.
    pub targets: Vec<usize>,
    /// The diagram edges drawn through the point (every source to every target).
    pub edges: Vec<usize>,
}

/// Which end of an edge path is a junction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JunctionEnd {
    /// The path runs from a required job into junction `k` (no arrowhead).
    Into(usize),
    /// The path runs from junction `k` to a requiring job.
    OutOf(usize),
}

/// A junction saves at least this many lines (|S| x |T| - |S| - |T|).
pub const MIN_SAVED: usize = 3;

/// At most this many junctions per diagram.
pub const MAX_JUNCTIONS: usize = 64;

/// Graphs with more edges than this are drawn without junctions (the search would cost more
/// than the layout).
const MAX_EDGES: usize = 50_000;

/// What [`find`] groups.
pub(super) struct Group {
    pub sources: Vec<usize>,
    pub targets: Vec<usize>,
    pub edges: Vec<usize>,
}

/// The junctions of a diagram (see the module documentation).
pub(super) fn find(d: &Diagram) -> Vec<Group> {
    let n = d.nodes.len();
    if d.edges.len() > MAX_EDGES || n < 4 {
        return Vec::new();
    }
    let cyclic = in_cycles(d);
    // Plain edges, by their ends.
    let mut by_pair: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (i, e) in d.edges.iter().enumerate() {
        if e.from < n
            && e.to < n
            && e.from != e.to
            && e.label.is_none()
            && !e.in_cycle
            && !cyclic[i]
        {
            by_pair.entry((e.from, e.to)).or_default().push(i);
        }
    }
    let mut succ: Vec<HashSet<usize>> = vec![HashSet::new(); n];
    let mut pred: Vec<HashSet<usize>> = vec![HashSet::new(); n];
    for &(a, b) in by_pair.keys() {
        succ[a].insert(b);
        pred[b].insert(a);
    }
    let mut groups = Vec::new();
    while groups.len() < MAX_JUNCTIONS {
        let mut best: Option<(usize, Vec<usize>, Vec<usize>)> = None;
        let mut consider = |s: Vec<usize>, t: Vec<usize>| {
            if s.len() < 2 || t.len() < 2 {
                return;
            }
            let saved = (s.len() * t.len()).saturating_sub(s.len() + t.len());
            if saved < MIN_SAVED {
                return;
            }
            let better = match &best {
                None => true,
                Some((b, bs, bt)) => saved > *b || (saved == *b && (&s, &t) < (bs, bt)),
            };
            if better {
                best = Some((saved, s, t));
            }
        };
        for v in 0..n {
            // The jobs `v` requires, as the required side: every job requiring all of them.
            if pred[v].len() >= 2 {
                let s = sorted(&pred[v]);
                let t: Vec<usize> = sorted(&succ[s[0]])
                    .into_iter()
                    .filter(|&w| s.iter().all(|x| pred[w].contains(x)))
                    .collect();
                consider(s, t);
            }
            // The jobs requiring `v`, as the requiring side: every job they all require.
            if succ[v].len() >= 2 {
                let t = sorted(&succ[v]);
                let s: Vec<usize> = sorted(&pred[t[0]])
                    .into_iter()
                    .filter(|&u| t.iter().all(|y| succ[u].contains(y)))
                    .collect();
                consider(s, t);
            }
        }
        let Some((_, sources, targets)) = best else {
            break;
        };
        let mut edges = Vec::new();
        for &a in &sources {
            for &b in &targets {
                succ[a].remove(&b);
                pred[b].remove(&a);
                edges.extend(by_pair.get(&(a, b)).into_iter().flatten().copied());
            }
        }
        edges.sort_unstable();
        groups.push(Group {
            sources,
            targets,
            edges,
        });
    }
    groups
}

fn sorted(set: &HashSet<usize>) -> Vec<usize> {
    let mut v: Vec<usize> = set.iter().copied().collect();
    v.sort_unstable();
    v
}

/// For each edge: whether both its ends are in one strongly connected component (a cycle, even
/// when the diagram does not mark it).
fn in_cycles(d: &Diagram) -> Vec<bool> {
    let n = d.nodes.len();
    let mut g = petgraph::graph::DiGraph::<(), ()>::with_capacity(n, d.edges.len());
    let ids: Vec<_> = (0..n).map(|_| g.add_node(())).collect();
    for e in d.valid_edges() {
        g.add_edge(ids[e.from], ids[e.to], ());
    }
    let mut component = vec![usize::MAX; n];
    for (c, scc) in petgraph::algo::tarjan_scc(&g).into_iter().enumerate() {
        if scc.len() > 1 {
            for v in scc {
                component[v.index()] = c;
            }
        }
    }
    d.edges
        .iter()
        .map(|e| {
            e.from < n
                && e.to < n
                && component[e.from] != usize::MAX
                && component[e.from] == component[e.to]
        })
        .collect()
}

/// Where an edge of the diagram given to the layout comes from.
#[derive(Clone, Copy)]
pub(super) enum Origin {
    /// An edge of the diagram, drawn on its own.
    Edge(usize),
    /// From a source into junction `k`; the diagram edge that stands for it.
    Into(usize, usize),
    /// From junction `k` to a target.
    OutOf(usize, usize),
}

/// The diagram the layout is given: the jobs, then one node per junction; the edges not
/// through a junction, then the edges into and out of each junction.
pub(super) fn augment(
    d: &Diagram,
    groups: &[Group],
    node_size: &[Size],
    label_size: &[Option<Size>],
) -> (Diagram, Vec<Size>, Vec<Option<Size>>, Vec<Origin>) {
    let n = d.nodes.len();
    let through: HashSet<usize> = groups
        .iter()
        .flat_map(|g| g.edges.iter().copied())
        .collect();
    let mut aug = Diagram {
        title: String::new(),
        subtitle: Vec::new(),
        nodes: d.nodes.clone(),
        edges: Vec::with_capacity(d.edges.len()),
    };
    let mut sizes: Vec<Size> = (0..n)
        .map(|i| {
            node_size
                .get(i)
                .copied()
                .unwrap_or(Size { w: 80.0, h: 40.0 })
        })
        .collect();
    let mut labels = Vec::with_capacity(d.edges.len());
    let mut origin = Vec::with_capacity(d.edges.len());
    for (i, e) in d.edges.iter().enumerate() {
        if !through.contains(&i) {
            aug.edges.push(e.clone());
            labels.push(label_size.get(i).copied().flatten());
            origin.push(Origin::Edge(i));
        }
    }
    for (k, g) in groups.iter().enumerate() {
        let j = aug.nodes.len();
        aug.nodes.push(Node::job(format!("junction {k}"), ""));
        sizes.push(Size { w: 0.0, h: 0.0 });
        for &s in &g.sources {
            let stand_for = g
                .edges
                .iter()
                .copied()
                .find(|&i| d.edges[i].from == s)
                .unwrap_or(g.edges[0]);
            aug.edges.push(Edge::new(s, j));
            labels.push(None);
            origin.push(Origin::Into(k, stand_for));
        }
        for &t in &g.targets {
            let stand_for = g
                .edges
                .iter()
                .copied()
                .find(|&i| d.edges[i].to == t)
                .unwrap_or(g.edges[0]);
            aug.edges.push(Edge::new(j, t));
            labels.push(None);
            origin.push(Origin::OutOf(k, stand_for));
        }
    }
    (aug, sizes, labels, origin)
}

/// The layout of the augmented diagram, told in terms of the diagram itself: its nodes, each
/// path's diagram edge (and junction end), and the junctions.
pub(super) fn restore(n: usize, groups: Vec<Group>, mut lay: Layout, origin: &[Origin]) -> Layout {
    let points: Vec<Point> = lay.nodes[n..]
        .iter()
        .map(|r| Point {
            x: r.cx(),
            y: r.cy(),
        })
        .collect();
    lay.nodes.truncate(n);
    for e in &mut lay.edges {
        let (edge, end) = match origin[e.edge] {
            Origin::Edge(i) => (i, None),
            Origin::Into(k, i) => (i, Some(JunctionEnd::Into(k))),
            Origin::OutOf(k, i) => (i, Some(JunctionEnd::OutOf(k))),
        };
        e.edge = edge;
        e.junction = end;
    }
    lay.junctions = groups
        .into_iter()
        .zip(points)
        .map(|(g, at)| Junction {
            at,
            sources: g.sources,
            targets: g.targets,
            edges: g.edges,
        })
        .collect();
    lay
}

/// The ends of a drawn path: its diagram edge's, with a junction numbered `n + k`.
pub fn path_ends(d: &Diagram, e: &EdgePath) -> [usize; 2] {
    let n = d.nodes.len();
    let edge = &d.edges[e.edge];
    match e.junction {
        None => [edge.from, edge.to],
        Some(JunctionEnd::Into(k)) => [edge.from, n + k],
        Some(JunctionEnd::OutOf(k)) => [n + k, edge.to],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `sources` jobs, each required by each of `targets` jobs, plus a chain before them.
    fn fan(sources: usize, targets: usize) -> Diagram {
        let mut d = Diagram::new("fan");
        let root = d.add_node(Node::job("root", "root"));
        let s: Vec<usize> = (0..sources)
            .map(|i| d.add_node(Node::job(format!("s{i}"), format!("s{i}"))))
            .collect();
        let t: Vec<usize> = (0..targets)
            .map(|i| d.add_node(Node::job(format!("t{i}"), format!("t{i}"))))
            .collect();
        for &a in &s {
            d.add_edge(Edge::new(root, a));
            for &b in &t {
                d.add_edge(Edge::new(a, b));
            }
        }
        d
    }

    #[test]
    fn a_full_fan_in_gets_one_junction() {
        let d = fan(20, 30);
        let groups = find(&d);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].sources, (1..=20).collect::<Vec<_>>());
        assert_eq!(groups[0].targets, (21..=50).collect::<Vec<_>>());
        assert_eq!(groups[0].edges.len(), 600);
    }

    #[test]
    fn small_or_partial_fans_stay_as_they_are() {
        assert!(find(&fan(2, 2)).is_empty());
        assert!(find(&fan(2, 4)).is_empty());
        assert_eq!(find(&fan(2, 5)).len(), 1);
        // Labelled and cyclic edges never go through a junction.
        let mut d = fan(3, 3);
        for e in &mut d.edges {
            if e.from != 0 {
                e.label = Some("failed".into());
            }
        }
        assert!(find(&d).is_empty());
        let mut d = fan(3, 3);
        d.add_edge(Edge::new(4, 1));
        let groups = find(&d);
        assert!(groups.iter().all(|g| !g.sources.contains(&1)));
    }

    #[test]
    fn the_layout_draws_the_junction_between_its_sides() {
        let d = fan(20, 30);
        let sizes = vec![Size { w: 90.0, h: 36.0 }; d.nodes.len()];
        let lay = super::super::layout(
            &d,
            &sizes,
            &vec![None; d.edges.len()],
            crate::output::render::Direction::LeftRight,
        );
        assert_eq!(lay.nodes.len(), d.nodes.len());
        assert_eq!(lay.junctions.len(), 1);
        let j = &lay.junctions[0];
        // 20 root edges, 20 into the junction, 30 out of it.
        assert_eq!(lay.edges.len(), 70);
        let max_s = (1..=20)
            .map(|i| lay.nodes[i].x + lay.nodes[i].w)
            .fold(0.0, f64::max);
        let min_t = (21..=50)
            .map(|i| lay.nodes[i].x)
            .fold(f64::INFINITY, f64::min);
        assert!(max_s < j.at.x && j.at.x < min_t);
        for e in &lay.edges {
            match e.junction {
                Some(JunctionEnd::Into(0)) => assert_eq!(*e.points.last().unwrap(), j.at),
                Some(JunctionEnd::OutOf(0)) => assert_eq!(e.points[0], j.at),
                None => assert_eq!(d.edges[e.edge].from, 0),
                other => panic!("{other:?}"),
            }
        }
    }
}
