//! Parameters: binding a call's arguments (or the defaults) to what the callee declares,
//! checking their types as CircleCI does, and substituting `<< ... >>` in a member's body.
//!
//! A value that is exactly one `<< parameters.x >>` becomes the value itself, with its type
//! (an integer stays an integer, a `steps` parameter is a list of steps); inside a longer
//! string the value is written as text (`true`, `3`, `1.5`). Sections (`<<# parameters.b >>`)
//! keep their text when the value is truthy. `\<<` is a literal `<<` (written `<<` in the output
//! [U]). A `<< >>` in a mapping key is substituted like a value [U]. A `<< ... >>` that names
//! no parameter in scope, or an unknown pipeline value, is rejected; one that is not a
//! reference at all (`<<EOF >>` in a heredoc) is left as written.

use super::{ExpandProblem, Expander, Scope, data_of, float_text};
use crate::base::diagnostic::Finding;
use crate::base::span::Span;
use crate::config::model::{ParamDecl, ParamType, bool_word, is_env_var_name, same_enum_value};
use crate::config::orbs::MemberKind;
use crate::lang::mustache::{self, Env, PipelineValue, RefForm, RefKind};
use crate::yaml::{Data, Node, ScalarKind, Value};

/// A parameter's value.
#[derive(Clone, Debug)]
pub enum Bound<'m> {
    Value(Data),
    /// A `steps` parameter: its steps, expanded where they were written.
    Steps(Vec<Data>),
    /// An `executor` parameter: the reference, and the scope it names an executor in.
    Executor(Data, Scope<'m>),
}

impl Bound<'_> {
    pub fn data(&self) -> Data {
        match self {
            Bound::Value(d) | Bound::Executor(d, _) => d.clone(),
            Bound::Steps(s) => Data::Seq(s.clone()),
        }
    }

    /// The value as a pipeline value (what a `<< >>` inside a longer string writes).
    fn pipeline_value(&self) -> PipelineValue {
        match self.data() {
            Data::Null => PipelineValue::Null,
            Data::Bool(b) => PipelineValue::Bool(b),
            Data::Int(i) => PipelineValue::Int(i),
            Data::Float(f) => PipelineValue::Str(float_text(f)),
            Data::Str(s) | Data::Timestamp(s) => PipelineValue::Str(s),
            other => PipelineValue::Str(other.flow(float_text)),
        }
    }
}

/// What a member is expanded with: where its names are looked up, its parameters, the values
/// `<< >>` reads.
#[derive(Clone, Debug)]
pub struct Frame<'m> {
    pub scope: Scope<'m>,
    pub params: Vec<(String, Bound<'m>)>,
    pub env: Env,
    /// The call in the config that findings about this member point at when its nodes are in
    /// another text (a cached orb).
    pub site: Span,
    /// "job `build`", "command `node/install`": for messages.
    pub what: String,
}

impl<'m> Frame<'m> {
    pub fn param(&self, name: &str) -> Option<&Bound<'m>> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, b)| b)
    }
}

/// An argument of a call.
#[derive(Clone, Debug)]
pub enum ArgSrc<'m> {
    /// Written in the caller: substituted in the caller's frame.
    Node { key: &'m Node, value: &'m Node },
    /// Already data (a matrix value, an argument of an executor reference given as a value).
    Data {
        name: String,
        value: Data,
        span: Span,
    },
}

impl ArgSrc<'_> {
    fn name(&self) -> &str {
        match self {
            ArgSrc::Node { key, .. } => key.scalar_text().unwrap_or_default(),
            ArgSrc::Data { name, .. } => name,
        }
    }
}

/// A call of a job, command or executor.
pub struct Call<'c> {
    pub kind: MemberKind,
    /// "job `build`".
    pub what: &'c str,
    /// Where a missing argument is reported.
    pub span: Span,
}

impl<'m> Expander<'_, 'm> {
    /// Where a finding about `node` (in `frame`'s scope) points: the node, or the part of it
    /// `inner` (offsets in its text); for a node in another text, the frame's call site.
    pub fn at(&self, node: &Node, inner: Option<Span>, frame: &Frame<'m>) -> Span {
        if frame.scope.foreign {
            return frame.site;
        }
        match inner {
            Some(s) => mustache::source_span(self.source, node, s),
            None => node.use_span(),
        }
    }

    /// The values `<< >>` reads in a member bound with `params`, in `scope`.
    pub fn env_for(&self, scope: Scope<'m>, params: &[(String, Bound<'m>)]) -> Env {
        let mut env = self.base_env(scope);
        for (n, b) in params {
            env.set(format!("parameters.{n}"), b.pipeline_value());
        }
        env
    }

    /// The data of `node` with every `<< >>` substituted in `frame`.
    pub fn subst(&mut self, node: &'m Node, frame: &Frame<'m>) -> Data {
        match &node.value {
            Value::Scalar(s) if s.kind == ScalarKind::Str && s.text.contains("<<") => {
                self.subst_text(node, frame)
            }
            Value::Scalar(_) => Data::from_node(node),
            Value::Seq(items) => Data::Seq(items.iter().map(|i| self.subst(i, frame)).collect()),
            Value::Map(entries) => Data::Map(
                entries
                    .iter()
                    .map(|(k, v)| {
                        let key = match k.as_str() {
                            Some(t) if t.contains("<<") => self.subst_text(k, frame),
                            _ => Data::from_node(k),
                        };
                        (key, self.subst(v, frame))
                    })
                    .collect(),
            ),
        }
    }

    /// A string scalar with `<< >>` in it.
    fn subst_text(&mut self, node: &'m Node, frame: &Frame<'m>) -> Data {
        let text = node.as_str().unwrap_or_default();
        // An expression (`<< pipeline.git.branch == "main" and 1 or 2 >>`) is computed only
        // from known values: one it cannot read offline stops the expansion (its value, not
        // just its truth, would be a guess).
        for r in mustache::references(text) {
            if r.in_expression && frame.env.get(&r.full_name).is_none() {
                if mustache::is_builtin_pipeline_value(&r.full_name) {
                    let at = self.at(node, Some(r.span), frame);
                    self.stuck(
                        at,
                        format!(
                            "an expression in {} reads `{}`, which is not known offline",
                            frame.what, r.full_name
                        ),
                    );
                } else {
                    self.unknown_reference(&r.full_name, node, Some(r.span), frame);
                }
                return Data::str(text);
            }
        }
        if let Some(r) = mustache::whole_reference(text) {
            match r.kind {
                RefKind::Parameter => {
                    if let Some(b) = frame.param(&r.name) {
                        return b.data();
                    }
                }
                RefKind::PipelineParameter | RefKind::PipelineValue | RefKind::Matrix => {
                    if let Some(v) = frame.env.get(&r.full_name) {
                        if r.kind == RefKind::PipelineParameter
                            && let Some(d) = self.pipeline_default(&r.name)
                        {
                            return d;
                        }
                        return data_of(v);
                    }
                }
                RefKind::Other => return Data::str(text),
            }
            self.unknown_reference(&r.full_name, node, Some(r.span), frame);
            return Data::str(text);
        }
        if let Some(inner) = mustache::whole_expression(text)
            && let Ok(v) = crate::lang::logic::eval_expression_text(inner, &frame.env)
        {
            return data_of(&v);
        }
        let sub = mustache::substitute_checked(text, &frame.env);
        for name in &sub.missing {
            let span = mustache::references(text)
                .into_iter()
                .find(|r| &r.full_name == name)
                .map(|r| r.span);
            self.unknown_reference(name, node, span, frame);
        }
        Data::Str(sub.text)
    }

    /// A `<< name >>` that `frame` has no value for: rejected when it names a parameter, a
    /// pipeline parameter or an unknown pipeline value; left as written otherwise.
    fn unknown_reference(
        &mut self,
        name: &str,
        node: &Node,
        inner: Option<Span>,
        frame: &Frame<'m>,
    ) {
        if !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        {
            // An expression that reads a value not known offline: left as written.
            return;
        }
        let at = self.at(node, inner, frame);
        let what = &frame.what;
        let (problem, message, help) = if let Some(p) = name.strip_prefix("parameters.") {
            (
                ExpandProblem::UndefinedParameter,
                format!("{what} uses `<< parameters.{p} >>` but has no parameter `{p}`"),
                format!("declare `{p}` under the `parameters:` of {what}, or remove the reference"),
            )
        } else if let Some(p) = name.strip_prefix("pipeline.parameters.") {
            if frame.scope.orb.is_some() {
                (
                    ExpandProblem::UndefinedParameter,
                    format!("{what} is in an orb, which cannot use `<< pipeline.parameters.{p} >>`"),
                    "take the value as a parameter of the orb's job or command, and pass the pipeline parameter to it".to_string(),
                )
            } else if self.unset.iter().any(|u| u == p) {
                (
                    ExpandProblem::MissingArgument,
                    format!("pipeline parameter `{p}` has no default and no value was given"),
                    format!("pass `--param {p}=VALUE`, or give the parameter a `default:`"),
                )
            } else {
                (
                    ExpandProblem::UndefinedParameter,
                    format!("`<< pipeline.parameters.{p} >>` names no declared pipeline parameter"),
                    format!("declare `{p}` under the top-level `parameters:`"),
                )
            }
        } else if name.starts_with("pipeline.") {
            if mustache::is_builtin_pipeline_value(name) {
                // Not known offline: left as written.
                return;
            }
            (
                ExpandProblem::UnknownPipelineValue,
                format!("`<< {name} >>` is not one of CircleCI's pipeline values"),
                "see CircleCI's pipeline values reference for the names".to_string(),
            )
        } else if let Some(m) = name.strip_prefix("matrix.") {
            (
                ExpandProblem::UndefinedParameter,
                format!(
                    "`<< matrix.{m} >>` is used outside the workflow job entry of a matrix with parameter `{m}`"
                ),
                format!(
                    "use `<< parameters.{m} >>` inside the job, which the matrix passes its values to"
                ),
            )
        } else {
            return;
        };
        self.find(
            Finding::new(problem, at, message)
                .label("no value for this")
                .help(help),
        );
    }

    /// Bind the arguments of a call to the parameters `decls` of a member of `callee`:
    /// arguments written in `caller`, else defaults (written in the callee).
    pub fn bind(
        &mut self,
        decls: &'m [ParamDecl<'m>],
        args: Vec<ArgSrc<'m>>,
        caller: &Frame<'m>,
        callee: Scope<'m>,
        call: &Call<'_>,
    ) -> Vec<(String, Bound<'m>)> {
        for a in &args {
            if decls.iter().any(|d| d.name.text == a.name()) {
                continue;
            }
            let at = match a {
                ArgSrc::Node { key, .. } => self.at(key, None, caller),
                ArgSrc::Data { span, .. } => *span,
            };
            let declared: Vec<String> = decls.iter().map(|d| format!("`{}`", d.name)).collect();
            self.find(
                Finding::new(
                    ExpandProblem::UnknownArgument,
                    at,
                    format!("`{}` is not a parameter of {}", a.name(), call.what),
                )
                .label(format!("{} declares no `{}`", call.kind.as_str(), a.name()))
                .help(if declared.is_empty() {
                    format!(
                        "{} declares no parameters: remove `{}`",
                        call.what,
                        a.name()
                    )
                } else {
                    format!("its parameters are {}", declared.join(", "))
                }),
            );
        }
        // Defaults are written in the callee and see only the pipeline (made when one is
        // needed).
        let mut defaults: Option<Frame<'m>> = None;
        let mut bound = Vec::new();
        let mut missing = Vec::new();
        for decl in decls {
            let arg = args.iter().find(|a| a.name() == decl.name.text);
            let value = match arg {
                Some(ArgSrc::Node { value, .. }) => self.argument(decl, value, caller, call.what),
                Some(ArgSrc::Data { value, span, .. }) => {
                    let b = match decl.ty {
                        Some(ParamType::Steps) => match value {
                            Data::Seq(s) => Bound::Steps(s.clone()),
                            _ => Bound::Steps(Vec::new()),
                        },
                        Some(ParamType::Executor) => Bound::Executor(value.clone(), caller.scope),
                        _ => Bound::Value(value.clone()),
                    };
                    self.typed(decl, b, *span, call.what)
                }
                None => match decl.default {
                    Some(d) => {
                        if defaults.is_none() {
                            defaults = Some(Frame {
                                scope: callee,
                                params: Vec::new(),
                                env: self.base_env(callee),
                                site: if callee.foreign {
                                    call.span
                                } else {
                                    caller.site
                                },
                                what: call.what.to_string(),
                            });
                        }
                        let frame = defaults.as_ref().expect("made just above");
                        self.argument(decl, d, frame, call.what)
                    }
                    None => {
                        // Reported once below; bound to null so its uses are not reported too.
                        missing.push(decl);
                        Bound::Value(Data::Null)
                    }
                },
            };
            bound.push((decl.name.text.to_string(), value));
        }
        if !missing.is_empty() {
            let names: Vec<String> = missing.iter().map(|p| format!("`{}`", p.name)).collect();
            let example: Vec<String> = missing
                .iter()
                .map(|p| format!("`{}: <{}>`", p.name, p.ty.map_or("value", |t| t.as_str())))
                .collect();
            self.find(
                Finding::new(
                    ExpandProblem::MissingArgument,
                    call.span,
                    format!(
                        "{} is called without {}, which {} no default",
                        call.what,
                        names.join(", "),
                        if missing.len() == 1 { "has" } else { "have" }
                    ),
                )
                .label(format!("missing {}", names.join(", ")))
                .help(format!("pass {}", example.join(", "))),
            );
        }
        bound
    }

    /// A parameter's value written as `value` in `frame`.
    fn argument(
        &mut self,
        decl: &ParamDecl<'m>,
        value: &'m Node,
        frame: &Frame<'m>,
        callee: &str,
    ) -> Bound<'m> {
        let span = self.at(value, None, frame);
        let b = match decl.ty {
            Some(ParamType::Steps) => match &value.value {
                Value::Seq(_) => {
                    let mut steps = Vec::new();
                    self.step_list(value, frame, &mut steps);
                    Bound::Steps(steps)
                }
                Value::Scalar(s) if s.kind == ScalarKind::Null => Bound::Steps(Vec::new()),
                _ => match self.subst(value, frame) {
                    // A `steps` parameter passed on: already expanded.
                    Data::Seq(s) => Bound::Steps(s),
                    other => Bound::Value(other),
                },
            },
            Some(ParamType::Executor) => {
                // A reference passed on keeps the scope it names an executor in.
                if let Some(r) = value.as_str().and_then(mustache::whole_reference)
                    && r.kind == RefKind::Parameter
                    && r.form == RefForm::Plain
                    && let Some(b @ Bound::Executor(..)) = frame.param(&r.name)
                {
                    return b.clone();
                }
                Bound::Executor(self.subst(value, frame), frame.scope)
            }
            _ => Bound::Value(self.subst(value, frame)),
        };
        self.typed(decl, b, span, callee)
    }

    /// Check a value against its parameter's type, as CircleCI does, and give it that type
    /// (`"5"` for an integer is 5, `yes` for a boolean is true).
    fn typed(&mut self, decl: &ParamDecl<'m>, b: Bound<'m>, span: Span, callee: &str) -> Bound<'m> {
        let Some(ty) = decl.ty else { return b };
        let text = |d: &Data| d.scalar_text(float_text);
        let (ok, b) = match (ty, b) {
            (ParamType::Steps, Bound::Steps(s)) => (true, Bound::Steps(s)),
            (ParamType::Steps, other) => (false, other),
            (ParamType::Executor, Bound::Executor(d, scope)) => {
                let name = match &d {
                    Data::Str(n) => Some(n.clone()),
                    Data::Map(_) => d.get("name").and_then(Data::as_str).map(str::to_string),
                    _ => None,
                };
                let ok = match &name {
                    Some(n) => !matches!(
                        self.lookup(scope, MemberKind::Executor, n),
                        Err(super::Miss::NotFound)
                    ),
                    None => false,
                };
                (ok, Bound::Executor(d, scope))
            }
            (ParamType::Boolean, Bound::Value(d)) => match d {
                Data::Bool(_) => (true, Bound::Value(d)),
                Data::Str(ref s) => match bool_word(s) {
                    Some(v) => (true, Bound::Value(Data::Bool(v))),
                    None => (false, Bound::Value(d)),
                },
                other => (false, Bound::Value(other)),
            },
            (ParamType::Integer, Bound::Value(d)) => match d {
                Data::Int(_) => (true, Bound::Value(d)),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                    (true, Bound::Value(Data::Int(f as i64)))
                }
                Data::Str(ref s) => match s.trim().parse::<i64>() {
                    Ok(i) => (true, Bound::Value(Data::Int(i))),
                    Err(_) => (false, Bound::Value(d)),
                },
                other => (false, Bound::Value(other)),
            },
            (ParamType::String, Bound::Value(d)) => {
                (!matches!(d, Data::Seq(_) | Data::Map(_)), Bound::Value(d))
            }
            (ParamType::Enum, Bound::Value(d)) => {
                let ok = match text(&d) {
                    Some(t) => {
                        decl.enum_values.is_empty()
                            || decl
                                .enum_values
                                .iter()
                                .any(|e| e.scalar_text().is_some_and(|v| same_enum_value(v, &t)))
                    }
                    None => false,
                };
                (ok, Bound::Value(d))
            }
            (ParamType::EnvVarName, Bound::Value(d)) => (
                text(&d).is_some_and(|t| is_env_var_name(&t)),
                Bound::Value(d),
            ),
            (_, other) => (false, other),
        };
        if !ok {
            let shown = match b.data() {
                Data::Str(s) => format!("the string `{s}`"),
                Data::Seq(_) => "a list".to_string(),
                Data::Map(_) => "a mapping".to_string(),
                Data::Null => "null".to_string(),
                other => format!("`{}`", text(&other).unwrap_or_default()),
            };
            let expected = match ty {
                ParamType::Enum => {
                    let values: Vec<String> = decl
                        .enum_values
                        .iter()
                        .filter_map(|e| e.scalar_text())
                        .map(|v| format!("`{v}`"))
                        .collect();
                    format!("one of {}", values.join(", "))
                }
                ParamType::Executor => "the name of an executor".to_string(),
                ParamType::Steps => "a list of steps".to_string(),
                ParamType::EnvVarName => "an environment variable name".to_string(),
                ParamType::Boolean => "a boolean".to_string(),
                ParamType::Integer => "an integer".to_string(),
                ParamType::String => "a string".to_string(),
            };
            self.find(
                Finding::new(
                    ExpandProblem::ArgumentType,
                    span,
                    format!(
                        "{} parameter `{}` of {} gets {shown}, not {expected}",
                        ty.as_str(),
                        decl.name,
                        callee
                    ),
                )
                .label(format!("not {expected}"))
                .help("change the value, or the parameter's `type:`"),
            );
        }
        b
    }
}
