//! `cilint orbs fetch|list|show|status`: the orbs cilint knows.
//!
//! `fetch` is the only command of cilint that uses the network: it asks CircleCI's GraphQL API
//! for the source of every registry orb version the config names (a partial version `1.4` or
//! `1` as the registry resolves it) and writes each to the orb cache as
//! `namespace/name@version.yml`. `list` shows what the built-in catalog and the orb cache hold,
//! `show` one release's interface, `status` what each orb of a config resolves to. Only `fetch`
//! writes.

use super::{ConfigArgs, Exit, Failure, Source, collect_sources};
use crate::config::model::{Config, OrbSource};
use crate::config::orbs::version::{Choice, Wanted};
use crate::config::orbs::{self, Known, MemberKind, OrbMembers, RegistryRef, catalog, fetch};
use crate::config::settings::Settings;
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum OrbsCommand {
    /// Download the source of every registry orb the config names into the orb cache (the only
    /// command that uses the network).
    Fetch(FetchArgs),
    /// List the orbs cilint knows: its built-in catalog and the orb cache (with an orb's name,
    /// that orb's releases).
    List(ListArgs),
    /// Print the interface of one orb release: its jobs, commands and executors, and their
    /// parameters.
    Show(ShowArgs),
    /// List a config's orbs and what each resolves to.
    Status(StatusArgs),
}

#[derive(Args, Debug)]
pub struct CacheArgs {
    /// The orb cache folder (default: `orbs.cache` in `.cilint.toml`, else
    /// `$XDG_CACHE_HOME/cilint/orbs` or `~/.cache/cilint/orbs`).
    #[arg(long, value_name = "DIR")]
    pub orb_cache: Option<PathBuf>,

    #[command(flatten)]
    pub settings: ConfigArgs,
}

#[derive(Args, Debug)]
pub struct ConfigCacheArgs {
    /// The config file (default: `.circleci/config.yml` in this folder or a parent).
    pub config_file: Option<PathBuf>,

    #[command(flatten)]
    pub cache: CacheArgs,
}

#[derive(Args, Debug)]
pub struct FetchArgs {
    #[command(flatten)]
    pub config: ConfigCacheArgs,

    /// The GraphQL endpoint.
    #[arg(long, value_name = "URL", default_value = fetch::DEFAULT_API_URL)]
    pub api_url: String,

    /// A CircleCI API token, for private orbs.
    #[arg(long, env = "CIRCLECI_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    #[command(flatten)]
    pub config: ConfigCacheArgs,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// An orb (`circleci/node`): list its releases.
    #[arg(value_name = "NAMESPACE/ORB")]
    pub orb: Option<String>,

    #[command(flatten)]
    pub cache: CacheArgs,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The orb release (`circleci/node@5.1.1`; `@5.1` or `@5` for the newest release cilint
    /// knows in that range).
    #[arg(value_name = "NAMESPACE/ORB@VERSION")]
    pub reference: String,

    #[command(flatten)]
    pub cache: CacheArgs,
}

pub fn run(command: &OrbsCommand, out: &mut dyn Write) -> Result<Exit, Failure> {
    let text = match command {
        OrbsCommand::Fetch(args) => return fetch_command(args, out),
        OrbsCommand::List(args) => list_command(args)?,
        OrbsCommand::Show(args) => show_command(args)?,
        OrbsCommand::Status(args) => status_command(args)?,
    };
    write(out, &text)?;
    Ok(Exit::Clean)
}

fn write(out: &mut dyn Write, text: &str) -> Result<(), Failure> {
    out.write_all(text.as_bytes())
        .map_err(|e| Failure(format!("cannot write the output: {e}")))
}

/// The settings that apply in `dir` (or as the flags say).
fn settings(args: &ConfigArgs, dir: &Path) -> Result<Settings, Failure> {
    if args.no_config {
        Ok(Settings::default())
    } else if let Some(path) = &args.config {
        Settings::load(path).map_err(|e| Failure(e.to_string()))
    } else {
        match Settings::discover(dir) {
            Some(path) => Settings::load(&path).map_err(|e| Failure(e.to_string())),
            None => Ok(Settings::default()),
        }
    }
}

/// The orb cache folder: `--orb-cache`, else the settings' (found from `dir`), else the default.
fn cache_folder(args: &CacheArgs, dir: &Path) -> Result<Option<PathBuf>, Failure> {
    let explicit = match &args.orb_cache {
        Some(d) => Some(d.clone()),
        None => settings(&args.settings, dir)?.orb_cache,
    };
    Ok(orbs::cache_dir(explicit.as_deref()))
}

/// The config's name, text and model source, and the cache folder to use.
fn open(args: &ConfigCacheArgs) -> Result<(String, String, Option<PathBuf>), Failure> {
    let paths: Vec<PathBuf> = args.config_file.iter().cloned().collect();
    let sources = collect_sources(&paths, None)?;
    let source: &Source = sources
        .first()
        .ok_or_else(|| Failure("no config to read".to_string()))?;
    let bytes = source.read()?;
    let text = crate::yaml::decode(&bytes)
        .map_err(|d| Failure(format!("cannot read {}: {}", source.display, d.message)))?;
    let dir = cache_folder(&args.cache, &source.settings_dir())?;
    Ok((source.display.clone(), text, dir))
}

fn no_cache_dir() -> Failure {
    Failure(
        "no orb cache folder: pass --orb-cache DIR, set `orbs.cache` in .cilint.toml, or set HOME or XDG_CACHE_HOME"
            .to_string(),
    )
}

fn fetch_command(args: &FetchArgs, out: &mut dyn Write) -> Result<Exit, Failure> {
    let (name, text, dir) = open(&args.config)?;
    let dir = dir.ok_or_else(no_cache_dir)?;
    let doc = crate::yaml::parse(&text);
    let config = doc.root.as_ref().map(Config::from_root).unwrap_or_default();
    let refs = orbs::registry_refs(&config);
    let mut lines = String::new();
    let mut failures = Vec::new();
    if refs.is_empty() {
        lines.push_str(&format!("{name}: no registry orbs\n"));
    }
    for r in &refs {
        let reference = r.reference();
        // `ns/name@1.4 (1.4.2)` for a partial version.
        let resolved = |v: &orbs::version::OrbVersion| {
            if matches!(r.wanted(), Some(Wanted::Exact(_))) {
                reference.clone()
            } else {
                format!("{reference} ({v})")
            }
        };
        match fetch::fetch_one(r, &dir, &args.api_url, args.token.as_deref()) {
            fetch::Outcome::Written { path, version } => lines.push_str(&format!(
                "fetched  {} -> {}\n",
                resolved(&version),
                path.display()
            )),
            fetch::Outcome::Cached { path, version } => {
                let release = if matches!(r.wanted(), Some(Wanted::Exact(_))) {
                    String::new()
                } else {
                    format!("{version}, ")
                };
                lines.push_str(&format!(
                    "cached   {reference} ({release}{})\n",
                    path.display()
                ));
            }
            fetch::Outcome::NotRelease => lines.push_str(&format!(
                "skipped  {reference}: not a release version (x.y.z, x.y or x), so cilint does not check it; pin one to have it checked\n"
            )),
            fetch::Outcome::NotFound => {
                lines.push_str(&format!(
                    "missing  {reference}: the API knows no such orb version\n"
                ));
                failures.push(format!(
                    "{reference}: no such orb version (a private orb needs --token or CIRCLECI_TOKEN)"
                ));
            }
            fetch::Outcome::Failed(why) => {
                lines.push_str(&format!("failed   {reference}: {why}\n"));
                failures.push(format!("{reference}: {why}"));
            }
        }
    }
    write(out, &lines)?;
    if failures.is_empty() {
        Ok(Exit::Clean)
    } else {
        Err(Failure(format!(
            "could not fetch {} orb source(s):\n  {}",
            failures.len(),
            failures.join("\n  ")
        )))
    }
}

/// Rows as aligned columns (the last one not padded).
fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|t| t.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let last = row.len().saturating_sub(1);
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if i == last {
                    t.clone()
                } else {
                    format!("{t:w$}", w = widths[i])
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// Every orb in the cache folder `dir`: `ns/name` -> its releases there.
fn cached_orbs(dir: &Path) -> Vec<(String, Vec<orbs::version::OrbVersion>)> {
    let mut found = Vec::new();
    let Ok(namespaces) = std::fs::read_dir(dir) else {
        return found;
    };
    for ns in namespaces.flatten().filter(|e| e.path().is_dir()) {
        let namespace = ns.file_name().to_string_lossy().into_owned();
        let mut names: Vec<String> = std::fs::read_dir(ns.path())
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|f| {
                let file = f.file_name().to_string_lossy().into_owned();
                let (name, rest) = file.split_once('@')?;
                rest.ends_with(".yml").then(|| name.to_string())
            })
            .collect();
        names.sort();
        names.dedup();
        for name in names {
            let versions = orbs::cached_versions(dir, &namespace, &name);
            if !versions.is_empty() {
                found.push((format!("{namespace}/{name}"), versions));
            }
        }
    }
    found.sort();
    found
}

fn join_versions(versions: &[orbs::version::OrbVersion]) -> String {
    let texts: Vec<String> = versions.iter().map(ToString::to_string).collect();
    texts.join(", ")
}

fn list_command(args: &ListArgs) -> Result<String, Failure> {
    let here = std::env::current_dir().unwrap_or_default();
    let dir = cache_folder(&args.cache, &here)?;
    let cached = dir.as_deref().map(cached_orbs).unwrap_or_default();
    let cached_of = |orb: &str| {
        cached
            .iter()
            .find(|(o, _)| o == orb)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let cache_line = match &dir {
        Some(d) => format!(
            "orb cache: {} ({} orb releases)\n",
            d.display(),
            cached.iter().map(|(_, v)| v.len()).sum::<usize>()
        ),
        None => "orb cache: none (no HOME or XDG_CACHE_HOME)\n".to_string(),
    };
    let mut out = String::new();
    if let Some(name) = &args.orb {
        let in_cache = cached_of(name);
        let Some(orb) = catalog::orb(name) else {
            if in_cache.is_empty() {
                return Err(Failure(format!(
                    "cilint knows no orb `{name}`: it is not in the built-in catalog, and the orb cache has none of its releases (`cilint orbs list` lists the orbs cilint knows)"
                )));
            }
            out.push_str(&format!("{name}: not in cilint's built-in catalog\n"));
            out.push_str(&format!("in the orb cache: {}\n", join_versions(&in_cache)));
            out.push_str(&cache_line);
            return Ok(out);
        };
        let versions: Vec<_> = orb.versions().collect();
        out.push_str(&format!(
            "{name}: {} releases in cilint's built-in catalog\n",
            versions.len()
        ));
        out.push_str(&wrap(&join_versions(&versions), 92));
        let inferred: Vec<_> = versions
            .iter()
            .copied()
            .filter(|v| orb.interface(*v).is_some_and(|i| i.inferred))
            .collect();
        if !inferred.is_empty() {
            out.push_str(&format!(
                "inferred from the orb's commit history (no release tag; findings are warnings): {}\n",
                join_versions(&inferred)
            ));
        }
        if !in_cache.is_empty() {
            out.push_str(&format!(
                "in the orb cache (checked from their source): {}\n",
                join_versions(&in_cache)
            ));
        }
        out.push_str(&cache_line);
        return Ok(out);
    }
    let mut rows = vec![vec![
        "ORB".to_string(),
        "RELEASES".to_string(),
        "OLDEST".to_string(),
        "NEWEST".to_string(),
        "CACHED".to_string(),
    ]];
    let mut names: Vec<&str> = catalog::names().collect();
    names.extend(cached.iter().map(|(o, _)| o.as_str()));
    names.sort();
    names.dedup();
    let mut total = 0;
    let mut count = 0;
    for name in names {
        let versions: Vec<_> = catalog::orb(name)
            .map(|o| o.versions().collect())
            .unwrap_or_default();
        total += versions.len();
        count += usize::from(!versions.is_empty());
        let in_cache = cached_of(name).len();
        let text = |v: Option<&orbs::version::OrbVersion>| v.map_or("-".into(), |v| v.to_string());
        rows.push(vec![
            name.to_string(),
            versions.len().to_string(),
            text(versions.first()),
            text(versions.last()),
            if in_cache == 0 {
                "-".to_string()
            } else {
                in_cache.to_string()
            },
        ]);
    }
    out.push_str(&table(&rows));
    out.push_str(&format!(
        "{count} orbs, {total} releases in cilint's built-in catalog (`cilint orbs list NAMESPACE/ORB` lists an orb's releases)\n"
    ));
    out.push_str(&cache_line);
    Ok(out)
}

/// `text` (words separated by `, `) in lines of at most `width` characters, indented by two.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::from(" ");
    for word in text.split(' ') {
        if line.len() + 1 + word.len() > width && !line.trim().is_empty() {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(" ");
        }
        line.push(' ');
        line.push_str(word);
    }
    if !line.trim().is_empty() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `ns/name@version` split, or why not.
fn parse_reference(text: &str) -> Result<RegistryRef, Failure> {
    let bad = || {
        Failure(format!(
            "`{text}` is not an orb release: write NAMESPACE/ORB@VERSION, for example `circleci/node@5.1.1` (or `@5.1`, `@5` for the newest release cilint knows in that range)"
        ))
    };
    let (orb, version) = text.split_once('@').ok_or_else(bad)?;
    let (namespace, name) = orb.split_once('/').ok_or_else(bad)?;
    let r = RegistryRef {
        namespace: namespace.to_string(),
        name: name.to_string(),
        version: version.to_string(),
    };
    r.wanted().map(|_| r).ok_or_else(bad)
}

fn show_command(args: &ShowArgs) -> Result<String, Failure> {
    let here = std::env::current_dir().unwrap_or_default();
    let dir = cache_folder(&args.cache, &here)?;
    let r = parse_reference(&args.reference)?;
    let Some(res) = orbs::resolve_reference(&r, dir.as_deref()) else {
        let known = catalog::orb(&r.orb()).map(|o| o.versions().collect::<Vec<_>>());
        return Err(Failure(match known {
            Some(v) => format!(
                "cilint knows no {} release of orb `{}` (its built-in catalog has {}; the orb cache has none); `cilint orbs fetch` caches a config's orbs",
                r.wanted().map_or_else(String::new, |w| w.range()),
                r.orb(),
                join_versions(&v)
            ),
            None => format!(
                "cilint knows no orb `{}`: it is not in the built-in catalog, and the orb cache has none of its releases",
                r.orb()
            ),
        }));
    };
    let mut out = format!("{} (from {})\n", res.checked(), res.origin());
    match res.choice {
        Choice::Exact => {}
        Choice::Newest { .. } => out.push_str(&format!(
            "the newest {} release cilint knows\n",
            r.wanted().map_or_else(String::new, |w| w.range())
        )),
        Choice::Older => out.push_str(&format!(
            "cilint does not know {}: this is the nearest older release of the same major version\n",
            r.reference()
        )),
    }
    if res.inferred() {
        out.push_str(
            "inferred from the orb's commit history (the release has no tag): findings about it are warnings\n",
        );
    }
    let members = match res.known {
        Known::Cached(o) => OrbMembers::Source(&o.config),
        Known::Catalog(i) => OrbMembers::Interface(i),
    };
    for kind in MemberKind::ALL {
        let mut names = members.names(kind);
        names.sort_unstable();
        if names.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{}\n", kind.plural()));
        for name in names {
            out.push_str(&format!("  {name}\n"));
            let Some(member) = members.member(kind, name) else {
                continue;
            };
            let rows: Vec<Vec<String>> = member
                .params()
                .iter()
                .map(|p| {
                    let mut about = match p.default_json() {
                        None => "required".to_string(),
                        Some(d) => format!("default {}", shown(&d)),
                    };
                    let values = p.enum_texts();
                    if !values.is_empty() {
                        about.push_str(&format!("; one of {}", values.join(", ")));
                    }
                    vec![
                        format!("    {}", p.name()),
                        p.ty().map_or("(no type)", |t| t.as_str()).to_string(),
                        about,
                    ]
                })
                .collect();
            out.push_str(&table(&rows));
        }
    }
    Ok(out)
}

/// A default for display, as JSON (a string quoted), cut short when long.
fn shown(default: &serde_json::Value) -> String {
    let text = default.to_string();
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}

fn status_command(args: &StatusArgs) -> Result<String, Failure> {
    let (name, text, dir) = open(&args.config)?;
    let doc = crate::yaml::parse(&text);
    let config = doc.root.as_ref().map(Config::from_root).unwrap_or_default();
    let mut rows: Vec<Vec<String>> = Vec::new();
    status_scope(&config, &config, "", dir.as_deref(), &mut rows, 0);
    let mut lines = String::new();
    if rows.is_empty() {
        lines.push_str(&format!("{name}: no orbs\n"));
    } else {
        rows.insert(
            0,
            vec![
                "ALIAS".to_string(),
                "ORB".to_string(),
                "CHECKED AGAINST".to_string(),
            ],
        );
        lines.push_str(&table(&rows));
    }
    match &dir {
        Some(d) => lines.push_str(&format!("orb cache: {}\n", d.display())),
        None => lines.push_str("orb cache: none (no HOME or XDG_CACHE_HOME)\n"),
    }
    Ok(lines)
}

/// What registry reference `r` resolves to, in words.
fn status_of(r: &RegistryRef, dir: Option<&Path>) -> String {
    let Some(res) = orbs::resolve_reference(r, dir) else {
        return match r.wanted() {
            None => "not checked: not a release version (x.y.z, x.y or x)".to_string(),
            Some(_) => {
                "not checked: not in cilint's catalog or the orb cache (run `cilint orbs fetch`)"
                    .to_string()
            }
        };
    };
    let source = match res.known {
        Known::Cached(o) => format!("the orb cache ({})", o.path.display()),
        Known::Catalog(_) => "cilint's built-in catalog".to_string(),
    };
    let range = r.wanted().map_or_else(String::new, |w| w.range());
    let how = match res.choice {
        Choice::Exact => String::new(),
        Choice::Newest { open: false } => format!(", the newest {range} release"),
        Choice::Newest { open: true } => {
            format!(", the newest {range} release cilint knows (a newer one may exist)")
        }
        Choice::Older => format!(", the nearest older release ({range} is not known)"),
    };
    let inferred = if res.inferred() {
        " (inferred from commit history)"
    } else {
        ""
    };
    format!("{}{inferred}{how}, from {source}", res.version)
}

fn status_scope(
    cfg: &Config<'_>,
    root: &Config<'_>,
    prefix: &str,
    dir: Option<&Path>,
    rows: &mut Vec<Vec<String>>,
    depth: usize,
) {
    for decl in &cfg.orbs {
        let alias = format!("{prefix}{}", decl.alias);
        match &decl.source {
            OrbSource::Registry { .. } => {
                let Some(r) = orbs::registry_ref(decl, root) else {
                    continue;
                };
                rows.push(vec![alias, r.reference(), status_of(&r, dir)]);
            }
            OrbSource::Inline(inner) => {
                rows.push(vec![
                    alias.clone(),
                    "(inline)".to_string(),
                    "its definition in the config".to_string(),
                ]);
                if depth < 16 {
                    status_scope(inner, root, &format!("{alias}."), dir, rows, depth + 1);
                }
            }
            OrbSource::Url(url) => rows.push(vec![
                alias,
                url.to_string(),
                "not checked: a URL orb (never fetched)".to_string(),
            ]),
            OrbSource::Invalid => {
                rows.push(vec![alias, "(unreadable)".to_string(), "-".to_string()])
            }
        }
    }
}
