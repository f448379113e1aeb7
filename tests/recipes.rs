//! The README's CI recipes, run for real: each command they contain is run with the built
//! `cilint` first on `PATH`, in a scratch repository holding a clean config and then a broken
//! one, and what it writes is checked (JUnit, SARIF, GitLab code quality). Also: the project's
//! own `.circleci/config.yml` lints clean, `--format github` is the default inside GitHub
//! Actions, and the comfort commands (`--version`, `completions`, `man`).

mod common;

use common::{BROKEN, CLEAN, check_in, cilint, path_with_cilint, root, run, scratch_repo};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// The README's fenced blocks under the `###` heading `title` (inside "Where to run it"),
/// as (language, text).
fn recipe_blocks(title: &str) -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find(&format!("\n### {title}\n"))
        .unwrap_or_else(|| panic!("README has a section `### {title}`"));
    let rest = &readme[start + title.len() + 6..];
    let end = rest
        .find("\n## ")
        .into_iter()
        .chain(rest.find("\n### "))
        .min();
    let section = &rest[..end.unwrap_or(rest.len())];
    let mut blocks = Vec::new();
    let mut lines = section.lines();
    while let Some(line) = lines.next() {
        if let Some(lang) = line.strip_prefix("```") {
            let mut text = String::new();
            for l in lines.by_ref() {
                if l.starts_with("```") {
                    break;
                }
                text.push_str(l);
                text.push('\n');
            }
            blocks.push((lang.to_string(), text));
        }
    }
    assert!(!blocks.is_empty(), "`### {title}` has code blocks");
    blocks
}

fn yaml_json(text: &str) -> Value {
    let (report, json) = cilint::analyze(
        text.as_bytes(),
        "recipe.yml",
        &cilint::Settings::default(),
        |cx, _| cx.to_json(),
    );
    let loader: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule.starts_with("yaml-"))
        .collect();
    assert!(loader.is_empty(), "{loader:?}");
    json
}

/// Every shell command in a CI YAML block: `run` (a string, or a map's `command`) and
/// `script` (a list), in document order.
fn commands(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("run", Value::String(s)) | ("command", Value::String(s)) => {
                        out.push(s.clone())
                    }
                    ("script", Value::Array(items)) => {
                        out.extend(items.iter().filter_map(|i| i.as_str().map(String::from)))
                    }
                    _ => commands(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| commands(i, out)),
        _ => {}
    }
}

/// Run a recipe's shell commands, one after the other as a CI step does (`bash -e`); the exit
/// code of the first failing one, or 0.
fn run_commands(dir: &Path, cmds: &[String], env: &[(&str, &str)]) -> (i32, String) {
    let script = cmds.join("\n");
    let mut cmd = Command::new("bash");
    cmd.arg("-eo")
        .arg("pipefail")
        .arg("-c")
        .arg(&script)
        .current_dir(dir)
        .env("PATH", path_with_cilint())
        .env("CILINT_NO_SHELLCHECK", "1")
        .env_remove("GITHUB_ACTIONS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn yaml_recipe_commands(title: &str) -> Vec<Vec<String>> {
    recipe_blocks(title)
        .into_iter()
        .filter(|(lang, _)| lang == "yaml")
        .map(|(_, text)| {
            let mut cmds = Vec::new();
            commands(&yaml_json(&text), &mut cmds);
            assert!(!cmds.is_empty(), "a command in {text}");
            cmds
        })
        .collect()
}

#[test]
fn own_config_lints_clean() {
    let r = run(cilint().args(["check", ".circleci/config.yml"]));
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert!(r.stdout.contains("no problems in 1 file"), "{}", r.stdout);
    let r = run(cilint().args(["check", "--fail-on", "info", ".circleci/config.yml"]));
    assert_eq!(r.code, 0, "{}", r.transcript());
}

#[test]
fn circleci_recipe() {
    let blocks = recipe_blocks("CircleCI");
    let (_, config) = &blocks[0];
    // The recipe is a whole config, and cilint finds nothing in it.
    let dir = scratch_repo(config);
    let (code, out) = run_commands(dir.path(), &["cilint check".into()], &[]);
    assert_eq!(code, 0, "{out}");
    let cmds = yaml_recipe_commands("CircleCI").remove(0);
    for (config, failures) in [(CLEAN, 0), (BROKEN, 1)] {
        let dir = scratch_repo(config);
        let (code, _) = run_commands(dir.path(), &cmds, &[]);
        assert_eq!(code, failures, "exit code on {config}");
        let xml = std::fs::read_to_string(dir.path().join("test-results/cilint/results.xml"))
            .expect("the recipe writes JUnit where store_test_results reads it");
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let suites = doc.root_element();
        assert_eq!(suites.tag_name().name(), "testsuites");
        assert_eq!(suites.attribute("failures"), Some(&*failures.to_string()));
    }
    assert!(
        config.contains("when: always"),
        "results are stored when the check fails"
    );
}

#[test]
fn github_actions_recipes() {
    let recipes = yaml_recipe_commands("GitHub Actions");
    assert_eq!(recipes.len(), 2, "annotations and code scanning");
    // Annotations.
    for (config, expected) in [(CLEAN, 0), (BROKEN, 1)] {
        let dir = scratch_repo(config);
        let (code, out) = run_commands(dir.path(), &recipes[0], &[("GITHUB_ACTIONS", "true")]);
        assert_eq!(code, expected);
        if expected == 1 {
            assert!(
                out.starts_with("::error file=.circleci/config.yml,line=12,"),
                "{out}"
            );
        } else {
            assert_eq!(out, "");
        }
    }
    // SARIF for code scanning: `uses:` steps have no command; the run step writes the file.
    for (config, results) in [(CLEAN, 0), (BROKEN, 1)] {
        let dir = scratch_repo(config);
        let (code, _) = run_commands(dir.path(), &recipes[1], &[]);
        assert_eq!(code, 0, "--fail-on never lets the upload step run");
        let text = std::fs::read_to_string(dir.path().join("cilint.sarif")).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_sarif_shape(&v);
        assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), results);
    }
    let blocks = recipe_blocks("GitHub Actions");
    assert!(blocks[1].1.contains("sarif_file: cilint.sarif"));
}

/// What GitHub code scanning requires of an uploaded SARIF file.
fn assert_sarif_shape(v: &Value) {
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "cilint");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for res in run["results"].as_array().unwrap() {
        let id = res["ruleId"].as_str().unwrap();
        assert!(rules.iter().any(|r| r["id"] == id));
        assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], ".circleci/config.yml");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn gitlab_recipe() {
    let cmds = yaml_recipe_commands("GitLab").remove(0);
    let blocks = recipe_blocks("GitLab");
    let artifact = yaml_json(&blocks[0].1)["cilint"]["artifacts"]["reports"]["codequality"]
        .as_str()
        .unwrap()
        .to_string();
    for (config, issues) in [(CLEAN, 0), (BROKEN, 1)] {
        let dir = scratch_repo(config);
        let (code, _) = run_commands(dir.path(), &cmds, &[]);
        assert_eq!(code, issues as i32);
        let text = std::fs::read_to_string(dir.path().join(&artifact)).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let list = v.as_array().unwrap();
        assert_eq!(list.len(), issues);
        for issue in list {
            assert_eq!(issue["check_name"], "unknown-job");
            assert_eq!(issue["severity"], "critical");
            assert_eq!(issue["location"]["path"], ".circleci/config.yml");
            assert_eq!(issue["location"]["lines"]["begin"], 12);
            assert_eq!(issue["fingerprint"].as_str().unwrap().len(), 32);
            assert!(issue["description"].as_str().unwrap().contains("deploy"));
        }
    }
}

#[test]
fn plain_shell_recipe() {
    let blocks = recipe_blocks("Anywhere else");
    let (lang, text) = &blocks[0];
    assert_eq!(lang, "sh");
    let cmds: Vec<String> = text.lines().map(String::from).collect();
    let dir = scratch_repo(CLEAN);
    assert_eq!(run_commands(dir.path(), &cmds, &[]).0, 0);
    let dir = scratch_repo(BROKEN);
    assert_eq!(run_commands(dir.path(), &cmds, &[]).0, 1);
}

#[test]
fn github_format_is_the_default_in_github_actions() {
    let dir = scratch_repo(BROKEN);
    let check = |github_actions: &str, args: &[&str]| {
        run(cilint()
            .current_dir(dir.path())
            .env("GITHUB_ACTIONS", github_actions)
            .arg("check")
            .args(args))
    };
    let r = check("true", &[]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.starts_with("::error file="), "{}", r.stdout);
    // An explicit --format wins, and other values of the variable change nothing.
    let r = check("true", &["--format", "short"]);
    assert!(
        r.stdout.starts_with(".circleci/config.yml:12:"),
        "{}",
        r.stdout
    );
    let r = check("false", &[]);
    assert!(r.stdout.contains("error[unknown-job]"), "{}", r.stdout);
}

#[test]
fn version_names_the_schema_date() {
    let r = run(cilint().arg("--version"));
    assert_eq!(r.code, 0);
    let date = cilint::SCHEMA_DATE;
    assert_eq!(
        r.stdout,
        format!(
            "cilint {} (CircleCI config schema of {date})\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    // A real calendar date, YYYY-MM-DD.
    let parts: Vec<u32> = date.split('-').map(|p| p.parse().unwrap()).collect();
    assert!(parts.len() == 3 && parts[0] >= 2024 && (1..=12).contains(&parts[1]));
    assert!((1..=31).contains(&parts[2]));
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef cilint"),
        ("fish", "complete -c cilint"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let r = run(cilint().args(["completions", shell]));
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.contains(marker), "{shell}");
        assert!(
            r.stdout.contains("check"),
            "{shell} completes the subcommands"
        );
    }
    let r = run(cilint().args(["completions", "tcsh"]));
    assert_eq!(r.code, 2);
}

#[test]
fn man_page_is_roff() {
    let r = run(cilint().arg("man"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &r.stdout[..80]
    );
    assert!(r.stdout.contains(".TH cilint 1"));
    assert!(r.stdout.contains("check"));
    // `man` itself can read it, when it is installed.
    let man_ok = Command::new("man").arg("--version").output().is_ok();
    if man_ok {
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("cilint.1");
        std::fs::write(&page, &r.stdout).unwrap();
        let out = Command::new("man")
            .arg("-l")
            .arg(&page)
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .output()
            .unwrap();
        if out.status.success() {
            assert!(String::from_utf8_lossy(&out.stdout).contains("cilint"));
        }
    }
}

#[test]
fn a_circleci_folder_lints_every_config_grouped_per_file() {
    let dir = scratch_repo(CLEAN);
    std::fs::write(dir.path().join(".circleci/continue_config.yml"), BROKEN).unwrap();
    std::fs::write(dir.path().join(".circleci/notes.txt"), "not yaml").unwrap();
    let r = check_in(dir.path(), &["--format", "json", ".circleci/"]);
    assert_eq!(r.code, 1, "{}", r.transcript());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let files: Vec<(&str, usize)> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["diagnostics"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            (".circleci/config.yml", 0),
            (".circleci/continue_config.yml", 1)
        ]
    );
    // The human report names each file once per finding and sums up over both.
    let r = check_in(dir.path(), &[".circleci"]);
    assert!(
        r.stdout.contains("[.circleci/continue_config.yml:12:9]"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("1 error in 2 files"), "{}", r.stdout);
}

#[test]
fn a_setup_config_brings_its_continuation_config() {
    let setup = "version: 2.1
setup: true
orbs:
  continuation: circleci/continuation@1.0.0
workflows:
  setup:
    jobs:
      - continuation/continue:
          configuration_path: .circleci/continue_config.yml
";
    let dir = scratch_repo(setup);
    std::fs::write(dir.path().join(".circleci/continue_config.yml"), BROKEN).unwrap();
    let r = check_in(dir.path(), &["--format", "short", ".circleci/config.yml"]);
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with(".circleci/continue_config.yml:12:9: error[unknown-job]")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("in 2 files"), "{}", r.stdout);
    // Named as well, or through the folder: linted once.
    let r = check_in(dir.path(), &["--format", "short", ".circleci/"]);
    assert!(r.stdout.contains("in 2 files"), "{}", r.stdout);
    // Without the file there is nothing more to lint.
    std::fs::remove_file(dir.path().join(".circleci/continue_config.yml")).unwrap();
    let r = check_in(dir.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert!(r.stdout.contains(" in 1 file\n"), "{}", r.stdout);
}
