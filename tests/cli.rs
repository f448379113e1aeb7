//! The real binary on fixtures: every command, format, exit code, path discovery, suppression
//! and settings behaviour. Whole outputs are snapshots in `snapshots/` (names start `cli__`).

mod common;

use common::{cilint, fixture, run, snapshot, snapshot_run};
use std::fs;
use std::path::Path;

const EXAMPLE: &str = "examples/approval/config.yml";
const WARNINGS: &str = "tests/fixtures/duplicate-key.yml";
const BROKEN: &str = "tests/fixtures/approval-as-printed.yml";

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).expect("the json report parses")
}

/// The paths of the files of a JSON report, in its order.
fn file_paths(v: &serde_json::Value) -> Vec<&str> {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect()
}

/// `cilint check ARGS`, its transcript a snapshot named `name`.
fn snapshot_check(name: &str, args: &[&str]) -> common::Run {
    snapshot_run(name, cilint().arg("check").args(args))
}

// ---------------------------------------------------------------------------------------------
// Bundled example and fixtures, human format

#[test]
fn example_is_clean() {
    let r = snapshot_check("cli__example", &[EXAMPLE]);
    assert_eq!(r.code, 0);
}

#[test]
fn printed_config_is_one_syntax_error() {
    let r = snapshot_check("cli__approval_as_printed", &[BROKEN]);
    assert_eq!(
        r.code, 1,
        "a YAML syntax error is a finding, not a usage error"
    );
}

#[test]
fn misindented_orb_step() {
    // Valid YAML; the loader alone finds nothing (later stages judge the step's keys).
    let r = snapshot_check(
        "cli__orb_step_misindented",
        &[
            "--format",
            "short",
            "tests/fixtures/orb-step-misindented.yml",
        ],
    );
    assert!(r.code == 0 || r.code == 1);
}

#[test]
fn yaml_edge_cases() {
    let r = snapshot_check(
        "cli__yaml_edge_cases",
        &[
            "--format",
            "short",
            "tests/fixtures/empty.yml",
            "tests/fixtures/bom.yml",
            "tests/fixtures/crlf.yml",
            "tests/fixtures/invalid-utf8.yml",
        ],
    );
    assert_eq!(r.code, 1, "invalid UTF-8 is an error finding");
}

// ---------------------------------------------------------------------------------------------
// Every format, on a file with warnings and a file with an error

fn formats_run(format: &str) -> common::Run {
    snapshot_check(
        &format!("cli__format_{format}"),
        &["--format", format, WARNINGS, BROKEN, EXAMPLE],
    )
}

#[test]
fn format_human() {
    assert_eq!(formats_run("human").code, 1);
}

#[test]
fn format_short() {
    assert_eq!(formats_run("short").code, 1);
}

#[test]
fn format_json() {
    let r = formats_run("json");
    assert_eq!(r.code, 1);
    let v = json(&r.stdout);
    assert_eq!(v["version"], 1);
    let files = v["files"].as_array().unwrap();
    let paths = file_paths(&v);
    assert_eq!(paths, [WARNINGS, BROKEN, EXAMPLE], "input order is kept");
    let errors = files
        .iter()
        .flat_map(|f| f["diagnostics"].as_array().unwrap())
        .filter(|d| d["severity"] == "error")
        .count();
    assert_eq!(v["summary"]["errors"], errors);
    assert_eq!(v["summary"]["files"], 3);
}

#[test]
fn format_sarif() {
    let r = run(cilint().args(["check", "--format", "sarif", WARNINGS, BROKEN, EXAMPLE]));
    assert_eq!(r.code, 1);
    let mut v = json(&r.stdout);
    assert_eq!(v["version"], "2.1.0");
    let driver = &mut v["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "cilint");
    // The rule list grows with every rule: check it against the registry, snapshot the rest.
    let ids: Vec<&str> = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let registry: Vec<&str> = cilint::rules().iter().map(|r| r.id).collect();
    assert_eq!(ids, registry);
    driver["rules"] = serde_json::json!("[every registered rule]");
    driver["version"] = serde_json::json!("[version]");
    for result in v["runs"][0]["results"].as_array_mut().unwrap() {
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        // Its index into the rule list, checked above.
        result["ruleIndex"] = serde_json::json!("[index]");
    }
    let text = serde_json::to_string_pretty(&v).unwrap();
    snapshot(
        "cli__format_sarif",
        &format!("exit: {}\n{text}\n", r.code),
        &[],
    );
}

#[test]
fn format_github() {
    let r = formats_run("github");
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.lines().all(|l| l.starts_with("::")),
        "{}",
        r.stdout
    );
}

#[test]
fn format_junit() {
    let r = formats_run("junit");
    assert_eq!(r.code, 1);
    let doc = roxmltree::Document::parse(&r.stdout).expect("well-formed XML");
    let suites = doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .count();
    assert_eq!(suites, 3);
}

// ---------------------------------------------------------------------------------------------
// Exit codes and --fail-on

#[test]
fn fail_on_levels() {
    let code = |args: &[&str]| run(cilint().arg("check").args(args)).code;
    assert_eq!(code(&[WARNINGS]), 0, "warnings do not fail by default");
    assert_eq!(code(&["--fail-on", "warning", WARNINGS]), 1);
    assert_eq!(code(&["--fail-on", "info", WARNINGS]), 1);
    assert_eq!(code(&["--fail-on", "error", BROKEN]), 1);
    assert_eq!(code(&["--fail-on", "never", BROKEN]), 0);
    assert_eq!(code(&["--fail-on", "warning", EXAMPLE]), 0);
}

#[test]
fn usage_errors_exit_2() {
    snapshot_check("cli__unknown_format", &["--format", "xml", EXAMPLE]);
    let r = snapshot_check("cli__unknown_flag", &["--no-such-flag"]);
    assert_eq!(r.code, 2);
}

// ---------------------------------------------------------------------------------------------
// --select / --ignore

#[test]
fn select_and_ignore() {
    let r = snapshot_check(
        "cli__select",
        &[
            "--format",
            "short",
            "--select",
            "yaml-syntax",
            WARNINGS,
            BROKEN,
        ],
    );
    assert_eq!(r.code, 1);
    let r = snapshot_check(
        "cli__ignore",
        &[
            "--format",
            "short",
            "--ignore",
            "yaml-syntax,yaml-limits",
            WARNINGS,
            BROKEN,
        ],
    );
    assert_eq!(r.code, 0);
    let r = snapshot_check(
        "cli__select_unknown",
        &["--select", "duplicate-keys", WARNINGS],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean `duplicate-key`"));
    let r = run(cilint().args([
        "check",
        "--ignore",
        "duplicate-key,nope-nope-nope",
        WARNINGS,
    ]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("`nope-nope-nope`"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// stdin

#[test]
fn stdin_with_and_without_a_name() {
    let text = fs::read(fixture("duplicate-key.yml")).unwrap();
    let r = snapshot_run(
        "cli__stdin",
        cilint()
            .args(["check", "--format", "short", "-"])
            .write_stdin(text.clone()),
    );
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.starts_with("<stdin>:9:3: warning[duplicate-key]"),
        "{}",
        r.stdout
    );
    let r = run(cilint()
        .args([
            "check",
            "--format",
            "short",
            "--stdin-filename",
            ".circleci/config.yml",
            "-",
        ])
        .write_stdin(text));
    assert!(
        r.stdout.starts_with(".circleci/config.yml:9:3:"),
        "{}",
        r.stdout
    );
    let r = run(cilint()
        .args(["check", "--format", "short", "-"])
        .write_stdin(&b"a: [\n"[..]));
    assert_eq!(r.code, 1);
}

// ---------------------------------------------------------------------------------------------
// Path discovery (temporary folders)

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(".git")).unwrap();
        Repo { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    fn cilint_in(&self, rel: &str) -> assert_cmd::Command {
        let mut cmd = cilint();
        cmd.current_dir(self.path().join(rel));
        cmd
    }

    fn tmp(&self) -> String {
        self.path().display().to_string()
    }
}

fn dup_config() -> String {
    fs::read_to_string(fixture("duplicate-key.yml")).unwrap()
}

#[test]
fn discovers_config_upwards() {
    let repo = Repo::new();
    repo.write(".circleci/config.yml", &dup_config());
    repo.write("src/deep/keep", "");
    let r = run(repo
        .cilint_in("src/deep")
        .args(["check", "--format", "short"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("../../.circleci/config.yml:9:3:"),
        "{}",
        r.stdout
    );
    let r = run(repo.cilint_in("").args(["check", "--format", "short"]));
    assert!(
        r.stdout.starts_with(".circleci/config.yml:9:3:"),
        "{}",
        r.stdout
    );
}

#[test]
fn discovers_yaml_extension() {
    let repo = Repo::new();
    repo.write(".circleci/config.yaml", &dup_config());
    let r = run(repo
        .cilint_in("")
        .args(["check", "--format", "short", "-q"]));
    assert!(
        r.stdout
            .starts_with(".circleci/config.yaml:9:3: warning[duplicate-key]"),
        "{}",
        r.stdout
    );
}

#[test]
fn discovery_stops_at_repository_root() {
    let outer = tempfile::tempdir().unwrap();
    fs::create_dir_all(outer.path().join(".circleci")).unwrap();
    fs::write(outer.path().join(".circleci/config.yml"), dup_config()).unwrap();
    let repo = outer.path().join("repo");
    fs::create_dir_all(repo.join(".git")).unwrap();
    let r = run(cilint().current_dir(&repo).arg("check"));
    assert_eq!(r.code, 2);
    let tmp = outer.path().display().to_string();
    snapshot("cli__no_config_found", &r.transcript(), &[(&tmp, "[TMP]")]);
}

#[test]
fn folder_arguments() {
    let repo = Repo::new();
    repo.write("a/.circleci/config.yml", &dup_config());
    repo.write("a/other.yml", "not: [checked\n");
    repo.write("b/one.yml", &dup_config());
    repo.write("b/two.yaml", "version: 2.1\n");
    repo.write("b/notes.txt", "not yaml");
    repo.write("b/sub/three.yml", "ignored: [\n");
    repo.write("c/readme.txt", "");
    let r = run(repo
        .cilint_in("")
        .args(["check", "--format", "json", "a", "b"]));
    assert!(r.code <= 1, "{}", r.stderr);
    let v = json(&r.stdout);
    let paths = file_paths(&v);
    assert_eq!(paths, ["a/.circleci/config.yml", "b/one.yml", "b/two.yaml"]);
    let r = run(repo.cilint_in("").args(["check", "c"]));
    assert_eq!(r.code, 2);
    snapshot(
        "cli__empty_folder",
        &r.transcript(),
        &[(&repo.tmp(), "[TMP]")],
    );
}

#[test]
fn several_files_keep_their_order() {
    let repo = Repo::new();
    let mut names = Vec::new();
    for i in 0..24 {
        let name = format!("f{i:02}.yml");
        let text = if i % 3 == 0 {
            "a: [\n".to_string()
        } else {
            dup_config()
        };
        repo.write(&name, &text);
        names.push(name);
    }
    names.reverse();
    let r = run(repo
        .cilint_in("")
        .args(["check", "--format", "json"])
        .args(&names));
    let v = json(&r.stdout);
    let paths = file_paths(&v);
    assert_eq!(paths, names);
    assert_eq!(r.code, 1);
}

// ---------------------------------------------------------------------------------------------
// Unreadable files

#[test]
fn unreadable_file_exits_2_and_names_it() {
    let r = snapshot_check("cli__missing_file", &["tests/fixtures/no-such-file.yml"]);
    assert_eq!(r.code, 2);
    // The readable files are still reported.
    let r = run(cilint().args(["check", "--format", "short", WARNINGS, "nope.yml"]));
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("duplicate-key"), "{}", r.stdout);
    assert!(r.stderr.contains("cannot read nope.yml: "), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// Suppressions

#[test]
fn suppressions() {
    for (name, code) in [
        ("suppress-line", 0),
        ("suppress-next-line", 0),
        ("suppress-file", 0),
        ("suppress-unused", 0),
        ("suppress-unknown", 0),
    ] {
        let path = format!("tests/fixtures/{name}.yml");
        let r = snapshot_check(&format!("cli__{}", name.replace('-', "_")), &[&path]);
        assert_eq!(r.code, code, "{name}");
    }
}

#[test]
fn suppressed_findings_are_gone() {
    for name in ["suppress-line", "suppress-next-line", "suppress-file"] {
        let r = run(cilint().args([
            "check",
            "--format",
            "json",
            &format!("tests/fixtures/{name}.yml"),
        ]));
        let v = json(&r.stdout);
        assert_eq!(
            v["files"][0]["diagnostics"],
            serde_json::json!([]),
            "{name}"
        );
    }
    let r = run(cilint().args([
        "check",
        "--format",
        "json",
        "tests/fixtures/suppress-unused.yml",
    ]));
    let v = json(&r.stdout);
    let rules: Vec<&str> = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["unused-suppression"; 4]);
}

// ---------------------------------------------------------------------------------------------
// Settings (.cilint.toml)

#[test]
fn settings_levels() {
    let repo = Repo::new();
    repo.write(".circleci/config.yml", &dup_config());
    repo.write(".cilint.toml", "[rules]\nduplicate-key = \"error\"\n");
    let r = run(repo
        .cilint_in("")
        .args(["check", "--format", "short", "-q"]));
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("error[duplicate-key]"), "{}", r.stdout);
    // A .cilint.toml next to the config wins over the repository's.
    repo.write(
        ".circleci/.cilint.toml",
        "[rules]\nduplicate-key = \"off\"\n",
    );
    let r = run(repo
        .cilint_in("")
        .args(["check", "--format", "short", "-q"]));
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    // --no-config: defaults.
    let r = run(repo
        .cilint_in("")
        .args(["check", "--format", "short", "-q", "--no-config"]));
    assert!(r.stdout.contains("warning[duplicate-key]"), "{}", r.stdout);
    // --config PATH: that file only.
    repo.write("elsewhere.toml", "[rules]\nduplicate-key = \"info\"\n");
    let r = run(repo.cilint_in("").args([
        "check",
        "--format",
        "short",
        "-q",
        "--config",
        "elsewhere.toml",
    ]));
    assert!(r.stdout.contains("info[duplicate-key]"), "{}", r.stdout);
    assert_eq!(r.code, 0);
    // The other sections are accepted.
    repo.write(
        ".circleci/.cilint.toml",
        "[env]\nproject = [\"A\"]\n[contexts]\ndeploy = [\"B\"]\n[orbs]\ncache = \"orbs\"\n",
    );
    let r = run(repo
        .cilint_in("")
        .args(["check", "--format", "short", "-q"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn settings_unknown_keys_are_usage_errors() {
    let repo = Repo::new();
    repo.write(".circleci/config.yml", &dup_config());
    let cases = [
        (
            "unknown_section",
            "[rulez]\nduplicate-key = \"off\"\n",
            "rulez",
        ),
        ("unknown_key", "[env]\nprojects = [\"A\"]\n", "projects"),
        (
            "unknown_rule",
            "[rules]\nduplicate-keys = \"off\"\n",
            "duplicate-keys",
        ),
        ("bad_level", "[rules]\nduplicate-key = \"warn\"\n", "warn"),
    ];
    for (name, text, key) in cases {
        repo.write(".cilint.toml", text);
        let r = run(repo.cilint_in("").arg("check"));
        assert_eq!(r.code, 2, "{name}");
        assert!(
            r.stderr.contains(".cilint.toml") && r.stderr.contains(key),
            "{name}: {}",
            r.stderr
        );
        snapshot(
            &format!("cli__settings_{name}"),
            &r.transcript(),
            &[(&repo.tmp(), "[TMP]")],
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Colour

#[test]
fn colour_choices() {
    const ESC: char = '\x1b';
    let colored = |env: &[(&str, &str)], args: &[&str]| {
        let mut cmd = cilint();
        cmd.args(["check", WARNINGS]).args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        run(&mut cmd).stdout.contains(ESC)
    };
    assert!(!colored(&[], &[]), "not a terminal: no colour");
    assert!(colored(&[("FORCE_COLOR", "1")], &[]));
    assert!(!colored(&[("FORCE_COLOR", "0")], &[]));
    assert!(!colored(&[("NO_COLOR", "1")], &[]));
    assert!(colored(&[("NO_COLOR", "1")], &["--color", "always"]));
    assert!(!colored(&[("FORCE_COLOR", "1")], &["--color", "never"]));
    assert!(colored(&[], &["--color", "always", "--format", "short"]));
    assert!(!colored(&[], &["--color", "always", "--format", "json"]));
}

// ---------------------------------------------------------------------------------------------
// rules, explain

#[test]
fn rules_table() {
    let r = run(cilint().arg("rules"));
    assert_eq!(r.code, 0);
    let mut lines = r.stdout.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("ID ") && header.contains("SEVERITY") && header.ends_with("SUMMARY")
    );
    let rows: Vec<Vec<&str>> = lines
        .map(|l| {
            l.splitn(3, "  ")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .collect();
    let registry = cilint::rules();
    assert_eq!(rows.len(), registry.len());
    for (row, rule) in rows.iter().zip(registry) {
        assert_eq!(row[0], rule.id);
        assert!(row.len() >= 2, "{row:?}");
        let rest = row[1..].join("  ");
        assert!(rest.starts_with(rule.severity.as_str()), "{row:?}");
        assert!(rest.ends_with(rule.summary), "{row:?}");
    }
}

#[test]
fn explain_rule() {
    let r = run(cilint().args(["explain", "duplicate-key"]));
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout.trim_end(),
        cilint::find_rule("duplicate-key")
            .unwrap()
            .explanation
            .trim_end()
    );
    let r = snapshot_run(
        "cli__explain_unknown",
        cilint().args(["explain", "duplicate-keys"]),
    );
    assert_eq!(r.code, 2);
}

#[test]
fn quiet_has_no_summary() {
    // The example's orb is not cached and it ships to staging from every branch (two infos):
    // ignore them to see the summary alone.
    let ignore = "orb-unresolved,context-overexposed";
    let r = run(cilint().args(["check", "-q", "--ignore", ignore, EXAMPLE]));
    assert_eq!(r.stdout, "");
    let r = run(cilint().args(["check", "--ignore", ignore, EXAMPLE]));
    assert_eq!(r.stdout, "no problems in 1 file\n");
}

// ---------------------------------------------------------------------------------------------
// Acceptance on the seed files, when the shared folder is there

fn seed(name: &str) -> Option<std::path::PathBuf> {
    let p = common::root().join("../shared/examples/seeds").join(name);
    p.exists().then_some(p)
}

#[test]
fn seed_approval_has_no_error() {
    let Some(path) = seed("approval.yml") else {
        common::skip("../shared/examples/seeds");
        return;
    };
    let r = run(cilint().args(["check", "--format", "json"]).arg(path));
    assert_eq!(r.code, 0, "{}", r.stdout);
    let v = json(&r.stdout);
    assert_eq!(v["summary"]["errors"], 0);
}

#[test]
fn seed_approval_as_printed_is_one_syntax_error() {
    let Some(path) = seed("approval-as-printed.yml") else {
        common::skip("../shared/examples/seeds");
        return;
    };
    let r = run(cilint().args(["check", "--format", "json"]).arg(path));
    assert_eq!(r.code, 1);
    let v = json(&r.stdout);
    let diags = v["files"][0]["diagnostics"].as_array().unwrap();
    let errors: Vec<_> = diags.iter().filter(|d| d["severity"] == "error").collect();
    assert_eq!(errors.len(), 1, "{diags:?}");
    let e = errors[0];
    assert_eq!(
        (e["rule"].as_str(), e["line"].as_u64(), e["column"].as_u64()),
        (Some("yaml-syntax"), Some(3), Some(7))
    );
    let text = format!("{} {}", e["message"], e["help"]).to_lowercase();
    assert!(
        text.contains("indent") && text.contains("key"),
        "the message says the keys above are missing or mis-indented: {text}"
    );
}
