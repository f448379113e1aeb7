//! Every fix, applied to every config the tests know (the fixtures, the bad and good examples
//! of the rule docs, and the corpus of real and broken configs when `../shared/corpus` is
//! there): the fixed file still loads, lints with no error of a rule that had no finding
//! before, reaches a fixed point (no fix left to apply), and fixing it again changes nothing.

mod common;

use cilint::Settings;
use cilint::fix::{fix_text, fixes_of};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn configs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            configs(&p, out);
        } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            out.push(p);
        }
    }
}

/// The fenced `yaml` blocks of a rule's explanation.
fn examples(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line.trim_start().starts_with("```yaml") => current = Some(String::new()),
            Some(text) if line.trim_start().starts_with("```") => {
                out.push(std::mem::take(text));
                current = None;
            }
            Some(text) => {
                text.push_str(line);
                text.push('\n');
            }
            None => {}
        }
    }
    out
}

fn check_one(name: &str, text: &str, settings: &Settings, fixed_any: &mut BTreeSet<&'static str>) {
    let before = cilint::lint(text.as_bytes(), name, settings);
    if before.source != text {
        return; // not UTF-8 as read: never fixed
    }
    let fixed = fix_text(text, name, settings, true);
    if !fixed.changed() {
        return;
    }
    fixed_any.extend(fixed.applied.iter().map(|(r, _)| *r));
    let after = cilint::lint(fixed.text.as_bytes(), name, settings);
    let had: BTreeSet<&str> = before.diagnostics.iter().map(|d| d.rule).collect();
    for d in &after.diagnostics {
        assert!(
            !matches!(d.rule, "yaml-syntax" | "yaml-limits"),
            "{name}: the fixed file does not load: {}\n{}",
            d.message,
            fixed.text
        );
        assert!(
            d.severity != cilint::Severity::Error || had.contains(d.rule),
            "{name}: a new error after the fixes {:?}: {} {}\n{}",
            fixed.applied,
            d.rule,
            d.message,
            fixed.text
        );
    }
    // The fixed point: what is left has no fix that applies.
    let left = fixes_of(&after.diagnostics, true);
    let again = cilint::fix::apply(
        &fixed.text,
        &left.iter().map(|(_, f)| *f).collect::<Vec<_>>(),
    );
    assert!(
        again.applied.is_empty() || again.text == fixed.text,
        "{name}: fixes left after {} rounds: {:?}",
        cilint::fix::MAX_ROUNDS,
        left.iter().map(|(r, f)| (r, &f.title)).collect::<Vec<_>>()
    );
    let twice = fix_text(&fixed.text, name, settings, true);
    assert!(
        !twice.changed(),
        "{name}: fixing twice changed {:?}",
        twice.applied
    );
}

#[test]
fn every_fix_leaves_a_config_that_loads_and_lints_clean_for_the_fixed_rules() {
    let settings = Settings::default();
    let mut files = Vec::new();
    configs(&common::root().join("tests/fixtures"), &mut files);
    configs(&common::root().join("../shared/corpus"), &mut files);
    let mut fixed_any = BTreeSet::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        check_one(
            &path.display().to_string(),
            &text,
            &settings,
            &mut fixed_any,
        );
    }
    for rule in cilint::rules() {
        for (i, example) in examples(rule.explanation).iter().enumerate() {
            check_one(
                &format!("{}#{i}.yml", rule.id),
                example,
                &settings,
                &mut fixed_any,
            );
        }
    }
    // Each rule with fixes has its fix exercised somewhere.
    for id in [
        "step-shape",
        "unknown-key",
        "obsolete-workflows-version",
        "redundant-requires",
        "unused-suppression",
        "deprecated-image",
        "template-injection",
        "retired-version",
    ] {
        assert!(
            fixed_any.contains(id),
            "no config exercised the fix of {id}: {fixed_any:?}"
        );
    }
}
