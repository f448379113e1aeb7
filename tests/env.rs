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
    assert_eq!(r.stdout.matches("warning[undefined-env-var]").count(), 3);
    assert_eq!(r.stdout.matches("warning[secret-in-url]").count(), 2);
    assert_eq!(r.stdout.matches("warning[image-unpinned]").count(), 1);
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
            .contains("warning[undefined-env-var]: `API_TESTER_KEY`")
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
