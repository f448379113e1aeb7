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
        .env("CILINT_NO_SHELLCHECK", "1");
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
