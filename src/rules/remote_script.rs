//! `remote-script`: a script downloaded and run in one go, or a download with TLS checks off.
//!
//! `curl https://... | sh` runs whatever the server (or anyone between it and the job, or
//! whoever takes over the domain) sends, in a job that holds the project's secrets, with no
//! version and no checksum. Forms recognised: a downloader (`curl`, `wget` writing to stdout,
//! PowerShell's `iwr`/`irm`/`Invoke-WebRequest`) piped into a shell or interpreter (`sh`,
//! `bash`, `zsh`, `python`, `perl`, `ruby`, `node`, `iex`), `bash <(curl ...)`,
//! `sh -c "$(curl ...)"`, `eval "$(curl ...)"`, `iex (...DownloadString(...))`; and downloads
//! that skip certificate checks (`curl -k`/`--insecure`, `wget --no-check-certificate`).

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::span::Span;
use crate::lang::shell::pipeline::{Word, base_name, pipelines, program};
use crate::yaml::Node;
use regex::Regex;
use std::collections::HashSet;
use std::sync::OnceLock;

pub static REMOTE_SCRIPT: Rule = Rule {
    id: "remote-script",
    severity: Severity::Warning,
    summary: "a script is downloaded and run in one go (`curl ... | sh`), or downloaded with TLS checks off",
    explanation: include_str!("docs/remote-script.md"),
    // CWE-494: download of code without integrity check.
    category: super::Category::Security { cwe: 494, score: 65 },
    check: Some(check),
};

const DOWNLOADERS: &[&str] = &[
    "curl", "wget", "iwr", "irm", "invoke-webrequest", "invoke-restmethod",
];
const RUNNERS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ksh", "ash", "fish", "python", "python2", "python3", "perl",
    "ruby", "node", "php", "iex", "invoke-expression", "pwsh", "powershell",
];

/// Whether a `wget` command writes what it downloads to stdout (what a pipe needs).
fn wget_to_stdout(words: &[Word]) -> bool {
    words.iter().enumerate().any(|(i, w)| {
        let t = w.text.as_str();
        t == "--output-document=-"
            || t == "-O-"
            || (t.starts_with('-') && !t.starts_with("--") && t.ends_with("O-"))
            || ((t == "-O" || (t.starts_with('-') && !t.starts_with("--") && t.ends_with('O')))
                && words.get(i + 1).is_some_and(|n| n.text == "-" || n.text == "/dev/stdout"))
    })
}

fn substitution_forms() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r#"(?i)(?:(?:\b(?:ba|z|k|da)?sh|\bsource|(?:^|[\s;&|])\.)\s+<\(\s*(?:curl|wget)\b"#,
            r#"|\b(?:(?:ba|z|k|da)?sh\s+-c|eval)\s+["']?\$\(\s*(?:curl|wget)\b"#,
            r#"|\b(?:iex|invoke-expression)\b[^\n|]*\bdownloadstring\s*\()"#
        ))
        .expect("valid regex")
    })
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen: HashSet<Span> = HashSet::new();
    for scope in cx.scopes() {
        for (_, step) in scope.config.all_steps() {
            let Some(node) = step.run_command() else {
                continue;
            };
            let Some(text) = node.as_str() else { continue };
            for d in script_findings(cx, node, text) {
                if seen.insert(d.primary.span) {
                    out.push(d);
                }
            }
        }
    }
}

fn script_findings(cx: &Context, node: &Node, text: &str) -> Vec<Diagnostic> {
    let lower = text.to_ascii_lowercase();
    if !["curl", "wget", "iwr", "irm", "invoke-"]
        .iter()
        .any(|d| lower.contains(d))
    {
        return Vec::new();
    }
    let span = |s: Span| crate::lang::mustache::source_span(cx.source, node, s);
    let mut out = Vec::new();
    for pipeline in pipelines(text) {
        // A downloader piped into a runner.
        for pair in pipeline.windows(2) {
            let (Some((dl, _)), Some((run, _))) = (program(&pair[0]), program(&pair[1])) else {
                continue;
            };
            let dl_name = base_name(&dl.text).to_ascii_lowercase();
            let run_name = base_name(&run.text).to_ascii_lowercase();
            let run_name = run_name.trim_end_matches(".exe");
            if !DOWNLOADERS.contains(&dl_name.as_str()) || !RUNNERS.contains(&run_name) {
                continue;
            }
            if dl_name == "wget" && !wget_to_stdout(&pair[0]) {
                continue;
            }
            let at = span(Span::new(dl.span.start as usize, run.span.end as usize));
            out.push(
                REMOTE_SCRIPT
                    .at(
                        at,
                        format!(
                            "`{dl_name} ... | {run_name}` runs a script straight from the network: whatever the server sends runs in this job, with its secrets"
                        ),
                    )
                    .label("downloaded and run in one go")
                    .help(pinned_help()),
            );
        }
        // TLS checks off.
        for command in &pipeline {
            let Some((prog, at)) = program(command) else {
                continue;
            };
            let name = base_name(&prog.text).to_ascii_lowercase();
            for w in &command[at + 1..] {
                let t = w.text.as_str();
                let insecure = match name.as_str() {
                    "curl" => {
                        t == "--insecure"
                            || (t.starts_with('-')
                                && !t.starts_with("--")
                                && t.len() > 1
                                && t[1..].bytes().all(|c| c.is_ascii_alphabetic())
                                && t[1..].contains('k'))
                    }
                    "wget" => t == "--no-check-certificate",
                    _ => false,
                };
                if insecure {
                    out.push(
                        REMOTE_SCRIPT
                            .at(
                                span(w.span),
                                format!(
                                    "`{name} {t}` turns off TLS certificate checks: anyone on the network path can change what is downloaded"
                                ),
                            )
                            .label("certificate checks off")
                            .help("remove the flag; if the server's certificate is not trusted, add its CA to the image (or pass `--cacert FILE`) instead"),
                    );
                }
            }
        }
    }
    for m in substitution_forms().find_iter(text) {
        out.push(
            REMOTE_SCRIPT
                .at(
                    span(Span::new(m.start(), m.end())),
                    "a script is downloaded and run in one go: whatever the server sends runs in this job, with its secrets",
                )
                .label("downloaded and run in one go")
                .help(pinned_help()),
        );
    }
    out
}

fn pinned_help() -> &'static str {
    "download a pinned version to a file, check its checksum (`sha256sum -c`), then run it; or use a package manager, a docker image or an orb that pins the tool"
}

#[cfg(test)]
mod tests {
    use crate::base::diagnostic::Diagnostic;
    use crate::config::settings::Settings;

    fn found(script: &str) -> Vec<String> {
        let src = format!(
            "version: 2.1\njobs:\n  a:\n    docker: [{{image: cimg/base:2024.01}}]\n    steps:\n      - run: |\n{}\nworkflows:\n  w:\n    jobs: [a]\n",
            script
                .lines()
                .map(|l| format!("          {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let d: Vec<Diagnostic> =
            crate::rules::env_vars::tests::run_rule(&super::REMOTE_SCRIPT, &src, &Settings::default());
        d.iter().map(|d| d.primary.span.slice(&src).to_string()).collect()
    }

    #[test]
    fn download_and_run() {
        assert_eq!(found("curl https://sh.rustup.rs -sSf | sh -s -- -y"), ["curl https://sh.rustup.rs -sSf | sh"]);
        assert_eq!(found("wget -qO- https://x/i.sh | sudo bash"), ["wget -qO- https://x/i.sh | sudo bash"]);
        assert_eq!(found("bash <(curl -fsSL https://x/i.sh)").len(), 1);
        assert_eq!(found("sh -c \"$(curl -fsSL https://x/i.sh)\"").len(), 1);
        assert_eq!(found("iwr https://x/i.ps1 -UseBasicParsing | iex").len(), 1);
        assert_eq!(found("curl -sSLk https://x/a.tgz -o a.tgz"), ["-sSLk"]);
        assert_eq!(found("wget --no-check-certificate https://x/a"), ["--no-check-certificate"]);
    }

    #[test]
    fn careful_downloads_are_fine() {
        assert!(found("curl -fsSLo tool.sh https://x/v1.2/tool.sh\necho 'abc  tool.sh' | sha256sum -c\nsh tool.sh").is_empty());
        assert!(found("wget https://x/a.tgz && tar xzf a.tgz").is_empty());
        assert!(found("curl -s https://api/x | jq .name").is_empty());
        assert!(found("echo 'curl x | sh' > notes.txt").is_empty());
        assert!(found("curl -X POST https://hooks/x -d @payload.json").is_empty());
    }
}
