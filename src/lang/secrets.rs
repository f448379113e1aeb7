//! Secrets in config text: literal credentials (`hardcoded-secret`) and variables interpolated
//! into a URL's credentials or query string (`secret-in-url`).
//!
//! The literal patterns are the well-known, prefixed token formats (AWS access key ids, GitHub,
//! GitLab, Slack, Stripe and npm tokens, private key blocks) plus passwords written into URLs.
//! They are chosen for few false positives: documentation example keys, placeholders,
//! `$VAR`/`${VAR}`/`<< parameters.x >>` references and throwaway credentials for local service
//! containers (`postgres://user:pass@localhost`) are not reported.

use regex::Regex;
use std::ops::Range;
use std::sync::OnceLock;

/// A literal credential found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretMatch {
    /// What kind of credential ("AWS access key id", "GitHub token"...).
    pub kind: &'static str,
    /// Byte range of the secret in the text.
    pub range: Range<usize>,
    /// A masked excerpt: the first four characters and the length, never the whole secret.
    pub excerpt: String,
}

/// The first four characters of a secret and its length: `ghp_… (40 characters)`.
pub fn mask(secret: &str) -> String {
    let head: String = secret.chars().take(4).collect();
    format!("{head}… ({} characters)", secret.chars().count())
}

struct Pattern {
    kind: &'static str,
    re: Regex,
}

fn patterns() -> &'static [Pattern] {
    static P: OnceLock<Vec<Pattern>> = OnceLock::new();
    P.get_or_init(|| {
        let p = |kind, re: &str| Pattern {
            kind,
            re: Regex::new(re).expect("valid regex"),
        };
        vec![
            p("AWS access key id", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
            p("GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
            p(
                "GitHub fine-grained token",
                r"\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b",
            ),
            p("GitLab token", r"\bglpat-[A-Za-z0-9_\-]{20,}"),
            p("Slack token", r"\bxox[abpr]-[0-9]{6,}-[0-9A-Za-z\-]{8,}"),
            p(
                "Slack webhook URL",
                r"https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{16,}",
            ),
            p("Stripe key", r"\b[sr]k_live_[0-9A-Za-z]{16,}"),
            p("npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
            p(
                "private key",
                r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[ \t]*(?:\r?\n|\\n)[A-Za-z0-9+/=:,\- \t\r\n]{40,}",
            ),
        ]
    })
}

fn url_password_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"\b[A-Za-z][A-Za-z0-9+.\-]*://([^\s:/@'\x22<>]+):([^\s/@'\x22<>]+)@([A-Za-z0-9.\-]+)",
        )
        .expect("valid regex")
    })
}

/// Literals that every match of the patterns above (and of the URL password pattern) contains:
/// a text with none of them has no secret, which one search tells (most scalars of a config).
fn any_marker() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox[abpr]-|k_live_|npm_|-----BEGIN |://",
        )
        .expect("valid regex")
    })
}

/// Literal credentials in `text`.
pub fn find_secrets(text: &str) -> Vec<SecretMatch> {
    let mut out = Vec::new();
    if !any_marker().is_match(text) {
        return out;
    }
    for p in patterns() {
        for m in p.re.find_iter(text) {
            let s = m.as_str();
            if s.contains("EXAMPLE") || s.contains("XXXXXXXX") || s.contains("xxxxxxxx") {
                continue;
            }
            let range = if p.kind == "private key" {
                // Point at the header line.
                let end = s
                    .find("-----\n")
                    .or_else(|| s.find("-----\\n"))
                    .or_else(|| s.find("-----\r"));
                let end = end.map_or(m.end(), |e| m.start() + e + 5);
                m.start()..end
            } else {
                m.range()
            };
            out.push(SecretMatch {
                kind: p.kind,
                excerpt: mask(&text[range.clone()]),
                range,
            });
        }
    }
    for c in url_password_re().captures_iter(text) {
        let (Some(user), Some(pass), Some(host)) = (c.get(1), c.get(2), c.get(3)) else {
            continue;
        };
        if !is_literal_password(user.as_str(), pass.as_str(), host.as_str()) {
            continue;
        }
        // Not twice (a token pattern may have matched inside the URL).
        if out
            .iter()
            .any(|m| m.range.start < pass.end() && pass.start() < m.range.end)
        {
            continue;
        }
        out.push(SecretMatch {
            kind: "password in a URL",
            range: pass.range(),
            excerpt: mask(pass.as_str()),
        });
    }
    out.sort_by_key(|m| m.range.start);
    out
}

/// Local and service-container hosts (`localhost`, `db`, `postgres`...), which get throwaway
/// credentials, and documentation hosts. `host` is lower case, without port.
fn is_throwaway_host(host: &str) -> bool {
    !host.contains('.')
        || host.starts_with("127.")
        || host == "0.0.0.0"
        || host.ends_with(".local")
        || host.ends_with(".localhost")
        || host.ends_with(".internal")
        || host.ends_with("example.com")
        || host.ends_with("example.org")
        || host.ends_with(".test")
        || host.ends_with(".example")
}

fn is_literal_password(user: &str, pass: &str, host: &str) -> bool {
    let lower = pass.to_ascii_lowercase();
    let host = host.to_ascii_lowercase();
    if pass.contains('$') || pass.contains("<<") || pass.contains("{{") || pass.contains('%') {
        return false;
    }
    if pass
        .chars()
        .all(|c| c == '*' || c == 'x' || c == 'X' || c == '.')
    {
        return false;
    }
    if is_throwaway_host(&host) {
        return false;
    }
    const PLACEHOLDERS: &[&str] = &[
        "password",
        "passwd",
        "pass",
        "pwd",
        "secret",
        "token",
        "changeme",
        "example",
        "test",
        "testing",
        "root",
        "admin",
        "user",
        "username",
        "postgres",
        "mysql",
        "redis",
        "guest",
        "circleci",
        "circle",
        "ubuntu",
        "default",
        "dummy",
        "foo",
        "bar",
        "x-oauth-basic",
        "your_password",
        "yourpassword",
        "mypassword",
        "api_key",
        "apikey",
    ];
    if PLACEHOLDERS.contains(&lower.as_str())
        || pass.eq_ignore_ascii_case(user)
        || pass.starts_with('<')
        || pass.len() < 6
    {
        return false;
    }
    // `user:port@`-like numbers are not passwords.
    !pass.chars().all(|c| c.is_ascii_digit())
}

/// Where a variable ends up in a URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlPart {
    /// `https://user:$TOKEN@host`, `https://$TOKEN@host`.
    Credentials,
    /// `?apikey=$KEY`: the query parameter's name.
    Query(String),
}

/// A variable interpolated into a URL's credentials or a sensitive query parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlSecret {
    pub var: String,
    /// Byte range of the `$VAR` / `${VAR}` reference.
    pub range: Range<usize>,
    pub part: UrlPart,
}

fn url_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\x22<>|;`()]+").expect("valid regex")
    })
}

fn var_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))")
            .expect("valid regex")
    })
}

fn query_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"[?&]([A-Za-z0-9_.\-]+)=([^&#]*)").expect("valid regex"))
}

/// Is a query parameter of this name a credential?
pub fn is_sensitive_param(name: &str) -> bool {
    let n: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    matches!(
        n.as_str(),
        "apikey"
            | "key"
            | "token"
            | "accesstoken"
            | "authtoken"
            | "auth"
            | "apitoken"
            | "secret"
            | "clientsecret"
            | "password"
            | "passwd"
            | "pwd"
            | "pass"
            | "privatetoken"
            | "circletoken"
            | "sig"
            | "signature"
            | "sessiontoken"
            | "refreshtoken"
            | "idtoken"
            | "appkey"
            | "applicationkey"
            | "secretkey"
            | "accesskey"
            | "privatekey"
    )
}

/// Byte offset of the `:` separating user and password in a URL's userinfo, skipping `:`
/// inside `${VAR:-default}` references.
fn userinfo_colon(userinfo: &str) -> Option<usize> {
    let mut depth = 0usize;
    let b = userinfo.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'{' if i > 0 && b[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// Does a variable's name say it holds a credential (`GH_TOKEN`, `API_KEY`, `DB_PASS`,
/// `DOCKERHUB_USERNAME`, `SLACK_WEBHOOK`)?
pub fn named_like_secret(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "TOKEN", "KEY", "SECRET", "PASS", "PWD", "CRED", "AUTH", "WEBHOOK",
    ]
    .iter()
    .any(|w| n.contains(w))
        || n.split('_').any(|w| {
            matches!(
                w,
                "USERNAME" | "LOGIN" | "DSN" | "PAT" | "CERT" | "CERTIFICATE"
            )
        })
}

/// Variables interpolated into a URL's credentials or a sensitive query parameter.
pub fn find_url_secrets(text: &str) -> Vec<UrlSecret> {
    // `<< parameters.x >>` contains spaces: mask it so a URL is not cut there.
    let mut masked = text.as_bytes().to_vec();
    for sp in crate::lang::shell::placeholder_spans(text) {
        for b in &mut masked[sp.range()] {
            *b = b'P';
        }
    }
    let masked = String::from_utf8_lossy(&masked).into_owned();
    let mut out = Vec::new();
    for url in url_re().find_iter(&masked) {
        let u = url.as_str();
        let base = url.start();
        let after_scheme = u.find("://").map_or(0, |i| i + 3);
        let rest = &u[after_scheme..];
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if let Some(at) = authority.rfind('@') {
            let userinfo = &authority[..at];
            let off = base + after_scheme;
            // A service container's throwaway login (`postgres://u:$PW@localhost/db`) is not
            // a secret that logs could leak.
            let host = authority[at + 1..]
                .split(':')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            let local = !host.contains('$') && is_throwaway_host(&host);
            // In `user:password@`, the user name is not a secret (unless its variable is
            // named like one); in `$TOKEN@`, the lone user part is the credential.
            let colon = userinfo_colon(userinfo);
            for c in var_re().captures_iter(userinfo) {
                let name = c.get(1).or_else(|| c.get(2)).map(|m| m.as_str());
                let whole = c.get(0).map(|m| m.range());
                if let (Some(name), Some(r)) = (name, whole) {
                    if local || colon.is_some_and(|i| r.end <= i) && !named_like_secret(name) {
                        continue;
                    }
                    out.push(UrlSecret {
                        var: name.to_string(),
                        range: off + r.start..off + r.end,
                        part: UrlPart::Credentials,
                    });
                }
            }
        }
        for q in query_re().captures_iter(u) {
            let (Some(param), Some(value)) = (q.get(1), q.get(2)) else {
                continue;
            };
            if !is_sensitive_param(param.as_str()) {
                continue;
            }
            for c in var_re().captures_iter(value.as_str()) {
                let name = c.get(1).or_else(|| c.get(2)).map(|m| m.as_str());
                let whole = c.get(0).map(|m| m.range());
                if let (Some(name), Some(r)) = (name, whole) {
                    let off = base + value.start();
                    out.push(UrlSecret {
                        var: name.to_string(),
                        range: off + r.start..off + r.end,
                        part: UrlPart::Query(param.as_str().to_string()),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<&'static str> {
        find_secrets(s).into_iter().map(|m| m.kind).collect()
    }

    // Test tokens are assembled at run time so that no complete token sits in the source.
    fn tok(prefix: &str, body: &str, n: usize) -> String {
        format!("{prefix}{}", body.repeat(n))
    }

    #[test]
    fn token_formats() {
        let aws = tok("AKIA", "Z7Q4", 4);
        assert_eq!(kinds(&format!("key: {aws}")), vec!["AWS access key id"]);
        assert_eq!(kinds(&tok("ghp_", "aB3d", 9)), vec!["GitHub token"]);
        assert_eq!(kinds(&tok("gho_", "aB3d", 9)), vec!["GitHub token"]);
        let pat = format!(
            "github_pat_{}_{}",
            "A1b2".repeat(5) + "Cd",
            "x9Y8z".repeat(11) + "Wvu1"
        );
        assert_eq!(kinds(&pat), vec!["GitHub fine-grained token"]);
        assert_eq!(kinds(&tok("glpat-", "Ab1_", 5)), vec!["GitLab token"]);
        assert_eq!(
            kinds(&format!("xoxb-{}-{}", "1234567890", "AbCdEf123456")),
            vec!["Slack token"]
        );
        let hook = format!(
            "https://hooks.slack.com/services/T{}/B{}/{}",
            "ABC12345",
            "DEF67890",
            "aBcD1234".repeat(3)
        );
        assert_eq!(kinds(&hook), vec!["Slack webhook URL"]);
        assert_eq!(kinds(&tok("sk_live_", "4eC3", 6)), vec!["Stripe key"]);
        assert_eq!(kinds(&tok("npm_", "a1B2", 9)), vec!["npm token"]);
        let key = format!(
            "-----BEGIN RSA {}-----\n{}\n-----END RSA PRIVATE KEY-----",
            "PRIVATE KEY",
            "MIIEowIBAAKCAQEA".repeat(4)
        );
        let found = find_secrets(&key);
        assert_eq!(found.len(), 1);
        assert_eq!(
            &key[found[0].range.clone()],
            "-----BEGIN RSA PRIVATE KEY-----"
        );
    }

    #[test]
    fn masked_excerpt_never_shows_the_secret() {
        let s = tok("ghp_", "aB3d", 9);
        let m = &find_secrets(&s)[0];
        assert_eq!(m.excerpt, "ghp_… (40 characters)");
        assert!(!m.excerpt.contains(&s[4..]));
    }

    #[test]
    fn passwords_in_urls() {
        let found = find_secrets("git clone https://deploy:S3cr3tPassw0rd@git.example.net/x.git");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, "password in a URL");
        assert_eq!(found[0].excerpt, "S3cr… (14 characters)");
        for ok in [
            "https://user:$TOKEN@github.com/x",
            "https://user:${TOKEN}@github.com/x",
            "https://user:<< parameters.token >>@github.com/x",
            "postgres://postgres:postgres@localhost:5432/db",
            "postgres://app:s3cretpw@db:5432/app",
            "mysql://root:hunter22@127.0.0.1/test",
            "https://user:password@example.com",
            "https://user:*****@host.io",
        ] {
            assert!(find_secrets(ok).is_empty(), "{ok}");
        }
    }

    #[test]
    fn placeholders_and_examples_are_not_secrets() {
        for ok in [
            "AKIAIOSFODNN7EXAMPLE",
            "aws_access_key_id: $AWS_ACCESS_KEY_ID",
            "echo '-----BEGIN RSA PRIVATE KEY-----' > key; echo \"$KEY\" >> key",
            "-----BEGIN OPENSSH PRIVATE KEY-----\n${SSH_KEY}\n",
            "ghp_short",
            "npm_config_cache",
            "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        ] {
            assert!(find_secrets(ok).is_empty(), "{ok}");
        }
    }

    #[test]
    fn variables_in_url_credentials() {
        let s = "git push https://heroku:$HEROKU_API_KEY@git.heroku.com/$APP.git main";
        let f = find_url_secrets(s);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].var, "HEROKU_API_KEY");
        assert_eq!(&s[f[0].range.clone()], "$HEROKU_API_KEY");
        assert_eq!(f[0].part, UrlPart::Credentials);

        let s = "git clone https://$GH_TOKEN@github.com/o/r https://x-access-token:${GH}@github.com/o/r";
        let vars: Vec<String> = find_url_secrets(s).into_iter().map(|u| u.var).collect();
        assert_eq!(vars, vec!["GH_TOKEN", "GH"]);

        // The user name before `:` is not a secret; the password after it is.
        let s = "git config url.\"https://$GITHUB_USER:$GITHUB_TOKEN@github.com/\".insteadOf x";
        let vars: Vec<String> = find_url_secrets(s).into_iter().map(|u| u.var).collect();
        assert_eq!(vars, vec!["GITHUB_TOKEN"]);
        let s = "https://${USER_NAME:-bot}:${PW}@h.io/ https://$API_TOKEN:x-oauth-basic@h.io/";
        let vars: Vec<String> = find_url_secrets(s).into_iter().map(|u| u.var).collect();
        assert_eq!(vars, vec!["PW", "API_TOKEN"]);
    }

    #[test]
    fn variables_in_url_queries() {
        let s = "newman run \"https://api.getpostman.com/collections/1?apikey=$POSTMAN_API_KEY\"";
        let f = find_url_secrets(s);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].var, "POSTMAN_API_KEY");
        assert_eq!(&s[f[0].range.clone()], "$POSTMAN_API_KEY");
        assert_eq!(f[0].part, UrlPart::Query("apikey".into()));
        let s = "curl https://x.io/a?x=1&token=${T}&access_token=$A&circle-token=$C&page=$PAGE";
        let vars: Vec<String> = find_url_secrets(s).into_iter().map(|u| u.var).collect();
        assert_eq!(vars, vec!["T", "A", "C"]);
        // A URL with a parameter placeholder in it is still one URL.
        let s = "curl https://<< parameters.host >>/v1?key=$KEY";
        assert_eq!(find_url_secrets(s)[0].var, "KEY");
        // Not in a URL, or not a credential.
        assert!(find_url_secrets("echo key=$KEY; curl https://x.io/?q=$Q").is_empty());
        assert!(find_url_secrets("curl -u \"$USER:$PASS\" https://x.io/").is_empty());
    }
}
