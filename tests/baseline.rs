//! `cilint check --baseline`: today's findings are accepted in `.cilint.toml`, later ones fail.

mod common;

use common::{check_in, scratch_repo};
use std::fs;

/// A warning (`undefined-env-var`), an error (`unknown-job`) and a clean rest.
const LEGACY: &str = "version: 2.1
jobs:
  build:
    docker:
      - image: cimg/base:2024.02
    steps:
      - checkout
      - run: ./deploy.sh --token \"$DEPLOY_TOKEN\"
workflows:
  main:
    jobs:
      - build
      - deploy
";

#[test]
fn baseline_accepts_todays_findings_and_only_those() {
    let dir = scratch_repo(LEGACY);
    let check = |args: &[&str]| check_in(dir.path(), &[args, &["--fail-on", "info"]].concat());
    assert_eq!(check(&[]).code, 1);

    let r = check(&["--baseline"]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    let settings = dir.path().join(".circleci/.cilint.toml");
    assert_eq!(
        r.stdout,
        format!(
            "{}: updated; [env] project gets DEPLOY_TOKEN; [rules] turns off unknown-job\n",
            settings.canonicalize().unwrap().display()
        )
    );
    let text = fs::read_to_string(&settings).unwrap();
    assert_eq!(
        text,
        "[rules]\nunknown-job = \"off\"\n\n[env]\nproject = [\"DEPLOY_TOKEN\"]\n"
    );
    let r = check(&[]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert!(r.stdout.contains("no problems"));
    // Running it again changes nothing.
    let r = check(&["--baseline"]);
    assert!(r.stdout.contains("nothing to accept"), "{}", r.stdout);
    assert_eq!(fs::read_to_string(&settings).unwrap(), text);

    // A new problem of a rule that is still on fails again: another variable, and a duplicate
    // key.
    let newer = LEGACY.replace("\"$DEPLOY_TOKEN\"", "\"$DEPLOY_TOKEN $OTHER\"")
        + "workflows:\n  other:\n    jobs: [build]\n";
    fs::write(dir.path().join(".circleci/config.yml"), newer).unwrap();
    let r = check(&["--format", "short"]);
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(r.stdout.contains("undefined-env-var"), "{}", r.stdout);
    assert!(r.stdout.contains("`OTHER`"), "{}", r.stdout);
    assert!(!r.stdout.contains("`DEPLOY_TOKEN`"), "{}", r.stdout);
    assert!(r.stdout.contains("duplicate-key"), "{}", r.stdout);
}

#[test]
fn baseline_updates_the_discovered_file_and_keeps_it() {
    let dir = scratch_repo(LEGACY);
    let existing = "# Our settings.\n[rules]\nimage-unpinned = \"error\"  # we pin images\n\n[contexts]\nprod = [\"AWS_KEY\"]\n";
    fs::write(dir.path().join(".cilint.toml"), existing).unwrap();
    let r = check_in(dir.path(), &["--baseline"]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert!(!dir.path().join(".circleci/.cilint.toml").exists());
    let text = fs::read_to_string(dir.path().join(".cilint.toml")).unwrap();
    assert!(
        text.starts_with("# Our settings.\n[rules]\nimage-unpinned = \"error\"  # we pin images\nunknown-job = \"off\"\n"),
        "{text}"
    );
    assert!(
        text.contains("[contexts]\nprod = [\"AWS_KEY\"]\n"),
        "{text}"
    );
    assert!(
        text.contains("[env]\nproject = [\"DEPLOY_TOKEN\"]\n"),
        "{text}"
    );
    let r = check_in(dir.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.transcript());
}

#[test]
fn baseline_with_no_config_is_a_usage_error() {
    let dir = scratch_repo(LEGACY);
    let r = check_in(dir.path(), &["--baseline", "--no-config"]);
    assert_eq!(r.code, 2);
}
