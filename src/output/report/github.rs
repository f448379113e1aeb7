//! `github`: GitHub Actions workflow commands, one annotation per finding.
//!
//! `::error file=PATH,line=L,col=C,endLine=L2,endColumn=C2,title=cilint (rule-id)::message`,
//! with `warning` and `notice` for the other severities. The message (and the help, on a second
//! line) escapes `%`, `\r` and `\n`; property values also escape `:` and `,`.

use super::{Options, position};
use crate::base::diagnostic::Severity;
use crate::base::file_report::FileReport;
use std::io::{self, Write};

pub fn write(reports: &[FileReport], _options: &Options, out: &mut dyn Write) -> io::Result<()> {
    for report in reports {
        for d in &report.diagnostics {
            let (s, e) = position(report, d.span());
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                property(&report.path),
                s.line,
                s.column,
                e.line,
                e.column,
                property(&format!("cilint ({})", d.rule)),
                data(&message),
            )?;
        }
    }
    Ok(())
}

/// Escape a command's message.
pub(crate) fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value.
pub(crate) fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::super::{Format, tests::*};

    #[test]
    fn annotations() {
        let out = render(Format::Github, &sample());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines,
            [
                "::notice file=dir/a b%2Cc%3Ad.yml,line=1,col=1,endLine=1,endColumn=1,title=cilint (yaml-limits)::an info",
                "::warning file=dir/a b%2Cc%3Ad.yml,line=4,col=3,endLine=4,endColumn=8,title=cilint (duplicate-key)::key `build` appears twice, 100%25 sure: <&>\"'%0Ahelp: remove one of them,%0Aor rename it",
                "::error file=dir/a b%2Cc%3Ad.yml,line=6,col=3,endLine=6,endColumn=4,title=cilint (yaml-syntax)::something about `é`",
            ]
        );
    }
}
