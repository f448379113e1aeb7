//! How much of a set of configs the catalog can serve: every registry orb reference
//! (`namespace/name@version` under `orbs:`) and the catalog version it resolves to.

use crate::catalog::CatalogOrb;
use crate::version::{Version, Wanted};
use crate::yaml::{self, Yaml};
use std::collections::BTreeMap;
use std::path::Path;

/// The registry orb references of one config file, in order.
pub fn references(text: &str) -> Vec<String> {
    let mut refs = Vec::new();
    if let Ok(Some(root)) = yaml::parse(text) {
        if let Some(Yaml::Map(entries)) = root.get("orbs") {
            for (_, v) in entries {
                if let Yaml::Str(s) = v {
                    if is_reference(s) {
                        refs.push(s.clone());
                    }
                }
            }
        }
        return refs;
    }
    // The YAML does not load: read the top-level `orbs:` block line by line.
    let mut inside = false;
    for line in text.lines() {
        if !line.starts_with([' ', '\t']) && !line.trim().is_empty() && !line.starts_with('#') {
            inside = line.trim_end() == "orbs:";
            continue;
        }
        if inside {
            if let Some((_, value)) = line.trim().split_once(':') {
                let value = value
                    .split(" #")
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches(['"', '\'']);
                if is_reference(value) {
                    refs.push(value.to_string());
                }
            }
        }
    }
    refs
}

fn is_reference(s: &str) -> bool {
    match s.split_once('@') {
        Some((name, _)) => {
            let mut parts = name.split('/');
            matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None) if !a.is_empty() && !b.is_empty())
        }
        None => false,
    }
}

/// What a reference resolves to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// The exact version is in the catalog.
    Exact,
    /// `5` / `5.1`: the newest catalogued release in range.
    Partial(Version),
    /// `volatile`: the newest catalogued release (cilint does not check these).
    Volatile(Version),
    /// The version (or range) is not catalogued, but an older release of the same major
    /// version is: cilint checks against it, and says so.
    Older(Version),
    /// The orb is catalogued, but no release of this major version as old as this one.
    NoVersion,
    /// The orb is not in the catalog.
    NoOrb,
    /// `dev:...`, or a version that is a pipeline parameter: not a registry release.
    NotRelease,
}

impl Status {
    /// Resolved as cilint resolves it: the version itself, or the newest release in a
    /// partial version's range (`volatile` is not checked).
    pub fn resolved(&self) -> bool {
        matches!(self, Status::Exact | Status::Partial(_))
    }
    pub fn label(&self) -> String {
        match self {
            Status::Exact => "exact".into(),
            Status::Partial(v) => format!("partial -> {v}"),
            Status::Volatile(v) => format!("volatile (not checked; newest {v})"),
            Status::Older(v) => format!("nearest older -> {v}"),
            Status::NoVersion => "MISSING version".into(),
            Status::NoOrb => "MISSING orb".into(),
            Status::NotRelease => "not a release (dev/parameter)".into(),
        }
    }
}

pub fn resolve(reference: &str, catalog: &BTreeMap<String, CatalogOrb>) -> Status {
    let (name, version) = reference.split_once('@').unwrap_or((reference, ""));
    if version.starts_with("dev:") || version.contains("<<") {
        return Status::NotRelease;
    }
    let Some(orb) = catalog.get(name) else {
        return Status::NoOrb;
    };
    if version == "volatile" {
        return orb
            .versions
            .last()
            .map_or(Status::NoVersion, |(v, _, _)| Status::Volatile(*v));
    }
    let Some(wanted) = Wanted::parse(version) else {
        return Status::NoVersion;
    };
    let newest = orb
        .versions
        .iter()
        .rev()
        .map(|(v, _, _)| *v)
        .find(|v| wanted.matches(*v));
    match (wanted, newest) {
        (Wanted::Exact(_), Some(_)) => Status::Exact,
        (_, Some(v)) => Status::Partial(v),
        (_, None) => {
            // The nearest older release of the same major version.
            let (floor, major) = wanted.floor();
            orb.versions
                .iter()
                .rev()
                .map(|(v, _, _)| *v)
                .find(|v| v.0 == major && *v < floor)
                .map_or(Status::NoVersion, Status::Older)
        }
    }
}

/// A markdown report of the references in `files`.
pub fn report(files: &[std::path::PathBuf], catalog: &BTreeMap<String, CatalogOrb>) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut with_refs = 0usize;
    for f in files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let refs = references(&text);
        if !refs.is_empty() {
            with_refs += 1;
        }
        for r in refs {
            *counts.entry(r).or_default() += 1;
        }
    }
    let total: usize = counts.values().sum();
    let mut resolved = 0usize;
    let mut older = 0usize;
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    let mut rows = Vec::new();
    for (r, n) in &counts {
        let status = resolve(r, catalog);
        if status.resolved() {
            resolved += n;
        }
        if matches!(status, Status::Older(_)) {
            older += n;
        }
        let class = match &status {
            Status::Exact => "exact",
            Status::Partial(_) => "partial",
            Status::Volatile(_) => "volatile",
            Status::Older(_) => "nearest older",
            Status::NoVersion => "missing version",
            Status::NoOrb => "missing orb",
            Status::NotRelease => "not a release",
        };
        *by_status.entry(class.to_string()).or_default() += n;
        rows.push(format!("| `{r}` | {n} | {} |", status.label()));
    }
    let share = if total == 0 {
        0.0
    } else {
        100.0 * resolved as f64 / total as f64
    };
    let mut out = String::new();
    out.push_str(&format!(
        "{} config files, {} with registry orb references; {} references ({} distinct).\n\n",
        files.len(),
        with_refs,
        total,
        counts.len()
    ));
    let pct = |n: usize| {
        if total == 0 {
            0.0
        } else {
            100.0 * n as f64 / total as f64
        }
    };
    out.push_str(&format!(
        "**Resolved: {resolved} of {total} references ({share:.1}%); {} ({:.1}%) with the \
         nearest older release of the same major version.**\n\n",
        resolved + older,
        pct(resolved + older)
    ));
    for (class, n) in &by_status {
        out.push_str(&format!("- {class}: {n}\n"));
    }
    out.push_str("\n| reference | uses | resolution |\n| --- | ---: | --- |\n");
    for row in rows {
        out.push_str(&row);
        out.push('\n');
    }
    out
}

pub fn files_in(paths: &[String]) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        let path = Path::new(p);
        if path.is_dir() {
            if let Ok(rd) = std::fs::read_dir(path) {
                let mut v: Vec<_> = rd
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| {
                        matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml"))
                    })
                    .collect();
                v.sort();
                out.extend(v);
            }
        } else {
            out.push(path.to_path_buf());
        }
    }
    out
}
