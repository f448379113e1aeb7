//! Which orb a reference names, and what that orb defines.
//!
//! An orb declared under `orbs:` is one of:
//! - an inline orb (a whole orb definition in the config): its model is part of the config's
//!   model, and every rule applies inside it;
//! - a registry orb `namespace/name@version`: resolved from the orb cache, a folder holding one
//!   `namespace/name@version.yml` file per orb version with the orb's source (what `circleci orb
//!   source` prints; `cilint orbs fetch` writes them). Without a cached source the orb is
//!   unresolved: its members are not checked;
//! - a URL orb: never fetched, so unresolved.
//!
//! Reading the cache never touches the network. Each cached source is read and parsed once per
//! process and then kept for the rest of it (a linter run lints many files that use the same
//! orbs; the number of orb versions a process can read is bounded by the cache's contents).

use crate::config::model::Scope;
use crate::config::model::{Command, Config, Executor, Job, OrbDecl, OrbSource};
use crate::yaml;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The orb cache folder: `explicit` (`--orb-cache DIR`, or `orbs.cache` in `.cilint.toml`,
/// resolved by the caller in that order), else `$XDG_CACHE_HOME/cilint/orbs`, else
/// `~/.cache/cilint/orbs`. `None` when no home folder is known either.
pub fn cache_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = explicit {
        return Some(dir.to_path_buf());
    }
    let nonempty = |v: std::ffi::OsString| (!v.is_empty()).then_some(v);
    if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").and_then(nonempty) {
        return Some(PathBuf::from(xdg).join("cilint").join("orbs"));
    }
    std::env::var_os("HOME").and_then(nonempty).map(|home| {
        PathBuf::from(home)
            .join(".cache")
            .join("cilint")
            .join("orbs")
    })
}

/// A registry orb reference, split: `circleci/node@5.1.1`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistryRef {
    pub namespace: String,
    pub name: String,
    /// As written (`5.1.1`, `5`, `volatile`, `dev:alpha`), after substituting a pipeline
    /// parameter's default; empty when no `@` is written.
    pub version: String,
}

impl RegistryRef {
    /// `ns/name@version` (or `ns/name` without a version).
    pub fn reference(&self) -> String {
        if self.version.is_empty() {
            format!("{}/{}", self.namespace, self.name)
        } else {
            format!("{}/{}@{}", self.namespace, self.name, self.version)
        }
    }

    /// Only references naming one exact published version can be cached: `volatile`, `dev:`
    /// labels and partial versions change under the same name.
    pub fn is_cacheable(&self) -> bool {
        version_kind(&self.version) == VersionKind::Exact
            && safe_segment(&self.namespace)
            && safe_segment(&self.name)
    }

    /// Where the source of this orb version is kept in the cache folder `dir`:
    /// `dir/namespace/name@version.yml`.
    pub fn cache_path(&self, dir: &Path) -> PathBuf {
        dir.join(&self.namespace)
            .join(format!("{}@{}.yml", self.name, self.version))
    }
}

/// A path segment that cannot leave the cache folder.
fn safe_segment(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && !s.contains(['/', '\\', '\0']) && !s.contains("<<")
}

/// How precisely an orb version is pinned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionKind {
    /// `1.2.3`.
    Exact,
    /// `1.2`: the latest patch release of 1.2.
    MajorMinor,
    /// `5`: the latest release of major version 5.
    MajorOnly,
    /// `volatile`: the latest release of any version.
    Volatile,
    /// `dev:label`: a development version, mutable and deleted after 90 days.
    Dev,
    /// No `@version` at all (the same as `volatile`).
    Missing,
    /// `<< pipeline.parameters.x >>` or anything else.
    Other,
}

/// Classify a version string as written after the `@`.
pub fn version_kind(version: &str) -> VersionKind {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if version.is_empty() {
        return VersionKind::Missing;
    }
    if version == "volatile" {
        return VersionKind::Volatile;
    }
    if version.starts_with("dev:") {
        return VersionKind::Dev;
    }
    let parts: Vec<&str> = version.split('.').collect();
    if !parts.iter().all(|p| numeric(p)) {
        return VersionKind::Other;
    }
    match parts.len() {
        1 => VersionKind::MajorOnly,
        2 => VersionKind::MajorMinor,
        3 => VersionKind::Exact,
        _ => VersionKind::Other,
    }
}

/// A cached orb source, read and parsed once per process.
#[derive(Debug)]
pub struct CachedOrb {
    /// `ns/name@version`.
    pub reference: String,
    pub path: PathBuf,
    pub source: &'static str,
    pub doc: &'static yaml::Document,
    /// The orb's model (its jobs, commands, executors and their parameters). Its spans index
    /// into `source`, not into the config that uses the orb.
    pub config: Config<'static>,
}

/// Read (once per process) the cached source at `path`. `None` when there is no such file or
/// it cannot be read as text.
fn load_cached(reference: &str, path: &Path) -> Option<&'static CachedOrb> {
    type Table = Mutex<HashMap<PathBuf, Option<&'static CachedOrb>>>;
    static LOADED: OnceLock<Table> = OnceLock::new();
    let table = LOADED.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(found) = table.lock().ok()?.get(path) {
        return *found;
    }
    let loaded = std::fs::read(path)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .map(|source| {
            let source: &'static str = Box::leak(source.into_boxed_str());
            let doc: &'static yaml::Document = Box::leak(Box::new(yaml::parse(source)));
            let config = doc.root.as_ref().map(Config::from_root).unwrap_or_default();
            let orb: &'static CachedOrb = Box::leak(Box::new(CachedOrb {
                reference: reference.to_string(),
                path: path.to_path_buf(),
                source,
                doc,
                config,
            }));
            orb
        });
    if let Ok(mut t) = table.lock() {
        t.insert(path.to_path_buf(), loaded);
    }
    loaded
}

/// The registry orbs of one lint: the cache folder and what was found in it.
#[derive(Debug, Default, Clone)]
pub struct Orbs {
    /// The cache folder read (`None`: no folder known, every registry orb is unresolved).
    pub cache: Option<PathBuf>,
    /// Reference (`ns/name@version`, after substituting a pipeline parameter in the version)
    /// -> its cached source, for every registry orb the config declares that is cached.
    found: HashMap<String, &'static CachedOrb>,
}

impl Orbs {
    /// Look up, in the cache folder `cache`, every registry orb declared by `config` and by the
    /// inline orbs inside it.
    pub fn load(config: &Config<'_>, cache: Option<PathBuf>) -> Orbs {
        let mut orbs = Orbs {
            cache,
            found: HashMap::new(),
        };
        let Some(dir) = orbs.cache.clone() else {
            return orbs;
        };
        for r in registry_refs(config) {
            if !r.is_cacheable() {
                continue;
            }
            let reference = r.reference();
            if let Some(orb) = load_cached(&reference, &r.cache_path(&dir)) {
                orbs.found.insert(reference, orb);
            }
        }
        orbs
    }

    /// Make `reference` resolve to `orb` (the orb under development, for the examples of
    /// `cilint check --orb`).
    pub fn insert(&mut self, reference: String, orb: &'static CachedOrb) {
        self.found.insert(reference, orb);
    }

    /// The cached source of `reference`, if it was found.
    pub fn cached(&self, reference: &str) -> Option<&'static CachedOrb> {
        self.found.get(reference).copied()
    }

    /// The cached source of `r`: one found when the orbs were loaded, else read from the cache
    /// folder now (for an orb that a cached orb itself declares).
    pub fn find(&self, r: &RegistryRef) -> Option<&'static CachedOrb> {
        let reference = r.reference();
        if let Some(orb) = self.cached(&reference) {
            return Some(orb);
        }
        let dir = self.cache.as_ref()?;
        if !r.is_cacheable() {
            return None;
        }
        load_cached(&reference, &r.cache_path(dir))
    }
}

/// Every registry orb declared in `config` or in an inline orb inside it (versions written
/// with a pipeline parameter take that parameter's default), sorted and without duplicates.
pub fn registry_refs(config: &Config<'_>) -> Vec<RegistryRef> {
    fn add(cfg: &Config<'_>, root: &Config<'_>, depth: usize, out: &mut Vec<RegistryRef>) {
        for decl in &cfg.orbs {
            match &decl.source {
                OrbSource::Registry { .. } => {
                    if let Some(r) = registry_ref(decl, root) {
                        out.push(r);
                    }
                }
                OrbSource::Inline(inner) if depth < 16 => add(inner, root, depth + 1, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    add(config, config, 0, &mut out);
    out.sort();
    out.dedup();
    out
}

/// The registry reference a declaration names, its version's pipeline parameter (if any)
/// replaced by the parameter's default from `root`'s pipeline parameters. `None` for
/// declarations that are not registry orbs.
pub fn registry_ref(decl: &OrbDecl<'_>, root: &Config<'_>) -> Option<RegistryRef> {
    let OrbSource::Registry {
        namespace,
        name,
        version,
        ..
    } = decl.source
    else {
        return None;
    };
    Some(RegistryRef {
        namespace: namespace.to_string(),
        name: name.to_string(),
        version: substitute_pipeline_defaults(version, root),
    })
}

/// Replace `<< pipeline.parameters.x >>` by the default of pipeline parameter `x` when it has a
/// scalar one; other tags stay as written.
fn substitute_pipeline_defaults(text: &str, root: &Config<'_>) -> String {
    if !text.contains("<<") {
        return text.to_string();
    }
    let mut out = text.to_string();
    for p in &root.parameters {
        let Some(value) = p.default.and_then(|d| d.scalar_text()) else {
            continue;
        };
        for pattern in [
            format!("<< pipeline.parameters.{} >>", p.name.text),
            format!("<<pipeline.parameters.{}>>", p.name.text),
        ] {
            out = out.replace(&pattern, value);
        }
    }
    out
}

/// What kind of member a reference expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberKind {
    Job,
    Command,
    Executor,
}

impl MemberKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberKind::Job => "job",
            MemberKind::Command => "command",
            MemberKind::Executor => "executor",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            MemberKind::Job => "jobs",
            MemberKind::Command => "commands",
            MemberKind::Executor => "executors",
        }
    }
}

/// What an orb alias of a scope resolves to.
#[derive(Clone, Copy, Debug)]
pub enum Resolution<'m, 'a> {
    /// An inline orb: its model.
    Inline(&'m Config<'a>),
    /// A registry orb found in the cache.
    Cached(&'static CachedOrb),
    /// A registry orb whose source is not cached (or whose version cannot be cached).
    Uncached,
    /// A URL orb (never fetched).
    Url,
    /// An empty inline orb (`docker: {}`): a placeholder that a tool fills in before CircleCI
    /// sees the config (orb-tools' test pipelines inject the orb being tested this way).
    Placeholder,
    /// No readable orb, or an alias that is not declared.
    Unknown,
}

impl<'m, 'a> Resolution<'m, 'a> {
    /// The orb's model, when it is known.
    pub fn config(&self) -> Option<&'m Config<'a>> {
        match *self {
            Resolution::Inline(c) => Some(c),
            Resolution::Cached(o) => Some(&o.config),
            _ => None,
        }
    }
}

/// What the orb declared as `alias` in `scope` resolves to.
pub fn resolve<'m, 'a>(
    orbs: &Orbs,
    root: &Config<'_>,
    scope: &Scope<'m, 'a>,
    alias: &str,
) -> Resolution<'m, 'a> {
    let Some(decl) = scope.config.orb(alias) else {
        return Resolution::Unknown;
    };
    match &decl.source {
        OrbSource::Inline(cfg) if is_placeholder(cfg) => Resolution::Placeholder,
        OrbSource::Inline(cfg) => Resolution::Inline(cfg),
        OrbSource::Registry { .. } => match registry_ref(decl, root) {
            Some(r) => orbs
                .cached(&r.reference())
                .map_or(Resolution::Uncached, Resolution::Cached),
            None => Resolution::Uncached,
        },
        OrbSource::Url(_) => Resolution::Url,
        OrbSource::Invalid => Resolution::Unknown,
    }
}

/// An inline orb that defines nothing (`name: {}`).
pub fn is_placeholder(cfg: &Config<'_>) -> bool {
    cfg.jobs.is_empty()
        && cfg.commands.is_empty()
        && cfg.executors.is_empty()
        && cfg.orbs.is_empty()
}

/// A job, command or executor found by name.
#[derive(Clone, Copy, Debug)]
pub enum Member<'m, 'a> {
    Job(&'m Job<'a>),
    Command(&'m Command<'a>),
    Executor(&'m Executor<'a>),
}

impl<'m, 'a> Member<'m, 'a> {
    pub fn parameters(&self) -> &'m [crate::config::model::ParamDecl<'a>] {
        match self {
            Member::Job(j) => &j.parameters,
            Member::Command(c) => &c.parameters,
            Member::Executor(e) => &e.parameters,
        }
    }
}

/// The member `name` of kind `kind` in `cfg`.
pub fn member<'m, 'a>(cfg: &'m Config<'a>, kind: MemberKind, name: &str) -> Option<Member<'m, 'a>> {
    match kind {
        MemberKind::Job => cfg.job(name).map(Member::Job),
        MemberKind::Command => cfg.command(name).map(Member::Command),
        MemberKind::Executor => cfg.executor(name).map(Member::Executor),
    }
}

/// The names of every member of kind `kind` in `cfg`.
pub fn member_names<'m>(cfg: &'m Config<'_>, kind: MemberKind) -> Vec<&'m str> {
    match kind {
        MemberKind::Job => cfg.jobs.iter().map(|j| j.name.text).collect(),
        MemberKind::Command => cfg.commands.iter().map(|c| c.name.text).collect(),
        MemberKind::Executor => cfg.executors.iter().map(|e| e.name.text).collect(),
    }
}

/// What a name used as a job, command or executor in a scope refers to.
#[derive(Clone, Copy, Debug)]
pub enum Lookup<'m, 'a> {
    /// Found, with where: `None` for the scope's own, `Some(alias)` for an orb's member.
    Found(Member<'m, 'a>),
    /// `orb/member` where the orb's source is not known: nothing can be said.
    Unresolved,
    /// `orb/member` where the orb is known and has no such member of that kind.
    MissingMember,
    /// A local name that is not defined (or an undeclared orb): other rules report it.
    NotFound,
}

/// Look up `name` (local, or `orb/member`) as a `kind` in `scope`.
pub fn lookup<'m, 'a>(
    orbs: &Orbs,
    root: &Config<'_>,
    scope: &Scope<'m, 'a>,
    kind: MemberKind,
    name: &str,
) -> Lookup<'m, 'a> {
    if let Some(m) = member(scope.config, kind, name) {
        return Lookup::Found(m);
    }
    let Some(r) = crate::config::model::orb_ref(name) else {
        return Lookup::NotFound;
    };
    match resolve(orbs, root, scope, r.orb) {
        Resolution::Unknown => Lookup::NotFound,
        Resolution::Uncached | Resolution::Url | Resolution::Placeholder => Lookup::Unresolved,
        res => match res.config().and_then(|c| member(c, kind, r.member)) {
            Some(m) => Lookup::Found(m),
            None => Lookup::MissingMember,
        },
    }
}

/// The source of one orb version from CircleCI's GraphQL API, and writing it to the cache.
pub mod fetch {
    use super::RegistryRef;
    use std::path::{Path, PathBuf};

    /// CircleCI's public GraphQL endpoint (the one `circleci orb source` queries).
    pub const DEFAULT_API_URL: &str = "https://circleci.com/graphql-unstable";

    /// The query for an orb version's source.
    pub const ORB_SOURCE_QUERY: &str = "query($orbVersionRef: String!) { orbVersion(orbVersionRef: $orbVersionRef) { id version orb { id } source } }";

    /// What happened to one orb.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum Outcome {
        /// Downloaded and written to this file.
        Written(PathBuf),
        /// Already in the cache; not downloaded again.
        Cached(PathBuf),
        /// Not fetched: the version is not an exact one (`volatile`, `5`, `dev:x`...), so its
        /// source could change under the same name.
        NotExact,
        /// The API answered, but without this orb version.
        NotFound,
        /// The request failed.
        Failed(String),
    }

    /// Fetch the source of `r` from `api_url` into the cache folder `dir` (skipped when already
    /// cached). Every network access of cilint is here.
    pub fn fetch_one(r: &RegistryRef, dir: &Path, api_url: &str, token: Option<&str>) -> Outcome {
        if !r.is_cacheable() {
            return Outcome::NotExact;
        }
        let path = r.cache_path(dir);
        if path.is_file() {
            return Outcome::Cached(path);
        }
        match query_source(&r.reference(), api_url, token) {
            Ok(Some(source)) => {
                if let Some(parent) = path.parent()
                    && let Err(e) = std::fs::create_dir_all(parent)
                {
                    return Outcome::Failed(format!("cannot create {}: {e}", parent.display()));
                }
                // Write to a temporary file, then rename: a cache file is never half written.
                let tmp = path.with_extension("yml.part");
                match std::fs::write(&tmp, source).and_then(|_| std::fs::rename(&tmp, &path)) {
                    Ok(()) => Outcome::Written(path),
                    Err(e) => {
                        let _ = std::fs::remove_file(&tmp);
                        Outcome::Failed(format!("cannot write {}: {e}", path.display()))
                    }
                }
            }
            Ok(None) => Outcome::NotFound,
            Err(e) => Outcome::Failed(e),
        }
    }

    /// POST the orb source query; `Ok(None)` when the API knows no such orb version.
    pub fn query_source(
        reference: &str,
        api_url: &str,
        token: Option<&str>,
    ) -> Result<Option<String>, String> {
        let body = serde_json::json!({
            "query": ORB_SOURCE_QUERY,
            "variables": { "orbVersionRef": reference },
        });
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(std::time::Duration::from_secs(30)))
            .http_status_as_error(false)
            .user_agent(concat!("cilint/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let mut req = agent
            .post(api_url)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json");
        if let Some(t) = token.filter(|t| !t.is_empty()) {
            req = req.header("Authorization", t).header("Circle-Token", t);
        }
        let mut resp = req
            .send(body.to_string().as_bytes())
            .map_err(|e| format!("request to {api_url} failed: {e}"))?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(32 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| format!("reading the answer from {api_url} failed: {e}"))?;
        if !(200..300).contains(&status) {
            let excerpt: String = text.chars().take(200).collect();
            return Err(format!("{api_url} answered HTTP {status}: {excerpt}"));
        }
        let json: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("{api_url} answered with something that is not JSON: {e}"))?;
        if let Some(errors) = json.get("errors").and_then(|e| e.as_array())
            && !errors.is_empty()
        {
            let messages: Vec<&str> = errors
                .iter()
                .filter_map(|e| e.get("message").and_then(|m| m.as_str()))
                .collect();
            if json.pointer("/data/orbVersion/source").is_none() {
                return Err(format!("the API answered: {}", messages.join("; ")));
            }
        }
        match json.pointer("/data/orbVersion") {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(v) => match v.get("source").and_then(|s| s.as_str()) {
                Some(s) if !s.is_empty() => Ok(Some(s.to_string())),
                _ => Ok(None),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_kinds() {
        assert_eq!(version_kind("1.2.3"), VersionKind::Exact);
        assert_eq!(version_kind("1.2"), VersionKind::MajorMinor);
        assert_eq!(version_kind("5"), VersionKind::MajorOnly);
        assert_eq!(version_kind("volatile"), VersionKind::Volatile);
        assert_eq!(version_kind("dev:alpha"), VersionKind::Dev);
        assert_eq!(version_kind(""), VersionKind::Missing);
        assert_eq!(
            version_kind("<< pipeline.parameters.v >>"),
            VersionKind::Other
        );
        assert_eq!(version_kind("1.2.3.4"), VersionKind::Other);
    }

    #[test]
    fn cache_paths_stay_inside_the_folder() {
        let r = RegistryRef {
            namespace: "circleci".into(),
            name: "node".into(),
            version: "5.1.1".into(),
        };
        assert!(r.is_cacheable());
        assert_eq!(
            r.cache_path(Path::new("/c")),
            Path::new("/c/circleci/node@5.1.1.yml")
        );
        let bad = RegistryRef {
            namespace: "..".into(),
            ..r.clone()
        };
        assert!(!bad.is_cacheable());
        let floating = RegistryRef {
            version: "5".into(),
            ..r
        };
        assert!(!floating.is_cacheable());
    }

    #[test]
    fn cache_dir_prefers_the_explicit_folder() {
        assert_eq!(
            cache_dir(Some(Path::new("/tmp/x"))),
            Some(PathBuf::from("/tmp/x"))
        );
    }
}
