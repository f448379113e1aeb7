//! `cache-poisoning`: a release job restores a cache that builds of any branch write.
//!
//! CircleCI's caches belong to the project, and a key, once written, is never replaced: the
//! first job to save it wins. A release job (its filters keep it to tags or to some branches, or
//! a person approves it first) and restores a cache whose key does
//! not name the branch or the revision can be handed files that a build of any branch saved
//! first, under the same key or under the same prefix a fallback key matches. (Pull requests
//! from forks get their own caches unless the project passes secrets to forks, so the writers
//! are people and code that can push branches to the project itself.)
//!
//! Reported when a release job's `restore_cache` key (or fallback key) has no branch or
//! revision in it *and* a job of the config that runs for any branch saves a cache whose key
//! starts the same way (so ordinary branch builds write what the release reads).

use super::Rule;
use super::exposure::{Reach, invoked_steps, is_release_job};
use crate::analysis::context::Context;
use crate::base::diagnostic::{Confidence, Diagnostic, Severity};
use crate::base::span::Span;
use crate::config::model::Step;
use crate::yaml::Node;
use std::collections::HashSet;

pub static CACHE_POISONING: Rule = Rule {
    id: "cache-poisoning",
    severity: Severity::Warning,
    summary: "a release job restores a cache that builds of any branch can write first (no branch or revision in its key)",
    explanation: include_str!("docs/cache-poisoning.md"),
    // CWE-349: acceptance of extraneous untrusted data with trusted data.
    category: super::Category::Security { cwe: 349, score: 55 },
    check: Some(check),
};

/// Parts of a cache key that keep other branches out.
const SCOPED: &[&str] = &[
    ".Branch",
    ".Revision",
    "CIRCLE_BRANCH",
    "CIRCLE_SHA1",
    "CIRCLE_TAG",
    "pipeline.git.branch",
    "pipeline.git.revision",
    "pipeline.git.tag",
];

/// A cache key's literal prefix: its text up to the first template (`{{ ... }}` or `<< >>`).
fn prefix(key: &str) -> &str {
    let end = [key.find("{{"), key.find("<<")]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(key.len());
    &key[..end]
}

fn scoped(key: &str) -> bool {
    SCOPED.iter().any(|s| key.contains(s))
}

/// The `key`/`keys` nodes of a `restore_cache` step, or the `key` of a `save_cache` step.
fn keys<'a>(step: &Step<'a>, name: &str) -> Vec<&'a Node> {
    if step.name.is_none_or(|n| n.text != name) {
        return Vec::new();
    }
    let Some(args) = step.args else {
        return Vec::new();
    };
    let mut out: Vec<&Node> = args.get("key").into_iter().collect();
    if let Some(list) = args.get("keys") {
        out.extend(list.as_seq().map_or(vec![list], |l| l.iter().collect()));
    }
    out
}

/// The protected jobs that restore one key: where each restores it, the job's name, and
/// whether it publishes or deploys.
type Restorers = Vec<(Span, String, bool)>;

/// Words of a job, step or script that publishes or deploys what it builds.
const SHIPPING: &[&str] = &[
    "publish", "deploy", "release", "upload", "docker push", "twine", "goreleaser",
];

/// Whether a job ships what it builds: it holds secrets (a context), or its name, a step's
/// name or a `run` script says it publishes, deploys, releases or uploads.
fn ships(node_name: &str, context: bool, steps: &[&Step<'_>]) -> bool {
    let says = |text: &str| {
        let t = text.to_ascii_lowercase();
        SHIPPING.iter().any(|w| t.contains(w))
    };
    context
        || says(node_name)
        || steps.iter().any(|st| {
            st.name.is_some_and(|n| says(n.text))
                || st.run_command().and_then(|c| c.as_str()).is_some_and(says)
        })
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let cfg = cx.config;
    // What builds of any branch save: the literal prefixes of their keys.
    let reach = Reach::of(cx);
    let mut branch_saves: Vec<(String, &str)> = Vec::new();
    for (w, wg) in cx.graphs.workflows.iter().enumerate() {
        for (v, node) in wg.nodes() {
            let Some(job) = node.definition else { continue };
            if !reach.any_branch(w, v) {
                continue;
            }
            for step in invoked_steps(cfg, node) {
                for k in keys(step, "save_cache") {
                    if let Some(text) = k.as_str() {
                        branch_saves.push((prefix(text).to_string(), job.name.text));
                    }
                }
            }
        }
    }
    if branch_saves.is_empty() {
        return;
    }
    // Restored key text -> (the writer, each restoring job's key node and name), in order.
    let mut found: Vec<(&str, &str, Restorers)> = Vec::new();
    let mut seen = HashSet::new();
    for wg in &cx.graphs.workflows {
        for (v, node) in wg.nodes() {
            if node.definition.is_none() || !is_release_job(wg, v) {
                continue;
            }
            let steps = invoked_steps(cfg, node);
            let shipping = ships(&node.name, !node.context.is_empty(), &steps);
            for step in steps {
                for k in keys(step, "restore_cache") {
                    let Some(text) = k.as_str() else { continue };
                    if scoped(text) || !seen.insert(k.use_span()) {
                        continue;
                    }
                    let restore = prefix(text);
                    let Some((_, writer)) = branch_saves.iter().find(|(save, _)| {
                        !restore.is_empty()
                            && (save.starts_with(restore) || restore.starts_with(save.as_str()))
                    }) else {
                        continue;
                    };
                    match found.iter_mut().find(|(t, _, _)| *t == text) {
                        Some((_, _, at)) => at.push((k.use_span(), node.name.clone(), shipping)),
                        None => found.push((
                            text,
                            writer,
                            vec![(k.use_span(), node.name.clone(), shipping)],
                        )),
                    }
                }
            }
        }
    }
    for (text, writer, mut at) in found {
        // The first job that ships leads; a key only jobs that ship nothing restore is an info.
        at.sort_by_key(|(_, _, shipping)| !shipping);
        let shipping = at[0].2;
        let (span, job, _) = &at[0];
        let who = match at.len() {
            1 => format!("`{job}`"),
            n => format!("`{job}` (and {} more job{})", n - 1, if n == 2 { "" } else { "s" }),
        };
        let mut d = CACHE_POISONING
            .at(
                *span,
                format!(
                    "{who} runs only for some branches or tags (or after an approval) but restores the cache key `{text}`, which names no branch or revision, and job `{writer}` saves caches under the same prefix on any branch: a branch build can save first what this job then restores"
                ),
            )
            .severity(if shipping { Severity::Warning } else { Severity::Info })
            .confidence(if shipping { Confidence::Medium } else { Confidence::Low })
            .label(if shipping {
                "restored by a protected job that ships what it builds"
            } else {
                "restored by a protected job"
            });
        for (span, job, _) in at[1..].iter().take(4) {
            d = d.with_label(*span, format!("also restored by `{job}`"));
        }
        out.push(d.help("add the branch or revision to the key the protected job restores (`{{ .Branch }}`, `{{ .Revision }}`), with no fallback to a bare prefix; or install from scratch in it"));
    }
}

#[cfg(test)]
mod tests {
    use super::{CACHE_POISONING, prefix, scoped};
    use crate::config::settings::Settings;
    use crate::rules::env_vars::tests::run_rule;

    /// A release job that restores, through a command, a cache that `build` saves on every
    /// branch; `{switch}` is what the release entry passes to the command's switch.
    fn config(default: &str, release_args: &str) -> String {
        format!(
            "version: 2.1
commands:
  deps:
    parameters:
      with_cache: {{type: boolean, default: {default}}}
    steps:
      - when:
          condition: << parameters.with_cache >>
          steps:
            - restore_cache: {{keys: [v1-deps-]}}
jobs:
  build:
    docker: [{{image: cimg/base:2024.01}}]
    steps:
      - save_cache:
          key: v1-deps-{{{{ checksum \"a\" }}}}
          paths: [x]
  publish:
    parameters:
      cache: {{type: boolean, default: false}}
    docker: [{{image: cimg/base:2024.01}}]
    steps:
      - deps:
          with_cache: << parameters.cache >>
      - run: ./publish.sh
workflows:
  w:
    jobs:
      - build
      - publish:{release_args}
          filters: {{branches: {{only: main}}}}
"
        )
    }

    #[test]
    fn a_restore_switched_off_by_the_values_given_is_not_run() {
        let s = Settings::default();
        // The job's default (false) reaches the command's `when`: the restore never runs.
        let off = config("true", "");
        assert!(run_rule(&CACHE_POISONING, &off, &s).is_empty(), "{off}");
        // The workflow entry turns it on: reported.
        let on = config("false", "\n          cache: true");
        assert_eq!(run_rule(&CACHE_POISONING, &on, &s).len(), 1, "{on}");
        // A value cilint cannot know (a pipeline parameter) keeps the steps.
        let unknown = config("false", "\n          cache: << pipeline.parameters.x >>");
        assert_eq!(run_rule(&CACHE_POISONING, &unknown, &s).len(), 1);
    }

    #[test]
    fn keys() {
        assert_eq!(prefix("v1-deps-{{ checksum \"yarn.lock\" }}"), "v1-deps-");
        assert_eq!(prefix("v1-deps-"), "v1-deps-");
        assert!(scoped("v1-{{ .Branch }}-{{ checksum \"a\" }}"));
        assert!(!scoped("v1-{{ checksum \"a\" }}"));
    }
}
