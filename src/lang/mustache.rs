//! CircleCI's `<< ... >>` templating: finding references in a string, substituting them, and the
//! list of built-in pipeline values.
//!
//! Forms recognised (whitespace inside the brackets is optional):
//! - `<< parameters.x >>`, `<< pipeline.parameters.x >>`, `<< pipeline.git.branch >>`,
//!   `<< matrix.x >>`: a reference, substituted by its value;
//! - `<<# parameters.x >>...<</ parameters.x >>`: a section, kept when the value is truthy;
//! - `<<^ parameters.x >>...<</ parameters.x >>`: an inverted section, kept when it is falsy;
//! - `<< pipeline.git.branch == "main" and 10 or 1 >>`: an expression (CircleCI's config
//!   templating accepts expressions between the brackets); every variable it names is reported
//!   as a reference of its own, with `in_expression` set;
//! - `\<<` is an escaped, literal `<<`.
//!
//! Spans are byte offsets into the string given, not into the file; [`source_span`] maps one to
//! the file (through [`crate::yaml::scalar_map`]).

use std::collections::BTreeMap;

use crate::base::span::Span;

/// What a reference names, from its first segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    /// `parameters.x`: a parameter of the enclosing job, command or executor.
    Parameter,
    /// `pipeline.parameters.x`: a declared pipeline parameter.
    PipelineParameter,
    /// `pipeline.x.y` other than `pipeline.parameters.*`: a pipeline value (built-in or not:
    /// ask [`is_builtin_pipeline_value`]).
    PipelineValue,
    /// `matrix.x`: a matrix parameter of a workflow job entry.
    Matrix,
    /// Anything else (`<<EOF >>` in a shell heredoc, a typo such as `<< paramters.x >>`).
    Other,
}

/// How a reference is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefForm {
    /// `<< name >>`, or a variable inside `<< expression >>`.
    Plain,
    /// `<<# name >>`
    Section,
    /// `<<^ name >>`
    InvertedSection,
    /// `<</ name >>`
    SectionEnd,
}

/// One reference found in a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub kind: RefKind,
    pub form: RefForm,
    /// The whole dotted name as written: `pipeline.parameters.x`.
    pub full_name: String,
    /// The name without its scope prefix: `x` for `parameters.x`, `pipeline.parameters.x` and
    /// `matrix.x`; the full name for pipeline values and `Other`.
    pub name: String,
    /// The whole `<< ... >>` tag (for a variable inside an expression: the variable only).
    pub span: Span,
    /// The dotted name only.
    pub name_span: Span,
    /// The variable is part of an expression `<< a == b >>`, not the whole tag.
    pub in_expression: bool,
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

fn classify(full: &str) -> (RefKind, String) {
    if let Some(rest) = full.strip_prefix("pipeline.parameters.") {
        (RefKind::PipelineParameter, rest.to_string())
    } else if full.starts_with("pipeline.") {
        (RefKind::PipelineValue, full.to_string())
    } else if let Some(rest) = full.strip_prefix("parameters.") {
        (RefKind::Parameter, rest.to_string())
    } else if let Some(rest) = full.strip_prefix("matrix.") {
        (RefKind::Matrix, rest.to_string())
    } else {
        (RefKind::Other, full.to_string())
    }
}

/// One `<< ... >>` tag: its span, sigil and the inner text with its offset.
struct Tag<'a> {
    start: usize,
    end: usize,
    sigil: Option<u8>,
    inner: &'a str,
    inner_start: usize,
}

/// Every `<< ... >>` tag of `text`, in order (escaped `\<<` skipped; `<<` with no closing `>>`
/// on the same line is not a tag).
fn tags(text: &str) -> Vec<Tag<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'<' && bytes[i + 1] == b'<' {
            if i > 0 && bytes[i - 1] == b'\\' {
                i += 2;
                continue;
            }
            let start = i;
            let mut j = i + 2;
            let sigil = match bytes.get(j) {
                Some(&c @ (b'#' | b'^' | b'/')) => {
                    j += 1;
                    Some(c)
                }
                _ => None,
            };
            // Find the closing `>>` before the end of the line.
            let mut k = j;
            let mut close = None;
            while k + 1 < bytes.len() && bytes[k] != b'\n' {
                if bytes[k] == b'>' && bytes[k + 1] == b'>' {
                    close = Some(k);
                    break;
                }
                k += 1;
            }
            match close {
                Some(c) => {
                    out.push(Tag {
                        start,
                        end: c + 2,
                        sigil,
                        inner: &text[j..c],
                        inner_start: j,
                    });
                    i = c + 2;
                }
                None => i += 2,
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The trimmed inner text of a tag as a single dotted name, with its offset.
fn single_name(inner: &str, inner_start: usize) -> Option<(&str, usize)> {
    let lead = inner.len() - inner.trim_start().len();
    let name = inner.trim();
    if !name.is_empty() && name.bytes().all(is_name_byte) && name.contains('.') {
        Some((name, inner_start + lead))
    } else if !name.is_empty() && name.bytes().all(is_name_byte) {
        // A bare word (`<<EOF >>`): still one name, kind Other.
        Some((name, inner_start + lead))
    } else {
        None
    }
}

/// Whether `name` could be what `template` becomes once its `<< ... >>` tags are substituted
/// (each tag stands for any text): `install-deps-<< parameters.os >>` may be
/// `install-deps-linux`. A text without tags must equal `name`.
pub fn template_may_be(template: &str, name: &str) -> bool {
    let tags = tags(template);
    if tags.is_empty() {
        return template == name;
    }
    // The literal pieces between the tags, matched in order with anything between them.
    let mut pieces = Vec::with_capacity(tags.len() + 1);
    let mut at = 0;
    for t in &tags {
        pieces.push(&template[at..t.start]);
        at = t.end;
    }
    pieces.push(&template[at..]);
    let (first, rest) = pieces.split_first().expect("at least one piece");
    let Some(mut left) = name.strip_prefix(first) else {
        return false;
    };
    let (last, middle) = rest.split_last().expect("a piece after each tag");
    for piece in middle {
        match left.find(piece) {
            Some(i) => left = &left[i + piece.len()..],
            None => return false,
        }
    }
    left.ends_with(last)
}

/// Every reference in `text`.
pub fn references(text: &str) -> Vec<Reference> {
    let mut out = Vec::new();
    for tag in tags(text) {
        let form = match tag.sigil {
            Some(b'#') => RefForm::Section,
            Some(b'^') => RefForm::InvertedSection,
            Some(b'/') => RefForm::SectionEnd,
            _ => RefForm::Plain,
        };
        if let Some((name, at)) = single_name(tag.inner, tag.inner_start) {
            let (kind, short) = classify(name);
            out.push(Reference {
                kind,
                form,
                full_name: name.to_string(),
                name: short,
                span: Span::new(tag.start, tag.end),
                name_span: Span::new(at, at + name.len()),
                in_expression: false,
            });
        } else if form == RefForm::Plain {
            // An expression: report each variable it names.
            for (name, at) in crate::lang::logic::expression_variables(tag.inner) {
                let (kind, short) = classify(&name);
                let at = tag.inner_start + at;
                out.push(Reference {
                    kind,
                    form,
                    full_name: name.clone(),
                    name: short,
                    span: Span::new(at, at + name.len()),
                    name_span: Span::new(at, at + name.len()),
                    in_expression: true,
                });
            }
        }
    }
    out
}

/// `text` with every plain `<< inner >>` tag replaced by `inner` (in parentheses when it is more
/// than one name): the form a direct
/// expression takes. `None` when there is no tag or a section tag (`<<# >>`).
pub fn unwrap_tags(text: &str) -> Option<String> {
    let tags = tags(text);
    if tags.is_empty() || tags.iter().any(|t| t.sigil.is_some()) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for t in &tags {
        out.push_str(&text[at..t.start]);
        let inner = t.inner.trim();
        if inner.contains(char::is_whitespace) {
            out.push('(');
            out.push_str(inner);
            out.push(')');
        } else {
            out.push_str(inner);
        }
        at = t.end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// Whether `text` contains any `<< ... >>` tag.
pub fn has_template(text: &str) -> bool {
    !tags(text).is_empty()
}

/// A typed pipeline value (or parameter value) that substitution and logic read.
#[derive(Clone, Debug, PartialEq)]
pub enum PipelineValue {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
}

impl PipelineValue {
    /// The text substituted for it inside a larger string.
    pub fn as_text(&self) -> String {
        match self {
            PipelineValue::Null => String::new(),
            PipelineValue::Bool(b) => b.to_string(),
            PipelineValue::Int(i) => i.to_string(),
            PipelineValue::Str(s) => s.clone(),
        }
    }

    /// Truthiness as CircleCI's logic statements define it: `false`, null, `0` and `""` are
    /// falsy, everything else truthy.
    pub fn truthy(&self) -> bool {
        match self {
            PipelineValue::Null => false,
            PipelineValue::Bool(b) => *b,
            PipelineValue::Int(i) => *i != 0,
            PipelineValue::Str(s) => !s.is_empty(),
        }
    }

    /// As written in an explanation: strings in backticks, others bare.
    pub fn describe(&self) -> String {
        match self {
            PipelineValue::Null => "null".to_string(),
            PipelineValue::Bool(b) => format!("`{b}`"),
            PipelineValue::Int(i) => format!("`{i}`"),
            PipelineValue::Str(s) if s.is_empty() => "empty".to_string(),
            PipelineValue::Str(s) => format!("`{s}`"),
        }
    }
}

/// The values known for one evaluation, by full reference name (`pipeline.git.branch`,
/// `pipeline.parameters.x`, `parameters.x`, `matrix.x`). A name that is absent is unknown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Env {
    values: BTreeMap<String, PipelineValue>,
}

impl Env {
    pub fn new() -> Env {
        Env::default()
    }

    pub fn set(&mut self, name: impl Into<String>, value: PipelineValue) -> &mut Env {
        self.values.insert(name.into(), value);
        self
    }

    pub fn with(mut self, name: impl Into<String>, value: PipelineValue) -> Env {
        self.set(name, value);
        self
    }

    pub fn get(&self, name: &str) -> Option<&PipelineValue> {
        self.values.get(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &PipelineValue)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// The result of substituting a string.
#[derive(Clone, Debug, PartialEq)]
pub struct Substituted {
    pub text: String,
    /// Names that had no value in the environment (their tags are left as written).
    pub missing: Vec<String>,
}

/// Substitute every reference of `text` that `env` knows; sections are kept or dropped by the
/// truthiness of their value. Unknown references are left as written (and listed in
/// `missing`); a section whose value is unknown keeps its body.
pub fn substitute_checked(text: &str, env: &Env) -> Substituted {
    let mut out = String::with_capacity(text.len());
    let mut missing = Vec::new();
    let mut last = 0;
    // Stack of open sections: (name, keep body, output length at open when dropping).
    let mut dropping: Vec<(String, bool)> = Vec::new();
    let keeping = |stack: &Vec<(String, bool)>| stack.iter().all(|(_, keep)| *keep);
    for tag in tags(text) {
        if keeping(&dropping) {
            out.push_str(&unescape(&text[last..tag.start]));
        }
        last = tag.end;
        let single = single_name(tag.inner, tag.inner_start).map(|(n, _)| n.to_string());
        match (tag.sigil, single) {
            (Some(b'#') | Some(b'^'), Some(name)) => {
                let keep = match env.get(&name) {
                    Some(v) => v.truthy() == (tag.sigil == Some(b'#')),
                    None => {
                        missing.push(name.clone());
                        true
                    }
                };
                dropping.push((name, keep));
            }
            (Some(b'/'), Some(name)) => {
                if let Some(pos) = dropping.iter().rposition(|(n, _)| *n == name) {
                    dropping.truncate(pos);
                }
            }
            (None, Some(name)) => {
                if keeping(&dropping) {
                    match env.get(&name) {
                        Some(v) => out.push_str(&v.as_text()),
                        None => {
                            missing.push(name);
                            out.push_str(&text[tag.start..tag.end]);
                        }
                    }
                }
            }
            _ => {
                if keeping(&dropping) {
                    match crate::lang::logic::eval_expression_text(tag.inner, env) {
                        Ok(v) => out.push_str(&v.as_text()),
                        Err(_) => {
                            missing.push(tag.inner.trim().to_string());
                            out.push_str(&text[tag.start..tag.end]);
                        }
                    }
                }
            }
        }
    }
    if keeping(&dropping) {
        out.push_str(&unescape(&text[last..]));
    }
    Substituted { text: out, missing }
}

/// `\<<` is a literal `<<`.
fn unescape(s: &str) -> String {
    s.replace("\\<<", "<<")
}

#[cfg(test)]
/// Substitute what `env` knows; unknown references stay as written.
pub fn substitute(text: &str, env: &Env) -> String {
    substitute_checked(text, env).text
}

/// If the whole of `text` (trimmed) is one `<< name >>` tag, that name and the tag's span.
/// CircleCI substitutes such a scalar with the value itself, keeping its type (a boolean
/// parameter stays a boolean).
pub fn whole_reference(text: &str) -> Option<Reference> {
    let refs = references(text);
    let trimmed = text.trim();
    match refs.as_slice() {
        [r] if r.form == RefForm::Plain
            && !r.in_expression
            && r.span.len() == trimmed.len()
            && r.span.start as usize == text.len() - text.trim_start().len() =>
        {
            Some(r.clone())
        }
        _ => None,
    }
}

/// If the whole of `text` is one `<< expression >>` tag (not a single name), its inner text.
pub fn whole_expression(text: &str) -> Option<&str> {
    let trimmed = text.trim();
    let all = tags(text);
    match all.as_slice() {
        [t] if t.sigil.is_none()
            && t.end - t.start == trimmed.len()
            && single_name(t.inner, t.inner_start).is_none() =>
        {
            Some(t.inner)
        }
        _ => None,
    }
}

/// The built-in pipeline values with exact names (from CircleCI's pipeline values reference and
/// the values its CLI fabricates for local validation).
const BUILTIN_PIPELINE_VALUES: &[&str] = &[
    "pipeline.id",
    "pipeline.number",
    "pipeline.name",
    "pipeline.project.git_url",
    "pipeline.project.type",
    // Not in the values table, but used by CircleCI's own CLI pipeline (serial-group keys).
    "pipeline.project.slug",
    "pipeline.git.tag",
    "pipeline.git.branch",
    "pipeline.git.branch.is_default",
    "pipeline.git.revision",
    "pipeline.git.base_revision",
    "pipeline.git.repo_id",
    "pipeline.git.repo_name",
    "pipeline.git.repo_owner",
    "pipeline.git.repo_url",
    "pipeline.in_setup",
    "pipeline.trigger_source",
    "pipeline.config_source",
    "pipeline.schedule.name",
    "pipeline.schedule.id",
    "pipeline.project.slug",
    "pipeline.definition.id",
    "pipeline.integration_source",
];

/// Families of built-in values whose members depend on the trigger (GitHub App, GitLab, custom
/// webhooks, rollbacks...): any name under these prefixes is accepted.
const BUILTIN_PIPELINE_PREFIXES: &[&str] = &[
    "pipeline.trigger_parameters.",
    "pipeline.event.",
    "pipeline.deploy.",
    "pipeline.git.commit.",
    "pipeline.config.",
    "pipeline.trigger.",
];

/// Whether `name` (a full name, `pipeline.git.branch`) is a built-in pipeline value.
/// `pipeline.parameters.*` are declared parameters, not built-ins: false here.
pub fn is_builtin_pipeline_value(name: &str) -> bool {
    BUILTIN_PIPELINE_VALUES.contains(&name)
        || BUILTIN_PIPELINE_PREFIXES
            .iter()
            .any(|p| name.len() > p.len() && name.starts_with(p))
}

/// The exact built-in names (for "did you mean").
pub fn builtin_pipeline_values() -> &'static [&'static str] {
    BUILTIN_PIPELINE_VALUES
}

/// Map a span inside a scalar node's value (as [`references`] returns) to the file, exactly
/// when [`crate::yaml::scalar_map`] can, else the whole scalar.
pub fn source_span(source: &str, node: &crate::yaml::Node, inner: Span) -> Span {
    crate::yaml::scalar_map::ScalarMap::new(source, node)
        .map(|m| m.span(inner.start as usize, inner.end as usize))
        .unwrap_or(node.use_span())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Env {
        Env::new()
            .with("pipeline.git.branch", PipelineValue::Str("main".into()))
            .with("pipeline.parameters.flag", PipelineValue::Bool(true))
            .with("pipeline.parameters.off", PipelineValue::Bool(false))
            .with("parameters.n", PipelineValue::Int(3))
            .with("matrix.os", PipelineValue::Str("linux".into()))
    }

    #[test]
    fn templates_may_be_names() {
        assert!(template_may_be(
            "install-deps-<< parameters.os >>",
            "install-deps-linux"
        ));
        assert!(template_may_be("<< parameters.arch >>_large", "arm_large"));
        assert!(template_may_be(
            "a-<<parameters.x>>-b-<< parameters.y >>",
            "a-1-b-2"
        ));
        assert!(!template_may_be(
            "install-deps-<< parameters.os >>",
            "setup"
        ));
        assert!(!template_may_be("<< parameters.arch >>_large", "arm_small"));
        assert!(template_may_be("plain", "plain"));
        assert!(!template_may_be("plain", "other"));
    }

    #[test]
    fn finds_each_kind_with_spans() {
        let text = "a << parameters.x >> b <<pipeline.parameters.y>> << pipeline.git.branch >> << matrix.os >>";
        let refs = references(text);
        let kinds: Vec<_> = refs.iter().map(|r| (r.kind, r.name.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                (RefKind::Parameter, "x"),
                (RefKind::PipelineParameter, "y"),
                (RefKind::PipelineValue, "pipeline.git.branch"),
                (RefKind::Matrix, "os"),
            ]
        );
        assert_eq!(refs[0].span.slice(text), "<< parameters.x >>");
        assert_eq!(refs[0].name_span.slice(text), "parameters.x");
        assert_eq!(refs[1].span.slice(text), "<<pipeline.parameters.y>>");
        assert_eq!(refs[1].name_span.slice(text), "pipeline.parameters.y");
    }

    #[test]
    fn sections_and_inverted_sections() {
        let text =
            "<<# parameters.a >>yes<</ parameters.a >><<^ parameters.b >>no<</ parameters.b >>";
        let refs = references(text);
        let forms: Vec<_> = refs.iter().map(|r| (r.form, r.name.as_str())).collect();
        assert_eq!(
            forms,
            vec![
                (RefForm::Section, "a"),
                (RefForm::SectionEnd, "a"),
                (RefForm::InvertedSection, "b"),
                (RefForm::SectionEnd, "b"),
            ]
        );
        assert_eq!(refs[0].name_span.slice(text), "parameters.a");
        assert!(refs.iter().all(|r| r.kind == RefKind::Parameter));
    }

    #[test]
    fn hyphenated_names_and_other_kinds() {
        let refs = references("<< pipeline.parameters.run-storybook-tests >> cat <<EOF >> f");
        assert_eq!(refs[0].name, "run-storybook-tests");
        assert_eq!(refs[1].kind, RefKind::Other);
        assert_eq!(refs[1].name, "EOF");
    }

    #[test]
    fn no_close_no_tag_and_escape() {
        assert!(references("cat <<EOF\nhello\nEOF").is_empty());
        assert!(references("echo \\<< parameters.x >>").is_empty());
        assert_eq!(substitute("echo \\<<x", &env()), "echo <<x");
    }

    #[test]
    fn expression_tags_report_their_variables() {
        let text = "<< pipeline.git.branch == \"main\" and pipeline.parameters.n or 1 >>";
        let refs = references(text);
        let names: Vec<_> = refs.iter().map(|r| r.full_name.as_str()).collect();
        assert_eq!(names, vec!["pipeline.git.branch", "pipeline.parameters.n"]);
        assert!(refs.iter().all(|r| r.in_expression));
        assert_eq!(refs[1].span.slice(text), "pipeline.parameters.n");
    }

    #[test]
    fn substitution_plain_sections_and_missing() {
        let e = env();
        assert_eq!(substitute("on << pipeline.git.branch >>!", &e), "on main!");
        assert_eq!(substitute("<< parameters.n >>x", &e), "3x");
        assert_eq!(
            substitute(
                "a<<# pipeline.parameters.flag >>B<</ pipeline.parameters.flag >>c",
                &e
            ),
            "aBc"
        );
        assert_eq!(
            substitute(
                "a<<# pipeline.parameters.off >>B<</ pipeline.parameters.off >>c",
                &e
            ),
            "ac"
        );
        assert_eq!(
            substitute(
                "a<<^ pipeline.parameters.off >>B<</ pipeline.parameters.off >>c",
                &e
            ),
            "aBc"
        );
        let s = substitute_checked("x << parameters.nope >> y", &e);
        assert_eq!(s.text, "x << parameters.nope >> y");
        assert_eq!(s.missing, vec!["parameters.nope".to_string()]);
    }

    #[test]
    fn substitution_of_an_expression_tag() {
        let e = env();
        assert_eq!(
            substitute("<< pipeline.git.branch == \"main\" and 10 or 1 >>", &e),
            "10"
        );
        let other = Env::new().with("pipeline.git.branch", PipelineValue::Str("dev".into()));
        assert_eq!(
            substitute("<< pipeline.git.branch == \"main\" and 10 or 1 >>", &other),
            "1"
        );
    }

    #[test]
    fn whole_reference_keeps_type() {
        assert_eq!(
            whole_reference(" << pipeline.parameters.flag >> ").map(|r| r.full_name),
            Some("pipeline.parameters.flag".to_string())
        );
        assert!(whole_reference("<< pipeline.parameters.flag >> == false").is_none());
        assert!(whole_reference("<< a.b >><< c.d >>").is_none());
        assert_eq!(whole_expression("<< a.b == 1 >>"), Some(" a.b == 1 "));
        assert_eq!(whole_expression("<< a.b >>"), None);
    }

    #[test]
    fn builtin_pipeline_values() {
        for name in [
            "pipeline.id",
            "pipeline.number",
            "pipeline.project.git_url",
            "pipeline.project.type",
            "pipeline.git.tag",
            "pipeline.git.branch",
            "pipeline.git.revision",
            "pipeline.git.base_revision",
            "pipeline.trigger_source",
            "pipeline.schedule.name",
            "pipeline.schedule.id",
            "pipeline.in_setup",
            "pipeline.project.slug",
            "pipeline.trigger_parameters.github_app.ref",
            "pipeline.trigger_parameters.webhook.body",
            "pipeline.event.name",
            "pipeline.event.github.pull_request.number",
            "pipeline.git.commit.subject",
            "pipeline.deploy.component_name",
        ] {
            assert!(is_builtin_pipeline_value(name), "{name}");
        }
        for name in [
            "pipeline.git.sha",
            "pipeline.branch",
            "pipeline.parameters.x",
            "pipeline.event.",
            "pipeline.trigger_parameters",
        ] {
            assert!(!is_builtin_pipeline_value(name), "{name}");
        }
    }

    #[test]
    fn maps_spans_to_the_source() {
        let source = "k: \"a << parameters.x >>\"\n";
        let doc = crate::yaml::parse(source);
        let node = doc.root.as_ref().and_then(|r| r.get("k")).expect("k");
        let text = node.as_str().expect("string");
        let r = &references(text)[0];
        let s = source_span(source, node, r.name_span);
        assert_eq!(s.slice(source), "parameters.x");
    }
}
