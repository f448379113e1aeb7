//! Settings: `.cilint.toml` and the command line's rule selection.
//!
//! A `.cilint.toml` is looked for next to the config and then in each parent folder, up to and
//! including the repository root (the first folder that holds `.git`); without a repository, up
//! to the root of the file system. The first one found wins; files are not merged.
//!
//! ```toml
//! [rules]                  # rule id or category -> "off" | "info" | "warning" | "error"
//! floating-image-tag = "off"
//! security = "off"                      # every security audit (a rule named here wins)
//!
//! [env]
//! project = ["HEROKU_API_KEY"]          # variables set in the project settings
//!
//! [contexts]
//! deploy = ["AWS_ACCESS_KEY_ID"]        # context name -> the variables it sets
//!
//! [orbs]
//! cache = ".cilint/orbs"                # orb cache folder, relative to this file
//! ```
//!
//! Unknown sections, unknown keys and unknown rule ids are errors that name the key: a typo in a
//! settings file should never silently do nothing.

use crate::base::diagnostic::{Confidence, Diagnostic, Severity};
use crate::base::text::did_you_mean;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The settings file's name.
pub const FILE_NAME: &str = ".cilint.toml";

/// What a rule is set to in `[rules]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    On(Severity),
}

#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// The `.cilint.toml` these settings were read from, if any.
    pub file: Option<PathBuf>,
    /// `[rules]`: rule id -> level.
    pub rules: BTreeMap<String, RuleLevel>,
    /// `--select`: when non-empty, only these rules report.
    pub select: Vec<String>,
    /// `--ignore`: these rules never report.
    pub ignore: Vec<String>,
    /// `--min-confidence`: findings less sure than this are dropped.
    pub min_confidence: Option<Confidence>,
    /// Orbs the pipeline adds to this config without a declaration: the orb under development
    /// that a setup config's orb-tools `continue` job injects into its test config. Set by the
    /// command line from the setup config beside the file.
    pub provided_orbs: Vec<String>,
    /// `[env] project`: variables set in the CircleCI project settings.
    pub project_env: Vec<String>,
    /// `[contexts]`: context name -> the variables it sets.
    pub contexts: BTreeMap<String, Vec<String>>,
    /// `[orbs] cache`: the orb cache folder (resolved against the settings file's folder).
    pub orb_cache: Option<PathBuf>,
    /// The `shellcheck` program to check `run` scripts with; `None`: no shellcheck check (the
    /// command line sets it from `PATH` or `--shellcheck`, see `shellcheck::find_on_path`).
    pub shellcheck: Option<PathBuf>,
    /// The folder where shellcheck's answers are kept between runs; `None`: none are kept (the
    /// command line sets it to [`user_cache_dir`]`/shellcheck` unless `--no-cache`).
    pub shellcheck_cache: Option<PathBuf>,
}

/// cilint's folder in the user's cache folder: `$XDG_CACHE_HOME/cilint`, else
/// `~/.cache/cilint`; `None` when no home folder is known either. The orb cache (`orbs/`) and
/// shellcheck's answers (`shellcheck/`) live there.
pub fn user_cache_dir() -> Option<PathBuf> {
    let nonempty = |v: std::ffi::OsString| (!v.is_empty()).then_some(v);
    if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").and_then(nonempty) {
        return Some(PathBuf::from(xdg).join("cilint"));
    }
    std::env::var_os("HOME")
        .and_then(nonempty)
        .map(|home| PathBuf::from(home).join(".cache").join("cilint"))
}

/// A settings file that cannot be used. Its `Display` names the file and the offending key.
#[derive(Debug)]
pub struct SettingsError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for SettingsError {}

/// The file as written (serde shape).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    rules: BTreeMap<String, RawLevel>,
    #[serde(default)]
    env: RawEnv,
    #[serde(default)]
    contexts: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    orbs: RawOrbs,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum RawLevel {
    Off,
    Info,
    Warning,
    Error,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawEnv {
    #[serde(default)]
    project: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawOrbs {
    cache: Option<PathBuf>,
}

impl Settings {
    /// Parse the text of a settings file; `path` names it in errors and anchors relative paths;
    /// `rule_ids` are the ids `[rules]` may name and `groups` the category names it may name
    /// with their rules (the rule registry's: `Settings::from_toml`). A category sets each of
    /// its rules; a rule named itself overrides its category, whatever the order.
    pub fn from_toml_with(
        text: &str,
        path: &Path,
        rule_ids: &[&str],
        groups: &[(&str, Vec<&str>)],
    ) -> Result<Settings, SettingsError> {
        let err = |message: String| SettingsError {
            path: path.to_path_buf(),
            message,
        };
        let raw: RawFile = toml_edit::de::from_str(text).map_err(|e| {
            // toml's message already names the key and shows the line; keep it on few lines.
            err(e.to_string().trim_end().to_string())
        })?;
        let level_of = |level: RawLevel| match level {
            RawLevel::Off => RuleLevel::Off,
            RawLevel::Info => RuleLevel::On(Severity::Info),
            RawLevel::Warning => RuleLevel::On(Severity::Warning),
            RawLevel::Error => RuleLevel::On(Severity::Error),
        };
        let mut levels = BTreeMap::new();
        for (name, level) in &raw.rules {
            if let Some((_, ids)) = groups.iter().find(|(g, _)| g == name) {
                for id in ids {
                    levels.insert(id.to_string(), level_of(*level));
                }
            } else if !rule_ids.contains(&name.as_str()) {
                let names = rule_ids
                    .iter()
                    .chain(groups.iter().map(|(g, _)| g))
                    .copied();
                let hint = did_you_mean(name, names)
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                return Err(err(format!(
                    "unknown rule or category `{name}` in [rules]{hint} (`cilint rules` lists them)"
                )));
            }
        }
        for (name, level) in raw.rules {
            if rule_ids.contains(&name.as_str()) {
                levels.insert(name, level_of(level));
            }
        }
        let base = path.parent().unwrap_or(Path::new(""));
        Ok(Settings {
            file: Some(path.to_path_buf()),
            rules: levels,
            select: Vec::new(),
            ignore: Vec::new(),
            min_confidence: None,
            provided_orbs: Vec::new(),
            project_env: raw.env.project,
            contexts: raw.contexts,
            orb_cache: raw.orbs.cache.map(|c| base.join(c)),
            shellcheck: None,
            shellcheck_cache: None,
        })
    }

    /// Read and parse a settings file (see [`Settings::from_toml_with`]).
    pub fn load_with(
        path: &Path,
        rule_ids: &[&str],
        groups: &[(&str, Vec<&str>)],
    ) -> Result<Settings, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|e| SettingsError {
            path: path.to_path_buf(),
            message: format!("cannot read: {e}"),
        })?;
        Settings::from_toml_with(&text, path, rule_ids, groups)
    }

    /// The `.cilint.toml` that applies to files in `dir`: in `dir` or its nearest parent, not
    /// above the repository root.
    pub fn discover(dir: &Path) -> Option<PathBuf> {
        for folder in dir.ancestors() {
            let candidate = folder.join(FILE_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            if folder.join(".git").exists() {
                return None;
            }
        }
        None
    }

    /// Whether a rule reports at all under these settings.
    pub fn enabled(&self, id: &str) -> bool {
        if !self.select.is_empty() && !self.select.iter().any(|s| s == id) {
            return false;
        }
        if self.ignore.iter().any(|s| s == id) {
            return false;
        }
        self.rules.get(id) != Some(&RuleLevel::Off)
    }

    /// Drop the findings of disabled rules and give the others their configured severity.
    pub fn apply(&self, diagnostics: &mut Vec<Diagnostic>) {
        diagnostics.retain(|d| {
            self.enabled(d.rule) && self.min_confidence.is_none_or(|c| d.confidence >= c)
        });
        for d in diagnostics {
            if let Some(RuleLevel::On(severity)) = self.rules.get(d.rule) {
                d.severity = *severity;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::span::Span;

    fn parse(text: &str) -> Result<Settings, SettingsError> {
        Settings::from_toml(text, Path::new("/repo/.cilint.toml"))
    }

    #[test]
    fn reads_every_section() {
        let s = parse(
            r#"
[rules]
duplicate-key = "error"
unused-suppression = "off"
[env]
project = ["A", "B"]
[contexts]
deploy = ["AWS_KEY"]
[orbs]
cache = "orbs"
"#,
        )
        .unwrap();
        assert_eq!(
            s.rules.get("duplicate-key"),
            Some(&RuleLevel::On(Severity::Error))
        );
        assert_eq!(s.rules.get("unused-suppression"), Some(&RuleLevel::Off));
        assert_eq!(s.project_env, ["A", "B"]);
        assert_eq!(s.contexts["deploy"], ["AWS_KEY"]);
        assert_eq!(s.orb_cache.as_deref(), Some(Path::new("/repo/orbs")));
    }

    #[test]
    fn unknown_keys_are_named() {
        let e = parse("[rulez]\n").unwrap_err().to_string();
        assert!(
            e.contains("/repo/.cilint.toml") && e.contains("rulez"),
            "{e}"
        );
        let e = parse("[env]\nprojects = []\n").unwrap_err().to_string();
        assert!(e.contains("projects"), "{e}");
        let e = parse("[rules]\nduplicate-keys = \"off\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`duplicate-keys`") && e.contains("did you mean `duplicate-key`"),
            "{e}"
        );
        let e = parse("[rules]\nduplicate-key = \"warn\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("warn"), "{e}");
    }

    #[test]
    fn apply_levels_select_ignore() {
        let mut s = parse("[rules]\nduplicate-key = \"info\"\nyaml-limits = \"off\"\n").unwrap();
        let d = |rule: &'static str| Diagnostic::new(rule, Severity::Error, Span::empty(0), "m");
        let mut ds = vec![d("duplicate-key"), d("yaml-limits"), d("yaml-syntax")];
        s.apply(&mut ds);
        assert_eq!(ds.len(), 2);
        assert_eq!(ds[0].severity, Severity::Info);
        s.select = vec!["yaml-syntax".into()];
        s.apply(&mut ds);
        assert_eq!(ds.len(), 1);
        s.select.clear();
        s.ignore = vec!["yaml-syntax".into()];
        s.apply(&mut ds);
        assert!(ds.is_empty());
    }

    #[test]
    fn discovery_stops_at_repository_root() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        let circleci = repo.join(".circleci");
        std::fs::create_dir_all(&circleci).unwrap();
        std::fs::write(tmp.path().join(FILE_NAME), "").unwrap();
        std::fs::create_dir(repo.join(".git")).unwrap();
        assert_eq!(Settings::discover(&circleci), None);
        std::fs::write(repo.join(FILE_NAME), "").unwrap();
        assert_eq!(Settings::discover(&circleci), Some(repo.join(FILE_NAME)));
        std::fs::write(circleci.join(FILE_NAME), "").unwrap();
        assert_eq!(
            Settings::discover(&circleci),
            Some(circleci.join(FILE_NAME))
        );
    }
}
