//! Which orb a reference names, and what that orb defines.
//!
//! An orb declared under `orbs:` is one of:
//! - an inline orb (a whole orb definition in the config): its model is part of the config's
//!   model, and every rule applies inside it;
//! - a registry orb `namespace/name@version`, resolved, as CircleCI resolves it, to a release
//!   cilint knows: an exact version to itself, `5.1` and `5` to the newest release in that
//!   range, and a version cilint does not know to the nearest older release of the same major
//!   version (saying so). The releases cilint knows are those of the orb cache, a folder
//!   holding one `namespace/name@version.yml` file per orb version with the orb's whole source
//!   (what `circleci orb source` prints; `cilint orbs fetch` writes them), and those of the
//!   catalog built into cilint ([`catalog`]: interfaces only, no steps). For the same release,
//!   the cache wins. `volatile`, `dev:` versions and versions cilint cannot read are not
//!   checked; nor is an orb neither source knows;
//! - a URL orb: never fetched, so unresolved.
//!
//! Reading the cache never touches the network. Each cached source is read and parsed once per
//! process and then kept for the rest of it (a linter run lints many files that use the same
//! orbs; the number of orb versions a process can read is bounded by the cache's contents and
//! the catalog).

pub mod catalog;
pub mod fetch;
mod members;
pub mod version;

pub use members::*;

use crate::config::model::{Config, OrbDecl, OrbSource};
use crate::yaml;
use catalog::OrbInterface;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use version::{Choice, OrbVersion, Wanted};

/// The orb cache folder: `explicit` (`--orb-cache DIR`, or `orbs.cache` in `.cilint.toml`,
/// resolved by the caller in that order), else `$XDG_CACHE_HOME/cilint/orbs`, else
/// `~/.cache/cilint/orbs`. `None` when no home folder is known either.
pub fn cache_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = explicit {
        return Some(dir.to_path_buf());
    }
    crate::config::settings::user_cache_dir().map(|dir| dir.join("orbs"))
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

    /// Where the source of this orb version is kept in the cache folder `dir`:
    /// `dir/namespace/name@version.yml`.
    pub fn cache_path(&self, dir: &Path) -> PathBuf {
        dir.join(&self.namespace)
            .join(format!("{}@{}.yml", self.name, self.version))
    }

    /// `namespace/name`.
    pub fn orb(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// The same orb at release `version`.
    pub fn at(&self, version: OrbVersion) -> RegistryRef {
        RegistryRef {
            version: version.to_string(),
            ..self.clone()
        }
    }

    /// What the version asks for, when cilint can check it (not `volatile`, `dev:`, a
    /// template, or a name that cannot be a cache file).
    pub fn wanted(&self) -> Option<Wanted> {
        (safe_segment(&self.namespace) && safe_segment(&self.name))
            .then(|| Wanted::parse(&self.version))
            .flatten()
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

/// The releases of orb `ns/name` in the cache folder `dir` (listed once per process),
/// ascending.
pub fn cached_versions(dir: &Path, namespace: &str, name: &str) -> Vec<OrbVersion> {
    type Table = Mutex<HashMap<PathBuf, Vec<OrbVersion>>>;
    static LISTED: OnceLock<Table> = OnceLock::new();
    let folder = dir.join(namespace);
    let key = folder.join(name);
    let table = LISTED.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(found) = table.lock().ok().and_then(|t| t.get(&key).cloned()) {
        return found;
    }
    let prefix = format!("{name}@");
    let mut found: Vec<OrbVersion> = std::fs::read_dir(&folder)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let file = entry.file_name();
            let version = file.to_str()?.strip_prefix(&prefix)?.strip_suffix(".yml")?;
            OrbVersion::parse(version)
        })
        .collect();
    found.sort();
    if let Ok(mut t) = table.lock() {
        t.insert(key, found.clone());
    }
    found
}

/// Where the release a registry orb resolves to is known from.
#[derive(Clone, Copy, Debug)]
pub enum Known {
    /// The orb cache: the whole source.
    Cached(&'static CachedOrb),
    /// The catalog built into cilint: the interface only.
    Catalog(OrbInterface),
}

/// A registry orb reference resolved to a release cilint knows.
#[derive(Debug)]
pub struct Resolved {
    /// As the config writes it (a pipeline parameter in the version replaced by its default).
    pub reference: RegistryRef,
    /// The release checked.
    pub version: OrbVersion,
    pub choice: Choice,
    pub known: Known,
    /// The orb under development (`cilint check --orb`), not a published release: its
    /// parameters are the orb author's to change.
    pub development: bool,
}

impl Resolved {
    /// `ns/name@x.y.z`: the release checked.
    pub fn checked(&self) -> String {
        self.reference.at(self.version).reference()
    }

    /// Whether the release checked is known only from commit history (see [`catalog`]).
    pub fn inferred(&self) -> bool {
        matches!(self.known, Known::Catalog(i) if i.inferred)
    }

    /// Whether the release checked is surely the one CircleCI runs: the version written, or
    /// the newest of a partial version's range when a newer release past the range is known
    /// (so the range is closed), and not inferred.
    pub fn sure(&self) -> bool {
        !self.inferred() && matches!(self.choice, Choice::Exact | Choice::Newest { open: false })
    }

    /// `the orb cache` or `cilint's built-in catalog`.
    pub fn origin(&self) -> &'static str {
        match self.known {
            Known::Cached(_) => "the orb cache",
            Known::Catalog(_) => "cilint's built-in catalog",
        }
    }

    /// For a finding about the orb, which release it was checked against and why that one,
    /// when it is not simply the version written: "checked against `ns/name@5.3.0`, the
    /// newest 5.x release cilint knows".
    pub fn note(&self) -> Option<String> {
        let range = self
            .reference
            .wanted()
            .map_or_else(String::new, |w| w.range());
        let why = match self.choice {
            Choice::Exact if self.inferred() => {
                "a release cilint's catalog inferred from the orb's commit history".to_string()
            }
            Choice::Exact => return None,
            Choice::Newest { .. } => format!("the newest {range} release cilint knows"),
            Choice::Older => "the nearest older release cilint knows".to_string(),
        };
        Some(format!("checked against `{}`, {why}", self.checked()))
    }
}

/// Resolve `r` among the releases of the cache folder `cache` and of the catalog.
fn resolve_registry(r: &RegistryRef, cache: Option<&Path>) -> Option<Resolved> {
    let wanted = r.wanted()?;
    let resolved = |version, choice, known| Resolved {
        reference: r.clone(),
        version,
        choice,
        known,
        development: false,
    };
    // The exact version, cached: nothing else to look at.
    if let (Wanted::Exact(v), Some(dir)) = (wanted, cache)
        && let Some(orb) = load_cached(&r.reference(), &r.cache_path(dir))
    {
        return Some(resolved(v, Choice::Exact, Known::Cached(orb)));
    }
    let in_catalog = catalog::orb(&r.orb());
    let cached = cache.map_or_else(Vec::new, |d| cached_versions(d, &r.namespace, &r.name));
    let mut known: Vec<OrbVersion> = in_catalog
        .into_iter()
        .flat_map(|o| o.versions())
        .chain(cached.iter().copied())
        .collect();
    known.sort();
    known.dedup();
    let (version, choice) = version::choose(wanted, &known)?;
    if cached.contains(&version)
        && let Some(dir) = cache
    {
        let exact = r.at(version);
        if let Some(orb) = load_cached(&exact.reference(), &exact.cache_path(dir)) {
            return Some(resolved(version, choice, Known::Cached(orb)));
        }
    }
    let interface = in_catalog?.interface(version)?;
    Some(resolved(version, choice, Known::Catalog(interface)))
}

/// What registry reference `r` resolves to among the releases of the cache folder `cache` and
/// of the catalog (as a lint resolves it).
pub fn resolve_reference(r: &RegistryRef, cache: Option<&Path>) -> Option<&'static Resolved> {
    resolve_once(r, cache)
}

/// [`resolve_registry`], once per process for each cache folder and reference.
fn resolve_once(r: &RegistryRef, cache: Option<&Path>) -> Option<&'static Resolved> {
    type Table = Mutex<HashMap<(Option<PathBuf>, RegistryRef), Option<&'static Resolved>>>;
    static RESOLVED: OnceLock<Table> = OnceLock::new();
    let table = RESOLVED.get_or_init(|| Mutex::new(HashMap::new()));
    let key = (cache.map(Path::to_path_buf), r.clone());
    if let Some(found) = table.lock().ok()?.get(&key) {
        return *found;
    }
    let found = resolve_registry(r, cache).map(|res| &*Box::leak(Box::new(res)));
    if let Ok(mut t) = table.lock() {
        t.insert(key, found);
    }
    found
}

/// The registry orbs of one lint: the cache folder, and what each reference resolved to.
#[derive(Debug, Default, Clone)]
pub struct Orbs {
    /// The cache folder read (`None`: no folder known; only the catalog is read).
    pub cache: Option<PathBuf>,
    /// Reference (`ns/name@version`, after substituting a pipeline parameter in the version)
    /// -> what it resolved to, for every registry orb the config declares that resolved.
    found: HashMap<String, &'static Resolved>,
}

impl Orbs {
    /// Resolve, in the cache folder `cache` and the catalog, every registry orb declared by
    /// `config` and by the inline orbs inside it.
    pub fn load(config: &Config<'_>, cache: Option<PathBuf>) -> Orbs {
        let mut found = HashMap::new();
        for r in registry_refs(config) {
            if let Some(res) = resolve_once(&r, cache.as_deref()) {
                found.insert(r.reference(), res);
            }
        }
        Orbs { cache, found }
    }

    /// Make `reference` resolve to `orb` (the orb under development, for the examples of
    /// `cilint check --orb`).
    pub fn insert(&mut self, reference: &RegistryRef, orb: &'static CachedOrb) {
        let version = match reference.wanted() {
            Some(Wanted::Exact(v)) => v,
            _ => OrbVersion::new(0, 0, 0),
        };
        let res = Resolved {
            reference: reference.clone(),
            version,
            choice: Choice::Exact,
            known: Known::Cached(orb),
            development: true,
        };
        self.found
            .insert(reference.reference(), Box::leak(Box::new(res)));
    }

    /// What `reference` resolved to, if it did.
    pub fn resolved(&self, reference: &str) -> Option<&'static Resolved> {
        self.found.get(reference).copied()
    }

    /// The whole source of `r` from the orb cache, for expanding it: the release written, as
    /// it resolved when the orbs were loaded, else resolved now (an orb that a cached orb
    /// itself declares). `None` for a release only the catalog knows (an interface without
    /// steps) or a release other than the one written.
    pub fn find(&self, r: &RegistryRef) -> Option<&'static CachedOrb> {
        let res = self
            .resolved(&r.reference())
            .or_else(|| resolve_once(r, self.cache.as_deref()))?;
        match (&res.known, res.choice) {
            (Known::Cached(orb), Choice::Exact) => Some(orb),
            _ => None,
        }
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
        assert!(r.wanted().is_some());
        assert_eq!(
            r.cache_path(Path::new("/c")),
            Path::new("/c/circleci/node@5.1.1.yml")
        );
        let bad = RegistryRef {
            namespace: "..".into(),
            ..r.clone()
        };
        assert!(bad.wanted().is_none());
        for version in ["volatile", "dev:x", "<< pipeline.parameters.v >>", ""] {
            let floating = RegistryRef {
                version: version.into(),
                ..r.clone()
            };
            assert!(floating.wanted().is_none(), "{version}");
        }
        assert_eq!(
            r.at(OrbVersion::new(5, 3, 0)).reference(),
            "circleci/node@5.3.0"
        );
    }

    /// `ns/name@version` as a reference.
    fn reference(text: &str) -> RegistryRef {
        let (orb, version) = text.split_once('@').unwrap_or((text, ""));
        let (namespace, name) = orb.split_once('/').expect("ns/name");
        RegistryRef {
            namespace: namespace.into(),
            name: name.into(),
            version: version.into(),
        }
    }

    /// What `text` resolves to with the cache folder `dir`: the release, how it was chosen,
    /// and whether from the cache.
    fn resolved(text: &str, dir: &Path) -> Option<(String, Choice, bool)> {
        let r = resolve_registry(&reference(text), Some(dir))?;
        let cached = matches!(r.known, Known::Cached(_));
        Some((r.version.to_string(), r.choice, cached))
    }

    #[test]
    fn the_cache_and_the_catalog_together() {
        let dir = tempfile::tempdir().expect("temp dir");
        let write = |file: &str| {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(
                path,
                "version: 2.1\njobs:\n  custom:\n    steps: [checkout]\n",
            )
            .expect("write");
        };
        write("circleci/node@5.1.1.yml");
        write("circleci/node@5.1.9.yml");
        write("example/tools@1.2.0.yml");
        let closed = Choice::Newest { open: false };
        let d = dir.path();
        // The exact release, cached: the cache wins over the catalog.
        assert_eq!(
            resolved("circleci/node@5.1.1", d),
            Some(("5.1.1".into(), Choice::Exact, true))
        );
        // Not cached: the catalog.
        assert_eq!(
            resolved("circleci/node@5.0.0", d),
            Some(("5.0.0".into(), Choice::Exact, false))
        );
        // The newest 5.1.x of both, which only the cache has; the catalog knows 5.2.0.
        assert_eq!(
            resolved("circleci/node@5.1", d),
            Some(("5.1.9".into(), closed, true))
        );
        assert_eq!(
            resolved("circleci/node@5", d),
            Some(("5.3.0".into(), closed, false))
        );
        // Neither has 5.2.7: the nearest older 5.x release of either.
        assert_eq!(
            resolved("circleci/node@5.2.7", d),
            Some(("5.2.0".into(), Choice::Older, false))
        );
        assert_eq!(
            resolved("circleci/node@5.1.10", d),
            Some(("5.1.9".into(), Choice::Older, true))
        );
        // An orb only the cache knows, with nothing newer known: the range is open.
        assert_eq!(
            resolved("example/tools@1", d),
            Some(("1.2.0".into(), Choice::Newest { open: true }, true))
        );
        for not in [
            "example/tools@2",
            "example/tools@volatile",
            "circleci/node@dev:x",
            "circleci/node",
            "circleci/node@99",
            "example/nothing@1.0.0",
        ] {
            assert_eq!(resolved(not, d), None, "{not}");
        }
    }

    #[test]
    fn a_resolution_says_how_sure_it_is() {
        let none = tempfile::tempdir().expect("temp dir");
        let sure = |text: &str| {
            let r = resolve_registry(&reference(text), Some(none.path())).expect("resolves");
            (r.sure(), r.note())
        };
        assert_eq!(sure("circleci/node@5.1.1"), (true, None));
        let (ok, note) = sure("circleci/node@5");
        assert!(ok);
        assert_eq!(
            note.as_deref(),
            Some("checked against `circleci/node@5.3.0`, the newest 5.x release cilint knows")
        );
        // The nearest older release, and a release inferred from commit history.
        assert!(!sure("circleci/node@5.1.4").0);
        assert!(!sure("circleci/go@1.7.0").0);
    }

    #[test]
    fn cache_dir_prefers_the_explicit_folder() {
        assert_eq!(
            cache_dir(Some(Path::new("/tmp/x"))),
            Some(PathBuf::from("/tmp/x"))
        );
    }
}
