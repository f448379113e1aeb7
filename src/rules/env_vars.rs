//! `undefined-env-var` and `env-not-expanded`: environment variables that nothing sets, and
//! `environment:` values that expect shell expansion.
//!
//! What a job reads: `$VAR` in its `run` scripts (through the shell lexer in [`crate::lang::shell`]),
//! in arguments passed to local and orb commands, in `env_var_name` parameters (their defaults
//! and the names passed for them) and in the `environment:` of its steps; the steps of local
//! commands it calls are followed (with the job's pre-steps and post-steps from workflows).
//!
//! What sets a variable for a job: the `environment:` of the step, of the job, of its executor
//! and of its primary docker image; an assignment earlier in the same script; a `$BASH_ENV`
//! write by an earlier step of the job; CircleCI's built-in variables and the shell's and
//! system's own ([`crate::lang::env_builtins`]); `.cilint.toml`'s `[env] project` and the
//! `[contexts]` that the job's invocations name. A job run with a context that `.cilint.toml`
//! does not describe may get any variable from it: its findings are `info`, and say so.

use super::Rule;
use super::exposure::{Bindings, bind_call, decided, resolve};
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::span::Span;
use crate::base::text::{join_and, quoted};
use crate::config::model::Scope;
use crate::config::model::{Invocation, Job, ParamDecl, ParamType, Step, StepKind, env_vars};
use crate::lang::env_builtins;
use crate::lang::shell;
use crate::yaml::Node;
use crate::yaml::scalar_map::ScalarMap;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;

pub static UNDEFINED_ENV_VAR: Rule = Rule {
    id: "undefined-env-var",
    severity: Severity::Warning,
    summary: "a job reads an environment variable that nothing in the config, CircleCI or .cilint.toml sets",
    explanation: include_str!("docs/undefined-env-var.md"),
    category: super::Category::Correctness,
    check: Some(check_undefined),
};

pub static ENV_NOT_EXPANDED: Rule = Rule {
    id: "env-not-expanded",
    severity: Severity::Warning,
    summary: "an `environment:` value uses `$VAR`, but CircleCI does not shell-expand these values",
    explanation: include_str!("docs/env-not-expanded.md"),
    category: super::Category::Correctness,
    check: Some(check_not_expanded),
};

/// Is the shell that runs a script sh-like (bash, sh, zsh, dash, ksh)? `None` (not given)
/// means the default, bash.
pub fn is_posix_shell(shell: Option<&str>) -> bool {
    let Some(s) = shell else { return true };
    let prog = s.split_whitespace().next().unwrap_or("");
    let base = prog
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(prog)
        .to_ascii_lowercase();
    if s.contains("<<") {
        return true;
    }
    matches!(
        base.trim_end_matches(".exe"),
        "bash" | "sh" | "zsh" | "dash" | "ksh" | "ash" | "env"
    ) && !s.contains("python")
        && !s.contains("node")
        && !s.contains("ruby")
        && !s.contains("pwsh")
        && !s.contains("powershell")
}

/// The name a workflow uses to invoke `job` of `scope` (`alias/job` for an inline orb's job).
fn invoked_name(scope: &Scope<'_, '_>, job: &Job<'_>) -> String {
    match scope.orb {
        Some(o) => format!("{}/{}", o.alias.text, job.name.text),
        None => job.name.text.to_string(),
    }
}

/// Every workflow invocation, by the job name it invokes (in workflow order): built once, so
/// that finding the invocations of every job is linear in the config, not quadratic.
fn invocations_by_job<'m, 'a>(cx: &'m Context<'a>) -> HashMap<&'a str, Vec<&'m Invocation<'a>>> {
    let mut map: HashMap<&'a str, Vec<&'m Invocation<'a>>> = HashMap::new();
    for inv in cx.config.workflows.iter().flat_map(|w| w.jobs.iter()) {
        map.entry(inv.job.text).or_default().push(inv);
    }
    map
}

/// Variables set for every step of a job by the config: the job's, its executor's and its
/// primary image's `environment:`.
fn job_env(scope: &Scope, job: &Job) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    let mut add_env = |env: &crate::config::model::Environment| {
        for v in &env.env {
            set.insert(v.name.text.to_string());
        }
        if let Some(primary) = env.docker.first() {
            for v in &primary.environment {
                set.insert(v.name.text.to_string());
            }
            let image = primary.image.and_then(Node::as_str).unwrap_or_default();
            for v in env_builtins::from_image(image) {
                set.insert((*v).to_string());
            }
        }
    };
    add_env(&job.env);
    for name in executor_names(scope, job) {
        if let Some(ex) = scope.config.executor(name) {
            add_env(&ex.env);
        }
    }
    set
}

/// The values of a job's parameters that every workflow entry of it gives alike (the same
/// argument text, or the default where none is given); `None` where they differ, come from a
/// matrix, or from anything cilint cannot read here.
fn job_bindings<'a>(job: &Job<'a>, invs: &[&Invocation<'a>]) -> Bindings<'a> {
    let no_outer: Bindings<'a> = Vec::new();
    job.parameters
        .iter()
        .map(|p| {
            let name = p.name.text;
            let mut values = invs.iter().map(|inv| {
                let in_matrix = inv
                    .matrix
                    .iter()
                    .any(|m| m.parameters.iter().any(|(n, _)| n.text == name));
                if in_matrix {
                    return None;
                }
                match inv.args.iter().find(|a| a.name.text == name) {
                    Some(a) => resolve(a.value, &no_outer),
                    None => p.default,
                }
            });
            let first = if invs.is_empty() {
                p.default
            } else {
                values.next().flatten()
            };
            let same = values.all(|v| {
                v.and_then(Node::scalar_text) == first.and_then(Node::scalar_text) && v.is_some()
            });
            (name, if same { first } else { None })
        })
        .collect()
}

/// The executors a job may run on: the one it names, or for `executor: << parameters.x >>`
/// each one the parameter can hold (its default, and what the workflow entries of the job pass
/// to it as an argument or as matrix values).
fn executor_names<'a>(scope: &Scope<'_, 'a>, job: &Job<'a>) -> Vec<&'a str> {
    let Some(named) = job.executor.as_ref().and_then(|r| r.name) else {
        return Vec::new();
    };
    let param = match crate::lang::mustache::whole_reference(named.text) {
        Some(r) if r.kind == crate::lang::mustache::RefKind::Parameter => r.name,
        _ => return vec![named.text],
    };
    // An executor argument is a name, or a mapping with a `name`.
    fn name_of(node: &Node) -> Option<&str> {
        node.as_str().or_else(|| node.get("name")?.as_str())
    }
    let mut out: Vec<&'a str> = Vec::new();
    if let Some(default) = job
        .parameters
        .iter()
        .find(|p| p.name.text == param)
        .and_then(|p| p.default)
    {
        out.extend(name_of(default));
    }
    for wf in &scope.config.workflows {
        for inv in wf.jobs.iter().filter(|i| i.job.text == job.name.text) {
            for arg in inv.args.iter().filter(|a| a.name.text == param) {
                out.extend(name_of(arg.value));
            }
            let matrix = inv.matrix.iter().flat_map(|m| &m.parameters);
            for (_, values) in matrix.filter(|(n, _)| n.text == param) {
                for v in values.as_seq().unwrap_or_default() {
                    out.extend(name_of(v));
                }
            }
        }
    }
    out
}

/// The shell a job's `run` steps use by default: its `shell:`, its executor's, or PowerShell on
/// Windows executors (the `circleci/windows` orb's executors, `windows-*` machine images and
/// `windows.*` resource classes).
pub fn job_shell<'a>(scope: &Scope<'_, 'a>, job: &Job<'a>) -> Option<&'a str> {
    if let Some(sh) = job.env.shell.and_then(|s| s.as_str()) {
        return Some(sh);
    }
    let is_windows = |env: &crate::config::model::Environment| {
        let machine_image = env
            .machine
            .and_then(|(_, v)| v.get("image"))
            .and_then(|i| i.as_str())
            .unwrap_or("");
        let class = env.resource_class.and_then(|r| r.as_str()).unwrap_or("");
        machine_image.starts_with("windows") || class.starts_with("windows.")
    };
    if is_windows(&job.env) {
        return Some("powershell.exe");
    }
    let exec = job.executor.as_ref()?;
    if let Some(sh) = exec
        .args
        .iter()
        .find(|a| a.name.text == "shell")
        .and_then(|a| a.value.as_str())
    {
        return Some(sh);
    }
    let name = exec.name?.text;
    if let Some(ex) = scope.config.executor(name) {
        if let Some(sh) = ex.env.shell.and_then(|s| s.as_str()) {
            return Some(sh);
        }
        return is_windows(&ex.env).then_some("powershell.exe");
    }
    let r = crate::config::model::orb_ref(name)?;
    let orb = scope.config.orb(r.orb)?;
    match &orb.source {
        crate::config::model::OrbSource::Registry { name, .. } if *name == "windows" => {
            Some("powershell.exe")
        }
        _ => None,
    }
}

struct Walker<'c, 'a> {
    cx: &'c Context<'a>,
    scope: Scope<'c, 'a>,
    /// Set for the whole job (job env, builtins, settings).
    known: &'c dyn Fn(&str) -> bool,
    /// Written to `$BASH_ENV` by earlier steps.
    bash_env: BTreeSet<String>,
    /// An earlier step wrote text cilint cannot see to `$BASH_ENV`: any variable may be set.
    bash_env_opaque: bool,
    /// The job's `shell:`.
    shell: Option<&'a str>,
    uses: Vec<(String, Span)>,
    depth: usize,
    /// Commands whose steps were already walked for this job, with the values bound to their
    /// parameters (nodes by address): a command's steps are walked once per distinct set of
    /// values (its arguments at every call).
    expanded: HashSet<(String, Vec<Option<*const Node>>)>,
    /// The values of the parameters of the job or command being walked, where known: a
    /// `when`/`unless` step they switch off is not walked.
    bound: Bindings<'a>,
    /// What the shell lexer found in each script text, shared by all jobs.
    facts: &'c mut Analyses<'a>,
}

/// [`shell::analyze`] of each script text once per file: a command's scripts are read again for
/// every job that calls it, and scripts merged in from anchors repeat.
#[derive(Default)]
struct Analyses<'a>(HashMap<&'a str, Rc<shell::ShellFacts>>);

impl<'a> Analyses<'a> {
    fn of(&mut self, text: &'a str) -> Rc<shell::ShellFacts> {
        self.0
            .entry(text)
            .or_insert_with(|| Rc::new(shell::analyze(text)))
            .clone()
    }
}

/// The source span of bytes `start..end` of a scalar's value, the whole scalar (where its alias
/// is used) when it came through an alias; the mapping is built on first use and kept.
fn span_in(cx: &Context, node: &Node, map: &mut Option<Option<ScalarMap>>, r: Span) -> Span {
    let map = map.get_or_insert_with(|| ScalarMap::new(cx.source, node));
    match (map, node.alias) {
        (Some(m), None) => m.span(r.start as usize, r.end as usize),
        _ => node.use_span(),
    }
}

impl<'c, 'a> Walker<'c, 'a> {
    fn unset(&self, name: &str, step_env: &BTreeSet<String>) -> bool {
        !self.bash_env_opaque
            && !(self.known)(name)
            && !self.bash_env.contains(name)
            && !step_env.contains(name)
    }

    fn steps(&mut self, steps: &[Step<'a>]) {
        for s in steps {
            self.step(s);
        }
    }

    fn step(&mut self, st: &Step<'a>) {
        match &st.kind {
            StepKind::Conditional {
                when,
                condition,
                steps,
            } => {
                if decided(*when, *condition, &self.bound) != Some(false) {
                    self.steps(steps);
                }
            }
            StepKind::Malformed => {}
            StepKind::Call => {
                let Some(name) = st.name else { return };
                if name.text == "run" {
                    self.run(st);
                } else if st.is_builtin() {
                } else if let Some(cmd) = (!name.text.contains('/'))
                    .then(|| self.scope.config.command(name.text))
                    .flatten()
                {
                    if self.depth > 12 {
                        return;
                    }
                    self.depth += 1;
                    self.arguments(st, &cmd.parameters);
                    let (inner, identity) = bind_call(cmd, st, &self.bound);
                    let key = (name.text.to_string(), identity);
                    if self.expanded.insert(key) {
                        let steps = cmd.steps.clone();
                        let outer = std::mem::replace(&mut self.bound, inner);
                        self.steps(&steps);
                        self.bound = outer;
                    }
                    self.depth -= 1;
                } else {
                    self.arguments(st, &[]);
                }
            }
        }
    }

    /// Reads in the arguments of a command call (and `env_var_name` parameters).
    fn arguments(&mut self, st: &Step<'a>, params: &[ParamDecl<'a>]) {
        let args = st.arguments();
        let none = BTreeSet::new();
        for p in params {
            if p.ty != Some(ParamType::EnvVarName) {
                continue;
            }
            let value = args
                .iter()
                .find(|a| a.name.text == p.name.text)
                .map(|a| a.value)
                .or(p.default);
            if let Some(v) = value {
                self.env_var_name(v, &none);
            }
        }
        for a in &args {
            if params
                .iter()
                .any(|p| p.name.text == a.name.text && p.ty == Some(ParamType::EnvVarName))
            {
                continue;
            }
            if a.value.as_seq().is_some() {
                // A `steps` argument: steps that run in the job.
                let nested = Step::list(a.value);
                if nested.iter().all(|s| s.name.is_some()) {
                    self.steps(&nested);
                }
                continue;
            }
            self.scalar_reads(a.value, &none);
        }
    }

    fn env_var_name(&mut self, v: &'a Node, step_env: &BTreeSet<String>) {
        if let Some(name) = v.as_str().map(str::trim)
            && shell::is_name(name)
            && self.unset(name, step_env)
        {
            self.uses.push((name.to_string(), v.use_span()));
        }
    }

    /// Reads in a text that is used as (part of) a shell word: arguments, env values.
    fn scalar_reads(&mut self, node: &'a Node, step_env: &BTreeSet<String>) {
        let Some(text) = node.as_str() else { return };
        if !text.contains('$') {
            return;
        }
        let facts = self.facts.of(text);
        let mut map = None;
        for r in facts.unset_reads() {
            if self.unset(&r.name, step_env) {
                let span = span_in(self.cx, node, &mut map, r.span);
                self.uses.push((r.name.clone(), span));
            }
        }
    }

    fn run(&mut self, st: &Step<'a>) {
        let Some(node) = st.run_command() else { return };
        let mut step_env = BTreeSet::new();
        let mut shell = self.shell;
        if let Some(args) = st.args.filter(|a| a.as_map().is_some()) {
            if let Some(env) = args.get("environment") {
                // Only the names: CircleCI does not expand the values, so a `$VAR` there reads
                // nothing (`env-not-expanded` says what it does instead).
                for v in &env_vars(env) {
                    step_env.insert(v.name.text.to_string());
                }
            }
            if let Some(sh) = args.get("shell").and_then(|s| s.as_str()) {
                shell = Some(sh);
            }
        }
        let Some(text) = node.as_str() else { return };
        if !is_posix_shell(shell) || crate::lang::shell::looks_like_powershell(text) {
            return;
        }
        let facts = self.facts.of(text);
        let mut map = None;
        for r in facts.unset_reads() {
            if self.unset(&r.name, &step_env) {
                let span = span_in(self.cx, node, &mut map, r.span);
                self.uses.push((r.name.clone(), span));
            }
        }
        self.bash_env_opaque |= facts.opaque_bash_env;
        for w in &facts.bash_env_writes {
            self.bash_env.insert(w.name.clone());
        }
    }
}

/// Where each variable is set anywhere in the config (an `environment:` key, or an assignment
/// in a `run` script): a variable set there but not for the step that reads it is reported
/// differently from one set nowhere.
fn set_anywhere<'a>(cx: &Context<'a>, analyses: &mut Analyses<'a>) -> BTreeMap<String, Span> {
    let mut out: BTreeMap<String, Span> = BTreeMap::new();
    for scope in cx.scopes() {
        let mut envs = Vec::new();
        for job in &scope.config.jobs {
            envs.extend(envs_of(&job.env));
        }
        for ex in &scope.config.executors {
            envs.extend(envs_of(&ex.env));
        }
        for (_, st) in scope.config.all_steps() {
            if let Some(env) = st.args.and_then(|a| a.get("environment"))
                && st.name.is_some_and(|n| n.text == "run")
            {
                envs.push(env_vars(env));
            }
            if let Some(node) = st.run_command()
                && let Some(text) = node.as_str()
                && text.contains('=')
            {
                let facts = analyses.of(text);
                let mut map = None;
                for a in facts.assignments.iter().chain(&facts.bash_env_writes) {
                    if !out.contains_key(&a.name) {
                        let span = span_in(cx, node, &mut map, a.span);
                        out.insert(a.name.clone(), span);
                    }
                }
            }
        }
        for vars in envs {
            for v in vars {
                out.entry(v.name.text.to_string()).or_insert(v.name.span);
            }
        }
    }
    out
}

fn check_undefined(cx: &Context, out: &mut Vec<Diagnostic>) {
    let settings = cx.settings;
    let mut analyses = Analyses::default();
    let elsewhere = set_anywhere(cx, &mut analyses);
    let project: HashSet<&str> = settings.project_env.iter().map(String::as_str).collect();
    let by_job = invocations_by_job(cx);
    // Whether every job that runs is named in a workflow (not through a `<< >>` name).
    let entries = || cx.config.workflows.iter().flat_map(|w| w.jobs.iter());
    let runs_by_name_only = !cx.is_orb_source()
        && entries().next().is_some()
        && !entries().any(|i| i.job.text.contains("<<"));
    let mut found = Unset::default();
    for scope in cx.scopes() {
        for job in &scope.config.jobs {
            if job.is_approval() {
                continue;
            }
            let invs = by_job
                .get(invoked_name(&scope, job).as_str())
                .cloned()
                .unwrap_or_default();
            // A job of a config with workflows that none of them runs (a template that others
            // merge with `<<:`, a job kept aside) reads nothing at run time.
            if invs.is_empty() && scope.orb.is_none() && runs_by_name_only {
                continue;
            }
            // Contexts: described ones add their variables; others make findings `info`.
            let mut from_contexts: HashSet<&str> = HashSet::new();
            let mut unknown_contexts: BTreeSet<&str> = BTreeSet::new();
            for inv in &invs {
                for c in &inv.context {
                    match settings.contexts.get(c.text) {
                        Some(vars) => from_contexts.extend(vars.iter().map(String::as_str)),
                        None => {
                            unknown_contexts.insert(c.text);
                        }
                    }
                }
            }
            let env = job_env(&scope, job);
            let known = |n: &str| {
                env_builtins::is_builtin(n)
                    || env.contains(n)
                    || project.contains(n)
                    || from_contexts.contains(n)
            };
            let mut w = Walker {
                cx,
                scope,
                known: &known,
                bash_env: BTreeSet::new(),
                bash_env_opaque: false,
                shell: job_shell(&scope, job),
                uses: Vec::new(),
                depth: 0,
                expanded: HashSet::new(),
                bound: job_bindings(job, &invs),
                facts: &mut analyses,
            };
            // The job's own `env_var_name` parameters: the names passed by invocations, and
            // the default when some invocation (or none at all) leaves it out.
            let none = BTreeSet::new();
            for p in job
                .parameters
                .iter()
                .filter(|p| p.ty == Some(ParamType::EnvVarName))
            {
                let mut defaulted = invs.is_empty();
                for inv in &invs {
                    match inv.args.iter().find(|a| a.name.text == p.name.text) {
                        Some(a) => w.env_var_name(a.value, &none),
                        None => defaulted = true,
                    }
                }
                if defaulted && let Some(d) = p.default {
                    w.env_var_name(d, &none);
                }
            }
            for inv in &invs {
                w.steps(&inv.pre_steps);
            }
            w.steps(&job.steps);
            for inv in &invs {
                w.steps(&inv.post_steps);
            }
            // A command walked with two sets of values reads at the same places twice.
            let mut once = HashSet::new();
            w.uses.retain(|(name, span)| once.insert((name.clone(), *span)));
            if w.uses.is_empty() {
                continue;
            }
            // Only for a job with findings: the names a misspelling may be of.
            let mut names: BTreeSet<&str> = elsewhere.keys().map(String::as_str).collect();
            names.extend(env.iter().map(String::as_str));
            names.extend(project.iter().copied());
            names.extend(from_contexts.iter().copied());
            names.extend(
                env_builtins::CIRCLECI
                    .iter()
                    .chain(env_builtins::SHELL)
                    .chain(env_builtins::SYSTEM)
                    .copied(),
            );
            found.add_job(&elsewhere, &names, job, &unknown_contexts, w.uses);
        }
    }
    let in_orb = cx.is_orb_source();
    // Once .cilint.toml lists the project's (or a context's) variables, a name set nowhere is
    // more likely a mistake than a variable cilint cannot see.
    let declared = !cx.settings.project_env.is_empty() || !cx.settings.contexts.is_empty();
    out.extend(found.list.into_iter().map(|read| {
        let d = diagnostic(read, declared);
        if in_orb {
            // The configs that use the orb set it (a context, the project's settings).
            d.severity(Severity::Info).help(
                "the orb's users must set it (in a context or the project's settings): say so in the orb's documentation, or take its name as an `env_var_name` parameter; declare it in .cilint.toml ([env] project) to silence this",
            )
        } else {
            d
        }
    }));
}

/// A known variable whose name is a likely misspelling of `name` (at most two edits away).
fn misspelling_of<'a>(name: &str, known: &BTreeSet<&'a str>) -> Option<&'a str> {
    if name.len() < 5 {
        return None;
    }
    let len = name.chars().count();
    known
        .iter()
        .filter(|k| **k != name)
        // The distance is at least the difference in length: skip the far ones unmeasured.
        .filter(|k| k.chars().count().abs_diff(len) <= 2)
        .map(|k| (strsim::damerau_levenshtein(name, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k)
}

/// At most this many "also read here" labels on one finding (the rest are counted).
const MAX_ALSO_READ: usize = 20;

/// A variable read in some jobs where nothing sets it, first at one place.
struct Read<'a> {
    name: String,
    /// The jobs, in order.
    jobs: Vec<&'a str>,
    /// Where they read it, the first place first.
    spans: Vec<Span>,
    /// Where the config sets it for other steps.
    set_at: Option<Span>,
    /// `set_at` is inside the (first) job that reads it: another step of the same job.
    set_in_job: bool,
    /// Contexts none of whose variables .cilint.toml describes, of every job when each has
    /// some (so the variable may come from one of them); empty when some job has none.
    contexts: BTreeSet<&'a str>,
    /// A known variable whose misspelling it may be.
    like: Option<String>,
}

/// Every variable read where it is not set: one per variable and first place, so that a
/// command several jobs call is reported once, naming them all.
#[derive(Default)]
struct Unset<'a> {
    list: Vec<Read<'a>>,
    at: HashMap<(String, Span), usize>,
}

impl<'a> Unset<'a> {
    fn add_job(
        &mut self,
        elsewhere: &BTreeMap<String, Span>,
        known: &BTreeSet<&str>,
        job: &Job<'a>,
        unknown_contexts: &BTreeSet<&'a str>,
        uses: Vec<(String, Span)>,
    ) {
        let mut by_var: BTreeMap<String, Vec<Span>> = BTreeMap::new();
        let mut order: Vec<String> = Vec::new();
        // (A set, not `Vec::contains`: a script may read one variable hundreds of thousands of
        // times.)
        let mut seen: HashSet<(String, Span)> = HashSet::new();
        for (name, span) in uses {
            let spans = by_var.entry(name.clone()).or_default();
            if spans.is_empty() {
                order.push(name.clone());
            }
            if seen.insert((name, span)) {
                spans.push(span);
            }
        }
        for name in order {
            let spans = by_var.remove(&name).unwrap_or_default();
            let key = (name, spans[0]);
            let Some(&i) = self.at.get(&key) else {
                let (name, _) = key.clone();
                self.at.insert(key, self.list.len());
                let set_at = elsewhere.get(&name).copied();
                self.list.push(Read {
                    set_at,
                    set_in_job: set_at
                        .is_some_and(|s| job.node.span.contains(s)),
                    // (Only said when it is set nowhere.)
                    like: set_at
                        .is_none()
                        .then(|| misspelling_of(&name, known).map(str::to_string))
                        .flatten(),
                    name,
                    jobs: vec![job.name.text],
                    spans,
                    contexts: unknown_contexts.clone(),
                });
                continue;
            };
            let read = &mut self.list[i];
            read.jobs.push(job.name.text);
            let old: HashSet<Span> = read.spans.iter().copied().collect();
            read.spans
                .extend(spans.into_iter().filter(|s| !old.contains(s)));
            if unknown_contexts.is_empty() {
                read.contexts.clear();
            } else if !read.contexts.is_empty() {
                read.contexts.extend(unknown_contexts);
            }
            if read.set_at.is_none() && read.like.is_none() {
                read.like = misspelling_of(&read.name, known).map(str::to_string);
            }
        }
    }
}

fn diagnostic(read: Read, declared: bool) -> Diagnostic {
    let Read {
        name,
        jobs,
        spans,
        set_at,
        set_in_job,
        contexts,
        like,
    } = read;
    let (jobs_are, job_s) = match jobs.as_slice() {
        [one] => (format!("job `{one}`"), "job"),
        _ => (format!("jobs {}", join_and(&quoted(&jobs))), "jobs"),
    };
    let message = if set_at.is_some() {
        format!(
            "`{name}` is read here but not set for this step: the config sets it only elsewhere (another job's or step's `environment:`, or another step's script), which does not reach here"
        )
    } else if contexts.is_empty() {
        format!(
            "`{name}` is read here but set nowhere in this config; if it is a project or context variable, declare it in .cilint.toml ([env] project = [\"{name}\"])"
        )
    } else {
        let ctxs: Vec<&str> = contexts.iter().copied().collect();
        let runs = if jobs.len() == 1 { "runs" } else { "run" };
        format!(
            "`{name}` is read here but set nowhere in this config; {jobs_are} {runs} with context {}, which .cilint.toml does not describe, so it may come from there",
            ctxs.iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut d = UNDEFINED_ENV_VAR
        .at(spans[0], message)
        .subject(name.clone())
        .label(format!("read in {jobs_are}"));
    let more = spans.len().saturating_sub(1 + MAX_ALSO_READ);
    for s in spans.iter().skip(1).take(MAX_ALSO_READ) {
        d = d.with_label(*s, "also read here");
    }
    if more > 0 {
        let last = spans[MAX_ALSO_READ];
        d = d.with_label(
            Span::empty(last.end as usize),
            format!("and {more} more times in this {job_s}"),
        );
    }
    if let Some(at) = set_at {
        d = d.with_label(at, "set here, but not for the step above");
    }
    let d = if set_at.is_some() && !set_in_job && crate::lang::secrets::named_like_secret(&name) {
        // A credential the config sets in some other job (an `export` from an assumed role,
        // say) is far more often given to this one by the project settings or a context than
        // forgotten: worth knowing, not a likely bug. Set by another step of the same job, it
        // is the classic slip (an `export` that ends with its step) and stays a warning.
        return d.severity(Severity::Info).help(format!(
            "`{name}` looks like a credential: if the project settings or a context give it to this job, list it in .cilint.toml ([env] project = [\"{name}\"]); otherwise set it where the step sees it (the job's `environment:`, or $BASH_ENV in an earlier step)"
        ));
    } else if set_at.is_some() {
        d.help(format!(
            "set `{name}` where the step sees it: the step's or the job's `environment:`, or write it to $BASH_ENV in an earlier step of the same job"
        ))
    } else if let Some(like) = like {
        d.help(format!(
            "did you mean `{like}`? If not, set `{name}` in the job's `environment:`, or, if it comes from the project settings or a context, list it in .cilint.toml"
        ))
    } else if contexts.is_empty() && crate::lang::secrets::named_like_secret(&name) {
        // A credential is kept in the project settings or a context, which cilint cannot see:
        // worth knowing, not a likely bug.
        return d.severity(Severity::Info).help(format!(
            "`{name}` looks like a credential from the project settings or a context; list it in .cilint.toml ([env] project = [\"{name}\"]) so cilint knows it is set"
        ));
    } else if contexts.is_empty() && declared {
        d.help(format!(
            "set `{name}` in the job's `environment:`, or, if it comes from the project settings or a context, add it to .cilint.toml"
        ))
    } else if contexts.is_empty() {
        // Set nowhere and like no variable the config sets: most such names come from the
        // project settings, a context or the image, which cilint cannot see. An info until
        // .cilint.toml lists the variables; a name close to one the config sets (above) is
        // the likely bug, and stays a warning.
        return d.severity(Severity::Info).help(format!(
            "if `{name}` comes from the project settings, a context or the image, list it in .cilint.toml ([env] project = [\"{name}\"]); otherwise set it in the job's `environment:`"
        ));
    } else {
        let first = contexts.iter().next().copied().unwrap_or("context");
        return d.severity(Severity::Info).help(format!(
            "describe the context in .cilint.toml ([contexts] \"{first}\" = [\"{name}\", ...]) so cilint can tell"
        ));
    };
    if contexts.is_empty() {
        d
    } else {
        d.severity(Severity::Info)
    }
}

fn envs_of<'a>(
    e: &crate::config::model::Environment<'a>,
) -> Vec<Vec<crate::config::model::EnvVar<'a>>> {
    let mut v = vec![e.env.clone()];
    // The primary container's `environment:` is left out: CircleCI interpolates project and
    // context variables there (its docs say only non-primary containers miss out).
    v.extend(e.docker.iter().skip(1).map(|d| d.environment.clone()));
    v
}

fn check_not_expanded(cx: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen: HashSet<Span> = HashSet::new();
    let mut envs: Vec<Vec<crate::config::model::EnvVar>> = Vec::new();
    for scope in cx.scopes() {
        for job in &scope.config.jobs {
            envs.extend(envs_of(&job.env));
        }
        for ex in &scope.config.executors {
            envs.extend(envs_of(&ex.env));
        }
        for (_, st) in scope.config.all_steps() {
            if st.name.is_some_and(|n| n.text == "run")
                && let Some(env) = st.args.and_then(|a| a.get("environment"))
            {
                envs.push(env_vars(env));
            }
        }
    }
    for vars in envs {
        for v in vars {
            let Some(text) = v.value.as_str() else {
                continue;
            };
            if !text.contains('$') || v.value.alias.is_some() || !seen.insert(v.value.span) {
                continue;
            }
            let facts = shell::analyze(text);
            let Some(first) = facts.reads.first() else {
                continue;
            };
            let span = ScalarMap::new(cx.source, v.value).map_or(v.value.span, |m| {
                m.span(first.span.start as usize, first.span.end as usize)
            });
            out.push(
                ENV_NOT_EXPANDED
                    .at(
                        span,
                        format!(
                            "`environment:` values are not shell-expanded: `{}` is set to the literal text `{}`",
                            v.name, text
                        ),
                    )
                    .label(format!("`{}` is not replaced here", first.span.slice(text)))
                    .help(format!(
                        "compute the value in a `run` step and write it to $BASH_ENV for later steps: echo \"export {}={}\" >> \"$BASH_ENV\"",
                        v.name,
                        text.replace('"', "\\\"")
                    )),
            );
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::settings::Settings;

    /// Run one rule's check on a config text.
    pub(crate) fn run_rule(rule: &Rule, src: &str, settings: &Settings) -> Vec<Diagnostic> {
        crate::analysis::context::with_context(src, "test.yml", settings, |cx| {
            let mut out = Vec::new();
            if let Some(check) = rule.check {
                check(cx, &mut out);
            }
            out
        })
    }

    fn undefined(src: &str) -> Vec<(String, Severity, String)> {
        undefined_with(src, &Settings::default())
    }

    fn undefined_with(src: &str, s: &Settings) -> Vec<(String, Severity, String)> {
        run_rule(&UNDEFINED_ENV_VAR, src, s)
            .into_iter()
            .map(|d| {
                (
                    d.primary.span.slice(src).to_string(),
                    d.severity,
                    d.primary.message.clone(),
                )
            })
            .collect()
    }

    fn vars(src: &str) -> Vec<String> {
        undefined(src).into_iter().map(|(s, _, _)| s).collect()
    }

    const HEAD: &str =
        "version: 2.1\njobs:\n  build:\n    docker:\n      - image: cimg/base:2024.01\n";

    #[test]
    fn reads_in_run_steps_point_into_the_block_scalar() {
        let src = format!(
            "{HEAD}    steps:\n      - run: |\n          echo $CIRCLE_BRANCH\n          git push https://heroku:$HEROKU_API_KEY@git.heroku.com/x.git\n      - run:\n          command: deploy --key \"$HEROKU_API_KEY\" $OTHER\n"
        );
        let found = run_rule(&UNDEFINED_ENV_VAR, &src, &Settings::default());
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].primary.span.slice(&src), "$HEROKU_API_KEY");
        assert_eq!(found[0].labels.len(), 1, "the second use is a label");
        assert_eq!(found[0].labels[0].span.slice(&src), "$HEROKU_API_KEY");
        assert_eq!(found[0].primary.message, "read in job `build`");
        assert!(
            found[0]
                .message
                .contains("declare it in .cilint.toml ([env] project = [\"HEROKU_API_KEY\"])")
        );
        assert_eq!(found[1].primary.span.slice(&src), "$OTHER");
        // Set nowhere, and no .cilint.toml lists the project's variables: what cilint cannot
        // see, an info (a credential or not).
        assert_eq!(found[0].severity, Severity::Info);
        assert_eq!(found[1].severity, Severity::Info);
    }

    #[test]
    fn set_by_environments() {
        let src = "version: 2.1\nexecutors:\n  ex:\n    docker:\n      - image: cimg/base:2024.01\n        environment:\n          FROM_IMAGE: 1\n    environment:\n      FROM_EXECUTOR: 1\njobs:\n  build:\n    executor: ex\n    environment:\n      FROM_JOB: 1\n    steps:\n      - run:\n          command: echo $FROM_IMAGE $FROM_EXECUTOR $FROM_JOB $FROM_STEP $NOPE\n          environment:\n            FROM_STEP: 1\n      - run: echo $FROM_STEP\n";
        assert_eq!(vars(src), vec!["$NOPE", "$FROM_STEP"]);
    }

    #[test]
    fn set_by_earlier_scripts_and_bash_env() {
        let src = format!(
            "{HEAD}    steps:\n      - run: echo $EARLY\n      - run: |\n          export A=1\n          echo \"$A\"\n          echo 'export B=2' >> \"$BASH_ENV\"\n          echo \"$B\"\n      - run: echo $B $A\n"
        );
        // `B` is not set in the step that writes it; `A` is not set in a later step.
        assert_eq!(vars(&src), vec!["$EARLY", "$B", "$A"]);
    }

    #[test]
    fn guarded_reads_are_not_reported() {
        let src = format!(
            "{HEAD}    steps:\n      - run: |\n          echo ${{A:-default}} ${{B:+x}}\n          if [ -z \"$C\" ]; then exit 0; fi\n          echo $C '$D' \\$E\n          cat <<'EOF'\n          $F\n          EOF\n"
        );
        assert!(vars(&src).is_empty(), "{:?}", vars(&src));
    }

    #[test]
    fn settings_declare_project_and_context_variables() {
        let src = "version: 2.1\njobs:\n  deploy:\n    docker:\n      - image: cimg/base:2024.01\n    steps:\n      - run: echo $PROJECT_VAR $CTX_VAR $OTHER\nworkflows:\n  main:\n    jobs:\n      - deploy:\n          context: prod\n";
        // The context is not described: info, saying why.
        let found = undefined(src);
        assert_eq!(found.len(), 3);
        assert!(found.iter().all(|(_, s, _)| *s == Severity::Info));
        let d = &run_rule(&UNDEFINED_ENV_VAR, src, &Settings::default())[0];
        assert!(
            d.message
                .contains("context `prod`, which .cilint.toml does not describe")
        );
        let mut s = Settings {
            project_env: vec!["PROJECT_VAR".into()],
            ..Settings::default()
        };
        s.contexts.insert("prod".into(), vec!["CTX_VAR".into()]);
        let found = undefined_with(src, &s);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "$OTHER");
        assert_eq!(found[0].1, Severity::Warning);
    }

    #[test]
    fn commands_arguments_and_env_var_name_parameters() {
        let src = "version: 2.1\norbs:\n  newman: postman/newman@1.0.0\ncommands:\n  push:\n    parameters:\n      key:\n        type: env_var_name\n        default: PUSH_KEY\n      msg:\n        type: string\n    steps:\n      - run: echo $IN_COMMAND << parameters.msg >> $<< parameters.key >>\njobs:\n  build:\n    docker:\n      - image: cimg/base:2024.01\n    steps:\n      - push:\n          msg: $FROM_ARG\n      - push:\n          key: OTHER_KEY\n      - newman/newman-run:\n          collection: https://api.example.com/c?apikey=$POSTMAN_API_KEY\n";
        assert_eq!(
            vars(src),
            vec![
                "PUSH_KEY",
                "$FROM_ARG",
                "$IN_COMMAND",
                "OTHER_KEY",
                "$POSTMAN_API_KEY"
            ]
        );
        // One finding for the command's read, with the job's two calls using the same place.
        let found = run_rule(&UNDEFINED_ENV_VAR, src, &Settings::default());
        assert_eq!(
            found
                .iter()
                .filter(|d| d.message.contains("`IN_COMMAND`"))
                .count(),
            1
        );
    }

    #[test]
    fn one_finding_per_variable_per_job() {
        let src = "version: 2.1\njobs:\n  a:\n    docker: [{image: cimg/base:2024.01}]\n    steps:\n      - run: echo $K; echo $K\n  b:\n    docker: [{image: cimg/base:2024.01}]\n    steps:\n      - run: echo $K\n";
        let found = run_rule(&UNDEFINED_ENV_VAR, src, &Settings::default());
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].labels.len(), 1);
    }

    /// A command several jobs call: one finding at the read, naming every job; a job without
    /// an undescribed context makes it a warning.
    #[test]
    fn a_read_shared_by_jobs_is_one_finding() {
        let src = "version: 2.1
commands:
  notify:
    steps:
      - run: curl \"$HOOK\"
jobs:
  a:
    docker: [{image: cimg/base:2024.01}]
    steps: [notify]
  b:
    docker: [{image: cimg/base:2024.01}]
    steps:
      - notify
      - run: echo \"$HOOK\"
  c:
    docker: [{image: cimg/base:2024.01}]
    steps: [notify]
workflows:
  main:
    jobs:
      - a:
          context: chat
      - b:
          context: team
      - c
";
        let found = run_rule(&UNDEFINED_ENV_VAR, src, &Settings::default());
        assert_eq!(found.len(), 1, "{found:#?}");
        let d = &found[0];
        assert_eq!(d.primary.span.slice(src), "$HOOK");
        assert_eq!(d.primary.message, "read in jobs `a`, `b` and `c`");
        assert_eq!(d.severity, Severity::Info);
        assert!(
            d.message.contains("set nowhere in this config; if it is"),
            "{}",
            d.message
        );
        // Job `b`'s own read is kept.
        assert_eq!(d.labels.len(), 1);
        assert_eq!(d.labels[0].message, "also read here");

        // Every job with an undescribed context: info, naming them and their contexts.
        let src = src.replace("      - c\n", "      - c:\n          context: chat\n");
        let found = run_rule(&UNDEFINED_ENV_VAR, &src, &Settings::default());
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].severity, Severity::Info);
        assert!(
            found[0].message.contains(
                "jobs `a`, `b` and `c` run with context `chat`, `team`, which .cilint.toml"
            ),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn other_shells_are_skipped() {
        let src = format!(
            "{HEAD}    steps:\n      - run:\n          shell: python3\n          command: print('$X')\n      - run:\n          shell: powershell.exe\n          command: echo $env:Y\n      - run:\n          shell: /bin/bash -eo pipefail\n          command: echo $Z\n"
        );
        assert_eq!(vars(&src), vec!["$Z"]);
    }

    #[test]
    fn a_when_step_switched_off_by_the_values_given_reads_nothing() {
        // `build` calls the command with its switch off: the read inside `when` never runs
        // there; `full` turns it on through the job's parameter and misses the variable.
        let src = "version: 2.1\ncommands:\n  make:\n    parameters:\n      build: {type: boolean, default: true}\n    steps:\n      - when:\n          condition: << parameters.build >>\n          steps:\n            - run: echo $GN_CONFIG\njobs:\n  cache:\n    docker: [{image: cimg/base:2024.01}]\n    steps:\n      - make:\n          build: false\n  full:\n    parameters:\n      on: {type: boolean, default: false}\n    docker: [{image: cimg/base:2024.01}]\n    steps:\n      - make:\n          build: << parameters.on >>\nworkflows:\n  w:\n    jobs:\n      - cache\n      - full:\n          on: true\n";
        let found = run_rule(&UNDEFINED_ENV_VAR, src, &Settings::default());
        assert_eq!(found.len(), 1, "{found:?}");
        // (`cache` alone reads nothing: below.)
        // Nobody turns it on: nothing is read.
        let off = src.replace("on: true", "on: false");
        assert!(run_rule(&UNDEFINED_ENV_VAR, &off, &Settings::default()).is_empty());
    }

    #[test]
    fn a_job_no_workflow_runs_reads_nothing() {
        let src = "version: 2.1\njobs:\n  template: &t\n    docker: [{image: cimg/base:2024.01}]\n    steps:\n      - run: echo $PLATFORM\n  amd64:\n    <<: *t\n    environment: {PLATFORM: amd64}\nworkflows:\n  w:\n    jobs: [amd64]\n";
        assert!(run_rule(&UNDEFINED_ENV_VAR, src, &Settings::default()).is_empty());
        // The template run by a workflow reads it unset.
        let run = src.replace("jobs: [amd64]", "jobs: [amd64, template]");
        assert_eq!(run_rule(&UNDEFINED_ENV_VAR, &run, &Settings::default()).len(), 1);
    }

    #[test]
    fn an_executor_chosen_by_a_parameter_brings_its_environment() {
        // The default, an argument and matrix values each name an executor that sets a
        // variable; the job reads all three.
        let src = "version: 2.1\nexecutors:\n  a:\n    docker: [{image: cimg/base:2024.01}]\n    environment: {FROM_A: 1}\n  b:\n    docker: [{image: cimg/base:2024.01}]\n    environment: {FROM_B: 1}\n  c:\n    docker: [{image: cimg/base:2024.01}]\n    environment: {FROM_C: 1}\njobs:\n  build:\n    parameters:\n      ex: {type: executor, default: a}\n    executor: << parameters.ex >>\n    steps:\n      - run: echo $FROM_A $FROM_B $FROM_C $NOPE\nworkflows:\n  w:\n    jobs:\n      - build\n      - build:\n          name: on-b\n          ex: b\n      - build:\n          matrix:\n            parameters:\n              ex: [c]\n";
        let names: Vec<String> = undefined(src).into_iter().map(|(n, _, _)| n).collect();
        assert_eq!(names, ["$NOPE"]);
    }

    #[test]
    fn windows_executors_are_skipped() {
        let src = "version: 2.1\norbs:\n  win: circleci/windows@5.0\nexecutors:\n  local-win:\n    machine:\n      image: windows-server-2022-gui:current\n    resource_class: windows.medium\njobs:\n  a:\n    executor: win/default\n    steps:\n      - run: $X = 1; echo $Y\n  b:\n    executor:\n      name: win/default\n      shell: bash.exe\n    steps:\n      - run: echo $B\n  c:\n    executor: local-win\n    steps:\n      - run: echo $C\n";
        assert_eq!(vars(src), vec!["$B"]);
    }

    #[test]
    fn set_elsewhere_is_said() {
        let src = format!(
            "{HEAD}    steps:\n      - run: export TOKEN=abc\n      - run: echo $TOKEN\n      - run:\n          command: echo $VARIANT\n          environment:\n            VARIANT: x\n      - run: echo $VARIANT\n"
        );
        let found = run_rule(&UNDEFINED_ENV_VAR, &src, &Settings::default());
        assert_eq!(found.len(), 2);
        assert!(found[0].message.contains("not set for this step"));
        assert_eq!(found[0].labels[0].span.slice(&src), "TOKEN=abc");
        assert_eq!(found[1].labels[0].span.slice(&src), "VARIANT");
        assert!(found.iter().all(|d| d.severity == Severity::Warning));
    }

    #[test]
    fn a_step_environment_value_reads_nothing() {
        // CircleCI does not expand `$API_KEY` here: the step gets the literal text, which
        // `env-not-expanded` reports; it is no read of an unset variable.
        let src = format!(
            "{HEAD}    steps:\n      - run:\n          command: ./test.sh\n          environment:\n            API_KEY: $API_KEY\n"
        );
        assert!(run_rule(&UNDEFINED_ENV_VAR, &src, &Settings::default()).is_empty());
        assert_eq!(run_rule(&ENV_NOT_EXPANDED, &src, &Settings::default()).len(), 1);
    }

    #[test]
    fn a_credential_set_in_another_job_is_an_info() {
        // `other` exports AWS_ACCESS_KEY_ID from an assumed role; `deploy` reads it, most likely
        // from the project settings or a context.
        let src = "version: 2.1\njobs:\n  other:\n    docker: [{image: cimg/base:2024.01}]\n    steps:\n      - run: echo \"export AWS_ACCESS_KEY_ID=$(jq -r .Id r.json)\" >> $BASH_ENV\n  deploy:\n    docker: [{image: cimg/base:2024.01}]\n    steps:\n      - run: aws configure set aws_access_key_id \"$AWS_ACCESS_KEY_ID\"\nworkflows:\n  w:\n    jobs: [other, deploy]\n";
        let found = run_rule(&UNDEFINED_ENV_VAR, src, &Settings::default());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].severity, Severity::Info);
        assert!(found[0].help.as_deref().unwrap_or("").contains("looks like a credential"));
    }

    #[test]
    fn misspellings_of_known_variables_are_suggested() {
        let src = format!(
            "{HEAD}    steps:\n      - run: |\n          SUPPORTED_PLATFORM=$(uname -m)\n          echo $SUPPORT_PLATFORM\n          export LD_LIBRARY_PATH=$LD_LIBARY_PATH:/x\n          echo $CIRCLE_BRANH $DEPLOY_KEY\n"
        );
        let found = run_rule(&UNDEFINED_ENV_VAR, &src, &Settings::default());
        let helps: Vec<(&str, &str)> = found
            .iter()
            .map(|d| (d.span().slice(&src), d.help.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(helps.len(), 4, "{helps:?}");
        assert!(helps[0].1.starts_with("did you mean `SUPPORTED_PLATFORM`?"));
        assert!(helps[1].1.starts_with("did you mean `LD_LIBRARY_PATH`?"));
        assert!(helps[2].1.starts_with("did you mean `CIRCLE_BRANCH`?"));
        // Nothing close: no guess (a credential's name: list it in .cilint.toml).
        assert!(
            helps[3]
                .1
                .starts_with("`DEPLOY_KEY` looks like a credential")
        );
        assert_eq!(found[3].severity, Severity::Info);
        assert!(found[..3].iter().all(|d| d.severity == Severity::Warning));
    }

    #[test]
    fn nested_command_calls_stay_bounded() {
        // Each command calls the next one twice: 2^20 calls if expanded without a bound.
        let mut src = String::from("version: 2.1\ncommands:\n");
        for i in 0..20 {
            src.push_str(&format!(
                "  c{i}:\n    steps:\n      - c{n}\n      - c{n}\n      - run: echo $V{i}\n",
                n = i + 1
            ));
        }
        src.push_str("  c20:\n    steps:\n      - run: echo $LAST\n");
        src.push_str("jobs:\n  j:\n    docker: [{image: cimg/base:2024.01}]\n    steps: [c0]\n");
        let start = std::time::Instant::now();
        let found = run_rule(&UNDEFINED_ENV_VAR, &src, &Settings::default());
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        assert!(found.iter().any(|d| d.message.contains("`V1`")));
    }

    #[test]
    fn job_env_var_name_parameters() {
        let src = "version: 2.1\njobs:\n  j:\n    parameters:\n      token:\n        type: env_var_name\n        default: DEFAULT_TOKEN\n    docker: [{image: cimg/base:2024.01}]\n    steps:\n      - run: echo ${<< parameters.token >>}\nworkflows:\n  w:\n    jobs:\n      - j:\n          token: PASSED_TOKEN\n";
        assert_eq!(vars(src), vec!["PASSED_TOKEN"]);
    }

    #[test]
    fn env_not_expanded() {
        let src = format!(
            "{HEAD}    environment:\n      PATH: $PATH:/opt/bin\n      PLAIN: value\n      TPL: << pipeline.git.branch >>\n    steps:\n      - run:\n          command: echo\n          environment:\n            KEY: ${{SECRET}}\n"
        );
        let found = run_rule(&ENV_NOT_EXPANDED, &src, &Settings::default());
        let spans: Vec<&str> = found.iter().map(|d| d.primary.span.slice(&src)).collect();
        assert_eq!(spans, vec!["$PATH", "${SECRET}"]);
        assert!(
            found[0]
                .message
                .contains("`PATH` is set to the literal text `$PATH:/opt/bin`")
        );
    }

    /// The bad example of each of these rules' docs fires the rule; the good one does not.
    #[test]
    fn doc_examples() {
        use crate::rules::{images, secrets};
        fn block<'d>(doc: &'d str, heading: &str) -> &'d str {
            let at = doc.find(heading).expect("heading");
            let rest = &doc[at..];
            let start = rest.find("```yaml\n").expect("yaml block") + 8;
            let end = rest[start..].find("```").expect("end of block");
            &rest[start..start + end]
        }
        for rule in [
            &UNDEFINED_ENV_VAR,
            &ENV_NOT_EXPANDED,
            &secrets::SECRET_IN_URL,
            &secrets::HARDCODED_SECRET,
            &images::IMAGE_UNPINNED,
            &images::DEPRECATED_IMAGE,
        ] {
            let s = Settings::default();
            let bad = run_rule(rule, block(rule.explanation, "## Bad"), &s);
            assert!(!bad.is_empty(), "{}: bad example fires", rule.id);
            let good = run_rule(rule, block(rule.explanation, "## Good"), &s);
            assert!(
                good.is_empty(),
                "{}: good example is clean: {good:?}",
                rule.id
            );
        }
    }
}
