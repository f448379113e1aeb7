//! `image-unpinned` and `deprecated-image`: docker images that move under the job, and images
//! CircleCI has deprecated or retired.

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Fix, Severity};
use crate::base::span::Span;
use crate::config::images::{self, Unpinned};
use crate::config::model::Environment;
use crate::yaml::Node;
use std::collections::HashSet;

pub static IMAGE_UNPINNED: Rule = Rule {
    id: "image-unpinned",
    severity: Severity::Warning,
    summary: "a docker image has no tag, `latest`, or a floating tag such as `stable` or `lts`",
    explanation: include_str!("docs/image-unpinned.md"),
    category: super::Category::Correctness,
    check: Some(check_unpinned),
};

pub static DEPRECATED_IMAGE: Rule = Rule {
    id: "deprecated-image",
    severity: Severity::Warning,
    summary: "a legacy `circleci/` docker image, a retired machine image, or `machine: true`",
    explanation: include_str!("docs/deprecated-image.md"),
    category: super::Category::Correctness,
    check: Some(check_deprecated),
};

/// Every executor environment of every scope (jobs and executors), once each.
fn environments<'m, 'a>(cx: &'m Context<'a>) -> Vec<&'m Environment<'a>> {
    let mut out = Vec::new();
    for scope in cx.scopes() {
        out.extend(scope.config.jobs.iter().map(|j| &j.env));
        out.extend(scope.config.executors.iter().map(|e| &e.env));
    }
    out
}

/// The docker `image:` nodes, each once (a node reached through an alias is skipped: it is
/// reported where it is written).
fn docker_images<'a>(envs: &[&Environment<'a>]) -> Vec<&'a Node> {
    let mut seen: HashSet<Span> = HashSet::new();
    let mut out = Vec::new();
    for e in envs {
        for d in &e.docker {
            // An image reached through an alias or a `<<:` merge is reported once, where it is
            // written (its span is the anchored original's), even when only the alias is in a
            // job (`defaults: &defaults` at the top level, `<<: *defaults` in the jobs).
            if let Some(img) = d.image
                && seen.insert(img.span)
            {
                out.push(img);
            }
        }
    }
    out
}

fn check_unpinned(cx: &Context, out: &mut Vec<Diagnostic>) {
    let envs = environments(cx);
    for node in docker_images(&envs) {
        let Some(image) = node.as_str() else { continue };
        let Some(why) = images::unpinned(image) else {
            continue;
        };
        let name = images::parse(image).map_or(image, |r| r.name);
        let (msg, label) = match &why {
            Unpinned::NoTag => (
                format!("image `{image}` has no tag, so it is `latest` and changes under the job"),
                "no tag".to_string(),
            ),
            Unpinned::Latest => (
                format!("image `{image}` uses `latest`, which changes under the job"),
                "floating tag".to_string(),
            ),
            Unpinned::Floating(tag) => (
                format!(
                    "image `{image}` uses the floating tag `{tag}`, which moves to new versions without a config change"
                ),
                "floating tag".to_string(),
            ),
        };
        // CircleCI's own convenience images move their floating tags (`current`, `stable`,
        // `edge`, `current-22.04`) on a published schedule, and its docs and orb templates use
        // them: a deliberate choice more often than a slip, so an info.
        let maintained = name.starts_with("cimg/") && matches!(why, Unpinned::Floating(_));
        // An image under an owner's namespace or on a private registry (`acme/tools:latest`,
        // `ghcr.io/acme/ci`) is often the project's own build image, floating on purpose and
        // rebuilt with the project: cilint cannot tell, so an info. A Docker official image
        // (`ubuntu`, `node`, `postgres`) at a floating tag jumps releases under the job.
        let official = !name.contains('/') || name.starts_with("library/");
        let severity = if maintained || !official {
            Severity::Info
        } else {
            Severity::Warning
        };
        out.push(
            IMAGE_UNPINNED
                .at(node.span, msg)
                .severity(severity)
                .label(label)
                .help(format!(
                    "pin a version tag (`{name}:<version>`) or a digest (`{name}@sha256:...`) so every run uses the same image"
                )),
        );
    }
}

fn check_deprecated(cx: &Context, out: &mut Vec<Diagnostic>) {
    let envs = environments(cx);
    for node in docker_images(&envs) {
        let Some(image) = node.as_str() else { continue };
        if let Some(why) = images::frozen_alias(image) {
            out.push(
                DEPRECATED_IMAGE
                    .at(node.span, format!("`{image}` no longer moves: {why}"))
                    .label("frozen at Docker 19.03")
                    .help("pin a maintained version of the `docker` image (`docker:<version>`, or its `-dind` or `-cli` variant; see the image's tag list on Docker Hub)"),
            );
            continue;
        }
        let Some(repl) = images::legacy_docker(image) else {
            continue;
        };
        let help = match repl {
            Some(r) => format!(
                "use the next-generation image `{r}` with a version tag (the tags differ: check the image's tag list)"
            ),
            None => "use the upstream image or a `cimg/` image with a version tag".to_string(),
        };
        out.push(
            DEPRECATED_IMAGE
                .at(
                    node.span,
                    format!(
                        "`{image}` is a legacy CircleCI image, deprecated and no longer updated"
                    ),
                )
                .label("legacy `circleci/` image")
                .help(help)
                .fix_opt(repl.and_then(|r| successor_fix(cx.source, node, image, r))),
        );
    }
    let mut seen: HashSet<Span> = HashSet::new();
    for e in envs {
        let Some((key, value)) = e.machine else {
            continue;
        };
        if value.alias.is_some() || !seen.insert(value.span) {
            continue;
        }
        // `machine: true` with a `namespace/name` resource class is a self-hosted runner,
        // which takes no image: that is the documented way to use one.
        let runner = e
            .resource_class
            .and_then(|r| r.as_str())
            .is_some_and(|r| r.contains('/') && !r.contains("<<"));
        if value.as_bool() == Some(true) && !runner {
            out.push(
                DEPRECATED_IMAGE
                    .at(
                        value.span,
                        "`machine: true` runs CircleCI's default machine image, which is discouraged and changes without notice",
                    )
                    .label("no image named")
                    .with_label(key.span, "machine executor")
                    .help("name a machine image: `machine: { image: ubuntu-2204:2024.01.1 }`"),
            );
            continue;
        }
        if let Some(img) = value.get("image")
            && let Some(text) = img.as_str()
            && let Some(why) = images::retired_machine_image(text)
        {
            out.push(
                DEPRECATED_IMAGE
                    .at(img.span, format!("machine image `{text}` is retired: {why}"))
                    .label("retired machine image")
                    .help("use a current image, for example `ubuntu-2204:2024.01.1` (see CircleCI's list of machine images)"),
            );
        }
    }
}

/// The fix of a legacy image whose successor is published with the same version tags: a tag
/// `X.Y` or `X.Y.Z` (with the `-browsers` or `-node` variant the `cimg/` images also have) is
/// kept. Other tags (a major version alone, a Debian release) name no successor tag.
fn successor_fix(src: &str, node: &Node, image: &str, successor: &str) -> Option<Fix> {
    let r = images::parse(image)?;
    if r.digest.is_some() {
        return None;
    }
    let tag = r.tag?;
    let version = tag
        .strip_suffix("-browsers")
        .or_else(|| tag.strip_suffix("-node"))
        .unwrap_or(tag);
    let parts: Vec<&str> = version.split('.').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let new = format!("{successor}:{tag}");
    let edit = crate::yaml::edit::replace_scalar(src, node, &new)?;
    Some(Fix::safe(format!("use `{new}`"), vec![edit]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::settings::Settings;
    use crate::rules::env_vars::tests::run_rule;

    #[test]
    fn unpinned_images() {
        let src = "version: 2.1\nexecutors:\n  e:\n    docker:\n      - image: node\njobs:\n  a:\n    docker:\n      - image: \"cimg/base:stable\"\n      - image: cimg/postgres:16.1\n      - image: redis:latest\n      - image: cimg/node:<< parameters.v >>\n      - image: cimg/base@sha256:0123\n    steps: [checkout]\n";
        let found = run_rule(&IMAGE_UNPINNED, src, &Settings::default());
        let spans: Vec<&str> = found.iter().map(|d| d.primary.span.slice(src)).collect();
        assert_eq!(spans, vec!["\"cimg/base:stable\"", "redis:latest", "node"]);
        // `docker:stable-git` stopped moving in 2020: deprecated, not floating.
        let frozen = "version: 2.1\njobs:\n  a:\n    docker:\n      - image: docker:stable-git\n    steps: [checkout]\n";
        assert!(run_rule(&IMAGE_UNPINNED, frozen, &Settings::default()).is_empty());
        let deprecated = run_rule(&DEPRECATED_IMAGE, frozen, &Settings::default());
        assert_eq!(deprecated.len(), 1);
        assert!(
            deprecated[0].message.contains("no longer moves"),
            "{}",
            deprecated[0].message
        );
        assert!(found[0].message.contains("floating tag `stable`"));
    }

    #[test]
    fn deprecated_images() {
        let src = "version: 2.1\njobs:\n  a:\n    docker:\n      - image: circleci/node:14\n    steps: [checkout]\n  b:\n    machine: true\n    steps: [checkout]\n  c:\n    machine:\n      image: ubuntu-1604:201903-01\n    steps: [checkout]\n  d:\n    machine:\n      image: ubuntu-2204:2024.01.1\n    steps: [checkout]\n";
        let found = run_rule(&DEPRECATED_IMAGE, src, &Settings::default());
        let spans: Vec<&str> = found.iter().map(|d| d.primary.span.slice(src)).collect();
        assert_eq!(
            spans,
            vec!["circleci/node:14", "true", "ubuntu-1604:201903-01"]
        );
        assert!(found[0].help.as_deref().unwrap_or("").contains("cimg/node"));
    }

    #[test]
    fn self_hosted_runners_take_machine_true() {
        let src = "version: 2.1\njobs:\n  a:\n    machine: true\n    resource_class: acme/linux-big\n    steps: [checkout]\n  b:\n    machine: true\n    resource_class: large\n    steps: [checkout]\n";
        let found = run_rule(&DEPRECATED_IMAGE, src, &Settings::default());
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].primary.span.start,
            src.rfind("true").unwrap() as u32
        );
    }
}
