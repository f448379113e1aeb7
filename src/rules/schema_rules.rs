//! `unknown-key`, `invalid-value`, `missing-key`: the config checked against CircleCI's schema
//! (`crate::config::schema`: the JSON Schema in `schema/` and the wording of its findings).
//! Each rule reports the schema check's findings of its kind; `invalid-value` also reports an
//! orb source folder whose `@orb.yml` is not a mapping.

use super::{Rule, report_stage};
use crate::base::diagnostic::Severity;
use crate::config::orb_source::OrbProblem;
use crate::config::schema::SchemaProblem;

pub static UNKNOWN_KEY: Rule = Rule {
    id: "unknown-key",
    severity: Severity::Error,
    summary: "a key CircleCI does not know at this place (often a misspelling)",
    explanation: include_str!("docs/unknown-key.md"),
    category: super::Category::Correctness,
    check: Some(|cx, out| report_stage(&UNKNOWN_KEY, cx.schema(), SchemaProblem::UnknownKey, out)),
};

pub static INVALID_VALUE: Rule = Rule {
    id: "invalid-value",
    severity: Severity::Error,
    summary: "a value of the wrong kind (a string where a number or a mapping is needed, an unknown option)",
    explanation: include_str!("docs/invalid-value.md"),
    category: super::Category::Correctness,
    check: Some(|cx, out| {
        report_stage(
            &INVALID_VALUE,
            cx.schema(),
            SchemaProblem::InvalidValue,
            out,
        );
        if let Some(found) = cx.orb_source {
            report_stage(&INVALID_VALUE, found, OrbProblem::RootNotMapping, out);
        }
    }),
};

pub static MISSING_KEY: Rule = Rule {
    id: "missing-key",
    severity: Severity::Error,
    summary: "a key CircleCI requires is absent (`version`, a job's `steps`, a docker `image`...)",
    explanation: include_str!("docs/missing-key.md"),
    category: super::Category::Correctness,
    check: Some(|cx, out| report_stage(&MISSING_KEY, cx.schema(), SchemaProblem::MissingKey, out)),
};
