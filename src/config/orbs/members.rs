//! What rules see of an orb: its members (jobs, commands, executors) and their parameters,
//! the same whether the orb is inline, a cached source (a whole orb) or a release of the
//! built-in catalog (an interface: members and parameters, no steps).

use super::catalog::{MemberSpec, OrbInterface, ParamSpec};
use super::{Known, Orbs, Resolved, registry_ref};
use crate::config::model::{
    Command, Config, Executor, Job, OrbSource, ParamDecl, ParamType, Scope,
};
use crate::yaml::{self, Node, ScalarKind};
use serde_json::Value;

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

    pub const ALL: [MemberKind; 3] = [MemberKind::Job, MemberKind::Command, MemberKind::Executor];
}

/// What an orb alias of a scope resolves to.
#[derive(Clone, Copy, Debug)]
pub enum Resolution<'m, 'a> {
    /// An inline orb: its model.
    Inline(&'m Config<'a>),
    /// A registry orb resolved to a release cilint knows (from the orb cache or the catalog).
    Registry(&'static Resolved),
    /// A registry orb cilint knows no release of for its version (or a version it does not
    /// check: `volatile`, `dev:`).
    Unresolved,
    /// A URL orb (never fetched).
    Url,
    /// An empty inline orb (`docker: {}`): a placeholder that a tool fills in before CircleCI
    /// sees the config (orb-tools' test pipelines inject the orb being tested this way).
    Placeholder,
    /// No readable orb, or an alias that is not declared.
    Unknown,
}

impl<'m, 'a> Resolution<'m, 'a> {
    /// The orb's whole source (with steps), when it is known: an inline or a cached orb.
    pub fn config(&self) -> Option<&'m Config<'a>> {
        match *self {
            Resolution::Inline(c) => Some(c),
            Resolution::Registry(Resolved {
                known: Known::Cached(o),
                ..
            }) => Some(&o.config),
            _ => None,
        }
    }

    /// The orb's members, when they are known (from a source or an interface).
    pub fn members(&self) -> Option<OrbMembers<'m, 'a>> {
        match *self {
            Resolution::Registry(Resolved {
                known: Known::Catalog(i),
                ..
            }) => Some(OrbMembers::Interface(*i)),
            _ => self.config().map(OrbMembers::Source),
        }
    }

    /// The registry release it resolved to.
    pub fn registry(&self) -> Option<&'static Resolved> {
        match *self {
            Resolution::Registry(r) => Some(r),
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
                .resolved(&r.reference())
                .map_or(Resolution::Unresolved, Resolution::Registry),
            None => Resolution::Unresolved,
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

/// The members of an orb: from its source, or from a catalogued interface.
#[derive(Clone, Copy, Debug)]
pub enum OrbMembers<'m, 'a> {
    Source(&'m Config<'a>),
    Interface(OrbInterface),
}

impl<'m, 'a> OrbMembers<'m, 'a> {
    /// Member `name` of kind `kind`.
    pub fn member(&self, kind: MemberKind, name: &str) -> Option<Member<'m, 'a>> {
        match self {
            OrbMembers::Source(cfg) => member(cfg, kind, name),
            OrbMembers::Interface(i) => i.member(kind, name).map(Member::Spec),
        }
    }

    /// The names of every member of kind `kind`.
    pub fn names(&self, kind: MemberKind) -> Vec<&'m str> {
        match self {
            OrbMembers::Source(cfg) => member_names(cfg, kind),
            OrbMembers::Interface(i) => i.names(kind),
        }
    }
}

/// A job, command or executor found by name.
#[derive(Clone, Copy, Debug)]
pub enum Member<'m, 'a> {
    Job(&'m Job<'a>),
    Command(&'m Command<'a>),
    Executor(&'m Executor<'a>),
    /// A member of a catalogued release: its parameters only.
    Spec(MemberSpec),
}

impl<'m, 'a> Member<'m, 'a> {
    /// Its parameters, in declaration order.
    pub fn params(&self) -> Vec<Param<'m, 'a>> {
        let decls = |d: &'m [ParamDecl<'a>]| d.iter().map(Param::Decl).collect();
        match self {
            Member::Job(j) => decls(&j.parameters),
            Member::Command(c) => decls(&c.parameters),
            Member::Executor(e) => decls(&e.parameters),
            Member::Spec(s) => s.params.iter().map(Param::Spec).collect(),
        }
    }
}

/// A parameter of a member: declared in a source, or catalogued.
#[derive(Clone, Copy, Debug)]
pub enum Param<'m, 'a> {
    Decl(&'m ParamDecl<'a>),
    Spec(&'static ParamSpec),
}

impl Param<'_, '_> {
    pub fn name(&self) -> &str {
        match self {
            Param::Decl(d) => d.name.text,
            Param::Spec(s) => &s.name,
        }
    }

    pub fn ty(&self) -> Option<ParamType> {
        match self {
            Param::Decl(d) => d.ty,
            Param::Spec(s) => s.ty,
        }
    }

    /// A parameter must be given at the call when it has no default.
    pub fn is_required(&self) -> bool {
        match self {
            Param::Decl(d) => d.is_required(),
            Param::Spec(s) => s.default.is_none(),
        }
    }

    /// The default, as JSON (`None`: required; `null` for an empty `default:`).
    pub fn default_json(&self) -> Option<Value> {
        match self {
            Param::Decl(d) => d.default.map(yaml::to_json),
            Param::Spec(s) => s.default.clone(),
        }
    }

    /// An enum's allowed values, as text.
    pub fn enum_texts(&self) -> Vec<String> {
        match self {
            Param::Decl(d) => d
                .enum_values
                .iter()
                .filter_map(|e| e.scalar_text())
                .map(str::to_string)
                .collect(),
            Param::Spec(s) => s.enum_values.iter().map(json_text).collect(),
        }
    }

    /// Whether `value` is one of the enum's values (any value when the enum lists none).
    /// Values compare as CircleCI's YAML reads them (`OFF` is `false`), as text, and numbers
    /// by value (`3.10` is the number 3.1).
    pub fn enum_allows(&self, value: &Node) -> bool {
        let Some(text) = value.scalar_text() else {
            return false;
        };
        let read = yaml::to_json(value);
        let matches = |allowed: &Value, written: Option<&str>| {
            *allowed == read
                || written.is_some_and(|w| same_value(w, text))
                || same_value(&json_text(allowed), text)
                // A quoted `'OFF'` for an unquoted `OFF`: the same word.
                || matches!(allowed, Value::Bool(b)
                    if matches!(yaml::resolve_plain(text), ScalarKind::Bool(x) if x == *b))
        };
        match self {
            Param::Decl(d) => {
                d.enum_values.is_empty()
                    || d.enum_values
                        .iter()
                        .any(|e| matches(&yaml::to_json(e), e.scalar_text()))
            }
            Param::Spec(s) => {
                s.enum_values.is_empty() || s.enum_values.iter().any(|e| matches(e, None))
            }
        }
    }
}

/// A JSON value as text: a string as it is, anything else as JSON.
fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Text that is the same, or numbers of the same value.
fn same_value(a: &str, b: &str) -> bool {
    a == b || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
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
    /// Found: a member of the scope itself or of an inline orb (`None`), or of the registry
    /// release an orb resolved to (which says how sure that release is).
    Found(Member<'m, 'a>, Option<&'static Resolved>),
    /// `orb/member` where the orb's members are not known: nothing can be said.
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
        return Lookup::Found(m, None);
    }
    let Some(r) = crate::config::model::orb_ref(name) else {
        return Lookup::NotFound;
    };
    let res = resolve(orbs, root, scope, r.orb);
    if let Resolution::Unknown = res {
        return Lookup::NotFound;
    }
    match res.members() {
        None => Lookup::Unresolved,
        Some(members) => match members.member(kind, r.member) {
            Some(m) => Lookup::Found(m, res.registry()),
            None => Lookup::MissingMember,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parameters of job `test` in `source`.
    fn with_param(source: &str, f: impl FnOnce(Param<'_, '_>)) {
        let doc = yaml::parse(source);
        let cfg = Config::from_root(doc.root.as_ref().expect("a root"));
        let job = member(&cfg, MemberKind::Job, "test").expect("job test");
        f(job.params()[0]);
    }

    #[test]
    fn enum_values_compare_as_yaml_reads_them() {
        let src = "jobs:\n  test:\n    parameters:\n      mode:\n        type: enum\n        enum: [OFF, LOG, 3.10]\n        default: LOG\n";
        with_param(src, |p| {
            let allows = |v: &str| {
                let doc = yaml::parse(v);
                p.enum_allows(doc.root.as_ref().expect("a value"))
            };
            assert!(allows("OFF") && allows("false") && allows("LOG") && allows("3.1"));
            assert!(!allows("PLAN") && !allows("'on'") && !allows("[LOG]"));
            assert_eq!(p.enum_texts(), ["OFF", "LOG", "3.10"]);
            assert_eq!(p.default_json(), Some(Value::from("LOG")));
        });
    }

    #[test]
    fn catalogued_enum_values_too() {
        let spec: &'static ParamSpec = Box::leak(Box::new(ParamSpec {
            name: "mode".into(),
            ty: Some(ParamType::Enum),
            default: Some(Value::from("LOG")),
            enum_values: vec![Value::Bool(false), Value::from("LOG"), Value::from(3.1)],
        }));
        let p = Param::Spec(spec);
        let allows = |v: &str| {
            let doc = yaml::parse(v);
            p.enum_allows(doc.root.as_ref().expect("a value"))
        };
        assert!(allows("OFF") && allows("'OFF'") && allows("false") && allows("3.10"));
        assert!(allows("LOG") && !allows("PLAN") && !allows("'on'"));
        assert_eq!(p.enum_texts(), ["false", "LOG", "3.1"]);
        assert!(!p.is_required());
    }
}
