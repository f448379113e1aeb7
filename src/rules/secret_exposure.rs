//! `secret-exposure`: a `run` script that writes secrets to the job's log.
//!
//! CircleCI masks the values of project and context variables when they appear verbatim in
//! the log (values of four characters or more), but not what is derived from them (a
//! base64-encoded `user:token`, a token fetched at run time) nor short or multi-line values.
//! Reported:
//!
//! - shell tracing (`set -x`, `set -o xtrace`, a `shell:` with `-x`) in a script that reads a
//!   secret while tracing is on: every command is printed with its variables expanded;
//! - `printenv` or a bare `env`, which print every variable (runtime tokens included);
//! - `echo`/`printf` of a secret straight to the log (not into a pipe or a file).
//!
//! A secret is a variable named like a credential (`*_TOKEN`, `*_KEY`, `*PASSWORD*`...) that the
//! config does not set in plain text (so it comes from the project settings or a context).

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Confidence, Diagnostic, Severity};
use crate::base::span::Span;
use crate::config::model::env_vars;
use crate::lang::secrets::named_like_secret;
use crate::lang::shell::pipeline::{base_name, pipelines, program};
use crate::yaml::Node;
use std::collections::{HashMap, HashSet};

pub static SECRET_EXPOSURE: Rule = Rule {
    id: "secret-exposure",
    severity: Severity::Warning,
    summary: "a `run` script prints secrets to the log (`set -x` while reading one, `printenv`, `echo $TOKEN`)",
    explanation: include_str!("docs/secret-exposure.md"),
    // CWE-532: insertion of sensitive information into a log file.
    category: super::Category::Security { cwe: 532, score: 50 },
    check: Some(check),
};

/// The variables the config sets in plain text (`environment:` anywhere): not secrets.
fn set_in_config(cx: &Context) -> HashSet<String> {
    let mut out = HashSet::new();
    for scope in cx.scopes() {
        let cfg = scope.config;
        for env in cfg
            .jobs
            .iter()
            .map(|j| &j.env)
            .chain(cfg.executors.iter().map(|e| &e.env))
        {
            out.extend(env.env.iter().map(|v| v.name.text.to_string()));
            for d in &env.docker {
                out.extend(d.environment.iter().map(|v| v.name.text.to_string()));
            }
        }
        for (_, st) in cfg.all_steps() {
            if let Some(e) = st.args.and_then(|a| a.get("environment")) {
                out.extend(env_vars(e).iter().map(|v| v.name.text.to_string()));
            }
        }
    }
    out
}

/// Whether a variable's value is a secret worth keeping out of the log: named like a
/// credential, but not CircleCI's own variables (`CIRCLE_PROJECT_USERNAME`), a user name or
/// login, nor what only points at a secret (`*_ID`, `*_FILE`, `*_PATH`, `*_URL`, `*_NAME`).
fn holds_secret(name: &str) -> bool {
    if !named_like_secret(name) || crate::lang::env_builtins::is_builtin(name) {
        return false;
    }
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper.split('_').filter(|w| !w.is_empty()).collect();
    let pointer = matches!(
        words.last(),
        Some(&("ID" | "FILE" | "PATH" | "URL" | "NAME" | "DIR" | "USER" | "USERNAME" | "LOGIN" | "RESULT" | "STATUS" | "SET" | "EXISTS" | "LENGTH" | "LEN"))
    );
    let identity_only = words
        .iter()
        .all(|w| matches!(*w, "USERNAME" | "LOGIN" | "USER") || !named_like_secret(w));
    !pointer && !identity_only
}

/// Where tracing is on in a script: (from, to) byte ranges.
fn traced_ranges(text: &str, traced_from_start: bool) -> Vec<(usize, usize, Option<Span>)> {
    let mut out = Vec::new();
    let mut on: Option<(usize, Option<Span>)> = traced_from_start.then_some((0, None));
    for pipeline in pipelines(text) {
        for command in &pipeline {
            let Some((prog, at)) = program(command) else {
                continue;
            };
            if prog.text != "set" {
                continue;
            }
            let args = &command[at + 1..];
            let enables = args.iter().any(|w| {
                w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('x')
            }) || args.windows(2).any(|p| p[0].text == "-o" && p[1].text == "xtrace");
            let disables = args
                .iter()
                .any(|w| w.text.starts_with('+') && w.text.contains('x'))
                || args.windows(2).any(|p| p[0].text == "+o" && p[1].text == "xtrace");
            let span = Span::new(prog.span.start as usize, command.last().map_or(prog.span.end, |w| w.span.end) as usize);
            if enables && on.is_none() {
                on = Some((span.end as usize, Some(span)));
            } else if disables && let Some((from, at)) = on.take() {
                out.push((from, span.start as usize, at));
            }
        }
    }
    if let Some((from, at)) = on {
        out.push((from, text.len(), at));
    }
    out
}

/// Whether a `shell:` traces (`/bin/bash -eox pipefail`).
fn shell_traces(shell: Option<&str>) -> bool {
    shell.is_some_and(|s| {
        s.split_whitespace()
            .skip(1)
            .any(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('x'))
    })
}

/// A finding in a script's own coordinates, before it is placed in the file: the same script
/// text (a command that many jobs repeat) is analysed once.
enum Raw {
    /// Tracing (`at`: the `set -x`, `None`: the `shell:`) while the script reads secrets (the
    /// first and up to three more).
    Tracing {
        at: Option<Span>,
        reads: Vec<(Span, String)>,
    },
    /// A command that prints secrets or every variable.
    Print {
        at: Span,
        message: String,
        dump: bool,
    },
}

/// What a script (tracing from its start or not) exposes, in the order reported.
fn script_findings(text: &str, traced: bool, secret: &dyn Fn(&str) -> bool) -> Vec<Raw> {
    let facts = crate::lang::shell::analyze(text);
    // Names the script itself gives a value with nothing expanded in it (a word of the config,
    // `key="<< parameters.cache_key >>"`), and loop variables: not credentials.
    let mut plain: Vec<&str> = facts.loop_variables.iter().map(String::as_str).collect();
    for a in &facts.assignments {
        let word = a.span.slice(text);
        let literal = word
            .strip_prefix(a.name.as_str())
            .is_some_and(|rest| rest.starts_with('=') && !rest.contains(['$', '`']));
        if literal && !plain.contains(&a.name.as_str()) {
            plain.push(a.name.as_str());
        }
    }
    // Unless the same name is also set from something expanded.
    plain.retain(|n| {
        !facts
            .assignments
            .iter()
            .any(|a| a.name == *n && a.span.slice(text).contains(['$', '`']))
    });
    let secret = |name: &str| secret(name) && !plain.contains(&name);
    let secret: &dyn Fn(&str) -> bool = &secret;
    let mut out = Vec::new();
    let ranges = traced_ranges(text, traced);
    if !ranges.is_empty() {
        for (from, to, at) in ranges {
            let reads: Vec<(Span, String)> = facts
                .reads
                .iter()
                .filter(|r| (r.span.start as usize) >= from && (r.span.end as usize) <= to)
                .filter(|r| secret(&r.name))
                .take(4)
                .map(|r| (r.span, r.name.to_string()))
                .collect();
            if !reads.is_empty() {
                out.push(Raw::Tracing { at, reads });
            }
        }
    }
    for pipeline in pipelines(text) {
        for (i, command) in pipeline.iter().enumerate() {
            let Some((prog, at)) = program(command) else {
                continue;
            };
            let name = base_name(&prog.text);
            let args = &command[at + 1..];
            let last = i + 1 == pipeline.len();
            let redirected = args.iter().any(|w| w.text.contains('>'));
            let finding = match name {
                "printenv" if args.is_empty() || args.iter().any(|a| secret(&a.text)) => {
                    Some(format!(
                        "`{}` prints {} to the log: CircleCI masks project and context values printed verbatim, not tokens made at run time",
                        command.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" "),
                        if args.is_empty() { "every variable" } else { "a secret" }
                    ))
                }
                "env" if args.iter().all(|a| a.text.starts_with('-')) && last && !redirected => {
                    Some("`env` prints every variable to the log: CircleCI masks project and context values printed verbatim, not tokens made at run time".to_string())
                }
                "echo" | "printf" if last && !redirected => args
                    .iter()
                    .flat_map(|w| dollar_names(&w.text))
                    .find(|n| secret(n))
                    .map(|n| format!("`{name}` prints `{n}` to the log; CircleCI masks it only when it appears verbatim (not encoded, split or shorter than four characters)")),
                _ => None,
            };
            let Some(message) = finding else { continue };
            if name == "printenv" && !(args.is_empty() || last) {
                continue;
            }
            out.push(Raw::Print {
                at: Span::new(
                    prog.span.start as usize,
                    command.last().map_or(prog.span.end, |w| w.span.end) as usize,
                ),
                message,
                // A dump prints project and context values verbatim, which CircleCI masks:
                // what leaks is short values and tokens made at run time, which cilint cannot
                // see. A secret echoed by name is a mistake either way.
                dump: matches!(name, "env" | "printenv"),
            });
        }
    }
    out
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let plain = set_in_config(cx);
    let secret = |name: &str| holds_secret(name) && !plain.contains(name);
    let mut seen = HashSet::new();
    let mut analysed: HashMap<(&str, bool), Vec<Raw>> = HashMap::new();
    for scope in cx.scopes() {
        for (owner, step) in scope.config.all_steps() {
            let Some(node) = step.run_command() else {
                continue;
            };
            let Some(text) = node.as_str() else { continue };
            let shell = step
                .args
                .and_then(|a| a.get("shell"))
                .and_then(Node::as_str)
                .or_else(|| match owner {
                    crate::config::model::StepOwner::Job(j) => {
                        j.env.shell.and_then(Node::as_str)
                    }
                    _ => None,
                });
            if !crate::rules::env_vars::is_posix_shell(shell)
                || crate::lang::shell::looks_like_powershell(text)
            {
                continue;
            }
            let traced = shell_traces(shell);
            let found = analysed
                .entry((text, traced))
                .or_insert_with(|| script_findings(text, traced, &secret));
            let span = |s: Span| crate::lang::mustache::source_span(cx.source, node, s);
            for raw in found.iter() {
                match raw {
                    Raw::Tracing { at, reads } => {
                        let primary = at.map_or(node.use_span(), span);
                        if !seen.insert(primary) {
                            continue;
                        }
                        let (first_span, first) = &reads[0];
                        let mut d = SECRET_EXPOSURE
                            .at(
                                primary,
                                format!(
                                    "shell tracing is on while the script reads `{first}`: every command is printed with its variables expanded, and what is derived from a secret is not masked"
                                ),
                            )
                            .confidence(Confidence::Medium)
                            .label("tracing on")
                            .with_label(span(*first_span), format!("`{first}` read while tracing"));
                        for (s, name) in reads.iter().skip(1) {
                            d = d.with_label(span(*s), format!("`{name}` too"));
                        }
                        out.push(d.help("turn tracing off around the commands that use secrets (`set +x` ... `set -x`), or do not trace this script"));
                    }
                    Raw::Print { at, message, dump } => {
                        let at = span(*at);
                        if !seen.insert(at) {
                            continue;
                        }
                        out.push(
                            SECRET_EXPOSURE
                                .at(at, message.clone())
                                .severity(if *dump { Severity::Info } else { Severity::Warning })
                                .confidence(if *dump { Confidence::Low } else { Confidence::Medium })
                                .label("printed to the job's log")
                                .help("print only what is needed (`printenv PATH`), and never a secret; to check one is set, test it: `[ -n \"$TOKEN\" ] || exit 1`"),
                        );
                    }
                }
            }
        }
    }
}

/// The names of `$NAME` and `${NAME...}` references in a word.
fn dollar_names(word: &str) -> Vec<String> {
    let b = word.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let start = if b.get(i + 1) == Some(&b'{') { i + 2 } else { i + 1 };
            let end = b[start..]
                .iter()
                .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                .map_or(b.len(), |p| start + p);
            if end > start {
                out.push(word[start..end].to_string());
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::config::settings::Settings;

    fn found(script: &str) -> Vec<String> {
        let src = format!(
            "version: 2.1\njobs:\n  a:\n    docker: [{{image: cimg/base:2024.01}}]\n    environment:\n      PLAIN_TOKEN: not-a-secret\n    steps:\n      - run: |\n{}\nworkflows:\n  w:\n    jobs: [a]\n",
            script
                .lines()
                .map(|l| format!("          {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        crate::rules::env_vars::tests::run_rule(&super::SECRET_EXPOSURE, &src, &Settings::default())
            .iter()
            .map(|d| d.primary.span.slice(&src).to_string())
            .collect()
    }

    #[test]
    fn prints_of_secrets() {
        assert_eq!(found("set -x\ncurl -H \"Authorization: token $GH_TOKEN\" https://x"), ["set -x"]);
        assert_eq!(found("set -eux\necho ok\nset +x\ncurl -u \"$NPM_TOKEN\" x"), Vec::<String>::new());
        assert_eq!(found("printenv"), ["printenv"]);
        assert_eq!(found("env | sort"), Vec::<String>::new());
        assert_eq!(found("env"), ["env"]);
        assert_eq!(found("echo \"token: $API_TOKEN\""), ["echo \"token: $API_TOKEN\""]);
    }

    #[test]
    fn loop_variables_are_not_secrets() {
        let script = "for key in $(jq -r 'keys[]' s.json); do\n  echo \"$key is true\"\ndone";
        assert_eq!(found(script), Vec::<String>::new());
        let script = "for cache_key in a b; do echo \"Using $cache_key\"; done";
        assert_eq!(found(script), Vec::<String>::new());
        // A value written in the config is not a credential; one made at run time may be.
        let script = "cache_key=\"<< parameters.cache_key >>\"\necho \"Using $cache_key\"";
        assert_eq!(found(script), Vec::<String>::new());
        let script = "API_TOKEN=$(vault read -field=t secret/x)\necho \"$API_TOKEN\"";
        assert_eq!(found(script).len(), 1);
        // A secret echoed inside the loop still is one.
        let script = "for f in a b; do\n  echo \"$f $API_TOKEN\"\ndone";
        assert_eq!(found(script).len(), 1);
        let script = "for f in a b; do echo \"$f $API_TOKEN\"; done";
        assert_eq!(found(script).len(), 1);
        let script = "if true; then echo \"$API_TOKEN\"; fi";
        assert_eq!(found(script).len(), 1);
    }

    #[test]
    fn careful_scripts_are_quiet() {
        assert!(found("echo \"$DOCKER_PASSWORD\" | docker login -u x --password-stdin").is_empty());
        assert!(found("echo \"$SSH_KEY\" > key").is_empty());
        assert!(found("set -x\nmake test").is_empty());
        assert!(found("echo $PLAIN_TOKEN").is_empty());
        assert!(found("printenv PATH").is_empty());
        assert!(found("env FOO=1 make").is_empty());
    }
}
