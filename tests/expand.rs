//! `cilint expand`: against CircleCI's own output (the golden pairs of
//! `../shared/golden/expand/`: a folder that `circleci config pack` packed and
//! `circleci config process` expanded), and on fixtures (a registry orb from an orb cache the
//! test writes, a matrix, pipeline parameters; what stops an expansion). Snapshots in
//! `snapshots/` (names start `expand__`).

mod common;

use common::{cilint, root, run, scratch, skip, snapshot};
use granit_parser::{Event, Parser, ScalarStyle};
use std::path::Path;

/// The golden pairs: each folder with `src/` and `processed.yml`.
fn pairs() -> Option<Vec<std::path::PathBuf>> {
    let dir = root().join("../shared/golden/expand");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        skip("../shared/golden/expand (CircleCI's outputs to compare with)");
        return None;
    };
    let mut pairs: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("src").is_dir() && p.join("processed.yml").is_file())
        .collect();
    pairs.sort();
    Some(pairs)
}

/// `processed.yml` without its 4-line banner: what `circleci config process` printed.
fn processed(pair: &Path) -> String {
    let text = std::fs::read_to_string(pair.join("processed.yml")).expect("processed.yml");
    text.split_inclusive('\n').skip(4).collect()
}

/// A YAML document as JSON, read by the YAML parser alone (not cilint's loader): mappings
/// compare without regard to key order; a plain scalar is typed as YAML 1.1 reads it.
fn yaml_value(text: &str) -> serde_json::Value {
    use serde_json::Value as J;
    enum Open {
        Seq(Vec<J>),
        Map(serde_json::Map<String, J>, Option<String>),
    }
    fn add(stack: &mut [Open], root: &mut Option<J>, v: J) {
        match stack.last_mut() {
            None => *root = Some(v),
            Some(Open::Seq(items)) => items.push(v),
            Some(Open::Map(m, key)) => match key.take() {
                None => *key = Some(v.as_str().map_or_else(|| v.to_string(), str::to_string)),
                Some(k) => {
                    m.insert(k, v);
                }
            },
        }
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut root = None;
    let mut parser = Parser::new_from_str(text);
    while let Some(Ok((event, _))) = parser.next_event() {
        match event {
            Event::Scalar(s, style, _, _) => {
                let v = if style == ScalarStyle::Plain {
                    plain(&s)
                } else {
                    J::String(s.to_string())
                };
                add(&mut stack, &mut root, v);
            }
            Event::SequenceStart(..) => stack.push(Open::Seq(Vec::new())),
            Event::MappingStart(..) => stack.push(Open::Map(serde_json::Map::new(), None)),
            Event::SequenceEnd | Event::MappingEnd => {
                let v = match stack.pop() {
                    Some(Open::Seq(items)) => J::Array(items),
                    Some(Open::Map(m, _)) => J::Object(m),
                    None => continue,
                };
                add(&mut stack, &mut root, v);
            }
            _ => {}
        }
    }
    root.unwrap_or(J::Null)
}

/// A plain scalar as YAML 1.1 types it.
fn plain(s: &str) -> serde_json::Value {
    use serde_json::Value as J;
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return J::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
            return J::Bool(true);
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            return J::Bool(false);
        }
        _ => {}
    }
    let int = regex::Regex::new(r"^[-+]?(0|[1-9][0-9_]*)$").unwrap();
    let float = regex::Regex::new(r"^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?$").unwrap();
    let clean = s.replace('_', "");
    if int.is_match(s)
        && let Ok(i) = clean.parse::<i64>()
    {
        return J::from(i);
    }
    if float.is_match(s)
        && let Ok(f) = clean.parse::<f64>()
    {
        return J::from(f);
    }
    J::String(s.to_string())
}

/// Every golden pair: `cilint expand` of its folder is CircleCI's output, equal as YAML and
/// byte for byte, or the config is one CircleCI rejects. A rejected pair must be stale: its
/// `processed.yml` is the one of another pair whose source differs (the project did not
/// regenerate its output, since the compiler refused the new source).
#[test]
fn golden_pairs_equal_circleci_output() {
    let Some(pairs) = pairs() else { return };
    assert!(!pairs.is_empty());
    let mut equal = 0;
    let mut identical = 0;
    let mut rejected = Vec::new();
    let mut problems = Vec::new();
    for pair in &pairs {
        let name = pair.file_name().unwrap().to_string_lossy().to_string();
        let src = format!("../shared/golden/expand/{name}/src");
        let r = run(cilint().args(["expand", "--no-config", "--format", "short", &src]));
        let want = processed(pair);
        if r.code != 0 {
            rejected.push((name, r.stdout));
            continue;
        }
        if yaml_value(&r.stdout) == yaml_value(&want) {
            equal += 1;
        } else {
            problems.push(format!("{name}: not equal as YAML"));
        }
        if r.stdout == want {
            identical += 1;
        } else {
            problems.push(format!("{name}: not byte-identical"));
        }
    }
    for (name, findings) in &rejected {
        let want = processed(&root().join("../shared/golden/expand").join(name));
        let same_output_as_another = pairs.iter().any(|p| {
            p.file_name().unwrap().to_string_lossy() != name.as_str() && processed(p) == want
        });
        if !same_output_as_another {
            problems.push(format!(
                "{name}: rejected, but its output is no other pair's:\n{findings}"
            ));
        }
    }
    eprintln!(
        "golden pairs: {} in all, {equal} equal as YAML, {identical} byte-identical, {} rejected as CircleCI rejects them ({})",
        pairs.len(),
        rejected.len(),
        rejected
            .iter()
            .map(|(n, f)| format!("{n}: {}", f.lines().next().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("; ")
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(equal >= pairs.len() - 2, "too many pairs rejected");
}

/// A stale pair's source adds a job without an executor: the finding, in its file.
#[test]
fn golden_stale_pair_is_rejected_with_the_reason() {
    let Some(pairs) = pairs() else { return };
    // The pair whose `algolia_index` job has only `steps:` (the first such, by name).
    let Some(pair) = pairs.iter().find(|p| {
        std::fs::read_to_string(p.join("src/jobs/algolia_index.yml"))
            .is_ok_and(|t| !t.contains("docker:"))
    }) else {
        return;
    };
    let name = pair.file_name().unwrap().to_string_lossy().to_string();
    let r = run(cilint().args([
        "expand",
        "--no-config",
        &format!("../shared/golden/expand/{name}/src"),
    ]));
    assert_eq!(r.code, 1);
    snapshot(
        "expand__golden_stale_pair",
        &r.transcript(),
        &[(name.as_str(), "PAIR")],
    );
}

/// The orb of the fixtures, in an orb cache of its own.
fn orb_cache() -> tempfile::TempDir {
    let orb = std::fs::read_to_string(root().join("tests/fixtures/expand/acme-node@3.1.0.yml"))
        .expect("orb fixture");
    scratch(&[("acme/node@3.1.0.yml", orb)])
}

fn expand_fixture(cache: &Path, extra: &[&str]) -> common::Run {
    run(cilint()
        .args(["expand", "--no-config", "--branch", "main", "--orb-cache"])
        .arg(cache)
        .args(extra)
        .arg("tests/fixtures/expand/orb-matrix.yml"))
}

/// A registry orb from the orb cache, a matrix, pipeline parameters at their defaults: the
/// jobs CircleCI would run (`test-<values>` instances, the orb's steps with their arguments).
#[test]
fn orb_matrix_and_pipeline_defaults() {
    let cache = orb_cache();
    let r = expand_fixture(cache.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    snapshot("expand__orb_matrix_defaults", &r.transcript(), &[]);
}

/// The same with `--param`: the `when` step is taken, the registry substituted.
#[test]
fn orb_matrix_and_given_parameters() {
    let cache = orb_cache();
    let r = expand_fixture(
        cache.path(),
        &[
            "--param",
            "run-integration=true",
            "--param",
            "registry=npm.example.com",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    snapshot("expand__orb_matrix_params", &r.transcript(), &[]);
    // A parameter that is not declared is a usage error, as for `plan`.
    let bad = expand_fixture(cache.path(), &["--param", "nope=1"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stdout.is_empty());
}

/// Without the orb in the cache, the expansion stops on the first use of each member.
#[test]
fn orb_not_at_hand() {
    let empty = tempfile::tempdir().expect("temp dir");
    let r = run(cilint()
        .args(["expand", "--no-config", "--format", "short", "--orb-cache"])
        .arg(empty.path())
        .arg("tests/fixtures/expand/orb-matrix.yml"));
    assert_eq!(r.code, 1);
    snapshot("expand__orb_not_at_hand", &r.transcript(), &[]);
}

/// What CircleCI rejects while compiling: printed as `check` prints findings (in any format),
/// exit 1, and no YAML on stdout.
#[test]
fn rejected_configs_are_findings() {
    let r = run(cilint().args([
        "expand",
        "--no-config",
        "tests/fixtures/expand/rejected.yml",
    ]));
    assert_eq!(r.code, 1);
    assert!(!r.stdout.contains("version: 2\n"));
    snapshot("expand__rejected_human", &r.transcript(), &[]);
    let json = run(cilint().args([
        "expand",
        "--no-config",
        "--format",
        "json",
        "tests/fixtures/expand/rejected.yml",
    ]));
    assert_eq!(json.code, 1);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let rules: Vec<&str> = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        vec!["argument-type", "unknown-command", "missing-argument"]
    );
}

/// A folder is packed first; `-o` writes the file (and nothing when the expansion fails).
#[test]
fn folders_and_output_files() {
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("processed.yml");
    let r = run(cilint()
        .args(["expand", "--no-config", "tests/fixtures/pack/app", "-o"])
        .arg(&file));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let text = std::fs::read_to_string(&file).expect("written");
    snapshot("expand__pack_folder", &text, &[]);

    let broken = out.path().join("broken.yml");
    let r = run(cilint()
        .args([
            "expand",
            "--no-config",
            "--format",
            "short",
            "tests/fixtures/pack/broken",
            "-o",
        ])
        .arg(&broken));
    assert_eq!(r.code, 1);
    assert!(!broken.exists());
    assert_eq!(
        r.stdout,
        "tests/fixtures/pack/broken/jobs/build.yml:7:9: error[unknown-command]: job `build` uses command `instal-deps`, which is defined nowhere and is not a built-in step\n1 error in 1 file\n"
    );
}

/// The comparison above: typed as YAML 1.1, mappings without regard to order.
#[test]
fn yaml_equality_is_about_data() {
    assert_eq!(
        yaml_value("a: 1\nb: [x, 'y']\n"),
        yaml_value("b:\n- x\n- y\na: 1\n")
    );
    assert_ne!(yaml_value("a: '1'\n"), yaml_value("a: 1\n"));
    assert_ne!(yaml_value("a: yes\n"), yaml_value("a: 'yes'\n"));
    assert_eq!(yaml_value("a: |\n  x\n"), yaml_value("a: \"x\\n\"\n"));
    assert_ne!(yaml_value("a: [1, 2]\n"), yaml_value("a: [2, 1]\n"));
}

/// `--diff OLD NEW`: jobs added and removed, steps and values changed, parameters resolved
/// differently (the pipeline parameter `go` gives every job a new image).
#[test]
fn diff_of_two_versions() {
    let r = run(cilint().args([
        "expand",
        "--no-config",
        "--diff",
        "tests/fixtures/expand/diff-old.yml",
        "tests/fixtures/expand/diff-new.yml",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    snapshot("expand__diff", &r.transcript(), &[]);
    let same = run(cilint().args([
        "expand",
        "--no-config",
        "--diff",
        "tests/fixtures/expand/diff-old.yml",
        "tests/fixtures/expand/diff-old.yml",
    ]));
    assert!(same.stdout.ends_with("\nno change\n"), "{}", same.stdout);
    // A side CircleCI would reject: its findings, exit 1.
    let bad = run(cilint().args([
        "expand",
        "--no-config",
        "--format",
        "short",
        "--diff",
        "tests/fixtures/expand/diff-old.yml",
        "tests/fixtures/expand/rejected.yml",
    ]));
    assert_eq!(bad.code, 1);
    assert!(
        bad.stdout.contains("error[missing-argument]"),
        "{}",
        bad.stdout
    );
}
