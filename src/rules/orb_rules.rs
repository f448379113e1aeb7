//! `unknown-orb-member`, `orb-unresolved`, `orb-version-resolved`, `orb-unpinned`,
//! `unused-orb`: what a config says about the orbs it declares.

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::text::did_you_mean;
use crate::config::model::Scope;
use crate::config::model::{Name, OrbSource, StepKind, orb_ref};
use crate::config::orbs::catalog::{self, History};
use crate::config::orbs::version::{Choice, OrbVersion, Wanted};
use crate::config::orbs::{self, MemberKind, Resolution, Resolved, VersionKind};

pub static UNKNOWN_ORB_MEMBER: Rule = Rule {
    id: "unknown-orb-member",
    severity: Severity::Error,
    summary: "`orb/name` names no job, command or executor of that kind in the orb",
    explanation: include_str!("docs/unknown-orb-member.md"),
    category: super::Category::Correctness,
    check: Some(check_members),
};

pub static ORB_UNRESOLVED: Rule = Rule {
    id: "orb-unresolved",
    severity: Severity::Info,
    summary: "cilint knows no release of an orb for the version written (neither its built-in catalog nor the orb cache has one, or the version is `volatile` or `dev:`), so the orb's jobs and commands are not checked",
    explanation: include_str!("docs/orb-unresolved.md"),
    category: super::Category::Correctness,
    check: Some(check_unresolved),
};

pub static ORB_VERSION_RESOLVED: Rule = Rule {
    id: "orb-version-resolved",
    severity: Severity::Info,
    summary: "an orb is checked against a release other than the exact version written: the newest release cilint knows in a partial version's range, or the nearest older release of the same major version",
    explanation: include_str!("docs/orb-version-resolved.md"),
    category: super::Category::Correctness,
    check: Some(check_version_resolved),
};

/// A finding about a member of a registry orb, said as surely as the release it was checked
/// against allows: when that is not the exact version written, the message names the release
/// and why it was used, and when CircleCI may run another release, an error is a warning.
pub fn hedge(mut d: Diagnostic, via: Option<&Resolved>) -> Diagnostic {
    let Some(r) = via else { return d };
    let Some(note) = r.note() else { return d };
    d.message = format!("{} ({note})", d.message);
    if !r.sure() && d.severity == Severity::Error {
        d.severity = Severity::Warning;
    }
    d
}

pub static ORB_UNPINNED: Rule = Rule {
    id: "orb-unpinned",
    severity: Severity::Warning,
    summary: "a third-party orb is not pinned to an exact version (`@volatile`, no version, `@1`, `@1.2`, `dev:`); CircleCI orbs pinned to a major version are info",
    explanation: include_str!("docs/orb-unpinned.md"),
    // CWE-829: inclusion of functionality from an untrusted control sphere.
    category: super::Category::Security { cwe: 829, score: 40 },
    check: Some(check_unpinned),
};

pub static UNUSED_ORB: Rule = Rule {
    id: "unused-orb",
    severity: Severity::Warning,
    summary: "an orb is declared under `orbs:` and never used",
    explanation: include_str!("docs/unused-orb.md"),
    category: super::Category::Correctness,
    check: Some(check_unused),
};

/// Every place a scope uses a name as a job, command or executor: (name, expected kind).
pub fn member_uses<'m, 'a>(scope: &Scope<'m, 'a>) -> Vec<(Name<'a>, MemberKind)> {
    let cfg = scope.config;
    let mut out = Vec::new();
    for (_, step) in cfg.all_steps() {
        if let (Some(name), StepKind::Call) = (step.name, &step.kind)
            && !step.is_builtin()
        {
            out.push((name, MemberKind::Command));
        }
    }
    for job in &cfg.jobs {
        if let Some(name) = job.executor.as_ref().and_then(|e| e.name) {
            out.push((name, MemberKind::Executor));
        }
    }
    for wf in &cfg.workflows {
        for inv in wf.jobs.iter().filter(|i| !i.is_approval()) {
            out.push((inv.job, MemberKind::Job));
        }
    }
    out
}

/// The `unknown-orb-member` finding for `name` used as a `kind` in `scope`, if `name` is
/// `orb/member` of a known orb that has no such member.
pub fn missing_member(
    cx: &Context,
    scope: &Scope,
    name: Name,
    kind: MemberKind,
) -> Option<Diagnostic> {
    let r = orb_ref(name.text)?;
    if name.text.contains("<<") {
        return None;
    }
    let res = orbs::resolve(&cx.orbs, cx.config, scope, r.orb);
    let members = res.members()?;
    if members.member(kind, r.member).is_some() {
        return None;
    }
    let via = res.registry();
    let what = match (res, via) {
        (Resolution::Inline(_), _) => format!("inline orb `{}`", r.orb),
        (_, Some(v)) => format!("orb `{}` (`{}`)", r.orb, v.reference.reference()),
        _ => format!("orb `{}`", r.orb),
    };
    let other = MemberKind::ALL
        .into_iter()
        .find(|k| *k != kind && members.member(*k, r.member).is_some());
    let (message, help) = match other {
        Some(actual) => {
            let (fix, help) = match actual {
                MemberKind::Command => (
                    "call it as a step inside a job",
                    "list it under a job's `steps:` and run that job from the workflow, or run one of the orb's jobs",
                ),
                MemberKind::Job => (
                    "run it from a workflow's `jobs:`",
                    "list it under a workflow's `jobs:`, or call one of the orb's commands as a step",
                ),
                MemberKind::Executor => (
                    "use it as a job's `executor:`",
                    "write `executor: <orb>/<name>` in a job",
                ),
            };
            (
                format!(
                    "`{}` is {} {} of {what}, not {} {}{}: {fix}",
                    name.text,
                    article(actual),
                    actual.as_str(),
                    article(kind),
                    kind.as_str(),
                    scope.suffix()
                ),
                help.to_string(),
            )
        }
        None => (
            format!(
                "{what} has no {} `{}`{}",
                kind.as_str(),
                r.member,
                scope.suffix()
            ),
            absent_help(r.orb, r.member, kind, &members, via, &what),
        ),
    };
    let label = match other {
        Some(actual) => format!("this is {} {}", article(actual), actual.as_str()),
        None => format!("no such {} in the orb", kind.as_str()),
    };
    Some(hedge(
        UNKNOWN_ORB_MEMBER
            .at(name.span, message)
            .label(label)
            .help(help),
        via,
    ))
}

/// How to fix a use of `alias/member`, a `kind` the orb does not have: a close name among its
/// members of that kind (or of another kind), what other releases of the orb say of the name
/// (renamed, removed, added later), or the list of what it has.
fn absent_help(
    alias: &str,
    member: &str,
    kind: MemberKind,
    members: &orbs::OrbMembers,
    via: Option<&Resolved>,
    what: &str,
) -> String {
    let names = members.names(kind);
    let qualified = |n: &str| format!("`{alias}/{n}`");
    let full: Vec<String> = names.iter().map(|n| format!("{alias}/{n}")).collect();
    let close = did_you_mean(&format!("{alias}/{member}"), full.iter().map(String::as_str));
    if let Some(history) = via.and_then(|v| history(v, alias, member, kind)) {
        return match close {
            Some(close) if !history.contains("use `") => format!("{history}; {close}"),
            _ => history,
        };
    }
    if let Some(close) = close {
        return close;
    }
    let others: Vec<&str> = MemberKind::ALL
        .into_iter()
        .filter(|k| *k != kind)
        .flat_map(|k| members.names(k))
        .collect();
    if let Some(close) = crate::base::text::closest(member, others.iter().copied()).first() {
        let actual = MemberKind::ALL
            .into_iter()
            .find(|k| members.names(*k).contains(close))
            .unwrap_or(kind);
        return format!(
            "did you mean {}, {} {}?",
            qualified(close),
            article(actual),
            actual.as_str()
        );
    }
    if names.is_empty() {
        return format!("{what} defines no {}", kind.plural());
    }
    let list: Vec<String> = names.iter().take(12).map(|n| qualified(n)).collect();
    format!(
        "the {} of {what} are {}{}",
        kind.plural(),
        list.join(", "),
        if names.len() > 12 { ", ..." } else { "" }
    )
}

/// What other releases of a registry orb say of `member`, which the release checked lacks:
/// renamed or removed in a later release, or added in one.
fn history(v: &Resolved, alias: &str, member: &str, kind: MemberKind) -> Option<String> {
    let orb = catalog::orb(&v.reference.orb())?;
    let name = v.reference.orb();
    let pinned = |version: OrbVersion| format!("`{}`", v.reference.at(version).reference());
    match orb.history(kind, member, v.version) {
        History::RemovedIn {
            gone_in,
            last,
            renamed: Some(new),
        } => Some(format!(
            "`{member}` was renamed in {name} {gone_in}: use `{alias}/{new}`, or pin {} to keep the old name",
            pinned(last)
        )),
        History::RemovedIn { gone_in, last, .. } => Some(format!(
            "`{member}` was removed in {name} {gone_in} (the last release with it is {last}): pin {} to keep it, or use another {}",
            pinned(last),
            kind.as_str()
        )),
        History::AddedIn(first) => Some(format!(
            "`{member}` is {} {} of {name} from {first} on: pin {} or newer",
            article(kind),
            kind.as_str(),
            pinned(first)
        )),
        History::Never => None,
    }
}

fn article(kind: MemberKind) -> &'static str {
    match kind {
        MemberKind::Executor => "an",
        _ => "a",
    }
}

fn check_members(cx: &Context, out: &mut Vec<Diagnostic>) {
    for scope in cx.scopes() {
        for (name, kind) in member_uses(&scope) {
            if let Some(d) = missing_member(cx, &scope, name, kind) {
                out.push(d);
            }
        }
    }
}

fn check_unresolved(cx: &Context, out: &mut Vec<Diagnostic>) {
    for scope in cx.scopes() {
        for decl in &scope.config.orbs {
            let (message, help) = match &decl.source {
                OrbSource::Registry { .. } => {
                    if !matches!(
                        orbs::resolve(&cx.orbs, cx.config, &scope, decl.alias.text),
                        Resolution::Unresolved
                    ) {
                        continue;
                    }
                    let Some(r) = orbs::registry_ref(decl, cx.config) else {
                        continue;
                    };
                    unresolved_registry(&r, &scope.suffix())
                }
                OrbSource::Inline(cfg) if orbs::is_placeholder(cfg) => (
                    format!(
                        "inline orb `{}` is empty (a placeholder that a tool fills in, as orb-tools does), so its jobs and commands are not checked{}",
                        decl.alias,
                        scope.suffix()
                    ),
                    "nothing to fix if a tool fills the orb in; otherwise define its jobs, commands or executors".to_string(),
                ),
                OrbSource::Url(url) => (
                    format!(
                        "orb `{}` is loaded from `{url}`, which cilint never fetches, so its jobs and commands are not checked{}",
                        decl.alias,
                        scope.suffix()
                    ),
                    "nothing to fix; for full checks, use a registry orb or an inline orb".to_string(),
                ),
                _ => continue,
            };
            out.push(
                ORB_UNRESOLVED
                    .at(decl.node.span, message)
                    .label("not checked")
                    .help(help),
            );
        }
    }
}

/// Why a registry orb is not checked, and what to do about it.
fn unresolved_registry(r: &orbs::RegistryRef, suffix: &str) -> (String, String) {
    let reference = r.reference();
    let orb = r.orb();
    let not_checked = "so its jobs and commands are not checked";
    let pin = format!(
        "pin a released version (`{orb}@x.y.z`): cilint checks it against its built-in catalog, or against its source after `cilint orbs fetch`"
    );
    match orbs::version_kind(&r.version) {
        VersionKind::Volatile => {
            return (
                format!(
                    "orb `{reference}` is whatever release was published last, {not_checked}{suffix}"
                ),
                pin,
            );
        }
        VersionKind::Missing => {
            return (
                format!(
                    "orb `{reference}` names no version (the latest release of any version), {not_checked}{suffix}"
                ),
                pin,
            );
        }
        VersionKind::Dev => {
            return (
                format!(
                    "orb `{reference}` is a `dev:` version, an unpublished build cilint cannot know, {not_checked}{suffix}"
                ),
                format!("nothing to fix in an orb's own test pipeline; elsewhere, {pin}"),
            );
        }
        VersionKind::Other => {
            return (
                format!(
                    "the version of orb `{reference}` is not a release number (`1.2.3`, `1.2` or `1`), {not_checked}{suffix}"
                ),
                format!(
                    "{pin}; a version taken from a pipeline parameter is checked with the parameter's default"
                ),
            );
        }
        _ => {}
    }
    let fetch = format!(
        "run `cilint orbs fetch` to download the source of `{reference}` into the orb cache"
    );
    let Some(known) = catalog::orb(&orb) else {
        return (
            format!(
                "orb `{reference}` is in neither cilint's built-in catalog nor the orb cache, {not_checked}{suffix}"
            ),
            fetch,
        );
    };
    let versions: Vec<OrbVersion> = known.versions().collect();
    let major = r.wanted().map_or(0, Wanted::major);
    let same_major: Vec<OrbVersion> = versions
        .iter()
        .copied()
        .filter(|v| v.major == major)
        .collect();
    let has = match (same_major.first(), same_major.last()) {
        (Some(a), Some(b)) if a == b => format!("only {a} of the {major}.x releases"),
        (Some(a), Some(b)) => format!("only {a} to {b} of the {major}.x releases"),
        _ => match (versions.first(), versions.last()) {
            (Some(a), Some(b)) => format!("releases {a} to {b}, none of {major}.x"),
            _ => "no release".to_string(),
        },
    };
    (
        format!(
            "orb `{reference}` is not in cilint's built-in catalog (which has {has}) nor in the orb cache, {not_checked}{suffix}"
        ),
        fetch,
    )
}

fn check_version_resolved(cx: &Context, out: &mut Vec<Diagnostic>) {
    for scope in cx.scopes() {
        for decl in &scope.config.orbs {
            let Resolution::Registry(r) =
                orbs::resolve(&cx.orbs, cx.config, &scope, decl.alias.text)
            else {
                continue;
            };
            if r.note().is_none() {
                continue;
            }
            let written = r.reference.reference();
            let checked = r.checked();
            let range = r.reference.wanted().map_or_else(String::new, |w| w.range());
            let warnings = "so findings about it are warnings, not errors";
            let (message, help) = match r.choice {
                Choice::Newest { open } => {
                    let mut message = format!(
                        "orb `{written}` is checked as `{checked}`, the newest {range} release in {}",
                        r.origin()
                    );
                    if open {
                        message.push_str(&format!(
                            "; CircleCI may run a newer {range} release, {warnings}"
                        ));
                    } else if r.inferred() {
                        message.push_str(&format!(
                            "; the catalog inferred that release from the orb's commit history, {warnings}"
                        ));
                    }
                    let help = if open {
                        format!(
                            "pin an exact version (`{checked}` or newer) to check what runs, or run `cilint orbs fetch` to cache the newest {range} release"
                        )
                    } else {
                        format!("pin `{checked}` to check exactly what runs")
                    };
                    (message, help)
                }
                Choice::Older => (
                    format!(
                        "{}: it is checked against `{checked}`, the nearest older release of the same major version that cilint knows, {warnings}",
                        match r.reference.wanted() {
                            Some(Wanted::Exact(v)) => format!(
                                "release {v} of orb `{}` is in neither cilint's built-in catalog nor the orb cache",
                                r.reference.orb()
                            ),
                            _ => format!(
                                "no {range} release of orb `{}` is in cilint's built-in catalog or the orb cache",
                                r.reference.orb()
                            ),
                        }
                    ),
                    format!(
                        "run `cilint orbs fetch` to cache the source of `{written}` and check against it exactly"
                    ),
                ),
                Choice::Exact => (
                    format!(
                        "orb `{written}` is checked against what cilint's catalog inferred of release {} from the orb's commit history (it has no release tag), {warnings}",
                        r.version
                    ),
                    format!(
                        "run `cilint orbs fetch` to cache the published source of `{written}`"
                    ),
                ),
            };
            out.push(
                ORB_VERSION_RESOLVED
                    .at(decl.node.span, format!("{message}{}", scope.suffix()))
                    .label(format!("checked as {}", r.version))
                    .help(help),
            );
        }
    }
}

fn check_unpinned(cx: &Context, out: &mut Vec<Diagnostic>) {
    for scope in cx.scopes() {
        for decl in &scope.config.orbs {
            let Some(r) = orbs::registry_ref(decl, cx.config) else {
                continue;
            };
            // CircleCI's own (certified) orbs are reviewed by CircleCI, and pinning them to a
            // major version is the documented convention: worth knowing at most. A
            // third-party orb without an exact version runs unreviewed code with the job's
            // secrets: a warning.
            let certified = r.namespace == "circleci";
            let kind = orbs::version_kind(&r.version);
            let (what, severity) = match kind {
                VersionKind::Volatile => (
                    "`@volatile`, the latest release of any version",
                    Severity::Warning,
                ),
                VersionKind::Missing => (
                    "no version, which means the latest release of any version",
                    Severity::Warning,
                ),
                VersionKind::MajorOnly => (
                    "a major version only, which takes every new minor and patch release",
                    if certified {
                        Severity::Info
                    } else {
                        Severity::Warning
                    },
                ),
                VersionKind::MajorMinor => (
                    "a major and minor version only, which takes every new patch release",
                    if certified {
                        Severity::Info
                    } else {
                        Severity::Warning
                    },
                ),
                // `dev:<< pipeline.git.revision >>`: an orb's own pipeline testing the
                // development version it just published.
                VersionKind::Dev if decl.node.as_str().is_some_and(|t| t.contains("<<")) => (
                    "a `dev:` version named by the pipeline (the orb's own development version)",
                    Severity::Info,
                ),
                VersionKind::Dev => (
                    "a `dev:` version, which can be overwritten at any time and expires after 90 days",
                    Severity::Warning,
                ),
                _ => continue,
            };
            let owner = if certified {
                "a CircleCI orb"
            } else {
                "a third-party orb"
            };
            out.push(
                ORB_UNPINNED
                    .at(
                        decl.node.span,
                        format!(
                            "orb `{}` ({owner}) is not pinned to an exact version: it uses {what}{}",
                            decl.alias,
                            scope.suffix()
                        ),
                    )
                    .severity(severity)
                    .label("floating orb version")
                    .help(format!(
                        "pin an exact version such as `{}/{}@1.2.3`: an orb's code runs with the job's secrets, and a floating version runs whatever is published next",
                        r.namespace, r.name
                    )),
            );
        }
    }
}

fn check_unused(cx: &Context, out: &mut Vec<Diagnostic>) {
    for scope in cx.scopes() {
        let cfg = scope.config;
        if cfg.orbs.is_empty() {
            continue;
        }
        let Some(root) = cfg.root else { continue };
        let mut used: Vec<bool> = vec![false; cfg.orbs.len()];
        let mut unused = used.len();
        let Some(map) = root.as_map() else { continue };
        'entries: for (k, v) in map {
            if k.scalar_text() == Some("orbs") {
                continue;
            }
            for node in [k, v] {
                // Stops once every orb is used.
                let go_on = crate::yaml::walk::walk_scalars_until(node, 256, &mut |s| {
                    let Some(text) = s.scalar_text() else {
                        return true;
                    };
                    if !text.contains('/') {
                        return true;
                    }
                    for (i, decl) in cfg.orbs.iter().enumerate() {
                        if !used[i]
                            && text.trim_start().starts_with(decl.alias.text)
                            && text.trim_start()[decl.alias.text.len()..].starts_with('/')
                        {
                            used[i] = true;
                            unused -= 1;
                        }
                    }
                    unused > 0
                });
                if !go_on {
                    break 'entries;
                }
            }
        }
        for (decl, used) in cfg.orbs.iter().zip(used) {
            if used {
                continue;
            }
            out.push(
                UNUSED_ORB
                    .at(
                        decl.alias.span,
                        format!(
                            "orb `{}` is declared but none of its jobs, commands or executors is used{}",
                            decl.alias,
                            scope.suffix()
                        ),
                    )
                    .label("never used")
                    .help(format!(
                        "remove `{}` from `orbs:`, or use it as `{}/<job, command or executor>`",
                        decl.alias, decl.alias
                    )),
            );
        }
    }
}
