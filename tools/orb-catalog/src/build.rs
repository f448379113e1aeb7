//! Finding an orb's releases and extracting each release's interface: from a repository's
//! history, or from a folder of packed sources.

use crate::config::{Base, Source};
use crate::git::{Entry, Repo};
use crate::interface::{self, Interface, KINDS};
use crate::version::{Version, subject_bump};
use crate::yaml;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Where a version's source came from, strongest first.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// A packed source from the orb cache folder (what the registry serves).
    Cache(String),
    /// `pin=` in orbs.tsv.
    Pin(String),
    /// A release tag.
    Tag(String),
    /// `version-comment`: the first commit whose source names the version.
    Comment(String),
    /// `semver-log`: a commit whose subject asked for a release.
    Inferred(String),
}

impl Origin {
    pub fn label(&self) -> &'static str {
        match self {
            Origin::Cache(_) => "cache",
            Origin::Pin(_) => "pin",
            Origin::Tag(_) => "tag",
            Origin::Comment(_) => "comment",
            Origin::Inferred(_) => "inferred",
        }
    }
}

/// One release of an orb and its interface.
#[derive(Clone, Debug)]
pub struct Release {
    pub origin: Origin,
    /// The repository it came from (empty for the cache).
    pub repo: String,
    pub interface: Interface,
}

/// Everything found for one orb.
#[derive(Debug, Default)]
pub struct OrbResult {
    pub repos: Vec<String>,
    pub versions: BTreeMap<Version, Release>,
    pub problems: Vec<String>,
    /// Tags that are not release versions (`integration-...`, `v1.0.0-rc`), per repository.
    pub other_tags: Vec<String>,
    /// Source layouts seen (`src/ (packed folder)`, `orb.yml`), with their release counts.
    pub layouts: BTreeMap<String, usize>,
    /// Notes from orbs.tsv, with the line they are on.
    pub notes: Vec<String>,
}

/// Where the bare git directory of `owner/name` is, under `mirror`: the first that exists of
/// `owner+name/repo` (the layout the search tool's `fetch` writes), `owner+name`,
/// `owner/name.git`, `owner/name`.
pub fn repo_dir(mirror: &Path, repo: &str) -> Option<PathBuf> {
    let (owner, name) = repo.split_once('/')?;
    let candidates = [
        mirror.join(format!("{owner}+{name}")).join("repo"),
        mirror.join(format!("{owner}+{name}")),
        mirror.join(owner).join(format!("{name}.git")),
        mirror.join(owner).join(name),
    ];
    candidates.into_iter().find(|p| p.is_dir())
}

/// Parsed files, by blob id, so a file shared by many releases is read once.
#[derive(Default)]
pub struct BlobCache {
    roots: HashMap<String, Result<(Interface, Vec<String>), String>>,
    members: HashMap<String, Result<(interface::Params, Vec<String>), String>>,
}

fn text_of(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())
}

/// Parse a source file. CircleCI's loader accepts a few things a strict YAML parser does not
/// (seen: a quoted one-line `description:` followed by more text, `"a `x="#"`"`); when the
/// file does not load, it is read again with every one-line `description:` value blanked
/// (descriptions are not part of the interface), and `problems` says so.
fn parse_source(text: &str, problems: &mut Vec<String>) -> Result<yaml::Yaml, String> {
    match yaml::parse(text) {
        Ok(y) => Ok(y.unwrap_or(yaml::Yaml::Null)),
        Err(first) => {
            let mut changed = false;
            let repaired: String = text
                .lines()
                .map(|line| {
                    let trimmed = line.trim_start();
                    if let Some(rest) = trimmed.strip_prefix("description:") {
                        let rest = rest.trim();
                        if !rest.is_empty() && !rest.starts_with(['|', '>']) {
                            changed = true;
                            let indent = &line[..line.len() - trimmed.len()];
                            return format!("{indent}description: x\n");
                        }
                    }
                    format!("{line}\n")
                })
                .collect();
            if !changed {
                return Err(first);
            }
            match yaml::parse(&repaired) {
                Ok(y) => {
                    problems.push(format!(
                        "loaded only with one-line descriptions blanked ({first})"
                    ));
                    Ok(y.unwrap_or(yaml::Yaml::Null))
                }
                Err(_) => Err(first),
            }
        }
    }
}

impl BlobCache {
    fn root(&mut self, repo: &mut Repo, id: &str) -> Result<(Interface, Vec<String>), String> {
        if let Some(r) = self.roots.get(id) {
            return r.clone();
        }
        let r = repo.blob(id).and_then(|bytes| {
            let text = text_of(&bytes)?;
            let mut problems = Vec::new();
            let y = parse_source(text, &mut problems)?;
            let iface = interface::from_root(&y, &mut problems);
            Ok((iface, problems))
        });
        self.roots.insert(id.to_string(), r.clone());
        r
    }

    fn member(
        &mut self,
        repo: &mut Repo,
        id: &str,
        label: &str,
    ) -> Result<(interface::Params, Vec<String>), String> {
        if let Some(r) = self.members.get(id) {
            return r.clone();
        }
        let r = repo.blob(id).and_then(|bytes| {
            let text = text_of(&bytes)?;
            let mut problems = Vec::new();
            let y = parse_source(text, &mut problems)?;
            let params = interface::params_of(&y, label, &mut problems);
            Ok((params, problems))
        });
        self.members.insert(id.to_string(), r.clone());
        r
    }

    /// An `@` file of a member folder: several members, merged at the folder's level.
    fn members_map(
        &mut self,
        repo: &mut Repo,
        id: &str,
        kind: usize,
    ) -> Result<(Interface, Vec<String>), String> {
        let bytes = repo.blob(id)?;
        let text = text_of(&bytes)?;
        let mut problems = Vec::new();
        let y = parse_source(text, &mut problems)?;
        // Wrap as `{kind: <file>}` and read it as a root.
        let wrapped = yaml::Yaml::Map(vec![(yaml::Yaml::Str(KINDS[kind].to_string()), y)]);
        let iface = interface::from_root(&wrapped, &mut problems);
        Ok((iface, problems))
    }
}

fn is_yaml_file(name: &str) -> bool {
    !name.starts_with('.') && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// The interface of the orb source at `path` in a commit's tree (`entries`): a folder packed
/// as `circleci orb pack` does, or one packed file. `path` empty: `src/` if it holds YAML,
/// else `orb.yml`. Returns the interface, the layout used, and problems that did not stop it.
pub fn interface_in_tree(
    repo: &mut Repo,
    cache: &mut BlobCache,
    entries: &[Entry],
    path: &str,
) -> Result<(Interface, String, Vec<String>), String> {
    // Several candidates (`src/main,src`): the first that holds a source.
    if path.contains(',') {
        let mut last = String::new();
        for candidate in path.split(',') {
            let present = entries
                .iter()
                .any(|e| e.path == candidate || e.path.starts_with(&format!("{candidate}/")));
            if !present {
                last = format!("no {candidate}");
                continue;
            }
            match interface_in_tree(repo, cache, entries, candidate) {
                Ok(r) => return Ok(r),
                Err(e) => last = e,
            }
        }
        return Err(last);
    }
    let is_file = path.ends_with(".yml") || path.ends_with(".yaml");
    let (mode_file, target) = if !path.is_empty() {
        (is_file, path.to_string())
    } else if entries
        .iter()
        .any(|e| packs_as_member(&e.path, "src").is_some())
    {
        (false, "src".to_string())
    } else if entries.iter().any(|e| e.path == "orb.yml") {
        (true, "orb.yml".to_string())
    } else if entries.iter().any(|e| e.path == "orb.yaml") {
        (true, "orb.yaml".to_string())
    } else {
        return Err("no orb source (no src/ folder with YAML, no orb.yml)".into());
    };
    if mode_file {
        let entry = entries
            .iter()
            .find(|e| e.path == target)
            .ok_or_else(|| format!("no file {target}"))?;
        let (iface, problems) = cache
            .root(repo, &entry.id)
            .map_err(|e| format!("{target}: {e}"))?;
        return Ok((iface, target, problems));
    }
    let mut iface = Interface::default();
    let mut problems = Vec::new();
    let mut files = 0usize;
    for e in entries {
        let Some(role) = packs_as_member(&e.path, &target) else {
            continue;
        };
        files += 1;
        match role {
            Role::Root => {
                let (part, p) = cache
                    .root(repo, &e.id)
                    .map_err(|err| format!("{}: {err}", e.path))?;
                iface.merge(&part);
                problems.extend(p.into_iter().map(|p| format!("{}: {p}", e.path)));
            }
            Role::MergeAt(kind) => {
                let (part, p) = cache
                    .members_map(repo, &e.id, kind)
                    .map_err(|err| format!("{}: {err}", e.path))?;
                iface.merge(&part);
                problems.extend(p.into_iter().map(|p| format!("{}: {p}", e.path)));
            }
            Role::Member(kind, name) => {
                let label = format!("{}/{}", KINDS[kind], name);
                let (params, p) = cache
                    .member(repo, &e.id, &label)
                    .map_err(|err| format!("{}: {err}", e.path))?;
                iface.members[kind].insert(name, params);
                problems.extend(p.into_iter().map(|p| format!("{}: {p}", e.path)));
            }
        }
    }
    if files == 0 {
        return Err(format!("no orb source under {target}/"));
    }
    Ok((iface, format!("{target}/"), problems))
}

enum Role {
    Root,
    MergeAt(usize),
    Member(usize, String),
}

/// What `path` is to a packed folder `dir`: a root file (merged at the top), an `@` file of a
/// member folder (merged at that folder's level), a member file, or nothing (`None`).
fn packs_as_member(path: &str, dir: &str) -> Option<Role> {
    let rel = path.strip_prefix(dir)?.strip_prefix('/')?;
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        [file] if is_yaml_file(file) => Some(Role::Root),
        [folder, file] if is_yaml_file(file) => {
            let kind = KINDS.iter().position(|k| k == folder)?;
            if file.starts_with('@') {
                Some(Role::MergeAt(kind))
            } else {
                Some(Role::Member(kind, stem(file).to_string()))
            }
        }
        _ => None,
    }
}

/// Releases of one orb source line: (version, commit, origin), strongest origin kept per
/// version.
fn releases(repo: &mut Repo, src: &Source, out: &mut OrbResult) -> Vec<(Version, String, Origin)> {
    let mut found: Vec<(Version, String, Origin)> = Vec::new();
    let mut tag_commits: HashMap<String, Version> = HashMap::new();
    if !src.options.no_tags {
        match repo.tags() {
            Ok(tags) => {
                for (name, commit) in tags {
                    match Version::from_tag(&name, &src.options.tag_prefix) {
                        Some(v) => {
                            let e = tag_commits.entry(commit.clone()).or_insert(v);
                            if v > *e {
                                *e = v;
                            }
                            found.push((v, commit, Origin::Tag(name)));
                        }
                        None => out.other_tags.push(format!("{}:{name}", src.repo)),
                    }
                }
            }
            Err(e) => out.problems.push(format!("{}: {e}", src.repo)),
        }
    }
    for (v, c) in &src.options.pins {
        match repo.resolve(c) {
            Ok(commit) => found.push((*v, commit, Origin::Pin(c.clone()))),
            Err(e) => out.problems.push(format!("pin {v}@{c}: {e}")),
        }
    }
    if let Some((from, base, until)) = &src.options.semver_log {
        semver_log(
            repo,
            from,
            base,
            until.as_deref(),
            &tag_commits,
            &mut found,
            out,
        );
    }
    if src.options.version_comment {
        version_comments(repo, src, &mut found, out);
    }
    // The strongest origin per version; among tags, `v1.2.3` before `1.2.3` before `v.1.2.3` before `v1.2.3-minor`.
    found.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| origin_rank(&a.2).cmp(&origin_rank(&b.2)))
            .then_with(|| tag_rank(&a.2).cmp(&tag_rank(&b.2)))
            .then_with(|| a.2.cmp(&b.2))
    });
    let mut kept: Vec<(Version, String, Origin)> = Vec::new();
    for f in found {
        if let Some(last) = kept.last() {
            if last.0 == f.0 {
                if last.1 != f.1 {
                    out.problems.push(format!(
                        "{}: version {} also at {} ({} `{}`), not used",
                        src.repo,
                        f.0,
                        &f.1[..10],
                        f.2.label(),
                        origin_detail(&f.2)
                    ));
                }
                continue;
            }
        }
        kept.push(f);
    }
    kept
}

fn origin_rank(o: &Origin) -> u8 {
    match o {
        Origin::Cache(_) => 0,
        Origin::Pin(_) => 1,
        Origin::Tag(_) => 2,
        Origin::Comment(_) => 3,
        Origin::Inferred(_) => 4,
    }
}

fn tag_rank(o: &Origin) -> u8 {
    match o {
        Origin::Tag(t)
            if t.ends_with("-major") || t.ends_with("-minor") || t.ends_with("-patch") =>
        {
            3
        }
        Origin::Tag(t) if t.starts_with("v.") => 2,
        Origin::Tag(t) if t.starts_with('v') => 0,
        Origin::Tag(_) => 1,
        _ => 0,
    }
}

fn origin_detail(o: &Origin) -> &str {
    match o {
        Origin::Cache(s)
        | Origin::Pin(s)
        | Origin::Tag(s)
        | Origin::Comment(s)
        | Origin::Inferred(s) => s,
    }
}

fn semver_log(
    repo: &mut Repo,
    from: &str,
    base: &Base,
    until: Option<&str>,
    tag_commits: &HashMap<String, Version>,
    found: &mut Vec<(Version, String, Origin)>,
    out: &mut OrbResult,
) {
    let log = match repo.first_parent_log(&[]) {
        Ok(l) => l,
        Err(e) => {
            out.problems.push(format!("semver-log: {e}"));
            return;
        }
    };
    // `auto`: from the oldest tagged commit on the first-parent history.
    let auto_start = if from.is_empty() {
        match log.iter().find(|(c, _)| tag_commits.contains_key(c)) {
            Some((c, _)) => Some(c.clone()),
            None => {
                out.problems
                    .push("semver-log=auto: no release tag on HEAD's first-parent history".into());
                return;
            }
        }
    } else {
        None
    };
    let from = auto_start.as_deref().unwrap_or(from);
    let (start, end) = match (
        repo.resolve(from),
        until.map(|u| repo.resolve(u)).transpose(),
    ) {
        (Ok(s), Ok(u)) => (s, u),
        (Err(e), _) | (_, Err(e)) => {
            out.problems.push(format!("semver-log: {e}"));
            return;
        }
    };
    let Some(first) = log.iter().position(|(c, _)| *c == start) else {
        out.problems.push(format!(
            "semver-log: {from} is not on HEAD's first-parent history"
        ));
        return;
    };
    let mut state: Option<Version> = match base {
        Base::Known(v) => Some(*v),
        Base::Major(_) => None,
    };
    let mut major = match base {
        Base::Known(v) => v.0,
        Base::Major(m) => *m,
    };
    for (commit, subject) in &log[first..] {
        let bump = subject_bump(subject);
        let was_known = state.is_some();
        if let Some(b) = bump {
            state = match (state, b) {
                (Some(v), _) => Some(v.bump(b)),
                (None, crate::version::Bump::Major) => Some(Version(major + 1, 0, 0)),
                (None, _) => None,
            };
            if let Some(v) = state {
                major = v.0;
            }
        }
        if let Some(tagged) = tag_commits.get(commit) {
            if let Some(v) = state {
                if bump.is_some() && was_known && v != *tagged {
                    out.problems.push(format!(
                        "semver-log: {} inferred at {} but tagged {}; the tag wins",
                        v,
                        &commit[..10],
                        tagged
                    ));
                }
            }
            state = Some(*tagged);
            major = tagged.0;
        } else if bump.is_some() {
            if let Some(v) = state {
                found.push((
                    v,
                    commit.clone(),
                    Origin::Inferred(commit[..10].to_string()),
                ));
            }
        }
        if Some(commit) == end.as_ref() {
            break;
        }
    }
}

fn version_comments(
    repo: &mut Repo,
    src: &Source,
    found: &mut Vec<(Version, String, Origin)>,
    out: &mut OrbResult,
) {
    let log = match repo.first_parent_log(&[src.path.as_str()]) {
        Ok(l) => l,
        Err(e) => {
            out.problems.push(format!("version-comment: {e}"));
            return;
        }
    };
    let mut seen: HashMap<Version, ()> = HashMap::new();
    for (commit, _) in log {
        let Ok(entries) = repo.ls_tree(&commit) else {
            continue;
        };
        let Some(entry) = entries.iter().find(|e| e.path == src.path) else {
            continue;
        };
        let Ok(bytes) = repo.blob(&entry.id) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let version = text.lines().take(10).find_map(|l| {
            let l = l.trim_start_matches('#').trim();
            let lower = l.to_ascii_lowercase();
            lower
                .strip_prefix("orb version")
                .and_then(|rest| Version::parse(rest.trim().trim_start_matches('v')))
        });
        if let Some(v) = version {
            if seen.insert(v, ()).is_none() {
                found.push((v, commit.clone(), Origin::Comment(commit[..10].to_string())));
            }
        }
    }
}

/// Find and extract every release of one orb source line into `out`.
pub fn from_repo(repo: &mut Repo, cache: &mut BlobCache, src: &Source, out: &mut OrbResult) {
    if !out.repos.contains(&src.repo) {
        out.repos.push(src.repo.clone());
    }
    if !src.notes.is_empty() {
        out.notes.push(format!(
            "{} (orbs.tsv line {}): {}",
            src.repo, src.line, src.notes
        ));
    }
    let mut trees: HashMap<String, Vec<Entry>> = HashMap::new();
    let found = releases(repo, src, out);
    if found.is_empty() {
        out.problems.push(format!(
            "{}: no release found (no release tag, pin or inferred version)",
            src.repo
        ));
    }
    for (version, commit, origin) in found {
        if let Some(existing) = out.versions.get(&version) {
            if origin_rank(&existing.origin) <= origin_rank(&origin) || existing.repo != src.repo {
                // Already found (a stronger origin, or an earlier line of orbs.tsv).
                continue;
            }
        }
        if !trees.contains_key(&commit) {
            match repo.ls_tree(&commit) {
                Ok(t) => {
                    trees.insert(commit.clone(), t);
                }
                Err(e) => {
                    out.problems.push(format!("{version}: {e}"));
                    continue;
                }
            }
        }
        let entries = &trees[&commit];
        match interface_in_tree(repo, cache, entries, &src.path) {
            Ok((iface, layout, problems)) => {
                *out.layouts.entry(layout).or_default() += 1;
                for p in problems {
                    let msg = format!("{version}: {p}");
                    if !out.problems.contains(&msg) {
                        out.problems.push(msg);
                    }
                }
                out.versions.insert(
                    version,
                    Release {
                        origin,
                        repo: src.repo.clone(),
                        interface: iface,
                    },
                );
            }
            Err(e) => out.problems.push(format!(
                "{version} ({} `{}`): skipped: {e}",
                origin.label(),
                origin_detail(&origin)
            )),
        }
    }
}

/// Read a folder of packed orb sources, `<namespace>/<name>@<version>.yml` (the orb cache's
/// layout: each file is what `circleci orb source` prints).
pub fn from_cache(dir: &Path, results: &mut BTreeMap<String, OrbResult>) -> Result<(), String> {
    let mut files = Vec::new();
    let namespaces = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for ns in namespaces.flatten() {
        if !ns.path().is_dir() {
            continue;
        }
        let Ok(inner) = std::fs::read_dir(ns.path()) else {
            continue;
        };
        for f in inner.flatten() {
            files.push((ns.file_name().to_string_lossy().into_owned(), f.path()));
        }
    }
    files.sort();
    for (ns, path) in files {
        let Some(file) = path.file_name().and_then(|f| f.to_str()) else {
            continue;
        };
        let Some(base) = file
            .strip_suffix(".yml")
            .or_else(|| file.strip_suffix(".yaml"))
        else {
            continue;
        };
        let Some((name, ver)) = base.split_once('@') else {
            continue;
        };
        let orb = format!("{ns}/{name}");
        let result = results.entry(orb).or_default();
        let Some(version) = Version::parse(ver) else {
            result
                .problems
                .push(format!("cache: {file}: not a release version"));
            continue;
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                result.problems.push(format!("cache: {file}: {e}"));
                continue;
            }
        };
        let mut problems = Vec::new();
        match parse_source(&text, &mut problems) {
            Ok(y) => {
                let iface = interface::from_root(&y, &mut problems);
                for p in problems {
                    result.problems.push(format!("{version} (cache): {p}"));
                }
                *result.layouts.entry("cache".into()).or_default() += 1;
                result.versions.insert(
                    version,
                    Release {
                        origin: Origin::Cache(file.to_string()),
                        repo: String::new(),
                        interface: iface,
                    },
                );
            }
            Err(e) => result.problems.push(format!("cache: {file}: {e}")),
        }
    }
    Ok(())
}
