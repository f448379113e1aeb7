//! Every rule's explanation carries a bad and a good example; lint both: the bad one must give
//! a finding of the rule, the good one must not.

mod common;

use cilint::{Settings, lint, rules};

/// One example: a config, and the other files of its repository (blocks that start with
/// `# repository file: <path>` belong to the example before them: a continued config, for
/// instance).
struct Example {
    config: String,
    files: Vec<(String, String)>,
}

impl Example {
    /// Lint the config: as `name` when it stands alone, else as `.circleci/config.yml` of a
    /// scratch repository holding its files.
    fn lint(
        &self,
        name: &str,
        settings: &Settings,
        alone: impl Fn(&str, &str, &Settings) -> cilint::FileReport,
    ) -> cilint::FileReport {
        if self.files.is_empty() {
            return alone(&self.config, name, settings);
        }
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join(".circleci/config.yml");
        std::fs::create_dir_all(config.parent().unwrap()).unwrap();
        std::fs::write(&config, &self.config).unwrap();
        for (path, text) in &self.files {
            let file = dir.path().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        lint(self.config.as_bytes(), config.to_str().unwrap(), settings)
    }
}

/// The ```yaml blocks under a `## <heading>` section.
fn examples(markdown: &str, heading: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_section = false;
    let mut block: Option<String> = None;
    for line in markdown.lines() {
        if let Some(b) = block.as_mut() {
            if line.trim_start().starts_with("```") {
                let text = block.take().unwrap();
                let companion = text
                    .lines()
                    .next()
                    .and_then(|l| l.strip_prefix("# repository file: "))
                    .map(|p| p.trim().to_string());
                match (companion, out.last_mut()) {
                    (Some(path), Some(example)) => example.files.push((path, text)),
                    _ => out.push(Example {
                        config: text,
                        files: Vec::new(),
                    }),
                }
            } else {
                b.push_str(line);
                b.push('\n');
            }
            continue;
        }
        if let Some(h) = line.strip_prefix("## ") {
            in_section = h.trim().eq_ignore_ascii_case(heading);
        } else if in_section && line.trim_start().starts_with("```yaml") {
            block = Some(String::new());
        }
    }
    out
}

#[test]
fn every_rule_has_a_bad_and_a_good_example_that_behave() {
    let settings = Settings {
        shellcheck: cilint::find_shellcheck(),
        ..Settings::default()
    };
    let mut problems = Vec::new();
    for rule in rules() {
        // The `shellcheck` rule runs an external program: its bad example can only fire where
        // that program is installed (CI installs it).
        if rule.id == "shellcheck" && settings.shellcheck.is_none() {
            common::skip("the shellcheck program (for its rule's examples)");
            continue;
        }
        if !rule.explanation.starts_with(&format!("# {}\n", rule.id)) {
            problems.push(format!(
                "{}: the explanation must start with its id as the title",
                rule.id
            ));
        }
        let bad = examples(rule.explanation, "Bad");
        let good = examples(rule.explanation, "Good");
        if bad.is_empty() || good.is_empty() {
            problems.push(format!(
                "{}: the explanation needs a `## Bad` and a `## Good` yaml example",
                rule.id
            ));
            continue;
        }
        // An orb example (`# file: PATH` lines) is an orb source folder, linted as one; a packed
        // config example (`# pack file: PATH` lines) is a folder packed into one config.
        let lint = |src: &str, path: &str, settings: &Settings| -> cilint::FileReport {
            let reports = if let Some(folder) = cilint::pack::folder_from_listing(src, "config") {
                cilint::pack::lint_pack(&folder, settings)
            } else if let Some(folder) = cilint::orb::folder_from_listing(src, "src") {
                cilint::orb::lint_orb(&folder, settings)
            } else {
                return lint(src.as_bytes(), path, settings);
            };
            let mut all = reports[0].clone();
            all.diagnostics = reports.into_iter().flat_map(|r| r.diagnostics).collect();
            all
        };
        for (i, src) in bad.iter().enumerate() {
            let report = src.lint("bad.yml", &settings, lint);
            if !report.diagnostics.iter().any(|d| d.rule == rule.id) {
                problems.push(format!(
                    "{}: bad example {} gives no `{}` finding; it gives {:?}",
                    rule.id,
                    i + 1,
                    rule.id,
                    report
                        .diagnostics
                        .iter()
                        .map(|d| d.rule)
                        .collect::<Vec<_>>()
                ));
            }
        }
        for (i, src) in good.iter().enumerate() {
            let report = src.lint("good.yml", &settings, lint);
            let hits: Vec<String> = report
                .diagnostics
                .iter()
                .filter(|d| d.rule == rule.id)
                .map(|d| d.message.clone())
                .collect();
            if !hits.is_empty() {
                problems.push(format!(
                    "{}: good example {} still gives {hits:?}",
                    rule.id,
                    i + 1
                ));
            }
            let errors: Vec<String> = report
                .diagnostics
                .iter()
                .filter(|d| d.severity == cilint::Severity::Error)
                .map(|d| format!("[{}] {}", d.rule, d.message))
                .collect();
            if !errors.is_empty() {
                problems.push(format!(
                    "{}: good example {} has errors: {errors:?}",
                    rule.id,
                    i + 1
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "rule explanations that do not hold:\n{}",
        problems.join("\n")
    );
}

/// The severity policy: every rule that reports errors by default says why, with its evidence
/// (CircleCI's documented or reported rejection, or the part of the pipeline that never runs).
#[test]
fn every_error_rule_says_why() {
    for rule in rules() {
        if rule.severity == cilint::Severity::Error {
            assert!(
                rule.explanation.contains("## Why it is an error"),
                "{} has no `## Why it is an error` section",
                rule.id
            );
        }
    }
}
