//! CircleCI conditions: logic statements (workflow `when`/`unless`, step `when`/`unless`
//! `condition`) and the expression language (`pipeline.git.branch == "main" and not ...`) that
//! job `filters`, workflow `when`/`unless` and `<< ... >>` templates accept.
//!
//! Logic statements (configuration reference, "Logic statements"): a YAML literal, a pipeline
//! value or parameter (`<< ... >>`), `and`/`or` (N statements), `not` (one), `equal` (N values,
//! true when all are equal), `matches` (`pattern` and `value`; a Java regex that must match the
//! whole value). Falsy: `false`, null, `0`, NaN, `""`, and statements with no arguments;
//! everything else is truthy.
//!
//! Expressions (contexts reference, "Expression restrictions"; configuration reference,
//! expression-based job filters): variables (`pipeline.git.branch`, `pipeline.parameters.x`),
//! integer, double-quoted string (`\"` and `\\` escapes) and boolean literals, `==` `!=`
//! (different types: not equal), `starts-with` (strings only), `>=` `>` `<=` `<` (integers only),
//! `and` `or` (short-circuit, returning an operand), `not`/`!` (binding tightest), parentheses.
//! Precedence from weakest: `or`, `and`, `==`/`!=`, `starts-with`, comparisons, `not`. Only
//! `false` is falsy in an expression.
//!
//! Every evaluation is three-valued ([`Tri`]): a value that the environment does not give, a
//! regex this crate cannot evaluate exactly (look-around...) or a type error gives `Unknown`
//! with the reason, never a guess.
//!
//! How a string `when` is read (the documentation has two readings, logic-statement literal and
//! expression; this is how cilint chooses, the same way for `plan` and for `constant-condition`):
//! 1. exactly one `<< name >>` tag: the value itself, with its type;
//! 2. exactly one `<< expression >>` tag: the expression's value;
//! 3. any other text with `<< >>` tags: a string after substitution (a non-empty one is true);
//! 4. at a workflow `when`/`unless`, text without tags that parses as an expression using an
//!    operator or a `pipeline.` variable: that expression;
//! 5. anything else: a string literal.

mod expr;
mod statement;

pub use expr::*;
pub use statement::*;

/// A three-valued answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    /// Cannot be decided, and why ("`pipeline.parameters.x` has no value", "look-around").
    Unknown(String),
}

impl std::ops::Not for Tri {
    type Output = Tri;

    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            u => u,
        }
    }
}

impl Tri {
    pub fn from_bool(b: bool) -> Tri {
        if b { Tri::Yes } else { Tri::No }
    }

    pub fn known(&self) -> Option<bool> {
        match self {
            Tri::Yes => Some(true),
            Tri::No => Some(false),
            Tri::Unknown(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::mustache::{Env, PipelineValue};
    use crate::yaml::Node;
    use crate::yaml::test_nodes::{b, float as f, int as i, map, null, s, seq};

    fn st(key: &str, arg: Node) -> Node {
        map(vec![(key, arg)])
    }

    fn env() -> Env {
        Env::new()
            .with("pipeline.git.branch", PipelineValue::Str("main".into()))
            .with("pipeline.git.tag", PipelineValue::Str(String::new()))
            .with(
                "pipeline.trigger_source",
                PipelineValue::Str("webhook".into()),
            )
            .with("pipeline.number", PipelineValue::Int(42))
            .with("pipeline.parameters.flag", PipelineValue::Bool(true))
            .with("pipeline.parameters.off", PipelineValue::Bool(false))
            .with("pipeline.parameters.zero", PipelineValue::Int(0))
            .with(
                "pipeline.parameters.empty",
                PipelineValue::Str(String::new()),
            )
            .with("pipeline.parameters.name", PipelineValue::Str("x".into()))
    }

    fn truth(node: &Node) -> Tri {
        evaluate(node, &env(), Site::Workflow).result
    }

    #[test]
    fn truthiness_of_literals() {
        assert_eq!(truth(&b(true)), Tri::Yes);
        assert_eq!(truth(&b(false)), Tri::No);
        assert_eq!(truth(&null()), Tri::No);
        assert_eq!(truth(&i(0)), Tri::No);
        assert_eq!(truth(&i(42)), Tri::Yes);
        assert_eq!(truth(&f(f64::NAN, ".nan")), Tri::No);
        assert_eq!(truth(&f(0.0, "0.0")), Tri::No);
        assert_eq!(truth(&f(1.5, "1.5")), Tri::Yes);
        assert_eq!(truth(&s("")), Tri::No);
        assert_eq!(truth(&s("a string")), Tri::Yes);
        // A string "false" is a non-empty string.
        assert_eq!(evaluate(&s("false"), &env(), Site::Step).result, Tri::Yes);
    }

    #[test]
    fn statements_with_no_arguments_are_false() {
        for key in ["and", "or", "not", "equal"] {
            assert_eq!(truth(&st(key, null())), Tri::No, "{key}");
            assert_eq!(truth(&st(key, seq(vec![]))), Tri::No, "{key}");
        }
    }

    #[test]
    fn parameters_keep_their_type_when_whole() {
        assert_eq!(truth(&s("<< pipeline.parameters.flag >>")), Tri::Yes);
        assert_eq!(truth(&s("<< pipeline.parameters.off >>")), Tri::No);
        assert_eq!(truth(&s("<< pipeline.parameters.zero >>")), Tri::No);
        assert_eq!(truth(&s("<< pipeline.parameters.empty >>")), Tri::No);
        // Inside a larger string it is text: "false == false" is a non-empty string.
        assert_eq!(
            truth(&s("<< pipeline.parameters.off >> == false")),
            Tri::Yes
        );
        assert_eq!(truth(&s("x<< pipeline.parameters.empty >>")), Tri::Yes);
    }

    #[test]
    fn and_or_not() {
        assert_eq!(truth(&st("and", seq(vec![b(true), b(true)]))), Tri::Yes);
        assert_eq!(truth(&st("and", seq(vec![b(true), b(false)]))), Tri::No);
        assert_eq!(truth(&st("or", seq(vec![b(false), i(1)]))), Tri::Yes);
        assert_eq!(truth(&st("or", seq(vec![b(false), s("")]))), Tri::No);
        assert_eq!(truth(&st("not", b(true))), Tri::No);
        assert_eq!(
            truth(&st("not", st("not", s("<< pipeline.parameters.flag >>")))),
            Tri::Yes
        );
        // Unknowns: decided when another argument decides.
        let unk = s("<< pipeline.parameters.nope >>");
        assert_eq!(truth(&st("and", seq(vec![unk.clone(), b(false)]))), Tri::No);
        assert_eq!(truth(&st("or", seq(vec![unk.clone(), b(true)]))), Tri::Yes);
        assert!(matches!(
            truth(&st("and", seq(vec![unk.clone(), b(true)]))),
            Tri::Unknown(_)
        ));
        assert!(matches!(truth(&st("not", unk)), Tri::Unknown(_)));
    }

    #[test]
    fn equal_compares_typed_values() {
        let e = st(
            "equal",
            seq(vec![s("main"), s("<< pipeline.git.branch >>")]),
        );
        assert_eq!(truth(&e), Tri::Yes);
        let e = st("equal", seq(vec![i(42), s("<< pipeline.number >>")]));
        assert_eq!(truth(&e), Tri::Yes);
        let e = st(
            "equal",
            seq(vec![b(false), s("<< pipeline.parameters.off >>")]),
        );
        assert_eq!(truth(&e), Tri::Yes);
        // Types differ: a string "42" is not the integer 42.
        let e = st("equal", seq(vec![s("42"), s("<< pipeline.number >>")]));
        assert_eq!(truth(&e), Tri::No);
        let e = st("equal", seq(vec![s("a"), s("a"), s("b")]));
        assert_eq!(truth(&e), Tri::No);
        let e = st(
            "equal",
            seq(vec![s("a"), s("<< pipeline.parameters.nope >>")]),
        );
        assert!(matches!(truth(&e), Tri::Unknown(_)));
        // Two known values differ: false whatever the unknown one is.
        let e = st(
            "equal",
            seq(vec![s("a"), s("<< pipeline.parameters.nope >>"), s("b")]),
        );
        assert_eq!(truth(&e), Tri::No);
    }

    #[test]
    fn matches_uses_whole_java_regex() {
        let m = |p: &str, v: &str| st("matches", map(vec![("pattern", s(p)), ("value", s(v))]));
        assert_eq!(truth(&m("^feature-.+$", "feature-x")), Tri::Yes);
        assert_eq!(truth(&m("feature", "feature-x")), Tri::No, "whole match");
        assert_eq!(truth(&m("ma.*", "<< pipeline.git.branch >>")), Tri::Yes);
        assert!(matches!(truth(&m("(?!main).*", "dev")), Tri::Unknown(_)));
        assert!(matches!(truth(&m("(a)\\1", "aa")), Tri::Unknown(_)));
        let missing = st("matches", map(vec![("pattern", s("x"))]));
        assert!(matches!(truth(&missing), Tri::Unknown(_)));
    }

    #[test]
    fn explanation_names_the_deciding_statement_and_values() {
        let e = st(
            "equal",
            seq(vec![
                s("scheduled_pipeline"),
                s("<< pipeline.trigger_source >>"),
            ]),
        );
        let ev = evaluate(&e, &env(), Site::Workflow);
        assert_eq!(ev.result, Tri::No);
        assert_eq!(
            ev.explain(),
            "`equal: [scheduled_pipeline, << pipeline.trigger_source >>]` is false (`scheduled_pipeline` is not `webhook`) (pipeline.trigger_source is `webhook`)"
        );
        let and = st(
            "and",
            seq(vec![
                b(true),
                st("not", s("<< pipeline.parameters.flag >>")),
            ]),
        );
        let ev = evaluate(&and, &env(), Site::Workflow);
        assert_eq!(ev.result, Tri::No);
        assert_eq!(ev.statement, "not: << pipeline.parameters.flag >>");
        assert!(ev.explain().contains("pipeline.parameters.flag is `true`"));
        let unk = evaluate(&s("<< pipeline.parameters.nope >>"), &env(), Site::Workflow);
        assert!(unk.explain().contains("cannot be decided"));
    }

    #[test]
    fn workflow_strings_may_be_expressions() {
        assert_eq!(truth(&s("pipeline.git.branch == \"main\"")), Tri::Yes);
        assert_eq!(truth(&s("pipeline.git.branch == \"dev\"")), Tri::No);
        assert_eq!(
            truth(&s(
                "pipeline.git.branch == \"main\" and not pipeline.parameters.flag"
            )),
            Tri::No
        );
        assert_eq!(truth(&s("<< pipeline.git.branch == \"main\" >>")), Tri::Yes);
        // At a step it is a string literal.
        assert_eq!(
            evaluate(&s("pipeline.git.branch == \"dev\""), &env(), Site::Step).result,
            Tri::Yes
        );
        // A plain word is a literal, not a variable.
        assert_eq!(truth(&s("main")), Tri::Yes);
    }

    #[test]
    fn expression_language() {
        let ev = |src: &str| eval_expression_text(src, &env());
        use PipelineValue as V;
        assert_eq!(
            ev("pipeline.git.branch starts-with \"ma\""),
            Ok(V::Bool(true))
        );
        assert_eq!(
            ev("pipeline.number >= 40 and pipeline.number < 43"),
            Ok(V::Bool(true))
        );
        assert_eq!(ev("pipeline.number == \"42\""), Ok(V::Bool(false)));
        assert_eq!(ev("pipeline.number != \"42\""), Ok(V::Bool(true)));
        assert_eq!(ev("not true and false"), Ok(V::Bool(false)));
        assert_eq!(ev("not (true and false)"), Ok(V::Bool(true)));
        assert_eq!(ev("! false"), Ok(V::Bool(true)));
        assert_eq!(
            ev("pipeline.git.branch == \"main\" and 10 or 1"),
            Ok(V::Int(10))
        );
        assert_eq!(
            ev("\"a \\\"q\\\" \\\\\" == \"a \\\"q\\\" \\\\\""),
            Ok(V::Bool(true))
        );
        // `and` binds tighter than `or`; comparisons tighter than `==`.
        assert_eq!(ev("true or false and false"), Ok(V::Bool(true)));
        assert_eq!(ev("1 < 2 == true"), Ok(V::Bool(true)));
        assert!(ev("pipeline.number starts-with \"4\"").is_err());
        assert!(ev("pipeline.git.branch > 1").is_err());
        assert!(ev("pipeline.nope == 1").is_err());
        // Unknown on one side of `and`/`or` is decided by the other.
        assert_eq!(ev("pipeline.nope == 1 and false"), Ok(V::Bool(false)));
        assert_eq!(ev("pipeline.nope == 1 or true"), Ok(V::Bool(true)));
        assert!(parse_expression("a ==").is_err());
        assert!(parse_expression("(a == b").is_err());
        assert!(parse_expression("a b").is_err());
        assert!(parse_expression("\"open").is_err());
        assert!(parse_expression("").is_err());
        assert_eq!(
            expression_variables("pipeline.git.branch == \"x\" or pipeline.parameters.run-it"),
            vec![
                ("pipeline.git.branch".to_string(), 0),
                ("pipeline.parameters.run-it".to_string(), 30)
            ]
        );
    }

    #[test]
    fn render_round_trips_an_expression() {
        let e = parse_expression("a == \"x\" and not (b or c)").unwrap();
        assert_eq!(e.render(), "a == \"x\" and not (b or c)");
    }

    #[test]
    fn constant_conditions() {
        // The secretflow/scql mistake: a comparison written as a string.
        let c = constant_condition(&s("<< pipeline.parameters.x >> == false"), Site::Workflow)
            .expect("constant");
        assert!(c.value);
        assert!(c.reason.contains("non-empty string"), "{}", c.reason);
        assert!(constant_condition(&b(true), Site::Workflow).is_some());
        assert_eq!(
            constant_condition(&b(false), Site::Workflow).map(|c| c.value),
            Some(false)
        );
        assert!(constant_condition(&s("some text"), Site::Step).is_some());
        let eq = st("equal", seq(vec![s("a"), s("a")]));
        assert_eq!(
            constant_condition(&eq, Site::Workflow).map(|c| c.value),
            Some(true)
        );
        let or = st(
            "or",
            seq(vec![s("<< pipeline.parameters.flag >>"), b(true)]),
        );
        assert!(constant_condition(&or, Site::Workflow).is_some());
        assert!(constant_condition(&st("not", b(false)), Site::Step).is_some());
        assert!(constant_condition(&st("and", null()), Site::Step).is_some());
        // Not constant: these change with the pipeline.
        for node in [
            s("<< pipeline.parameters.flag >>"),
            s("<< pipeline.git.branch == \"main\" >>"),
            s("pipeline.git.branch == \"main\""),
            st(
                "equal",
                seq(vec![s("main"), s("<< pipeline.git.branch >>")]),
            ),
            st("not", s("<< pipeline.parameters.flag >>")),
            st(
                "matches",
                map(vec![
                    ("pattern", s("v.*")),
                    ("value", s("<< pipeline.git.tag >>")),
                ]),
            ),
            st(
                "and",
                seq(vec![b(true), s("<< pipeline.parameters.flag >>")]),
            ),
        ] {
            assert!(
                constant_condition(&node, Site::Workflow).is_none(),
                "{}",
                render(&node)
            );
        }
    }

    #[test]
    fn tri_helpers() {
        assert_eq!(!Tri::from_bool(true), Tri::No);
        assert_eq!(!Tri::Unknown("x".into()), Tri::Unknown("x".into()));
        assert_eq!(Tri::No.known(), Some(false));
    }
}
