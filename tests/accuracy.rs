//! Configs that CircleCI accepts, one per fact cilint once got wrong: none gets an error, and
//! what is reported has the severity the evidence allows. The whole short output of each is a
//! snapshot (`accuracy__*`), so any new finding on them is seen in review.

mod common;

use common::{cilint, snapshot_run};

/// Fixture name, and the (rule, severity) findings expected beside infos.
const ACCEPTED: &[(&str, &[(&str, &str)])] = &[
    ("env-list-strings", &[]),
    ("executor-as-reference", &[]),
    ("tags-ignore-all", &[]),
    ("orb-tools-test-deploy", &[]),
    ("workflows-version-any", &[]),
    ("run-undocumented-key", &[("unknown-key", "warning")]),
    ("job-groups", &[]),
    ("new-keys-2026", &[]),
    ("secrets-not-secret", &[]),
    ("empty-values", &[]),
    ("workflow-description", &[]),
    ("block-header-next-line", &[]),
    ("path-filtering-v2-strings", &[]),
    (
        "when-condition-mapping",
        &[("constant-condition", "warning")],
    ),
    ("logic-item-two-keys", &[("invalid-value", "warning")]),
    (
        "executor-default-never-used",
        &[("argument-type", "warning")],
    ),
];

#[test]
fn accepted_configs_get_no_error() {
    for (name, expected) in ACCEPTED {
        let r = snapshot_run(
            &format!("accuracy__{name}"),
            cilint().args([
                "check",
                "--format",
                "short",
                &format!("tests/fixtures/accuracy/{name}.yml"),
            ]),
        );
        assert_eq!(r.code, 0, "{name}: no error\n{}", r.stdout);
        let found: Vec<(String, String)> = r
            .stdout
            .lines()
            .filter_map(|l| {
                let (_, rest) = l.split_once(": ")?;
                let (sev, rest) = rest.split_once('[')?;
                let (rule, _) = rest.split_once(']')?;
                (sev != "info").then(|| (rule.to_string(), sev.to_string()))
            })
            .collect();
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(r, s)| (r.to_string(), s.to_string()))
            .collect();
        assert_eq!(found, expected, "{name}");
    }
}
