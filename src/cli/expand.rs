//! `cilint expand [CONFIG|FOLDER]`: the processed config, as `circleci config process` prints
//! it; `cilint expand --diff OLD NEW`: what changes in it between two versions.

use super::check::output_format;
use super::pack::write_result;
use super::*;
use crate::output::report;
use crate::output::yaml_out::{Dialect, to_yaml};
use crate::pipeline::expand::{Expanded, expand_file, expand_folder};
use crate::yaml::Data;
use std::io::Write;

pub(super) fn expand(args: &ExpandArgs, out: &mut dyn Write) -> Result<Exit, Failure> {
    let mut settings =
        SettingsCache::new(&args.config, &[], &[], None)?.with_orb_cache(args.orb_cache.clone());
    if let Some(pair) = &args.diff {
        let [old, new] = pair.as_slice() else {
            return Err(Failure("`--diff` takes two paths: OLD NEW".into()));
        };
        let old_source = source_of(Some(old))?;
        let new_source = source_of(Some(new))?;
        let old_data = match run(&old_source, args, &mut settings, out)? {
            Some(d) => d,
            None => return Ok(Exit::Findings),
        };
        let new_data = match run(&new_source, args, &mut settings, out)? {
            Some(d) => d,
            None => return Ok(Exit::Findings),
        };
        let changes = crate::analysis::expand::diff::compare(&old_data, &new_data);
        let text = crate::output::expand_diff::render(
            &changes,
            &old_source.display,
            &new_source.display,
            use_color(args.report.color),
        );
        write_result(&text, args.output.as_deref(), out)?;
        return Ok(Exit::Clean);
    }
    let source = source_of(args.path.as_deref())?;
    match run(&source, args, &mut settings, out)? {
        Some(data) => {
            write_result(
                &to_yaml(&data, Dialect::Process),
                args.output.as_deref(),
                out,
            )?;
            Ok(Exit::Clean)
        }
        None => Ok(Exit::Findings),
    }
}

/// What `expand` reads for `path`: a file, a folder to pack, or, for a repository, its
/// `.circleci/config/` folder when it packs its config, else its `.circleci/config.yml`.
fn source_of(path: Option<&Path>) -> Result<Source, Failure> {
    let Some(path) = path else {
        return discover(true);
    };
    if path.as_os_str() == "-" {
        return Ok(Source {
            file: None,
            display: "<stdin>".into(),
            pack: false,
        });
    }
    if !path.is_dir() {
        return Ok(Source::file(path.to_path_buf()));
    }
    if let Some(folder) = pack_folder_of(path) {
        return Ok(Source::pack(folder));
    }
    if let Some(config) = circleci_config(path) {
        return Ok(Source::file(config));
    }
    Ok(Source::pack(path.to_path_buf()))
}

/// Expand one source: the processed config, or `None` once the findings that stop it are
/// written to `out`.
fn run(
    source: &Source,
    args: &ExpandArgs,
    settings: &mut SettingsCache,
    out: &mut dyn Write,
) -> Result<Option<Data>, Failure> {
    let key = settings.key_for(&source.settings_dir())?;
    let settings = settings.get(&key);
    let input = |config: &crate::config::model::Config<'_>| {
        args.plan.input(config, source).map_err(|f| f.0)
    };
    let expanded = if source.pack {
        let dir = source.file.clone().unwrap_or_default();
        expand_folder(&read_pack_folder(&dir)?, settings, input)
    } else {
        expand_file(&source.read()?, &source.display, settings, input)
    };
    match expanded {
        Expanded::Done(data) => Ok(Some(data)),
        Expanded::Rejected(reports) => {
            let options = report::Options {
                color: use_color(args.report.color),
                quiet: args.report.quiet,
            };
            report::write(output_format(args.format), &reports, &options, out)
                .map_err(write_failed)?;
            Ok(None)
        }
        Expanded::Usage(message) => Err(Failure(message)),
        Expanded::Undecidable(message) => Err(Failure(format!(
            "cannot expand {}: {message}",
            source.display
        ))),
    }
}
