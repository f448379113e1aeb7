//! `secret-in-url` and `hardcoded-secret`: credentials where they leak.

use super::Rule;
use crate::analysis::context::Context;
use crate::base::diagnostic::{Confidence, Diagnostic, Severity};
use crate::base::span::Span;
use crate::lang::secrets::{self, UrlPart};
use crate::yaml::scalar_map::ScalarMap;
use crate::yaml::{Node, Value};
use std::collections::HashSet;

pub static SECRET_IN_URL: Rule = Rule {
    id: "secret-in-url",
    severity: Severity::Warning,
    summary: "a variable is put into a URL's credentials or query string, where logs and process lists show it",
    explanation: include_str!("docs/secret-in-url.md"),
    // CWE-598: use of GET request method with sensitive query strings (and credentials in URLs).
    category: super::Category::Security { cwe: 598, score: 50 },
    check: Some(check_urls),
};

pub static HARDCODED_SECRET: Rule = Rule {
    id: "hardcoded-secret",
    // CircleCI runs the config: a warning, the highest-scored one in SARIF.
    severity: Severity::Warning,
    summary: "a literal credential (token, access key, private key, password) is written in the config",
    explanation: include_str!("docs/hardcoded-secret.md"),
    // CWE-798: use of hard-coded credentials.
    category: super::Category::Security { cwe: 798, score: 85 },
    check: Some(check_hardcoded),
};

fn map_span(cx: &Context, node: &Node, start: usize, end: usize) -> Span {
    if node.alias.is_some() {
        return node.use_span();
    }
    ScalarMap::new(cx.source, node).map_or(node.span, |m| m.span(start, end))
}

fn check_urls(cx: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen: HashSet<(Span, String)> = HashSet::new();
    for scope in cx.scopes() {
        for (_, st) in scope.config.all_steps() {
            let mut texts: Vec<&Node> = Vec::new();
            if let Some(cmd) = st.run_command() {
                texts.push(cmd);
            } else if !st.is_builtin() {
                texts.extend(st.arguments().into_iter().map(|a| a.value));
            }
            for node in texts {
                let Some(text) = node.as_str() else { continue };
                if !text.contains("://") {
                    continue;
                }
                for u in secrets::find_url_secrets(text) {
                    let span = map_span(cx, node, u.range.start, u.range.end);
                    if !seen.insert((span, u.var.clone())) {
                        continue;
                    }
                    let (msg, label) = match &u.part {
                        UrlPart::Credentials => (
                            format!(
                                "`{}` is written into the credentials of a URL, where logs, process lists and shell history show it",
                                u.var
                            ),
                            "secret in the URL's credentials".to_string(),
                        ),
                        UrlPart::Query(p) => (
                            format!(
                                "`{}` is put into a URL's query string (`{p}=`), where logs, process lists and shell history show it",
                                u.var
                            ),
                            format!("secret in the `{p}` query parameter"),
                        ),
                    };
                    let help = match &u.part {
                        UrlPart::Credentials => {
                            "pass the credential another way: a git credential helper or `~/.netrc` written from the variable, or a tool's own login command".to_string()
                        }
                        UrlPart::Query(_) => format!(
                            "send it in a header instead (for example `curl -H \"Authorization: Bearer ${}\"` or the API's key header), if the service accepts one",
                            u.var
                        ),
                    };
                    let d = SECRET_IN_URL.at(span, msg).label(label).help(help);
                    // A token in a URL's credentials (`https://$TOKEN@host/...`) is the common
                    // way to push from a job; CircleCI masks project and context values in the
                    // step's output, so what is left is the process list of a short-lived
                    // machine: worth knowing, not a warning. A query string also ends up in the
                    // logs of every proxy and server on the way, which masking cannot reach.
                    let d = match u.part {
                        UrlPart::Credentials => d.severity(Severity::Info),
                        UrlPart::Query(_) => d,
                    };
                    out.push(d);
                }
            }
        }
    }
}

fn check_hardcoded(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(root) = cx.doc.root.as_ref() else {
        return;
    };
    let mut stack: Vec<&Node> = vec![root];
    while let Some(node) = stack.pop() {
        if node.alias.is_some() {
            continue;
        }
        match &node.value {
            Value::Scalar(s) => {
                for m in secrets::find_secrets(&s.text) {
                    let span = map_span(cx, node, m.range.start, m.range.end);
                    out.push(
                        HARDCODED_SECRET
                            .at(
                                span,
                                format!("{} {} is written in the config: {}", if m.kind.starts_with(['A', 'E', 'I', 'O', 'U']) { "an" } else { "a" }, m.kind, m.excerpt),
                            )
                            // A key id alone is half of a key pair: likely, not certainly, a leak.
                            .confidence(if m.kind == "AWS access key id" { Confidence::Medium } else { Confidence::High })
                            .label(format!("{} here", m.kind))
                            .help("revoke it now (it is in the repository's history), store the new one as a project or context environment variable and read it as `$NAME`"),
                    );
                }
            }
            Value::Seq(items) => stack.extend(items.iter().rev()),
            Value::Map(pairs) => {
                for (k, v) in pairs.iter().rev() {
                    stack.push(v);
                    stack.push(k);
                }
            }
        }
    }
    out.sort_by_key(|d| d.primary.span);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::settings::Settings;
    use crate::rules::env_vars::tests::run_rule;

    #[test]
    fn urls_in_run_steps_and_arguments() {
        let src = "version: 2.1\norbs:\n  newman: postman/newman@1.0.0\njobs:\n  deploy:\n    docker: [{image: cimg/base:2024.01}]\n    steps:\n      - run:\n          command: |\n            git push https://heroku:$HEROKU_API_KEY@git.heroku.com/$APP.git main\n      - newman/newman-run:\n          collection: https://api.getpostman.com/collections/1?apikey=$POSTMAN_API_KEY\n";
        let found = run_rule(&SECRET_IN_URL, src, &Settings::default());
        let spans: Vec<&str> = found.iter().map(|d| d.primary.span.slice(src)).collect();
        assert_eq!(spans, vec!["$HEROKU_API_KEY", "$POSTMAN_API_KEY"]);
        assert!(found[1].message.contains("query string (`apikey=`)"));
    }

    #[test]
    fn literal_secrets_are_masked() {
        let token = format!("ghp_{}", "aB3d".repeat(9));
        let src = format!(
            "version: 2.1\njobs:\n  a:\n    docker: [{{image: cimg/base:2024.01}}]\n    environment:\n      GITHUB_TOKEN: {token}\n    steps:\n      - run: echo $GITHUB_TOKEN\n"
        );
        let found = run_rule(&HARDCODED_SECRET, &src, &Settings::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].primary.span.slice(&src), token);
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(!found[0].message.contains(&token[4..]));
        assert!(found[0].message.contains("ghp_… (40 characters)"));
    }

    #[test]
    fn variables_are_not_literal_secrets() {
        let src = "version: 2.1\njobs:\n  a:\n    docker: [{image: cimg/base:2024.01}]\n    steps:\n      - run: git clone https://user:$TOKEN@github.com/o/r\n";
        assert!(run_rule(&HARDCODED_SECRET, src, &Settings::default()).is_empty());
    }
}
