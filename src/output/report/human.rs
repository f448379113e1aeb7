//! `human`: rustc-like output drawn by miette's graphical handler.
//!
//! ```text
//! warning[duplicate-key]: key `build` appears twice
//!    ╭─[config.yml:4:3]
//!  3 │   build: {}
//!    ·   ──┬──
//!    ·     ╰── first here
//!  4 │   build: {}
//!    ·   ──┬──
//!    ·     ╰── the later value wins
//!    ╰────
//!   help: remove one of them
//!
//! 1 warning in 1 file
//! ```
//!
//! The `severity[rule-id]: message` line is ours; miette draws the file position, the labelled
//! source lines and the help.

use super::{Options, Summary};
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::file_report::FileReport;
use crate::base::span::Span;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode, SpanContents};
use std::fmt;
use std::io::{self, Write};

pub fn write(reports: &[FileReport], options: &Options, out: &mut dyn Write) -> io::Result<()> {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_wrap_lines(false)
        .with_context_lines(1)
        .without_syntax_highlighting();
    for report in reports {
        let lone_cr = report
            .source
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b'\r' && w[1] != b'\n')
            || report.source.ends_with('\r');
        for d in &report.diagnostics {
            let header = paint(
                options.color,
                d.severity,
                &format!("{}[{}]", d.severity, d.rule),
            );
            writeln!(out, "{header}: {}", super::short::one_line(&d.message))?;
            out.write_all(render(&handler, report, d, lone_cr).as_bytes())?;
            writeln!(out)?;
        }
    }
    if !options.quiet {
        writeln!(out, "{}", Summary::of(reports))?;
    }
    Ok(())
}

/// The source lines and help of one finding (everything below the header line).
fn render(
    handler: &GraphicalReportHandler,
    report: &FileReport,
    d: &Diagnostic,
    lone_cr: bool,
) -> String {
    let adapter = Adapter { report, d, lone_cr };
    let mut text = String::new();
    if handler.render_report(&mut text, &adapter).is_ok() {
        // miette's first line repeats the message (`  × message`): the header replaces it.
        return match text.split_once('\n') {
            Some((_, rest)) => rest.to_string(),
            None => String::new(),
        };
    }
    // miette could not draw the source (it should not happen: spans are clamped); fall back to
    // a plain position and help.
    let (start, _) = super::position(report, d.span());
    let mut text = format!("  --> {}:{}:{}\n", report.path, start.line, start.column);
    if let Some(help) = &d.help {
        text.push_str(&format!("  help: {help}\n"));
    }
    text
}

/// ANSI colour for a severity.
pub(crate) fn paint(color: bool, severity: Severity, text: &str) -> String {
    if !color {
        return text.to_string();
    }
    let code = match severity {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;36",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// A finding as miette sees it.
struct Adapter<'a> {
    report: &'a FileReport,
    d: &'a Diagnostic,
    /// The source has a `\r` not followed by `\n`.
    lone_cr: bool,
}

impl Adapter<'_> {
    /// Spans clamped to the source and moved to character boundaries, as miette needs.
    fn miette_span(&self, span: Span) -> miette::SourceSpan {
        let src = &self.report.source;
        let mut start = (span.start as usize).min(src.len());
        while !src.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (span.end as usize).clamp(start, src.len());
        while !src.is_char_boundary(end) {
            end += 1;
        }
        (start, end - start).into()
    }

    fn label(text: &str) -> Option<String> {
        (!text.is_empty()).then(|| text.to_string())
    }
}

impl fmt::Debug for Adapter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.d, f)
    }
}

impl fmt::Display for Adapter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::short::one_line(&self.d.message))
    }
}

impl std::error::Error for Adapter<'_> {}

impl miette::Diagnostic for Adapter<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(
            Adapter::label(&self.d.primary.message),
            self.miette_span(self.d.primary.span),
        );
        let secondary = self.d.labels.iter().map(|l| {
            LabeledSpan::new_with_span(Adapter::label(&l.message), self.miette_span(l.span))
        });
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

/// Two labels' snippets this many lines apart or closer are drawn as one (the lines between
/// them included); farther apart, each gets its own.
const JOIN_GAP: usize = 5;

/// The source, named by the report's path.
impl SourceCode for Adapter<'_> {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, miette::MietteError> {
        // miette's reader for `str` counts lines from the start of the text on every call,
        // which makes a report of many findings in a large file quadratic: hand it only the
        // lines around the span (from a line start, so columns are unchanged), then move what
        // it returns back to the whole file's offsets and line numbers.
        //
        // The line count returned is the number of lines read plus `JOIN_GAP` (miette's own
        // reader gives the lines from the start of the text to the end of the read). miette
        // joins the snippets of two labels into one when the first one's `line() +
        // line_count()` reaches the second's line: with the count from the start of the text,
        // every finding's labels were drawn as one snippet with every line between them, so a
        // finding whose labels are far apart printed the whole stretch of the file between them
        // (2 MB of output for a 21 kB config, found by the fuzzer). Now snippets at most
        // `JOIN_GAP` lines apart are still joined, and farther ones are drawn separately.
        let src = self.report.source.as_str();
        if self.lone_cr {
            // miette breaks lines at a lone `\r` too, the line index does not: read it whole.
            let inner = src.read_span(span, before, after)?;
            return Ok(Box::new(miette::MietteSpanContents::new_named(
                self.report.path.clone(),
                inner.data(),
                *inner.span(),
                inner.line(),
                inner.column(),
                inner.line_count() - inner.line() + JOIN_GAP,
            )));
        }
        let lines = &self.report.lines;
        let end = span.offset() + span.len();
        let first = lines.line(span.offset()).saturating_sub(before).max(1);
        let past = lines.line(end) + after + 2;
        let from = lines.line_start(first);
        let to = if past > lines.line_count() {
            src.len()
        } else {
            lines.line_start(past)
        };
        let local = miette::SourceSpan::new((span.offset() - from).into(), span.len());
        let inner = src[from..to].read_span(&local, before, after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.report.path.clone(),
            inner.data(),
            miette::SourceSpan::new((inner.span().offset() + from).into(), inner.span().len()),
            inner.line() + first - 1,
            inner.column(),
            inner.line_count() - inner.line() + JOIN_GAP,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Format, Options, tests::*};

    #[test]
    fn rustc_like() {
        let out = render(Format::Human, &sample());
        assert!(
            out.contains("warning[duplicate-key]: key `build` appears twice"),
            "{out}"
        );
        assert!(out.contains("[dir/a b,c:d.yml:4:3]"), "{out}");
        assert!(out.contains("the later value wins"), "{out}");
        assert!(out.contains("first here"), "{out}");
        assert!(out.contains("help: remove one of them"), "{out}");
        assert!(
            out.contains("error[yaml-syntax]: something about `é`"),
            "{out}"
        );
        assert!(
            out.ends_with("\n1 error, 1 warning, 1 info in 2 files\n"),
            "{out}"
        );
        assert!(!out.contains('\x1b'), "{out}");
    }

    #[test]
    fn colour_and_quiet() {
        let mut out = Vec::new();
        let options = Options {
            color: true,
            quiet: true,
        };
        super::write(&sample(), &options, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("\x1b[1;31merror[yaml-syntax]\x1b[0m"), "{out}");
        assert!(!out.contains("in 2 files"), "{out}");
    }
}
