//! `sarif`: SARIF 2.1.0, one run, for GitHub code scanning and other SARIF consumers.
//!
//! The driver lists every rule (id, summary, Markdown explanation, default level); results point
//! at physical locations with regions. Columns count Unicode code points
//! (`columnKind: unicodeCodePoints`), and `endColumn` is exclusive, as SARIF defines it: the same
//! positions as the other formats.

use super::{Options, position};
use crate::base::diagnostic::Severity;
use crate::base::file_report::FileReport;
use crate::base::span::Span;
use crate::rules;
use serde_json::{Value, json};
use std::io::{self, Write};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// SARIF's `level` for a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative URI reference for a path: `/` separators, everything outside the unreserved
/// characters percent-encoded (so a `C:` drive or a space cannot be misread).
pub(crate) fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn region(report: &FileReport, span: Span) -> Value {
    let (s, e) = position(report, span);
    json!({
        "startLine": s.line,
        "startColumn": s.column,
        "endLine": e.line,
        "endColumn": e.column,
    })
}

fn location(report: &FileReport, span: Span) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(&report.path)},
            "region": region(report, span),
        }
    })
}

/// A rule's SARIF properties: its tags (`circleci`, its category; for a security audit also
/// `security` and its CWE as `external/cwe/cwe-N`) and, for a security audit, the
/// `security-severity` score GitHub code scanning ranks alerts by.
fn rule_properties(rule: &rules::Rule) -> Value {
    let mut tags = vec![json!("circleci"), json!(rule.category.as_str())];
    let mut props = serde_json::Map::new();
    if let Some(cwe) = rule.category.cwe() {
        tags.push(json!(format!("external/cwe/cwe-{cwe}")));
    }
    if let Some(score) = rule.category.security_severity() {
        props.insert("security-severity".into(), json!(score));
    }
    props.insert("tags".into(), Value::Array(tags));
    Value::Object(props)
}

pub fn write(reports: &[FileReport], _options: &Options, out: &mut dyn Write) -> io::Result<()> {
    let registry = rules::registry();
    let driver_rules: Vec<Value> = registry
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "help": {"text": r.explanation, "markdown": r.explanation},
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": rule_properties(r),
            })
        })
        .collect();
    let mut results = Vec::new();
    for report in reports {
        for d in &report.diagnostics {
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let mut result = json!({
                "ruleId": d.rule,
                "level": level(d.severity),
                "message": {"text": text},
                "locations": [location(report, d.span())],
                "properties": {"confidence": d.confidence.as_str()},
            });
            if let Some(index) = registry.iter().position(|r| r.id == d.rule) {
                result["ruleIndex"] = json!(index);
            }
            if !d.labels.is_empty() {
                let related: Vec<Value> = d
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let mut loc = location(report, l.span);
                        loc["id"] = json!(i + 1);
                        loc["message"] = json!({"text": l.message});
                        loc
                    })
                    .collect();
                result["relatedLocations"] = Value::Array(related);
            }
            if let Some(fix) = &d.fix {
                let replacements: Vec<Value> = fix
                    .edits
                    .iter()
                    .map(|e| {
                        let mut region = region(report, e.span);
                        region["byteOffset"] = json!(e.span.start);
                        region["byteLength"] = json!(e.span.len());
                        json!({"deletedRegion": region, "insertedContent": {"text": e.text}})
                    })
                    .collect();
                result["fixes"] = json!([{
                    "description": {"text": fix.title},
                    "artifactChanges": [{
                        "artifactLocation": {"uri": uri(&report.path)},
                        "replacements": replacements,
                    }],
                    "properties": {"applicability": fix.applicability.as_str()},
                }]);
            }
            results.push(result);
        }
    }
    let sarif = json!({
        "version": "2.1.0",
        "$schema": SCHEMA,
        "runs": [{
            "tool": {"driver": {
                "name": "cilint",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": driver_rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::super::{Format, tests::*};
    use super::uri;
    use serde_json::Value;

    /// The parts of the SARIF 2.1.0 schema that GitHub code scanning requires, checked by hand
    /// (the schema itself is not bundled).
    pub(crate) fn assert_valid_sarif(v: &Value) {
        assert_eq!(v["version"], "2.1.0");
        assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
        let runs = v["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        let run = &runs[0];
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "cilint");
        let rules = driver["rules"].as_array().unwrap();
        for r in rules {
            assert!(r["id"].is_string());
            assert!(r["shortDescription"]["text"].is_string());
            assert!(r["help"]["text"].is_string());
            let level = r["defaultConfiguration"]["level"].as_str().unwrap();
            assert!(["none", "note", "warning", "error"].contains(&level));
        }
        for res in run["results"].as_array().unwrap() {
            let id = res["ruleId"].as_str().unwrap();
            if let Some(i) = res["ruleIndex"].as_u64() {
                assert_eq!(rules[i as usize]["id"], id);
            }
            assert!(["none", "note", "warning", "error"].contains(&res["level"].as_str().unwrap()));
            assert!(!res["message"]["text"].as_str().unwrap().is_empty());
            let locs = res["locations"].as_array().unwrap();
            assert!(!locs.is_empty());
            for loc in locs
                .iter()
                .chain(res["relatedLocations"].as_array().into_iter().flatten())
            {
                let pl = &loc["physicalLocation"];
                let uri = pl["artifactLocation"]["uri"].as_str().unwrap();
                assert!(!uri.is_empty() && !uri.contains(' ') && !uri.contains('\\'));
                let region = &pl["region"];
                let (sl, sc) = (
                    region["startLine"].as_u64().unwrap(),
                    region["startColumn"].as_u64().unwrap(),
                );
                let (el, ec) = (
                    region["endLine"].as_u64().unwrap(),
                    region["endColumn"].as_u64().unwrap(),
                );
                assert!(sl >= 1 && sc >= 1 && el >= sl && ec >= 1);
                assert!(el > sl || ec >= sc);
            }
        }
    }

    #[test]
    fn valid_structure() {
        let out = render(Format::Sarif, &sample());
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_valid_sarif(&v);
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        assert_eq!(results[1]["ruleId"], "duplicate-key");
        assert_eq!(results[1]["level"], "warning");
        assert_eq!(results[0]["level"], "note");
        assert_eq!(
            results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "dir/a%20b%2Cc%3Ad.yml"
        );
        assert_eq!(
            results[1]["locations"][0]["physicalLocation"]["region"]["endColumn"],
            8
        );
        assert_eq!(
            results[1]["relatedLocations"][0]["message"]["text"],
            "first here"
        );
    }

    #[test]
    fn uris() {
        assert_eq!(uri(".circleci/config.yml"), ".circleci/config.yml");
        assert_eq!(uri("C:\\x\\y z.yml"), "C%3A/x/y%20z.yml");
    }
}
