//! `cilint expand` and `cilint pack` (see `src/analysis/expand/`, `src/config/pack.rs`):
//!
//! 1. the largest golden pair of `../shared/golden/expand/` (a real split config): reading
//!    the folder, packing it (and printing what `cilint pack` prints), the whole expansion
//!    (pack, model, expand, print), and the expansion's own stages;
//! 2. generated configs (see `tests/support/generate.rs`) of 1,000 and 10,000 jobs: the whole
//!    expansion (time per job), its stages, and `lint` of the same file for scale;
//! 3. the peak memory (`VmHWM`) of a separate process that generates and expands 1,000 and
//!    10,000 jobs, and of one that only generates them.
//!
//! `cargo bench --bench expand --features internals` (release profile). No criterion: the
//! median of several runs (`CILINT_BENCH_RUNS=N`, default 9). Under `cargo test` (no
//! `--bench` argument) it only does one quick smoke round on small inputs.

#[path = "../tests/support/generate.rs"]
mod generate;

use cilint::Settings;
use cilint::expand::Options;
use cilint::internals::{Dialect, Orbs, Stop, expand, model, pack_folder, parse, to_yaml};
use cilint::plan::PlanInput;
use generate::{GenOptions, config};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The allocator of the `cilint` binary, so that the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let r = f();
        times.push(t.elapsed());
        last = Some(r);
    }
    times.sort();
    (times[times.len() / 2], last.expect("at least one run"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn generated(jobs: usize) -> String {
    config(GenOptions {
        jobs,
        workflows: (jobs / 500).max(1),
        seed: 1,
    })
}

fn vm_hwm_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The largest golden pair (by the size of CircleCI's output), if `../shared` is there.
fn largest_pair() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/golden/expand");
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("src").is_dir())
        .max_by_key(|p| std::fs::metadata(p.join("processed.yml")).map_or(0, |m| m.len()))
}

/// The child process of the memory measurement: generate (and expand unless `expand` is
/// false), then print the peak.
fn peak_child(jobs: usize, expand: bool) {
    let source = generated(jobs);
    if expand {
        let out = cilint::expand::expand(
            source.as_bytes(),
            "bench.yml",
            &Settings::default(),
            &Options::default(),
        )
        .expect("the generated config expands");
        assert!(out.len() > source.len());
    }
    println!("{}", vm_hwm_kb().unwrap_or(0));
}

fn peak_of(jobs: usize, expand: bool) -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let out = std::process::Command::new(exe)
        .env("CILINT_BENCH_PEAK", format!("{jobs}:{}", u8::from(expand)))
        .output()
        .ok()?;
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

/// The expansion's stages on one text (parse, model, expand, print).
fn stages(text: &str, runs: usize) {
    let (t, doc) = median(runs, || parse(text));
    println!("    {:<28} {:>8.2} ms", "parse", ms(t));
    let (t, _) = median(runs, || model(&doc));
    println!("    {:<28} {:>8.2} ms", "model", ms(t));
    let config = model(&doc);
    let orbs = Orbs::default();
    let input = PlanInput::branch("main");
    let (t, data) = median(runs, || match expand(text, &config, &orbs, &input) {
        Ok(d) => d,
        Err(Stop::Rejected(f)) => panic!("rejected: {:?}", f[0].message),
        Err(Stop::Undecidable { reason, .. }) => panic!("undecidable: {reason}"),
    });
    println!("    {:<28} {:>8.2} ms", "expand", ms(t));
    let (t, out) = median(runs, || to_yaml(&data, Dialect::Process));
    println!(
        "    {:<28} {:>8.2} ms ({:.2} MB of YAML)",
        "print",
        ms(t),
        out.len() as f64 / 1e6
    );
}

fn main() {
    if let Ok(spec) = std::env::var("CILINT_BENCH_PEAK") {
        let (jobs, expand) = spec.split_once(':').unwrap_or((&spec, "1"));
        peak_child(jobs.parse().unwrap_or(1_000), expand == "1");
        return;
    }
    let full = full_run();
    let runs = if full {
        std::env::var("CILINT_BENCH_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(9)
    } else {
        1
    };
    let settings = Settings::default();
    let options = Options::default();

    match largest_pair() {
        Some(pair) => {
            let src = pair.join("src");
            let name = pair.file_name().unwrap_or_default().to_string_lossy();
            println!("largest golden pair `{name}` (median of {runs} runs):");
            let (t, folder) = median(runs, || {
                cilint::pack::read_folder(&src, "src").expect("readable")
            });
            println!(
                "  {:<36} {:>8.2} ms ({} entries)",
                "read the folder",
                ms(t),
                folder.entries.len()
            );
            let (t, packed) = median(runs, || cilint::pack::pack_text(&folder).expect("packs"));
            println!(
                "  {:<36} {:>8.2} ms ({} bytes)",
                "pack and print (cilint pack)",
                ms(t),
                packed.len()
            );
            let (t, out) = median(runs, || {
                cilint::expand::expand_pack(&folder, &settings, &options).expect("expands")
            });
            println!(
                "  {:<36} {:>8.2} ms ({} bytes)",
                "expand (pack, model, expand, print)",
                ms(t),
                out.len()
            );
            let (t, packed_tree) = median(runs, || pack_folder(&folder));
            println!("  {:<36} {:>8.2} ms", "of which packing", ms(t));
            let root = packed_tree.doc.root.as_ref().expect("a root");
            let config = cilint::internals::Config::from_root(root);
            let input = PlanInput::branch("main");
            let (t, _) = median(runs, || {
                expand(
                    &packed_tree.combined.source,
                    &config,
                    &Orbs::default(),
                    &input,
                )
                .expect("expands")
            });
            println!("  {:<36} {:>8.2} ms", "of which expanding", ms(t));
        }
        None => println!("largest golden pair: ../shared/golden/expand is missing, skipped"),
    }

    let sizes: &[usize] = if full { &[1_000, 10_000] } else { &[50] };
    println!("\ngenerated configs (median of {runs} runs):");
    println!(
        "  {:>8} {:>10} {:>12} {:>11} {:>10}",
        "jobs", "bytes", "expand ms", "us per job", "lint ms"
    );
    for &jobs in sizes {
        let source = generated(jobs);
        let (t, out) = median(runs, || {
            cilint::expand::expand(source.as_bytes(), "bench.yml", &settings, &options)
                .expect("expands")
        });
        assert!(out.starts_with("version: 2\n"));
        cilint::lint(source.as_bytes(), "bench.yml", &settings);
        let (lint, _) = median(runs, || {
            cilint::lint(source.as_bytes(), "bench.yml", &settings)
        });
        println!(
            "  {jobs:>8} {:>10} {:>12.2} {:>11.2} {:>10.2}",
            source.len(),
            ms(t),
            t.as_secs_f64() * 1e6 / jobs as f64,
            ms(lint)
        );
    }
    let big = *sizes.last().expect("sizes");
    println!("\n  stages at {big} jobs:");
    stages(&generated(big), runs);

    println!("\npeak memory (VmHWM of a separate process):");
    for &jobs in sizes {
        match (peak_of(jobs, false), peak_of(jobs, true)) {
            (Some(gen_only), Some(with)) => println!(
                "  {jobs:>6} jobs: generate only {:.1} MB, generate and expand {:.1} MB (expand: {:.1} MB)",
                gen_only as f64 / 1024.0,
                with as f64 / 1024.0,
                with.saturating_sub(gen_only) as f64 / 1024.0
            ),
            _ => println!("  (not measured: no /proc/self/status)"),
        }
    }
}
