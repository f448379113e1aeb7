//! `cilint lsp`: how long after an edit of a 200 KB config its diagnostics arrive (target:
//! under 50 ms).
//!
//! `cargo bench --bench lsp` (release profile). No criterion: `std::time`, the median of
//! several runs, as the other benchmarks. The server is the real binary, started as an editor
//! starts it and spoken to over its stdin and stdout: the config (generated, see
//! `tests/support/generate.rs`, as a `.circleci/config.yml` in a temporary folder) is opened,
//! then each run sends one incremental change (a character typed into, or removed from, a
//! `run` step's name: the finding set stays the same) and waits for the `publishDiagnostics` of
//! that version. The figure is the whole round trip: framing and JSON both ways, applying the
//! change, settings, lint, and the diagnostics' conversion.
//!
//! `CILINT_BENCH_RUNS=N` sets the number of runs (default 31). Under `cargo test` (no
//! `--bench` argument) it only does one quick round on a small config.

#[path = "../tests/support/generate.rs"]
mod generate;

use generate::{GenOptions, config};
use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::{Value, json};
use std::io::{BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// The smallest generated config of at least `bytes` bytes.
fn config_of(bytes: usize) -> String {
    let mut jobs = 10;
    loop {
        let text = config(GenOptions {
            jobs,
            workflows: (jobs / 500).max(1),
            seed: 1,
        });
        if text.len() >= bytes {
            return text;
        }
        jobs += (jobs / 20).max(1);
    }
}

fn send(stdin: &mut impl Write, m: Message) {
    m.write(stdin).expect("the server reads its input");
}

fn notify(stdin: &mut impl Write, method: &str, params: Value) {
    send(
        stdin,
        Message::Notification(Notification::new(method.to_string(), params)),
    );
}

fn main() {
    let full = full_run();
    let runs: usize = if full {
        std::env::var("CILINT_BENCH_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(31)
    } else {
        1
    };
    let text = config_of(if full { 200_000 } else { 5_000 });
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join(".circleci/config.yml");
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(&path, &text).expect("write");
    let uri = format!("file://{}", path.display());
    // Where to type: the end of the first `run` step's name.
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with("name: Build"))
        .expect("a named run step");
    let column = text.lines().nth(line).expect("the line").len();

    let mut child = Command::new(env!("CARGO_BIN_EXE_cilint"))
        .arg("lsp")
        .env("CILINT_NO_SHELLCHECK", "1")
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("cilint lsp starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        while let Ok(Some(m)) = Message::read(&mut stdout) {
            if tx.send(m).is_err() {
                break;
            }
        }
    });
    // The diagnostics of `version` (earlier messages skipped): how many.
    let wait_for = |version: i32| -> usize {
        loop {
            match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(Message::Notification(n))
                    if n.method == "textDocument/publishDiagnostics"
                        && n.params["version"] == json!(version) =>
                {
                    return n.params["diagnostics"].as_array().map_or(0, Vec::len);
                }
                Ok(_) => {}
                Err(e) => panic!("no diagnostics from the server: {e}"),
            }
        }
    };

    send(
        &mut stdin,
        Message::Request(Request::new(
            RequestId::from(1),
            "initialize".into(),
            json!({"capabilities": {}}),
        )),
    );
    notify(&mut stdin, "initialized", json!({}));
    let opened = Instant::now();
    notify(
        &mut stdin,
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
    );
    let findings = wait_for(1);
    let open_time = opened.elapsed();

    let mut times = Vec::with_capacity(runs);
    for run in 0..runs {
        let version = run as i32 + 2;
        // Type a character, then take it back, in turn.
        let change = if run % 2 == 0 {
            json!({"range": {"start": {"line": line, "character": column},
                             "end": {"line": line, "character": column}}, "text": "x"})
        } else {
            json!({"range": {"start": {"line": line, "character": column},
                             "end": {"line": line, "character": column + 1}}, "text": ""})
        };
        let t = Instant::now();
        notify(
            &mut stdin,
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
        let n = wait_for(version);
        times.push(t.elapsed());
        assert_eq!(n, findings, "the same findings after each edit");
    }
    send(
        &mut stdin,
        Message::Request(Request::new(
            RequestId::from(2),
            "shutdown".into(),
            Value::Null,
        )),
    );
    notify(&mut stdin, "exit", Value::Null);
    drop(stdin);
    let _ = child.wait();

    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "lsp: a config of {} KB ({} lines, {} findings): open {:.1} ms; an edit's diagnostics \
         median {:.1} ms, min {:.1} ms, max {:.1} ms over {} runs (target < 50 ms)",
        text.len() / 1000,
        text.lines().count(),
        findings,
        ms(open_time),
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        runs,
    );
}
