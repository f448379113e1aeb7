//! `multiple-continuations`: a setup workflow would continue the pipeline more than once.
//!
//! A setup config (`setup: true`) continues the pipeline by calling the continuation API, most
//! often through the `circleci/continuation` orb (its `continue` job or command) or the
//! `circleci/path-filtering` orb (its `filter` job, which continues too). A pipeline can be
//! continued only once: the second call fails with "Pipeline is not in setup state".

use super::Rule;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Config, Name, orb_ref};

pub static MULTIPLE_CONTINUATIONS: Rule = Rule {
    id: "multiple-continuations",
    severity: Severity::Warning,
    summary: "a setup workflow continues the pipeline more than once; only the first continuation can succeed",
    explanation: include_str!("docs/multiple-continuations.md"),
    check: Some(check),
};

/// Orb members that continue the pipeline: (orb name, member).
const CONTINUING: &[(&str, &str)] = &[
    ("circleci/continuation", "continue"),
    ("circleci/path-filtering", "filter"),
];

/// Whether `name` (`alias/member`) is a member of an orb that continues the pipeline.
fn continues(cfg: &Config<'_>, name: &str) -> bool {
    let Some(r) = orb_ref(name) else {
        return false;
    };
    let Some(reference) = cfg.orb(r.orb).and_then(|o| o.reference()) else {
        return false;
    };
    let orb = reference.split('@').next().unwrap_or("");
    CONTINUING.contains(&(orb, r.member))
}

/// Whether a job defined in the config calls a continuing command among its steps.
fn job_continues(cfg: &Config<'_>, job: &str) -> bool {
    let Some(job) = cfg.job(job) else {
        return false;
    };
    let mut found = false;
    for step in &job.steps {
        step.walk(&mut |s| {
            if s.name.is_some_and(|n| continues(cfg, n.text)) {
                found = true;
            }
        });
    }
    found
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let cfg = cx.config;
    if !cfg.setup {
        return;
    }
    for wf in &cfg.workflows {
        let continuing: Vec<Name<'_>> = wf
            .jobs
            .iter()
            .filter(|inv| continues(cfg, inv.job.text) || job_continues(cfg, inv.job.text))
            .map(|inv| inv.job)
            .collect();
        if let [first, rest @ ..] = continuing.as_slice() {
            for again in rest {
                out.push(
                    MULTIPLE_CONTINUATIONS
                        .at(
                            again.span,
                            format!(
                                "setup workflow `{}` continues the pipeline again with `{}`; a pipeline can be continued only once",
                                wf.name.text, again.text
                            ),
                        )
                        .label("a second continuation: it fails with \"Pipeline is not in setup state\"")
                        .with_label(first.span, "the pipeline is continued here first")
                        .help("continue once: pick the configuration in one job (for example with path-filtering's `mapping`, or a script that chooses the file) and continue from there"),
                );
            }
        }
    }
}

/// The continuation orb's default `configuration_path`.
pub const DEFAULT_CONFIGURATION_PATH: &str = ".circleci/continue_config.yml";

/// The configs a setup config continues with: the `configuration_path` of each continuation-orb
/// job or command call (its default when not given), as written (relative to the repository
/// root). Empty for a config that is not a setup config. `cilint check` lints these files too
/// when they exist.
pub fn configuration_paths(source: &str) -> Vec<String> {
    let doc = crate::yaml::parse(source);
    let cfg = crate::context::model(&doc);
    if !cfg.setup {
        return Vec::new();
    }
    let is_continue =
        |name: &str| continues(&cfg, name) && orb_ref(name).is_some_and(|r| r.member == "continue");
    let mut paths = Vec::new();
    let mut add = |args: Option<&crate::yaml::Node>| {
        let path = args
            .and_then(|a| a.get("configuration_path"))
            .and_then(|p| p.as_str())
            .unwrap_or(DEFAULT_CONFIGURATION_PATH);
        // A parameter reference (`<< pipeline.parameters.x >>`) names no file cilint can read.
        if !path.contains("<<") && !paths.iter().any(|p| p == path) {
            paths.push(path.to_string());
        }
    };
    for wf in &cfg.workflows {
        for inv in &wf.jobs {
            if is_continue(inv.job.text) {
                add(inv.body);
            }
        }
    }
    for job in &cfg.jobs {
        for step in &job.steps {
            step.walk(&mut |s| {
                if s.name.is_some_and(|n| is_continue(n.text)) {
                    add(s.args);
                }
            });
        }
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_paths_of_jobs_and_commands() {
        let src = "version: 2.1
setup: true
orbs:
  continuation: circleci/continuation@1.0.0
jobs:
  pick:
    docker:
      - image: cimg/base:2024.02
    steps:
      - continuation/continue:
          configuration_path: generated.yml
workflows:
  setup:
    jobs:
      - continuation/continue
      - pick
";
        assert_eq!(
            configuration_paths(src),
            [DEFAULT_CONFIGURATION_PATH, "generated.yml"]
        );
        assert!(configuration_paths(&src.replace("setup: true\n", "")).is_empty());
        let param = src.replace("generated.yml", "<< pipeline.parameters.p >>");
        assert_eq!(configuration_paths(&param), [DEFAULT_CONFIGURATION_PATH]);
    }
}
