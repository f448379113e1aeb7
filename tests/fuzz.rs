//! Any bytes in, a report out: random bytes and random mutations of the fixture configs (lines
//! cut, indentation swapped, characters dropped or duplicated, brackets and quotes inserted) go
//! through `cilint::lint`, which must return without panicking, with every span inside the text,
//! and every report format must render the result.
//!
//! A small deterministic PRNG (xorshift) keeps runs reproducible: a failure prints the seed and
//! the input. Iterations are bounded so the test takes a few seconds in a debug build.

use cilint::report::{self, Format};
use cilint::{FileReport, Settings};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The project's own configs (the fixtures and the bundled example), and the seeds if present.
fn corpus() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(root.join("tests/fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.push(root.join("examples/approval/config.yml"));
    // The seed configs themselves, when the shared folder is next to the project.
    if let Ok(seeds) = std::fs::read_dir(root.join("../shared/examples/seeds")) {
        files.extend(
            seeds
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "yml")),
        );
    }
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// Indentation to add.
const PADS: &[&[u8]] = &[b"  ", b" ", b"\t"];

/// Bytes that make YAML structure, for the mostly printable random inputs.
const PRINTABLE: &[u8] = b" \n:-[]{}#&*!|>'\"abcx12\t";

const SNIPPETS: &[&[u8]] = &[
    b"[",
    b"]",
    b"{",
    b"}",
    b"\"",
    b"'",
    b":",
    b": ",
    b"- ",
    b"\t",
    b"&a ",
    b"*a",
    b"<<: *a",
    b"#",
    b"|",
    b">-",
    b"!!str ",
    b"---\n",
    b"...\n",
    b"\r\n",
    b"\xff",
    b"\0",
    b"\xEF\xBB\xBF",
    b"  ",
    b"\n",
    b"? ",
    b"%YAML 1.2\n",
    b"\xc3",
    b"\xe2\x82",
    b"# cilint: ignore[",
    b"# cilint: ignore-file[duplicate-key]\n",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = input.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    for _ in 0..1 + rng.below(4) {
        let n = lines.len().max(1);
        match rng.below(8) {
            // Cut a line.
            0 if !lines.is_empty() => {
                lines.remove(rng.below(n));
            }
            // Swap the indentation of two lines.
            1 if lines.len() >= 2 => {
                let (a, b) = (rng.below(n), rng.below(n));
                let ia = lines[a].iter().take_while(|&&c| c == b' ').count();
                let ib = lines[b].iter().take_while(|&&c| c == b' ').count();
                let la = [vec![b' '; ib], lines[a][ia..].to_vec()].concat();
                let lb = [vec![b' '; ia], lines[b][ib..].to_vec()].concat();
                lines[a] = la;
                lines[b] = lb;
            }
            // Indent or dedent a line.
            2 if !lines.is_empty() => {
                let i = rng.below(n);
                if rng.below(2) == 0 {
                    let pad = *rng.pick(PADS);
                    lines[i].splice(0..0, pad.iter().copied());
                } else {
                    let k = lines[i].iter().take_while(|&&c| c == b' ').count().min(2);
                    lines[i].drain(..k);
                }
            }
            // Drop characters.
            3 if !lines.is_empty() => {
                let i = rng.below(n);
                let len = lines[i].len();
                if len > 0 {
                    let at = rng.below(len);
                    let k = 1 + rng.below(3);
                    lines[i].drain(at..(at + k).min(len));
                }
            }
            // Insert a snippet.
            4 if !lines.is_empty() => {
                let i = rng.below(n);
                let at = rng.below(lines[i].len() + 1);
                lines[i].splice(at..at, rng.pick(SNIPPETS).iter().copied());
            }
            // Duplicate a line (duplicate keys, repeated items).
            5 if !lines.is_empty() => {
                let i = rng.below(n);
                let line = lines[i].clone();
                lines.insert(rng.below(n + 1), line);
            }
            // Truncate the file.
            6 if !lines.is_empty() => {
                lines.truncate(rng.below(n));
            }
            // Random bytes in place of a line.
            _ if !lines.is_empty() => {
                let i = rng.below(n);
                lines[i] = (0..rng.below(20)).map(|_| rng.next() as u8).collect();
            }
            _ => lines.push(b"a: 1".to_vec()),
        }
    }
    lines.join(&b'\n')
}

/// Every report format writes the reports, as UTF-8.
fn write_every_format(reports: &[FileReport]) {
    for format in [
        Format::Human,
        Format::Short,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Junit,
        Format::Gitlab,
    ] {
        let mut out = Vec::new();
        report::write(format, reports, &report::Options::default(), &mut out).unwrap();
        assert!(String::from_utf8(out).is_ok());
    }
}

fn check(input: &[u8], seed: u64, settings: &Settings) {
    let result = std::panic::catch_unwind(|| {
        let report = cilint::lint(input, "fuzz.yml", settings);
        assert_consistent(&report);
        let reports = [report];
        write_every_format(&reports);
    });
    if result.is_err() {
        panic!(
            "lint panicked (seed {seed}) on input:\n{}",
            String::from_utf8_lossy(input)
        );
    }
}

fn assert_consistent(report: &FileReport) {
    let len = report.source.len() as u32;
    for d in &report.diagnostics {
        for span in std::iter::once(d.primary.span).chain(d.labels.iter().map(|l| l.span)) {
            assert!(
                span.start <= span.end && span.end <= len,
                "{d:?} outside the text"
            );
        }
        assert!(!d.message.is_empty());
    }
}

#[test]
fn lint_never_panics_and_always_returns() {
    let (done, wait) = mpsc::channel();
    std::thread::spawn(move || {
        let corpus = corpus();
        let settings = Settings::default();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut runs = 0;
        // Random bytes, some of them mostly printable.
        for _ in 0..150 {
            let seed = rng.0;
            let len = rng.below(300);
            let printable = rng.below(2) == 0;
            let input: Vec<u8> = (0..len)
                .map(|_| {
                    let b = rng.next() as u8;
                    if printable {
                        PRINTABLE[b as usize % PRINTABLE.len()]
                    } else {
                        b
                    }
                })
                .collect();
            check(&input, seed, &settings);
            runs += 1;
        }
        // Mutations of each config.
        for original in &corpus {
            for _ in 0..60 {
                let seed = rng.0;
                let input = mutate(&mut rng, original);
                check(&input, seed, &settings);
                runs += 1;
            }
        }
        done.send(runs).unwrap();
    });
    match wait.recv_timeout(Duration::from_secs(240)) {
        Ok(runs) => assert!(runs > 500, "only {runs} inputs ran"),
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("lint did not return within 240 s"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the fuzz thread panicked (see above)"),
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile inputs: each must give a report (how long it takes is measured by `benches/lint.rs`
// and BENCHMARKS.md; here only "it returns, with consistent spans").

/// Lint `input` on a thread with a large time limit (a hang fails instead of blocking the
/// suite) and return the report.
fn lint_returns(name: &str, input: Vec<u8>) -> FileReport {
    let (done, wait) = mpsc::channel();
    let n = name.to_string();
    std::thread::Builder::new()
        .name(n.clone())
        .spawn(move || {
            let report = cilint::lint(&input, "hostile.yml", &Settings::default());
            assert_consistent(&report);
            done.send(report).unwrap();
        })
        .unwrap();
    match wait.recv_timeout(Duration::from_secs(120)) {
        Ok(report) => report,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{n}: lint did not return"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{n}: lint panicked (see above)"),
    }
}

fn has_rule(report: &FileReport, rule: &str) -> bool {
    report.diagnostics.iter().any(|d| d.rule == rule)
}

#[test]
fn alias_bomb_nested() {
    // Each level is ten references to the one before: 10^12 nodes if expanded.
    let mut s = String::from("version: 2.1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        s.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let report = lint_returns("nested alias bomb", s.into_bytes());
    assert!(has_rule(&report, "yaml-limits"), "{:?}", report.diagnostics);
}

#[test]
fn alias_bomb_wide() {
    // One anchored mapping of 1,000 entries referenced 2,000 times (2 million nodes).
    let mut s = String::from("version: 2.1\nbase: &b\n");
    for i in 0..1_000 {
        s.push_str(&format!("  k{i}: v\n"));
    }
    s.push_str("uses:\n");
    for _ in 0..2_000 {
        s.push_str("  - *b\n");
    }
    let report = lint_returns("wide alias bomb", s.into_bytes());
    assert!(has_rule(&report, "yaml-limits"), "{:?}", report.diagnostics);
}

#[test]
fn merge_key_bomb() {
    // Merge keys over merge keys: each level merges the one before into ten keys.
    let mut s = String::from("version: 2.1\nl0: &l0 {a: 1, b: 2, c: 3}\n");
    for i in 1..12 {
        let p = i - 1;
        s.push_str(&format!("l{i}: &l{i}\n"));
        for k in 0..10 {
            s.push_str(&format!("  k{k}:\n    <<: *l{p}\n"));
        }
    }
    lint_returns("merge key bomb", s.into_bytes());
}

#[test]
fn deep_nesting_block() {
    // 10,000 nested block sequences (`- - - ...`), and 10,000 nested block mappings written
    // compactly under sequence entries.
    let seqs = format!("{}x\n", "- ".repeat(10_000));
    let report = lint_returns("deep block sequences", seqs.into_bytes());
    assert!(has_rule(&report, "yaml-limits"), "{:?}", report.diagnostics);

    let mut maps = String::new();
    for depth in 0..10_000 {
        maps.push_str(&" ".repeat(depth % 200));
        maps.push_str("k:\n");
    }
    lint_returns("deep block mappings", maps.into_bytes());
}

#[test]
fn deep_nesting_flow() {
    let seqs = format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let report = lint_returns("deep flow sequences", seqs.into_bytes());
    assert!(has_rule(&report, "yaml-limits"), "{:?}", report.diagnostics);

    let maps = format!("a: {}x{}\n", "{a: ".repeat(10_000), "}".repeat(10_000));
    let report = lint_returns("deep flow mappings", maps.into_bytes());
    assert!(has_rule(&report, "yaml-limits"), "{:?}", report.diagnostics);

    let open = "[{a: ".repeat(10_000);
    lint_returns("unclosed deep flow", open.into_bytes());
}

#[test]
fn file_of_50_mb_is_refused() {
    let mut s = String::from("version: 2.1\njobs:\n");
    let job = "  build-000000:\n    docker:\n      - image: cimg/base:2024.01\n    steps:\n      - checkout\n";
    let mut i = 0;
    while s.len() < 50 * 1024 * 1024 {
        s.push_str(&job.replace("000000", &format!("{i:06}")));
        i += 1;
    }
    let report = lint_returns("50 MB", s.into_bytes());
    let limit = report
        .diagnostics
        .iter()
        .find(|d| d.rule == "yaml-limits")
        .expect("a yaml-limits finding");
    assert!(
        limit.message.contains("MiB") || limit.message.contains("bytes"),
        "{limit:?}"
    );
}

#[test]
fn one_line_of_1_mb() {
    let plain = format!("version: 2.1\nx: {}\n", "a".repeat(1 << 20));
    lint_returns("1 MB plain scalar", plain.into_bytes());
    let quoted = format!("version: 2.1\nx: \"{}\"\n", "\\t".repeat(1 << 19));
    lint_returns("1 MB quoted scalar", quoted.into_bytes());
    let flow = format!("version: 2.1\nx: [{}]\n", "ab, ".repeat(1 << 18));
    lint_returns("1 MB flow sequence", flow.into_bytes());
    let run = format!(
        "version: 2.1\njobs:\n  a:\n    docker: [{{image: x}}]\n    steps:\n      - run: echo {}\nworkflows:\n  w:\n    jobs: [a]\n",
        "$X ".repeat(1 << 18)
    );
    lint_returns("1 MB run step", run.into_bytes());
}

#[test]
fn nul_bytes() {
    lint_returns("NUL bytes", vec![0; 1 << 16]);
    lint_returns("NUL in a config", b"version: 2.1\n\0jobs:\n".to_vec());
}

#[test]
fn random_bytes() {
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    let bytes: Vec<u8> = (0..1 << 20).map(|_| rng.next() as u8).collect();
    lint_returns("1 MB of random bytes", bytes);
    let printable: Vec<u8> = (0..1 << 18)
        .map(|_| PRINTABLE[rng.below(PRINTABLE.len())])
        .collect();
    lint_returns("random YAML punctuation", printable);
}

/// Every config under tests/fixtures and examples (recursively).
fn all_fixtures() -> Vec<std::path::PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    walk(&root.join("tests/fixtures"), &mut out);
    walk(&root.join("examples"), &mut out);
    out.sort();
    out
}

#[test]
fn every_fixture_truncated_at_every_line() {
    let fixtures = all_fixtures();
    assert!(fixtures.len() > 20, "{} fixtures", fixtures.len());
    let settings = Settings::default();
    let mut runs = 0;
    for path in &fixtures {
        let bytes = std::fs::read(path).unwrap();
        let cuts = std::iter::once(0).chain(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        for cut in cuts {
            // Cut just after a line, and in the middle of the next one.
            for end in [cut, (cut + 3).min(bytes.len())] {
                let input = &bytes[..end];
                let result = std::panic::catch_unwind(|| {
                    assert_consistent(&cilint::lint(input, "cut.yml", &settings))
                });
                assert!(
                    result.is_ok(),
                    "{} cut at byte {end} panicked",
                    path.display()
                );
                runs += 1;
            }
        }
    }
    assert!(runs > 1_000, "only {runs} cuts");
}

// ---------------------------------------------------------------------------------------------
// Regressions found by the coverage-guided fuzzer (`fuzz/`, BENCHMARKS.md "Fuzzing"): each input
// that crashed, hung or ran slowly is kept in tests/fixtures/fuzz/ and goes through everything the
// fuzz target runs.

/// What `fuzz/fuzz_targets/lint.rs` does with one input: the whole pipeline, every report
/// format, the diagrams in every format and the plans for a branch and a tag. Returns the report
/// and how many diagrams were drawn.
fn exercise(input: &[u8]) -> (FileReport, usize) {
    use cilint::plan::GitRef;
    use cilint::plan::{self, PlanInput, Trigger};
    use cilint::render::{self, Direction, from_graph};
    let settings = Settings {
        orb_cache: Some("/nonexistent/cilint-fuzz/orb-cache".into()),
        ..Settings::default()
    };
    let (report, drawn) = cilint::analyze(input, "fuzz.yml", &settings, |cx, findings| {
        let mut diagrams = from_graph::diagrams(cx.graphs, findings);
        let inputs = [
            PlanInput::branch("main"),
            PlanInput {
                git_ref: GitRef::Tag("v1.2.3".into()),
                trigger: Trigger::Api,
                schedule_name: Some("nightly".into()),
                params: Vec::new(),
            },
        ];
        for input in &inputs {
            let p = plan::plan(cx.config, cx.graphs, input);
            assert!(!plan::render_human(&p, cx.path, false).is_empty());
            let json = plan::to_json(&p, cx.path, cx.source, cx.lines);
            assert!(serde_json::to_string(&json).is_ok());
            for (d, w) in diagrams.iter_mut().zip(&p.workflows) {
                plan::mark_diagram(d, w);
            }
        }
        for direction in [Direction::LeftRight, Direction::TopBottom] {
            let opts = render::Options {
                direction,
                ..render::Options::default()
            };
            let svg = render::svg::render_all(&diagrams, &opts);
            assert!(
                roxmltree::Document::parse(&svg).is_ok(),
                "invalid SVG:\n{svg}"
            );
            let dot = render::dot::render_all(&diagrams, &opts);
            assert!(dot.contains("digraph") || diagrams.is_empty(), "{dot}");
            render::mermaid::render_all(&diagrams, &opts);
        }
        diagrams.len()
    });
    assert_consistent(&report);
    for d in &report.diagnostics {
        for span in std::iter::once(d.primary.span).chain(d.labels.iter().map(|l| l.span)) {
            assert!(
                report.source.is_char_boundary(span.start as usize)
                    && report.source.is_char_boundary(span.end as usize),
                "{d:?} splits a character"
            );
        }
    }
    let reports = [report];
    write_every_format(&reports);
    let [report] = reports;
    (report, drawn)
}

/// Every fixture and example, and every fuzzer regression input, through what the fuzz target
/// runs: the report is consistent, the SVG is well-formed, a config with workflows draws them.
#[test]
fn fuzz_target_invariants_hold_on_fixtures_and_regressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = all_fixtures();
    let regressions = root.join("tests/fixtures/fuzz");
    if let Ok(dir) = std::fs::read_dir(&regressions) {
        // Fuzzer inputs are kept whatever their name (some are not YAML at all).
        inputs.extend(
            dir.map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_none_or(|e| e != "yml" && e != "yaml")),
        );
    }
    for path in inputs {
        let bytes = std::fs::read(&path).unwrap();
        let (done, wait) = mpsc::channel();
        let name = path.display().to_string();
        std::thread::spawn(move || done.send(exercise(&bytes)).unwrap());
        let (report, drawn) = match wait.recv_timeout(Duration::from_secs(60)) {
            Ok(r) => r,
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: did not return in 60 s"),
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{name}: panicked (see above)"),
        };
        let workflows = report.source.lines().any(|l| l.trim_end() == "workflows:");
        let unreadable = report
            .diagnostics
            .iter()
            .any(|d| matches!(d.rule, "yaml-syntax" | "yaml-limits"));
        if workflows && !unreadable {
            assert!(drawn > 0, "{name}: has workflows but none was drawn");
        }
    }
}

/// The human report draws the lines around each label, not every line between a finding's
/// labels: its length is bounded by the labels it draws (per label: the line, one line of
/// context each side, two lines of underline and label text, a snippet's top and bottom, and up
/// to `JOIN_GAP` = 5 lines joining it to the previous label's snippet), plus the header, help and
/// blank line of each finding. `far-apart-labels.yml` printed 5x this bound before the fix.
#[test]
fn human_report_is_linear_in_the_labels() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for entry in std::fs::read_dir(root.join("tests/fixtures/fuzz")).unwrap() {
        let path = entry.unwrap().path();
        let (report, _) = exercise(&std::fs::read(&path).unwrap());
        let bound: usize = report
            .diagnostics
            .iter()
            .map(|d| {
                let help = d.help.as_ref().map_or(0, |h| h.lines().count());
                12 * (1 + d.labels.len()) + 3 + help
            })
            .sum::<usize>()
            + 1;
        let mut out = Vec::new();
        report::write(
            Format::Human,
            &[report],
            &report::Options::default(),
            &mut out,
        )
        .unwrap();
        let lines = String::from_utf8(out).unwrap().lines().count();
        assert!(
            lines <= bound,
            "{}: {lines} lines of human report, more than {bound}",
            path.display()
        );
        checked += 1;
    }
    assert!(checked > 0);
}
