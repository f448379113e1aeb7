//! Steps: each step of a job (and of its entry's `pre-steps` and `post-steps`) as the compiler
//! writes it.
//!
//! - a built-in step stays as written, substituted (`- checkout`; `- save_cache: {...}`);
//! - `run: text` becomes `run: {command: text}`;
//! - a command (`- install-go`, `- go/install: {version: ...}`) is replaced, where it stands, by
//!   its steps, expanded with its parameters bound (commands calling commands, at most
//!   [`super::MAX_DEPTH`] deep);
//! - `when`/`unless` is decided ([`crate::lang::logic::evaluate`] with the values in scope) and
//!   replaced by its steps or by nothing;
//! - `steps: << parameters.x >>` (or a list) is replaced by those steps.

use super::params::{ArgSrc, Call, Frame};
use super::{ExpandProblem, Expander, MAX_DEPTH, map};
use crate::base::diagnostic::Finding;
use crate::config::model::is_builtin_step;
use crate::config::orbs::{Member, MemberKind};
use crate::lang::logic::{Site, Tri, evaluate};
use crate::yaml::{Data, Node, ScalarKind, Value};

impl<'m> Expander<'_, 'm> {
    /// The steps of a `steps:` value: a list, a `steps` parameter, or nothing.
    pub fn step_list(&mut self, node: &'m Node, frame: &Frame<'m>, out: &mut Vec<Data>) {
        match &node.value {
            Value::Seq(items) => {
                for item in items {
                    if self.stopped() {
                        return;
                    }
                    self.step(item, frame, out);
                }
            }
            Value::Scalar(s) if s.kind == ScalarKind::Null => {}
            Value::Scalar(_) => match self.subst(node, frame) {
                // A `steps` parameter: its steps, expanded where they were written.
                Data::Seq(done) => out.extend(done),
                _ => self.bad_shape(node, frame, "`steps` must be a list of steps"),
            },
            Value::Map(_) => self.bad_shape(node, frame, "`steps` must be a list of steps"),
        }
    }

    fn bad_shape(&mut self, node: &Node, frame: &Frame<'m>, why: &str) {
        let at = self.at(node, None, frame);
        self.find(
            Finding::new(
                ExpandProblem::StepShape,
                at,
                format!("{why}, in {}", frame.what),
            )
            .label("not a step")
            .help("a step is a name (`- checkout`) or a mapping with one key, the step's name (`- run: make`)"),
        );
    }

    fn step(&mut self, node: &'m Node, frame: &Frame<'m>, out: &mut Vec<Data>) {
        match &node.value {
            Value::Scalar(_) => {
                let data = self.subst(node, frame);
                match data {
                    Data::Seq(done) => out.extend(done),
                    Data::Str(name) => self.call(&name, None, node, frame, out),
                    _ => self.bad_shape(node, frame, "a step must name something"),
                }
            }
            Value::Map(entries) if entries.len() == 1 => {
                let (k, v) = &entries[0];
                let name = match self.subst(k, frame) {
                    Data::Str(n) => n,
                    other => other.flow(super::float_text),
                };
                match name.as_str() {
                    "steps" => self.step_list(v, frame, out),
                    "when" | "unless" => self.conditional(name == "when", v, frame, out),
                    "run" => {
                        let body = match self.subst(v, frame) {
                            Data::Str(command) => map(vec![("command", Data::Str(command))]),
                            other => other,
                        };
                        out.push(map(vec![("run", body)]));
                    }
                    n if is_builtin_step(n) => {
                        let body = self.subst(v, frame);
                        out.push(Data::Map(vec![(Data::Str(name), body)]));
                    }
                    _ => self.call(&name, Some(v), k, frame, out),
                }
            }
            _ => self.bad_shape(
                node,
                frame,
                "a step must be a name or a mapping with one key",
            ),
        }
    }

    /// `when: {condition, steps}` (or `unless`): its steps when the condition holds.
    fn conditional(&mut self, when: bool, body: &'m Node, frame: &Frame<'m>, out: &mut Vec<Data>) {
        let (Some(condition), Some(steps)) = (body.get("condition"), body.get("steps")) else {
            let kw = if when { "when" } else { "unless" };
            self.bad_shape(
                body,
                frame,
                &format!("a `{kw}` step needs `condition:` and `steps:`"),
            );
            return;
        };
        let ev = evaluate(condition, &frame.env, Site::Step);
        let holds = match ev.result {
            Tri::Yes => true,
            Tri::No => false,
            Tri::Unknown(reason) => {
                let at = self.at(condition, None, frame);
                self.stuck(
                    at,
                    format!(
                        "the condition of a `{}` step in {} cannot be decided offline: {reason}",
                        if when { "when" } else { "unless" },
                        frame.what
                    ),
                );
                return;
            }
        };
        if holds == when {
            self.step_list(steps, frame, out);
        }
    }

    /// A step that is not built in: a command, replaced by its steps.
    fn call(
        &mut self,
        name: &str,
        args: Option<&'m Node>,
        name_node: &'m Node,
        frame: &Frame<'m>,
        out: &mut Vec<Data>,
    ) {
        if is_builtin_step(name) {
            // `- checkout` (or a built-in step named through a parameter).
            out.push(match args {
                Some(a) => Data::Map(vec![(Data::str(name), self.subst(a, frame))]),
                None => Data::str(name),
            });
            return;
        }
        let at = self.at(name_node, None, frame);
        let what = frame.what.clone();
        let (cmd, scope) = match self.lookup(frame.scope, MemberKind::Command, name) {
            Ok((Member::Command(cmd), scope)) => (cmd, scope),
            Ok(_) => return,
            Err(miss) => {
                self.missed(miss, MemberKind::Command, name, at, &what);
                return;
            }
        };
        if self.depth >= MAX_DEPTH {
            self.stuck(
                at,
                format!("commands call each other more than {MAX_DEPTH} levels deep at `{name}` (does a command call itself?)"),
            );
            return;
        }
        let args: Vec<ArgSrc<'m>> = args
            .and_then(Node::as_map)
            .into_iter()
            .flatten()
            .map(|(key, value)| ArgSrc::Node { key, value })
            .collect();
        let callee = format!("command `{name}`");
        let site = if frame.scope.foreign { frame.site } else { at };
        let params = self.bind(
            &cmd.parameters,
            args,
            frame,
            scope,
            &Call {
                kind: MemberKind::Command,
                what: &callee,
                span: at,
            },
        );
        let inner = Frame {
            scope,
            env: self.env_for(scope, &params),
            params,
            site,
            what: callee,
        };
        self.depth += 1;
        if let Some(steps) = cmd.node.get("steps") {
            self.step_list(steps, &inner, out);
        }
        self.depth -= 1;
    }
}
