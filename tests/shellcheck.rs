//! shellcheck through the binary: the answers kept between runs (the cache) never change what
//! is reported, `--no-cache` keeps nothing, and the `.shellcheckrc` of the folder cilint runs
//! in applies as it did when each script went to shellcheck on standard input.

mod common;
use common::{cilint, run};
use std::path::{Path, PathBuf};

/// `cilint check ARGS` with shellcheck on, its cache in `cache` (or `--no-cache`).
fn check(dir: &Path, cache: Option<&Path>, args: &[&str]) -> common::Run {
    let mut cmd = cilint();
    cmd.current_dir(dir)
        .env_remove("CILINT_NO_SHELLCHECK")
        .env_remove("CILINT_NO_CACHE")
        .env_remove("SHELLCHECK_OPTS")
        .arg("check");
    match cache {
        Some(c) => {
            cmd.env("XDG_CACHE_HOME", c);
        }
        None => {
            cmd.arg("--no-cache");
        }
    }
    run(cmd.args(args))
}

fn shellcheck_installed() -> bool {
    let ok = std::process::Command::new("shellcheck")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        common::skip("shellcheck");
    }
    ok
}

/// The cache's entries (files under `<cache>/cilint/shellcheck`).
fn entries(cache: &Path) -> usize {
    fn count(dir: &Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |rd| {
            rd.flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        count(&p)
                    } else {
                        usize::from(p.extension().is_some_and(|x| x == "json"))
                    }
                })
                .sum()
        })
    }
    count(&cache.join("cilint/shellcheck"))
}

#[test]
fn corpus_findings_are_the_same_cold_warm_and_without_the_cache() {
    if !shellcheck_installed() {
        return;
    }
    let dir = common::root().join("../shared/corpus/real");
    let Ok(listing) = std::fs::read_dir(&dir) else {
        common::skip("../shared/corpus/real");
        return;
    };
    let mut files: Vec<PathBuf> = listing
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    assert!(files.len() >= 100, "{} configs", files.len());
    let args: Vec<String> = ["--format", "json", "--fail-on", "never"]
        .iter()
        .map(|s| s.to_string())
        .chain(files.iter().map(|f| f.display().to_string()))
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let cache = tempfile::tempdir().unwrap();
    let root = common::root();
    let uncached = check(root, None, &args);
    assert_eq!(uncached.code, 0, "{}", uncached.stderr);
    assert!(
        uncached.stdout.contains("\"shellcheck\""),
        "shellcheck finds something in the corpus"
    );
    let cold = check(root, Some(cache.path()), &args);
    let kept = entries(cache.path());
    assert!(kept > 1000, "{kept} entries");
    let warm = check(root, Some(cache.path()), &args);
    assert_eq!(entries(cache.path()), kept, "a warm run adds nothing");
    assert_eq!(cold.stdout, uncached.stdout, "cold cache");
    assert_eq!(warm.stdout, uncached.stdout, "warm cache");
    assert_eq!((cold.code, warm.code), (0, 0));

    // A damaged entry is a miss, answered again and rewritten.
    let some_entry = walk(&cache.path().join("cilint/shellcheck"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("an entry");
    std::fs::write(&some_entry, b"{ not json").unwrap();
    let again = check(root, Some(cache.path()), &args);
    assert_eq!(again.stdout, uncached.stdout, "after a damaged entry");
    assert!(
        std::fs::read_to_string(&some_entry)
            .unwrap()
            .starts_with("{\"")
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

const SCRIPTS: &str = "version: 2.1
jobs:
  a:
    docker: [{image: cimg/base:2024.01}]
    steps:
      - run: echo $1
      - run: echo $1
  b:
    docker: [{image: cimg/base:2024.01}]
    steps:
      - run: echo $1
workflows:
  w:
    jobs: [a, b]
";

#[test]
fn no_cache_keeps_nothing_and_the_answers_are_the_same() {
    if !shellcheck_installed() {
        return;
    }
    let dir = common::scratch_repo(SCRIPTS);
    let cache = tempfile::tempdir().unwrap();
    let mut cmd = cilint();
    let without = run(cmd
        .current_dir(dir.path())
        .env_remove("CILINT_NO_SHELLCHECK")
        .env("XDG_CACHE_HOME", cache.path())
        .env("CILINT_NO_CACHE", "1")
        .args(["check", "--format", "short"]));
    assert!(!cache.path().join("cilint").exists(), "nothing written");
    let with = check(dir.path(), Some(cache.path()), &["--format", "short"]);
    assert_eq!(
        entries(cache.path()),
        1,
        "one script, three steps: one entry"
    );
    assert_eq!(with.stdout, without.stdout);
    assert_eq!(with.stdout.matches("SC2086").count(), 3, "{}", with.stdout);
}

#[test]
fn the_shellcheckrc_of_the_folder_cilint_runs_in_applies() {
    if !shellcheck_installed() {
        return;
    }
    let dir = common::scratch_repo(SCRIPTS);
    let cache = tempfile::tempdir().unwrap();
    let before = check(dir.path(), Some(cache.path()), &["--format", "short"]);
    assert_eq!(
        before.stdout.matches("SC2086").count(),
        3,
        "{}",
        before.stdout
    );
    std::fs::write(dir.path().join(".shellcheckrc"), "disable=SC2086\n").unwrap();
    for cache in [Some(cache.path()), None] {
        let after = check(dir.path(), cache, &["--format", "short"]);
        assert!(!after.stdout.contains("SC2086"), "{}", after.stdout);
    }
    // In a subfolder too, as shellcheck looks upwards.
    let sub = dir.path().join(".circleci");
    let below = check(
        &sub,
        Some(cache.path()),
        &["--format", "short", "config.yml"],
    );
    assert!(!below.stdout.contains("SC2086"), "{}", below.stdout);
}

/// Two cilint processes filling one cache at the same time: both report what an uncached run
/// reports, they leave whole entries only (no temporary file), and a third run reading them
/// reports the same.
#[test]
fn two_processes_share_one_cache() {
    if !shellcheck_installed() {
        return;
    }
    let scripts: String = (0..60)
        .map(|i| format!("  j{i}:\n    docker: [{{image: cimg/base:2024.01}}]\n    steps:\n      - run: echo $x{i} && cd /tmp/{}\n", i % 7))
        .collect();
    let config = format!(
        "version: 2.1\njobs:\n{scripts}workflows:\n  w:\n    jobs: [{}]\n",
        (0..60)
            .map(|i| format!("j{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let dir = common::scratch_repo(&config);
    let cache = tempfile::tempdir().unwrap();
    let args = ["--format", "json", "--fail-on", "never"];
    let uncached = check(dir.path(), None, &args);
    assert!(uncached.stdout.contains("SC2086"), "{}", uncached.stdout);
    let both: Vec<common::Run> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..2)
            .map(|_| s.spawn(|| check(dir.path(), Some(cache.path()), &args)))
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    for run in &both {
        assert_eq!(run.stdout, uncached.stdout, "{}", run.stderr);
    }
    assert_eq!(entries(cache.path()), 60, "one entry per distinct script");
    let leftovers: Vec<PathBuf> = walk(&cache.path().join("cilint/shellcheck"))
        .into_iter()
        .filter(|p| p.extension().is_none_or(|e| e != "json"))
        .filter(|p| p.file_name().is_some_and(|n| n != ".trimmed"))
        .collect();
    assert_eq!(leftovers, Vec::<PathBuf>::new(), "no temporary files left");
    let third = check(dir.path(), Some(cache.path()), &args);
    assert_eq!(third.stdout, uncached.stdout);
}
