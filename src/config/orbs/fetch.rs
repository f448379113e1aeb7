//! The source of one orb version from CircleCI's GraphQL API, and writing it to the cache.

use super::RegistryRef;
use super::version::{OrbVersion, Wanted};
use std::path::{Path, PathBuf};

/// CircleCI's public GraphQL endpoint (the one `circleci orb source` queries).
pub const DEFAULT_API_URL: &str = "https://circleci.com/graphql-unstable";

/// The query for an orb version's source.
pub const ORB_SOURCE_QUERY: &str = "query($orbVersionRef: String!) { orbVersion(orbVersionRef: $orbVersionRef) { id version orb { id } source } }";

/// What happened to one orb.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Downloaded release `version` and written it to this file.
    Written { path: PathBuf, version: OrbVersion },
    /// Release `version` is already in the cache; not downloaded again.
    Cached { path: PathBuf, version: OrbVersion },
    /// Not fetched: the version is not a release number (`volatile`, `dev:x`, a template),
    /// so cilint does not check the orb.
    NotRelease,
    /// The API answered, but without this orb version.
    NotFound,
    /// The request failed.
    Failed(String),
}

/// Fetch the source of `r` from `api_url` into the cache folder `dir`. An exact version is
/// skipped when already cached; a partial one (`1.4`, `1`) is resolved by the API, as the
/// registry resolves it for CircleCI, and the release it names is written (unless cached).
/// Every network access of cilint is here.
pub fn fetch_one(r: &RegistryRef, dir: &Path, api_url: &str, token: Option<&str>) -> Outcome {
    let Some(wanted) = r.wanted() else {
        return Outcome::NotRelease;
    };
    if let Wanted::Exact(version) = wanted {
        let path = r.cache_path(dir);
        if path.is_file() {
            return Outcome::Cached { path, version };
        }
    }
    let (answered, source) = match query_source(&r.reference(), api_url, token) {
        Ok(Some(found)) => found,
        Ok(None) => return Outcome::NotFound,
        Err(e) => return Outcome::Failed(e),
    };
    let version = match (wanted, answered.as_deref().and_then(OrbVersion::parse)) {
        (_, Some(v)) if wanted.contains(v) => v,
        // An exact version is the one asked for, whether or not the answer repeats it.
        (Wanted::Exact(v), None) => v,
        (_, _) => {
            return Outcome::Failed(format!(
                "the API answered with version `{}`, not a {} release",
                answered.unwrap_or_default(),
                wanted.range()
            ));
        }
    };
    let path = r.at(version).cache_path(dir);
    if path.is_file() {
        return Outcome::Cached { path, version };
    }
    if let Some(parent) = path.parent()
        && let Err(e) = std::fs::create_dir_all(parent)
    {
        return Outcome::Failed(format!("cannot create {}: {e}", parent.display()));
    }
    // Write to a temporary file, then rename: a cache file is never half written.
    let tmp = path.with_extension("yml.part");
    match std::fs::write(&tmp, source).and_then(|_| std::fs::rename(&tmp, &path)) {
        Ok(()) => Outcome::Written { path, version },
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Outcome::Failed(format!("cannot write {}: {e}", path.display()))
        }
    }
}

/// POST the orb source query: the version the API resolved `reference` to (as it says) and the
/// source; `Ok(None)` when the API knows no such orb version.
pub fn query_source(
    reference: &str,
    api_url: &str,
    token: Option<&str>,
) -> Result<Option<(Option<String>, String)>, String> {
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
            Some(s) if !s.is_empty() => Ok(Some((
                v.get("version")
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
                s.to_string(),
            ))),
            _ => Ok(None),
        },
    }
}
