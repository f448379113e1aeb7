//! Finding and reading config files (shared by every subcommand that reads configs), and the
//! settings that apply to each.

use super::*;
use crate::config::settings::Settings;
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// A config to read: a file or stdin, and the name reports show.
#[derive(Clone, Debug)]
pub struct Source {
    /// `None` for stdin.
    pub file: Option<PathBuf>,
    /// The name reports show.
    pub display: String,
    /// `file` is a folder whose YAML files make one config, packed as `circleci config pack`
    /// packs it (see [`pack_folder_of`]).
    pub pack: bool,
}

impl Source {
    pub(super) fn file(path: PathBuf) -> Source {
        Source {
            display: path.display().to_string(),
            file: Some(path),
            pack: false,
        }
    }

    pub(super) fn pack(dir: PathBuf) -> Source {
        Source {
            pack: true,
            ..Source::file(dir)
        }
    }

    pub fn read(&self) -> Result<Vec<u8>, Failure> {
        match &self.file {
            Some(path) => std::fs::read(path).map_err(|e| Failure::unreadable(path, &e)),
            None => {
                let mut bytes = Vec::new();
                io::stdin()
                    .read_to_end(&mut bytes)
                    .map_err(|e| Failure(format!("cannot read stdin: {}", os_reason(&e))))?;
                Ok(bytes)
            }
        }
    }

    /// The folder where this file's `.cilint.toml` search starts (absolute).
    pub fn settings_dir(&self) -> PathBuf {
        let cwd = std::env::current_dir().unwrap_or_default();
        let path = match &self.file {
            Some(path) => cwd.join(path),
            None => cwd.join(&self.display),
        };
        let dir = path.parent().map(Path::to_path_buf).unwrap_or(cwd);
        std::fs::canonicalize(&dir).unwrap_or(dir)
    }
}

/// The configs named on the command line, in order, each once.
pub fn collect_sources(
    paths: &[PathBuf],
    stdin_name: Option<&str>,
) -> Result<Vec<Source>, Failure> {
    collect(paths, stdin_name, false)
}

/// [`collect_sources`], where a repository whose `.circleci/config/` folder is a packed
/// config's source means that folder (see [`pack_folder_of`]).
pub fn collect_sources_with_packs(
    paths: &[PathBuf],
    stdin_name: Option<&str>,
) -> Result<Vec<Source>, Failure> {
    collect(paths, stdin_name, true)
}

fn collect(
    paths: &[PathBuf],
    stdin_name: Option<&str>,
    packs: bool,
) -> Result<Vec<Source>, Failure> {
    let mut sources = Vec::new();
    if paths.is_empty() {
        sources.push(discover(packs)?);
    }
    for path in paths {
        if path.as_os_str() == "-" {
            sources.push(Source {
                file: None,
                display: stdin_name.unwrap_or("<stdin>").to_string(),
                pack: false,
            });
        } else if path.is_dir() {
            match pack_folder_of(path).filter(|_| packs) {
                Some(dir) => sources.push(Source::pack(dir)),
                None => sources.extend(configs_in_folder(path)?),
            }
        } else {
            // A missing or unreadable file is reported when it is read.
            sources.push(Source::file(path.clone()));
        }
    }
    let mut seen = std::collections::HashSet::new();
    sources.retain(|s| s.file.is_none() || seen.insert(s.file.clone()));
    Ok(sources)
}

/// `.circleci/config.yml` (or `.yaml`) in `dir`, if there is one.
pub(super) fn circleci_config(dir: &Path) -> Option<PathBuf> {
    ["config.yml", "config.yaml"]
        .iter()
        .map(|name| dir.join(".circleci").join(name))
        .find(|p| p.is_file())
}

/// A folder on the command line: its `.circleci/config.yml`, else its YAML files.
pub(super) fn configs_in_folder(dir: &Path) -> Result<Vec<Source>, Failure> {
    if let Some(config) = circleci_config(dir) {
        return Ok(vec![Source::file(config)]);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Failure::unreadable(dir, &e))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|ext| ext == "yml" || ext == "yaml")
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Failure(format!(
            "no .circleci/config.yml and no *.yml or *.yaml files in {}",
            dir.display()
        )));
    }
    Ok(files.into_iter().map(Source::file).collect())
}

/// The packed config source of the repository at `dir`: its `.circleci/config/` folder, when
/// it is laid out as one (see [`is_pack_source`]). CircleCI itself never reads
/// `.circleci/config/`: a project that has one packs it into `.circleci/config.yml` with
/// `circleci config pack`.
pub fn pack_folder_of(dir: &Path) -> Option<PathBuf> {
    let folder = dir.join(".circleci").join("config");
    is_pack_source(&folder).then_some(folder)
}

/// Whether `dir` is laid out as the source of a packed config: the pack walk finds YAML files
/// in it, and some are in a sub-folder (`jobs/build.yml`) or named `@*.yml`, or there is only
/// one directly in it. (A folder of several whole configs side by side, such as the configs a
/// setup workflow continues with, is not one.)
pub fn is_pack_source(dir: &Path) -> bool {
    if !dir.is_dir() {
        return false;
    }
    let Ok(folder) = crate::config::pack::read_folder(dir, "") else {
        return false;
    };
    let files: Vec<&str> = folder
        .entries
        .iter()
        .filter(|e| e.bytes.is_some())
        .map(|e| e.rel.as_str())
        .collect();
    let nested_or_at = files
        .iter()
        .any(|rel| rel.contains('/') || rel.starts_with('@'));
    !files.is_empty() && (nested_or_at || files.len() == 1)
}

/// No path given: `.circleci/config.yml` from the current folder upwards to the repository root
/// (or with `packs`, `.circleci/config/` when it is a packed config's source; it is then the
/// config, and `.circleci/config.yml`, its packed output, is not read).
pub(super) fn discover(packs: bool) -> Result<Source, Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure(format!("cannot read the current folder: {}", os_reason(&e))))?;
    for (depth, dir) in cwd.ancestors().enumerate() {
        let relative = |found: &Path| {
            let mut relative = PathBuf::new();
            for _ in 0..depth {
                relative.push("..");
            }
            relative.push(found.strip_prefix(dir).unwrap_or(found));
            relative
        };
        if packs && let Some(folder) = pack_folder_of(dir) {
            return Ok(Source::pack(relative(&folder)));
        }
        if let Some(config) = circleci_config(dir) {
            return Ok(Source::file(relative(&config)));
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    Err(Failure(format!(
        "no .circleci/config.yml found in {} or its parent folders up to the repository root; name a file or folder",
        cwd.display()
    )))
}

/// No folder given to a command that packs: `.circleci/config/` from the current folder
/// upwards to the repository root.
pub(super) fn discover_pack() -> Result<PathBuf, Failure> {
    match discover(true)? {
        Source {
            pack: true,
            file: Some(dir),
            ..
        } => Ok(dir),
        found => Err(Failure(format!(
            "no .circleci/config/ folder of YAML files found (the nearest config is {}); name the folder to pack",
            found.display
        ))),
    }
}

/// Read a folder to pack (as reports show it: the path as given).
pub(super) fn read_pack_folder(dir: &Path) -> Result<crate::config::pack::PackFolder, Failure> {
    if !dir.is_dir() {
        return Err(Failure(format!(
            "{} is not a folder: a packed config is a folder of YAML files (`jobs/build.yml`, ...)",
            dir.display()
        )));
    }
    let display = dir.to_string_lossy().trim_end_matches('/').to_string();
    let folder = crate::config::pack::read_folder(dir, &display)
        .map_err(|e| Failure::unreadable(dir, &e))?;
    if !folder.entries.iter().any(|e| e.bytes.is_some()) {
        return Err(Failure(format!(
            "{} holds no YAML file to pack (`*.yml` or `*.yaml`, not starting with `.`)",
            dir.display()
        )));
    }
    Ok(folder)
}

/// The settings for each config, read once per `.cilint.toml`.
pub(super) struct SettingsCache {
    /// `--config`/`--no-config`: one fixed settings for every file.
    fixed: Option<Settings>,
    by_file: BTreeMap<Option<PathBuf>, Settings>,
    select: Vec<String>,
    ignore: Vec<String>,
    shellcheck: Option<PathBuf>,
    /// `--orb-cache`: overrides `orbs.cache` of every settings file.
    orb_cache: Option<PathBuf>,
    shellcheck_cache: Option<PathBuf>,
    /// `--min-confidence`.
    min_confidence: Option<crate::base::diagnostic::Confidence>,
}

impl SettingsCache {
    pub(super) fn new(
        args: &ConfigArgs,
        select: &[String],
        ignore: &[String],
        shellcheck: Option<PathBuf>,
    ) -> Result<SettingsCache, Failure> {
        let fixed = if args.no_config {
            Some(Settings::default())
        } else if let Some(path) = &args.config {
            Some(Settings::load(path).map_err(|e| Failure(e.to_string()))?)
        } else {
            None
        };
        let mut cache = SettingsCache {
            fixed,
            by_file: BTreeMap::new(),
            select: select.to_vec(),
            ignore: ignore.to_vec(),
            shellcheck,
            orb_cache: None,
            shellcheck_cache: None,
            min_confidence: None,
        };
        if let Some(s) = cache.fixed.take() {
            cache.fixed = Some(cache.with_flags(s));
        }
        Ok(cache)
    }

    /// `--orb-cache` for every file.
    pub(super) fn with_orb_cache(mut self, dir: Option<PathBuf>) -> SettingsCache {
        if let (Some(fixed), Some(d)) = (self.fixed.as_mut(), &dir) {
            fixed.orb_cache = Some(d.clone());
        }
        self.orb_cache = dir;
        self
    }

    /// Where shellcheck's answers are kept (`None`: not kept, `--no-cache`), for every file.
    pub(super) fn with_shellcheck_cache(mut self, dir: Option<PathBuf>) -> SettingsCache {
        if let Some(fixed) = self.fixed.as_mut() {
            fixed.shellcheck_cache = dir.clone();
        }
        self.shellcheck_cache = dir;
        self
    }

    /// `--min-confidence` for every file.
    pub(super) fn with_min_confidence(
        mut self,
        level: Option<crate::base::diagnostic::Confidence>,
    ) -> SettingsCache {
        if let Some(fixed) = self.fixed.as_mut() {
            fixed.min_confidence = level;
        }
        self.min_confidence = level;
        self
    }

    pub(super) fn with_flags(&self, mut s: Settings) -> Settings {
        s.select = self.select.clone();
        s.ignore = self.ignore.clone();
        s.shellcheck = self.shellcheck.clone();
        s.shellcheck_cache = self.shellcheck_cache.clone();
        if self.orb_cache.is_some() {
            s.orb_cache = self.orb_cache.clone();
        }
        s.min_confidence = self.min_confidence;
        s
    }

    /// Load (once) the settings for configs in `dir`; returns the key for [`Self::get`].
    pub(super) fn key_for(&mut self, dir: &Path) -> Result<Option<PathBuf>, Failure> {
        if self.fixed.is_some() {
            return Ok(None);
        }
        let file = Settings::discover(dir);
        if !self.by_file.contains_key(&file) {
            let settings = match &file {
                Some(path) => Settings::load(path).map_err(|e| Failure(e.to_string()))?,
                None => Settings::default(),
            };
            let settings = self.with_flags(settings);
            self.by_file.insert(file.clone(), settings);
        }
        Ok(file)
    }

    pub(super) fn get(&self, key: &Option<PathBuf>) -> &Settings {
        match &self.fixed {
            Some(s) => s,
            None => &self.by_file[key],
        }
    }
}
