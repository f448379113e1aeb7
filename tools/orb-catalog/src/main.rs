//! orb-catalog: builds cilint's catalog of CircleCI orb interfaces (the jobs, commands and
//! executors of every released version of an orb, with their parameters) from orb sources.
//!
//! See README.md for the catalog format and how to refresh it.
#![forbid(unsafe_code)]

mod build;
mod catalog;
mod config;
mod coverage;
mod git;
mod interface;
mod version;
mod yaml;

use build::{BlobCache, OrbResult};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage:
  orb-catalog build [--orbs orbs.tsv] [--mirror DIR] [--cache DIR]... [--only ORB]...
                    --out orbs.jsonl [--report build-report.md]
      Find every release of the orbs listed in orbs.tsv in their repositories (bare git
      directories under --mirror), and/or read a folder of packed orb sources
      (<namespace>/<name>@<version>.yml), and write the catalog.
  orb-catalog coverage --catalog orbs.jsonl [--out FILE] CONFIG-OR-FOLDER...
      Which registry orb references of the configs the catalog resolves (markdown).
  orb-catalog show --catalog orbs.jsonl NAMESPACE/ORB@VERSION
      Print one orb version's interface.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("build") => cmd_build(&args[1..]),
        Some("coverage") => cmd_coverage(&args[1..]),
        Some("show") => cmd_show(&args[1..]),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("orb-catalog: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `--flag value` options and positional arguments.
struct Args {
    flags: Vec<(String, String)>,
    rest: Vec<String>,
}

impl Args {
    fn parse(args: &[String], known: &[&str]) -> Result<Args, String> {
        let mut flags = Vec::new();
        let mut rest = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if let Some(name) = a.strip_prefix("--") {
                if !known.contains(&name) {
                    return Err(format!("unknown option --{name}\n{USAGE}"));
                }
                let v = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
                flags.push((name.to_string(), v.clone()));
            } else {
                rest.push(a.clone());
            }
        }
        Ok(Args { flags, rest })
    }
    fn one(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    fn all(&self, name: &str) -> Vec<&str> {
        self.flags
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

fn cmd_build(args: &[String]) -> Result<(), String> {
    let a = Args::parse(args, &["orbs", "mirror", "cache", "only", "out", "report"])?;
    let out = a.one("out").ok_or("build needs --out")?;
    let only: Vec<&str> = a.all("only");
    let mut results: BTreeMap<String, OrbResult> = BTreeMap::new();
    // Packed sources first: they are what the registry serves, and win over repositories.
    for dir in a.all("cache") {
        build::from_cache(&PathBuf::from(dir), &mut results)?;
    }
    if let Some(list) = a.one("orbs") {
        let text = std::fs::read_to_string(list).map_err(|e| format!("{list}: {e}"))?;
        let sources = config::parse(&text).map_err(|e| format!("{list}: {e}"))?;
        let mirror = PathBuf::from(a.one("mirror").unwrap_or("."));
        for src in &sources {
            if !only.is_empty() && !only.contains(&src.orb.as_str()) {
                continue;
            }
            let result = results.entry(src.orb.clone()).or_default();
            let Some(dir) = build::repo_dir(&mirror, &src.repo) else {
                result
                    .problems
                    .push(format!("{}: no clone under {}", src.repo, mirror.display()));
                if !result.repos.contains(&src.repo) {
                    result.repos.push(src.repo.clone());
                }
                continue;
            };
            let mut repo = git::Repo::open(&dir)?;
            let mut cache = BlobCache::default();
            eprintln!("{} <- {}", src.orb, src.repo);
            build::from_repo(&mut repo, &mut cache, src, result);
        }
    }
    if !only.is_empty() {
        results.retain(|k, _| only.contains(&k.as_str()));
    }
    let text = catalog::write(&results);
    std::fs::write(out, &text).map_err(|e| format!("{out}: {e}"))?;
    let orbs = text.lines().count();
    let versions: usize = results.values().map(|r| r.versions.len()).sum();
    eprintln!(
        "wrote {out}: {orbs} orbs, {versions} versions, {} bytes",
        text.len()
    );
    if let Some(report) = a.one("report") {
        std::fs::write(report, build_report(&results)).map_err(|e| format!("{report}: {e}"))?;
    }
    Ok(())
}

fn build_report(results: &BTreeMap<String, OrbResult>) -> String {
    let mut out = String::new();
    out.push_str("| orb | repository | versions | range | from | problems |\n");
    out.push_str("| --- | --- | ---: | --- | --- | ---: |\n");
    for (orb, r) in results {
        let range = match (r.versions.keys().next(), r.versions.keys().last()) {
            (Some(a), Some(b)) => format!("{a} – {b}"),
            _ => "–".into(),
        };
        let mut origins: BTreeMap<&str, usize> = BTreeMap::new();
        for rel in r.versions.values() {
            *origins.entry(rel.origin.label()).or_default() += 1;
        }
        let from = origins
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push_str(&format!(
            "| {orb} | {} | {} | {range} | {from} | {} |\n",
            r.repos.join(", "),
            r.versions.len(),
            r.problems.len()
        ));
    }
    out.push_str("\n## Details\n");
    for (orb, r) in results {
        out.push_str(&format!("\n### {orb}\n\n"));
        let versions: Vec<String> = r
            .versions
            .iter()
            .map(|(v, rel)| match rel.origin {
                build::Origin::Tag(_) | build::Origin::Cache(_) => v.to_string(),
                _ => format!("{v} ({})", rel.origin.label()),
            })
            .collect();
        out.push_str(&format!(
            "- versions: {}\n",
            if versions.is_empty() {
                "none".into()
            } else {
                versions.join(", ")
            }
        ));
        let layouts: Vec<String> = r
            .layouts
            .iter()
            .map(|(l, n)| format!("`{l}` ×{n}"))
            .collect();
        if !layouts.is_empty() {
            out.push_str(&format!("- source layouts: {}\n", layouts.join(", ")));
        }
        if !r.other_tags.is_empty() {
            let shown: Vec<&str> = r
                .other_tags
                .iter()
                .take(6)
                .map(|t| t.split_once(':').map_or(t.as_str(), |x| x.1))
                .collect();
            out.push_str(&format!(
                "- tags that are not release versions: {} (e.g. {})\n",
                r.other_tags.len(),
                shown
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        for n in &r.notes {
            out.push_str(&format!("- note: {n}\n"));
        }
        for p in &r.problems {
            out.push_str(&format!("- problem: {p}\n"));
        }
    }
    out
}

fn cmd_coverage(args: &[String]) -> Result<(), String> {
    let a = Args::parse(args, &["catalog", "out"])?;
    let path = a.one("catalog").ok_or("coverage needs --catalog")?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let cat = catalog::read(&text)?;
    let files = coverage::files_in(&a.rest);
    let report = coverage::report(&files, &cat);
    match a.one("out") {
        Some(o) => std::fs::write(o, report).map_err(|e| format!("{o}: {e}"))?,
        None => print!("{report}"),
    }
    Ok(())
}

fn cmd_show(args: &[String]) -> Result<(), String> {
    let a = Args::parse(args, &["catalog"])?;
    let path = a.one("catalog").ok_or("show needs --catalog")?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let cat = catalog::read(&text)?;
    let reference = a.rest.first().ok_or("show needs ORB@VERSION")?;
    match coverage::resolve(reference, &cat) {
        coverage::Status::Exact | coverage::Status::Partial(_) | coverage::Status::Volatile(_) => {}
        other => return Err(format!("{reference}: {}", other.label())),
    }
    let (name, wanted) = reference.split_once('@').unwrap_or((reference, ""));
    let orb = &cat[name];
    let iface = orb
        .versions
        .iter()
        .rev()
        .find(|(v, _, _)| {
            wanted == "volatile" || version::Wanted::parse(wanted).is_some_and(|w| w.matches(*v))
        })
        .ok_or("not found")?;
    let inferred = if iface.2 { " (inferred)" } else { "" };
    println!("{name}@{}{inferred}", iface.0);
    print!("{}", catalog::describe(&iface.1));
    Ok(())
}
