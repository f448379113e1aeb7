//! Writing (and reading back) the catalog: one JSON object a line, one orb a line, sorted by
//! orb name.
//!
//! ```text
//! {"orb":"circleci/node",
//!  "interfaces":[[["pkg-manager","enum",{"default":"npm","enum":["npm","yarn"]}],...],...],
//!  "versions":[["5.1.1",{"jobs":{"test":0},"commands":{"install":2},"executors":{"default":3}}],...]}
//! ```
//!
//! `interfaces` holds each distinct parameter list of the orb once; members point at one by
//! its index. A parameter is `[name, type, extras]`, extras holding `default` (when the
//! parameter has one; a parameter without it is required) and `enum` (its allowed values).
//! `versions` are in ascending version order; each names all three member kinds.

use crate::build::OrbResult;
use crate::interface::{Interface, KINDS};
use crate::version::Version;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};

/// The catalog line of one orb (without the newline). `None`: no version found.
pub fn orb_line(orb: &str, result: &OrbResult) -> Option<String> {
    if result.versions.is_empty() {
        return None;
    }
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut interfaces: Vec<Value> = Vec::new();
    let mut versions = Vec::new();
    for (version, release) in &result.versions {
        let mut kinds = Map::new();
        for (i, kind) in KINDS.iter().enumerate() {
            let mut members = Map::new();
            for (name, params) in &release.interface.members[i] {
                let key = params.to_string();
                let next = interfaces.len();
                let idx = *index.entry(key).or_insert_with(|| {
                    interfaces.push(params.clone());
                    next
                });
                members.insert(name.clone(), json!(idx));
            }
            kinds.insert((*kind).to_string(), Value::Object(members));
        }
        versions.push(json!([version.to_string(), Value::Object(kinds)]));
    }
    let line = json!({"orb": orb, "interfaces": interfaces, "versions": versions});
    Some(line.to_string())
}

/// Write the whole catalog.
pub fn write(results: &BTreeMap<String, OrbResult>) -> String {
    let mut out = String::new();
    for (orb, result) in results {
        if let Some(line) = orb_line(orb, result) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// One orb of a catalog, read back.
pub struct CatalogOrb {
    pub versions: Vec<(Version, Interface)>,
}

/// Read a catalog (as written by [`write`]).
pub fn read(text: &str) -> Result<BTreeMap<String, CatalogOrb>, String> {
    let mut orbs = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        let name = v["orb"].as_str().ok_or("no orb name")?.to_string();
        let interfaces = v["interfaces"].as_array().ok_or("no interfaces")?;
        let mut versions = Vec::new();
        for entry in v["versions"].as_array().ok_or("no versions")? {
            let ver = entry[0]
                .as_str()
                .and_then(Version::parse)
                .ok_or_else(|| format!("{name}: bad version"))?;
            let mut iface = Interface::default();
            for (i, kind) in KINDS.iter().enumerate() {
                if let Some(members) = entry[1][*kind].as_object() {
                    for (member, idx) in members {
                        let idx = idx.as_u64().ok_or("bad index")? as usize;
                        let params = interfaces.get(idx).ok_or("index out of range")?;
                        iface.members[i].insert(member.clone(), params.clone());
                    }
                }
            }
            versions.push((ver, iface));
        }
        orbs.insert(name, CatalogOrb { versions });
    }
    Ok(orbs)
}

/// A readable listing of one interface (for checking by hand).
pub fn describe(iface: &Interface) -> String {
    let mut out = String::new();
    for (i, kind) in KINDS.iter().enumerate() {
        for (name, params) in &iface.members[i] {
            out.push_str(&format!("{} {}\n", &kind[..kind.len() - 1], name));
            for p in params.as_array().into_iter().flatten() {
                let extras = &p[2];
                let mut line = format!(
                    "    {}: {}",
                    p[0].as_str().unwrap_or(""),
                    p[1].as_str().unwrap_or("")
                );
                match extras.get("default") {
                    Some(d) => line.push_str(&format!(" = {d}")),
                    None => line.push_str(" (required)"),
                }
                if let Some(e) = extras.get("enum") {
                    line.push_str(&format!(" one of {e}"));
                }
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    out
}
