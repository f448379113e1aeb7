//! The pre-commit hooks in `.pre-commit-hooks.yaml`, run by the real `pre-commit` (from pip) in
//! scratch git repositories, with the README's `.pre-commit-config.yaml` snippet: a commit of a
//! clean config goes through; a commit of a broken one is stopped and the finding is printed.
//!
//! Without `pre-commit` on PATH the tests print a note and pass (`.ci/run` installs it, so CI
//! runs them). The `language: rust` hook builds cilint with `cargo install`, which takes minutes:
//! its test is `#[ignore]`d in the default run; `.ci/run` runs it with
//! `cargo test --test precommit -- --ignored`.

mod common;

use common::{BROKEN, CLEAN, path_with_cilint, root};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn have_pre_commit() -> bool {
    let ok = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "note: `pre-commit` is not installed (pip install pre-commit): the pre-commit hook test is skipped"
        );
    }
    ok
}

/// Where the commands run: a scratch folder (for the repositories, pre-commit's cache and the
/// git settings; HOME stays, so that pyenv, cargo and rustup keep working) and a PATH.
struct Env {
    home: PathBuf,
    path: OsString,
}

/// A command with a predictable git identity and no user-wide git or pre-commit state.
fn command(program: &str, dir: &Path, env: &Env) -> Command {
    let home = &env.home;
    let mut cmd = Command::new(program);
    cmd.current_dir(dir)
        .env("PATH", &env.path)
        .env("PRE_COMMIT_HOME", home.join("pre-commit-cache"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", home.join("gitconfig"))
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("CILINT_NO_SHELLCHECK", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR");
    cmd
}

/// What a command printed, stdout then stderr.
fn printed(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn ok(out: Output, what: &str) -> String {
    let text = printed(&out);
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}

/// The README's `.pre-commit-config.yaml` snippet.
fn readme_snippet() -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("```yaml\n# .pre-commit-config.yaml\n")
        .expect("the README shows a .pre-commit-config.yaml");
    let body = &readme[start + "```yaml\n".len()..];
    body[..body.find("```").unwrap()].to_string()
}

/// The README's snippet pointed at `repo` at `rev`, using hook `id`.
fn pre_commit_config(repo: &Path, rev: &str, id: &str) -> String {
    let snippet = readme_snippet();
    let mut out = String::new();
    for line in snippet.lines() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        if trimmed.starts_with("- repo:") {
            out.push_str(&format!("{indent}- repo: {}\n", repo.display()));
        } else if trimmed.starts_with("rev:") {
            out.push_str(&format!("{indent}rev: {rev}\n"));
        } else if trimmed.starts_with("- id: cilint") {
            out.push_str(&format!("{indent}- id: {id}\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(out.contains(&format!("- id: {id}")), "{out}");
    out
}

fn git_head(dir: &Path, env: &Env) -> String {
    let out = ok(
        command("git", dir, env)
            .args(["rev-parse", "HEAD"])
            .output()
            .unwrap(),
        "git rev-parse",
    );
    out.trim().to_string()
}

/// A scratch repository using `id` from `hooks` (a git repository holding
/// `.pre-commit-hooks.yaml`); commits a clean config, then a broken one.
fn commit_clean_then_broken(hooks: &Path, id: &str, env: &Env) {
    let rev = git_head(hooks, env);
    let work = env.home.join("work");
    std::fs::create_dir_all(work.join(".circleci")).unwrap();
    let git = |args: &[&str]| command("git", &work, env).args(args).output().unwrap();
    ok(git(&["init", "-q", "-b", "main"]), "git init");
    std::fs::write(
        work.join(".pre-commit-config.yaml"),
        pre_commit_config(hooks, &rev, id),
    )
    .unwrap();
    ok(
        command("pre-commit", &work, env)
            .arg("install")
            .output()
            .unwrap(),
        "pre-commit install",
    );

    // A clean config: the hook runs (on the changed file) and passes, the commit is made.
    std::fs::write(work.join(".circleci/config.yml"), CLEAN).unwrap();
    ok(git(&["add", "."]), "git add");
    let text = ok(
        git(&["commit", "-q", "-m", "clean"]),
        "committing a clean config",
    );
    assert!(text.contains("Passed"), "the hook ran:\n{text}");

    // A broken one: the commit is stopped and the finding is shown.
    std::fs::write(work.join(".circleci/config.yml"), BROKEN).unwrap();
    ok(git(&["add", "."]), "git add");
    let out = git(&["commit", "-q", "-m", "broken"]);
    let text = printed(&out);
    assert!(!out.status.success(), "the commit went through:\n{text}");
    assert!(text.contains("Failed"), "{text}");
    assert!(text.contains("error[unknown-job]"), "{text}");
    assert!(text.contains(".circleci/config.yml:12:9"), "{text}");
    assert!(text.contains("deploy"), "{text}");
    // A file outside `.circleci/` does not run the hook.
    ok(
        git(&["reset", "-q", "HEAD", ".circleci/config.yml"]),
        "git reset",
    );
    std::fs::write(work.join("notes.yml"), "not: [a, config\n").unwrap();
    ok(git(&["add", "notes.yml"]), "git add");
    let text = ok(
        git(&["commit", "-q", "-m", "notes"]),
        "committing another file",
    );
    assert!(
        text.contains("Skipped") || text.contains("no files to check"),
        "{text}"
    );
}

/// A git repository holding this project's `.pre-commit-hooks.yaml` as it is in the tree.
fn hooks_repo(env: &Env) -> PathBuf {
    let hooks = env.home.join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::copy(
        root().join(".pre-commit-hooks.yaml"),
        hooks.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    let git = |args: &[&str]| command("git", &hooks, env).args(args).output().unwrap();
    ok(git(&["init", "-q", "-b", "main"]), "git init");
    ok(git(&["add", "."]), "git add");
    ok(git(&["commit", "-q", "-m", "hooks"]), "git commit");
    hooks
}

#[test]
fn system_hook_with_real_pre_commit() {
    if !have_pre_commit() {
        common::skip("the pre-commit program");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let env = Env {
        home: home.path().to_path_buf(),
        path: path_with_cilint(),
    };
    let hooks = hooks_repo(&env);
    commit_clean_then_broken(&hooks, "cilint-system", &env);
}

/// The `language: rust` hook: pre-commit clones this repository and builds cilint with
/// `cargo install` (minutes), then runs it. A local clone of the committed HEAD stands for the
/// published repository.
#[test]
#[ignore = "builds cilint from source with cargo install (minutes); .ci/run runs it"]
fn rust_hook_with_real_pre_commit() {
    if !have_pre_commit() {
        common::skip("the pre-commit program");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    // The built binary is not on PATH: the hook must bring its own.
    let env = Env {
        home: home.path().to_path_buf(),
        path: std::env::var_os("PATH").unwrap_or_default(),
    };
    let clone = env.home.join("cilint");
    ok(
        command("git", &env.home, &env)
            .args(["clone", "-q"])
            .arg(root())
            .arg(&clone)
            .output()
            .unwrap(),
        "git clone",
    );
    commit_clean_then_broken(&clone, "cilint", &env);
}
