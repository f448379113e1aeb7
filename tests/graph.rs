//! Workflow graphs and the graph rules on the fixtures of `tests/fixtures/graph/`.
//!
//! Each fixture is checked by the real binary and its whole output (every rule, so that
//! nothing unexpected hides) is snapshotted in `snapshots/graph__<fixture>.snap`; the findings
//! are also asserted on through the library, and the graph itself is checked directly.

mod common;

use cilint::{Diagnostic, Settings};

fn read(name: &str) -> String {
    std::fs::read_to_string(common::root().join("tests/fixtures/graph").join(name))
        .expect("fixture")
}

/// Lint `source` as `cilint check` does (every rule, suppressions, default settings).
fn lint(source: &str) -> Vec<Diagnostic> {
    cilint::lint(source.as_bytes(), "t.yml", &Settings::default()).diagnostics
}

fn snapshot_fixture(name: &str) -> Vec<Diagnostic> {
    let path = format!("tests/fixtures/graph/{name}");
    let snap = format!("graph__{}", name.trim_end_matches(".yml").replace('-', "_"));
    let r = common::snapshot_run(&snap, common::cilint().args(["check", &path]));
    let diags = lint(&read(name));
    let errors = diags.iter().any(|d| d.severity == cilint::Severity::Error);
    assert_eq!(
        r.code,
        i32::from(errors),
        "exit code of `cilint check {path}`"
    );
    diags
}

fn rules_of(diags: &[Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.rule).collect()
}

fn count(diags: &[Diagnostic], rule: &str) -> usize {
    diags.iter().filter(|d| d.rule == rule).count()
}

#[test]
fn cycle_through_approval_hold() {
    let d = snapshot_fixture("cycle-through-approval.yml");
    assert_eq!(count(&d, "requires-cycle"), 1, "one finding per cycle");
    let c = d
        .iter()
        .find(|d| d.rule == "requires-cycle")
        .expect("cycle");
    assert!(
        c.message.contains("`test` -> `hold` -> `deploy` -> `test`"),
        "{}",
        c.message
    );
    // The closing entry is primary, the two others are labelled.
    assert_eq!(c.labels.len(), 2);
    assert_eq!(count(&d, "approval-unreachable"), 1);
}

#[test]
fn matrix_alias_in_requires() {
    let d = snapshot_fixture("matrix-alias-requires.yml");
    assert!(
        !d.iter().any(|d| d.rule.contains("requires")),
        "{:?}",
        rules_of(&d)
    );
    // The graph itself: `analysis::graph` unit tests.
}

#[test]
fn hold_that_gates_nothing() {
    let d = snapshot_fixture("hold-gates-nothing.yml");
    // The hold gating nothing leaves `deploy` with its production context on every branch.
    assert_eq!(
        rules_of(&d),
        ["approval-gates-nothing", "context-overexposed"]
    );
}

#[test]
fn tag_only_deploy_with_untagged_test() {
    let d = snapshot_fixture("tag-deploy-untagged-test.yml");
    assert_eq!(rules_of(&d), ["tag-filter-upstream"]);
    assert!(d[0].message.contains("requires `test`, which has none"));
    assert!(d[0].help.as_deref().unwrap_or("").contains("`build`"));
}

#[test]
fn tag_release_fully_tagged_is_clean() {
    let d = snapshot_fixture("tag-release-all-tagged.yml");
    assert!(d.is_empty(), "{:?}", rules_of(&d));
}

#[test]
fn filters_never_run_literal_branches() {
    let d = snapshot_fixture("filters-never-run.yml");
    assert_eq!(count(&d, "filters-never-run"), 1);
    assert_eq!(count(&d, "approval-unreachable"), 1);
}

#[test]
fn two_regexes_say_nothing() {
    let d = snapshot_fixture("filters-two-regexes.yml");
    assert!(d.is_empty(), "{:?}", rules_of(&d));
}

#[test]
fn undecidable_names_are_not_reported() {
    let d = snapshot_fixture("requires-said-less.yml");
    assert!(
        !d.iter().any(|d| d.rule.contains("requires")),
        "{:?}",
        rules_of(&d)
    );
}

#[test]
fn unknown_jobs() {
    let d = snapshot_fixture("unknown-job.yml");
    // biuld, install (a command), bar; not tools/lint (defined) nor node/test (orb not
    // resolved). tools/lnt and tools/notify (an orb command) are orb members:
    // `unknown-orb-member` reports them.
    assert_eq!(count(&d, "unknown-job"), 3, "{:?}", rules_of(&d));
    assert_eq!(count(&d, "unknown-orb-member"), 2, "{:?}", rules_of(&d));
    let msgs: Vec<&str> = d
        .iter()
        .filter(|d| d.rule == "unknown-job")
        .map(|d| d.help.as_deref().unwrap_or(""))
        .collect();
    assert!(msgs.iter().any(|h| h.contains("did you mean `build`")));
    assert!(
        msgs.iter()
            .any(|h| h.contains("`install` is a command, not a job"))
    );
}

#[test]
fn undefined_job_bar() {
    let d = snapshot_fixture("undefined-job-bar.yml");
    assert_eq!(rules_of(&d), ["unknown-job"]);
    assert!(d[0].message.contains("`bar`"));
}

#[test]
fn unknown_requires_in_and_across_workflows() {
    let d = snapshot_fixture("unknown-requires.yml");
    assert_eq!(count(&d, "unknown-requires"), 3, "{:?}", rules_of(&d));
    let helps: Vec<&str> = d.iter().filter_map(|d| d.help.as_deref()).collect();
    assert!(helps.iter().any(|h| h.contains("did you mean `build`")));
    assert!(helps.iter().any(|h| h.contains("runs in workflow `ci`")));
}

#[test]
fn ambiguous_requires_and_duplicate_names() {
    let d = snapshot_fixture("ambiguous-requires.yml");
    assert_eq!(count(&d, "ambiguous-requires"), 2, "{:?}", rules_of(&d));
    assert_eq!(count(&d, "duplicate-invocation-name"), 2);
    // `test-2` is the numbered name CircleCI gives the second `test`: it resolves.
    assert!(!d.iter().any(|d| d.message.contains("`test-2`")));
}

#[test]
fn approval_holds() {
    let d = snapshot_fixture("approval-holds.yml");
    assert_eq!(count(&d, "approval-name-clash"), 1, "{:?}", rules_of(&d));
    assert_eq!(count(&d, "approval-unreachable"), 1);
    assert_eq!(count(&d, "approval-unrestricted"), 1);
    assert_eq!(count(&d, "unknown-requires"), 1);
}

#[test]
fn redundant_requires() {
    let d = snapshot_fixture("redundant-requires.yml");
    assert_eq!(rules_of(&d), ["redundant-requires"]);
}

#[test]
fn unused_definitions() {
    let d = snapshot_fixture("unused.yml");
    let mut found: Vec<String> = d
        .iter()
        .filter(|d| d.rule.starts_with("unused-"))
        .map(|d| format!("{} {}", d.rule, d.message.split('`').nth(1).unwrap_or("")))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            "unused-command never-called",
            "unused-executor unused-exec",
            "unused-job forgotten"
        ]
    );
}

#[test]
fn workspace_without_persist() {
    let d = snapshot_fixture("workspace.yml");
    assert_eq!(rules_of(&d), ["workspace-without-persist"]);
    assert!(d[0].message.contains("`report`"));
}

/// One finding per attaching step, however many runs reach it.
#[test]
fn workspace_without_persist_once_per_step() {
    let d = snapshot_fixture("workspace-shared.yml");
    assert_eq!(
        rules_of(&d),
        ["workspace-without-persist", "workspace-without-persist"]
    );
    assert!(
        d[0].message.starts_with(
            "`report` attaches the workspace in 3 workflows: `main`, `nightly` and `release`, but "
        ),
        "{}",
        d[0].message
    );
    assert_eq!(d[0].labels.len(), 3);
    assert!(
        d[1].message.starts_with(
            "job `publish` attaches the workspace 2 times: as `publish-docs` in workflow `docs` and as `publish-site` in workflow `docs`, but "
        ),
        "{}",
        d[1].message
    );
    assert_eq!(d[1].labels.len(), 2);
}

#[test]
fn no_workflows() {
    let d = snapshot_fixture("no-workflows.yml");
    assert_eq!(rules_of(&d), ["no-workflows"]);
}

#[test]
fn version_2_runs_build_without_workflows() {
    let d = snapshot_fixture("v2-implicit-build.yml");
    // Version 2 itself is retired: one error for that, and the graph as version 2 ran it.
    assert_eq!(rules_of(&d), ["retired-version", "unused-job"]);
}
