//! Orb versions, and which release a version written after the `@` means.
//!
//! CircleCI resolves `ns/name@5.1.1` to that release, `@5.1` to the newest 5.1.x release and
//! `@5` to the newest 5.x.y release of the registry. cilint knows the releases of its built-in
//! catalog and of the orb cache, not the registry's: [`choose`] picks among those, and says how
//! sure the pick is.

use std::fmt;

/// A published orb version, `MAJOR.MINOR.PATCH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrbVersion {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

/// A number of a version: digits only (`05` is read as 5, as the registry reads it).
fn number(part: &str) -> Option<u64> {
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

impl OrbVersion {
    pub const fn new(major: u64, minor: u64, patch: u64) -> OrbVersion {
        OrbVersion {
            major,
            minor,
            patch,
        }
    }

    /// `1.2.3` exactly.
    pub fn parse(text: &str) -> Option<OrbVersion> {
        match Wanted::parse(text)? {
            Wanted::Exact(v) => Some(v),
            _ => None,
        }
    }
}

impl fmt::Display for OrbVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// What a version written after the `@` asks for (`volatile`, `dev:` labels and templates ask
/// for nothing cilint can check).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wanted {
    /// `5.1.1`.
    Exact(OrbVersion),
    /// `5.1`: the newest 5.1.x release.
    Minor(u64, u64),
    /// `5`: the newest 5.x.y release.
    Major(u64),
}

impl Wanted {
    pub fn parse(text: &str) -> Option<Wanted> {
        let mut parts = text.split('.');
        let major = number(parts.next()?)?;
        let Some(minor) = parts.next() else {
            return Some(Wanted::Major(major));
        };
        let minor = number(minor)?;
        let Some(patch) = parts.next() else {
            return Some(Wanted::Minor(major, minor));
        };
        let patch = number(patch)?;
        parts
            .next()
            .is_none()
            .then_some(Wanted::Exact(OrbVersion::new(major, minor, patch)))
    }

    pub fn major(self) -> u64 {
        match self {
            Wanted::Exact(v) => v.major,
            Wanted::Minor(major, _) | Wanted::Major(major) => major,
        }
    }

    /// Whether release `v` is in the range asked for.
    pub fn contains(self, v: OrbVersion) -> bool {
        match self {
            Wanted::Exact(w) => w == v,
            Wanted::Minor(major, minor) => v.major == major && v.minor == minor,
            Wanted::Major(major) => v.major == major,
        }
    }

    /// Whether release `v` comes after every release in the range.
    fn is_after(self, v: OrbVersion) -> bool {
        match self {
            Wanted::Exact(w) => v > w,
            Wanted::Minor(major, minor) => (v.major, v.minor) > (major, minor),
            Wanted::Major(major) => v.major > major,
        }
    }

    /// The range in words: `5.1.1`, `5.1.x`, `5.x`.
    pub fn range(self) -> String {
        match self {
            Wanted::Exact(v) => v.to_string(),
            Wanted::Minor(major, minor) => format!("{major}.{minor}.x"),
            Wanted::Major(major) => format!("{major}.x"),
        }
    }
}

/// How the release checked relates to the version written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// The exact version written.
    Exact,
    /// The newest known release in a partial version's range. `open`: no newer release (past
    /// the range) is known, so the registry may have a newer one in the range.
    Newest { open: bool },
    /// No known release in the range: the nearest older release of the same major version.
    Older,
}

/// The release of `known` (ascending) that `wanted` resolves to, as CircleCI resolves it but
/// among the releases cilint knows; else the nearest older release of the same major version.
/// `None` when there is neither (a release of another major version is never used: its
/// interface may differ in anything).
pub fn choose(wanted: Wanted, known: &[OrbVersion]) -> Option<(OrbVersion, Choice)> {
    if let Some(newest) = known.iter().rev().find(|v| wanted.contains(**v)) {
        let choice = match wanted {
            Wanted::Exact(_) => Choice::Exact,
            _ => Choice::Newest {
                open: !known.iter().any(|v| wanted.is_after(*v)),
            },
        };
        return Some((*newest, choice));
    }
    let floor = match wanted {
        Wanted::Exact(v) => v,
        Wanted::Minor(major, minor) => OrbVersion::new(major, minor, 0),
        Wanted::Major(major) => OrbVersion::new(major, 0, 0),
    };
    known
        .iter()
        .rev()
        .find(|v| v.major == wanted.major() && **v < floor)
        .map(|v| (*v, Choice::Older))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> OrbVersion {
        OrbVersion::parse(text).expect("a version")
    }

    fn known() -> Vec<OrbVersion> {
        ["4.9.0", "5.0.0", "5.1.0", "5.1.1", "5.3.0", "6.0.0"]
            .map(v)
            .to_vec()
    }

    fn pick(text: &str, known: &[OrbVersion]) -> Option<(String, Choice)> {
        choose(Wanted::parse(text)?, known).map(|(v, c)| (v.to_string(), c))
    }

    #[test]
    fn versions_parse() {
        assert_eq!(Wanted::parse("5.1.1"), Some(Wanted::Exact(v("5.1.1"))));
        assert_eq!(Wanted::parse("5.1"), Some(Wanted::Minor(5, 1)));
        assert_eq!(Wanted::parse("12"), Some(Wanted::Major(12)));
        for not in [
            "",
            "volatile",
            "dev:alpha",
            "1.2.3.4",
            "v1",
            "1..2",
            "1.x",
            "<< p >>",
        ] {
            assert_eq!(Wanted::parse(not), None, "{not}");
        }
        assert_eq!(v("10.0.12").to_string(), "10.0.12");
        assert!(v("5.10.0") > v("5.9.3"));
    }

    #[test]
    fn an_exact_version_is_itself() {
        assert_eq!(
            pick("5.1.1", &known()),
            Some(("5.1.1".into(), Choice::Exact))
        );
    }

    #[test]
    fn a_partial_version_is_the_newest_release_in_its_range() {
        let closed = Choice::Newest { open: false };
        assert_eq!(pick("5", &known()), Some(("5.3.0".into(), closed)));
        assert_eq!(pick("5.1", &known()), Some(("5.1.1".into(), closed)));
        // Nothing newer than 6.x is known: the registry may have a newer 6.x.
        assert_eq!(
            pick("6", &known()),
            Some(("6.0.0".into(), Choice::Newest { open: true }))
        );
        assert_eq!(
            pick("6.0", &known()),
            Some(("6.0.0".into(), Choice::Newest { open: true }))
        );
    }

    #[test]
    fn an_unknown_version_falls_back_to_the_nearest_older_of_its_major() {
        assert_eq!(
            pick("5.2.4", &known()),
            Some(("5.1.1".into(), Choice::Older))
        );
        assert_eq!(pick("5.4", &known()), Some(("5.3.0".into(), Choice::Older)));
        assert_eq!(
            pick("6.1.0", &known()),
            Some(("6.0.0".into(), Choice::Older))
        );
        // Never another major version, newer or older.
        assert_eq!(pick("7", &known()), None);
        assert_eq!(pick("7.0.1", &known()), None);
        assert_eq!(pick("4.8.0", &known()), None);
        assert_eq!(pick("3", &known()), None);
        assert_eq!(pick("5.0.0", &[]), None);
    }
}
