//! Orbs checked offline from the catalog built into cilint, with an empty orb cache and no
//! network: the checks of every orb rule, how versions resolve, the seeds' orbs, and
//! `cilint orbs list|show|status`.

mod common;

use common::{cilint, root, run, snapshot, snapshot_run};

/// `(line, severity, rule)` of every finding of `cilint check --format json` on `fixture`.
fn findings(fixture: &str) -> Vec<(u64, String, String)> {
    let r = run(cilint().args(["check", "--no-config", "--format", "json", fixture]));
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("the JSON report");
    doc["files"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0),
                d["severity"].as_str().unwrap_or("").to_string(),
                d["rule"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn has(found: &[(u64, String, String)], line: u64, severity: &str, rule: &str) -> bool {
    found
        .iter()
        .any(|(l, s, r)| *l == line && s == severity && r == rule)
}

const CHECKS: &str = "tests/fixtures/orbs/catalog-checks.yml";
const VERSIONS: &str = "tests/fixtures/orbs/catalog-versions.yml";

#[test]
fn every_orb_check_works_from_the_catalog() {
    let found = findings(CHECKS);
    let expected = [
        (14, "unknown-argument"),   // the executor's `resource-class`
        (18, "unknown-argument"),   // `node-versoin`
        (21, "argument-type"),      // a boolean
        (22, "unknown-orb-member"), // `node/instal`
        (25, "unknown-orb-member"), // a job used as a step
        (26, "missing-argument"),   // newman's `collection`
        (30, "argument-type"),      // an env_var_name
        (33, "argument-type"),      // an integer
        (47, "argument-type"),      // `pnpm`, not in the enum
        (52, "unknown-orb-member"), // a command used as a job
    ];
    for (line, rule) in expected {
        assert!(has(&found, line, "error", rule), "{line} {rule}: {found:?}");
    }
    // Nothing else: correct uses get no finding, and every orb resolved.
    assert_eq!(found.len(), expected.len(), "{found:?}");
    snapshot_run(
        "orb_catalog__checks",
        cilint().args(["check", "--no-config", "--color", "never", CHECKS]),
    );
}

#[test]
fn versions_resolve_as_circleci_resolves_them() {
    let found = findings(VERSIONS);
    // Said at info level: which release each orb was checked against, or why it was not.
    for line in [5, 7, 9, 11] {
        assert!(
            has(&found, line, "info", "orb-version-resolved"),
            "{line}: {found:?}"
        );
    }
    for line in [13, 14, 15, 16] {
        assert!(
            has(&found, line, "info", "orb-unresolved"),
            "{line}: {found:?}"
        );
    }
    // Newest 5.x, with newer majors known: CircleCI rejects it.
    assert!(has(&found, 23, "error", "unknown-orb-member"));
    // The nearest older release, an inferred one, an open range: warnings, never errors.
    assert!(has(&found, 24, "warning", "unknown-orb-member"));
    assert!(has(&found, 26, "warning", "unknown-argument"));
    assert!(has(&found, 36, "warning", "unknown-argument"));
    let errors = found.iter().filter(|(_, s, _)| s == "error").count();
    assert_eq!(errors, 1, "{found:?}");
    snapshot_run(
        "orb_catalog__versions",
        cilint().args(["check", "--no-config", "--color", "never", VERSIONS]),
    );
}

#[test]
fn the_seeds_orbs_resolve() {
    let seeds = root().join("../shared/examples/seeds");
    if !seeds.is_dir() {
        common::skip("../shared/examples/seeds");
        return;
    }
    for seed in ["approval.yml", "newman-orb-as-printed.yml"] {
        let path = seeds.join(seed);
        let found = findings(path.to_str().expect("UTF-8 path"));
        assert!(
            !found.iter().any(|(_, _, r)| r.starts_with("orb-")),
            "{seed}: {found:?}"
        );
    }
}

#[test]
fn orbs_list_shows_the_catalog() {
    let r = run(cilint().args(["orbs", "list", "--no-config"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut lines = r.stdout.lines();
    assert!(lines.next().is_some_and(|l| l.starts_with("ORB ")));
    assert!(r.stdout.lines().any(|l| l.starts_with("circleci/node ")));
    assert!(r.stdout.lines().any(|l| l.starts_with("postman/newman ")));
    assert!(
        r.stdout.contains(" releases in cilint's built-in catalog"),
        "{}",
        r.stdout
    );
    let node = run(cilint().args(["orbs", "list", "circleci/node", "--no-config"]));
    assert!(
        node.stdout.starts_with("circleci/node: "),
        "{}",
        node.stdout
    );
    assert!(node.stdout.contains(" 5.1.1, "), "{}", node.stdout);
    let unknown = run(cilint().args(["orbs", "list", "example/none", "--no-config"]));
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .contains("cilint knows no orb `example/none`")
    );
}

#[test]
fn orbs_show_prints_an_interface() {
    snapshot_run(
        "orb_catalog__show_newman",
        cilint().args(["orbs", "show", "postman/newman@0.0.2", "--no-config"]),
    );
    // A partial version: the newest release in its range, and which.
    let r = run(cilint().args(["orbs", "show", "circleci/node@5.1", "--no-config"]));
    assert!(
        r.stdout.starts_with(
            "circleci/node@5.1.1 (from cilint's built-in catalog)\nthe newest 5.1.x release cilint knows\n"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(
        "    pkg-manager          enum    default \"npm\"; one of npm, yarn, yarn-berry\n"
    ));
    let r = run(cilint().args(["orbs", "show", "circleci/node@8.0.0", "--no-config"]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("cilint knows no 8.0.0 release of orb `circleci/node`")
    );
    let r = run(cilint().args(["orbs", "show", "circleci/node", "--no-config"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("write NAMESPACE/ORB@VERSION"));
}

#[test]
fn orbs_status_says_what_each_orb_resolves_to() {
    let r = run(cilint().args(["orbs", "status", VERSIONS, "--no-config"]));
    let cache = root().join("target/test-empty-cache/cilint/orbs");
    snapshot(
        "orb_catalog__status",
        &r.transcript(),
        &[(cache.to_str().expect("UTF-8 path"), "[CACHE]")],
    );
}
