//! `cilint graph`: DOT and Mermaid snapshots of configs, SVG checks, files written with `-o`.

mod common;
use common::{cilint, fixture, root, run, snapshot, snapshot_run};

const FIXTURES: &[&str] = &["orb-job", "matrix", "filters-statuses", "cycle"];

#[test]
fn approval_example_as_dot_and_mermaid() {
    for format in ["dot", "mermaid"] {
        snapshot_run(
            &format!("graph__approval_{format}"),
            cilint().args(["graph", "examples/approval/config.yml", "--format", format]),
        );
    }
}

#[test]
fn fixtures_as_dot_and_mermaid() {
    for name in FIXTURES {
        let path = format!("tests/fixtures/diagram/{name}.yml");
        for format in ["dot", "mermaid"] {
            snapshot_run(
                &format!("graph__{name}_{format}"),
                cilint().args(["graph", &path, "--format", format]),
            );
        }
    }
}

#[test]
fn seed_approval_graph() {
    let seed = root().join("../shared/examples/seeds/approval.yml");
    if !seed.exists() {
        common::skip("../shared/examples/seeds");
        return;
    }
    let r = run(cilint()
        .arg("graph")
        .arg(&seed)
        .args(["--format", "mermaid"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    for edge in [
        "n0_stage --> n1_test",
        "n1_test --> n2_hold",
        "n2_hold --> n3_deploy",
        "class n2_hold approval",
    ] {
        assert!(r.stdout.contains(edge), "missing `{edge}` in\n{}", r.stdout);
    }
}

#[test]
fn svg_of_every_fixture_parses_and_labels_every_job() {
    for (name, labels) in [
        (
            "orb-job",
            &[
                "unit-tests",
                "node/test",
                "publish",
                "context: npm-publishing",
            ][..],
        ),
        (
            "matrix",
            &["test-20.11-linux", "test-22.2-macos", "report"][..],
        ),
        (
            "filters-statuses",
            &[
                "build",
                "deploy",
                "cleanup",
                "failed, canceled",
                "schedule: 0 3 * * *",
            ][..],
        ),
        ("cycle", &["test", "hold", "deploy"][..]),
    ] {
        let r = run(cilint()
            .arg("graph")
            .arg(fixture(&format!("diagram/{name}.yml"))));
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        let doc = roxmltree::Document::parse(&r.stdout)
            .unwrap_or_else(|e| panic!("{name}: not XML: {e}"));
        let text: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
        for label in labels {
            assert!(
                text.iter().any(|t| t.contains(label)),
                "{name}: no text `{label}` in the SVG"
            );
        }
    }
}

#[test]
fn cycle_is_drawn_red_and_errors_outlined() {
    let r = run(cilint()
        .arg("graph")
        .arg(fixture("diagram/cycle.yml"))
        .args(["--format", "dot"]));
    assert_eq!(r.code, 0);
    assert!(
        r.stderr.contains("error"),
        "a note says the config has errors: {}",
        r.stderr
    );
    let red_edges = r
        .stdout
        .lines()
        .filter(|l| l.contains("->") && l.contains("#d92d20"))
        .count();
    assert_eq!(
        red_edges, 3,
        "every edge of the cycle is red:\n{}",
        r.stdout
    );
}

#[test]
fn one_workflow_and_unknown_workflow() {
    let r = run(cilint().args([
        "graph",
        "tests/fixtures/diagram/cycle.yml",
        "--workflow",
        "loop",
        "--format",
        "mermaid",
    ]));
    assert_eq!(r.code, 0);
    let r = run(cilint().args([
        "graph",
        "tests/fixtures/diagram/cycle.yml",
        "--workflow",
        "lop",
    ]));
    assert_eq!(r.code, 2);
    snapshot("graph__unknown_workflow", &r.transcript(), &[]);
}

#[test]
fn all_into_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("config.yml");
    std::fs::write(
        &src,
        "version: 2.1\njobs:\n  a:\n    docker: [{image: cimg/base:2024.01}]\n    steps: [checkout]\nworkflows:\n  first:\n    jobs: [a]\n  second/one:\n    jobs: [a]\n",
    )
    .unwrap();
    let out = dir.path().join("diagrams");
    let r = run(cilint()
        .arg("graph")
        .arg(&src)
        .arg("--all")
        .arg("-o")
        .arg(&out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(out.join("first.svg").is_file());
    assert!(out.join("second_one.svg").is_file());
}

/// The diagrams in `docs/` are what `cilint graph` makes of the bundled examples today.
#[test]
fn docs_diagrams_are_current() {
    for (config, svg) in [
        ("examples/approval/config.yml", "docs/approval.svg"),
        ("examples/monorepo/config.yml", "docs/monorepo.svg"),
    ] {
        let r = run(cilint().args(["graph", config]));
        assert_eq!(r.code, 0, "{config}: {}", r.stderr);
        let committed = std::fs::read_to_string(root().join(svg)).unwrap_or_default();
        assert!(
            committed == r.stdout,
            "{svg} is stale: regenerate it with `cargo run -- graph {config} -o {svg}`"
        );
    }
}
