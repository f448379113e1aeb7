//! `cilint plan` on the fixtures of `tests/fixtures/plan/`: each expected plan is a snapshot
//! (`snapshots/plan__*.snap`) of the command's whole output; the approval seed and the real
//! corpus are checked through the JSON.

mod common;

use common::{cilint, root, run, snapshot_run};
use std::path::Path;

fn plan(name: &str, snap: &str, args: &[&str]) -> common::Run {
    let path = format!("tests/fixtures/plan/{name}");
    let r = snapshot_run(
        &format!("plan__{snap}"),
        cilint()
            .arg("plan")
            .arg(&path)
            .args(["--color", "never"])
            .args(args),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    r
}

fn json(path: &Path, args: &[&str]) -> serde_json::Value {
    let r = run(cilint()
        .arg("plan")
        .arg(path)
        .args(["--format", "json"])
        .args(args));
    assert_eq!(r.code, 0, "{}: {}", path.display(), r.stderr);
    serde_json::from_str(&r.stdout).expect("plan --format json prints JSON")
}

/// `(name, state, description)` of every job of workflow `wf`.
fn jobs(v: &serde_json::Value, wf: &str) -> Vec<(String, String, String)> {
    let w = v["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == wf)
        .unwrap_or_else(|| panic!("workflow {wf}"));
    w["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| {
            (
                j["name"].as_str().unwrap().to_string(),
                j["state"].as_str().unwrap().to_string(),
                j["description"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn branch_filtered_deploy_on_main_and_on_a_feature_branch() {
    let main = plan(
        "branch-deploy.yml",
        "branch_deploy_main",
        &["--branch", "main"],
    );
    assert!(main.stdout.contains("deploy  runs\n"));
    let feature = plan(
        "branch-deploy.yml",
        "branch_deploy_feature",
        &["--branch", "feature/login"],
    );
    assert!(feature.stdout.contains(
        "deploy  skipped: branch `feature/login` does not pass the branches filter of `deploy` (only `main`)"
    ));
}

#[test]
fn tag_release_with_every_upstream_job_tagged_runs_all() {
    let r = plan(
        "tag-release-all-tagged.yml",
        "tag_release_all_tagged",
        &["--tag", "v1.2.3"],
    );
    assert!(
        r.stdout
            .contains("jobs: 3 run, 0 wait for approval, 0 skipped")
    );
}

#[test]
fn tag_release_with_an_untagged_upstream_job_skips_the_release() {
    let r = plan(
        "tag-release-untagged.yml",
        "tag_release_untagged",
        &["--tag", "v1.2.3"],
    );
    assert!(r.stdout.contains(
        "publish   skipped: tag push and `test` has no tags filter, so `publish`, which requires it, never runs"
    ));
    // On a branch, the tag-only jobs are skipped by their `branches: ignore`.
    let v = json(
        &root().join("tests/fixtures/plan/tag-release-untagged.yml"),
        &["--branch", "main"],
    );
    let states: Vec<_> = jobs(&v, "release")
        .into_iter()
        .map(|(n, s, _)| format!("{n}={s}"))
        .collect();
    assert_eq!(
        states,
        [
            "build=runs",
            "test=runs",
            "publish=skipped",
            "announce=skipped"
        ]
    );
}

#[test]
fn workflow_when_on_a_boolean_parameter_both_ways() {
    let off = plan(
        "when-param.yml",
        "when_param_default",
        &["--branch", "main"],
    );
    assert!(off.stdout.contains("workflow `docs`: does not run"));
    let on = plan(
        "when-param.yml",
        "when_param_true",
        &["--branch", "main", "--param", "run-docs=true"],
    );
    assert!(on.stdout.contains("workflow `docs`: runs"));
    assert!(on.stdout.contains("workflow `main`: does not run"));
    let off = plan(
        "when-param.yml",
        "when_param_false",
        &["--branch", "main", "--param", "run-docs=false"],
    );
    assert!(off.stdout.contains("workflow `main`: runs"));
}

#[test]
fn parameters_are_typed_against_their_declarations() {
    for (arg, needle) in [
        (
            "run-docs=yes",
            "is a boolean (`true` or `false`), not `yes`",
        ),
        ("retries=two", "is an integer, not `two`"),
        ("flavour=medium", "is one of `slim`, `full`, not `medium`"),
        (
            "run-doc=true",
            "unknown pipeline parameter `run-doc` (did you mean `run-docs`?)",
        ),
        ("run-docs", "`--param` takes KEY=VALUE"),
    ] {
        let r = run(cilint().args(["plan", "tests/fixtures/plan/when-param.yml", "--param", arg]));
        assert_eq!(r.code, 2, "{arg}");
        assert!(r.stderr.contains(needle), "{arg}: {}", r.stderr);
        assert!(
            r.stderr.contains(
                "the config declares: `run-docs` (boolean), `flavour` (enum: `slim`, `full`), `retries` (integer)"
            ),
            "{}",
            r.stderr
        );
    }
    snapshot_run(
        "plan__unknown_param",
        cilint().args([
            "plan",
            "tests/fixtures/plan/when-param.yml",
            "--param",
            "deploy=true",
        ]),
    );
    let ok = run(cilint().args([
        "plan",
        "tests/fixtures/plan/when-param.yml",
        "--param",
        "retries=5",
        "--param",
        "pipeline.parameters.flavour=full",
    ]));
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(
        ok.stdout
            .contains("flavour = `full` (given), retries = `5` (given)")
    );
}

#[test]
fn scheduled_pipeline_and_legacy_schedule() {
    let push = plan("scheduled.yml", "scheduled_push", &["--branch", "main"]);
    assert!(
        push.stdout
            .contains("workflow `legacy-cron`: does not run: it runs only on its own schedule")
    );
    let sched = plan(
        "scheduled.yml",
        "scheduled_pipeline",
        &[
            "--branch",
            "main",
            "--trigger",
            "scheduled_pipeline",
            "--schedule-name",
            "nightly",
        ],
    );
    assert!(sched.stdout.contains("workflow `nightly`: runs"));
    assert!(sched.stdout.contains("workflow `every-workflow`: runs"));
    assert!(sched.stdout.contains("workflow `on-push`: does not run"));
}

#[test]
fn filtered_dependencies_ignored_or_all_filtered_out() {
    let r = plan(
        "filtered-deps.yml",
        "filtered_deps_feature",
        &["--branch", "feature"],
    );
    assert!(
        r.stdout
            .contains("deploy  runs (`lint` does not run and is ignored)")
    );
    assert!(
        r.stdout
            .contains("report  skipped: none of the jobs `report` requires runs")
    );
    let main = plan(
        "filtered-deps.yml",
        "filtered_deps_main",
        &["--branch", "main"],
    );
    assert!(main.stdout.contains("jobs: 5 run"));
}

#[test]
fn matrix_names_statuses_expressions_and_unknown_regexes() {
    plan(
        "matrix-statuses.yml",
        "matrix_statuses",
        &["--branch", "release-1"],
    );
    let v = json(
        &root().join("tests/fixtures/plan/matrix-statuses.yml"),
        &["--branch", "wip"],
    );
    let j = jobs(&v, "ci");
    assert_eq!(j[0].0, "test-py3.11");
    assert_eq!(j[2].2, "runs (only if `test-py3.12` ends `failed`)");
    assert_eq!(j[3].1, "skipped"); // build-release: the expression is false on `wip`
    assert_eq!(j[4].1, "unknown"); // look-ahead
}

#[test]
fn json_output() {
    plan(
        "tag-release-untagged.yml",
        "json_tag_release",
        &["--tag", "v2.0.0", "--format", "json"],
    );
}

fn check_approval(path: &Path) {
    let v = json(path, &["--branch", "main"]);
    let wf = v["workflows"][0]["name"].as_str().unwrap().to_string();
    let got: Vec<(String, String)> = jobs(&v, &wf).into_iter().map(|(n, _, d)| (n, d)).collect();
    let want = [
        ("stage", "runs"),
        ("test", "runs"),
        ("hold", "waits for approval"),
        ("deploy", "runs after approval of `hold`"),
    ];
    assert_eq!(
        got,
        want.map(|(a, b)| (a.to_string(), b.to_string())),
        "{}",
        path.display()
    );
}

#[test]
fn approval_seed_on_main() {
    let r = snapshot_run(
        "plan__approval_main",
        cilint().args(["plan", "examples/approval/config.yml", "--branch", "main"]),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("hold    waits for approval"));
    check_approval(&root().join("examples/approval/config.yml"));
    let seed = root().join("../shared/examples/seeds/approval.yml");
    if seed.exists() {
        check_approval(&seed);
    }
}

#[test]
fn default_branch_is_read_from_git_head() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::write(
        dir.path().join(".git/HEAD"),
        "ref: refs/heads/release/2.x\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join(".circleci")).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/plan/branch-deploy.yml"),
        dir.path().join(".circleci/config.yml"),
    )
    .unwrap();
    let r = run(cilint().current_dir(dir.path()).arg("plan"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("plan for branch `release/2.x`"),
        "{}",
        r.stdout
    );
    // A worktree's `.git` file points at its git folder.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("HEAD"), "ref: refs/heads/topic\n").unwrap();
    std::fs::remove_dir_all(dir.path().join(".git")).unwrap();
    std::fs::write(
        dir.path().join(".git"),
        format!("gitdir: {}\n", other.path().display()),
    )
    .unwrap();
    assert_eq!(
        cilint::plan::current_branch(&dir.path().join(".circleci")).as_deref(),
        Some("topic")
    );
    // Outside a repository: `main`.
    let bare = tempfile::tempdir().unwrap();
    let cfg = bare.path().join("config.yml");
    std::fs::copy(root().join("tests/fixtures/plan/branch-deploy.yml"), &cfg).unwrap();
    if cilint::plan::current_branch(bare.path()).is_none() {
        let r = run(cilint().arg("plan").arg(&cfg));
        assert!(r.stdout.contains("plan for branch `main`"), "{}", r.stdout);
    }
}

/// Every real config plans without error for a branch and for a tag push.
#[test]
fn real_corpus_plans() {
    let dir = root().join("../shared/corpus/real");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        common::skip("../shared/corpus");
        return;
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let (mut jobs_total, mut jobs_on_tag) = (0u64, 0u64);
    for f in &files {
        let main = json(f, &["--branch", "main"]);
        assert!(main["workflows"].is_array(), "{}", f.display());
        let tag = json(f, &["--tag", "v1.0.0"]);
        jobs_total += tag["summary"]["jobs"].as_u64().unwrap();
        jobs_on_tag +=
            tag["summary"]["runs"].as_u64().unwrap() + tag["summary"]["waits"].as_u64().unwrap();
    }
    eprintln!(
        "{} configs: {jobs_on_tag} of {jobs_total} jobs would run on a push of tag v1.0.0",
        files.len()
    );
}

/// `cilint graph` takes the plan flags: what does not run is faded, the reason as its tooltip.
#[test]
fn graph_fades_what_does_not_run() {
    let dot = run(cilint().args([
        "graph",
        "tests/fixtures/plan/tag-release-untagged.yml",
        "--tag",
        "v1.0.0",
        "--format",
        "dot",
    ]));
    assert_eq!(dot.code, 0, "{}", dot.stderr);
    assert!(dot.stdout.contains(
        "tooltip=\"skipped: tag push and `test` has no tags filter, so `publish`, which requires it, never runs\""
    ), "{}", dot.stdout);
    let build = dot
        .stdout
        .lines()
        .find(|l| l.contains("<b>build</b>"))
        .unwrap();
    assert!(!build.contains("dashed"), "{build}");
    let svg = run(cilint().args(["graph", "examples/approval/config.yml", "--branch", "main"]));
    assert_eq!(svg.code, 0, "{}", svg.stderr);
    assert!(
        svg.stdout
            .contains("<title>runs after approval of `hold`</title>"),
        "{}",
        svg.stdout
    );
    // Without plan flags nothing is faded.
    let plain = run(cilint().args([
        "graph",
        "tests/fixtures/plan/tag-release-untagged.yml",
        "--format",
        "dot",
    ]));
    assert!(
        !plain.stdout.contains("tooltip=\"skipped"),
        "{}",
        plain.stdout
    );
    // A bad parameter is a usage error for graph too.
    let bad = run(cilint().args([
        "graph",
        "tests/fixtures/plan/when-param.yml",
        "--param",
        "run-docs=maybe",
    ]));
    assert_eq!(bad.code, 2);
}
