//! Workflow graphs and the graph rules on the fixtures of `tests/fixtures/graph/`.
//!
//! Each fixture's findings (every rule, so that nothing unexpected hides) are snapshotted in
//! `snapshots/graph__<fixture>.snap`; the graph itself is checked directly.

use cilint::context::Context;
use cilint::graph::{Graphs, JobKind};
use cilint::model::Config;
use cilint::{Diagnostic, LineIndex, Settings};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(name: &str) -> String {
    std::fs::read_to_string(root().join("tests/fixtures/graph").join(name)).expect("fixture")
}

/// Lint `source` with every rule; the findings sorted by position.
fn lint(source: &str) -> Vec<Diagnostic> {
    let doc = cilint::yaml::parse(source);
    let lines = LineIndex::new(source);
    let settings = Settings::default();
    let config = doc.root.as_ref().map(Config::from_root).unwrap_or_default();
    let graphs = Graphs::build(&config);
    let cx = Context {
        path: "t.yml",
        source,
        lines: &lines,
        doc: &doc,
        settings: &settings,
        config: &config,
        graphs: &graphs,
    };
    let mut out = doc.diagnostics.clone();
    cilint::rules::run(&cx, &mut out);
    out.sort_by_key(|d| (d.primary.span.start, d.rule));
    out
}

/// One finding per block: `line:col severity[rule] message`, its labels with their text, help.
fn render(source: &str, diags: &[Diagnostic]) -> String {
    let lines = LineIndex::new(source);
    let at = |s: cilint::Span| {
        let lc = lines.line_col(source, s.start as usize);
        format!("{}:{}", lc.line, lc.column)
    };
    let mut out = String::new();
    for d in diags {
        out.push_str(&format!(
            "{} {}[{}] {}\n",
            at(d.primary.span),
            d.severity,
            d.rule,
            d.message
        ));
        out.push_str(&format!(
            "  > {} `{}`: {}\n",
            at(d.primary.span),
            d.primary.span.slice(source),
            d.primary.message
        ));
        for l in &d.labels {
            out.push_str(&format!(
                "  - {} `{}`: {}\n",
                at(l.span),
                l.span.slice(source),
                l.message
            ));
        }
        if let Some(h) = &d.help {
            out.push_str(&format!("  help: {h}\n"));
        }
    }
    if out.is_empty() {
        out.push_str("(no findings)\n");
    }
    out
}

fn snapshot_fixture(name: &str) -> Vec<Diagnostic> {
    let source = read(name);
    let diags = lint(&source);
    let text = render(&source, &diags);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    let snap = format!("graph__{}", name.trim_end_matches(".yml").replace('-', "_"));
    settings.bind(|| insta::assert_snapshot!(snap, text));
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
    let source = read("matrix-alias-requires.yml");
    let doc = cilint::yaml::parse(&source);
    let config = Config::from_root(doc.root.as_ref().expect("root"));
    let graphs = Graphs::build(&config);
    let wg = &graphs.workflows[0];
    let names: Vec<&str> = wg.nodes().map(|(_, n)| n.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "build-linux",
            "build-macos",
            "package-linux",
            "package-macos",
            "publish",
            "notify"
        ]
    );
    let reqs_of = |name: &str| {
        let n = wg.lookup(name)[0];
        let mut r: Vec<&str> = wg
            .requirements(n)
            .map(|(p, _, _)| wg.node(p).name.as_str())
            .collect();
        r.sort();
        r
    };
    // The alias means both builds; an instance name means one instance.
    assert_eq!(
        reqs_of("publish"),
        ["build-linux", "build-macos", "package-linux"]
    );
    // Without an alias, the job name means every instance.
    assert_eq!(reqs_of("notify"), ["package-linux", "package-macos"]);
    // Each package instance requires its own build (<< matrix.os >> substituted).
    let pl = wg.lookup("package-linux")[0];
    let r: Vec<&str> = wg
        .requirements(pl)
        .map(|(p, _, _)| wg.node(p).name.as_str())
        .collect();
    assert_eq!(r, ["build-linux"]);
}

#[test]
fn hold_that_gates_nothing() {
    let d = snapshot_fixture("hold-gates-nothing.yml");
    assert_eq!(rules_of(&d), ["approval-gates-nothing"]);
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
fn unknown_jobs() {
    let d = snapshot_fixture("unknown-job.yml");
    // biuld, install (a command), tools/lnt, tools/notify (an orb command), bar; not
    // tools/lint (defined) nor node/test (orb not resolved).
    assert_eq!(count(&d, "unknown-job"), 5, "{:?}", rules_of(&d));
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

#[test]
fn no_workflows() {
    let d = snapshot_fixture("no-workflows.yml");
    assert_eq!(rules_of(&d), ["no-workflows"]);
}

#[test]
fn version_2_runs_build_without_workflows() {
    let d = snapshot_fixture("v2-implicit-build.yml");
    assert_eq!(rules_of(&d), ["unused-job"]);
    let source = read("v2-implicit-build.yml");
    let doc = cilint::yaml::parse(&source);
    let config = Config::from_root(doc.root.as_ref().expect("root"));
    let graphs = Graphs::build(&config);
    assert_eq!(graphs.workflows.len(), 1);
    assert!(graphs.workflows[0].workflow.is_none());
    let (_, n) = graphs.workflows[0].nodes().next().expect("build");
    assert_eq!((n.name.as_str(), n.kind), ("build", JobKind::Local));
}

/// Every graph rule's explanation: the bad example fires the rule, the good one does not.
#[test]
fn explanation_examples() {
    const IDS: &[&str] = &[
        "unknown-job",
        "unknown-requires",
        "ambiguous-requires",
        "duplicate-invocation-name",
        "requires-cycle",
        "approval-unreachable",
        "approval-gates-nothing",
        "approval-name-clash",
        "approval-unrestricted",
        "tag-filter-upstream",
        "filters-never-run",
        "redundant-requires",
        "unused-job",
        "unused-command",
        "unused-executor",
        "workspace-without-persist",
        "no-workflows",
    ];
    for id in IDS {
        let rule = cilint::rules::find(id).unwrap_or_else(|| panic!("{id} is registered"));
        let block = |heading: &str| -> String {
            let rest = rule
                .explanation
                .split(heading)
                .nth(1)
                .unwrap_or_else(|| panic!("{id}: {heading}"));
            let start = rest.find("```yaml\n").expect("yaml block") + 8;
            let end = rest[start..].find("```").expect("closed block") + start;
            rest[start..end].to_string()
        };
        let bad = lint(&block("## Bad"));
        assert!(
            bad.iter().any(|d| d.rule == *id),
            "{id}: the bad example does not fire it: {:?}",
            rules_of(&bad)
        );
        let good = lint(&block("## Good"));
        assert!(
            !good.iter().any(|d| d.rule == *id),
            "{id}: the good example fires it"
        );
    }
}
