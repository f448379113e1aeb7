//! `gitlab`: a GitLab code quality report (the subset of the Code Climate issue format that
//! GitLab reads).
//!
//! One JSON array; each finding is an object with `description` (the message, then the help),
//! `check_name` (the rule id), `fingerprint`, `severity` and `location.path` +
//! `location.lines.begin`. GitLab compares fingerprints between the merge request and its target
//! branch to tell new findings from old ones, so the fingerprint must not change when unrelated
//! lines move: it hashes the path, the rule id, the message and the text under the finding's
//! span (not its line number), plus how many identical findings came before it in the file.
//! Severities: `error` -> `critical`, `warning` -> `major`, `info` -> `info`.

use super::{Options, position};
use crate::base::diagnostic::Severity;
use crate::base::file_report::FileReport;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{self, Write};

/// The Code Climate severity GitLab shows for a cilint severity.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

/// FNV-1a (64 bits) from a given offset basis: small, stable across versions and platforms.
fn fnv1a(basis: u64, parts: &[&[u8]]) -> u64 {
    let mut h = basis;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        // A separator, so that ("ab", "c") and ("a", "bc") differ.
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A 32-hex-digit stable fingerprint of `parts` (two FNV-1a hashes with different bases).
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let a = fnv1a(0xcbf2_9ce4_8422_2325, parts);
    let b = fnv1a(0x84222325_cbf29ce4, parts);
    format!("{a:016x}{b:016x}")
}

pub fn write(reports: &[FileReport], _options: &Options, out: &mut dyn Write) -> io::Result<()> {
    let mut issues = Vec::new();
    for report in reports {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for d in &report.diagnostics {
            let (s, _) = position(report, d.span());
            let span = d.span();
            let text = report
                .source
                .get(span.start as usize..span.end as usize)
                .unwrap_or("");
            let key = fingerprint(&[
                report.path.as_bytes(),
                d.rule.as_bytes(),
                d.message.as_bytes(),
                text.as_bytes(),
            ]);
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            let print = if *n == 1 {
                key
            } else {
                fingerprint(&[key.as_bytes(), n.to_string().as_bytes()])
            };
            let mut description = d.message.clone();
            if let Some(help) = &d.help {
                description.push_str(" (help: ");
                description.push_str(help);
                description.push(')');
            }
            issues.push(json!({
                "description": description,
                "check_name": d.rule,
                "fingerprint": print,
                "severity": severity(d.severity),
                "location": {
                    "path": report.path,
                    "lines": {"begin": s.line},
                },
            }));
        }
    }
    serde_json::to_writer_pretty(&mut *out, &Value::Array(issues))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::super::{Format, tests::*};
    use super::fingerprint;
    use crate::base::span::LineIndex;
    use serde_json::Value;

    /// The fields GitLab reads, with the types and values it accepts.
    pub(crate) fn assert_valid_code_quality(v: &Value) {
        for issue in v.as_array().unwrap() {
            assert!(!issue["description"].as_str().unwrap().is_empty());
            assert!(!issue["check_name"].as_str().unwrap().is_empty());
            let fp = issue["fingerprint"].as_str().unwrap();
            assert_eq!(fp.len(), 32);
            assert!(fp.bytes().all(|b| b.is_ascii_hexdigit()));
            assert!(
                ["info", "minor", "major", "critical", "blocker"]
                    .contains(&issue["severity"].as_str().unwrap())
            );
            assert!(!issue["location"]["path"].as_str().unwrap().is_empty());
            assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        }
    }

    #[test]
    fn code_quality_report() {
        let out = render(Format::Gitlab, &sample());
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_valid_code_quality(&v);
        insta::with_settings!({snapshot_path => "../../../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!("report_gitlab", out);
        });
    }

    #[test]
    fn fingerprints_ignore_line_moves_and_tell_repeats_apart() {
        let mut reports = sample();
        let before = render(Format::Gitlab, &reports);
        // Two blank lines at the top move every finding down, the spans with them.
        let r = &mut reports[0];
        r.source = format!("\n\n{}", r.source);
        r.lines = LineIndex::new(&r.source);
        for d in &mut r.diagnostics {
            d.primary.span.start += 2;
            d.primary.span.end += 2;
        }
        let after = render(Format::Gitlab, &reports);
        let prints = |s: &str| -> Vec<String> {
            let v: Value = serde_json::from_str(s).unwrap();
            v.as_array()
                .unwrap()
                .iter()
                .map(|i| i["fingerprint"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(prints(&before), prints(&after));
        assert_ne!(before, after, "the lines moved");
        // The same finding twice gets two fingerprints.
        let d = reports[0].diagnostics[1].clone();
        reports[0].diagnostics.push(d);
        let p = prints(&render(Format::Gitlab, &reports));
        let unique: std::collections::HashSet<_> = p.iter().collect();
        assert_eq!(unique.len(), p.len());
        assert_ne!(fingerprint(&[b"ab", b"c"]), fingerprint(&[b"a", b"bc"]));
    }
}
