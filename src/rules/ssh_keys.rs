//! `ssh-keys-unscoped`: `add_ssh_keys` without `fingerprints` gives the job every SSH key of
//! the project.

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};

pub static SSH_KEYS_UNSCOPED: Rule = Rule {
    id: "ssh-keys-unscoped",
    // How many keys the project holds, and what they open, is in its settings: an info.
    severity: Severity::Info,
    summary: "`add_ssh_keys` without `fingerprints` gives the job every SSH key added to the project",
    explanation: include_str!("docs/ssh-keys-unscoped.md"),
    // CWE-250: execution with unnecessary privileges.
    category: super::Category::Security { cwe: 250, score: 30 },
    check: Some(check),
};

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    for scope in cx.scopes() {
        for (owner, step) in scope.config.all_steps() {
            let Some(name) = step.name.filter(|n| n.text == "add_ssh_keys") else {
                continue;
            };
            let scoped = step
                .args
                .and_then(|a| a.get("fingerprints"))
                .is_some_and(|f| !f.is_null());
            if scoped || !seen.insert(name.span) {
                continue;
            }
            out.push(
                SSH_KEYS_UNSCOPED
                    .at(
                        name.span,
                        format!(
                            "`add_ssh_keys` in {} names no `fingerprints`, so every SSH key added to the project is installed in the job",
                            owner.describe()
                        ),
                    )
                    .label("all of the project's keys")
                    .help("list the keys the job needs: `add_ssh_keys: { fingerprints: [\"SHA256:...\"] }` (the fingerprints are in the project's SSH key settings)"),
            );
        }
    }
}
