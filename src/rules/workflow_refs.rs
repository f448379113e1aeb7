//! `unknown-job`, `unknown-requires`, `ambiguous-requires`, `duplicate-invocation-name`: names
//! in a workflow that refer to no job, or to several.

use super::Rule;
use crate::analysis::context::Context;
use crate::analysis::graph::{JobKind, Resolution};
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::text::did_you_mean;
use crate::config::model::orb_ref;
use petgraph::graph::NodeIndex;
use std::collections::{HashMap, HashSet};

pub static UNKNOWN_JOB: Rule = Rule {
    id: "unknown-job",
    severity: Severity::Error,
    summary: "a workflow runs a job that is defined nowhere",
    explanation: include_str!("docs/unknown-job.md"),
    category: super::Category::Correctness,
    check: Some(check_unknown_job),
};

pub static UNKNOWN_REQUIRES: Rule = Rule {
    id: "unknown-requires",
    severity: Severity::Error,
    summary: "a `requires` entry names no job of its workflow",
    explanation: include_str!("docs/unknown-requires.md"),
    category: super::Category::Correctness,
    check: Some(check_unknown_requires),
};

pub static AMBIGUOUS_REQUIRES: Rule = Rule {
    id: "ambiguous-requires",
    severity: Severity::Error,
    summary: "a `requires` entry names a job that the workflow runs several times under one name",
    explanation: include_str!("docs/ambiguous-requires.md"),
    category: super::Category::Correctness,
    check: Some(check_ambiguous_requires),
};

pub static DUPLICATE_INVOCATION_NAME: Rule = Rule {
    id: "duplicate-invocation-name",
    severity: Severity::Warning,
    summary: "two jobs of one workflow end up with the same name, so CircleCI renames them `x-1`, `x-2`",
    explanation: include_str!("docs/duplicate-invocation-name.md"),
    category: super::Category::Correctness,
    check: Some(check_duplicate_names),
};

fn check_unknown_job(cx: &Context, out: &mut Vec<Diagnostic>) {
    let cfg = cx.config;
    let mut seen: HashSet<u32> = HashSet::new();
    for wg in &cx.graphs.workflows {
        for (_, node) in wg.nodes() {
            if node.kind != JobKind::Unknown || !seen.insert(node.span.start) {
                continue;
            }
            let name = node.job.text;
            if orb_ref(name).is_some() {
                continue; // an orb's members: `unknown-orb-member` (inline and cached orbs)
            }
            let message = format!(
                "workflow `{}` runs job `{name}`, which is defined nowhere",
                wg.name
            );
            let help = if cfg.command(name).is_some() {
                format!(
                    "`{name}` is a command, not a job: call it as a step inside a job under `jobs:`, and run that job here"
                )
            } else if let Some(dym) = did_you_mean(name, cfg.jobs.iter().map(|j| j.name.text)) {
                dym
            } else if cfg.jobs.is_empty() {
                format!("define a job `{name}` under a top-level `jobs:` key")
            } else {
                format!(
                    "define a job `{name}` under `jobs:`, or add `type: approval` if this is meant as a manual approval hold"
                )
            };
            out.push(
                UNKNOWN_JOB
                    .at(node.span, message)
                    .label("no job has this name")
                    .help(help),
            );
        }
    }
    // The entries of job groups name jobs (or approval holds) too.
    for group in &cfg.job_groups {
        for inv in &group.jobs {
            let name = inv.job.text;
            if inv.is_approval()
                || cfg.job(name).is_some()
                || name.contains("<<")
                || orb_ref(name).is_some()
                || inv.override_with.is_some()
            {
                continue;
            }
            out.push(
                UNKNOWN_JOB
                    .at(
                        inv.job.span,
                        format!(
                            "job group `{}` runs job `{name}`, which is defined nowhere",
                            group.name
                        ),
                    )
                    .label("no job has this name")
                    .help_opt(
                        did_you_mean(name, cfg.jobs.iter().map(|j| j.name.text))
                            .or_else(|| Some(format!("define a job `{name}` under `jobs:`"))),
                    ),
            );
        }
    }
}

fn check_unknown_requires(cx: &Context, out: &mut Vec<Diagnostic>) {
    // Which workflows invoke a name (by final name, name before numbering and alias).
    let mut elsewhere: HashMap<&str, Vec<&str>> = HashMap::new();
    for wg in &cx.graphs.workflows {
        for name in wg.known_names() {
            elsewhere.entry(name).or_default().push(wg.name);
        }
    }
    for wg in &cx.graphs.workflows {
        let mut seen: HashSet<(u32, String)> = HashSet::new();
        let mut candidates: Option<Vec<&str>> = None;
        for r in &wg.requires {
            if r.resolution != Resolution::Unknown
                || !seen.insert((r.require.name.span.start, r.name.clone()))
            {
                continue;
            }
            let from = wg.node(r.from);
            let name = r.name.as_str();
            let shown = if name == r.require.name.text {
                format!("`{name}`")
            } else {
                format!("`{name}` (`{}` for this matrix job)", r.require.name.text)
            };
            let message = format!(
                "`{}` requires {shown}, which is not a job of workflow `{}`",
                from.name, wg.name
            );
            let others: Vec<&str> = elsewhere
                .get(name)
                .map(|v| v.iter().copied().filter(|w| *w != wg.name).collect())
                .unwrap_or_default();
            let candidates = candidates.get_or_insert_with(|| wg.known_names());
            let help = if !others.is_empty() {
                let list: Vec<String> = others.iter().map(|w| format!("`{w}`")).collect();
                format!(
                    "`{name}` runs in workflow {}, not in `{}`: a job can only require jobs of its own workflow; add `{name}` to this workflow's `jobs:` or drop the requirement",
                    list.join(", "),
                    wg.name
                )
            } else if let Some(dym) = did_you_mean(name, candidates.iter().copied()) {
                dym
            } else if cx.config.job(name).is_some() {
                format!(
                    "`{name}` is a job of the config, but this workflow does not run it: add `- {name}` to the workflow's `jobs:`"
                )
            } else {
                "require the name of a job listed in this workflow's `jobs:` (its `name:` if it has one, or a matrix's `alias`)".to_string()
            };
            out.push(
                UNKNOWN_REQUIRES
                    .at(r.require.name.span, message)
                    .label("no job of this workflow has this name")
                    .with_label(from.span, "required here")
                    .help(help),
            );
        }
    }
}

fn check_ambiguous_requires(cx: &Context, out: &mut Vec<Diagnostic>) {
    for wg in &cx.graphs.workflows {
        let mut seen: HashSet<(u32, String)> = HashSet::new();
        for r in &wg.requires {
            let Resolution::Ambiguous(nodes) = &r.resolution else {
                continue;
            };
            if !seen.insert((r.require.name.span.start, r.name.clone())) {
                continue;
            }
            let from = wg.node(r.from);
            let mut d = AMBIGUOUS_REQUIRES
                .at(
                    r.require.name.span,
                    format!(
                        "`{}` requires `{}`, which is the name of {} jobs in workflow `{}`",
                        from.name,
                        r.name,
                        nodes.len(),
                        wg.name
                    ),
                )
                .label("several jobs have this name");
            for &n in nodes.iter().take(8) {
                let node = wg.node(n);
                let span = node.name_override.map_or(node.span, |n| n.span);
                d = d.with_label(span, format!("`{}` is one of them", node.name));
            }
            let numbered: Vec<String> = nodes
                .iter()
                .take(3)
                .map(|&n| format!("`{}`", wg.node(n).name))
                .collect();
            d = d.help(format!(
                "give each of these jobs a distinct `name:` and require that name (CircleCI calls them {})",
                numbered.join(", ")
            ));
            out.push(d);
        }
    }
}

fn check_duplicate_names(cx: &Context, out: &mut Vec<Diagnostic>) {
    for wg in &cx.graphs.workflows {
        // Jobs by name before numbering, grouped by invocation.
        let mut groups: HashMap<&str, Vec<NodeIndex>> = HashMap::new();
        for (i, node) in wg.nodes() {
            groups.entry(node.base_name.as_str()).or_default().push(i);
        }
        let mut dups: Vec<(&str, Vec<NodeIndex>)> = groups
            .into_iter()
            .filter(|(_, v)| {
                let first = v[0];
                v.iter().any(|n| wg.node(*n).index != wg.node(first).index)
            })
            .collect();
        dups.sort_by_key(|(_, v)| v[0]);
        for (name, nodes) in dups {
            let first = wg.node(nodes[0]);
            // Report at the second invocation carrying the name.
            let Some(&second) = nodes.iter().find(|n| wg.node(**n).index != first.index) else {
                continue;
            };
            let node = wg.node(second);
            let span = node.name_override.map_or(node.span, |n| n.span);
            let numbered: Vec<String> = nodes
                .iter()
                .take(3)
                .map(|&n| format!("`{}`", wg.node(n).name))
                .collect();
            let d = DUPLICATE_INVOCATION_NAME
                .at(
                    span,
                    format!(
                        "workflow `{}` runs {} jobs named `{name}`",
                        wg.name,
                        nodes.len()
                    ),
                )
                .label(format!("another job named `{name}`"))
                .with_label(
                    first.name_override.map_or(first.span, |n| n.span),
                    "first job with this name",
                )
                .help(format!(
                    "CircleCI renames them {}, and a `requires` on `{name}` fails; give each a distinct `name:`",
                    numbered.join(", ")
                ));
            // Unnamed repeats that nothing requires by name run as written: the renaming
            // only shows in the UI.
            let required = wg.workflow.is_some_and(|wf| {
                wf.jobs
                    .iter()
                    .any(|inv| inv.requires.iter().any(|r| r.name.text == name))
            });
            out.push(if required {
                d
            } else {
                d.severity(Severity::Info)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    /// An inline orb's missing job, or its command run as a job, is `unknown-orb-member`'s:
    /// `unknown-job` says nothing of orb members.
    #[test]
    fn orb_members_are_left_to_unknown_orb_member() {
        let src = "version: 2.1
orbs:
  tools:
    jobs:
      lint:
        docker:
          - image: cimg/base:2024.02
        steps:
          - checkout
    commands:
      greet:
        steps:
          - run: echo hi
workflows:
  main:
    jobs:
      - tools/lint
      - tools/lnit
      - tools/greet
      - deploy
";
        let report = crate::lint(src.as_bytes(), "config.yml", &crate::Settings::default());
        let rules = |id: &str| -> Vec<&str> {
            report
                .diagnostics
                .iter()
                .filter(|d| d.rule == id)
                .map(|d| d.primary.span.slice(src))
                .collect()
        };
        assert_eq!(rules("unknown-job"), ["deploy"]);
        assert_eq!(rules("unknown-orb-member"), ["tools/lnit", "tools/greet"]);
    }
}
