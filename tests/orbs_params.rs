//! Orbs, parameters and arguments: fixtures linted through the library with an orb cache the
//! test writes into a temporary folder. Findings are snapshots in `snapshots/` (names start
//! `orbs__`).

mod common;

use cilint::{Diagnostic, LineIndex, Settings};
use common::{cilint, root, run, snapshot};
use std::path::Path;

/// The rules these fixtures are about.
const MINE: &[&str] = &[
    "unknown-orb-member",
    "orb-unresolved",
    "orb-version-resolved",
    "orb-unpinned",
    "unused-orb",
    "undefined-parameter",
    "unknown-pipeline-value",
    "unused-parameter",
    "missing-argument",
    "unknown-argument",
    "argument-type",
];

/// Lint `source` with the orb cache `cache` (none: every registry orb is unresolved).
fn lint(source: &str, cache: Option<&Path>) -> Vec<Diagnostic> {
    let settings = Settings {
        orb_cache: Some(
            cache.map_or_else(|| root().join("target/test-empty-cache"), Path::to_path_buf),
        ),
        ..Settings::default()
    };
    let mut out = cilint::lint(source.as_bytes(), "config.yml", &settings).diagnostics;
    // Only this family's findings: other rules have fixtures of their own.
    out.retain(|d| MINE.contains(&d.rule));
    out.sort_by_key(|d| (d.primary.span.start, d.rule));
    out
}

/// The findings as text: position, severity, rule, message, labels and help.
fn render(source: &str, diags: &[Diagnostic]) -> String {
    let lines = LineIndex::new(source);
    let mut s = String::new();
    for d in diags {
        let lc = lines.line_col(source, d.primary.span.start as usize);
        let (line, col) = (lc.line, lc.column);
        s.push_str(&format!(
            "{line}:{col} {}[{}] {}\n",
            d.severity, d.rule, d.message
        ));
        s.push_str(&format!(
            "    `{}`: {}\n",
            d.primary.span.slice(source),
            d.primary.message
        ));
        for l in &d.labels {
            let at = lines.line_col(source, l.span.start as usize);
            let (ll, lc) = (at.line, at.column);
            s.push_str(&format!("    {ll}:{lc}: {}\n", l.message));
        }
        if let Some(h) = &d.help {
            s.push_str(&format!("    help: {h}\n"));
        }
    }
    s
}

/// `cilint check --format short` on a fixture, only this family's rules, with the orb cache
/// `cache` (an empty one when `None`), through the real binary.
fn check_binary(fixture: &str, cache: Option<&Path>) -> String {
    let empty = tempfile::tempdir().expect("temp dir");
    let dir = cache.unwrap_or(empty.path());
    run(cilint()
        .args([
            "check",
            "--format",
            "short",
            "--no-config",
            "--select",
            &MINE.join(","),
        ])
        .arg("--orb-cache")
        .arg(dir)
        .arg(format!("tests/fixtures/orbs/{fixture}")))
    .transcript()
}

fn snap(name: &str, text: &str) {
    snapshot(name, text, &[]);
}

/// Snapshot a fixture's findings twice: through the library (`name`) and through the binary
/// (`name_cli`), both with the orb cache `cache`.
fn snap_lint_and_check(name: &str, fixture_name: &str, cache: Option<&Path>) {
    let src = fixture(fixture_name);
    snap(name, &render(&src, &lint(&src, cache)));
    snap(&format!("{name}_cli"), &check_binary(fixture_name, cache));
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(root().join("tests/fixtures/orbs").join(name)).expect("fixture")
}

/// A small orb source, as `circleci orb source` prints one.
const COVERAGE_ORB: &str = r#"version: 2.1
description: Upload coverage reports.
executors:
  default:
    docker:
      - image: cimg/base:2024.01
commands:
  upload:
    parameters:
      file:
        type: string
      flags:
        type: string
        default: ""
    steps:
      - run: ./upload.sh << parameters.file >> << parameters.flags >>
jobs:
  publish:
    parameters:
      token-variable:
        type: env_var_name
    executor: default
    steps:
      - run: ./publish.sh $<< parameters.token-variable >>
"#;

/// A temporary orb cache holding `ns/name@version.yml` files.
fn cache_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    common::scratch(files)
}

fn ids(diags: &[Diagnostic]) -> Vec<&str> {
    diags.iter().map(|d| d.rule).collect()
}

fn errors(diags: &[Diagnostic]) -> Vec<&Diagnostic> {
    diags
        .iter()
        .filter(|d| d.severity == cilint::Severity::Error)
        .collect()
}

#[test]
fn inline_orb_members() {
    snap_lint_and_check("orbs__inline_orb_members", "inline-orb-members.yml", None);
}

#[test]
fn cached_orb_members_and_arguments() {
    let cache = cache_with(&[("example/coverage@1.4.2.yml", COVERAGE_ORB)]);
    snap_lint_and_check("orbs__cached_orb", "cached-orb.yml", Some(cache.path()));
}

#[test]
fn uncached_orb_is_only_an_info() {
    let empty = cache_with(&[]);
    let src = fixture("cached-orb.yml");
    let diags = lint(&src, Some(empty.path()));
    assert!(errors(&diags).is_empty(), "{}", render(&src, &diags));
    assert_eq!(
        ids(&diags)
            .iter()
            .filter(|r| **r == "orb-unresolved")
            .count(),
        2
    );
}

#[test]
fn orb_versions() {
    let cache = cache_with(&[(
        "circleci/go@5.1.1.yml",
        "version: 2.1\njobs:\n  test:\n    docker: [{image: cimg/go:1.22}]\n    steps: [checkout]\n",
    )]);
    snap_lint_and_check("orbs__orb_versions", "orb-versions.yml", Some(cache.path()));
}

#[test]
fn parameter_references() {
    snap_lint_and_check(
        "orbs__parameter_references",
        "parameter-references.yml",
        None,
    );
}

#[test]
fn arguments() {
    snap_lint_and_check("orbs__arguments", "arguments.yml", None);
}

#[test]
fn matrix_requires() {
    let src = fixture("matrix-requires.yml");
    let diags = lint(&src, None);
    assert!(diags.is_empty(), "{}", render(&src, &diags));
    // The instances and what each requires: `config::model` unit tests.
}

#[test]
fn real_world_patterns_are_clean() {
    let src = fixture("clean-real-world.yml");
    let cache = cache_with(&[]);
    let diags = lint(&src, Some(cache.path()));
    let noisy: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.rule != "orb-unresolved")
        .collect();
    assert!(noisy.is_empty(), "{}", render(&src, &diags));
}

/// A file of the shared corpus, `None` when the corpus is not next to the project (the tests
/// that need it then check nothing and say so).
fn corpus(rel: &str) -> Option<String> {
    let text = std::fs::read_to_string(root().join("../shared/corpus").join(rel)).ok();
    if text.is_none() {
        eprintln!("skipped: ../shared/corpus/{rel} is not there");
    }
    text
}

/// The files of the shared corpus folder `folder` whose names `keep` accepts, as (name, text);
/// `None` when the corpus is not next to the project.
fn corpus_files(folder: &str, keep: impl Fn(&str) -> bool) -> Option<Vec<(String, String)>> {
    let dir = root().join("../shared/corpus").join(folder);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: {} is not there", dir.display());
        return None;
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if keep(&name) {
            files.push((name, std::fs::read_to_string(&path).expect("read")));
        }
    }
    Some(files)
}

#[test]
fn enzo_e_undeclared_job_parameter() {
    let Some(src) = corpus("broken/enzo-e-undeclared-job-parameter.yml") else {
        common::skip("../shared/corpus");
        return;
    };
    let diags = lint(&src, None);
    let undefined: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.rule == "undefined-parameter")
        .collect();
    assert!(!undefined.is_empty(), "{}", render(&src, &diags));
    assert!(
        undefined
            .iter()
            .all(|d| d.primary.span.slice(&src) == "parameters.usegrackle"),
        "{}",
        render(&src, &diags)
    );
}

#[test]
fn codecov_command_used_as_job() {
    let Some(src) = corpus("broken/codecov-orb-command-used-as-job.yml") else {
        common::skip("../shared/corpus");
        return;
    };
    // With an empty cache, the built-in catalog knows codecov/codecov@1.1.4; with a (small,
    // hand-written) source of the orb in the cache, the cache is read instead. Either way
    // `codecov/upload`, a command, is run as a job.
    let codecov = "version: 2.1\ncommands:\n  upload:\n    parameters:\n      file:\n        type: string\n        default: \"\"\n    steps:\n      - run: ./codecov -f \"<< parameters.file >>\"\n";
    for cache in [
        cache_with(&[]),
        cache_with(&[("codecov/codecov@1.1.4.yml", codecov)]),
    ] {
        let diags = lint(&src, Some(cache.path()));
        assert!(!ids(&diags).contains(&"orb-unresolved"));
        let errs = errors(&diags);
        assert_eq!(errs.len(), 1, "{}", render(&src, &diags));
        assert_eq!(errs[0].rule, "unknown-orb-member");
        assert_eq!(errs[0].primary.span.slice(&src), "codecov/upload");
        assert!(
            errs[0]
                .message
                .contains("is a command of orb `codecov` (`codecov/codecov@1.1.4`), not a job"),
            "{}",
            errs[0].message
        );
    }
}

#[test]
fn real_corpus_gets_no_errors() {
    let known_invalid =
        std::fs::read_to_string(root().join("../shared/corpus/real/KNOWN-INVALID.tsv"))
            .unwrap_or_default();
    let Some(files) = corpus_files("real", |name| {
        name.ends_with(".yml") && !known_invalid.contains(name)
    }) else {
        common::skip("../shared/corpus");
        return;
    };
    let empty = cache_with(&[]);
    let mut report = String::new();
    let mut checked = 0;
    for (name, src) in files {
        checked += 1;
        let diags = lint(&src, Some(empty.path()));
        let mine: Vec<Diagnostic> = diags
            .into_iter()
            .filter(|d| d.severity == cilint::Severity::Error)
            .collect();
        if !mine.is_empty() {
            report.push_str(&format!("== {name}\n{}", render(&src, &mine)));
        }
    }
    assert!(checked > 10);
    assert!(report.is_empty(), "{report}");
}

#[test]
fn cli_false_positives_stay_clean() {
    let Some(files) = corpus_files("broken", |name| name.starts_with("cli-false-positive-")) else {
        common::skip("../shared/corpus");
        return;
    };
    let mut checked = 0;
    for (name, src) in files {
        checked += 1;
        let diags = lint(&src, None);
        let noisy: Vec<Diagnostic> = diags
            .into_iter()
            .filter(|d| d.rule != "orb-unresolved")
            .collect();
        assert!(noisy.is_empty(), "{name}\n{}", render(&src, &noisy));
    }
    assert!(checked > 0);
}

/// An executor default that names no executor is an error where a call leaves the parameter
/// out (CircleCI resolves the default there), a warning where every call gives it.
#[test]
fn executor_defaults_are_errors_only_where_used() {
    let config = |entry: &str| {
        format!(
            "version: 2.1
executors:
  linux:
    docker:
      - image: cimg/base:2024.02
jobs:
  e2e:
    parameters:
      os:
        type: executor
        default: os.linux
    executor: << parameters.os >>
    steps:
      - run: make
workflows:
  main:
    jobs:
{entry}"
        )
    };
    let severities = |source: &str| -> Vec<String> {
        lint(source, None)
            .iter()
            .filter(|d| d.rule == "argument-type")
            .map(|d| d.severity.to_string())
            .collect()
    };
    let given = config("      - e2e:\n          os: linux\n");
    assert_eq!(severities(&given), ["warning"]);
    let left_out =
        config("      - e2e:\n          os: linux\n      - e2e:\n          name: plain\n");
    assert_eq!(severities(&left_out), ["error"]);
    let bare = config("      - e2e\n");
    assert_eq!(severities(&bare), ["error"]);
}
