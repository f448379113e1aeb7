//! Any bytes through `cilint::lint`: it must return a report whose spans lie inside the text,
//! and every report format must render it. Run with
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run lint fuzz/corpus/lint` (see BENCHMARKS.md).
#![no_main]

use cilint::Settings;
use cilint::report::{self, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let report = cilint::lint(data, "fuzz.yml", &Settings::default());
    let len = report.source.len() as u32;
    for d in &report.diagnostics {
        for span in std::iter::once(d.primary.span).chain(d.labels.iter().map(|l| l.span)) {
            assert!(span.start <= span.end && span.end <= len, "{d:?} outside the text");
        }
    }
    let reports = [report];
    for format in [Format::Human, Format::Json, Format::Sarif, Format::Github, Format::Junit] {
        let mut out = Vec::new();
        report::write(format, &reports, &report::Options::default(), &mut out).unwrap();
    }
});
