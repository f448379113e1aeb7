//! `cilint check --orb`: an orb source folder linted as one orb, each finding reported in the
//! file it is about. Whole outputs are snapshots in `snapshots/` (names start `orb_src__`).

mod common;

use common::{Run, cilint, run, scratch, snapshot, snapshot_run};
use std::path::{Path, PathBuf};

const GOOD: &str = "tests/fixtures/orb-src/good/src";
const BROKEN: &str = "tests/fixtures/orb-src/broken/src";

/// An orb command.
const HELLO: &str = "description: Say hello.\nsteps:\n  - run: echo hello\n";

/// An orb source folder (`src/` in a scratch folder): an `@orb.yml` saying `description`, and
/// `members` (paths relative to `src/`).
fn orb_source(description: &str, members: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let orb_yml = format!(
        "version: 2.1\ndescription: {description}\ndisplay:\n  home_url: https://example.com\n  source_url: https://example.com/src\n"
    );
    let mut files = vec![("src/@orb.yml".to_string(), orb_yml)];
    files.extend(
        members
            .iter()
            .map(|(path, text)| (format!("src/{path}"), text.to_string())),
    );
    let dir = scratch(&files);
    let src = dir.path().join("src");
    (dir, src)
}

/// `check --orb --format short` on the orb source folder `src`.
fn check_orb_short(src: &Path) -> Run {
    run(cilint()
        .args(["check", "--orb", "--format", "short"])
        .arg(src))
}

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).expect("the json report parses")
}

#[test]
fn a_good_orb_has_no_finding() {
    let r = snapshot_run("orb_src__good", cilint().args(["check", "--orb", GOOD]));
    assert_eq!(r.code, 0);
}

#[test]
fn the_orb_project_root_means_its_src_folder() {
    let r = run(cilint().args(["check", "--orb", "tests/fixtures/orb-src/good"]));
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert_eq!(r.stdout, "no problems in 8 files\n");
}

#[test]
fn a_broken_orb_in_every_format() {
    for format in [
        "human", "short", "json", "sarif", "github", "junit", "gitlab",
    ] {
        let r = run(cilint().args(["check", "--orb", BROKEN, "--format", format]));
        assert_eq!(r.code, 1, "{format}: {}", r.transcript());
        // SARIF lists every rule with its explanation: only the results are about the orb.
        let text = if format == "sarif" {
            // (`ruleIndex` depends on the registry's order, which other rules change.)
            let mut v = json(&r.stdout);
            let mut results = v["runs"][0]["results"].take();
            for res in results.as_array_mut().into_iter().flatten() {
                res.as_object_mut().map(|o| o.remove("ruleIndex"));
            }
            serde_json::to_string_pretty(&results).unwrap()
        } else {
            r.transcript()
        };
        snapshot(&format!("orb_src__broken_{format}"), &text, &[]);
    }
}

#[test]
fn json_findings_name_their_own_file_line_and_column() {
    let r = run(cilint().args(["check", "--orb", BROKEN, "--format", "json"]));
    let v = json(&r.stdout);
    let text = v.to_string();
    // Every finding is reported in the file it is about, at its place in that file.
    let expect = [
        ("commands/install.yml", "orb-include-missing", 14, 16),
        ("jobs/test.yml", "orb-include-not-whole", 20, 16),
        ("jobs/test.yml", "unknown-executor", 9, 9),
        ("jobs/test.yml", "argument-type", 14, 14),
        ("jobs/test.yml", "unknown-command", 15, 5),
        ("scripts/run-tests.sh", "orb-script-parameter", 4, 20),
        ("examples/test_on_push.yml", "unknown-argument", 10, 13),
        ("scripts/old.sh", "orb-unused-script", 1, 1),
        ("@orb.yml", "orb-metadata", 4, 13),
        ("jobs/2fast.yml", "orb-source-file", 1, 1),
        ("commands/notes.md", "orb-source-file", 1, 1),
    ];
    for (file, rule, line, column) in expect {
        let path = format!("{BROKEN}/{file}");
        let found = v["files"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["path"] == path.as_str())
            .flat_map(|f| f["diagnostics"].as_array().cloned().unwrap_or_default())
            .any(|d| d["rule"] == rule && d["line"] == line && d["column"] == column);
        assert!(found, "no {rule} at {path}:{line}:{column} in {text}");
    }
}

#[test]
fn a_missing_orb_root_is_an_error() {
    let r = snapshot_run(
        "orb_src__no_root",
        cilint().args(["check", "--orb", "tests/fixtures/orb-src/no-root/src"]),
    );
    assert_eq!(r.code, 1);
}

#[test]
fn a_folder_that_is_no_orb_source_is_a_usage_error() {
    let r = run(cilint().args(["check", "--orb", "tests/fixtures/env"]));
    assert_eq!(r.code, 2, "{}", r.transcript());
    assert!(
        r.stderr.contains("is not an orb source folder"),
        "{}",
        r.stderr
    );
}

#[test]
fn select_and_fail_on_work_as_for_configs() {
    let r = run(cilint().args([
        "check",
        "--orb",
        BROKEN,
        "--format",
        "short",
        "--select",
        "orb-include-missing,orb-unused-script",
    ]));
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stdout.lines().filter(|l| l.contains('[')).collect();
    assert_eq!(lines.len(), 3, "{}", r.stdout);
    assert!(
        lines
            .iter()
            .all(|l| l.contains("[orb-include-missing]") || l.contains("[orb-unused-script]"))
    );
    let r = run(cilint().args([
        "check",
        "--orb",
        BROKEN,
        "--select",
        "orb-unused-script",
        "--fail-on",
        "warning",
    ]));
    assert_eq!(r.code, 0, "infos only: {}", r.transcript());
}

#[test]
fn suppression_comments_apply_in_their_own_file() {
    let (_dir, src) = orb_source(
        "Says hello.",
        &[
            ("commands/hello.yml", HELLO),
            (
                "jobs/greet.yml",
                "description: Greet.\ndocker:\n  - image: cimg/base:2024.01\nsteps:\n  - hello\n  - helo # cilint: ignore[unknown-command]\n  - hi\n",
            ),
        ],
    );
    let r = check_orb_short(&src);
    let found: Vec<&str> = r.stdout.lines().filter(|l| l.contains("error[")).collect();
    assert_eq!(found.len(), 1, "{}", r.stdout);
    assert!(
        found[0].ends_with("step `hi` in job `greet` is not a built-in step or a known command")
    );
    assert!(found[0].contains("jobs/greet.yml:7:5:"), "{}", found[0]);
}

#[test]
fn spans_stay_inside_their_files() {
    let folder = cilint::orb::read_folder(Path::new(BROKEN), "src").unwrap();
    let reports = cilint::orb::lint_orb(&folder, &cilint::Settings::default());
    assert_eq!(reports.len(), folder.files.len());
    let mut seen = 0;
    for r in &reports {
        for d in &r.diagnostics {
            for l in std::iter::once(&d.primary).chain(&d.labels) {
                assert!(l.span.end as usize <= r.source.len(), "{}: {d:?}", r.path);
            }
            if d.rule == "orb-include-missing" {
                assert_eq!(
                    d.primary.span.slice(&r.source),
                    "<<include(scripts/instal.sh)>>"
                );
                seen += 1;
            }
        }
    }
    assert_eq!(seen, 1);
}

#[test]
fn included_scripts_are_shellchecked_in_their_own_file() {
    let Some(bin) = cilint::find_shellcheck() else {
        common::skip("the shellcheck program");
        return;
    };
    let folder = cilint::orb::read_folder(Path::new(BROKEN), "src").unwrap();
    let settings = cilint::Settings {
        shellcheck: Some(bin),
        ..cilint::Settings::default()
    };
    let reports = cilint::orb::lint_orb(&folder, &settings);
    let script = reports
        .iter()
        .find(|r| r.path == "src/scripts/run-tests.sh")
        .expect("the script has a report");
    let d = script
        .diagnostics
        .iter()
        .find(|d| d.rule == "shellcheck")
        .expect("shellcheck finds the unquoted $PARAM_ARGS");
    assert!(d.message.starts_with("SC2086"), "{}", d.message);
    assert_eq!(d.primary.span.slice(&script.source), "$PARAM_ARGS");
}

#[test]
fn an_orb_gets_no_pipeline_parameters_and_says_softly_what_its_users_set() {
    let (_dir, src) = orb_source(
        "Deploys.",
        &[(
            "jobs/deploy.yml",
            "description: Deploy.\ndocker:\n  - image: cimg/base:2024.01\nsteps:\n  - run: echo \"<< pipeline.parameters.target >>\" \"$DEPLOY_TOKEN\"\n",
        )],
    );
    let r = check_orb_short(&src);
    // Since 2026-07-17 CircleCI rejects a pipeline parameter used inside an orb.
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stdout
            .contains("error[undefined-parameter]: an orb cannot use"),
        "{}",
        r.stdout
    );
    // A variable the orb reads is its users' to set.
    assert!(r.stdout.contains("info[undefined-env-var]"), "{}", r.stdout);
}

#[test]
fn member_subfolders_are_reported_as_not_packed() {
    let (_dir, src) = orb_source(
        "Says hello.",
        &[
            ("commands/hello.yml", HELLO),
            (
                "commands/extra/bye.yml",
                "description: Say bye.\nsteps:\n  - run: echo bye\n",
            ),
        ],
    );
    let r = check_orb_short(&src);
    assert_eq!(r.code, 0, "a warning: {}", r.transcript());
    let found: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains("[orb-source-file]"))
        .collect();
    assert_eq!(found.len(), 1, "{}", r.stdout);
    assert!(
        found[0].contains("the folder `commands/extra` is not read"),
        "{}",
        found[0]
    );
}
