//! A generated workflow diagram of any size (built through cilint's public `render` API), for
//! the render tests and benchmarks and the layout's unit tests.

#[allow(unused_imports)]
use cilint::render::{Diagram, Edge, Node};

/// A generated workflow of `jobs` invocations for benchmarks and layout tests: a CI-shaped DAG
/// (jobs in stages, each requiring about three jobs of earlier stages, mostly the one just
/// before), with a
/// sprinkling of approval holds, orb jobs, filters and status labels. Deterministic in `seed`.
pub fn synthetic(jobs: usize, seed: u64) -> Diagram {
    let mut rng = SplitMix(seed ^ 0x9E37_79B9_7F4A_7C15);
    let mut d = Diagram::new(format!("generated-{jobs}"));
    d.trigger("schedule: 0 3 * * 1-5");
    let words = [
        "build",
        "test",
        "lint",
        "deploy",
        "package",
        "scan",
        "publish",
        "integration",
        "e2e",
        "docs",
        "bench",
        "release",
    ];
    let stages = (jobs / 25).clamp(2, 24).min(jobs.max(1));
    for i in 0..jobs {
        let w = words[(rng.next() % words.len() as u64) as usize];
        let id = format!("{w}-{i}");
        let mut node = if i > 0 && rng.next().is_multiple_of(23) {
            Node::approval(id.clone(), format!("hold-{i}"))
        } else {
            Node::job(id.clone(), id.clone())
        };
        match rng.next() % 9 {
            0 => node = node.sublabel(format!("orb/{w}")),
            1 => node = node.sublabel("main"),
            2 => node = node.sublabel("tags /v.*/").sublabel("context: release"),
            _ => {}
        }
        let idx = d.add_node(node);
        if i == 0 {
            continue;
        }
        // Jobs come in stages (build, test, package, deploy...): each requires about three jobs
        // of the stage before it, now and then one from further back; a few are roots.
        let stage = i * stages / jobs;
        if stage == 0 || rng.next().is_multiple_of(40) {
            continue;
        }
        let prev_start = (stage - 1) * jobs / stages;
        let prev_end = stage * jobs / stages;
        let count = 1 + (rng.next() % 5) as usize;
        let mut picked: Vec<usize> = Vec::new();
        for _ in 0..count {
            let from = if rng.next().is_multiple_of(4) {
                (rng.next() % prev_end as u64) as usize
            } else {
                prev_start + (rng.next() % (prev_end - prev_start) as u64) as usize
            };
            if !picked.contains(&from) {
                picked.push(from);
            }
        }
        for from in picked {
            let mut e = Edge::new(from, idx);
            if rng.next().is_multiple_of(31) {
                e = e.status("failed");
            }
            d.add_edge(e);
        }
    }
    d
}

/// A small deterministic generator (SplitMix64), so the crate needs no `rand`.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
