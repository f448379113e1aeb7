//! Shared helpers for the integration tests: run the real binary, snapshot its whole output.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The project root (tests run the binary from here, so paths in output are relative).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// `cilint` run from the project root, with no colour variables inherited.
pub fn cilint() -> Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("cilint");
    cmd.current_dir(root())
        // An orb cache that is always empty: a developer's own cache must not change outputs.
        .env("XDG_CACHE_HOME", root().join("target/test-empty-cache"))
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("CILINT_NO_SHELLCHECK", "1")
        // A test that turns shellcheck on keeps no answers in that folder either (the tests of
        // the cache, `tests/shellcheck.rs`, give it a folder of their own).
        .env("CILINT_NO_CACHE", "1");
    cmd
}

/// What a run did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("the binary runs");
    Run {
        code: out.status.code().expect("exited normally (no signal)"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

impl Run {
    /// Exit code, stdout and stderr in one text, for a snapshot.
    pub fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Snapshot `value` under `name` in the top-level `snapshots/` folder; each `(from, to)` in
/// `replace` is applied first (temporary folders, for one).
pub fn snapshot(name: &str, value: &str, replace: &[(&str, &str)]) {
    let mut value = value.to_string();
    for (from, to) in replace {
        value = value.replace(from, to);
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, value));
}

/// Run and snapshot the transcript.
pub fn snapshot_run(name: &str, cmd: &mut Command) -> Run {
    let r = run(cmd);
    snapshot(name, &r.transcript(), &[]);
    r
}

/// A config with one job that its workflow runs: no finding at all.
pub const CLEAN: &str = "version: 2.1
jobs:
  build:
    docker:
      - image: cimg/base:2024.02
    steps:
      - checkout
      - run: make
workflows:
  main:
    jobs:
      - build
";

/// A config whose workflow runs a job that does not exist: one error, `unknown-job` at 12:9.
pub const BROKEN: &str = "version: 2.1
jobs:
  build:
    docker:
      - image: cimg/base:2024.02
    steps:
      - checkout
workflows:
  main:
    jobs:
      - build
      - deploy
";

/// A scratch folder holding `files` (paths relative to it; folders are made as needed).
pub fn scratch(files: &[(impl AsRef<Path>, impl AsRef<[u8]>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (rel, text) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

/// A scratch repository (a `.git` folder marks its root) with `.circleci/config.yml`.
pub fn scratch_repo(config: &str) -> tempfile::TempDir {
    let dir = scratch(&[(".circleci/config.yml", config)]);
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir .git");
    dir
}

/// `PATH` with the folder of the built `cilint` first.
pub fn path_with_cilint() -> std::ffi::OsString {
    let bin = assert_cmd::cargo::cargo_bin!("cilint");
    let mut paths = vec![bin.parent().expect("the binary's folder").to_path_buf()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).expect("a valid PATH")
}

/// `cilint check ARGS` run in `dir` (a scratch repository, say).
pub fn check_in(dir: &Path, args: &[&str]) -> Run {
    run(cilint().current_dir(dir).arg("check").args(args))
}

/// A test that needs something missing here (`../shared` beside the project, or a program such
/// as shellcheck, dot or pre-commit) is skipped with a note; under `CI=true` it fails instead,
/// so CI cannot pass by skipping (`.ci/run` installs what the tests need).
pub fn skip(what: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what} is missing, and CI=true requires every test to run");
    }
    eprintln!("skipped: {what} is missing");
}
