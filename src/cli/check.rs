//! `cilint check`: lint configs (or an orb source folder) and report.

use super::*;
use crate::base::file_report::FileReport;
use crate::base::text::closest;
use crate::config::settings::Settings;
use crate::output::report::{self, Format};
use crate::pipeline::Input;
use crate::rules;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// The format asked for; without `--format`, `github` inside GitHub Actions (`GITHUB_ACTIONS=true`,
/// as yamllint does) and `human` elsewhere.
pub(super) fn output_format(asked: Option<Format>) -> Format {
    asked.unwrap_or_else(|| {
        if std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true") {
            Format::Github
        } else {
            Format::Human
        }
    })
}

pub(super) fn check(args: &CheckArgs, out: &mut dyn Write) -> Result<Exit, Failure> {
    let format = output_format(args.format);
    let args = &CheckArgs {
        select: expand_ids("--select", &args.select)?,
        ignore: expand_ids("--ignore", &args.ignore)?,
        ..args.clone()
    };
    if args.orb {
        return check_orbs(args, format, out);
    }
    if args.pack {
        let folders = if args.paths.is_empty() {
            vec![discover_pack()?]
        } else {
            args.paths.clone()
        };
        return check_packs(args, &folders, format, out);
    }
    let (packs, mut sources): (Vec<Source>, Vec<Source>) =
        collect_sources_with_packs(&args.paths, args.stdin_filename.as_deref())?
            .into_iter()
            .partition(|s| s.pack);
    if !packs.is_empty() && args.baseline {
        return Err(Failure(format!(
            "--baseline does not take a packed config folder ({}); name the packed config file instead",
            packs[0].display
        )));
    }
    let shellcheck = shellcheck_binary(args)?;
    let mut settings =
        SettingsCache::new(&args.config, &args.select, &args.ignore, shellcheck.clone())?
            .with_orb_cache(args.orb_cache.clone())
            .with_shellcheck_cache(shellcheck_cache(args))
            .with_min_confidence(args.min_confidence.map(|c| c.level()));
    if (args.fix || args.unsafe_fixes || args.diff)
        && let Some(exit) = fix_sources(args, &mut sources, &mut settings, out)?
    {
        return Ok(exit);
    }

    // Read everything first; an unreadable file is reported (exit 2) after the others are linted.
    // A setup config's continuation configs are linted after the files named (each file is
    // parsed once: their paths come from the model built for linting).
    let mut unreadable = Vec::new();
    let mut loaded = Vec::new();
    let mut loaded_sources = Vec::new();
    let mut reports = Vec::new();
    let mut first = 0;
    for round in 0..2 {
        for source in &sources[first..] {
            match source.read() {
                Ok(bytes) => {
                    let key = settings.key_for(&source.settings_dir())?;
                    loaded.push((source.display.clone(), bytes, key));
                    loaded_sources.push(source.clone());
                }
                Err(failure) => unreadable.push(failure),
            }
        }
        // A test config that orb-tools continues with gets the orb under development.
        let provided: Vec<Option<Settings>> = loaded_sources[reports.len()..]
            .iter()
            .zip(&loaded[reports.len()..])
            .map(|(source, (_, _, key))| {
                let orbs = source.file.as_deref().map(crate::pipeline::provided_orbs)?;
                (!orbs.is_empty()).then(|| Settings {
                    provided_orbs: orbs,
                    ..settings.get(key).clone()
                })
            })
            .collect();
        let inputs: Vec<Input> = loaded[reports.len()..]
            .iter()
            .zip(&provided)
            .map(|((path, bytes, key), own)| Input {
                path,
                bytes,
                settings: own.as_ref().unwrap_or_else(|| settings.get(key)),
            })
            .collect();
        let results = crate::analyze_many(&inputs, |cx, _| {
            crate::rules::continuation::configuration_paths_of(cx.config)
        });
        let start = reports.len();
        let mut continued = Vec::new();
        for (report, paths) in results {
            continued.push(paths);
            reports.push(report);
        }
        if round == 0 {
            first = sources.len();
            add_continued_configs(
                &mut sources,
                &loaded_sources[start..],
                &loaded[start..],
                &continued,
            );
        }
    }
    if args.baseline {
        let targets: Vec<PathBuf> = loaded
            .iter()
            .zip(&loaded_sources)
            .map(|((_, _, key), source)| match (&args.config.config, key) {
                (Some(path), _) => path.clone(),
                (None, Some(path)) => path.clone(),
                (None, None) => source
                    .settings_dir()
                    .join(crate::config::settings::FILE_NAME),
            })
            .collect();
        let inputs: Vec<(&str, &[u8])> = loaded
            .iter()
            .map(|(path, bytes, _)| (path.as_str(), bytes.as_slice()))
            .collect();
        return write_baseline(&inputs, &reports, &targets, &settings, out);
    }
    for source in &packs {
        let dir = source.file.clone().unwrap_or_default();
        reports.extend(lint_pack_folder(&dir, &mut settings)?);
    }
    let options = report_options(args, shellcheck.as_deref(), format);
    // When nothing could be read there is nothing to report, only the errors.
    if !reports.is_empty() || unreadable.is_empty() {
        report::write(format, &reports, &options, out).map_err(write_failed)?;
    }

    if let Some(failure) = unreadable
        .into_iter()
        .reduce(|a, b| Failure(format!("{}\nerror: {}", a.0, b.0)))
    {
        return Err(failure);
    }
    Ok(exit_for(&reports, args.fail_on))
}

/// `--fix`, `--unsafe-fixes`, `--diff`: fix each file named. Files are written in place and
/// `None` returned, so that the check goes on and reports what is left. With `--diff`, or for
/// stdin, what the fixes make is written to `out` instead, and the exit code is returned.
fn fix_sources(
    args: &CheckArgs,
    sources: &mut Vec<Source>,
    settings: &mut SettingsCache,
    out: &mut dyn Write,
) -> Result<Option<Exit>, Failure> {
    let mut changed = 0;
    let mut count = 0;
    let mut unreadable = Vec::new();
    let mut stdin = None;
    for source in sources.iter() {
        if source.pack {
            eprintln!(
                "{}: a packed config folder; --fix does not edit its files yet (the findings are reported without --fix)",
                source.display
            );
            continue;
        }
        let bytes = match source.read() {
            Ok(bytes) => bytes,
            Err(failure) => {
                unreadable.push(failure);
                continue;
            }
        };
        let key = settings.key_for(&source.settings_dir())?;
        let Some(fixed) = crate::pipeline::fix::fix_bytes(
            &bytes,
            &source.display,
            settings.get(&key),
            args.unsafe_fixes,
        ) else {
            if source.file.is_none() {
                stdin = Some(bytes);
            }
            continue;
        };
        if fixed.changed() {
            changed += 1;
            count += fixed.applied.len();
            let rules: std::collections::BTreeSet<&str> =
                fixed.applied.iter().map(|(r, _)| *r).collect();
            let rules: Vec<&str> = rules.into_iter().collect();
            eprintln!(
                "{}: {} {} ({})",
                source.display,
                if args.diff { "would fix" } else { "fixed" },
                plural(fixed.applied.len(), "finding"),
                rules.join(", ")
            );
        }
        match &source.file {
            _ if args.diff => {
                if fixed.changed() {
                    let original = String::from_utf8_lossy(&bytes);
                    write!(
                        out,
                        "{}",
                        unified_diff(&original, &fixed.text, &source.display)
                    )
                    .map_err(write_failed)?;
                }
            }
            None => stdin = Some(fixed.text.into_bytes()),
            Some(path) if fixed.changed() => {
                std::fs::write(path, fixed.text.as_bytes()).map_err(|e| {
                    Failure(format!(
                        "cannot write {}: {}",
                        path.display(),
                        os_reason(&e)
                    ))
                })?;
            }
            Some(_) => {}
        }
    }
    if let Some(failure) = unreadable
        .into_iter()
        .reduce(|a, b| Failure(format!("{}\nerror: {}", a.0, b.0)))
    {
        return Err(failure);
    }
    if args.diff {
        if changed == 0 {
            eprintln!("nothing to fix");
        }
        return Ok(Some(if changed > 0 {
            Exit::Findings
        } else {
            Exit::Clean
        }));
    }
    if let Some(text) = stdin {
        // Fixing stdin writes the fixed config, as a formatter would; the findings that are
        // left decide the exit code.
        out.write_all(&text).map_err(write_failed)?;
        let display = sources
            .first()
            .map(|s| s.display.clone())
            .unwrap_or_default();
        let source = Source {
            file: None,
            display: display.clone(),
            pack: false,
        };
        let key = settings.key_for(&source.settings_dir())?;
        let report = crate::lint(&text, &display, settings.get(&key));
        return Ok(Some(exit_for(&[report], args.fail_on)));
    }
    if changed > 1 {
        eprintln!("fixed {} in {changed} files", plural(count, "finding"));
    }
    let _ = sources;
    Ok(None)
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// A unified diff of a file's text before and after its fixes (`a/PATH`, `b/PATH`, three lines
/// of context). As git writes them: an absolute path loses its leading `/` (`a/tmp/x.yml`) and
/// a leading `./` goes.
pub(super) fn unified_diff(before: &str, after: &str, path: &str) -> String {
    let mut shown = path.trim_start_matches('/');
    while let Some(rest) = shown.strip_prefix("./") {
        shown = rest.trim_start_matches('/');
    }
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{shown}"), &format!("b/{shown}"))
        .to_string()
}

/// How `check` reports; says on stderr (in the human format) when `run` scripts go without
/// shellcheck because it is not installed.
pub(super) fn report_options(
    args: &CheckArgs,
    shellcheck: Option<&Path>,
    format: Format,
) -> report::Options {
    if shellcheck.is_none() && !args.no_shellcheck && format == Format::Human {
        eprintln!(
            "note: shellcheck is not installed, so `run` scripts were not checked with it (install it, pass --shellcheck PATH, or --no-shellcheck to turn this off)"
        );
    }
    report::Options {
        color: use_color(args.output.color),
        quiet: args.output.quiet,
    }
}

/// `check --orb`: lint each orb source folder as one orb, one report per file of it.
pub(super) fn check_orbs(
    args: &CheckArgs,
    format: Format,
    out: &mut dyn Write,
) -> Result<Exit, Failure> {
    use crate::config::orb_source;
    let shellcheck = shellcheck_binary(args)?;
    let mut settings =
        SettingsCache::new(&args.config, &args.select, &args.ignore, shellcheck.clone())?
            .with_orb_cache(args.orb_cache.clone())
            .with_shellcheck_cache(shellcheck_cache(args))
            .with_min_confidence(args.min_confidence.map(|c| c.level()));
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("src")]
    } else {
        args.paths.clone()
    };
    let mut reports = Vec::new();
    for path in &paths {
        let Some(dir) = orb_source::source_folder(path) else {
            return Err(Failure(format!(
                "{} is not an orb source folder: it has no `@orb.yml` and no `commands/`, `jobs/`, `executors/` or `examples/` folder (nor has `{}`)",
                path.display(),
                path.join("src").display()
            )));
        };
        let display = dir.to_string_lossy().trim_end_matches('/').to_string();
        let folder =
            orb_source::read_folder(&dir, &display).map_err(|e| Failure::unreadable(&dir, &e))?;
        let abs = std::fs::canonicalize(&dir).unwrap_or(dir.clone());
        let key = settings.key_for(&abs)?;
        reports.extend(crate::pipeline::orb::lint_orb(&folder, settings.get(&key)));
    }
    let options = report_options(args, shellcheck.as_deref(), format);
    report::write(format, &reports, &options, out).map_err(write_failed)?;
    Ok(exit_for(&reports, args.fail_on))
}

/// `check --pack`: lint each folder as one config packed from it, one report per file of it.
pub(super) fn check_packs(
    args: &CheckArgs,
    folders: &[PathBuf],
    format: Format,
    out: &mut dyn Write,
) -> Result<Exit, Failure> {
    let shellcheck = shellcheck_binary(args)?;
    let mut settings =
        SettingsCache::new(&args.config, &args.select, &args.ignore, shellcheck.clone())?
            .with_orb_cache(args.orb_cache.clone());
    let mut reports = Vec::new();
    for dir in folders {
        reports.extend(lint_pack_folder(dir, &mut settings)?);
    }
    let options = report_options(args, shellcheck.as_deref(), format);
    report::write(format, &reports, &options, out).map_err(write_failed)?;
    Ok(exit_for(&reports, args.fail_on))
}

/// Read and lint one packed config folder with the settings that apply to it.
fn lint_pack_folder(dir: &Path, settings: &mut SettingsCache) -> Result<Vec<FileReport>, Failure> {
    let folder = read_pack_folder(dir)?;
    let abs = std::fs::canonicalize(dir).unwrap_or(dir.to_path_buf());
    let key = settings.key_for(&abs)?;
    Ok(crate::pipeline::pack::lint_pack(
        &folder,
        settings.get(&key),
    ))
}

/// `check --baseline`: for each settings file, add what its configs' findings need, check that
/// the configs then lint clean (turning off what still reports), and write it.
pub(super) fn write_baseline(
    inputs: &[(&str, &[u8])],
    reports: &[FileReport],
    targets: &[PathBuf],
    settings: &SettingsCache,
    out: &mut dyn Write,
) -> Result<Exit, Failure> {
    use crate::cli::baseline::{Plan, edit};
    let mut files: Vec<&PathBuf> = targets.iter().collect();
    files.sort();
    files.dedup();
    for file in files {
        let mine: Vec<usize> = (0..targets.len())
            .filter(|&i| &targets[i] == file)
            .collect();
        let original = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(Failure::unreadable(file, &e)),
        };
        let fail = |m: String| Failure(format!("{}: {m}", file.display()));
        let mut plan = Plan::default();
        plan.add(&mine.iter().map(|&i| &reports[i]).collect::<Vec<_>>(), true);
        // Re-lint with the edited settings: whatever still reports (a variable the rule does
        // not let the project settings cover) is turned off as well.
        let mut text = edit(&original, &plan).map_err(fail)?;
        for _ in 0..3 {
            let new = Settings::from_toml(&text, file).map_err(|e| Failure(e.to_string()))?;
            let new = settings.with_flags(new);
            let again: Vec<FileReport> = mine
                .iter()
                .map(|&i| crate::lint(inputs[i].1, inputs[i].0, &new))
                .collect();
            let before = plan.clone();
            plan.add(&again.iter().collect::<Vec<_>>(), false);
            if plan == before {
                break;
            }
            text = edit(&original, &plan).map_err(fail)?;
        }
        if text != original {
            std::fs::write(file, &text).map_err(|e| {
                Failure(format!(
                    "cannot write {}: {}",
                    file.display(),
                    os_reason(&e)
                ))
            })?;
        }
        let mut parts = vec![if plan.is_empty() {
            "nothing to accept".to_string()
        } else if text == original {
            "already accepts every finding".to_string()
        } else {
            "updated".to_string()
        }];
        if !plan.env.is_empty() {
            let names: Vec<&str> = plan.env.iter().map(String::as_str).collect();
            parts.push(format!("[env] project gets {}", names.join(", ")));
        }
        if !plan.rules_off.is_empty() {
            let ids: Vec<&str> = plan.rules_off.iter().map(String::as_str).collect();
            parts.push(format!("[rules] turns off {}", ids.join(", ")));
        }
        writeln!(out, "{}: {}", file.display(), parts.join("; ")).map_err(write_failed)?;
    }
    Ok(Exit::Clean)
}

/// A setup config's continuation config (`configuration_path`, relative to the repository root:
/// the folder above `.circleci/`, else the config's own folder), when that file exists and is
/// not linted already, is linted too, as one more file of the report.
pub(super) fn add_continued_configs(
    sources: &mut Vec<Source>,
    linted: &[Source],
    loaded: &[(String, Vec<u8>, Option<PathBuf>)],
    paths: &[Vec<String>],
) {
    let mut extra = Vec::new();
    for ((source, (_, bytes, _)), paths) in linted.iter().zip(loaded).zip(paths) {
        let Some(file) = &source.file else { continue };
        if paths.is_empty() || std::str::from_utf8(bytes).is_err() {
            continue;
        }
        let dir = file.parent().unwrap_or(Path::new(""));
        let root = if dir.file_name().is_some_and(|n| n == ".circleci") {
            dir.parent().unwrap_or(Path::new(""))
        } else {
            dir
        };
        for path in paths {
            let candidate = root.join(path);
            let candidate = candidate
                .strip_prefix("./")
                .map(Path::to_path_buf)
                .unwrap_or(candidate);
            if candidate.is_file() {
                extra.push(Source::file(candidate));
            }
        }
    }
    for source in extra {
        let same = |s: &Source| {
            s.file.as_ref().is_some_and(|f| {
                f == source.file.as_ref().unwrap()
                    || std::fs::canonicalize(f).ok()
                        == std::fs::canonicalize(source.file.as_ref().unwrap()).ok()
            })
        };
        if !sources.iter().any(same) {
            sources.push(source);
        }
    }
}

/// The shellcheck program to use: `--shellcheck PATH` (which must exist), else `shellcheck` on
/// PATH; none with `--no-shellcheck`.
pub(super) fn shellcheck_binary(args: &CheckArgs) -> Result<Option<PathBuf>, Failure> {
    if args.no_shellcheck {
        return Ok(None);
    }
    match &args.shellcheck {
        Some(path) if path.is_file() => Ok(Some(path.clone())),
        Some(path) => Err(Failure(format!(
            "--shellcheck {}: no such file",
            path.display()
        ))),
        None => Ok(crate::lang::shellcheck::find_on_path()),
    }
}

/// Where shellcheck's answers are kept: `shellcheck/` in cilint's cache folder, unless
/// `--no-cache`.
pub(super) fn shellcheck_cache(args: &CheckArgs) -> Option<PathBuf> {
    if args.no_cache {
        return None;
    }
    crate::config::settings::user_cache_dir().map(|dir| dir.join("shellcheck"))
}

pub(super) fn exit_for(reports: &[FileReport], fail_on: FailOn) -> Exit {
    let failing = fail_on.threshold().is_some_and(|threshold| {
        reports
            .iter()
            .flat_map(|r| &r.diagnostics)
            .any(|d| d.severity >= threshold)
    });
    if failing { Exit::Findings } else { Exit::Clean }
}

/// The rule ids `--select`/`--ignore` name: each rule id as given, each category as its rules.
/// An unknown name is an error that suggests the closest ids.
pub(super) fn expand_ids(flag: &str, names: &[String]) -> Result<Vec<String>, Failure> {
    let mut out = Vec::new();
    for name in names {
        let Some(ids) = rules::selected_by(name) else {
            return Err(Failure(unknown_selection(name, &format!(" in {flag}"))));
        };
        out.extend(ids.into_iter().map(String::from));
    }
    Ok(out)
}

pub(super) fn unknown_rule(id: &str, place: &str) -> String {
    unknown_name(id, place, false)
}

/// An unknown name in `--select`/`--ignore`, where categories count too.
pub(super) fn unknown_selection(name: &str, place: &str) -> String {
    unknown_name(name, place, true)
}

fn unknown_name(id: &str, place: &str, categories: bool) -> String {
    let extra: &[&str] = if categories {
        rules::Category::NAMES
    } else {
        &[]
    };
    let ids = || {
        rules::registry()
            .iter()
            .map(|r| r.id)
            .chain(extra.iter().copied())
    };
    let mut near = closest(id, ids());
    // A fragment of an id (`explain dupl`) suggests the ids that contain it.
    if near.is_empty() && id.len() >= 3 {
        near = ids().filter(|r| r.contains(id)).take(3).collect();
    }
    let hint = match near.as_slice() {
        [] if categories => "`cilint rules` lists the rule ids and their categories".to_string(),
        [] => "`cilint rules` lists the rule ids".to_string(),
        ids => format!(
            "did you mean {}?",
            ids.iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    };
    let what = if categories {
        "rule or category"
    } else {
        "rule"
    };
    format!("unknown {what} `{id}`{place}; {hint}")
}

/// Colour decision for `--color`.
pub fn use_color(choice: ColorChoice) -> bool {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if let Some(force) = env("FORCE_COLOR") {
                return force != "0" && force != "false";
            }
            if env("NO_COLOR").is_some() {
                return false;
            }
            io::stdout().is_terminal()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::unified_diff;

    #[test]
    fn diff_headers_name_the_path_as_git_does() {
        let headers = |path: &str| {
            let d = unified_diff("a: 1\n", "a: 2\n", path);
            d.lines().take(2).map(str::to_string).collect::<Vec<_>>()
        };
        assert_eq!(
            headers(".circleci/config.yml"),
            ["--- a/.circleci/config.yml", "+++ b/.circleci/config.yml"]
        );
        assert_eq!(
            headers("/tmp/p/config.yml"),
            ["--- a/tmp/p/config.yml", "+++ b/tmp/p/config.yml"]
        );
        assert_eq!(
            headers("./config.yml"),
            ["--- a/config.yml", "+++ b/config.yml"]
        );
    }
}
