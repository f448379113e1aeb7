//! `cilint orbs fetch` and `cilint orbs list`: the orb cache.
//!
//! `fetch` is the only command of cilint that uses the network: it asks CircleCI's GraphQL API
//! for the source of every registry orb version the config names and writes each to the orb
//! cache as `namespace/name@version.yml`. `list` only reads.

use super::{ConfigArgs, Exit, Failure, Source, collect_sources};
use crate::config::model::{Config, OrbSource};
use crate::config::orbs::{self, fetch};
use crate::config::settings::Settings;
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum OrbsCommand {
    /// Download the source of every registry orb the config names into the orb cache (the only
    /// command that uses the network).
    Fetch(FetchArgs),
    /// List the config's orbs, their versions and whether their source is cached.
    List(ListArgs),
}

#[derive(Args, Debug)]
pub struct CacheArgs {
    /// The config file (default: `.circleci/config.yml` in this folder or a parent).
    pub config_file: Option<PathBuf>,

    /// The orb cache folder (default: `orbs.cache` in `.cilint.toml`, else
    /// `$XDG_CACHE_HOME/cilint/orbs` or `~/.cache/cilint/orbs`).
    #[arg(long, value_name = "DIR")]
    pub orb_cache: Option<PathBuf>,

    #[command(flatten)]
    pub settings: ConfigArgs,
}

#[derive(Args, Debug)]
pub struct FetchArgs {
    #[command(flatten)]
    pub cache: CacheArgs,

    /// The GraphQL endpoint.
    #[arg(long, value_name = "URL", default_value = fetch::DEFAULT_API_URL)]
    pub api_url: String,

    /// A CircleCI API token, for private orbs.
    #[arg(long, env = "CIRCLECI_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    pub cache: CacheArgs,
}

pub fn run(command: &OrbsCommand, out: &mut dyn Write) -> Result<Exit, Failure> {
    match command {
        OrbsCommand::Fetch(args) => fetch_command(args, out),
        OrbsCommand::List(args) => list_command(args, out),
    }
}

/// The config's text and the cache folder to use.
fn open(args: &CacheArgs) -> Result<(String, String, Option<PathBuf>), Failure> {
    let paths: Vec<PathBuf> = args.config_file.iter().cloned().collect();
    let sources = collect_sources(&paths, None)?;
    let source: &Source = sources
        .first()
        .ok_or_else(|| Failure("no config to read".to_string()))?;
    let bytes = source.read()?;
    let text = crate::yaml::decode(&bytes)
        .map_err(|d| Failure(format!("cannot read {}: {}", source.display, d.message)))?;
    let settings = if args.settings.no_config {
        Settings::default()
    } else if let Some(path) = &args.settings.config {
        Settings::load(path).map_err(|e| Failure(e.to_string()))?
    } else {
        match Settings::discover(&source.settings_dir()) {
            Some(path) => Settings::load(&path).map_err(|e| Failure(e.to_string()))?,
            None => Settings::default(),
        }
    };
    let explicit = args.orb_cache.clone().or(settings.orb_cache);
    Ok((
        source.display.clone(),
        text,
        orbs::cache_dir(explicit.as_deref()),
    ))
}

fn no_cache_dir() -> Failure {
    Failure(
        "no orb cache folder: pass --orb-cache DIR, set `orbs.cache` in .cilint.toml, or set HOME or XDG_CACHE_HOME"
            .to_string(),
    )
}

fn fetch_command(args: &FetchArgs, out: &mut dyn Write) -> Result<Exit, Failure> {
    let (name, text, dir) = open(&args.cache)?;
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
        match fetch::fetch_one(r, &dir, &args.api_url, args.token.as_deref()) {
            fetch::Outcome::Written(path) => {
                lines.push_str(&format!("fetched  {reference} -> {}\n", path.display()))
            }
            fetch::Outcome::Cached(path) => {
                lines.push_str(&format!("cached   {reference} ({})\n", path.display()))
            }
            fetch::Outcome::NotExact => lines.push_str(&format!(
                "skipped  {reference}: not an exact version (x.y.z), so its source can change; pin one to have it checked\n"
            )),
            fetch::Outcome::NotFound => {
                lines.push_str(&format!("missing  {reference}: the API knows no such orb version\n"));
                failures.push(format!("{reference}: no such orb version (a private orb needs --token or CIRCLECI_TOKEN)"));
            }
            fetch::Outcome::Failed(why) => {
                lines.push_str(&format!("failed   {reference}: {why}\n"));
                failures.push(format!("{reference}: {why}"));
            }
        }
    }
    out.write_all(lines.as_bytes())
        .map_err(|e| Failure(format!("cannot write the output: {e}")))?;
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

fn list_command(args: &ListArgs, out: &mut dyn Write) -> Result<Exit, Failure> {
    let (name, text, dir) = open(&args.cache)?;
    let doc = crate::yaml::parse(&text);
    let config = doc.root.as_ref().map(Config::from_root).unwrap_or_default();
    let mut rows: Vec<[String; 3]> = Vec::new();
    list_scope(&config, &config, "", dir.as_deref(), &mut rows, 0);
    let mut lines = String::new();
    if rows.is_empty() {
        lines.push_str(&format!("{name}: no orbs\n"));
    } else {
        let w0 = rows.iter().map(|r| r[0].len()).max().unwrap_or(0).max(5);
        let w1 = rows.iter().map(|r| r[1].len()).max().unwrap_or(0).max(3);
        lines.push_str(&format!("{:w0$}  {:w1$}  SOURCE\n", "ALIAS", "ORB"));
        for [a, b, c] in &rows {
            lines.push_str(&format!("{a:w0$}  {b:w1$}  {c}\n"));
        }
    }
    match &dir {
        Some(d) => lines.push_str(&format!("orb cache: {}\n", d.display())),
        None => lines.push_str("orb cache: none (no HOME or XDG_CACHE_HOME)\n"),
    }
    out.write_all(lines.as_bytes())
        .map_err(|e| Failure(format!("cannot write the output: {e}")))?;
    Ok(Exit::Clean)
}

fn list_scope(
    cfg: &Config<'_>,
    root: &Config<'_>,
    prefix: &str,
    dir: Option<&Path>,
    rows: &mut Vec<[String; 3]>,
    depth: usize,
) {
    for decl in &cfg.orbs {
        let alias = format!("{prefix}{}", decl.alias);
        match &decl.source {
            OrbSource::Registry { .. } => {
                let Some(r) = orbs::registry_ref(decl, root) else {
                    continue;
                };
                let status = if !r.is_cacheable() {
                    "not cached: not an exact version".to_string()
                } else {
                    match dir.map(|d| r.cache_path(d)) {
                        Some(p) if p.is_file() => format!("cached ({})", p.display()),
                        _ => "not cached (run `cilint orbs fetch`)".to_string(),
                    }
                };
                rows.push([alias, r.reference(), status]);
            }
            OrbSource::Inline(inner) => {
                rows.push([
                    alias.clone(),
                    "(inline)".to_string(),
                    "in the config".to_string(),
                ]);
                if depth < 16 {
                    list_scope(inner, root, &format!("{alias}."), dir, rows, depth + 1);
                }
            }
            OrbSource::Url(url) => {
                rows.push([alias, url.to_string(), "URL (never fetched)".to_string()])
            }
            OrbSource::Invalid => rows.push([alias, "(unreadable)".to_string(), "-".to_string()]),
        }
    }
}
