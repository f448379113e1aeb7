//! `cilint rules` and `cilint explain`.

use super::*;
use crate::rules;
use std::io::Write;

pub(super) fn list_rules(out: &mut dyn Write) -> Result<Exit, Failure> {
    let registry = rules::registry();
    let width = registry.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut text = String::new();
    text.push_str(&format!("{:width$}  {:8}  SUMMARY\n", "ID", "SEVERITY"));
    for r in registry {
        text.push_str(&format!(
            "{:width$}  {:8}  {}\n",
            r.id,
            r.severity.as_str(),
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
