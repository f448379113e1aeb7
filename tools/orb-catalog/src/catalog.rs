//! Writing (and reading back) the catalog: one JSON object a line, one orb a line, sorted by
//! orb name.
//!
//! ```text
//! {"orb":"circleci/node",
//!  "params":[["pkg-manager","enum",{"default":"npm","enum":["npm","yarn"]}],["version","string",{}],...],
//!  "interfaces":[[0,1],[1],...],
//!  "members":[{"jobs":{"test":0},"commands":{"install":1},"executors":{"default":2}},...],
//!  "versions":[["5.1.1",0],["5.1.2",0],["1.7.0",3,"inferred"],...]}
//! ```
//!
//! Everything that repeats is written once and referred to by its index in the orb's line:
//! `params` holds each distinct parameter (`[name, type, extras]`, extras holding `default`
//! when the parameter has one, so one without it is required, and `enum`, its allowed values);
//! `interfaces` each distinct parameter list (indices into `params`, in source order);
//! `members` each distinct set of members (kind -> member name -> index into `interfaces`);
//! `versions` are in ascending order, each naming its set of members, and a third field
//! `"inferred"` when the version was not read from a release tag, a pin, a version comment or
//! a packed source but inferred from commit subjects.

use crate::build::{OrbResult, Origin};
use crate::interface::{Interface, KINDS};
use crate::version::Version;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};

/// Each distinct value once: its index by its JSON text.
#[derive(Default)]
struct Table {
    index: HashMap<String, usize>,
    values: Vec<Value>,
}

impl Table {
    fn add(&mut self, value: Value) -> usize {
        let key = value.to_string();
        let next = self.values.len();
        *self.index.entry(key).or_insert_with(|| {
            self.values.push(value);
            next
        })
    }
}

/// The catalog line of one orb (without the newline). `None`: no version found.
pub fn orb_line(orb: &str, result: &OrbResult) -> Option<String> {
    if result.versions.is_empty() {
        return None;
    }
    let mut params = Table::default();
    let mut interfaces = Table::default();
    let mut members = Table::default();
    let mut versions = Vec::new();
    for (version, release) in &result.versions {
        let mut kinds = Map::new();
        for (i, kind) in KINDS.iter().enumerate() {
            let mut named = Map::new();
            for (name, list) in &release.interface.members[i] {
                let indices: Vec<Value> = list
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| json!(params.add(p.clone())))
                    .collect();
                named.insert(name.clone(), json!(interfaces.add(Value::Array(indices))));
            }
            kinds.insert((*kind).to_string(), Value::Object(named));
        }
        let set = members.add(Value::Object(kinds));
        versions.push(match release.origin {
            Origin::Inferred(_) => json!([version.to_string(), set, "inferred"]),
            _ => json!([version.to_string(), set]),
        });
    }
    let line = json!({
        "orb": orb,
        "params": params.values,
        "interfaces": interfaces.values,
        "members": members.values,
        "versions": versions,
    });
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
#[derive(Debug)]
pub struct CatalogOrb {
    /// Ascending; `true` for an inferred version.
    pub versions: Vec<(Version, Interface, bool)>,
}

/// Read a catalog (as written by [`write`]).
pub fn read(text: &str) -> Result<BTreeMap<String, CatalogOrb>, String> {
    let mut orbs = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = |what: &str| format!("line {}: {what}", n + 1);
        let v: Value = serde_json::from_str(line).map_err(|e| at(&e.to_string()))?;
        let name = v["orb"]
            .as_str()
            .ok_or_else(|| at("no orb name"))?
            .to_string();
        let table = |key: &str| v[key].as_array().ok_or_else(|| at(&format!("no {key}")));
        let (params, interfaces, sets) =
            (table("params")?, table("interfaces")?, table("members")?);
        let index = |value: &Value, len: usize| {
            value
                .as_u64()
                .map(|i| i as usize)
                .filter(|i| *i < len)
                .ok_or_else(|| at("an index out of range"))
        };
        let mut versions = Vec::new();
        for entry in v["versions"].as_array().ok_or_else(|| at("no versions"))? {
            let ver = entry[0]
                .as_str()
                .and_then(Version::parse)
                .ok_or_else(|| at("a bad version"))?;
            let set = &sets[index(&entry[1], sets.len())?];
            let mut iface = Interface::default();
            for (i, kind) in KINDS.iter().enumerate() {
                for (member, idx) in set[*kind].as_object().into_iter().flatten() {
                    let list = &interfaces[index(idx, interfaces.len())?];
                    let mut resolved = Vec::new();
                    for p in list.as_array().into_iter().flatten() {
                        resolved.push(params[index(p, params.len())?].clone());
                    }
                    iface.members[i].insert(member.clone(), Value::Array(resolved));
                }
            }
            versions.push((ver, iface, entry[2] == "inferred"));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::Release;

    fn release(origin: Origin, test_params: Value) -> Release {
        let mut interface = Interface::default();
        interface.members[0].insert("test".into(), test_params);
        interface.members[1].insert("install".into(), json!([["version", "string", {}]]));
        Release {
            origin,
            repo: "o/r".into(),
            interface,
        }
    }

    #[test]
    fn writes_each_thing_once_and_reads_it_back() {
        let pm = json!(["pkg-manager", "enum", {"default": "npm", "enum": ["npm", "yarn"]}]);
        let mut result = OrbResult::default();
        for (v, origin) in [
            ("1.0.0", Origin::Tag("v1.0.0".into())),
            ("1.0.1", Origin::Tag("v1.0.1".into())),
            ("1.1.0", Origin::Inferred("abc".into())),
        ] {
            let params = if v == "1.1.0" {
                json!([pm, ["version", "string", {}]])
            } else {
                json!([pm])
            };
            result
                .versions
                .insert(Version::parse(v).unwrap(), release(origin, params));
        }
        let line = orb_line("ns/orb", &result).unwrap();
        let v: Value = serde_json::from_str(&line).unwrap();
        // `pkg-manager` and `version` once; three parameter lists; two member sets.
        assert_eq!(v["params"].as_array().unwrap().len(), 2);
        assert_eq!(v["interfaces"], json!([[0], [1], [0, 1]]));
        assert_eq!(v["members"].as_array().unwrap().len(), 2);
        assert_eq!(
            v["versions"],
            json!([["1.0.0", 0], ["1.0.1", 0], ["1.1.0", 1, "inferred"]])
        );
        let back = read(&format!("{line}\n")).unwrap();
        let orb = &back["ns/orb"];
        assert_eq!(orb.versions.len(), 3);
        assert!(!orb.versions[0].2 && orb.versions[2].2);
        assert_eq!(
            orb.versions[2].1.members[0]["test"],
            json!([pm, ["version", "string", {}]])
        );
        assert_eq!(
            orb.versions[0].1,
            result.versions.values().next().unwrap().interface
        );
    }

    #[test]
    fn rejects_an_index_out_of_range() {
        let line = r#"{"orb":"a/b","params":[],"interfaces":[[3]],"members":[{"jobs":{"x":0}}],"versions":[["1.0.0",0]]}"#;
        assert!(read(line).unwrap_err().contains("out of range"));
    }
}
