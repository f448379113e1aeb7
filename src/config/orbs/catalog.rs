//! The orb catalog built into cilint: for every release of popular orbs, the interface (its
//! jobs, commands and executors, each with its parameters: name, type, default, enum values),
//! nothing else. `tools/orb-catalog` generates `catalog/orbs.jsonl` from the orbs' sources; it
//! is compiled in here, so registry orbs are checked with no network and an empty orb cache.
//!
//! One orb a line, sorted by name (the format is described in `tools/orb-catalog/README.md`).
//! Only the lines of the orbs a config names are parsed, once per process each.

use super::MemberKind;
use super::version::OrbVersion;
use crate::config::model::ParamType;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The catalog, as generated.
const DATA: &str = include_str!("../../../catalog/orbs.jsonl");

/// Each orb's name and its line, in the catalog's order (by name).
fn lines() -> &'static [(&'static str, &'static str)] {
    static INDEX: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    INDEX.get_or_init(|| {
        DATA.lines()
            .filter_map(|line| {
                // Each line starts `{"orb":"namespace/name",`.
                let rest = line.strip_prefix("{\"orb\":\"")?;
                let name = &rest[..rest.find('"')?];
                Some((name, line))
            })
            .collect()
    })
}

/// Every orb of the catalog, by name.
pub fn names() -> impl Iterator<Item = &'static str> {
    lines().iter().map(|(name, _)| *name)
}

/// The catalog's orb `name` (`circleci/node`), parsed on first use.
pub fn orb(name: &str) -> Option<&'static CatalogOrb> {
    type Table = Mutex<HashMap<&'static str, Option<&'static CatalogOrb>>>;
    static PARSED: OnceLock<Table> = OnceLock::new();
    let index = lines();
    let at = index.binary_search_by(|(n, _)| (*n).cmp(name)).ok()?;
    let (name, line) = index[at];
    let table = PARSED.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(found) = table.lock().ok()?.get(name) {
        return *found;
    }
    let parsed = CatalogOrb::parse(name, line).map(|orb| &*Box::leak(Box::new(orb)));
    if let Ok(mut t) = table.lock() {
        t.insert(name, parsed);
    }
    parsed
}

/// One parameter of a catalogued member.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamSpec {
    pub name: String,
    /// The declared type (`None` when it is none cilint knows).
    pub ty: Option<ParamType>,
    /// The default, as JSON (`Value::Null` for an empty `default:`); `None`: required.
    pub default: Option<Value>,
    /// An enum's allowed values, as JSON (YAML 1.1 reads `OFF` as `false`).
    pub enum_values: Vec<Value>,
}

impl ParamSpec {
    fn parse(v: &Value) -> Option<ParamSpec> {
        let extras = &v[2];
        Some(ParamSpec {
            name: v[0].as_str()?.to_string(),
            ty: v[1].as_str().and_then(ParamType::parse),
            default: extras.get("default").cloned(),
            enum_values: extras
                .get("enum")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        })
    }
}

/// The members of one orb version: per kind (job, command, executor), name -> the index of
/// its parameter list, sorted by name.
type MemberSet = [Vec<(String, usize)>; 3];

fn kind_index(kind: MemberKind) -> usize {
    match kind {
        MemberKind::Job => 0,
        MemberKind::Command => 1,
        MemberKind::Executor => 2,
    }
}

/// One orb of the catalog: every release cilint knows and its interface.
#[derive(Debug)]
pub struct CatalogOrb {
    pub name: &'static str,
    /// Ascending: (version, index of its member set, inferred from commit subjects).
    versions: Vec<(OrbVersion, usize, bool)>,
    sets: Vec<MemberSet>,
    /// Parameter lists.
    interfaces: Vec<Vec<ParamSpec>>,
}

impl CatalogOrb {
    /// Read one catalog line; `None` when it is not what the generator writes.
    fn parse(name: &'static str, line: &str) -> Option<CatalogOrb> {
        let v: Value = serde_json::from_str(line).ok()?;
        let params: Vec<ParamSpec> = v["params"]
            .as_array()?
            .iter()
            .map(ParamSpec::parse)
            .collect::<Option<_>>()?;
        let interfaces: Vec<Vec<ParamSpec>> = v["interfaces"]
            .as_array()?
            .iter()
            .map(|list| {
                list.as_array()?
                    .iter()
                    .map(|i| params.get(usize::try_from(i.as_u64()?).ok()?).cloned())
                    .collect()
            })
            .collect::<Option<_>>()?;
        let index = |i: &Value, len: usize| usize::try_from(i.as_u64()?).ok().filter(|i| *i < len);
        let mut sets = Vec::new();
        for set in v["members"].as_array()? {
            let mut members: MemberSet = Default::default();
            for (slot, kind) in members.iter_mut().zip(["jobs", "commands", "executors"]) {
                for (member, i) in set[kind].as_object().into_iter().flatten() {
                    slot.push((member.clone(), index(i, interfaces.len())?));
                }
                slot.sort();
            }
            sets.push(members);
        }
        let mut versions = Vec::new();
        for entry in v["versions"].as_array()? {
            let version = OrbVersion::parse(entry[0].as_str()?)?;
            versions.push((
                version,
                index(&entry[1], sets.len())?,
                entry[2] == "inferred",
            ));
        }
        versions.sort();
        Some(CatalogOrb {
            name,
            versions,
            sets,
            interfaces,
        })
    }

    /// Every release, ascending.
    pub fn versions(&self) -> impl Iterator<Item = OrbVersion> + '_ {
        self.versions.iter().map(|(v, _, _)| *v)
    }

    /// The interface of release `version`.
    pub fn interface(&'static self, version: OrbVersion) -> Option<OrbInterface> {
        let at = self
            .versions
            .binary_search_by(|(v, _, _)| v.cmp(&version))
            .ok()?;
        let (version, set, inferred) = self.versions[at];
        Some(OrbInterface {
            orb: self,
            version,
            set,
            inferred,
        })
    }

    /// Where else member `name` (of kind `kind`) or one close to it is, for a config that
    /// uses it with release `current`, which lacks it.
    pub fn history(&'static self, kind: MemberKind, name: &str, current: OrbVersion) -> History {
        let has = |set: usize, member: &str| {
            self.sets[set][kind_index(kind)]
                .binary_search_by(|(n, _)| n.as_str().cmp(member))
                .is_ok()
        };
        let with: Vec<OrbVersion> = self
            .versions
            .iter()
            .filter(|(_, set, _)| has(*set, name))
            .map(|(v, _, _)| *v)
            .collect();
        let (Some(first), Some(last)) = (with.first().copied(), with.last().copied()) else {
            return History::Never;
        };
        if first > current {
            return History::AddedIn(first);
        }
        if last < current {
            // The first release after `last` lacks it: a member it adds with a close name is
            // the likely new name.
            let Some(&(gone_in, set, _)) = self.versions.iter().find(|(v, _, _)| *v > last) else {
                return History::Never;
            };
            let before = self.interface(last).map(|i| i.set);
            let added: Vec<&str> = self.sets[set][kind_index(kind)]
                .iter()
                .map(|(n, _)| n.as_str())
                .filter(|n| before.is_none_or(|b| !has(b, n)))
                .collect();
            let renamed = crate::base::text::closest(name, added.iter().copied())
                .first()
                .map(|n| n.to_string());
            return History::RemovedIn {
                gone_in,
                last,
                renamed,
            };
        }
        // Present before and after `current`, not in it: a gap in what the catalog holds.
        History::Never
    }
}

/// What other releases say of a member that a release lacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum History {
    /// No other release has it (or nothing useful to say).
    Never,
    /// It appears in a later release.
    AddedIn(OrbVersion),
    /// It was in releases up to `last`, and is gone from `gone_in` on, where `renamed` (a close
    /// name among the members `gone_in` adds) may have replaced it.
    RemovedIn {
        gone_in: OrbVersion,
        last: OrbVersion,
        renamed: Option<String>,
    },
}

/// The interface of one catalogued release.
#[derive(Clone, Copy, Debug)]
pub struct OrbInterface {
    pub orb: &'static CatalogOrb,
    pub version: OrbVersion,
    set: usize,
    /// The release was inferred from the orb's commit history, not read at a release tag.
    pub inferred: bool,
}

/// One member of a catalogued release.
#[derive(Clone, Copy, Debug)]
pub struct MemberSpec {
    pub kind: MemberKind,
    pub name: &'static str,
    pub params: &'static [ParamSpec],
}

impl OrbInterface {
    fn of(&self, kind: MemberKind) -> &'static [(String, usize)] {
        &self.orb.sets[self.set][kind_index(kind)]
    }

    /// Member `name` of kind `kind`.
    pub fn member(&self, kind: MemberKind, name: &str) -> Option<MemberSpec> {
        let list = self.of(kind);
        let at = list.binary_search_by(|(n, _)| n.as_str().cmp(name)).ok()?;
        let (name, params) = &list[at];
        Some(MemberSpec {
            kind,
            name,
            params: &self.orb.interfaces[*params],
        })
    }

    /// The names of the members of kind `kind`, sorted.
    pub fn names(&self, kind: MemberKind) -> Vec<&'static str> {
        self.of(kind).iter().map(|(n, _)| n.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> OrbVersion {
        OrbVersion::parse(text).expect("a version")
    }

    #[test]
    fn the_catalog_is_sorted_and_every_line_reads() {
        let all: Vec<&str> = names().collect();
        assert!(all.len() >= 40, "{} orbs", all.len());
        assert!(all.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
        for name in all {
            let orb = orb(name).unwrap_or_else(|| panic!("{name} reads"));
            assert!(orb.versions().count() > 0, "{name}");
            assert!(orb.versions.windows(2).all(|w| w[0].0 < w[1].0), "{name}");
        }
        assert!(orb("example/nothing").is_none());
    }

    #[test]
    fn node_5_1_1_as_published() {
        let node = orb("circleci/node").expect("circleci/node is catalogued");
        let i = node.interface(v("5.1.1")).expect("5.1.1 is catalogued");
        assert!(!i.inferred);
        let test = i.member(MemberKind::Job, "test").expect("job test");
        let pm = test
            .params
            .iter()
            .find(|p| p.name == "pkg-manager")
            .expect("pkg-manager");
        assert_eq!(pm.ty, Some(ParamType::Enum));
        assert_eq!(pm.default, Some(Value::from("npm")));
        assert_eq!(
            pm.enum_values,
            ["npm", "yarn", "yarn-berry"].map(Value::from)
        );
        let install = i.member(MemberKind::Command, "install").expect("command");
        assert!(install.params.iter().all(|p| p.default.is_some()));
        assert!(i.member(MemberKind::Job, "install").is_none());
        assert!(i.names(MemberKind::Executor).contains(&"default"));
    }

    #[test]
    fn history_of_a_member() {
        let node = orb("circleci/node").expect("catalogued");
        // `install-npm` was a command up to 4.x and is gone from 5.0.0 on.
        match node.history(MemberKind::Command, "install-npm", v("5.1.1")) {
            History::RemovedIn { gone_in, last, .. } => {
                assert_eq!(gone_in, v("5.0.0"));
                assert_eq!(last.major, 4);
            }
            other => panic!("{other:?}"),
        }
        // `test` is a job from 2.0.0 on.
        assert_eq!(
            node.history(MemberKind::Job, "test", v("1.1.6")),
            History::AddedIn(v("2.0.0"))
        );
        assert_eq!(
            node.history(MemberKind::Command, "no-such-thing", v("5.1.1")),
            History::Never
        );
    }
}
