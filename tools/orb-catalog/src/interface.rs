//! An orb version's interface: its jobs, commands and executors, each with its parameters.

use crate::yaml::Yaml;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The member kinds, in the order the catalog writes them.
pub const KINDS: [&str; 3] = ["jobs", "commands", "executors"];

/// One member's parameters as the catalog writes them: a JSON array of
/// `[name, type, {"default"?: ..., "enum"?: [...]}]`, in source order.
pub type Params = Value;

/// The members of one orb version: for each kind (as in [`KINDS`]), name -> parameters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Interface {
    pub members: [BTreeMap<String, Params>; 3],
}

impl Interface {
    /// Add (or replace) the members of `other`, kind by kind.
    pub fn merge(&mut self, other: &Interface) {
        for (mine, theirs) in self.members.iter_mut().zip(other.members.iter()) {
            for (name, params) in theirs {
                mine.insert(name.clone(), params.clone());
            }
        }
    }
}

/// The interface written in an orb's root mapping (a packed orb, or a root file of a source
/// folder such as `@orb.yml`). Problems found are pushed to `problems`.
pub fn from_root(root: &Yaml, problems: &mut Vec<String>) -> Interface {
    let mut iface = Interface::default();
    if !matches!(root, Yaml::Map(_)) {
        if *root != Yaml::Null {
            problems.push("the orb's root is not a mapping".into());
        }
        return iface;
    }
    for (i, kind) in KINDS.iter().enumerate() {
        match root.get(kind) {
            None | Some(Yaml::Null) => {}
            Some(Yaml::Map(entries)) => {
                for (k, body) in entries {
                    let Some(name) = k.key_text() else {
                        problems.push(format!("{kind}: a member name is not a scalar"));
                        continue;
                    };
                    let params = params_of(body, &format!("{kind}/{name}"), problems);
                    iface.members[i].insert(name, params);
                }
            }
            Some(_) => problems.push(format!("`{kind}` is not a mapping")),
        }
    }
    iface
}

/// The parameters of one member body (a job, command or executor definition).
pub fn params_of(body: &Yaml, member: &str, problems: &mut Vec<String>) -> Params {
    let mut out = Vec::new();
    match body.get("parameters") {
        None | Some(Yaml::Null) => {}
        Some(Yaml::Map(entries)) => {
            for (k, def) in entries {
                let Some(name) = k.key_text() else {
                    problems.push(format!("{member}: a parameter name is not a scalar"));
                    continue;
                };
                out.push(param(&name, def, member, problems));
            }
        }
        Some(_) => problems.push(format!("{member}: `parameters` is not a mapping")),
    }
    Value::Array(out)
}

fn param(name: &str, def: &Yaml, member: &str, problems: &mut Vec<String>) -> Value {
    let mut extras = Map::new();
    let ty = match def.get("type") {
        Some(Yaml::Str(t)) => t.clone(),
        Some(other) => {
            problems.push(format!(
                "{member}: parameter `{name}` has a non-string type"
            ));
            other.key_text().unwrap_or_default()
        }
        None => {
            problems.push(format!("{member}: parameter `{name}` has no type"));
            String::new()
        }
    };
    if let Some(default) = def.get("default") {
        let value = if ty == "steps" {
            steps_default(default)
        } else {
            default.to_json()
        };
        extras.insert("default".into(), value);
    }
    if let Some(values) = def.get("enum") {
        extras.insert("enum".into(), values.to_json());
    }
    json!([name, ty, Value::Object(extras)])
}

/// A `steps` parameter's default, reduced to the name of each step (`checkout`, `run`,
/// `node/install`): the steps themselves are not part of the interface.
fn steps_default(default: &Yaml) -> Value {
    match default {
        Yaml::Seq(items) => Value::Array(
            items
                .iter()
                .map(|step| match step {
                    Yaml::Map(entries) if entries.len() == 1 => {
                        Value::String(entries[0].0.key_text().unwrap_or_default())
                    }
                    other => Value::String(other.key_text().unwrap_or_default()),
                })
                .collect(),
        ),
        other => other.to_json(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    #[test]
    fn extracts_members_and_params() {
        let src = "version: 2.1\njobs:\n  test:\n    parameters:\n      pkg-manager:\n        type: enum\n        enum: [npm, yarn]\n        default: npm\n      version:\n        type: string\n      steps:\n        type: steps\n        default:\n          - checkout\n          - run: echo\n    steps: []\nexecutors:\n  default: {docker: [{image: x}]}\n";
        let y = parse(src).unwrap().unwrap();
        let mut problems = Vec::new();
        let iface = from_root(&y, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            iface.members[0]["test"],
            json!([
                ["pkg-manager", "enum", {"default": "npm", "enum": ["npm", "yarn"]}],
                ["version", "string", {}],
                ["steps", "steps", {"default": ["checkout", "run"]}]
            ])
        );
        assert_eq!(iface.members[2]["default"], json!([]));
    }
}
