//! Docker and machine image references: unpinned tags, legacy and retired images.

/// Why a docker image reference is not pinned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unpinned {
    /// `cimg/base`: no tag means `latest`.
    NoTag,
    /// `:latest`.
    Latest,
    /// A tag that moves (`stable`, `current`, `edge`, `lts`, `lts-browsers`...).
    Floating(String),
}

#[cfg(test)]
/// What an image issue is (the result of [`image_issue`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageIssue {
    Unpinned(Unpinned),
    /// A legacy `circleci/` convenience image, with the `cimg/` image to use instead (when
    /// there is one).
    Deprecated {
        replacement: Option<String>,
    },
}

/// The parts of `[registry/]path[:tag][@digest]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Everything before the tag (registry and path).
    pub name: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

/// Split an image reference; `None` when it cannot be judged (it contains a `<< parameter >>`
/// or a `$variable`, or is empty).
pub fn parse(image: &str) -> Option<ImageRef<'_>> {
    let image = image.trim();
    if image.is_empty() || image.contains("<<") || image.contains('$') || image.contains("{{") {
        return None;
    }
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    Some(ImageRef { name, tag, digest })
}

/// Tags that are moved to new versions over time.
pub const FLOATING_TAGS: &[&str] = &[
    "latest", "stable", "current", "edge", "lts", "rolling", "nightly", "unstable", "testing",
    "mainline",
];

/// Why a tag no longer moves although its name says it would: Docker's official `docker` image
/// dropped its `stable`, `test` and `edge` channel aliases in 2020
/// (docker-library/official-images#9253, after docker-library/docker#179); the tags stayed on
/// Docker Hub, frozen at Docker 19.03, which is no longer maintained.
pub fn frozen_alias(image: &str) -> Option<&'static str> {
    let r = parse(image)?;
    if r.digest.is_some() {
        return None;
    }
    let name = r
        .name
        .strip_prefix("docker.io/")
        .or_else(|| r.name.strip_prefix("index.docker.io/"))
        .unwrap_or(r.name);
    let name = name.strip_prefix("library/").unwrap_or(name);
    let head = r.tag?.split('-').next().unwrap_or("");
    (name == "docker" && matches!(head, "stable" | "test" | "edge")).then_some(
        "Docker's official `docker` image stopped updating its `stable`, `test` and `edge` tags in 2020 (docker-library/official-images#9253): they still pull Docker 19.03, which is no longer maintained",
    )
}

/// Is a docker image unpinned (no tag, `latest`, or a floating tag)? A digest pins it. A tag
/// that stopped moving ([`frozen_alias`]) is not: `deprecated-image` reports it.
pub fn unpinned(image: &str) -> Option<Unpinned> {
    let r = parse(image)?;
    if r.digest.is_some() || frozen_alias(image).is_some() {
        return None;
    }
    match r.tag {
        None => Some(Unpinned::NoTag),
        Some("latest") => Some(Unpinned::Latest),
        Some(tag) => {
            let head = tag.split(['-', '_']).next().unwrap_or(tag);
            FLOATING_TAGS
                .contains(&head)
                .then(|| Unpinned::Floating(tag.to_string()))
        }
    }
}

/// Legacy `circleci/<name>` convenience images and their `cimg/` successors.
const LEGACY: &[(&str, Option<&str>)] = &[
    ("android", Some("cimg/android")),
    ("buildpack-deps", Some("cimg/base")),
    ("clojure", Some("cimg/clojure")),
    ("dynamodb", None),
    ("elixir", Some("cimg/elixir")),
    ("golang", Some("cimg/go")),
    ("jruby", None),
    ("mariadb", Some("cimg/mariadb")),
    ("mongo", None),
    ("mysql", Some("cimg/mysql")),
    ("node", Some("cimg/node")),
    ("openjdk", Some("cimg/openjdk")),
    ("php", Some("cimg/php")),
    ("postgres", Some("cimg/postgres")),
    ("python", Some("cimg/python")),
    ("redis", Some("cimg/redis")),
    ("ruby", Some("cimg/ruby")),
    ("rust", Some("cimg/rust")),
    ("elasticsearch", None),
];

/// A legacy `circleci/` docker image: `Some(replacement)` (the `cimg/` image, if any).
pub fn legacy_docker(image: &str) -> Option<Option<&'static str>> {
    let r = parse(image)?;
    let name = r
        .name
        .strip_prefix("docker.io/")
        .or_else(|| r.name.strip_prefix("index.docker.io/"))
        .unwrap_or(r.name);
    let short = name.strip_prefix("circleci/")?;
    LEGACY
        .iter()
        .find(|(n, _)| *n == short)
        .map(|(_, repl)| *repl)
}

#[cfg(test)]
/// The first issue of a docker image: deprecated before unpinned.
pub fn image_issue(image: &str) -> Option<ImageIssue> {
    if let Some(repl) = legacy_docker(image) {
        return Some(ImageIssue::Deprecated {
            replacement: repl.map(str::to_string),
        });
    }
    unpinned(image).map(ImageIssue::Unpinned)
}

/// Why a machine image is retired, if it is: CircleCI removed the Ubuntu 14.04 based
/// `circleci/classic` images and every Ubuntu 14.04 and 16.04 machine image (end of life
/// May 31, 2022).
pub fn retired_machine_image(image: &str) -> Option<&'static str> {
    let image = image.trim();
    if image.contains("<<") || image.contains('$') {
        return None;
    }
    let family = image.split(':').next().unwrap_or(image);
    match family {
        "circleci/classic" => Some("the Ubuntu 14.04 `circleci/classic` images are retired"),
        "ubuntu-1404" => Some("Ubuntu 14.04 machine images are retired"),
        "ubuntu-1604" => Some("Ubuntu 16.04 machine images were retired on May 31, 2022"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing() {
        let r = parse("registry.io:5000/team/app:1.2@sha256:abc").expect("parsed");
        assert_eq!(r.name, "registry.io:5000/team/app");
        assert_eq!(r.tag, Some("1.2"));
        assert_eq!(r.digest, Some("sha256:abc"));
        let r = parse("registry.io:5000/team/app").expect("parsed");
        assert_eq!((r.name, r.tag), ("registry.io:5000/team/app", None));
        assert!(parse("<< parameters.image >>").is_none());
        assert!(parse("cimg/node:<< parameters.v >>").is_none());
        assert!(parse("$IMAGE").is_none());
    }

    #[test]
    fn pinning() {
        assert_eq!(unpinned("cimg/base"), Some(Unpinned::NoTag));
        assert_eq!(unpinned("node:latest"), Some(Unpinned::Latest));
        assert_eq!(
            unpinned("cimg/base:stable"),
            Some(Unpinned::Floating("stable".into()))
        );
        // The `docker` image's channel aliases stopped moving in 2020.
        assert_eq!(unpinned("docker:stable-git"), None);
        assert!(frozen_alias("docker:stable-dind").is_some());
        assert!(frozen_alias("library/docker:test").is_some());
        assert!(frozen_alias("docker:dind").is_none());
        assert!(frozen_alias("acme/docker:stable").is_none());
        assert_eq!(
            unpinned("docker:dind"),
            None,
            "`dind` is no channel alias the list knows"
        );
        assert_eq!(
            unpinned("cimg/node:lts-browsers"),
            Some(Unpinned::Floating("lts-browsers".into()))
        );
        assert_eq!(
            unpinned("alpine:edge"),
            Some(Unpinned::Floating("edge".into()))
        );
        assert_eq!(unpinned("cimg/base:2024.01"), None);
        assert_eq!(unpinned("cimg/python:3.12-browsers"), None);
        assert_eq!(unpinned("cimg/base@sha256:0123abcd"), None);
        assert_eq!(unpinned("localhost:5000/img"), Some(Unpinned::NoTag));
        assert_eq!(unpinned("cimg/node:<< parameters.tag >>"), None);
    }

    #[test]
    fn legacy() {
        assert_eq!(legacy_docker("circleci/node:14"), Some(Some("cimg/node")));
        assert_eq!(legacy_docker("circleci/golang:1.16"), Some(Some("cimg/go")));
        assert_eq!(legacy_docker("circleci/mongo:4"), Some(None));
        assert_eq!(legacy_docker("circleci/circleci-cli:latest"), None);
        assert_eq!(legacy_docker("cimg/node:18.0"), None);
        assert_eq!(
            image_issue("circleci/python:3.8"),
            Some(ImageIssue::Deprecated {
                replacement: Some("cimg/python".into())
            })
        );
        assert_eq!(
            image_issue("cimg/base:current"),
            Some(ImageIssue::Unpinned(Unpinned::Floating("current".into())))
        );
    }

    #[test]
    fn machine_images() {
        assert!(retired_machine_image("ubuntu-1604:201903-01").is_some());
        assert!(retired_machine_image("circleci/classic:latest").is_some());
        assert!(retired_machine_image("ubuntu-2204:2024.01.1").is_none());
        assert!(retired_machine_image("<< parameters.image >>").is_none());
    }
}
