//! The whole `lint` and each of its stages on generated configs (see `tests/support/generate.rs`).
//!
//! `cargo bench --bench lint` (release profile). No criterion: `std::time`, the median of
//! several runs. What it prints:
//!
//! 1. the whole `lint` at 100, 1,000, 3,000 and 10,000 jobs, with the time per job (it must stay
//!    roughly constant: no stage may grow faster than the config);
//! 2. each stage at 10,000 jobs: decode, parse, line index, schema, model, graph, every rule on
//!    its own, suppressions and settings, and the reports (human and JSON);
//! 3. the peak memory (`VmHWM`) of a separate process that generates and lints 10,000 jobs, and
//!    of one that only generates them (the difference is what `lint` takes);
//! 4. many files at once: 64 configs of 50 jobs each, one after the other and with `lint_many`
//!    (rayon, every core).
//!
//! No shellcheck here (its cost is a process per script, measured on the binary: BENCHMARKS.md).
//! `CILINT_BENCH_RUNS=N` sets the number of runs (default 9). Under `cargo test` (no `--bench`
//! argument) it only does one quick smoke round on small configs.

#[path = "../tests/support/generate.rs"]
mod generate;

use cilint::internals::{Graphs, Orbs};
use cilint::report::{self, Format};
use cilint::{Context, FileReport, Input, LineIndex, Settings};
use generate::{GenOptions, config};
use std::time::{Duration, Instant};

/// The allocator of the `cilint` binary, so that the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `cargo bench` passes `--bench`; under `cargo test` only a small smoke round runs.
fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// Run `f` `runs` times; the median time and the last result.
fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let r = f();
        times.push(t.elapsed());
        // Dropping is part of the cost only when it is measured; keep it outside.
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

/// The peak resident memory of this process, in kB (Linux).
fn vm_hwm_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The child process of the memory measurement: generate (and lint unless `lint` is false),
/// then print the peak.
fn peak_child(jobs: usize, lint: bool) {
    let source = generated(jobs);
    if lint {
        let report = cilint::lint(source.as_bytes(), "bench.yml", &Settings::default());
        assert!(report.diagnostics.len() < 1_000_000);
    }
    println!("{}", vm_hwm_kb().unwrap_or(0));
}

fn peak_of(jobs: usize, lint: bool) -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let out = std::process::Command::new(exe)
        .env("CILINT_BENCH_PEAK", format!("{jobs}:{}", u8::from(lint)))
        .output()
        .ok()?;
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

fn main() {
    if let Ok(spec) = std::env::var("CILINT_BENCH_PEAK") {
        let (jobs, lint) = spec.split_once(':').unwrap_or((&spec, "1"));
        peak_child(jobs.parse().unwrap_or(10_000), lint == "1");
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
    let sizes: &[usize] = if full {
        &[100, 1_000, 3_000, 10_000]
    } else {
        &[20, 100]
    };
    let big = *sizes.last().expect("sizes");

    println!("whole lint (median of {runs} runs):");
    println!(
        "{:>8} {:>10} {:>10} {:>11} {:>9}",
        "jobs", "bytes", "ms", "us per job", "findings"
    );
    for &jobs in sizes {
        let source = generated(jobs);
        // One run first: the schema is compiled once per process, on first use.
        cilint::lint(source.as_bytes(), "bench.yml", &settings);
        let (t, report) = median(runs, || {
            cilint::lint(source.as_bytes(), "bench.yml", &settings)
        });
        println!(
            "{jobs:>8} {:>10} {:>10.2} {:>11.2} {:>9}",
            source.len(),
            ms(t),
            t.as_secs_f64() * 1e6 / jobs as f64,
            report.diagnostics.len()
        );
    }

    stages(big, runs, &settings);

    println!("\npeak memory (VmHWM of a separate process, {big} jobs):");
    match (peak_of(big, false), peak_of(big, true)) {
        (Some(gen_only), Some(with_lint)) => println!(
            "  generate only {:.1} MB, generate and lint {:.1} MB (lint: {:.1} MB)",
            gen_only as f64 / 1024.0,
            with_lint as f64 / 1024.0,
            with_lint.saturating_sub(gen_only) as f64 / 1024.0
        ),
        _ => println!("  (not measured: no /proc/self/status)"),
    }

    many_files(if full { 64 } else { 4 }, runs, &settings);
}

/// Each stage of `lint`, in order, as `cilint::analyze` runs them.
fn stages(jobs: usize, runs: usize, settings: &Settings) {
    let source = generated(jobs);
    let bytes = source.as_bytes();
    println!(
        "\nstages at {jobs} jobs ({:.1} MB, median of {runs} runs):",
        bytes.len() as f64 / 1e6
    );
    let mut total = Duration::ZERO;
    let mut row = |name: &str, t: Duration| {
        total += t;
        println!("  {name:<34} {:>8.2} ms", ms(t));
    };

    let (t, text) = median(runs, || cilint::internals::decode(bytes).expect("UTF-8"));
    row("decode", t);
    let (t, doc) = median(runs, || cilint::internals::parse(&text));
    row("parse (YAML to spanned tree)", t);
    // The YAML parser alone on the same text, with the options cilint gives it: its events,
    // dropped as they come (no tree). Parse minus this is what building the tree costs.
    let (t_events, events) = median(runs, || {
        let options = granit_parser::options! {
            emit_anchor_events: true,
            emit_unresolved_aliases: true,
            block_scalar_eof_without_line_feed: true,
            max_buffered_comment_events: usize::MAX,
        };
        let mut parser = granit_parser::Parser::new_from_str_with_options(&text, options);
        let mut count = 0usize;
        while let Some(next) = parser.next_event() {
            if next.is_err() {
                break;
            }
            count += 1;
        }
        count
    });
    println!(
        "  {:<34} {:>8.2} ms (not in the sum; {events} events, {:.0} MB/s)",
        "  of which the YAML parser alone",
        ms(t_events),
        bytes.len() as f64 / 1e6 / t_events.as_secs_f64()
    );
    let (t, lines) = median(runs, || LineIndex::new(&text));
    row("line index", t);
    let root = doc.root.as_ref().expect("the generated config parses");
    cilint::internals::check_schema(root, Some(&text));
    let (t, _) = median(runs, || cilint::internals::check_schema(root, Some(&text)));
    row("schema", t);
    let (t, _) = median(runs, || cilint::internals::model(&doc));
    row("model", t);
    let model = cilint::internals::model(&doc);
    let (t, _) = median(runs, || {
        let g = Graphs::build(&model);
        for w in &g.workflows {
            w.filters();
        }
        g
    });
    row("graph (with every job's filters)", t);
    let graphs = Graphs::build(&model);
    let cx = Context::new(
        "bench.yml",
        &text,
        &lines,
        &doc,
        settings,
        &model,
        &graphs,
        Orbs::default(),
    );

    // Each rule on its own, one after the other, each run on a fresh model (what rules find
    // once per file and share, such as the `<< >>` references, is paid by the first rule that
    // asks, in registry order).
    let mut per_rule: Vec<(&str, Vec<Duration>)> = Vec::new();
    for _ in 0..runs.max(1) {
        let model = cilint::internals::model(&doc);
        let graphs = Graphs::build(&model);
        let cx = Context::new(
            "bench.yml",
            &text,
            &lines,
            &doc,
            settings,
            &model,
            &graphs,
            Orbs::default(),
        );
        for (i, rule) in cilint::rules()
            .iter()
            .filter(|r| r.check.is_some())
            .enumerate()
        {
            let check = rule.check.expect("filtered");
            let t = Instant::now();
            let mut out = Vec::new();
            check(&cx, &mut out);
            let t = t.elapsed();
            drop(out);
            if per_rule.len() <= i {
                per_rule.push((rule.id, Vec::new()));
            }
            per_rule[i].1.push(t);
        }
    }
    let mut per_rule: Vec<(&str, Duration)> = per_rule
        .into_iter()
        .map(|(id, mut ts)| {
            ts.sort();
            (id, ts[ts.len() / 2])
        })
        .collect();
    let rules_total: Duration = per_rule.iter().map(|r| r.1).sum();
    row("rules (one by one, see below)", rules_total);
    let rules_parallel = {
        let mut ts: Vec<Duration> = (0..runs.max(1))
            .map(|_| {
                let model = cilint::internals::model(&doc);
                let graphs = Graphs::build(&model);
                let cx = Context::new(
                    "bench.yml",
                    &text,
                    &lines,
                    &doc,
                    settings,
                    &model,
                    &graphs,
                    Orbs::default(),
                );
                let t = Instant::now();
                let out = cilint::internals::run_rules(&cx);
                let t = t.elapsed();
                drop(out);
                t
            })
            .collect();
        ts.sort();
        ts[ts.len() / 2]
    };
    println!(
        "  {:<34} {:>8.2} ms (not in the sum)",
        "rules (all at once, rayon)",
        ms(rules_parallel)
    );

    let diagnostics = cilint::internals::run_rules(&cx);
    let (t, _) = median(runs, || {
        let mut d = diagnostics.clone();
        cilint::internals::apply_suppressions(&cx, &mut d);
        settings.apply(&mut d);
        d
    });
    row("suppressions and settings", t);

    let reports = [FileReport {
        path: "bench.yml".into(),
        source: text.clone(),
        lines: LineIndex::new(&text),
        diagnostics,
    }];
    let (t, _) = median(runs, || {
        let mut out = Vec::new();
        report::write(
            Format::Human,
            &reports,
            &report::Options::default(),
            &mut out,
        )
        .unwrap();
        out
    });
    row("report (human)", t);
    let (t, _) = median(runs, || {
        let mut out = Vec::new();
        report::write(
            Format::Json,
            &reports,
            &report::Options::default(),
            &mut out,
        )
        .unwrap();
        out
    });
    println!(
        "  {:<34} {:>8.2} ms (not in the sum)",
        "report (json)",
        ms(t)
    );
    println!("  {:<34} {:>8.2} ms", "sum", ms(total));

    per_rule.sort_by_key(|r| std::cmp::Reverse(r.1));
    println!("\n  rules at {jobs} jobs, slowest first:");
    for (id, t) in per_rule {
        println!("    {id:<32} {:>8.3} ms", ms(t));
    }
}

/// `count` configs of 50 jobs: sequentially, then with `lint_many` (rayon).
fn many_files(count: u64, runs: usize, settings: &Settings) {
    let files: Vec<(String, String)> = (0..count)
        .map(|i| {
            let text = config(GenOptions {
                jobs: 50,
                workflows: 1,
                seed: i + 1,
            });
            (format!("config-{i}.yml"), text)
        })
        .collect();
    let inputs: Vec<Input<'_>> = files
        .iter()
        .map(|(path, text)| Input {
            path,
            bytes: text.as_bytes(),
            settings,
        })
        .collect();
    let (seq, _) = median(runs, || {
        inputs
            .iter()
            .map(|i| cilint::lint(i.bytes, i.path, i.settings))
            .collect::<Vec<_>>()
    });
    let (par, _) = median(runs, || cilint::lint_many(&inputs));
    println!(
        "\nmany files ({count} configs of 50 jobs, {} threads): one by one {:.2} ms, lint_many {:.2} ms ({:.2}x)",
        rayon::current_num_threads(),
        ms(seq),
        ms(par),
        seq.as_secs_f64() / par.as_secs_f64()
    );
}
