//! Orb versions: `MAJOR.MINOR.PATCH` (what the orb registry publishes).

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub u64, pub u64, pub u64);

impl Version {
    /// `1.2.3` exactly (no `v`, no pre-release).
    pub fn parse(s: &str) -> Option<Version> {
        let mut it = s.split('.');
        let mut num = || -> Option<u64> {
            let p = it.next()?;
            if p.is_empty()
                || !p.bytes().all(|b| b.is_ascii_digit())
                || (p.len() > 1 && p.starts_with('0'))
            {
                return None;
            }
            p.parse().ok()
        };
        let v = Version(num()?, num()?, num()?);
        if it.next().is_some() {
            return None;
        }
        Some(v)
    }

    /// A release tag's version: `1.2.3`, `v1.2.3`, and two forms seen in real repositories:
    /// `v.1.2.3` (a typo) and `v1.2.3-minor` (a release tagged with its bump level), after
    /// `prefix` (a monorepo's `orbname-`, say) is removed.
    pub fn from_tag(tag: &str, prefix: &str) -> Option<Version> {
        let rest = tag.strip_prefix(prefix)?;
        let rest = rest
            .strip_prefix("v.")
            .or_else(|| rest.strip_prefix('v'))
            .unwrap_or(rest);
        let rest = ["-major", "-minor", "-patch"]
            .iter()
            .find_map(|s| rest.strip_suffix(s))
            .unwrap_or(rest);
        Version::parse(rest)
    }

    pub fn bump(self, level: Bump) -> Version {
        match level {
            Bump::Major => Version(self.0 + 1, 0, 0),
            Bump::Minor => Version(self.0, self.1 + 1, 0),
            Bump::Patch => Version(self.0, self.1, self.2 + 1),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bump {
    Major,
    Minor,
    Patch,
}

/// The release a commit subject asks for under orb-tools' (before 11) commit-subject flow:
/// `[semver:major|minor|patch]` anywhere in the subject (any case). `[semver:skip]`, no marker,
/// or a `[skip ci]`/`[ci skip]` marker (the pipeline did not run): none.
pub fn subject_bump(subject: &str) -> Option<Bump> {
    let s = subject.to_ascii_lowercase();
    if s.contains("[skip ci]") || s.contains("[ci skip]") {
        return None;
    }
    if s.contains("[semver:major]") {
        Some(Bump::Major)
    } else if s.contains("[semver:minor]") {
        Some(Bump::Minor)
    } else if s.contains("[semver:patch]") {
        Some(Bump::Patch)
    } else {
        None
    }
}

/// A version as written in a config's orb reference: `1.2.3`, `1.2` or `1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wanted {
    Exact(Version),
    Minor(u64, u64),
    Major(u64),
}

impl Wanted {
    pub fn parse(s: &str) -> Option<Wanted> {
        if let Some(v) = Version::parse(s) {
            return Some(Wanted::Exact(v));
        }
        let parts: Vec<&str> = s.split('.').collect();
        let num = |p: &str| -> Option<u64> {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            p.parse().ok()
        };
        match parts.as_slice() {
            [a] => Some(Wanted::Major(num(a)?)),
            [a, b] => Some(Wanted::Minor(num(a)?, num(b)?)),
            _ => None,
        }
    }

    /// The oldest version the reference could mean, and its major version.
    pub fn floor(self) -> (Version, u64) {
        match self {
            Wanted::Exact(v) => (v, v.0),
            Wanted::Minor(a, b) => (Version(a, b, 0), a),
            Wanted::Major(a) => (Version(a, 0, 0), a),
        }
    }

    pub fn matches(self, v: Version) -> bool {
        match self {
            Wanted::Exact(w) => w == v,
            Wanted::Minor(a, b) => v.0 == a && v.1 == b,
            Wanted::Major(a) => v.0 == a,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_bumps() {
        assert_eq!(Version::from_tag("v5.1.1", ""), Some(Version(5, 1, 1)));
        assert_eq!(Version::from_tag("0.1.4", ""), Some(Version(0, 1, 4)));
        assert_eq!(Version::from_tag("v.8.1.0", ""), Some(Version(8, 1, 0)));
        assert_eq!(
            Version::from_tag("v6.1.0-minor", ""),
            Some(Version(6, 1, 0))
        );
        assert_eq!(Version::from_tag("v6.1.0-rc1", ""), None);
        assert_eq!(Version::from_tag("master-patch-master-de62c2c", ""), None);
        assert_eq!(
            Version::from_tag("node-v1.0.0", "node-"),
            Some(Version(1, 0, 0))
        );
        assert_eq!(subject_bump("Fix [semver:patch] (#3)"), Some(Bump::Patch));
        assert_eq!(subject_bump("[Semver:Minor] x"), Some(Bump::Minor));
        assert_eq!(subject_bump("[semver:skip] x"), None);
        assert_eq!(Version(0, 3, 2).bump(Bump::Major), Version(1, 0, 0));
        assert!(Wanted::parse("5").unwrap().matches(Version(5, 3, 0)));
        assert!(!Wanted::parse("5.1").unwrap().matches(Version(5, 2, 0)));
    }
}
