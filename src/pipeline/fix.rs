//! `check --fix` and the language server's "fix all": lint, apply the fixes of the findings
//! that are reported, lint the new text, and again, until nothing changes (at most
//! [`MAX_ROUNDS`] rounds). Applying the result again changes nothing.

use crate::base::diagnostic::{Applicability, Diagnostic, Fix};
use crate::base::fix;
use crate::config::settings::Settings;

/// How many rounds of lint-and-fix a file gets at most: each round applies every fix that does
/// not overlap another, so a few rounds reach the fixed point.
pub const MAX_ROUNDS: usize = 8;

/// What fixing a file did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fixed {
    /// The text after every fix (the original when nothing applied).
    pub text: String,
    /// The rule and title of each fix applied, in the order applied.
    pub applied: Vec<(&'static str, String)>,
}

impl Fixed {
    pub fn changed(&self) -> bool {
        !self.applied.is_empty()
    }
}

/// Whether a fix of this applicability is applied when `unsafe_fixes` is given or not.
pub fn wanted(fix: &Fix, unsafe_fixes: bool) -> bool {
    unsafe_fixes || fix.applicability == Applicability::Safe
}

/// The fixes of `diagnostics` to apply, in position order (so that of two overlapping fixes
/// the first in the file wins).
pub fn fixes_of(diagnostics: &[Diagnostic], unsafe_fixes: bool) -> Vec<(&'static str, &Fix)> {
    let mut out: Vec<(&'static str, &Fix)> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref().map(|f| (d.rule, f)))
        .filter(|(_, f)| wanted(f, unsafe_fixes) && !f.edits.is_empty())
        .collect();
    out.sort_by_key(|(_, f)| f.extent().map(|s| (s.start, s.end)));
    out
}

/// Fix `text` (a file's decoded source) as far as the findings of its lint under `settings`
/// allow. Text that is not the file as read (a file that is not UTF-8) is never fixed.
pub fn fix_text(text: &str, path: &str, settings: &Settings, unsafe_fixes: bool) -> Fixed {
    let mut fixed = Fixed {
        text: text.to_string(),
        applied: Vec::new(),
    };
    for _ in 0..MAX_ROUNDS {
        let report = crate::pipeline::lint(fixed.text.as_bytes(), path, settings);
        if report.source != fixed.text {
            break;
        }
        let fixes = fixes_of(&report.diagnostics, unsafe_fixes);
        if fixes.is_empty() {
            break;
        }
        let only: Vec<&Fix> = fixes.iter().map(|(_, f)| *f).collect();
        let out = fix::apply(&fixed.text, &only);
        if out.applied.is_empty() || out.text == fixed.text {
            break;
        }
        fixed.applied.extend(
            out.applied
                .iter()
                .map(|&i| (fixes[i].0, fixes[i].1.title.clone())),
        );
        fixed.text = out.text;
    }
    fixed
}

/// Fix a file's bytes: `None` when they are not UTF-8 (cilint lints such a file from a lossy
/// decoding, which must not be written back).
pub fn fix_bytes(
    bytes: &[u8],
    path: &str,
    settings: &Settings,
    unsafe_fixes: bool,
) -> Option<Fixed> {
    let text = std::str::from_utf8(bytes).ok()?;
    Some(fix_text(text, path, settings, unsafe_fixes))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEWMAN: &str = "version: 2.1\norbs:\n  newman: postman/newman@0.0.2\njobs:\n  run:\n    executor: newman/postman-newman-docker\n    steps:\n      - checkout\n      - newman/newman-run:\n        collection: a.json\n        # the environment\n        environment: b.json\nworkflows:\n  w:\n    jobs:\n      - run\n";

    #[test]
    fn step_arguments_are_indented_once() {
        let s = Settings::default();
        let once = fix_text(NEWMAN, "c.yml", &s, false);
        assert_eq!(once.applied.len(), 1, "{once:?}");
        assert!(
            once.text.contains(
                "      - newman/newman-run:\n          collection: a.json\n          # the environment\n          environment: b.json\n"
            ),
            "{}",
            once.text
        );
        let twice = fix_text(&once.text, "c.yml", &s, false);
        assert!(!twice.changed());
        assert_eq!(twice.text, once.text);
    }

    #[test]
    fn line_endings_are_kept() {
        let crlf = NEWMAN.replace('\n', "\r\n");
        let once = fix_text(&crlf, "c.yml", &Settings::default(), false);
        assert!(once.changed());
        assert!(!once.text.replace("\r\n", "").contains('\n'));
    }
}
