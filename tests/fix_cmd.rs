//! `cilint check --fix`, `--unsafe-fixes` and `--diff` as a user runs them: on the seed with the
//! mis-indented orb step, on a version 2 config moved to 2.1, and on stdin; the fixes in the JSON
//! and SARIF reports.

mod common;

use common::{check_in, cilint, run, scratch, skip, snapshot};
use std::fs;

/// The seed config whose orb step has its arguments one level too high.
fn newman_seed() -> Option<String> {
    let path = common::root().join("../shared/examples/seeds/newman-orb-as-printed.yml");
    match fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            skip("../shared/examples/seeds/newman-orb-as-printed.yml");
            None
        }
    }
}

#[test]
fn fix_indents_the_newman_step_once_and_diff_only_shows_it() {
    let Some(seed) = newman_seed() else {
        return;
    };
    let dir = scratch(&[("config.yml", seed.as_str())]);
    let path = dir.path().join("config.yml");

    // --diff prints the change and writes nothing; something to fix makes the exit code 1.
    let diff = check_in(dir.path(), &["--no-config", "--diff", "config.yml"]);
    assert_eq!(diff.code, 1, "{}", diff.transcript());
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        seed,
        "--diff wrote the file"
    );
    assert!(
        diff.stderr
            .contains("config.yml: would fix 1 finding (step-shape)"),
        "{}",
        diff.stderr
    );
    snapshot("fix_cmd__newman_diff", &diff.stdout, &[]);

    // --fix writes the same change: `collection` and `environment` move under the step.
    let fixed = check_in(dir.path(), &["--no-config", "--fix", "config.yml"]);
    assert!(
        fixed
            .stderr
            .contains("config.yml: fixed 1 finding (step-shape)"),
        "{}",
        fixed.stderr
    );
    let after = fs::read_to_string(&path).unwrap();
    assert_ne!(after, seed);
    let lines: Vec<&str> = after.lines().collect();
    let step = lines
        .iter()
        .position(|l| l.trim() == "- newman/newman-run:")
        .expect("the step is still there");
    assert!(
        lines[step + 1].starts_with("          collection: "),
        "{after}"
    );
    assert!(
        lines[step + 2].starts_with("          environment: "),
        "{after}"
    );
    // Only those two lines changed.
    let changed = seed
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(changed, 2, "{after}");
    assert_eq!(seed.lines().count(), after.lines().count());
    // What is left is reported; no step-shape among it.
    assert!(!fixed.stdout.contains("step-shape"), "{}", fixed.stdout);

    // The diff printed before is exactly the change --fix made.
    for line in diff
        .stdout
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
    {
        assert!(after.lines().any(|a| a == &line[1..]), "{line}");
    }

    // A second --fix changes nothing and says nothing about fixing.
    let again = check_in(dir.path(), &["--no-config", "--fix", "config.yml"]);
    assert_eq!(fs::read_to_string(&path).unwrap(), after);
    assert!(!again.stderr.contains("fixed"), "{}", again.stderr);
    assert_eq!(again.code, fixed.code);
    let nothing = check_in(dir.path(), &["--no-config", "--diff", "config.yml"]);
    assert_eq!(nothing.code, 0, "{}", nothing.transcript());
    assert_eq!(nothing.stdout, "");
    assert!(
        nothing.stderr.contains("nothing to fix"),
        "{}",
        nothing.stderr
    );
}

const VERSION_2: &str = "version: 2\r
jobs:\r
  build:\r
    docker:\r
      - image: cimg/base:2024.02\r
    steps:\r
      - checkout\r
      # writes the notes\r
      - run: |\r
          cat <<EOF > notes.txt\r
          hello\r
          EOF\r
workflows:\r
  version: 2\r
  main:\r
    jobs:\r
      - build\r
";

#[test]
fn unsafe_fixes_move_a_version_2_config_to_2_1() {
    let dir = scratch(&[("config.yml", VERSION_2)]);
    let path = dir.path().join("config.yml");

    // The move is an unsafe fix: --fix leaves it alone and the error stays.
    let safe = check_in(dir.path(), &["--no-config", "--fix", "config.yml"]);
    assert_eq!(safe.code, 1, "{}", safe.transcript());
    assert!(safe.stdout.contains("retired-version"), "{}", safe.stdout);
    assert_eq!(fs::read_to_string(&path).unwrap(), VERSION_2);

    // --unsafe-fixes applies it: version 2.1, the heredoc escaped, `workflows: version` gone,
    // the comment and the CRLF line endings kept, and the config lints clean.
    let moved = check_in(dir.path(), &["--no-config", "--unsafe-fixes", "config.yml"]);
    let after = fs::read_to_string(&path).unwrap();
    assert_eq!(moved.code, 0, "{}\n{after}", moved.transcript());
    assert_eq!(
        after,
        VERSION_2
            .replacen("version: 2\r\n", "version: 2.1\r\n", 1)
            .replace("cat <<EOF", "cat \\<<EOF")
            .replace("workflows:\r\n  version: 2\r\n", "workflows:\r\n")
    );
    assert!(moved.stdout.contains("no problems"), "{}", moved.stdout);

    // Applying again changes nothing.
    check_in(dir.path(), &["--no-config", "--unsafe-fixes", "config.yml"]);
    assert_eq!(fs::read_to_string(&path).unwrap(), after);
}

#[test]
fn fixing_stdin_writes_the_fixed_config() {
    let Some(seed) = newman_seed() else {
        return;
    };
    let out = run(cilint()
        .args(["check", "--no-config", "--fix", "-"])
        .write_stdin(seed.clone()));
    assert!(
        out.stdout.contains("\n          collection: "),
        "{}",
        out.stdout
    );
    assert_eq!(out.stdout.lines().count(), seed.lines().count());
}

#[test]
fn reports_carry_the_fixes() {
    let dir = scratch(&[("config.yml", VERSION_2)]);
    let json = check_in(
        dir.path(),
        &["--no-config", "--format", "json", "config.yml"],
    );
    let value: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let retired = value["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "retired-version")
        .expect("retired-version")
        .clone();
    assert_eq!(retired["fix"]["applicability"], "unsafe");
    let edits = retired["fix"]["edits"].as_array().unwrap();
    assert_eq!(edits.len(), 3, "{retired}");
    // Each edit's byte range holds what the source has there.
    let replaced: Vec<&str> = edits
        .iter()
        .map(|e| {
            &VERSION_2[e["start"].as_u64().unwrap() as usize..e["end"].as_u64().unwrap() as usize]
        })
        .collect();
    assert_eq!(replaced, ["2", "", "  version: 2\r\n"]);

    let sarif = check_in(
        dir.path(),
        &["--no-config", "--format", "sarif", "config.yml"],
    );
    let value: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("SARIF");
    let results = value["runs"][0]["results"].as_array().unwrap();
    let retired = results
        .iter()
        .find(|r| r["ruleId"] == "retired-version")
        .expect("retired-version");
    let changes = &retired["fixes"][0]["artifactChanges"][0];
    assert_eq!(
        changes["replacements"].as_array().unwrap().len(),
        3,
        "{retired}"
    );
}
