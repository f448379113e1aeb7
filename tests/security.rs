//! The security audits: for each, a config with the weakness and a careful one doing the same
//! work. The weak config's findings are a snapshot (`security__*`); the careful one gets no
//! security finding at all. Then how users pick the audits: `--select security`, `[rules]
//! security = "off"`, `--min-confidence`, and what JSON and SARIF say about them.

mod common;

use common::{cilint, run, snapshot_run};
use serde_json::Value;

/// Every security audit: the rule id, and its fixtures `<id>-bad.yml` and `<id>-careful.yml`.
const AUDITS: &[&str] = &[
    "template-injection",
    "remote-script",
    "ssh-keys-unscoped",
    "cache-poisoning",
    "secret-exposure",
    "context-overexposed",
    "secret-in-url",
    "hardcoded-secret",
    "orb-unpinned",
];

fn fixture(name: &str) -> String {
    format!("tests/fixtures/security/{name}.yml")
}

/// The rule ids of `--format short` output lines.
fn rules_of(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| {
            let (_, rest) = l.split_once('[')?;
            Some(rest.split_once(']')?.0.to_string())
        })
        .collect()
}

#[test]
fn every_audit_has_fixtures_and_every_security_rule_is_audited() {
    let listed = run(cilint().args(["rules", "--category", "security"]));
    assert_eq!(listed.code, 0);
    let mut ids: Vec<&str> = listed
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    ids.sort();
    let mut audits = AUDITS.to_vec();
    audits.sort();
    assert_eq!(ids, audits);
    for line in listed.stdout.lines().skip(1) {
        assert!(line.contains("security (CWE-"), "{line}");
    }
}

#[test]
fn weak_configs_are_reported_by_their_audit() {
    for id in AUDITS {
        let r = snapshot_run(
            &format!("security__{id}"),
            cilint().args([
                "check",
                "--no-config",
                "--select",
                "security",
                "--format",
                "short",
                &fixture(&format!("{id}-bad")),
            ]),
        );
        let found = rules_of(&r.stdout);
        assert!(!found.is_empty(), "{id}: nothing reported\n{}", r.stdout);
        assert!(found.iter().all(|f| f == id), "{id}: {found:?}");
    }
}

#[test]
fn careful_configs_get_no_security_finding() {
    for id in AUDITS {
        let r = run(cilint().args([
            "check",
            "--no-config",
            "--select",
            "security",
            "--format",
            "short",
            &fixture(&format!("{id}-careful")),
        ]));
        assert_eq!(r.code, 0, "{id}");
        assert_eq!(r.stdout.trim(), "no problems in 1 file", "{id}");
    }
}

#[test]
fn categories_select_ignore_and_settings() {
    let bad = fixture("secret-exposure-bad");
    // `--ignore security` leaves only the other rules.
    let r = run(cilint().args([
        "check",
        "--no-config",
        "--format",
        "short",
        "--ignore",
        "security",
        &bad,
    ]));
    assert!(
        rules_of(&r.stdout)
            .iter()
            .all(|id| !AUDITS.contains(&id.as_str())),
        "{}",
        r.stdout
    );
    // A category mixes with rule ids.
    let r = run(cilint().args([
        "check",
        "--no-config",
        "--format",
        "short",
        "--select",
        "security,unknown-job",
        &bad,
    ]));
    assert_eq!(rules_of(&r.stdout).len(), 3, "{}", r.stdout);
    // An unknown category or rule is a usage error with a suggestion.
    let r = run(cilint().args(["check", "--no-config", "--select", "securty", &bad]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("security"), "{}", r.stderr);

    // `[rules] security = "off"`, with one audit turned back on: the rule named wins.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".cilint.toml"),
        "[rules]\nsecurity = \"off\"\nsecret-exposure = \"error\"\n",
    )
    .unwrap();
    let config = dir.path().join("config.yml");
    std::fs::copy(fixture("context-overexposed-bad"), &config).unwrap();
    let r = run(cilint()
        .args(["check", "--format", "short", "--select", "security"])
        .arg(&config));
    assert_eq!(r.stdout.trim(), "no problems in 1 file", "{}", r.stdout);
    std::fs::copy(&bad, &config).unwrap();
    let r = run(cilint()
        .args(["check", "--format", "short", "--select", "security"])
        .arg(&config));
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("error[secret-exposure]"), "{}", r.stdout);
}

#[test]
fn min_confidence_drops_less_sure_findings() {
    let bad = fixture("secret-exposure-bad");
    let count = |level: &str| {
        let r = run(cilint().args([
            "check",
            "--no-config",
            "--format",
            "short",
            "--select",
            "security",
            "--min-confidence",
            level,
            &bad,
        ]));
        rules_of(&r.stdout).len()
    };
    // Tracing and echo are medium; the `printenv` dump is low.
    assert_eq!(count("low"), 3);
    assert_eq!(count("medium"), 2);
    assert_eq!(count("high"), 0);
    // Findings of other rules are certain: `--min-confidence high` keeps them.
    let r = run(cilint().args([
        "check",
        "--no-config",
        "--format",
        "short",
        "--min-confidence",
        "high",
        "tests/fixtures/duplicate-key.yml",
    ]));
    assert!(r.stdout.contains("warning[duplicate-key]"), "{}", r.stdout);
    // A token is a certain leak; an AWS key id alone (half of a pair) is medium.
    let r = run(cilint().args([
        "check",
        "--no-config",
        "--format",
        "short",
        "--select",
        "hardcoded-secret",
        "--min-confidence",
        "high",
        "tests/fixtures/security/hardcoded-secret-bad.yml",
    ]));
    assert_eq!(rules_of(&r.stdout), ["hardcoded-secret"], "{}", r.stdout);
    assert!(r.stdout.contains("GitHub token"), "{}", r.stdout);
}

#[test]
fn json_and_sarif_describe_the_audits() {
    let bad = fixture("template-injection-bad");
    let r = run(cilint().args([
        "check",
        "--no-config",
        "--format",
        "json",
        "--select",
        "security",
        &bad,
    ]));
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let diags = v["files"][0]["diagnostics"].as_array().unwrap();
    assert!(!diags.is_empty());
    for d in diags {
        assert_eq!(d["category"], "security");
        assert!(
            ["high", "medium", "low"].contains(&d["confidence"].as_str().unwrap()),
            "{d}"
        );
    }

    let r = run(cilint().args([
        "check",
        "--no-config",
        "--format",
        "sarif",
        "--select",
        "security",
        &bad,
    ]));
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = rules
        .iter()
        .find(|r| r["id"] == "template-injection")
        .unwrap();
    let tags: Vec<&str> = rule["properties"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        tags.contains(&"security") && tags.contains(&"external/cwe/cwe-78"),
        "{tags:?}"
    );
    let score: f64 = rule["properties"]["security-severity"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((0.1..=10.0).contains(&score));
    // A correctness rule has neither.
    let other = rules.iter().find(|r| r["id"] == "unknown-job").unwrap();
    assert!(other["properties"].get("security-severity").is_none());
    for result in v["runs"][0]["results"].as_array().unwrap() {
        assert!(result["properties"]["confidence"].is_string(), "{result}");
    }
}
