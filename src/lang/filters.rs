//! CircleCI job filters on a workflow job entry, and CircleCI's (Java) regular expressions.
//!
//! What CircleCI's configuration reference says (section `filters`, `branches`, `tags`):
//! - `filters` is a map with `branches` and/or `tags`, or a string: an expression-based filter
//!   (`pipeline.git.branch == "main" or pipeline.git.tag starts-with "release"`), evaluated with
//!   [`crate::lang::logic`]'s expression language.
//! - `branches` and `tags` each take `only` and `ignore`: one string or a list. A value written
//!   `/like this/` is a regex that must match the *entire* name; anything else is a literal name
//!   (`release/*` is the literal name `release/*`).
//! - Branches: a branch that matches `only` runs the job, one that matches `ignore` does not;
//!   with neither key, every branch runs it; `only` is considered before `ignore`. With no
//!   `branches` filter at all, every branch runs the job, even when the job has a `tags` filter
//!   (which is why a tag-only job also needs `branches: ignore: /.*/`).
//! - Tags: CircleCI does not run a job for a tag unless it has a `tags` filter; with neither
//!   `only` nor `ignore` the job is skipped for all tags.
//! - The reference does not say what happens when a name matches both `only` and `ignore` (its
//!   schedule-trigger section says `ignore` then has no effect, its job section only that `only`
//!   is considered first): that case is `Unknown`, not a guess.
//!
//! Regexes are Java's (`java.util.regex.Pattern`). [`compile_java_regex`] translates to the
//! `regex` crate where the meaning is the same (`\d`, `\w`, `\s` are ASCII in Java; `\Q..\E`
//! quoting) and refuses, with the reason, what it cannot evaluate exactly: look-ahead and
//! look-behind, backreferences, possessive quantifiers, atomic groups, Java-only classes.

use regex::Regex;

use crate::base::span::Span;
use crate::base::text::{join_and, quoted};
use crate::lang::logic::{Expr, Tri, eval_expression_tri, parse_expression};
use crate::lang::mustache::{Env, PipelineValue};
use crate::yaml::Node;

// ---------------------------------------------------------------------------------------------
// Java regexes
// ---------------------------------------------------------------------------------------------

/// Compile a Java regex so that it must match a whole string (`Pattern.matches`). `Err` holds
/// why it cannot be evaluated exactly.
pub fn compile_java_regex(pattern: &str) -> Result<Regex, String> {
    let translated = translate_java(pattern)?;
    regex::RegexBuilder::new(&format!(r"\A(?:{translated})\z"))
        .size_limit(1 << 20)
        .build()
        .map_err(|e| {
            let first = e.to_string();
            let line = first
                .lines()
                .rev()
                .find(|l| l.starts_with("error:"))
                .unwrap_or("it does not compile")
                .trim_start_matches("error: ")
                .to_string();
            format!("the regex `{pattern}` cannot be evaluated by cilint: {line}")
        })
}

fn unsupported(pattern: &str, what: &str) -> String {
    format!("the regex `{pattern}` uses {what}, which cilint cannot evaluate")
}

/// Translate Java regex syntax to the `regex` crate's, or say what cannot be translated.
fn translate_java(p: &str) -> Result<String, String> {
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::with_capacity(p.len() + 8);
    let mut i = 0;
    let mut class_depth = 0usize;
    // Whether the previous token was a quantifier (for possessive `*+`, `++`, `?+`, `{n}+`).
    let mut after_quantifier = false;
    while i < chars.len() {
        let c = chars[i];
        let was_quant = after_quantifier;
        after_quantifier = false;
        match c {
            '\\' => {
                let Some(&n) = chars.get(i + 1) else {
                    return Err(unsupported(p, "a trailing `\\`"));
                };
                i += 2;
                match n {
                    '1'..='9' if class_depth == 0 => {
                        return Err(unsupported(p, "a backreference"));
                    }
                    '0' => return Err(unsupported(p, "an octal escape")),
                    'k' => return Err(unsupported(p, "a named backreference")),
                    'Q' => {
                        let rest: String = chars[i..].iter().collect();
                        let (quoted, len) = match rest.find("\\E") {
                            Some(end) => (rest[..end].to_string(), end + 2),
                            None => (rest.clone(), rest.len()),
                        };
                        out.push_str(&regex::escape(&quoted));
                        i += quoted.chars().count() + (len - quoted.len());
                    }
                    'E' => {}
                    'd' => out.push_str("[0-9]"),
                    'D' => out.push_str("[^0-9]"),
                    'w' => out.push_str("[a-zA-Z0-9_]"),
                    'W' => out.push_str("[^a-zA-Z0-9_]"),
                    's' => out.push_str(r"[ \t\n\x0B\f\r]"),
                    'S' => out.push_str(r"[^ \t\n\x0B\f\r]"),
                    'h' | 'H' | 'v' | 'V' | 'R' | 'X' | 'G' | 'Z' | 'c' | 'N' => {
                        return Err(unsupported(p, &format!("`\\{n}`")));
                    }
                    'p' | 'P' => {
                        // `\pL` or `\p{Name}`; Java's POSIX names (`\p{Alpha}`) are ASCII and
                        // `\p{javaLowerCase}` has no equivalent.
                        let rest: String = chars[i..].iter().collect();
                        let name = if let Some(braced) = rest.strip_prefix('{') {
                            braced.split('}').next().unwrap_or("").to_string()
                        } else {
                            rest.chars().take(1).collect()
                        };
                        const POSIX: &[&str] = &[
                            "Lower", "Upper", "ASCII", "Alpha", "Digit", "Alnum", "Punct", "Graph",
                            "Print", "Blank", "Cntrl", "XDigit", "Space",
                        ];
                        if name.starts_with("java")
                            || name.starts_with("Is")
                            || name.starts_with("In")
                            || POSIX.contains(&name.as_str())
                        {
                            return Err(unsupported(p, &format!("`\\{n}{{{name}}}`")));
                        }
                        out.push('\\');
                        out.push(n);
                    }
                    c2 if c2.is_ascii_punctuation() => {
                        out.push_str(&regex::escape(&c2.to_string()))
                    }
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
                continue;
            }
            '[' => {
                class_depth += 1;
                out.push('[');
                // `[^]...` or `[]...`: a leading `]` is literal in Java.
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i + 1) == Some(&']') {
                    out.push_str(r"\]");
                    i += 1;
                }
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(']');
            }
            '(' if class_depth == 0 => {
                let rest: String = chars[i + 1..].iter().take(3).collect();
                if rest.starts_with("?=") || rest.starts_with("?!") {
                    return Err(unsupported(p, "a look-ahead"));
                }
                if rest.starts_with("?<=") || rest.starts_with("?<!") {
                    return Err(unsupported(p, "a look-behind"));
                }
                if rest.starts_with("?>") {
                    return Err(unsupported(p, "an atomic group"));
                }
                if rest.starts_with('?') && !rest.starts_with("?:") && !rest.starts_with("?<") {
                    // Inline flags: Java's `U` (Unicode classes) and `d` (Unix lines) differ from
                    // or are absent in the regex crate.
                    let flags: String = chars[i + 2..]
                        .iter()
                        .take_while(|c| c.is_ascii_alphabetic() || **c == '-')
                        .collect();
                    if flags.contains('U') || flags.contains('d') {
                        return Err(unsupported(p, &format!("the inline flags `(?{flags}`")));
                    }
                }
                out.push('(');
            }
            '*' | '+' | '?' if class_depth == 0 => {
                if was_quant && c == '+' {
                    return Err(unsupported(p, "a possessive quantifier"));
                }
                out.push(c);
                // `*?` is lazy, not a new quantifier; anything else may be followed by `+`.
                after_quantifier = !(was_quant && c == '?');
            }
            '{' if class_depth == 0 => {
                // A counted repetition `{n}`, `{n,}`, `{n,m}`.
                let rest: String = chars[i..].iter().collect();
                match rest.find('}') {
                    Some(end)
                        if rest[1..end].chars().all(|c| c.is_ascii_digit() || c == ',')
                            && end > 1 =>
                    {
                        out.push_str(&rest[..=end]);
                        i += end + 1;
                        after_quantifier = true;
                        continue;
                    }
                    _ => out.push_str(r"\{"),
                }
            }
            '&' if class_depth > 0 && chars.get(i + 1) == Some(&'&') => {
                out.push_str("&&");
                i += 1;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Patterns and filters
// ---------------------------------------------------------------------------------------------

/// One `only`/`ignore` value: a literal name or a `/regex/`.
#[derive(Clone, Debug)]
pub enum Pattern {
    Literal(String),
    Regex {
        /// Between the slashes.
        source: String,
        /// The compiled whole-match regex, or why it cannot be evaluated.
        compiled: Result<Regex, String>,
    },
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Pattern::Literal(a), Pattern::Literal(b)) => a == b,
            (Pattern::Regex { source: a, .. }, Pattern::Regex { source: b, .. }) => a == b,
            _ => false,
        }
    }
}

impl Pattern {
    /// Read a filter value: `/.../` is a regex, anything else a literal.
    pub fn parse(text: &str) -> Pattern {
        if text.len() >= 2 && text.starts_with('/') && text.ends_with('/') {
            let source = text[1..text.len() - 1].to_string();
            let compiled = compile_java_regex(&source);
            Pattern::Regex { source, compiled }
        } else {
            Pattern::Literal(text.to_string())
        }
    }

    pub fn matches(&self, name: &str) -> Tri {
        match self {
            Pattern::Literal(l) => Tri::from_bool(l == name),
            Pattern::Regex {
                compiled: Ok(re), ..
            } => Tri::from_bool(re.is_match(name)),
            Pattern::Regex {
                compiled: Err(why), ..
            } => Tri::Unknown(why.clone()),
        }
    }

    pub fn is_literal(&self) -> bool {
        matches!(self, Pattern::Literal(_))
    }

    /// Whether the pattern is a regex that matches every name (`/.*/`, `/^.+$/`, `/(.*)/`...):
    /// as an `ignore`, it leaves nothing through.
    pub fn matches_every_name(&self) -> bool {
        let Pattern::Regex {
            source,
            compiled: Ok(_),
        } = self
        else {
            return false;
        };
        let mut s = source.as_str();
        s = s.strip_prefix('^').unwrap_or(s);
        s = s.strip_suffix('$').unwrap_or(s);
        while let Some(inner) = s.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
            s = inner.strip_prefix("?:").unwrap_or(inner);
        }
        matches!(
            s,
            ".*" | ".+" | ".*?" | ".+?" | "(?s).*" | "(?s).+" | "[\\s\\S]*" | "[\\s\\S]+"
        )
    }

    /// As written: `main` or `/v.*/`.
    pub fn written(&self) -> String {
        match self {
            Pattern::Literal(l) => l.clone(),
            Pattern::Regex { source, .. } => format!("/{source}/"),
        }
    }
}

/// A pattern and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternItem {
    pub pattern: Pattern,
    pub span: Span,
}

/// `only` and `ignore` of `branches` or `tags`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RefFilter {
    /// The `branches:`/`tags:` key.
    pub span: Span,
    pub only: Option<Vec<PatternItem>>,
    pub ignore: Option<Vec<PatternItem>>,
}

fn any_match(items: &[PatternItem], name: &str) -> Tri {
    let mut unknown = None;
    for it in items {
        match it.pattern.matches(name) {
            Tri::Yes => return Tri::Yes,
            Tri::No => {}
            Tri::Unknown(r) => {
                unknown.get_or_insert(r);
            }
        }
    }
    match unknown {
        Some(r) => Tri::Unknown(r),
        None => Tri::No,
    }
}

impl RefFilter {
    /// Whether the filter provably admits no name at all: an `ignore` that matches every name
    /// with no `only`, or an empty `only` list.
    pub fn admits_nothing(&self) -> bool {
        match (&self.only, &self.ignore) {
            (Some(only), _) => only.is_empty(),
            (None, Some(ignore)) => ignore.iter().any(|p| p.pattern.matches_every_name()),
            (None, None) => false,
        }
    }

    /// Whether a name passes `only`/`ignore` (with neither key: `default`).
    fn admits(&self, name: &str, default: bool) -> Tri {
        let only = self.only.as_deref().map(|o| any_match(o, name));
        let ignore = self.ignore.as_deref().map(|i| any_match(i, name));
        match (only, ignore) {
            (None, None) => Tri::from_bool(default),
            (Some(o), None) => o,
            (None, Some(i)) => !i,
            (Some(Tri::No), Some(_)) => Tri::No,
            (Some(Tri::Yes), Some(Tri::No)) => Tri::Yes,
            (Some(Tri::Yes), Some(Tri::Yes)) => Tri::Unknown(format!(
                "`{name}` matches both `only` and `ignore`, and CircleCI's reference does not say which wins"
            )),
            (Some(Tri::Unknown(r)), _) | (_, Some(Tri::Unknown(r))) => Tri::Unknown(r),
        }
    }

    /// Every pattern is a literal and `only` is given: the finite set of names admitted.
    fn literal_only_set(&self) -> Option<Vec<&str>> {
        let only = self.only.as_ref()?;
        only.iter()
            .map(|p| match &p.pattern {
                Pattern::Literal(l) => Some(l.as_str()),
                Pattern::Regex { .. } => None,
            })
            .collect()
    }

    fn short(&self, prefix: &str) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(only) = &self.only {
            let v: Vec<String> = only.iter().map(|p| p.pattern.written()).collect();
            parts.push(format!("{prefix}{}", v.join("|")));
        }
        if let Some(ignore) = &self.ignore {
            let v: Vec<String> = ignore.iter().map(|p| p.pattern.written()).collect();
            parts.push(format!("{prefix}!{}", v.join("|!")));
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// The ref a pipeline is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GitRef {
    Branch(String),
    Tag(String),
}

/// An expression-based filter (`filters: pipeline.git.branch == "main"`).
#[derive(Clone, Debug, PartialEq)]
pub struct ExprFilter {
    pub text: String,
    pub span: Span,
    /// The parsed expression, or the syntax error.
    pub expr: Result<Expr, String>,
}

/// The `filters` of one workflow job entry.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Filters {
    /// The `filters` value.
    pub span: Span,
    pub branches: Option<RefFilter>,
    pub tags: Option<RefFilter>,
    pub expression: Option<ExprFilter>,
}

/// A malformed filter, with where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError {
    pub span: Span,
    pub message: String,
}

fn parse_patterns(
    node: &Node,
    key: &str,
    errors: &mut Vec<FilterError>,
) -> Option<Vec<PatternItem>> {
    let one = |n: &Node, errors: &mut Vec<FilterError>| -> Option<PatternItem> {
        match n.scalar_text() {
            Some(t) if n.as_scalar().is_some() && !n.is_null() => Some(PatternItem {
                pattern: Pattern::parse(t),
                span: n.use_span(),
            }),
            _ => {
                errors.push(FilterError {
                    span: n.use_span(),
                    message: format!(
                        "`{key}` takes a name or a list of names, not {}",
                        n.type_name()
                    ),
                });
                None
            }
        }
    };
    if let Some(items) = node.as_seq() {
        Some(items.iter().filter_map(|n| one(n, errors)).collect())
    } else {
        one(node, errors).map(|p| vec![p])
    }
}

fn parse_ref_filter(
    key: &Node,
    node: &Node,
    what: &str,
    errors: &mut Vec<FilterError>,
) -> RefFilter {
    let mut f = RefFilter {
        span: key.use_span(),
        ..RefFilter::default()
    };
    let Some(map) = node.as_map() else {
        if !node.is_null() {
            errors.push(FilterError {
                span: node.use_span(),
                message: format!(
                    "`{what}` takes a mapping with `only` and/or `ignore`, not {}",
                    node.type_name()
                ),
            });
        }
        return f;
    };
    for (k, v) in map {
        match k.scalar_text() {
            Some("only") => f.only = parse_patterns(v, "only", errors),
            Some("ignore") => f.ignore = parse_patterns(v, "ignore", errors),
            other => errors.push(FilterError {
                span: k.use_span(),
                message: format!(
                    "`{what}` takes `only` and `ignore`, not `{}`",
                    other.unwrap_or("?")
                ),
            }),
        }
    }
    f
}

impl Filters {
    /// Read a `filters` value. Malformed parts are reported and left out.
    pub fn from_node(node: &Node) -> (Filters, Vec<FilterError>) {
        let mut errors = Vec::new();
        let mut f = Filters {
            span: node.use_span(),
            ..Filters::default()
        };
        if let Some(text) = node.as_str() {
            f.expression = Some(ExprFilter {
                text: text.to_string(),
                span: node.use_span(),
                expr: parse_expression(text).map_err(|e| e.message),
            });
            if let Some(Err(m)) = f.expression.as_ref().map(|e| &e.expr) {
                errors.push(FilterError {
                    span: node.use_span(),
                    message: format!("the filter expression does not parse: {m}"),
                });
            }
            return (f, errors);
        }
        let Some(map) = node.as_map() else {
            if !node.is_null() {
                errors.push(FilterError {
                    span: node.use_span(),
                    message: format!(
                        "`filters` takes a mapping (`branches`, `tags`) or an expression string, not {}",
                        node.type_name()
                    ),
                });
            }
            return (f, errors);
        };
        for (k, v) in map {
            match k.scalar_text() {
                Some("branches") => {
                    f.branches = Some(parse_ref_filter(k, v, "branches", &mut errors))
                }
                Some("tags") => f.tags = Some(parse_ref_filter(k, v, "tags", &mut errors)),
                other => errors.push(FilterError {
                    span: k.use_span(),
                    message: format!(
                        "`filters` takes `branches` and `tags`, not `{}`",
                        other.unwrap_or("?")
                    ),
                }),
            }
        }
        (f, errors)
    }

    /// Whether a job with these filters runs for `r` (no other pipeline values known).
    pub fn runs_for(&self, r: &GitRef) -> Tri {
        self.runs_for_env(r, &Env::new())
    }

    /// Whether a job with these filters runs for `r`; an expression filter also reads `env`
    /// (`pipeline.git.branch`/`pipeline.git.tag` are set from `r` unless `env` has them).
    pub fn runs_for_env(&self, r: &GitRef, env: &Env) -> Tri {
        if let Some(e) = &self.expression {
            let expr = match &e.expr {
                Ok(x) => x,
                Err(m) => {
                    return Tri::Unknown(format!("the filter expression does not parse: {m}"));
                }
            };
            let mut env = env.clone();
            match r {
                GitRef::Branch(b) => {
                    if env.get("pipeline.git.branch").is_none() {
                        env.set("pipeline.git.branch", PipelineValue::Str(b.clone()));
                    }
                    if env.get("pipeline.git.tag").is_none() {
                        env.set("pipeline.git.tag", PipelineValue::Str(String::new()));
                    }
                }
                GitRef::Tag(t) => {
                    if env.get("pipeline.git.tag").is_none() {
                        env.set("pipeline.git.tag", PipelineValue::Str(t.clone()));
                    }
                }
            }
            return eval_expression_tri(expr, &env).0;
        }
        match r {
            GitRef::Branch(b) => match &self.branches {
                None => Tri::Yes,
                Some(f) => f.admits(b, true),
            },
            GitRef::Tag(t) => match &self.tags {
                None => Tri::No,
                Some(f) => f.admits(t, false),
            },
        }
    }

    /// Whether a `tags` filter is present (what a tag push needs).
    pub fn has_tags_filter(&self) -> bool {
        self.tags.is_some()
    }

    /// Whether the job may run for some tag push: it has a `tags` filter that does not provably
    /// admit nothing (`tags: ignore: /.*/` is the common way of saying "never for tags"), or an
    /// expression filter (which may read `pipeline.git.tag`).
    pub fn may_run_for_tags(&self) -> bool {
        self.expression.is_some() || self.tags.as_ref().is_some_and(|t| !t.admits_nothing())
    }

    /// A short label for diagrams: `main`, `tags /v.*/`, `!main`, `main|develop tags /v.*/`,
    /// the expression text (cut to 40 characters); empty when there is no filter.
    pub fn short_form(&self) -> String {
        if let Some(e) = &self.expression {
            let t = e.text.split_whitespace().collect::<Vec<_>>().join(" ");
            return if t.chars().count() > 40 {
                format!("{}...", t.chars().take(37).collect::<String>())
            } else {
                t
            };
        }
        let mut parts = Vec::new();
        if let Some(b) = self.branches.as_ref().and_then(|b| b.short("")) {
            parts.push(b);
        }
        if let Some(t) = self.tags.as_ref() {
            parts.push(
                t.short("")
                    .map_or("tags".to_string(), |s| format!("tags {s}")),
            );
        }
        parts.join(" ")
    }
}

/// Why a job's branch filter provably excludes every branch its requirement runs on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeverRuns {
    /// The branch names examined, each shown not to run both jobs.
    pub branches: Vec<String>,
    /// In words: "`deploy` runs only on `main`, where `test` does not run (its branch filter is
    /// `develop`)".
    pub reason: String,
    /// The filter that excludes (the job's or the requirement's `branches` key).
    pub span: Span,
}

/// For `filters-never-run`: whether the job (filters `job`) can never run on a branch where its
/// requirement (filters `req`) runs. Provable only when one side admits a finite set of literal
/// names and the other side is decided for each of them (a literal tested against a literal or
/// a regex). Two regexes, an expression filter or any unknown: `None`, say nothing.
pub fn branches_never_overlap(
    job_name: &str,
    job: &Filters,
    req_name: &str,
    req: &Filters,
) -> Option<NeverRuns> {
    if job.expression.is_some() || req.expression.is_some() {
        return None;
    }
    // Case 1: the requirement runs only on listed names; the job runs on none of them.
    if let Some(rb) = &req.branches
        && let Some(names) = rb.literal_only_set()
    {
        let mut checked = Vec::new();
        for n in &names {
            // Where the requirement does not run at all, nothing to show.
            match rb.admits(n, true) {
                Tri::No => continue,
                Tri::Yes => {}
                Tri::Unknown(_) => return None,
            }
            if job.runs_for(&GitRef::Branch(n.to_string())) != Tri::No {
                return None;
            }
            checked.push(n.to_string());
        }
        let jb = job.branches.as_ref()?;
        return Some(NeverRuns {
            reason: format!(
                "`{req_name}` runs only on {}, where `{job_name}` does not run (its branch filter is {})",
                list(&names),
                jb.short("").unwrap_or_default()
            ),
            branches: checked,
            span: jb.span,
        });
    }
    // Case 2: the job runs only on listed names; the requirement runs on none of them.
    if let Some(jb) = &job.branches
        && let Some(names) = jb.literal_only_set()
    {
        let mut checked = Vec::new();
        for n in &names {
            match jb.admits(n, true) {
                Tri::No => continue,
                Tri::Yes => {}
                Tri::Unknown(_) => return None,
            }
            if req.runs_for(&GitRef::Branch(n.to_string())) != Tri::No {
                return None;
            }
            checked.push(n.to_string());
        }
        let rb = req.branches.as_ref()?;
        return Some(NeverRuns {
            reason: format!(
                "`{job_name}` runs only on {}, where `{req_name}` does not run (its branch filter is {})",
                list(&names),
                rb.short("").unwrap_or_default()
            ),
            branches: checked,
            span: jb.span,
        });
    }
    None
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        return "no branch".into();
    }
    join_and(&quoted(names))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::test_nodes::{int, map, s, seq};

    fn filters(node: Node) -> Filters {
        let (f, errors) = Filters::from_node(&node);
        assert!(errors.is_empty(), "{errors:?}");
        f
    }
    fn br(n: &str) -> GitRef {
        GitRef::Branch(n.into())
    }
    fn tag(n: &str) -> GitRef {
        GitRef::Tag(n.into())
    }

    fn full(p: &str, s: &str) -> Result<bool, String> {
        compile_java_regex(p).map(|r| r.is_match(s))
    }

    #[test]
    fn regexes_match_the_whole_name() {
        assert_eq!(full("main", "main"), Ok(true));
        assert_eq!(full("main", "mainline"), Ok(false));
        assert_eq!(full("a|b", "b"), Ok(true));
        assert_eq!(full("a|bc", "ab"), Ok(false));
        assert_eq!(full("^v.*$", "v1.0"), Ok(true));
        assert_eq!(full("release-.*", "release-1"), Ok(true));
        assert_eq!(full("server\\/.*", "server/x"), Ok(true));
    }

    #[test]
    fn java_classes_are_ascii() {
        assert_eq!(full("\\d+", "123"), Ok(true));
        assert_eq!(
            full("\\d+", "١٢٣"),
            Ok(false),
            "Arabic-Indic digits are not \\d in Java"
        );
        assert_eq!(full("\\w+", "é"), Ok(false));
        assert_eq!(full("[\\w-]+", "a-b_c"), Ok(true));
        assert_eq!(full("\\s", " "), Ok(true));
        assert_eq!(full("\\S+", "ab"), Ok(true));
        assert_eq!(full("[^\\d]", "a"), Ok(true));
    }

    #[test]
    fn java_quoting_and_escapes() {
        assert_eq!(full("\\Qa.b\\E", "a.b"), Ok(true));
        assert_eq!(full("\\Qa.b\\E", "axb"), Ok(false));
        assert_eq!(full("v\\Q1.*", "v1.*"), Ok(true));
        assert_eq!(full("\\<x\\>", "<x>"), Ok(true), "Java `\\<` is a literal");
        assert_eq!(full("a{2}", "aa"), Ok(true));
        assert_eq!(
            full("a{x", "a{x"),
            Ok(true),
            "a brace that is not a count is literal"
        );
        assert_eq!(full("[]a]+", "]a"), Ok(true));
        assert_eq!(full("[a-z&&[^e]]+", "abc"), Ok(true));
        assert_eq!(full("[a-z&&[^e]]+", "abe"), Ok(false));
        assert_eq!(full("(?i)MAIN", "main"), Ok(true));
        assert_eq!(full("(?<v>\\d+)", "12"), Ok(true));
        assert_eq!(full("a*?b", "aab"), Ok(true), "lazy is not possessive");
    }

    #[test]
    fn java_only_constructs_are_refused() {
        for (p, what) in [
            ("(?=main).*", "look-ahead"),
            ("(?!main).*", "look-ahead"),
            ("(?<=a)b", "look-behind"),
            ("(?<!a)b", "look-behind"),
            ("(a)\\1", "backreference"),
            ("(?<n>a)\\k<n>", "named backreference"),
            ("a*+", "possessive"),
            ("a++", "possessive"),
            ("a?+", "possessive"),
            ("a{2}+", "possessive"),
            ("(?>a|ab)c", "atomic group"),
            ("\\p{javaLowerCase}", "javaLowerCase"),
            ("\\p{Alpha}", "Alpha"),
            ("\\h", "\\h"),
            ("a\\Z", "\\Z"),
            ("(?U)\\w", "inline flags"),
        ] {
            let e = compile_java_regex(p).expect_err(p);
            assert!(e.contains(what), "{p}: {e}");
        }
        // Escaped characters that look like those constructs are fine.
        assert_eq!(full("\\(\\?=\\)", "(?=)"), Ok(true));
        assert_eq!(full("a\\++", "a++"), Ok(true));
        assert_eq!(full("[+*]+", "+*"), Ok(true));
        // What does not compile at all is refused with the reason.
        assert!(compile_java_regex("(").is_err());
    }

    #[test]
    fn pattern_literal_or_regex() {
        assert!(Pattern::parse("release/*").is_literal());
        assert_eq!(Pattern::parse("release/*").matches("release/1"), Tri::No);
        assert_eq!(Pattern::parse("release/*").matches("release/*"), Tri::Yes);
        assert!(Pattern::parse("/").is_literal());
        assert_eq!(Pattern::parse("/rel.*/").matches("release"), Tri::Yes);
        assert!(matches!(
            Pattern::parse("/(?!x).*/").matches("y"),
            Tri::Unknown(_)
        ));
        assert_eq!(Pattern::parse("/v.*/").written(), "/v.*/");
    }

    #[test]
    fn no_filters_runs_on_branches_not_tags() {
        let f = Filters::default();
        assert_eq!(f.runs_for(&br("anything")), Tri::Yes);
        assert_eq!(f.runs_for(&tag("v1")), Tri::No);
    }

    #[test]
    fn branch_only_and_ignore() {
        let f = filters(map(vec![(
            "branches",
            map(vec![("only", seq(vec![s("main"), s("/rel-.*/")]))]),
        )]));
        assert_eq!(f.runs_for(&br("main")), Tri::Yes);
        assert_eq!(f.runs_for(&br("rel-1")), Tri::Yes);
        assert_eq!(f.runs_for(&br("dev")), Tri::No);
        assert_eq!(
            f.runs_for(&tag("v1")),
            Tri::No,
            "no tags filter: never for tags"
        );
        let f = filters(map(vec![("branches", map(vec![("ignore", s("main"))]))]));
        assert_eq!(f.runs_for(&br("main")), Tri::No);
        assert_eq!(f.runs_for(&br("dev")), Tri::Yes);
        let f = filters(map(vec![("branches", map(vec![]))]));
        assert_eq!(
            f.runs_for(&br("dev")),
            Tri::Yes,
            "neither key: every branch"
        );
    }

    #[test]
    fn only_before_ignore() {
        let f = filters(map(vec![(
            "branches",
            map(vec![
                ("only", s("/feature-.*/")),
                ("ignore", s("feature-old")),
            ]),
        )]));
        assert_eq!(f.runs_for(&br("feature-new")), Tri::Yes);
        assert_eq!(f.runs_for(&br("main")), Tri::No);
        assert!(matches!(f.runs_for(&br("feature-old")), Tri::Unknown(_)));
    }

    #[test]
    fn tags_filters() {
        // A tag-only job still runs on every branch (no branches filter).
        let f = filters(map(vec![("tags", map(vec![("only", s("/^v.*/"))]))]));
        assert_eq!(f.runs_for(&tag("v1.0")), Tri::Yes);
        assert_eq!(f.runs_for(&tag("nightly")), Tri::No);
        assert_eq!(f.runs_for(&br("main")), Tri::Yes);
        // The usual tag-only form.
        let f = filters(map(vec![
            ("tags", map(vec![("only", s("/^v.*/"))])),
            ("branches", map(vec![("ignore", s("/.*/"))])),
        ]));
        assert_eq!(f.runs_for(&br("main")), Tri::No);
        assert_eq!(f.runs_for(&tag("v2")), Tri::Yes);
        // `tags` with neither key: skipped for all tags.
        let f = filters(map(vec![("tags", map(vec![]))]));
        assert_eq!(f.runs_for(&tag("v1")), Tri::No);
        let f = filters(map(vec![("tags", map(vec![("ignore", s("/wip-.*/"))]))]));
        assert_eq!(f.runs_for(&tag("v1")), Tri::Yes);
        assert_eq!(f.runs_for(&tag("wip-1")), Tri::No);
        assert!(f.has_tags_filter());
    }

    #[test]
    fn unsupported_regex_gives_unknown() {
        let f = filters(map(vec![(
            "branches",
            map(vec![("only", s("/(?!main).*/"))]),
        )]));
        match f.runs_for(&br("dev")) {
            Tri::Unknown(r) => assert!(r.contains("look-ahead"), "{r}"),
            other => panic!("{other:?}"),
        }
        // A literal that matches decides even if a regex beside it is unknown.
        let f = filters(map(vec![(
            "branches",
            map(vec![("only", seq(vec![s("/(?!x).*/"), s("dev")]))]),
        )]));
        assert_eq!(f.runs_for(&br("dev")), Tri::Yes);
    }

    #[test]
    fn expression_filters() {
        let f = filters(s(
            "pipeline.git.branch == \"main\" or pipeline.git.tag starts-with \"release\"",
        ));
        assert_eq!(f.runs_for(&br("main")), Tri::Yes);
        assert_eq!(f.runs_for(&br("dev")), Tri::No);
        assert_eq!(f.runs_for(&tag("release-1")), Tri::Yes);
        let f = filters(s("pipeline.parameters.go or pipeline.git.branch == \"x\""));
        assert!(matches!(f.runs_for(&br("main")), Tri::Unknown(_)));
        let env = Env::new().with("pipeline.parameters.go", PipelineValue::Bool(true));
        assert_eq!(f.runs_for_env(&br("main"), &env), Tri::Yes);
        let (f, errors) = Filters::from_node(&s("pipeline.git.branch =="));
        assert_eq!(errors.len(), 1);
        assert!(matches!(f.runs_for(&br("main")), Tri::Unknown(_)));
    }

    #[test]
    fn malformed_filters_are_reported() {
        let (_, e) = Filters::from_node(&map(vec![("branch", map(vec![]))]));
        assert!(e[0].message.contains("`branch`"));
        let (_, e) = Filters::from_node(&map(vec![("branches", map(vec![("onyl", s("main"))]))]));
        assert!(e[0].message.contains("`onyl`"));
        let (_, e) = Filters::from_node(&map(vec![("branches", s("main"))]));
        assert!(e[0].message.contains("mapping"));
        let (_, e) = Filters::from_node(&map(vec![(
            "tags",
            map(vec![("only", seq(vec![map(vec![])]))]),
        )]));
        assert!(e[0].message.contains("not a mapping"));
        let (_, e) = Filters::from_node(&seq(vec![]));
        assert!(e[0].message.contains("not a list"));
        // An integer name is a name (`only: 2024`).
        let (f, e) = Filters::from_node(&map(vec![("tags", map(vec![("only", int(2024))]))]));
        assert!(e.is_empty());
        assert_eq!(f.runs_for(&tag("2024")), Tri::Yes);
    }

    #[test]
    fn short_forms() {
        let f = filters(map(vec![("branches", map(vec![("only", s("main"))]))]));
        assert_eq!(f.short_form(), "main");
        let f = filters(map(vec![("branches", map(vec![("ignore", s("main"))]))]));
        assert_eq!(f.short_form(), "!main");
        let f = filters(map(vec![
            ("tags", map(vec![("only", s("/v.*/"))])),
            ("branches", map(vec![("ignore", s("/.*/"))])),
        ]));
        assert_eq!(f.short_form(), "!/.*/ tags /v.*/");
        let f = filters(map(vec![("tags", map(vec![("only", s("/v.*/"))]))]));
        assert_eq!(f.short_form(), "tags /v.*/");
        let f = filters(map(vec![(
            "branches",
            map(vec![("only", seq(vec![s("main"), s("dev")]))]),
        )]));
        assert_eq!(f.short_form(), "main|dev");
        assert_eq!(Filters::default().short_form(), "");
        let f = filters(s("pipeline.git.branch == \"main\""));
        assert_eq!(f.short_form(), "pipeline.git.branch == \"main\"");
    }

    fn only(names: Vec<&str>) -> Filters {
        filters(map(vec![(
            "branches",
            map(vec![("only", seq(names.into_iter().map(s).collect()))]),
        )]))
    }

    #[test]
    fn never_overlap_with_literals() {
        let job = only(vec!["main"]);
        let req = only(vec!["develop"]);
        let p = branches_never_overlap("deploy", &job, "test", &req).expect("provable");
        assert!(
            p.reason.contains("`test` runs only on `develop`"),
            "{}",
            p.reason
        );
        // A regex on the job tested against the requirement's literals.
        let job = filters(map(vec![(
            "branches",
            map(vec![("only", s("/release-.*/"))]),
        )]));
        assert!(
            branches_never_overlap("deploy", &job, "test", &only(vec!["main", "dev"])).is_some()
        );
        assert!(
            branches_never_overlap("deploy", &job, "test", &only(vec!["main", "release-1"]))
                .is_none()
        );
        // The job's literals tested against the requirement's regex.
        let req = filters(map(vec![(
            "branches",
            map(vec![("ignore", s("/main|prod/"))]),
        )]));
        let p =
            branches_never_overlap("deploy", &only(vec!["main"]), "test", &req).expect("provable");
        assert!(
            p.reason.contains("`deploy` runs only on `main`"),
            "{}",
            p.reason
        );
        // Overlap: nothing to say.
        assert!(
            branches_never_overlap("a", &only(vec!["main"]), "b", &only(vec!["main"])).is_none()
        );
        assert!(
            branches_never_overlap("a", &only(vec!["main"]), "b", &Filters::default()).is_none()
        );
    }

    #[test]
    fn never_overlap_says_nothing_for_two_regexes() {
        let re = |p: &str| filters(map(vec![("branches", map(vec![("only", s(p))]))]));
        assert!(branches_never_overlap("a", &re("/a.*/"), "b", &re("/b.*/")).is_none());
        let lookahead = re("/(?!main).*/");
        assert!(branches_never_overlap("a", &lookahead, "b", &only(vec!["main"])).is_none());
        let expr = filters(s("pipeline.git.branch == \"main\""));
        assert!(branches_never_overlap("a", &expr, "b", &only(vec!["dev"])).is_none());
    }
}
