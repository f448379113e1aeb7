//! Logic statements (`and`, `or`, `not`, `equal`, `matches`, literals and `<< >>` values):
//! evaluation, constant conditions, rendering.

use super::*;
use crate::base::span::Span;
use crate::lang::filters::compile_java_regex;
use crate::lang::mustache::{self, Env, PipelineValue};
use crate::yaml::{Node, ScalarKind, Value};

/// Where a condition is written: the expression reading of plain strings applies to workflow
/// `when`/`unless` only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Site {
    Workflow,
    Step,
}

/// A value in a logic statement.
#[derive(Clone, Debug, PartialEq)]
enum LVal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A list or mapping used as a value.
    Other(String),
}

impl LVal {
    fn truthy(&self) -> bool {
        match self {
            LVal::Null => false,
            LVal::Bool(b) => *b,
            LVal::Int(i) => *i != 0,
            LVal::Float(f) => *f != 0.0 && !f.is_nan(),
            LVal::Str(s) => !s.is_empty(),
            LVal::Other(_) => true,
        }
    }

    fn from_pipeline(v: &PipelineValue) -> LVal {
        match v {
            PipelineValue::Null => LVal::Null,
            PipelineValue::Bool(b) => LVal::Bool(*b),
            PipelineValue::Int(i) => LVal::Int(*i),
            PipelineValue::Str(s) => LVal::Str(s.clone()),
        }
    }

    fn describe(&self) -> String {
        match self {
            LVal::Null => "null".into(),
            LVal::Bool(b) => format!("`{b}`"),
            LVal::Int(i) => format!("`{i}`"),
            LVal::Float(f) => format!("`{f}`"),
            LVal::Str(s) if s.is_empty() => "the empty string".into(),
            LVal::Str(s) => format!("`{s}`"),
            LVal::Other(t) => t.clone(),
        }
    }
}

/// A value that could not be known; its truthiness may still be known (a string with text
/// around an unknown `<< >>` is non-empty whatever the value).
#[derive(Clone, Debug)]
struct Unknown {
    reason: String,
    truthy: Option<bool>,
}

/// The outcome of evaluating a condition, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub result: Tri,
    /// The sub-statement that decided the result (the whole condition when all parts mattered).
    pub decided_by: Span,
    /// That sub-statement, rendered (`equal: [main, << pipeline.git.branch >>]`).
    pub statement: String,
    /// What made it so, in words, without the statement: "is false", "is a non-empty string
    /// after substitution, so always true", "cannot be decided: ...".
    pub why: String,
    /// Every pipeline value or parameter read along the way, in order.
    pub seen: Vec<(String, PipelineValue)>,
}

impl Evaluation {
    /// One sentence: "`equal: [scheduled_pipeline, << pipeline.trigger_source >>]` is false
    /// (pipeline.trigger_source is `webhook`)".
    pub fn explain(&self) -> String {
        let mut s = format!("`{}` {}", self.statement, self.why);
        if !self.seen.is_empty() {
            let vals: Vec<String> = self
                .seen
                .iter()
                .map(|(k, v)| format!("{k} is {}", v.describe()))
                .collect();
            s.push_str(&format!(" ({})", vals.join(", ")));
        }
        s
    }
}

struct Eval<'e> {
    env: &'e Env,
    seen: Vec<(String, PipelineValue)>,
}

/// The result of one sub-statement: its truth and who decided it.
struct Step {
    truth: Result<bool, Unknown>,
    span: Span,
    statement: String,
    why: String,
}

const STATEMENT_KEYS: &[&str] = &["and", "or", "not", "equal", "matches"];

/// The single key of a logic statement mapping, if it is one.
pub fn statement_key(node: &Node) -> Option<(&str, &Node)> {
    let map = node.as_map()?;
    if map.len() != 1 {
        return None;
    }
    let (k, v) = &map[0];
    let key = k.scalar_text()?;
    STATEMENT_KEYS.contains(&key).then_some((key, v))
}

impl Eval<'_> {
    fn record(&mut self, name: &str, v: &PipelineValue) {
        if !self.seen.iter().any(|(k, _)| k == name) {
            self.seen.push((name.to_string(), v.clone()));
        }
    }

    /// The value of a scalar (or other node) in value position.
    fn value(&mut self, node: &Node) -> Result<LVal, Unknown> {
        let scalar = match &node.value {
            Value::Scalar(s) => s,
            _ => return Ok(LVal::Other(render(node))),
        };
        match scalar.kind {
            ScalarKind::Null => Ok(LVal::Null),
            ScalarKind::Bool(b) => Ok(LVal::Bool(b)),
            ScalarKind::Int(i) => Ok(LVal::Int(i)),
            ScalarKind::Float(f) => Ok(LVal::Float(f)),
            ScalarKind::Str => self.string_value(&scalar.text),
        }
    }

    fn string_value(&mut self, text: &str) -> Result<LVal, Unknown> {
        if let Some(r) = mustache::whole_reference(text) {
            return match self.env.get(&r.full_name) {
                Some(v) => {
                    let v = v.clone();
                    self.record(&r.full_name, &v);
                    Ok(LVal::from_pipeline(&v))
                }
                None => Err(Unknown {
                    reason: format!("`{}` has no value here", r.full_name),
                    truthy: None,
                }),
            };
        }
        if let Some(inner) = mustache::whole_expression(text) {
            let e = parse_expression(inner).map_err(|e| Unknown {
                reason: format!(
                    "`<<{inner}>>` is not an expression cilint reads: {}",
                    e.message
                ),
                truthy: None,
            })?;
            return e
                .eval(self.env, &mut self.seen)
                .map(|v| LVal::from_pipeline(&v))
                .map_err(|reason| Unknown {
                    reason,
                    truthy: None,
                });
        }
        if mustache::has_template(text) {
            let sub = mustache::substitute_checked(text, self.env);
            for r in mustache::references(text) {
                if let Some(v) = self.env.get(&r.full_name) {
                    let v = v.clone();
                    self.record(&r.full_name, &v);
                }
            }
            if sub.missing.is_empty() {
                return Ok(LVal::Str(sub.text));
            }
            // Text around the unknown tags decides whether the result can be empty.
            let mut literal = text.to_string();
            for r in mustache::references(text).iter().rev() {
                literal.replace_range(r.span.range(), "");
            }
            let nonempty = !literal.is_empty();
            return Err(Unknown {
                reason: format!("`{}` has no value here", sub.missing.join("`, `")),
                truthy: nonempty.then_some(true),
            });
        }
        Ok(LVal::Str(text.to_string()))
    }

    /// Truth of a node in statement position.
    fn truth(&mut self, node: &Node, site: Site, top: bool) -> Step {
        let span = node.use_span();
        let statement = render(node);
        if let Some((key, arg)) = statement_key(node) {
            return self.statement(key, arg, span, statement, site);
        }
        if node.as_map().is_some() {
            // CircleCI does not reject such a mapping (`condition: ...`, a misspelt `equals`):
            // it takes it as a value, and any mapping is true.
            return Step {
                truth: Ok(true),
                span,
                statement,
                why: "it is a mapping but not a logic statement (`and`, `or`, `not`, `equal`, `matches`), which CircleCI takes as always true".into(),
            };
        }
        // A plain string at a workflow `when`: maybe an expression.
        if top
            && site == Site::Workflow
            && let Some(text) = node.as_str()
            && !mustache::has_template(text)
            && let Ok(e) = parse_expression(text)
            && e.uses_operator_or_pipeline()
        {
            let mut seen = Vec::new();
            let t = match e.eval(self.env, &mut seen) {
                Ok(v) => Ok(expr_truthy(&v)),
                Err(reason) => Err(Unknown {
                    reason,
                    truthy: None,
                }),
            };
            for (k, v) in seen {
                self.record(&k, &v);
            }
            return Step {
                truth: t,
                span,
                statement,
                why: "(an expression)".into(),
            };
        }
        let is_partial_template = node.as_str().is_some_and(|t| {
            mustache::has_template(t)
                && mustache::whole_reference(t).is_none()
                && mustache::whole_expression(t).is_none()
        });
        match self.value(node) {
            Ok(v) => {
                let t = v.truthy();
                let why = if is_partial_template {
                    format!(
                        "is {} string after substitution",
                        if t { "a non-empty" } else { "an empty" }
                    )
                } else {
                    format!("is {} value", if t { "a truthy" } else { "a falsy" })
                };
                Step {
                    truth: Ok(t),
                    span,
                    statement,
                    why,
                }
            }
            Err(u) => match u.truthy {
                Some(t) => Step {
                    truth: Ok(t),
                    span,
                    statement,
                    why: "is a non-empty string after substitution whatever the values, so always true".into(),
                },
                None => Step {
                    truth: Err(u),
                    span,
                    statement,
                    why: String::new(),
                },
            },
        }
    }

    fn statement(
        &mut self,
        key: &str,
        arg: &Node,
        span: Span,
        statement: String,
        site: Site,
    ) -> Step {
        let no_args = arg.is_null() || arg.as_seq().is_some_and(|s| s.is_empty());
        if no_args {
            return Step {
                truth: Ok(false),
                span,
                statement,
                why: "has no arguments, so it is false".into(),
            };
        }
        match key {
            "and" | "or" => {
                let want = key == "or"; // the value that decides early
                let items: Vec<&Node> = match arg.as_seq() {
                    Some(s) => s.iter().collect(),
                    None => vec![arg],
                };
                let mut unknown: Option<Step> = None;
                for item in items {
                    let step = self.truth(item, site, false);
                    match &step.truth {
                        Ok(t) if *t == want => {
                            return Step {
                                why: format!("is {want}, so `{key}` is {want}"),
                                ..step
                            };
                        }
                        Ok(_) => {}
                        Err(_) => {
                            if unknown.is_none() {
                                unknown = Some(step);
                            }
                        }
                    }
                }
                match unknown {
                    Some(u) => u,
                    None => Step {
                        truth: Ok(!want),
                        span,
                        statement,
                        why: format!("is {}", !want),
                    },
                }
            }
            "not" => {
                let inner = self.truth(arg, site, false);
                match inner.truth {
                    Ok(t) => Step {
                        truth: Ok(!t),
                        span,
                        statement,
                        why: format!("is {}", !t),
                    },
                    Err(_) => inner,
                }
            }
            "equal" => {
                let items: Vec<&Node> = match arg.as_seq() {
                    Some(s) => s.iter().collect(),
                    None => vec![arg],
                };
                let mut known: Vec<LVal> = Vec::new();
                let mut first_unknown: Option<Unknown> = None;
                for item in items {
                    match self.value(item) {
                        Ok(v) => known.push(v),
                        Err(u) => {
                            if first_unknown.is_none() {
                                first_unknown = Some(u);
                            }
                        }
                    }
                }
                if let Some(w) = known.windows(2).find(|w| !lval_eq(&w[0], &w[1])) {
                    return Step {
                        truth: Ok(false),
                        span,
                        statement,
                        why: format!("is false ({} is not {})", w[0].describe(), w[1].describe()),
                    };
                }
                match first_unknown {
                    Some(u) => Step {
                        truth: Err(u),
                        span,
                        statement,
                        why: String::new(),
                    },
                    None => Step {
                        truth: Ok(true),
                        span,
                        statement,
                        why: "is true".into(),
                    },
                }
            }
            "matches" => {
                let (Some(pat), Some(val)) = (arg.get("pattern"), arg.get("value")) else {
                    return Step {
                        truth: Err(Unknown {
                            reason: "`matches` needs `pattern` and `value`".into(),
                            truthy: None,
                        }),
                        span,
                        statement,
                        why: String::new(),
                    };
                };
                let pattern = match self.value(pat) {
                    Ok(LVal::Str(p)) => p,
                    Ok(other) => {
                        return Step {
                            truth: Err(Unknown {
                                reason: format!(
                                    "the pattern is {}, not a string",
                                    other.describe()
                                ),
                                truthy: None,
                            }),
                            span,
                            statement,
                            why: String::new(),
                        };
                    }
                    Err(u) => {
                        return Step {
                            truth: Err(u),
                            span,
                            statement,
                            why: String::new(),
                        };
                    }
                };
                let value = match self.value(val) {
                    Ok(LVal::Str(s)) => s,
                    Ok(LVal::Int(i)) => i.to_string(),
                    Ok(LVal::Bool(b)) => b.to_string(),
                    Ok(other) => {
                        return Step {
                            truth: Err(Unknown {
                                reason: format!("the value is {}, not a string", other.describe()),
                                truthy: None,
                            }),
                            span,
                            statement,
                            why: String::new(),
                        };
                    }
                    Err(u) => {
                        return Step {
                            truth: Err(u),
                            span,
                            statement,
                            why: String::new(),
                        };
                    }
                };
                match compile_java_regex(&pattern) {
                    Ok(re) => {
                        let m = re.is_match(&value);
                        Step {
                            truth: Ok(m),
                            span,
                            statement,
                            why: format!(
                                "is {m} (`{value}` {} the whole pattern)",
                                if m { "matches" } else { "does not match" }
                            ),
                        }
                    }
                    Err(reason) => Step {
                        truth: Err(Unknown {
                            reason,
                            truthy: None,
                        }),
                        span,
                        statement,
                        why: String::new(),
                    },
                }
            }
            _ => unreachable_statement(span, statement),
        }
    }
}

fn unreachable_statement(span: Span, statement: String) -> Step {
    Step {
        truth: Err(Unknown {
            reason: "not a logic statement".into(),
            truthy: None,
        }),
        span,
        statement,
        why: String::new(),
    }
}

fn lval_eq(a: &LVal, b: &LVal) -> bool {
    match (a, b) {
        (LVal::Float(x), LVal::Float(y)) => x == y,
        _ => a == b,
    }
}

/// Evaluate a condition (the value of `when`, `unless` or a step's `condition`) in `env`.
/// For `unless`, negate the result yourself (the explanation stays about the statement).
pub fn evaluate(node: &Node, env: &Env, site: Site) -> Evaluation {
    let mut ev = Eval {
        env,
        seen: Vec::new(),
    };
    let step = ev.truth(node, site, true);
    let (result, why) = match step.truth {
        Ok(t) => {
            let why = if step.why.is_empty() || step.why == "(an expression)" {
                format!("is {t}")
            } else {
                step.why
            };
            (Tri::from_bool(t), why)
        }
        Err(u) => (
            Tri::Unknown(u.reason.clone()),
            format!("cannot be decided: {}", u.reason),
        ),
    };
    Evaluation {
        result,
        decided_by: step.span,
        statement: step.statement,
        why,
        seen: ev.seen,
    }
}

/// A condition whose value can never change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstantCondition {
    /// What it always is.
    pub value: bool,
    /// The part that makes it so.
    pub span: Span,
    /// Why, in words: "`<< pipeline.parameters.x >> == false` is a non-empty string after
    /// substitution whatever the values, so always true".
    pub reason: String,
    /// The same without the statement: "is a non-empty string after substitution whatever the
    /// values, so always true".
    pub why: String,
}

/// If `node` (a `when`/`unless`/`condition` value) evaluates to the same truth whatever every
/// pipeline value and parameter is, say so. A bare `<< pipeline.parameters.flag >>` is not
/// constant; `"<< pipeline.parameters.x >> == false"` (a non-empty string after substitution),
/// a literal `true`, `equal: [a, a]` are.
pub fn constant_condition(node: &Node, site: Site) -> Option<ConstantCondition> {
    let ev = evaluate(node, &Env::new(), site);
    let value = ev.result.known()?;
    Some(ConstantCondition {
        value,
        span: ev.decided_by,
        reason: format!("`{}` {}", ev.statement, ev.why),
        why: ev.why,
    })
}

/// A workflow `when`/`unless` string that mixes `<< >>` tags with expression text around them
/// (`<< pipeline.parameters.x >> == false`, `<< pipeline.parameters.run >> and (pipeline.event.name
/// == "push")`): the same condition written as one direct expression, when it reads as one
/// with an operator. `None` for a single tag, plain text or text that is no expression.
pub fn mixed_template_expression(text: &str) -> Option<String> {
    if mustache::whole_reference(text).is_some() || mustache::whole_expression(text).is_some() {
        return None;
    }
    let direct = mustache::unwrap_tags(text)?;
    let e = parse_expression(&direct).ok()?;
    matches!(e, Expr::Bin(..) | Expr::Not(_)).then(|| direct.trim().to_string())
}

/// A compact one-line rendering of a logic statement or value.
pub fn render(node: &Node) -> String {
    fn inner(node: &Node, top: bool, budget: &mut usize) -> String {
        if *budget == 0 {
            return "...".into();
        }
        *budget -= 1;
        match &node.value {
            Value::Scalar(s) => {
                let t: &str = &s.text;
                let t = if t.chars().count() > 80 {
                    let cut: String = t.chars().take(77).collect();
                    format!("{cut}...")
                } else {
                    t.to_string()
                };
                if s.kind == ScalarKind::Str
                    && (t.is_empty() || t.contains(", ") || t.contains(']'))
                {
                    format!("{t:?}")
                } else {
                    t.replace('\n', " ")
                }
            }
            Value::Seq(items) => {
                let parts: Vec<String> = items.iter().map(|i| inner(i, false, budget)).collect();
                format!("[{}]", parts.join(", "))
            }
            Value::Map(entries) => {
                let parts: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{}: {}",
                            k.scalar_text().unwrap_or("?"),
                            inner(v, false, budget)
                        )
                    })
                    .collect();
                if top && entries.len() == 1 {
                    parts.join("")
                } else {
                    format!("{{{}}}", parts.join(", "))
                }
            }
        }
    }
    let mut budget = 64;
    inner(node, true, &mut budget)
}
