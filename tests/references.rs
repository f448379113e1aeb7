//! Reference and version rules on their fixtures: the whole output of `cilint check`.

mod common;
use common::{cilint, snapshot_run};

#[test]
fn reference_and_version_fixtures() {
    for name in [
        "unknown-command",
        "unknown-command-v2",
        "unknown-executor",
        "undeclared-orb",
        "retired-version",
        "obsolete-workflows-version-any-value",
        "obsolete-workflows-version",
        "empty-config",
    ] {
        snapshot_run(
            &format!("references__{name}"),
            cilint().args([
                "check",
                "--color",
                "never",
                "--format",
                "human",
                &format!("tests/fixtures/references/{name}.yml"),
            ]),
        );
    }
}
