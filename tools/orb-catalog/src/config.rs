//! The list of orb repositories (`orbs.tsv`).
//!
//! One orb source a line, tab-separated: `orb  repo  path  options  notes`. Empty lines and
//! lines starting with `#` are skipped; `-` stands for an empty field.
//!
//! - `orb`: the published name, `namespace/name`.
//! - `repo`: the GitHub repository, `owner/name`.
//! - `path`: where the orb's source is in the repository: a folder to pack (`src`,
//!   `src/hokusai`) or one packed file (`orb.yml`); several, comma-separated, are tried in
//!   order at each release (`src/main,src`); `-`: found at each release (a `src/` folder
//!   with YAML in it, else `orb.yml`).
//! - `options` (space-separated):
//!   - `tag-prefix=P`: release tags are `P1.2.3` / `Pv1.2.3` (monorepos);
//!   - `no-tags`: tags are not releases of this orb;
//!   - `pin=1.2.3@COMMIT`: version 1.2.3 was published from COMMIT (checked by hand);
//!   - `semver-log=COMMIT@BASE[..UNTIL]`: versions published by orb-tools' commit-subject
//!     flow (before orb-tools 11): from COMMIT on, along HEAD's first-parent history (up to
//!     and including UNTIL), each subject holding `[semver:major|minor|patch]` published the
//!     next version after BASE. BASE is `1.2.3`, or `N.x` when only its major version is
//!     known (then versions are inferred from the first major bump on). Release tags met on
//!     the way reset the count (and a disagreement is reported). `semver-log=auto`: from the
//!     oldest release tag on (its version as BASE): fills in releases between tags;
//!   - `version-comment`: `path` is one file whose first lines say `# Orb Version 1.2.3`;
//!     each version is taken from the first first-parent commit where that line appears.
//! - `notes`: free text for maintainers.

use crate::version::Version;

#[derive(Clone, Debug, PartialEq)]
pub enum Base {
    Known(Version),
    Major(u64),
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub tag_prefix: String,
    pub no_tags: bool,
    pub pins: Vec<(Version, String)>,
    pub semver_log: Option<(String, Base, Option<String>)>,
    pub version_comment: bool,
}

#[derive(Clone, Debug)]
pub struct Source {
    pub line: usize,
    pub orb: String,
    pub repo: String,
    pub path: String,
    pub options: Options,
    pub notes: String,
}

pub fn parse(text: &str) -> Result<Vec<Source>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        let f: Vec<&str> = raw.split('\t').map(str::trim).collect();
        let field = |n: usize| -> &str {
            match f.get(n) {
                Some(&"-") | None => "",
                Some(s) => s,
            }
        };
        let orb = field(0);
        let repo = field(1);
        if orb.split('/').count() != 2 || repo.split('/').count() != 2 {
            return Err(format!(
                "line {line}: expected `namespace/orb<TAB>owner/repo ...`"
            ));
        }
        let mut options = Options::default();
        for opt in field(3).split_whitespace() {
            let (key, value) = opt.split_once('=').unwrap_or((opt, ""));
            match key {
                "tag-prefix" => options.tag_prefix = value.to_string(),
                "no-tags" => options.no_tags = true,
                "version-comment" => options.version_comment = true,
                "pin" => {
                    let (v, c) = value
                        .split_once('@')
                        .ok_or_else(|| format!("line {line}: pin=VERSION@COMMIT"))?;
                    let v = Version::parse(v)
                        .ok_or_else(|| format!("line {line}: bad pinned version `{v}`"))?;
                    options.pins.push((v, c.to_string()));
                }
                "semver-log" if value == "auto" => {
                    options.semver_log = Some((String::new(), Base::Major(0), None));
                }
                "semver-log" => {
                    let (from, rest) = value
                        .split_once('@')
                        .ok_or_else(|| format!("line {line}: semver-log=COMMIT@BASE[..UNTIL]"))?;
                    let (base, until) = match rest.split_once("..") {
                        Some((b, u)) => (b, Some(u.to_string())),
                        None => (rest, None),
                    };
                    let base = if let Some(major) = base.strip_suffix(".x") {
                        Base::Major(
                            major
                                .parse()
                                .map_err(|_| format!("line {line}: bad base `{base}`"))?,
                        )
                    } else {
                        Base::Known(
                            Version::parse(base)
                                .ok_or_else(|| format!("line {line}: bad base `{base}`"))?,
                        )
                    };
                    options.semver_log = Some((from.to_string(), base, until));
                }
                _ => return Err(format!("line {line}: unknown option `{opt}`")),
            }
        }
        out.push(Source {
            line,
            orb: orb.to_string(),
            repo: repo.to_string(),
            path: field(2).trim_end_matches('/').to_string(),
            options,
            notes: field(4).to_string(),
        });
    }
    Ok(out)
}
