//! One job as the compiler writes it: the job's parameters bound and substituted, its executor
//! inlined, its steps expanded.
//!
//! The keys come in this order (the compiler merges the executor into the job):
//! 1. the executor's keys in its order, without `environment`; `resource_class` and `shell`
//!    written inside the executor's `machine:` are taken out of it;
//! 2. the job's keys in its order (without `executor`, `parameters`, `description`); a key the
//!    executor has too keeps the executor's place and takes the job's value;
//! 3. with an executor, `environment` as a list of one-variable mappings: the executor's
//!    variables, then the job's (a variable both set: the job's value, at the executor's
//!    place [U]); at the job's `environment` key if it has one, else last;
//! 4. the `resource_class` and `shell` taken out of the executor's `machine:`.
//!
//! Without an executor the job's keys stay as they are (its `environment` a mapping [U]); so do
//! `resource_class` and `shell` inside a job's own `machine:` [U].

use super::params::{ArgSrc, Bound, Call, Frame};
use super::{ExpandProblem, Expander, MAX_DEPTH, Scope};
use crate::base::diagnostic::Finding;
use crate::base::span::Span;
use crate::config::model::{EXECUTOR_KEYS, Invocation, STEPLESS_JOB_TYPES};
use crate::config::orbs::{Member, MemberKind};
use crate::lang::mustache::{self, RefForm, RefKind};
use crate::yaml::{Data, Node};

/// Keys of a job or executor definition that are not written out.
const DROPPED: &[&str] = &["parameters", "description"];

impl<'m> Expander<'_, 'm> {
    /// The job a workflow job entry runs, as the compiler writes it; `matrix` holds the
    /// values of its matrix instance, `workflow` the entry's frame (for its arguments,
    /// `pre-steps` and `post-steps`).
    pub fn job(
        &mut self,
        inv: &Invocation<'m>,
        matrix: &[(String, Data, Span)],
        workflow: &Frame<'m>,
    ) -> Option<Data> {
        let name = inv.job.text;
        let at = inv.job.span;
        let (job, scope) = match self.lookup(self.root_scope(), MemberKind::Job, name) {
            Ok((Member::Job(job), scope)) => (job, scope),
            Ok(_) => return None,
            Err(miss) => {
                self.missed(miss, MemberKind::Job, name, at, &workflow.what);
                return None;
            }
        };
        let mut args: Vec<ArgSrc<'m>> = inv
            .args
            .iter()
            .map(|a| ArgSrc::Node {
                key: a.key,
                value: a.value,
            })
            .collect();
        args.extend(matrix.iter().map(|(n, v, s)| ArgSrc::Data {
            name: n.clone(),
            value: v.clone(),
            span: *s,
        }));
        let what = format!("job `{name}`");
        let params = self.bind(
            &job.parameters,
            args,
            workflow,
            scope,
            &Call {
                kind: MemberKind::Job,
                what: &what,
                span: at,
            },
        );
        let frame = Frame {
            scope,
            env: self.env_for(scope, &params),
            params,
            site: at,
            what,
        };
        let body = job.node.as_map()?;
        let executor = match job.node.get("executor") {
            Some(v) => self.executor(v, &frame, 0),
            None => None,
        };
        let mut entries: Vec<(Data, Data)> = Vec::new();
        let mut has_steps = false;
        for (k, v) in body {
            let key = k.scalar_text().unwrap_or_default();
            if key == "executor" || DROPPED.contains(&key) {
                continue;
            }
            let value = if key == "steps" {
                has_steps = true;
                let mut steps = Vec::new();
                self.steps_of(inv, v, &frame, workflow, &mut steps);
                Data::Seq(steps)
            } else {
                self.subst(v, &frame)
            };
            entries.push((Data::from_node(k), value));
        }
        if !has_steps && (!inv.pre_steps.is_empty() || !inv.post_steps.is_empty()) {
            let mut steps = Vec::new();
            self.steps_of(inv, &EMPTY, &frame, workflow, &mut steps);
            entries.push((Data::str("steps"), Data::Seq(steps)));
        }
        let named = job.node.get("executor").is_some();
        let job_data = assemble(executor, entries);
        if !named {
            // (An `executor:` that names nothing is reported as such.)
            self.check_executor(&job_data, job.name.span, &frame);
        }
        Some(Data::Map(job_data))
    }

    /// The entry's `pre-steps`, the job's steps, the entry's `post-steps`.
    fn steps_of(
        &mut self,
        inv: &Invocation<'m>,
        steps: &'m Node,
        frame: &Frame<'m>,
        workflow: &Frame<'m>,
        out: &mut Vec<Data>,
    ) {
        let entry = |key: &str| inv.body.and_then(|b| b.get(key));
        if let Some(pre) = entry("pre-steps") {
            self.step_list(pre, workflow, out);
        }
        self.step_list(steps, frame, out);
        if let Some(post) = entry("post-steps") {
            self.step_list(post, workflow, out);
        }
    }

    /// A job with nowhere to run: CircleCI rejects it.
    fn check_executor(&mut self, job: &[(Data, Data)], name: Span, frame: &Frame<'m>) {
        let has = |k: &str| job.iter().any(|(key, _)| key.as_str() == Some(k));
        let stepless = job.iter().any(|(k, v)| {
            k.as_str() == Some("type")
                && v.as_str().is_some_and(|t| STEPLESS_JOB_TYPES.contains(&t))
        });
        if stepless || EXECUTOR_KEYS.iter().any(|k| has(k)) {
            return;
        }
        let at = if frame.scope.foreign {
            frame.site
        } else {
            name
        };
        self.find(
            Finding::new(
                ExpandProblem::MissingExecutor,
                at,
                format!(
                    "{} has no executor: none of `docker`, `machine`, `macos` or `executor`",
                    frame.what
                ),
            )
            .label("runs nowhere")
            .help("say where the job runs: `docker: [{image: cimg/base:2024.02}]`, `machine: {image: ...}`, or `executor: NAME`"),
        );
    }

    /// The executor a job's `executor:` value names, its parameters bound, as data (its keys
    /// in its order, `parameters` and `description` left out).
    fn executor(
        &mut self,
        value: &'m Node,
        frame: &Frame<'m>,
        depth: usize,
    ) -> Option<Vec<(Data, Data)>> {
        // `executor: << parameters.e >>` of an `executor` parameter names an executor where the
        // value was written.
        let passed = value
            .as_str()
            .and_then(mustache::whole_reference)
            .filter(|r| r.kind == RefKind::Parameter && r.form == RefForm::Plain)
            .and_then(|r| match frame.param(&r.name) {
                Some(Bound::Executor(d, scope)) => Some((d.clone(), *scope)),
                _ => None,
            });
        let (data, scope) = match passed {
            Some(p) => p,
            None => (self.subst(value, frame), frame.scope),
        };
        let at = self.at(value, None, frame);
        self.executor_data(data, scope, at, frame, depth)
    }

    fn executor_data(
        &mut self,
        data: Data,
        scope: Scope<'m>,
        at: Span,
        frame: &Frame<'m>,
        depth: usize,
    ) -> Option<Vec<(Data, Data)>> {
        let (name, args) = match &data {
            Data::Str(n) => (n.clone(), Vec::new()),
            Data::Map(entries) => {
                let name = data.get("name").and_then(Data::as_str)?.to_string();
                let args = entries
                    .iter()
                    .filter(|(k, _)| k.as_str() != Some("name"))
                    .map(|(k, v)| ArgSrc::Data {
                        name: k.as_str().unwrap_or_default().to_string(),
                        value: v.clone(),
                        span: at,
                    })
                    .collect();
                (name, args)
            }
            _ => return None,
        };
        let (exec, escope) = match self.lookup(scope, MemberKind::Executor, &name) {
            Ok((Member::Executor(e), escope)) => (e, escope),
            Ok(_) => return None,
            Err(miss) => {
                let what = frame.what.clone();
                self.missed(miss, MemberKind::Executor, &name, at, &what);
                return None;
            }
        };
        if depth >= MAX_DEPTH {
            self.stuck(
                at,
                format!("executors name each other more than {MAX_DEPTH} levels deep at `{name}`"),
            );
            return None;
        }
        let what = format!("executor `{name}`");
        let caller = Frame {
            scope,
            ..frame.clone()
        };
        let params = self.bind(
            &exec.parameters,
            args,
            &caller,
            escope,
            &Call {
                kind: MemberKind::Executor,
                what: &what,
                span: at,
            },
        );
        let inner = Frame {
            scope: escope,
            env: self.env_for(escope, &params),
            params,
            site: if escope.foreign { at } else { frame.site },
            what,
        };
        // An executor written as the name of another (`default: node/default`).
        if exec.refers_to.is_some() {
            let target = self.subst(exec.node, &inner);
            return self.executor_data(target, escope, at, &inner, depth + 1);
        }
        let body = exec.node.as_map()?;
        Some(
            body.iter()
                .filter(|(k, _)| !DROPPED.contains(&k.scalar_text().unwrap_or_default()))
                .map(|(k, v)| (Data::from_node(k), self.subst(v, &inner)))
                .collect(),
        )
    }
}

/// A null node, for a job without `steps`.
static EMPTY: Node = Node {
    span: Span { start: 0, end: 0 },
    alias: None,
    value: crate::yaml::Value::Seq(Vec::new()),
};

/// The job: the executor's keys, then the job's (see the module's documentation).
fn assemble(executor: Option<Vec<(Data, Data)>>, job: Vec<(Data, Data)>) -> Vec<(Data, Data)> {
    let Some(exec) = executor else {
        return job;
    };
    let mut out: Vec<(Data, Data)> = Vec::with_capacity(exec.len() + job.len() + 1);
    let mut lifted: Vec<(Data, Data)> = Vec::new();
    let mut exec_env = None;
    for (k, v) in exec {
        match (k.as_str(), v) {
            (Some("environment"), v) => exec_env = Some(v),
            (Some("machine"), Data::Map(m)) => {
                let (moved, kept): (Vec<_>, Vec<_>) = m
                    .into_iter()
                    .partition(|(mk, _)| matches!(mk.as_str(), Some("resource_class" | "shell")));
                lifted.extend(moved);
                out.push((k, Data::Map(kept)));
            }
            (_, v) => out.push((k, v)),
        }
    }
    let mut job_env = None;
    let mut env_at = None;
    for (k, v) in job {
        if k.as_str() == Some("environment") {
            job_env = Some(v);
            env_at = Some(out.len());
            out.push((k, Data::Null));
            continue;
        }
        match out.iter_mut().find(|(ok, _)| *ok == k) {
            Some(slot) => slot.1 = v,
            None => out.push((k, v)),
        }
    }
    if exec_env.is_some() || job_env.is_some() {
        let mut env = env_list(exec_env);
        for item in env_list(job_env) {
            let name = env_name(&item);
            match env
                .iter_mut()
                .find(|e| name.is_some() && env_name(e) == name)
            {
                Some(slot) => *slot = item,
                None => env.push(item),
            }
        }
        match env_at {
            Some(i) => out[i].1 = Data::Seq(env),
            None => out.push((Data::str("environment"), Data::Seq(env))),
        }
    }
    out.extend(lifted);
    out
}

/// An `environment:` value as a list of one-variable mappings (a `KEY=VALUE` string item stays
/// as it is).
fn env_list(env: Option<Data>) -> Vec<Data> {
    match env {
        Some(Data::Map(entries)) => entries.into_iter().map(|e| Data::Map(vec![e])).collect(),
        Some(Data::Seq(items)) => items
            .into_iter()
            .flat_map(|item| match item {
                Data::Map(entries) => entries.into_iter().map(|e| Data::Map(vec![e])).collect(),
                other => vec![other],
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The variable an environment list item sets.
fn env_name(item: &Data) -> Option<String> {
    match item {
        Data::Map(entries) => entries
            .first()
            .and_then(|(k, _)| k.scalar_text(super::float_text)),
        Data::Str(s) => s.split_once('=').map(|(k, _)| k.trim().to_string()),
        _ => None,
    }
}
