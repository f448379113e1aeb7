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

fn check(input: &[u8], seed: u64, settings: &Settings) {
    let result = std::panic::catch_unwind(|| {
        let report = cilint::lint(input, "fuzz.yml", settings);
        assert_consistent(&report);
        let reports = [report];
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
            report::write(format, &reports, &report::Options::default(), &mut out).unwrap();
            assert!(String::from_utf8(out).is_ok());
        }
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
