//! `constant-condition`: a workflow `when`/`unless` or a step `when`/`unless` `condition` whose
//! value can never change, so the workflow or steps always run, or never do.

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::config::model::StepKind;
use crate::lang::logic::{ConstantCondition, Site, constant_condition, mixed_template_expression};
use crate::lang::mustache;
use crate::yaml::Node;

pub static CONSTANT_CONDITION: Rule = Rule {
    id: "constant-condition",
    severity: Severity::Warning,
    summary: "a `when`/`unless` condition is the same whatever the pipeline values and parameters",
    explanation: include_str!("docs/constant-condition.md"),
    category: super::Category::Correctness,
    check: Some(check),
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for scope in cx.scopes() {
        let suffix = scope.suffix();
        for wf in &scope.config.workflows {
            for (clause, entry) in [("when", wf.when), ("unless", wf.unless)] {
                let Some((_, value)) = entry else { continue };
                if is_literal_bool(value) {
                    continue;
                }
                if let Some(text) = value.as_str()
                    && let Some(direct) = mixed_template_expression(text)
                {
                    out.push(
                        CONSTANT_CONDITION
                            .at(
                                value.use_span(),
                                format!(
                                    "`{clause}` of workflow `{}`{suffix} puts `<< >>` inside an expression, which may be read as a non-empty string and so as always true",
                                    wf.name.text
                                ),
                            )
                            .severity(Severity::Info)
                            .label("text around `<< >>`")
                            .help(format!(
                                "CircleCI substitutes `<< >>` into text; a string condition was always true before expressions came to `when`, and whether the text is read as an expression after substitution is not documented. Write one expression without `<< >>`: `{clause}: {direct}`"
                            )),
                    );
                    continue;
                }
                let Some(c) = constant_condition(value, Site::Workflow) else {
                    continue;
                };
                let runs = c.value == (clause == "when");
                let effect = if runs {
                    "so the workflow always runs"
                } else {
                    "so the workflow never runs"
                };
                out.push(finding(
                    value,
                    &c,
                    format!(
                        "`{clause}` of workflow `{}`{suffix} is always {}, {effect}",
                        wf.name.text, c.value
                    ),
                ));
            }
        }
        for (owner, step) in scope.config.all_steps() {
            let StepKind::Conditional {
                when,
                condition: Some(cond),
                ..
            } = &step.kind
            else {
                continue;
            };
            if is_literal_bool(cond) {
                continue;
            }
            let Some(c) = constant_condition(cond, Site::Step) else {
                continue;
            };
            let clause = if *when { "when" } else { "unless" };
            let runs = c.value == *when;
            let effect = if runs {
                "so its steps always run"
            } else {
                "so its steps never run"
            };
            let key = step.name.map(|n| n.span).unwrap_or(step.node.span);
            let d = CONSTANT_CONDITION
                .at(
                    cond.use_span(),
                    format!(
                        "the `{clause}` condition of a step in {}{suffix} is always {}, {effect}",
                        owner.describe(),
                        c.value
                    ),
                )
                .label(format!("always {}", c.value))
                .with_label(key, format!("`{clause}` step"));
            out.push(with_details(d, cond, &c));
        }
    }
}

/// `when: true`, `unless: false` written as such: a deliberate switch (a workflow kept but
/// turned off, steps disabled while something is fixed), not a condition that went wrong.
fn is_literal_bool(node: &Node) -> bool {
    matches!(
        &node.value,
        crate::yaml::Value::Scalar(s) if matches!(s.kind, crate::yaml::ScalarKind::Bool(_))
    )
}

fn finding(value: &Node, c: &ConstantCondition, message: String) -> Diagnostic {
    let d = CONSTANT_CONDITION
        .at(value.use_span(), message)
        .label(format!("always {}", c.value));
    with_details(d, value, c)
}

/// Add the part that decided (when it is not the whole value) and the help.
fn with_details(mut d: Diagnostic, value: &Node, c: &ConstantCondition) -> Diagnostic {
    if c.span != value.use_span() && !c.span.is_empty() {
        d = d.with_label(c.span, c.reason.clone());
    } else {
        d.primary.message = c.why.clone();
    }
    d.help(help_for(value))
}

/// A comparison written as text around `<< >>` gets its logic-statement form; anything else
/// the general advice.
fn help_for(value: &Node) -> String {
    // A mapping that is no logic statement: most often a step-level `condition:` copied here.
    if let Some(map) = value.as_map()
        && let Some((key, inner)) = map.first()
        && crate::lang::logic::statement_key(value).is_none()
    {
        let key = key.as_str().unwrap_or("");
        if key == "condition" {
            let inner = inner.scalar_text().unwrap_or("<value>");
            return format!(
                "write the condition itself, without `condition:` (`when: {inner}`): `condition:` belongs to a step-level `when`"
            );
        }
        let ops = ["and", "or", "not", "equal", "matches"];
        return match crate::base::text::did_you_mean(key, ops.iter().copied()) {
            Some(dym) => format!("`{key}` is not a logic statement: {dym}"),
            None => format!(
                "`{key}` is not a logic statement; use one of `and`, `or`, `not`, `equal`, `matches`"
            ),
        };
    }
    if let Some(text) = value.as_str()
        && mustache::has_template(text) {
            for (op, negate) in [("!=", true), ("==", false)] {
                if let Some((l, r)) = text.split_once(op) {
                    let (l, r) = (l.trim(), r.trim());
                    if !l.is_empty() && !r.is_empty() {
                        let eq = format!("equal: [{r}, {l}]");
                        let stmt = if negate {
                            format!("not: {{ {eq} }}")
                        } else {
                            eq
                        };
                        return format!(
                            "a string is not compared: after substitution it is just text, and \
                             non-empty text is true; write the logic statement `{stmt}`"
                        );
                    }
                }
            }
            return "after substitution this is a non-empty string, which is always true; use \
                    the value alone (`<< pipeline.parameters.x >>`) or a logic statement \
                    (`equal`, `matches`, `not`...)"
                .to_string();
        }
    "make the condition read a pipeline parameter or value (`equal: [main, << pipeline.git.branch >>]`), \
     or remove it if the steps or workflow should always run"
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::yaml::test_nodes::{map, s, scalar, seq};
    use crate::yaml::{Document, ScalarKind};

    fn lint(root: &Node) -> Vec<Diagnostic> {
        let doc = Document {
            root: Some(root.clone()),
            ..Document::default()
        };
        let settings = crate::Settings::default();
        crate::analysis::context::with_document("", &doc, "t.yml", &settings, |cx| {
            let mut out = Vec::new();
            check(cx, &mut out);
            out
        })
    }

    fn workflow_config(clause: &str, cond: Node) -> Node {
        let job = s("build");
        let jobs = seq(vec![job]);
        let wf = map(vec![(clause, cond), ("jobs", jobs)]);
        let wfs = map(vec![("main", wf)]);
        let v = s("2.1");
        map(vec![("version", v), ("workflows", wfs)])
    }

    /// The yaml block after a heading of the rule's explanation.
    fn example(heading: &str) -> String {
        let doc = CONSTANT_CONDITION.explanation;
        let after = &doc[doc.find(heading).expect("heading")..];
        let start = after.find("```yaml\n").expect("yaml block") + 8;
        let len = after[start..].find("```").expect("closing fence");
        after[start..start + len].to_string()
    }

    fn lint_text(src: &str) -> Vec<Diagnostic> {
        let doc = crate::yaml::parse(src);
        let root = doc.root.as_ref().expect("a document");
        lint(root)
    }

    #[test]
    fn explanation_examples() {
        let bad = lint_text(&example("## Bad"));
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert!(lint_text(&example("## Good")).is_empty());
    }

    #[test]
    fn parsed_yaml_keeps_exact_spans() {
        let src = "version: 2.1\nworkflows:\n  w:\n    when: << pipeline.parameters.x >> == false\n    jobs: [a]\n  v:\n    unless: [<< pipeline.parameters.x >>, ok]\n    jobs: [a]\n  ok:\n    when: << pipeline.parameters.x >>\n    jobs: [a]\n";
        let out = lint_text(src);
        assert_eq!(out.len(), 2, "{out:?}");
        assert_eq!(
            out[0].span().slice(src),
            "<< pipeline.parameters.x >> == false"
        );
        assert_eq!(out[0].severity, Severity::Info);
        assert_eq!(out[1].span().slice(src), "[<< pipeline.parameters.x >>, ok]");
        assert_eq!(out[1].severity, Severity::Warning);
        assert_eq!(
            out[1].message,
            "`unless` of workflow `v` is always true, so the workflow never runs"
        );
    }

    #[test]
    fn template_inside_an_expression_is_info_with_the_direct_form() {
        for (text, direct) in [
            (
                "<< pipeline.parameters.enable_regtest >> == false",
                "pipeline.parameters.enable_regtest == false",
            ),
            (
                "<< pipeline.parameters.run >> and (pipeline.event.name == \"api\" or pipeline.event.name == \"push\")",
                "pipeline.parameters.run and (pipeline.event.name == \"api\" or pipeline.event.name == \"push\")",
            ),
        ] {
            let root = workflow_config("when", s(text));
            let out = lint(&root);
            assert_eq!(out.len(), 1, "{out:?}");
            let d = &out[0];
            assert_eq!(d.severity, Severity::Info, "{text}");
            let help = d.help.as_deref().unwrap_or("");
            assert!(help.ends_with(&format!("`when: {direct}`")), "{help}");
        }
    }

    #[test]
    fn string_that_is_no_expression_is_always_true() {
        let cond = s("<< pipeline.parameters.a >> || << pipeline.parameters.b >>");
        let root = workflow_config("when", cond);
        let out = lint(&root);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].severity, Severity::Warning);
        assert_eq!(
            out[0].message,
            "`when` of workflow `main` is always true, so the workflow always runs"
        );
    }

    #[test]
    fn literal_booleans_are_deliberate() {
        for (clause, b) in [("unless", true), ("when", false), ("when", true)] {
            let text = if b { "true" } else { "false" };
            let cond = scalar(ScalarKind::Bool(b), text);
            let root = workflow_config(clause, cond);
            assert!(lint(&root).is_empty(), "{clause}: {text}");
        }
    }

    #[test]
    fn parameter_and_expression_conditions_are_fine() {
        for text in [
            "<< pipeline.parameters.run >>",
            "pipeline.git.branch == \"main\"",
            "<< pipeline.git.branch == \"main\" >>",
        ] {
            let cond = s(text);
            let root = workflow_config("when", cond);
            assert!(lint(&root).is_empty(), "{text}");
        }
        let l = s("main");
        let r = s("<< pipeline.git.branch >>");
        let args = seq(vec![l, r]);
        let cond = map(vec![("equal", args)]);
        let root = workflow_config("when", cond);
        assert!(lint(&root).is_empty());
    }

    #[test]
    fn step_conditions() {
        let cond = s("<< parameters.a >> || << parameters.b >>");
        let run = s("echo hi");
        let run_step = map(vec![("run", run)]);
        let steps = seq(vec![run_step]);
        let when = map(vec![("condition", cond), ("steps", steps)]);
        let when_step = map(vec![("when", when)]);
        let job_steps = seq(vec![when_step]);
        let ok_cond = s("<< parameters.flag >>");
        let run2 = s("echo ok");
        let run2_step = map(vec![("run", run2)]);
        let steps2 = seq(vec![run2_step]);
        let unless = map(vec![("condition", ok_cond), ("steps", steps2)]);
        let unless_step = map(vec![("unless", unless)]);
        let job_steps2 = seq(vec![unless_step]);
        let job = map(vec![("steps", job_steps)]);
        let job2 = map(vec![("steps", job_steps2)]);
        let jobs = map(vec![("build", job), ("other", job2)]);
        let v = s("2.1");
        let root = map(vec![("version", v), ("jobs", jobs)]);
        let out = lint(&root);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(
            out[0].message,
            "the `when` condition of a step in job `build` is always true, so its steps always run"
        );
    }
}
