//! What a plan is for: the ref pushed, the trigger, the pipeline parameters given, and the
//! pipeline values they make.

use crate::base::text::closest;
use crate::config::model::{Config, ParamType};
use crate::lang::filters::GitRef;
use crate::lang::mustache::{Env, PipelineValue};
use crate::yaml::{Node, ScalarKind};
use std::path::Path;

// ---------------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------------

/// What started the pipeline (`pipeline.trigger_source`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Trigger {
    /// A push (or pull request) webhook from the VCS.
    #[default]
    Webhook,
    /// The API (or "Trigger pipeline" in the web app).
    Api,
    /// A scheduled pipeline (schedule trigger).
    ScheduledPipeline,
}

impl Trigger {
    /// The value of `pipeline.trigger_source`.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Webhook => "webhook",
            Trigger::Api => "api",
            Trigger::ScheduledPipeline => "scheduled_pipeline",
        }
    }

    pub(crate) fn pipeline_words(self) -> &'static str {
        match self {
            Trigger::Webhook => "a pipeline triggered by a push",
            Trigger::Api => "a pipeline triggered through the API",
            Trigger::ScheduledPipeline => "a scheduled pipeline",
        }
    }
}

/// What to plan for.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanInput {
    pub git_ref: GitRef,
    pub trigger: Trigger,
    /// `pipeline.schedule.name` for a scheduled pipeline (unknown when not given).
    pub schedule_name: Option<String>,
    /// Pipeline parameters given (see [`parse_param`]); they override the declared defaults.
    pub params: Vec<(String, PipelineValue)>,
}

impl PlanInput {
    pub fn branch(name: impl Into<String>) -> PlanInput {
        PlanInput {
            git_ref: GitRef::Branch(name.into()),
            trigger: Trigger::Webhook,
            schedule_name: None,
            params: Vec::new(),
        }
    }

    pub fn tag(name: impl Into<String>) -> PlanInput {
        PlanInput {
            git_ref: GitRef::Tag(name.into()),
            ..PlanInput::branch("")
        }
    }

    /// "branch `main`" or "tag `v1.0.0`".
    pub fn ref_words(&self) -> String {
        match &self.git_ref {
            GitRef::Branch(b) => format!("branch `{b}`"),
            GitRef::Tag(t) => format!("tag `{t}`"),
        }
    }
}

/// Read one `--param KEY=VALUE` against the config's declared pipeline parameters: booleans
/// take `true`/`false`, integers a whole number, enums one of their values, strings anything.
/// `Err` is the usage error, listing the declared parameters.
pub fn parse_param(config: &Config<'_>, arg: &str) -> Result<(String, PipelineValue), String> {
    let Some((key, value)) = arg.split_once('=') else {
        return Err(format!(
            "`--param` takes KEY=VALUE, not `{arg}`; {}",
            declared_list(config)
        ));
    };
    let key = key.trim();
    let key = key.strip_prefix("pipeline.parameters.").unwrap_or(key);
    let Some(decl) = config.pipeline_parameter(key) else {
        let near = closest(key, config.parameters.iter().map(|p| p.name.text));
        let hint = match near.first() {
            Some(n) => format!(" (did you mean `{n}`?)"),
            None => String::new(),
        };
        return Err(format!(
            "unknown pipeline parameter `{key}`{hint}; {}",
            declared_list(config)
        ));
    };
    let bad = |what: &str| {
        Err(format!(
            "pipeline parameter `{key}` is {what}, not `{value}`; {}",
            declared_list(config)
        ))
    };
    let v = match decl.ty {
        Some(ParamType::Boolean) => match value {
            "true" => PipelineValue::Bool(true),
            "false" => PipelineValue::Bool(false),
            _ => return bad("a boolean (`true` or `false`)"),
        },
        Some(ParamType::Integer) => match value.trim().parse::<i64>() {
            Ok(i) => PipelineValue::Int(i),
            Err(_) => return bad("an integer"),
        },
        Some(ParamType::Enum) => {
            if decl
                .enum_values
                .iter()
                .any(|e| e.scalar_text() == Some(value))
            {
                PipelineValue::Str(value.to_string())
            } else {
                let values: Vec<String> = decl
                    .enum_values
                    .iter()
                    .filter_map(|e| e.scalar_text())
                    .map(|e| format!("`{e}`"))
                    .collect();
                return bad(&format!("one of {}", values.join(", ")));
            }
        }
        Some(ParamType::Steps | ParamType::Executor) => {
            return Err(format!(
                "pipeline parameter `{key}` has type `{}`, which `--param` cannot set",
                decl.ty.map_or("", ParamType::as_str)
            ));
        }
        _ => PipelineValue::Str(value.to_string()),
    };
    Ok((key.to_string(), v))
}

/// "the config declares: `a` (boolean), `b` (enum: `x`, `y`)".
fn declared_list(config: &Config<'_>) -> String {
    if config.parameters.is_empty() {
        return "the config declares no pipeline parameters".to_string();
    }
    let items: Vec<String> = config
        .parameters
        .iter()
        .map(|p| {
            let ty = p.ty.map_or("untyped", ParamType::as_str);
            if p.ty == Some(ParamType::Enum) {
                let values: Vec<String> = p
                    .enum_values
                    .iter()
                    .filter_map(|e| e.scalar_text())
                    .map(|e| format!("`{e}`"))
                    .collect();
                format!("`{}` (enum: {})", p.name.text, values.join(", "))
            } else {
                format!("`{}` ({ty})", p.name.text)
            }
        })
        .collect();
    format!("the config declares: {}", items.join(", "))
}

/// A YAML value as a pipeline value (a declared default).
fn node_value(node: &Node) -> Option<PipelineValue> {
    let s = node.as_scalar()?;
    Some(match s.kind {
        ScalarKind::Null => PipelineValue::Null,
        ScalarKind::Bool(b) => PipelineValue::Bool(b),
        ScalarKind::Int(i) => PipelineValue::Int(i),
        ScalarKind::Float(_) | ScalarKind::Str => PipelineValue::Str(s.text.to_string()),
    })
}

/// Where a pipeline parameter's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamSource {
    /// `--param`.
    Given,
    /// The declared `default`.
    Default,
    /// Neither: the value is unknown.
    None,
}

impl ParamSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamSource::Given => "given",
            ParamSource::Default => "default",
            ParamSource::None => "none",
        }
    }
}

/// The pipeline values a plan evaluates with, and the parameters with where they came from.
pub fn environment(
    config: &Config<'_>,
    input: &PlanInput,
) -> (Env, Vec<(String, Option<PipelineValue>, ParamSource)>) {
    let mut env = Env::new();
    let (branch, tag) = match &input.git_ref {
        GitRef::Branch(b) => (b.clone(), String::new()),
        GitRef::Tag(t) => (String::new(), t.clone()),
    };
    env.set("pipeline.git.branch", PipelineValue::Str(branch));
    env.set("pipeline.git.tag", PipelineValue::Str(tag));
    env.set(
        "pipeline.trigger_source",
        PipelineValue::Str(input.trigger.as_str().to_string()),
    );
    match (input.trigger, &input.schedule_name) {
        (_, Some(name)) => {
            env.set("pipeline.schedule.name", PipelineValue::Str(name.clone()));
        }
        (Trigger::ScheduledPipeline, None) => {}
        (_, None) => {
            env.set("pipeline.schedule.name", PipelineValue::Str(String::new()));
            env.set("pipeline.schedule.id", PipelineValue::Str(String::new()));
        }
    }
    let mut params = Vec::new();
    for p in &config.parameters {
        let given = input
            .params
            .iter()
            .rev()
            .find(|(k, _)| k == p.name.text)
            .map(|(_, v)| v.clone());
        let (value, source) = match given {
            Some(v) => (Some(v), ParamSource::Given),
            None => match p.default.and_then(node_value) {
                Some(v) => (Some(v), ParamSource::Default),
                None => (None, ParamSource::None),
            },
        };
        if let Some(v) = &value {
            env.set(format!("pipeline.parameters.{}", p.name.text), v.clone());
        }
        params.push((p.name.text.to_string(), value, source));
    }
    (env, params)
}

/// The current branch of the git repository that holds `dir` (read from `.git/HEAD`, following
/// a `.git` file of a worktree). `None` outside a repository or on a detached HEAD.
pub fn current_branch(dir: &Path) -> Option<String> {
    for d in dir.ancestors() {
        let git = d.join(".git");
        let head = if git.is_dir() {
            git.join("HEAD")
        } else if git.is_file() {
            let text = std::fs::read_to_string(&git).ok()?;
            let target = text.trim().strip_prefix("gitdir:")?.trim();
            let target = Path::new(target);
            let target = if target.is_absolute() {
                target.to_path_buf()
            } else {
                d.join(target)
            };
            target.join("HEAD")
        } else {
            continue;
        };
        let text = std::fs::read_to_string(head).ok()?;
        return text
            .trim()
            .strip_prefix("ref: refs/heads/")
            .map(str::to_string);
    }
    None
}
