//! The environment, secret and image rules through the real binary: variables set nowhere, set
//! by each way the config can set them, declared in `.cilint.toml`, or possibly from an
//! undescribed context. Snapshots in `snapshots/` (names start `env__`).

mod common;

use common::{cilint, snapshot_run};

const RULES: &str = "undefined-env-var,env-not-expanded,secret-in-url,hardcoded-secret,image-unpinned,deprecated-image";

fn check(name: &str, path: &str, format: &str) -> common::Run {
    snapshot_run(
        name,
        cilint().args(["check", "--format", format, "--select", RULES, path]),
    )
}

#[test]
fn variables_set_nowhere_and_secrets_in_urls() {
    let r = check(
        "env__heroku_pipeline",
        "tests/fixtures/env/heroku-pipeline.yml",
        "human",
    );
    assert_eq!(r.code, 0, "warnings only");
    // Names set nowhere in the config are info (cilint cannot see project settings, contexts
    // or the image) until the project declares what it sets; the credentials get the hint.
    assert_eq!(r.stdout.matches("warning[undefined-env-var]").count(), 0);
    assert_eq!(r.stdout.matches("info[undefined-env-var]").count(), 3);
    // A token in a query string is a warning, one in a URL's credentials (masked in the
    // step's output) an info; `cimg/base:current` is CircleCI's maintained floating tag.
    assert_eq!(r.stdout.matches("warning[secret-in-url]").count(), 1);
    assert_eq!(r.stdout.matches("info[secret-in-url]").count(), 1);
    assert_eq!(r.stdout.matches("info[image-unpinned]").count(), 1);
}

#[test]
fn declared_project_variables_are_set() {
    let r = check(
        "env__declared",
        "tests/fixtures/env/declared/config.yml",
        "short",
    );
    assert!(!r.stdout.contains("undefined-env-var"));
    assert!(
        r.stdout.contains("secret-in-url"),
        "still a secret in a URL"
    );
}

#[test]
fn orb_command_arguments_are_read() {
    let r = check(
        "env__orb_arguments",
        "tests/fixtures/env/orb-arguments.yml",
        "short",
    );
    assert!(
        r.stdout
            .contains("info[undefined-env-var]: `API_TESTER_KEY`")
    );
    assert!(
        r.stdout
            .contains("warning[secret-in-url]: `API_TESTER_KEY`")
    );
}

#[test]
fn every_way_of_setting_or_testing_is_understood() {
    let r = check(
        "env__set_and_tested",
        "tests/fixtures/env/set/config.yml",
        "short",
    );
    assert_eq!(r.code, 0);
    assert!(!r.stdout.contains('['), "no finding: {}", r.stdout);
}

#[test]
fn undescribed_context_gives_info() {
    let r = check(
        "env__context_undescribed",
        "tests/fixtures/env/context-undescribed.yml",
        "short",
    );
    assert_eq!(r.stdout.matches("info[undefined-env-var]").count(), 2);
    assert!(!r.stdout.contains("warning["));
}

#[test]
fn shellcheck_findings_point_into_the_script() {
    let Some(bin) = cilint::find_shellcheck() else {
        common::skip("the shellcheck program");
        return;
    };
    let r = common::run(cilint().env_remove("CILINT_NO_SHELLCHECK").args([
        "check",
        "--format",
        "short",
        "--select",
        "shellcheck",
        "--shellcheck",
        bin.to_str().expect("path"),
        "tests/fixtures/env/scripts.yml",
    ]));
    assert!(
        r.stdout
            .contains("scripts.yml:19:13: warning[shellcheck]: SC2164:"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("scripts.yml:21:17: info[shellcheck]: SC2086:"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

#[test]
fn shellcheck_missing_is_one_note_in_human_format() {
    let empty = tempfile::tempdir().expect("temp dir");
    let r = common::run(
        cilint()
            .env_remove("CILINT_NO_SHELLCHECK")
            .env("PATH", empty.path())
            .args(["check", "tests/fixtures/env/scripts.yml"]),
    );
    assert_eq!(
        r.stderr
            .matches("note: shellcheck is not installed")
            .count(),
        1
    );
    let r = common::run(
        cilint()
            .env_remove("CILINT_NO_SHELLCHECK")
            .env("PATH", empty.path())
            .args(["check", "--no-shellcheck", "tests/fixtures/env/scripts.yml"]),
    );
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let r = common::run(cilint().args([
        "check",
        "--shellcheck",
        "/nonexistent/shellcheck",
        "tests/fixtures/env/scripts.yml",
    ]));
    assert_eq!(r.code, 2, "a missing --shellcheck program is a usage error");
}

/// Images written under a top-level anchor and merged into the jobs (`<<: *defaults`) are
/// judged once, where they are written.
#[test]
fn images_merged_from_an_anchor_are_judged_where_written() {
    let out = cilint()
        .args([
            "check",
            "--no-config",
            "--format",
            "short",
            "tests/fixtures/env/anchored-images.yml",
        ])
        .output()
        .expect("run cilint");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        "tests/fixtures/env/anchored-images.yml:4:14: warning[deprecated-image]: `circleci/node:10` is a legacy CircleCI image, deprecated and no longer updated\n\
         tests/fixtures/env/anchored-images.yml:7:14: warning[image-unpinned]: image `ubuntu:latest` uses `latest`, which changes under the job\n\
         2 warnings in 1 file\n"
    );
}
