//! Running `shellcheck` on the `run` scripts of a config.
//!
//! Each script is given to shellcheck in `-f json1 -s <dialect>` mode, with CircleCI's
//! `<< ... >>` references replaced by underscores of the same length first (so columns stay
//! where they are and the script stays valid shell). Findings come back as 1-based line and
//! character columns in the script; they are mapped to the exact place inside the YAML scalar
//! with [`ScalarMap`]. Scripts are checked many at a time by a [`Checker`] ([`batch`]), which
//! remembers every answer, checks each distinct script once and can keep the answers on disk
//! between runs ([`cache`]); each shellcheck process gets a time limit.
//!
//! Codes that only the placeholders or the lack of context cause are not reported: SC2154
//! (variable referenced but not assigned: `undefined-env-var` says it better, knowing the
//! config), SC1090 and SC1091 (a sourced file that cannot be followed, such as `$BASH_ENV`),
//! and, on lines with a placeholder, the "constant expression" family ([`PLACEHOLDER_CODES`]).
//!
//! The library never looks for the binary by itself: [`Settings::shellcheck`] names it (the
//! command line resolves it from `PATH` or `--shellcheck PATH`, see [`find_on_path`]).
//!
//! [`Settings::shellcheck`]: crate::config::settings::Settings::shellcheck

pub mod batch;
pub mod cache;

pub use batch::Checker;

use crate::base::diagnostic::Severity;
use crate::base::span::Span;
use crate::yaml::Node;
use crate::yaml::scalar_map::ScalarMap;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Codes never reported (see the module documentation).
pub const SKIPPED_CODES: &[u32] = &[1090, 1091, 2154];

/// Codes not reported on a line with a `<< ... >>` placeholder: a constant expression or an
/// always-true test there is the parameter, which shellcheck cannot see.
pub const PLACEHOLDER_CODES: &[u32] = &[2050, 2078, 2157, 2158, 2159, 2160, 2161, 2193, 2194];

/// How long one shellcheck run may take.
const TIME_LIMIT: Duration = Duration::from_secs(20);

/// The `shellcheck` executable on `PATH`, if there is one.
pub fn find_on_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["shellcheck", "shellcheck.exe"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The shellcheck dialect for a `shell:` value (`None`: CircleCI's default, bash); `None` when
/// shellcheck cannot check that shell (zsh, PowerShell, Python...).
pub fn dialect(shell: Option<&str>) -> Option<&'static str> {
    let Some(s) = shell else { return Some("bash") };
    let prog = s.split_whitespace().next().unwrap_or("");
    let base = prog.rsplit(['/', '\\']).next().unwrap_or(prog);
    let base = base.trim_end_matches(".exe").to_ascii_lowercase();
    let base = if base == "env" {
        s.split_whitespace()
            .nth(1)
            .unwrap_or("")
            .to_ascii_lowercase()
    } else {
        base
    };
    match base.as_str() {
        "bash" => Some("bash"),
        "sh" | "ash" => Some("sh"),
        "dash" => Some("dash"),
        "ksh" => Some("ksh"),
        _ => None,
    }
}

/// One finding of shellcheck, in script coordinates.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    pub line: usize,
    pub end_line: usize,
    pub column: usize,
    pub end_column: usize,
    pub level: String,
    pub code: u32,
    pub message: String,
}

#[derive(Deserialize)]
struct Output {
    comments: Vec<Comment>,
}

impl Comment {
    /// shellcheck's level as a severity: `error` and `warning` are warnings (a config that
    /// CircleCI accepts never gets an error from a script lint), `info` and `style` are info.
    pub fn severity(&self) -> Severity {
        match self.level.as_str() {
            _ if ADVISORY_CODES.contains(&self.code) => Severity::Info,
            "error" | "warning" => Severity::Warning,
            _ => Severity::Info,
        }
    }
}

/// Replace `<< ... >>` references by underscores of the same length, and CircleCI's escape
/// `\<<` (a literal `<<`) by ` <<`, what the shell receives.
pub fn with_placeholders(script: &str) -> String {
    let mut out = script.replace("\\<<", " <<");
    for sp in crate::lang::shell::placeholder_spans(script)
        .into_iter()
        .rev()
    {
        let len = sp.len();
        out.replace_range(sp.range(), &"_".repeat(len));
    }
    out
}

/// Run shellcheck on one script, given on standard input.
pub fn run(bin: &Path, script: &str, dialect: &str) -> Result<Vec<Comment>, String> {
    let mut cmd = Command::new(bin);
    cmd.args(["-f", "json1", "-s", dialect, "-"]);
    let (_, out) = run_limited(cmd, Some(script.as_bytes().to_vec()), TIME_LIMIT)?;
    let parsed: Output = serde_json::from_slice(&out).map_err(|e| format!("bad output: {e}"))?;
    Ok(parsed.comments)
}

/// Run a command (its standard input `input`, if any) within a time limit: its exit code
/// (`None`: ended by a signal) and standard output.
pub(crate) fn run_limited(
    mut cmd: Command,
    input: Option<Vec<u8>>,
    limit: Duration,
) -> Result<(Option<i32>, Vec<u8>), String> {
    let mut child = cmd
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", cmd.get_program().to_string_lossy()))?;
    let writer = match (input, child.stdin.take()) {
        (Some(input), Some(mut stdin)) => Some(std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        })),
        _ => None,
    };
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("shellcheck took too long".into());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(e.to_string()),
        }
    };
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    let out = reader.join().map_err(|_| "reader failed".to_string())?;
    Ok((status.code(), out))
}

/// A script to check: its scalar node and the dialect.
#[derive(Clone, Copy, Debug)]
pub struct Script<'a> {
    pub node: &'a Node,
    pub dialect: &'static str,
    /// The shell stops at the first failing command (CircleCI's default `/bin/bash -eo
    /// pipefail`, or a `shell:` with `-e`): SC2164 (`cd` without `|| exit`) is moot then.
    pub errexit: bool,
}

/// Whether a `shell:` value (`None`: CircleCI's default `/bin/bash -eo pipefail`) exits on the
/// first failing command.
pub fn errexit(shell: Option<&str>) -> bool {
    shell.is_none_or(|s| {
        s.split_whitespace()
            .skip(1)
            .any(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('e'))
    })
}

/// Codes shellcheck rates `warning` that CI scripts mostly trigger on purpose: SC2046 (an
/// unquoted `$(...)`), where splitting is the point (`$(circleci tests split ...)`, a list of
/// optional arguments) or harmless (one SHA, one id). Reported as infos.
const ADVISORY_CODES: &[u32] = &[2046];

/// Codes that say a failing command goes unnoticed: moot when the shell exits on failure.
const ERREXIT_CODES: &[u32] = &[2164];

/// A shellcheck finding placed in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub span: Span,
    pub comment: Comment,
}

/// Check the scripts (all at once, see [`Checker::prepare`]); findings in script order, per
/// script in shellcheck's order.
pub fn check_scripts(checker: &Checker, src: &str, scripts: &[Script]) -> Vec<Finding> {
    let texts: Vec<Option<String>> = scripts
        .iter()
        .map(|s| s.node.as_str().map(with_placeholders))
        .collect();
    let asked: Vec<(&str, &'static str)> = scripts
        .iter()
        .zip(&texts)
        .filter_map(|(s, t)| Some((t.as_deref()?, s.dialect)))
        .collect();
    checker.prepare(&asked);
    let mut out = Vec::new();
    for (s, script) in scripts.iter().zip(&texts) {
        let (Some(text), Some(script)) = (s.node.as_str(), script) else {
            continue;
        };
        let found = map_comments(text, script, &checker.answer(script, s.dialect));
        if found.is_empty() {
            continue;
        }
        let map = ScalarMap::new(src, s.node);
        for (a, b, comment) in found {
            if s.errexit && ERREXIT_CODES.contains(&comment.code) {
                continue;
            }
            let span = match (&map, s.node.alias) {
                (Some(m), None) => m.span(a, b),
                _ => s.node.use_span(),
            };
            out.push(Finding { span, comment });
        }
    }
    out
}

/// Check one script text (its `<< ... >>` tags made placeholders); each finding with the byte
/// range of `text` it is about.
pub fn check_text(
    checker: &Checker,
    text: &str,
    dialect: &'static str,
) -> Vec<(usize, usize, Comment)> {
    let script = with_placeholders(text);
    map_comments(text, &script, &checker.answer(&script, dialect))
}

/// shellcheck's comments on `script` (`text` with its placeholders) as byte ranges of `text`,
/// without the codes that are never reported or that the placeholders cause.
fn map_comments(text: &str, script: &str, answer: &batch::Answer) -> Vec<(usize, usize, Comment)> {
    let Some(comments) = answer else {
        return Vec::new();
    };
    if comments.is_empty() {
        return Vec::new();
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(script.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let offset = |line: usize, col: usize| -> Option<usize> {
        let start = *line_starts.get(line.checked_sub(1)?)?;
        let rest = &script[start..];
        let line_text = &rest[..rest.find('\n').unwrap_or(rest.len())];
        let col = col.checked_sub(1)?;
        Some(
            start
                + line_text
                    .char_indices()
                    .nth(col)
                    .map_or(line_text.len(), |(i, _)| i),
        )
    };
    let placeholders = crate::lang::shell::placeholder_spans(text);
    comments
        .iter()
        .filter(|c| !SKIPPED_CODES.contains(&c.code))
        .filter_map(|c| {
            let a = offset(c.line, c.column)?;
            let mut b = offset(c.end_line, c.end_column).unwrap_or(a).max(a);
            if b == a {
                // Point at one character at least.
                b = a + script[a..].chars().next().map_or(0, char::len_utf8);
            }
            if PLACEHOLDER_CODES.contains(&c.code) {
                let line_start = script[..a].rfind('\n').map_or(0, |i| i + 1);
                let line_end = script[a..].find('\n').map_or(script.len(), |i| a + i);
                if placeholders
                    .iter()
                    .any(|p| (p.start as usize) < line_end && line_start < p.end as usize)
                {
                    return None;
                }
            }
            // Findings about a placeholder itself come from the substitution, not the script.
            if placeholders
                .iter()
                .any(|p| (p.start as usize) <= a && b <= p.end as usize && a < b)
            {
                return None;
            }
            Some((a, b, c.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errexit_shells() {
        assert!(errexit(None));
        assert!(errexit(Some("/bin/bash -eo pipefail")));
        assert!(errexit(Some("bash -euxo pipefail")));
        assert!(!errexit(Some("/bin/bash")));
        assert!(!errexit(Some("sh -x")));
        assert_eq!(with_placeholders("cat \\<<EOF"), "cat  <<EOF");
    }

    #[test]
    fn dialects() {
        assert_eq!(dialect(None), Some("bash"));
        assert_eq!(dialect(Some("/bin/bash -eo pipefail")), Some("bash"));
        assert_eq!(dialect(Some("/bin/sh")), Some("sh"));
        assert_eq!(dialect(Some("/usr/bin/env bash")), Some("bash"));
        assert_eq!(dialect(Some("powershell.exe")), None);
        assert_eq!(dialect(Some("python3")), None);
        assert_eq!(dialect(Some("zsh")), None);
    }

    #[test]
    fn placeholders_keep_length() {
        let s = "cd << parameters.dir >> && echo <<pipeline.git.branch>>";
        let p = with_placeholders(s);
        assert_eq!(p.len(), s.len());
        assert!(!p.contains('<'));
        assert_eq!(&p[..3], "cd ");
    }

    #[test]
    fn severities() {
        let c = |level: &str| Comment {
            line: 1,
            end_line: 1,
            column: 1,
            end_column: 1,
            level: level.into(),
            code: 1,
            message: String::new(),
        };
        assert_eq!(c("error").severity(), Severity::Warning);
        assert_eq!(c("warning").severity(), Severity::Warning);
        assert_eq!(c("info").severity(), Severity::Info);
        assert_eq!(c("style").severity(), Severity::Info);
    }

    /// With shellcheck installed (CI installs it), findings land on the exact characters.
    #[test]
    fn real_shellcheck_maps_into_the_block_scalar() {
        let Some(bin) = find_on_path() else {
            eprintln!("shellcheck not installed: skipped");
            return;
        };
        let src = "run: |\n  cd << parameters.dir >>\n  echo $1 $UNSET\n";
        let doc = crate::yaml::parse(src);
        let node = doc.root.as_ref().and_then(|r| r.get("run")).expect("run");
        let found = check_scripts(
            &Checker::new(&bin, None),
            src,
            &[Script {
                node,
                dialect: "bash",
                errexit: false,
            }],
        );
        let codes: Vec<(u32, &str)> = found
            .iter()
            .map(|f| (f.comment.code, f.span.slice(src)))
            .collect();
        assert!(
            codes.contains(&(2164, "cd << parameters.dir >>")),
            "{codes:?}"
        );
        assert!(codes.contains(&(2086, "$1")), "{codes:?}");
        assert!(!codes.iter().any(|(c, _)| *c == 2154));
    }
}
