//! `cilint pack [FOLDER]`: a folder packed into one config, as `circleci config pack` prints it.

use super::check::output_format;
use super::*;
use crate::output::report;
use crate::output::yaml_out::{Dialect, to_yaml};
use std::io::Write;

pub(super) fn pack(args: &PackArgs, out: &mut dyn Write) -> Result<Exit, Failure> {
    let dir = match &args.folder {
        Some(dir) => dir.clone(),
        None => discover_pack()?,
    };
    let folder = read_pack_folder(&dir)?;
    match crate::pipeline::pack::pack(&folder, &crate::config::settings::Settings::default()) {
        Ok(data) => {
            // The CLI prints the YAML and one more line break.
            let text = to_yaml(&data, Dialect::Pack) + "\n";
            write_result(&text, args.output.as_deref(), out)?;
            Ok(Exit::Clean)
        }
        Err(reports) => {
            let options = report::Options {
                color: use_color(args.report.color),
                quiet: args.report.quiet,
            };
            report::write(output_format(args.format), &reports, &options, out)
                .map_err(write_failed)?;
            Ok(Exit::Findings)
        }
    }
}

/// Write a command's result to `-o FILE`, or to stdout.
pub(super) fn write_result(
    text: &str,
    file: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    match file {
        Some(path) => std::fs::write(path, text).map_err(|e| {
            Failure(format!(
                "cannot write {}: {}",
                path.display(),
                os_reason(&e)
            ))
        }),
        None => out.write_all(text.as_bytes()).map_err(write_failed),
    }
}
