//! Pipelines of a script, word by word: what a rule needs to see `curl ... | sh`. Commands are
//! split at newlines, `;`, `&`, `&&` and `||`, and pipelines at `|`; quotes and `\` escapes are
//! honoured (a `|` inside quotes is text), a line ending in `\` continues, and `#` starts a
//! comment at the start of a word. Substitutions (`$(...)`, `<(...)`) stay inside their word.

use crate::base::span::Span;

/// One word and where it is in the script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word with its quotes removed.
    pub text: String,
    pub span: Span,
}

/// One command of a pipeline: its words.
pub type Command = Vec<Word>;

/// The pipelines of `script`, each a list of commands joined by `|`.
pub fn pipelines(script: &str) -> Vec<Vec<Command>> {
    let b = script.as_bytes();
    let mut out: Vec<Vec<Command>> = Vec::new();
    let mut pipeline: Vec<Command> = Vec::new();
    let mut command: Command = Vec::new();
    let mut word = String::new();
    let mut start: Option<usize> = None;
    let mut i = 0;
    // Nesting of `$(`, `<(`, `(`: separators inside belong to the word.
    let mut depth = 0usize;
    let end_word =
        |word: &mut String, start: &mut Option<usize>, at: usize, command: &mut Command| {
            if let Some(s) = start.take() {
                command.push(Word {
                    text: std::mem::take(word),
                    span: Span::new(s, at),
                });
            }
        };
    while i < b.len() {
        let c = b[i];
        match c {
            b'\\' if i + 1 < b.len() => {
                if b[i + 1] == b'\n' {
                    i += 2; // line continuation
                    continue;
                }
                start.get_or_insert(i);
                let ch = script[i + 1..].chars().next().unwrap_or(' ');
                word.push(ch);
                i += 1 + ch.len_utf8();
                continue;
            }
            b'\'' | b'"' => {
                start.get_or_insert(i);
                let close = c;
                let mut j = i + 1;
                while j < b.len() && b[j] != close {
                    if close == b'"' && b[j] == b'\\' && j + 1 < b.len() {
                        j += 1;
                    }
                    j += 1;
                }
                word.push_str(&script[i + 1..j.min(b.len())]);
                i = (j + 1).min(b.len());
                continue;
            }
            b'(' => {
                depth += 1;
                start.get_or_insert(i);
                word.push('(');
            }
            b')' if depth > 0 => {
                depth -= 1;
                word.push(')');
            }
            b'#' if start.is_none() && depth == 0 => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b' ' | b'\t' | b'\r' if depth == 0 => end_word(&mut word, &mut start, i, &mut command),
            b'|' if depth == 0 && b.get(i + 1) != Some(&b'|') => {
                end_word(&mut word, &mut start, i, &mut command);
                pipeline.push(std::mem::take(&mut command));
                if b.get(i + 1) == Some(&b'&') {
                    i += 1;
                }
            }
            // A pipeline goes on after a `|` that ends a line.
            b'\n'
                if depth == 0 && start.is_none() && command.is_empty() && !pipeline.is_empty() => {}
            b'\n' | b';' | b'&' | b'|' if depth == 0 => {
                end_word(&mut word, &mut start, i, &mut command);
                if !command.is_empty() {
                    pipeline.push(std::mem::take(&mut command));
                }
                if !pipeline.is_empty() {
                    out.push(std::mem::take(&mut pipeline));
                }
                if matches!(c, b'&' | b'|') && b.get(i + 1) == Some(&c) {
                    i += 1;
                }
            }
            _ => {
                start.get_or_insert(i);
                let ch = script[i..].chars().next().unwrap_or(' ');
                word.push(ch);
                i += ch.len_utf8();
                continue;
            }
        }
        i += 1;
    }
    end_word(&mut word, &mut start, b.len(), &mut command);
    if !command.is_empty() {
        pipeline.push(command);
    }
    if !pipeline.is_empty() {
        out.push(pipeline);
    }
    out
}

/// The program a command runs: its first word after `sudo` (and its options), `env`,
/// `command`, `exec`, `time`, the reserved words a command follows (`do`, `then`, `if`...)
/// and leading `NAME=value` assignments, with any path removed.
pub fn program(command: &[Word]) -> Option<(&Word, usize)> {
    let mut i = 0;
    while let Some(w) = command.get(i) {
        let t = w.text.as_str();
        let is_assignment = t.split_once('=').is_some_and(|(n, _)| {
            !n.is_empty() && n.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
        });
        // Reserved words that a command follows on the same line (`do echo ...`,
        // `then curl ...`, `! grep ...`) are not the program either.
        let wrapper = matches!(
            t,
            "sudo"
                | "env"
                | "command"
                | "exec"
                | "time"
                | "nohup"
                | "do"
                | "then"
                | "else"
                | "elif"
                | "if"
                | "while"
                | "until"
                | "{"
                | "!"
        );
        // (A wrapper with nothing after it is the program: a bare `env` prints the environment.)
        if (wrapper && i + 1 < command.len())
            || is_assignment
            || (i > 0 && t.starts_with('-') && command[..i].iter().any(|p| p.text == "sudo"))
        {
            i += 1;
            continue;
        }
        return Some((w, i));
    }
    None
}

/// The base name of a program: `/usr/bin/bash` → `bash`.
pub fn base_name(word: &str) -> &str {
    word.rsplit(['/', '\\']).next().unwrap_or(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(script: &str) -> Vec<Vec<Vec<String>>> {
        pipelines(script)
            .into_iter()
            .map(|p| {
                p.into_iter()
                    .map(|c| c.into_iter().map(|w| w.text).collect())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn any_text_splits_without_panicking() {
        for script in [
            "\\é|sh",
            "'unclosed | x",
            "\"a\\",
            "$(|)\n|",
            "é\\",
            "((((",
            "))) | |",
        ] {
            let _ = pipelines(script);
        }
        assert_eq!(
            texts("echo \\é | sh"),
            vec![vec![vec!["echo", "é"], vec!["sh"]]]
        );
    }

    #[test]
    fn splits_pipelines_and_words() {
        assert_eq!(
            texts("curl -sSf https://x | sh -s -- -y\necho 'a | b' && ls"),
            vec![
                vec![
                    vec!["curl", "-sSf", "https://x"],
                    vec!["sh", "-s", "--", "-y"]
                ],
                vec![vec!["echo", "a | b"]],
                vec![vec!["ls"]],
            ]
        );
        assert_eq!(
            texts("curl -L \\\n  https://x |\n  bash"),
            vec![vec![vec!["curl", "-L", "https://x"], vec!["bash"]]]
        );
        assert_eq!(
            texts("bash <(curl -s https://x) # comment | sh"),
            vec![vec![vec!["bash", "<(curl -s https://x)"]]]
        );
        let p = &pipelines("a || b")[..];
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn programs_behind_sudo_and_assignments() {
        let p = pipelines("sudo -E FOO=1 /bin/bash -s");
        let (w, _) = program(&p[0][0]).unwrap();
        assert_eq!(base_name(&w.text), "bash");
    }
}
