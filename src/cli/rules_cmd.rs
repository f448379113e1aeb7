//! `cilint rules` and `cilint explain`.

use super::*;
use crate::rules;
use std::io::Write;

pub(super) fn list_rules(category: Option<&str>, out: &mut dyn Write) -> Result<Exit, Failure> {
    if let Some(name) = category
        && !rules::Category::NAMES.contains(&name)
    {
        return Err(Failure(format!(
            "unknown category `{name}`; the categories are {}",
            crate::base::text::join_and(
                &rules::Category::NAMES
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
            )
        )));
    }
    let registry: Vec<_> = rules::registry()
        .iter()
        .filter(|r| category.is_none_or(|c| r.category.as_str() == c))
        .collect();
    let width = registry.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let category_of = |r: &rules::Rule| match r.category.cwe() {
        Some(cwe) => format!("{} (CWE-{cwe})", r.category.as_str()),
        None => r.category.as_str().to_string(),
    };
    let cwidth = registry
        .iter()
        .map(|r| category_of(r).len())
        .max()
        .unwrap_or(0)
        .max("CATEGORY".len());
    let mut text = String::new();
    text.push_str(&format!(
        "{:width$}  {:8}  {:cwidth$}  SUMMARY\n",
        "ID", "SEVERITY", "CATEGORY"
    ));
    for r in registry {
        text.push_str(&format!(
            "{:width$}  {:8}  {:cwidth$}  {}\n",
            r.id,
            r.severity.as_str(),
            category_of(r),
            r.summary
        ));
    }
    out.write_all(text.as_bytes()).map_err(write_failed)?;
    Ok(Exit::Clean)
}

pub(super) fn explain(id: &str, out: &mut dyn Write) -> Result<Exit, Failure> {
    let rule = rules::find(id).ok_or_else(|| Failure(unknown_rule(id, "")))?;
    let text = rule.explanation;
    out.write_all(text.as_bytes()).map_err(write_failed)?;
    if !text.ends_with('\n') {
        writeln!(out).map_err(write_failed)?;
    }
    Ok(Exit::Clean)
}
