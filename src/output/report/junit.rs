//! `junit`: JUnit XML for CircleCI's `store_test_results` and other CI systems.
//!
//! One `<testsuite>` per file; one failing `<testcase>` per finding, named by its rule id and
//! position; a file without findings gets one passing test case, so that it shows as checked.

use super::{Options, position};
use crate::base::file_report::FileReport;
use std::io::{self, Write};

pub fn write(reports: &[FileReport], _options: &Options, out: &mut dyn Write) -> io::Result<()> {
    let tests: usize = reports.iter().map(|r| r.diagnostics.len().max(1)).sum();
    let failures: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="cilint" tests="{tests}" failures="{failures}" errors="0">"#
    )?;
    for report in reports {
        let path = escape(&report.path);
        let n = report.diagnostics.len();
        writeln!(
            out,
            r#"  <testsuite name="{path}" tests="{}" failures="{n}" errors="0" skipped="0">"#,
            n.max(1)
        )?;
        if n == 0 {
            writeln!(
                out,
                r#"    <testcase name="cilint" classname="{path}" file="{path}"/>"#
            )?;
        }
        for d in &report.diagnostics {
            let (s, _) = position(report, d.span());
            let mut body = format!(
                "{}:{}:{}: {}[{}]: {}",
                report.path, s.line, s.column, d.severity, d.rule, d.message
            );
            if let Some(help) = &d.help {
                body.push_str("\nhelp: ");
                body.push_str(help);
            }
            writeln!(
                out,
                r#"    <testcase name="{} at {}:{}" classname="{path}" file="{path}" line="{}">"#,
                escape(d.rule),
                s.line,
                s.column,
                s.line
            )?;
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                d.severity,
                escape(&d.message),
                escape(&body)
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// Escape text for XML content and attribute values; characters XML 1.0 cannot hold at all
/// (most control characters) become U+FFFD. Line breaks in attributes are kept as references.
pub(crate) fn escape(s: &str) -> String {
    crate::output::render::xml_escape_with(s, |c| match c {
        '\'' => Some("&apos;"),
        '\n' => Some("&#10;"),
        '\r' => Some("&#13;"),
        '\t' => Some("&#9;"),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Format, tests::*};

    #[test]
    fn well_formed_xml() {
        let out = render(Format::Junit, &sample());
        let doc = roxmltree::Document::parse(&out).unwrap();
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        assert_eq!(root.attribute("tests"), Some("4"));
        assert_eq!(root.attribute("failures"), Some("3"));
        let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
        assert_eq!(suites.len(), 2);
        assert_eq!(suites[0].attribute("name"), Some("dir/a b,c:d.yml"));
        let cases: Vec<_> = suites[0].children().filter(|n| n.is_element()).collect();
        assert_eq!(cases[1].attribute("name"), Some("duplicate-key at 4:3"));
        let failure = cases[1].first_element_child().unwrap();
        assert_eq!(
            failure.attribute("message"),
            Some("key `build` appears twice, 100% sure: <&>\"'")
        );
        assert!(
            failure
                .text()
                .unwrap()
                .contains("help: remove one of them,\nor rename it")
        );
        let clean: Vec<_> = suites[1].children().filter(|n| n.is_element()).collect();
        assert_eq!(clean.len(), 1);
        assert!(clean[0].first_element_child().is_none());
    }

    #[test]
    fn control_characters() {
        assert_eq!(super::escape("a\u{0}b\u{1b}"), "a\u{FFFD}b\u{FFFD}");
    }
}
