//! Jobs, commands, executors, steps and parameter declarations.

use super::{Name, entries, one_or_many};
use crate::base::span::Span;
use crate::yaml::{Node, ScalarStyle, Value};

/// A parameter's declared `type:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    String,
    Boolean,
    Integer,
    Enum,
    Executor,
    Steps,
    EnvVarName,
}

impl ParamType {
    pub fn parse(s: &str) -> Option<ParamType> {
        Some(match s {
            "string" => ParamType::String,
            "boolean" => ParamType::Boolean,
            "integer" => ParamType::Integer,
            "enum" => ParamType::Enum,
            "executor" => ParamType::Executor,
            "steps" => ParamType::Steps,
            "env_var_name" => ParamType::EnvVarName,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Boolean => "boolean",
            ParamType::Integer => "integer",
            ParamType::Enum => "enum",
            ParamType::Executor => "executor",
            ParamType::Steps => "steps",
            ParamType::EnvVarName => "env_var_name",
        }
    }
}

/// A parameter declaration (of a job, command, executor, or the pipeline).
#[derive(Clone, Debug)]
pub struct ParamDecl<'a> {
    pub name: Name<'a>,
    /// The declaration's body.
    pub node: &'a Node,
    pub ty: Option<ParamType>,
    /// The `type:` value node.
    pub ty_node: Option<&'a Node>,
    pub default: Option<&'a Node>,
    /// `enum:` values.
    pub enum_values: Vec<&'a Node>,
}

impl<'a> ParamDecl<'a> {
    /// The declarations under a `parameters:` mapping.
    pub fn list(node: &'a Node) -> Vec<ParamDecl<'a>> {
        entries(node)
            .filter_map(|(k, v)| {
                let name = Name::of(k)?;
                let ty_node = v.get("type");
                Some(ParamDecl {
                    name,
                    node: v,
                    ty: ty_node.and_then(|t| t.as_str()).and_then(ParamType::parse),
                    ty_node,
                    default: v.get("default"),
                    enum_values: v
                        .get("enum")
                        .and_then(|e| e.as_seq())
                        .map(|s| s.iter().collect())
                        .unwrap_or_default(),
                })
            })
            .collect()
    }

    /// A parameter must be given at the call when it has no default.
    pub fn is_required(&self) -> bool {
        self.default.is_none()
    }
}

/// An argument passed at a call (`key: value`).
#[derive(Clone, Copy, Debug)]
pub struct Arg<'a> {
    pub key: &'a Node,
    pub name: Name<'a>,
    pub value: &'a Node,
}

/// An environment variable set in an `environment:` mapping (or list of one-key mappings, or
/// list of `KEY=VALUE` strings).
#[derive(Clone, Copy, Debug)]
pub struct EnvVar<'a> {
    pub name: Name<'a>,
    /// The value; for a `KEY=VALUE` item, the whole item (its text starts with `KEY=`).
    pub value: &'a Node,
}

/// The variables of an `environment:` value: a mapping, or a list whose items are one-key
/// mappings or `KEY=VALUE` strings (CircleCI accepts all three forms).
pub fn env_vars(node: &Node) -> Vec<EnvVar<'_>> {
    let mut out = Vec::new();
    match node.as_seq() {
        Some(items) => {
            for item in items {
                if let Some(var) = key_value_item(item) {
                    out.push(var);
                    continue;
                }
                for (k, v) in entries(item) {
                    if let Some(name) = Name::of(k) {
                        out.push(EnvVar { name, value: v });
                    }
                }
            }
        }
        // One `KEY=VALUE` string (accepted by CircleCI, as a list of one such item).
        None if node.as_str().is_some() => out.extend(key_value_item(node)),
        None => {
            for (k, v) in entries(node) {
                if let Some(name) = Name::of(k) {
                    out.push(EnvVar { name, value: v });
                }
            }
        }
    }
    out
}

/// A `KEY=VALUE` list item: the name is the text before the first `=`.
fn key_value_item(item: &Node) -> Option<EnvVar<'_>> {
    let Value::Scalar(s) = &item.value else {
        return None;
    };
    let text = item.as_str()?;
    let name = &text[..text.find('=')?];
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    // The name's place in the file: after the opening quote of a quoted scalar.
    let quote = u32::from(!matches!(s.style, ScalarStyle::Plain));
    let start = item.span.start + quote;
    Some(EnvVar {
        name: Name {
            text: name,
            span: Span {
                start,
                end: (start + name.len() as u32).min(item.span.end),
            },
        },
        value: item,
    })
}

/// One image under `docker:`.
#[derive(Clone, Debug)]
pub struct DockerImage<'a> {
    pub node: &'a Node,
    pub image: Option<&'a Node>,
    pub environment: Vec<EnvVar<'a>>,
}

/// Where a job or executor runs.
#[derive(Clone, Debug, Default)]
pub struct Environment<'a> {
    /// `docker:` images; the first is the primary container.
    pub docker: Vec<DockerImage<'a>>,
    pub docker_key: Option<&'a Node>,
    /// `machine:` (key, value).
    pub machine: Option<(&'a Node, &'a Node)>,
    /// `macos:` (key, value).
    pub macos: Option<(&'a Node, &'a Node)>,
    pub shell: Option<&'a Node>,
    /// `environment:` variables.
    pub env: Vec<EnvVar<'a>>,
    pub resource_class: Option<&'a Node>,
    pub working_directory: Option<&'a Node>,
}

impl<'a> Environment<'a> {
    fn read(body: &'a Node) -> Environment<'a> {
        let mut e = Environment::default();
        for (k, v) in entries(body) {
            match k.scalar_text() {
                Some("docker") => {
                    e.docker_key = Some(k);
                    e.docker = v
                        .as_seq()
                        .unwrap_or(&[])
                        .iter()
                        .map(|item| DockerImage {
                            node: item,
                            image: item.get("image"),
                            environment: item.get("environment").map(env_vars).unwrap_or_default(),
                        })
                        .collect();
                }
                Some("machine") => e.machine = Some((k, v)),
                Some("macos") => e.macos = Some((k, v)),
                Some("shell") => e.shell = Some(v),
                Some("environment") => e.env = env_vars(v),
                Some("resource_class") => e.resource_class = Some(v),
                Some("working_directory") => e.working_directory = Some(v),
                _ => {}
            }
        }
        e
    }
}

/// `executor: name` or `executor: { name: x, arg: ... }` in a job.
#[derive(Clone, Debug)]
pub struct ExecutorRef<'a> {
    /// The `executor:` key.
    pub key: &'a Node,
    /// The value (a string or a mapping).
    pub node: &'a Node,
    pub name: Option<Name<'a>>,
    pub args: Vec<Arg<'a>>,
}

impl<'a> ExecutorRef<'a> {
    fn build(key: &'a Node, value: &'a Node) -> ExecutorRef<'a> {
        if value.as_map().is_some() {
            let name = value.get("name").and_then(Name::of);
            let args = entries(value)
                .filter(|(k, _)| k.scalar_text() != Some("name"))
                .filter_map(|(k, v)| {
                    Some(Arg {
                        key: k,
                        name: Name::of(k)?,
                        value: v,
                    })
                })
                .collect();
            ExecutorRef {
                key,
                node: value,
                name,
                args,
            }
        } else {
            ExecutorRef {
                key,
                node: value,
                name: Name::of(value),
                args: Vec::new(),
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct Executor<'a> {
    pub name: Name<'a>,
    pub node: &'a Node,
    /// For an executor written as the name of another (`windows: win/default`), that name.
    pub refers_to: Option<Name<'a>>,
    pub parameters: Vec<ParamDecl<'a>>,
    pub env: Environment<'a>,
}

impl<'a> Executor<'a> {
    pub(super) fn build(key: &'a Node, value: &'a Node) -> Option<Executor<'a>> {
        Some(Executor {
            name: Name::of(key)?,
            node: value,
            refers_to: value.as_str().map(|_| Name::of(value)).unwrap_or_default(),
            parameters: value
                .get("parameters")
                .map(ParamDecl::list)
                .unwrap_or_default(),
            env: Environment::read(value),
        })
    }
}

#[derive(Clone, Debug)]
pub struct Command<'a> {
    pub name: Name<'a>,
    pub node: &'a Node,
    pub parameters: Vec<ParamDecl<'a>>,
    pub steps: Vec<Step<'a>>,
}

impl<'a> Command<'a> {
    pub(super) fn build(key: &'a Node, value: &'a Node) -> Option<Command<'a>> {
        Some(Command {
            name: Name::of(key)?,
            node: value,
            parameters: value
                .get("parameters")
                .map(ParamDecl::list)
                .unwrap_or_default(),
            steps: value.get("steps").map(Step::list).unwrap_or_default(),
        })
    }
}

#[derive(Clone, Debug)]
pub struct Job<'a> {
    pub name: Name<'a>,
    pub node: &'a Node,
    pub parameters: Vec<ParamDecl<'a>>,
    pub steps: Vec<Step<'a>>,
    pub executor: Option<ExecutorRef<'a>>,
    pub env: Environment<'a>,
    /// `type:` (build, approval, no-op, release, lock, unlock).
    pub job_type: Option<&'a Node>,
    pub parallelism: Option<&'a Node>,
}

impl<'a> Job<'a> {
    pub(super) fn build(key: &'a Node, value: &'a Node) -> Option<Job<'a>> {
        Some(Job {
            name: Name::of(key)?,
            node: value,
            parameters: value
                .get("parameters")
                .map(ParamDecl::list)
                .unwrap_or_default(),
            steps: value.get("steps").map(Step::list).unwrap_or_default(),
            executor: value
                .entry("executor")
                .map(|(k, v)| ExecutorRef::build(k, v)),
            env: Environment::read(value),
            job_type: value.get("type"),
            parallelism: value.get("parallelism"),
        })
    }

    /// True for `type: approval` jobs defined in `jobs:` (rare, but allowed).
    pub fn is_approval(&self) -> bool {
        self.job_type.and_then(|t| t.as_str()) == Some("approval")
    }

    /// A job that runs steps but says nowhere where: none of `docker`, `machine`, `macos` or
    /// `executor`, and not a job type that runs no steps.
    pub fn lacks_executor(&self) -> bool {
        self.node.as_map().is_some()
            && !EXECUTOR_KEYS.iter().any(|k| self.node.get(k).is_some())
            && !self
                .job_type
                .and_then(|t| t.as_str())
                .is_some_and(|t| STEPLESS_JOB_TYPES.contains(&t))
    }
}

/// The keys that say where a job runs.
pub const EXECUTOR_KEYS: &[&str] = &["docker", "machine", "macos", "executor"];

/// Job types that run no steps, and so need no executor.
pub const STEPLESS_JOB_TYPES: &[&str] = &["approval", "no-op", "release", "lock", "unlock"];

/// YAML 1.1 boolean words (CircleCI's parser reads them as booleans; a `boolean` parameter also
/// takes `y` and `n`).
pub fn is_bool_word(t: &str) -> bool {
    matches!(
        t,
        "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "yes"
            | "Yes"
            | "YES"
            | "no"
            | "No"
            | "NO"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
            | "y"
            | "Y"
            | "n"
            | "N"
    )
}

/// The truth of a boolean word (see [`is_bool_word`]).
pub fn bool_word(t: &str) -> Option<bool> {
    is_bool_word(t).then(|| matches!(t.to_ascii_lowercase().as_str(), "true" | "yes" | "on" | "y"))
}

/// A name an `env_var_name` parameter takes: letters, digits and `_`, not starting with a digit.
pub fn is_env_var_name(t: &str) -> bool {
    let mut chars = t.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Enum values compare as text, and numbers by value (`3.10` is the number 3.1 to YAML).
pub fn same_enum_value(a: &str, b: &str) -> bool {
    a == b || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
}

/// The steps CircleCI itself provides.
pub const BUILTIN_STEPS: &[&str] = &[
    "run",
    "checkout",
    "setup_remote_docker",
    "save_cache",
    "restore_cache",
    "store_artifacts",
    "store_test_results",
    "persist_to_workspace",
    "attach_workspace",
    "add_ssh_keys",
    "install_signing_bundle",
    "deploy",
    "when",
    "unless",
    // `- steps: << parameters.x >>` inserts a `steps` parameter's steps.
    "steps",
];

/// True for the name of a step CircleCI provides (see [`Step::is_builtin`]).
pub fn is_builtin_step(name: &str) -> bool {
    name == "steps"
        || BUILTIN_STEPS.contains(&name)
        || (name.contains('-') && BUILTIN_STEPS.contains(&name.replace('-', "_").as_str()))
}

/// What a step is.
#[derive(Clone, Debug)]
pub enum StepKind<'a> {
    /// A step CircleCI provides (`run`, `checkout`...), or a local/orb command call.
    Call,
    /// `when:`/`unless:` with `condition:` and nested `steps:`.
    Conditional {
        /// `true` for `when`, `false` for `unless`.
        when: bool,
        condition: Option<&'a Node>,
        steps: Vec<Step<'a>>,
    },
    /// A step of a shape that names nothing (a list, a number, an empty map, a map with
    /// several keys: the schema and `step-shape` report it).
    Malformed,
}

/// One step.
#[derive(Clone, Debug)]
pub struct Step<'a> {
    /// The list item.
    pub node: &'a Node,
    /// The step's name: `run`, `checkout`, `node/install`, `my-command`.
    pub name: Option<Name<'a>>,
    /// The value under the name (`None` for the string form `- checkout`).
    pub args: Option<&'a Node>,
    pub kind: StepKind<'a>,
}

impl<'a> Step<'a> {
    pub fn list(node: &'a Node) -> Vec<Step<'a>> {
        node.as_seq()
            .unwrap_or(&[])
            .iter()
            .map(Step::build)
            .collect()
    }

    fn build(node: &'a Node) -> Step<'a> {
        if node.as_str().is_some() {
            return Step {
                node,
                name: Name::of(node),
                args: None,
                kind: StepKind::Call,
            };
        }
        match node.as_map() {
            Some([(k, v)]) => {
                let name = Name::of(k);
                let kind = match name.map(|n| n.text) {
                    Some(w @ ("when" | "unless")) if v.as_map().is_some() => {
                        StepKind::Conditional {
                            when: w == "when",
                            condition: v.get("condition"),
                            steps: v.get("steps").map(Step::list).unwrap_or_default(),
                        }
                    }
                    Some(_) => StepKind::Call,
                    None => StepKind::Malformed,
                };
                Step {
                    node,
                    name,
                    args: Some(v),
                    kind,
                }
            }
            _ => Step {
                node,
                name: None,
                args: None,
                kind: StepKind::Malformed,
            },
        }
    }

    /// A step CircleCI provides: the built-in steps, their old hyphenated spellings
    /// (`save-cache`, still accepted and found in real configs), and `steps:` (which splices a
    /// `steps` parameter into the list).
    pub fn is_builtin(&self) -> bool {
        self.name.is_some_and(|n| is_builtin_step(n.text))
    }

    /// Visit this step and every step nested in it.
    pub fn walk<'s>(&'s self, f: &mut dyn FnMut(&'s Step<'a>)) {
        f(self);
        if let StepKind::Conditional { steps, .. } = &self.kind {
            for s in steps {
                s.walk(f);
            }
        }
    }

    /// The arguments of a call step as (key, value) pairs (empty for the string form).
    pub fn arguments(&self) -> Vec<Arg<'a>> {
        self.args
            .map(|a| {
                entries(a)
                    .filter_map(|(k, v)| {
                        Some(Arg {
                            key: k,
                            name: Name::of(k)?,
                            value: v,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// For a `run` step: the command text node (`run: text` or `run: { command: text }`).
    pub fn run_command(&self) -> Option<&'a Node> {
        if self.name?.text != "run" {
            return None;
        }
        let args = self.args?;
        if args.as_map().is_some() {
            args.get("command")
        } else {
            Some(args)
        }
    }

    /// The span to point at for the step's name (or the whole item).
    pub fn name_span(&self) -> Span {
        self.name.map_or(self.node.span, |n| n.span)
    }
}

/// The context names of an invocation (`context: name` or a list).
pub fn context_names(node: &Node) -> Vec<Name<'_>> {
    one_or_many(node).into_iter().filter_map(Name::of).collect()
}
