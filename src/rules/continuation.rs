//! `multiple-continuations`: a setup workflow would continue the pipeline more than once.
//!
//! A setup config (`setup: true`) continues the pipeline by calling the continuation API, most
//! often through the `circleci/continuation` orb (its `continue` job or command) or the
//! `circleci/path-filtering` orb (its `filter` job, which continues too). A pipeline can be
//! continued only once: the second call fails with "Pipeline is not in setup state".

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::config::model::{Config, Name, orb_ref};
use crate::lang::filters::{Filters, branches_never_overlap};

pub static MULTIPLE_CONTINUATIONS: Rule = Rule {
    id: "multiple-continuations",
    severity: Severity::Warning,
    summary: "a setup workflow continues the pipeline more than once; only the first continuation can succeed",
    explanation: include_str!("docs/multiple-continuations.md"),
    category: super::Category::Correctness,
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

/// Whether two workflow jobs with these filters can never run in the same pipeline: one runs
/// only for tags and the other never for tags, or both run only on branches that never overlap.
fn never_together(a: Option<&Filters>, b: Option<&Filters>) -> bool {
    let no_filter = Filters::default();
    let (a, b) = (a.unwrap_or(&no_filter), b.unwrap_or(&no_filter));
    if a.expression.is_some() || b.expression.is_some() {
        return false;
    }
    let never_branches = |f: &Filters| f.branches.as_ref().is_some_and(|r| r.admits_nothing());
    let never_tags = |f: &Filters| !f.may_run_for_tags();
    (never_branches(a) && never_tags(b))
        || (never_branches(b) && never_tags(a))
        || (never_tags(a)
            && never_tags(b)
            && (branches_never_overlap("", a, "", b).is_some()
                || branches_never_overlap("", b, "", a).is_some()))
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let cfg = cx.config;
    if !cfg.setup {
        return;
    }
    for wf in &cfg.workflows {
        let continuing: Vec<(Name<'_>, Option<Filters>)> = wf
            .jobs
            .iter()
            .filter(|inv| continues(cfg, inv.job.text) || job_continues(cfg, inv.job.text))
            .map(|inv| {
                let filters = inv
                    .body
                    .and_then(|b| b.get("filters"))
                    .filter(|f| !f.is_null())
                    .map(|f| Filters::from_node(f).0);
                (inv.job, filters)
            })
            .collect();
        if let [(first, first_filters), rest @ ..] = continuing.as_slice() {
            for (again, again_filters) in rest {
                if never_together(first_filters.as_ref(), again_filters.as_ref()) {
                    continue;
                }
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

/// What an orb member call does for dynamic config.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member {
    /// `circleci/continuation`'s `continue` (job or command): continues with
    /// `configuration_path`.
    Continue,
    /// `circleci/path-filtering`'s `filter` job: sets parameters from `mapping` and continues
    /// with `config-path` (or the config named by the matching mapping rules).
    Filter,
    /// `circleci/path-filtering`'s `set-parameters` command: reads `mapping`, does not continue.
    SetParameters,
}

/// A call of a dynamic-config orb member: a workflow job, or a step in a job or command.
#[derive(Clone, Copy, Debug)]
pub struct ContinuationCall<'a> {
    pub member: Member,
    /// The name as written (`continuation/continue`).
    pub name: Name<'a>,
    /// The arguments (the job invocation's body or the step's mapping).
    pub args: Option<&'a crate::yaml::Node>,
}

impl<'a> ContinuationCall<'a> {
    /// The config this call continues with, as written (relative to the repository root), and
    /// the node that names it: its `configuration_path` (continuation) or `config-path`
    /// (path-filtering `filter`), or the default when the argument is not given. `None` for a
    /// call that does not continue, or an argument that is not a string.
    pub fn continued_config(&self) -> Option<(&'a str, Option<&'a crate::yaml::Node>)> {
        let key = match self.member {
            Member::Continue => "configuration_path",
            Member::Filter => "config-path",
            Member::SetParameters => return None,
        };
        match self.args.and_then(|a| a.get(key)) {
            Some(node) => Some((node.scalar_text()?, Some(node))),
            None => Some((DEFAULT_CONFIGURATION_PATH, None)),
        }
    }
}

fn member_of(cfg: &Config<'_>, name: &str) -> Option<Member> {
    let r = orb_ref(name)?;
    let reference = cfg.orb(r.orb)?.reference()?;
    let orb = reference.split('@').next().unwrap_or("");
    Some(match (orb, r.member) {
        ("circleci/continuation", "continue") => Member::Continue,
        ("circleci/path-filtering", "filter") => Member::Filter,
        ("circleci/path-filtering", "set-parameters") => Member::SetParameters,
        _ => return None,
    })
}

/// Every call of a dynamic-config orb member in the config, in source order of workflows, then
/// jobs, then commands.
pub fn calls<'a>(cfg: &Config<'a>) -> Vec<ContinuationCall<'a>> {
    let mut out = Vec::new();
    for wf in &cfg.workflows {
        for inv in &wf.jobs {
            if let Some(member) = member_of(cfg, inv.job.text) {
                out.push(ContinuationCall {
                    member,
                    name: inv.job,
                    args: inv.body,
                });
            }
        }
    }
    let steps = cfg
        .jobs
        .iter()
        .flat_map(|j| &j.steps)
        .chain(cfg.commands.iter().flat_map(|c| &c.steps));
    for step in steps {
        step.walk(&mut |s| {
            if let Some(name) = s.name
                && let Some(member) = member_of(cfg, name.text)
            {
                out.push(ContinuationCall {
                    member,
                    name,
                    args: s.args,
                });
            }
        });
    }
    out
}

/// The configs a setup config continues with, as written (relative to the repository root):
/// the `configuration_path` of each continuation-orb call and the `config-path` of each
/// path-filtering `filter` job (their default when not given), and the config paths in the
/// fourth column of a `mapping`. Empty for a config that is not a setup config. `cilint check`
/// lints these files too when they exist, from the model built for linting.
pub fn configuration_paths_of(cfg: &Config<'_>) -> Vec<String> {
    if !cfg.setup {
        return Vec::new();
    }
    let mut paths: Vec<String> = Vec::new();
    let mut add = |path: &str| {
        // A parameter reference (`<< pipeline.parameters.x >>`) names no file cilint can read.
        if !path.is_empty() && !path.contains("<<") && !paths.iter().any(|p| p == path) {
            paths.push(path.to_string());
        }
    };
    for call in calls(cfg) {
        if let Some((path, _)) = call.continued_config() {
            add(path);
        }
        if call.member == Member::Filter
            && let Some(text) = call
                .args
                .and_then(|a| a.get("mapping"))
                .and_then(|m| m.scalar_text())
            && !text.contains("<<")
        {
            let rules = super::path_filtering::parse_mapping(
                text,
                None,
                crate::base::span::Span::new(0, 0),
            );
            for rule in rules.iter().filter(|r| r.fields.len() == 4) {
                add(&rule.fields[3].text);
            }
        }
    }
    for (path, _) in orb_tools_injections(cfg) {
        add(&path);
    }
    paths
}

/// orb-tools' `continue` job's default `config_path`.
pub const ORB_TOOLS_CONFIG_PATH: &str = ".circleci/test-deploy.yml";

/// What a setup config's `circleci/orb-tools` `continue` jobs inject: (the config they continue
/// with, as written, relative to the repository root; the name of the orb under development).
/// The job packs the orb and, unless `inject_orb: false`, adds it to that config's `orbs:` as an
/// inline orb named `orb_name`, so the continued config uses it without declaring it.
pub fn orb_tools_injections(cfg: &Config<'_>) -> Vec<(String, String)> {
    if !cfg.setup {
        return Vec::new();
    }
    let mut out = Vec::new();
    for wf in &cfg.workflows {
        for inv in &wf.jobs {
            let Some(r) = orb_ref(inv.job.text) else { continue };
            let is_orb_tools = r.member == "continue"
                && cfg
                    .orb(r.orb)
                    .and_then(|o| o.reference())
                    .is_some_and(|reference| reference.split('@').next() == Some("circleci/orb-tools"));
            if !is_orb_tools {
                continue;
            }
            let arg = |key: &str| inv.body.and_then(|b| b.get(key));
            if arg("inject_orb").and_then(|n| n.scalar_text()) == Some("false") {
                continue;
            }
            let Some(orb) = arg("orb_name").and_then(|n| n.scalar_text()) else {
                continue;
            };
            if orb.contains("<<") {
                continue;
            }
            let path = arg("config_path")
                .and_then(|n| n.scalar_text())
                .unwrap_or(ORB_TOOLS_CONFIG_PATH);
            if !path.contains("<<") {
                out.push((path.to_string(), orb.to_string()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configuration_paths(source: &str) -> Vec<String> {
        let doc = crate::yaml::parse(source);
        configuration_paths_of(&crate::analysis::context::model(&doc))
    }

    #[test]
    fn continuations_that_never_run_together_are_not_reported() {
        let src = "version: 2.1
setup: true
orbs:
  continuation: circleci/continuation@1.0.0
  path-filtering: circleci/path-filtering@1.0.0
workflows:
  setup:
    jobs:
      - path-filtering/filter:
          mapping: src/.* build true
      - continuation/continue:
          configuration_path: .circleci/release.yml
          filters:
            tags:
              only: /^v.*/
            branches:
              ignore: /.*/
      - continuation/continue:
          name: again
          configuration_path: .circleci/other.yml
";
        let found = crate::rules::env_vars::tests::run_rule(
            &MULTIPLE_CONTINUATIONS,
            src,
            &crate::config::settings::Settings::default(),
        );
        // The tag-only continuation never meets the branch ones; the third meets the first.
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].primary.span.slice(src), "continuation/continue");
        assert_eq!(found[0].primary.span.start as usize, src.rfind("continuation/continue").unwrap());
    }

    #[test]
    fn orb_tools_continue_injects_the_orb() {
        let src = "version: 2.1
setup: true
orbs:
  orb-tools: circleci/orb-tools@12.1
workflows:
  lint-pack:
    jobs:
      - orb-tools/pack
      - orb-tools/continue:
          orb_name: snyk
          pipeline_number: << pipeline.number >>
          vcs_type: github
      - orb-tools/continue:
          orb_name: other
          config_path: .circleci/other.yml
          inject_orb: false
";
        let doc = crate::yaml::parse(src);
        let cfg = crate::analysis::context::model(&doc);
        assert_eq!(
            orb_tools_injections(&cfg),
            [(".circleci/test-deploy.yml".to_string(), "snyk".to_string())]
        );
        assert_eq!(configuration_paths(src), [".circleci/test-deploy.yml"]);
    }

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

    #[test]
    fn configuration_paths_of_path_filtering() {
        let src = "version: 2.1
setup: true
orbs:
  path-filtering: circleci/path-filtering@1.0.0
workflows:
  setup:
    jobs:
      - path-filtering/filter:
          config-path: .circleci/main.yml
          mapping: |
            api/.* run-api true .circleci/api.yml
            web/.* run-web true .circleci/web.yml
            docs/.* run-docs true .circleci/api.yml
";
        assert_eq!(
            configuration_paths(src),
            [
                ".circleci/main.yml",
                ".circleci/api.yml",
                ".circleci/web.yml"
            ]
        );
        let default = src.replace("          config-path: .circleci/main.yml\n", "");
        assert_eq!(configuration_paths(&default)[0], DEFAULT_CONFIGURATION_PATH);
    }
}
