//! `short`: one line per finding, `path:line:col: severity[rule-id]: message`, then the summary.

use super::{Options, Summary, position};
use crate::base::file_report::FileReport;
use std::io::{self, Write};

pub fn write(reports: &[FileReport], options: &Options, out: &mut dyn Write) -> io::Result<()> {
    for report in reports {
        for d in &report.diagnostics {
            let (start, _) = position(report, d.span());
            let severity = super::human::paint(options.color, d.severity, d.severity.as_str());
            writeln!(
                out,
                "{}:{}:{}: {severity}[{}]: {}",
                report.path,
                start.line,
                start.column,
                d.rule,
                one_line(&d.message)
            )?;
        }
    }
    if !options.quiet {
        writeln!(out, "{}", Summary::of(reports))?;
    }
    Ok(())
}

/// Messages are one line by contract; keep the output line-based even if one is not.
pub(crate) fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::super::{Format, tests::*};

    #[test]
    fn one_line_per_finding() {
        let out = render(Format::Short, &sample());
        assert_eq!(
            out,
            "dir/a b,c:d.yml:1:1: info[yaml-limits]: an info\n\
             dir/a b,c:d.yml:4:3: warning[duplicate-key]: key `build` appears twice, 100% sure: <&>\"'\n\
             dir/a b,c:d.yml:6:3: error[yaml-syntax]: something about `é`\n\
             1 error, 1 warning, 1 info in 2 files\n"
        );
    }
}
