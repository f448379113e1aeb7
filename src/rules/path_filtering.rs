//! Dynamic config: what a setup config hands to the config it continues with.
//!
//! - `path-filtering-mapping`: the `mapping` of the `circleci/path-filtering` orb's `filter` job
//!   (or its `set-parameters` command) is a table, one rule per line: `path-regex
//!   parameter-name value [config-path]`, fields separated by whitespace, blank lines and lines
//!   starting with `#` skipped. The orb reads it at run time: every rule must have the same
//!   number of fields (3 or 4), the regex is matched against each changed file (anchored at
//!   both ends), and the value is read as JSON (`true`, `1`, `"text"`). A broken table fails
//!   the filter job, so the pipeline never continues.
//! - `continuation-parameters`: the parameters a setup config passes (mapping rules, or the
//!   continuation orb's `parameters` JSON) must be declared in the continued config, with a
//!   value of the declared type; CircleCI refuses the continuation otherwise.
//! - `continuation-config-missing`: the continued config does not exist in the repository.
//!
//! Files are looked up relative to the repository root: the folder above `.circleci/` when the
//! linted file is in one; for a config elsewhere (or read from stdin) the cross-file checks are
//! skipped, because where the job's checkout puts it is unknown.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Rule;
use super::continuation::{ContinuationCall, Member, calls};
use crate::analysis::context::Context;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::span::Span;
use crate::base::text::did_you_mean;
use crate::config::model::ParamType;
use crate::yaml::Node;
use crate::yaml::scalar_map::ScalarMap;

pub static PATH_FILTERING_MAPPING: Rule = Rule {
    id: "path-filtering-mapping",
    severity: Severity::Error,
    summary: "a path-filtering `mapping` rule the orb cannot read: wrong field count, a value that is not JSON, a broken regex",
    explanation: include_str!("docs/path-filtering-mapping.md"),
    category: super::Category::Correctness,
    check: Some(check_mapping),
};

pub static CONTINUATION_PARAMETERS: Rule = Rule {
    id: "continuation-parameters",
    severity: Severity::Error,
    summary: "a setup config passes a pipeline parameter that the continued config does not declare, or a value of the wrong type",
    explanation: include_str!("docs/continuation-parameters.md"),
    category: super::Category::Correctness,
    check: Some(check_parameters),
};

pub static CONTINUATION_CONFIG_MISSING: Rule = Rule {
    id: "continuation-config-missing",
    severity: Severity::Warning,
    summary: "a setup config continues with a config file that does not exist in the repository",
    explanation: include_str!("docs/continuation-config-missing.md"),
    category: super::Category::Correctness,
    check: Some(check_missing),
};

/// One field of a mapping rule: its text and its source span.
#[derive(Clone, Debug)]
pub struct Field {
    pub text: String,
    pub span: Span,
}

/// One rule of a mapping table.
#[derive(Clone, Debug)]
pub struct MappingRule {
    /// The whole line (trimmed), for findings about the rule as a whole.
    pub span: Span,
    /// 1-based line within the table.
    pub line: usize,
    pub fields: Vec<Field>,
}

/// The rules of a mapping table: one per line that is neither blank nor a `#` comment, split
/// on whitespace, as the orb reads it. `map` gives each field's source span (`fallback` when
/// there is none).
pub fn parse_mapping(text: &str, map: Option<&ScalarMap>, fallback: Span) -> Vec<MappingRule> {
    let span = |a: usize, b: usize| map.map(|m| m.span(a, b)).unwrap_or(fallback);
    let mut rules = Vec::new();
    let mut offset = 0;
    for (i, line) in text.split('\n').enumerate() {
        let start = offset;
        offset += line.len() + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut fields = Vec::new();
        let mut pos = 0;
        for word in line.split_whitespace() {
            let at = pos + line[pos..].find(word).unwrap_or(0);
            pos = at + word.len();
            fields.push(Field {
                text: word.to_string(),
                span: span(start + at, start + at + word.len()),
            });
        }
        let lead = line.len() - line.trim_start().len();
        rules.push(MappingRule {
            span: span(start + lead, start + lead + trimmed.len()),
            line: i + 1,
            fields,
        });
    }
    rules
}

/// Where the files a setup config names are looked up: the folder above `.circleci/` when the
/// linted file is in one.
pub fn repository_root(path: &str) -> Option<PathBuf> {
    let file = Path::new(path);
    if !file.is_file() {
        return None;
    }
    let dir = file.parent()?;
    (dir.file_name()? == ".circleci").then(|| dir.parent().unwrap_or(Path::new("")).to_path_buf())
}

/// A mapping argument: its rules, or why they cannot be read.
enum Table {
    /// Written in the config.
    Inline(Vec<MappingRule>),
    /// The argument names a file (the orb reads a mapping from a file when one exists at that
    /// path); the rules with spans of the argument, and the file's name.
    File(String, Vec<MappingRule>),
    /// Not readable here: a parameter reference, or a file cilint cannot find.
    Unknown,
}

fn table(cx: &Context, node: &Node) -> Table {
    let Some(text) = node.scalar_text() else {
        return Table::Unknown;
    };
    if text.contains("<<") {
        return Table::Unknown;
    }
    let map = ScalarMap::new(cx.source, node);
    let rules = parse_mapping(text, map.as_ref(), node.span);
    if let [only] = rules.as_slice()
        && only.fields.len() == 1
    {
        let name = only.fields[0].text.clone();
        let file = repository_root(cx.path).map(|root| root.join(&name));
        return match file.and_then(|f| std::fs::read_to_string(f).ok()) {
            Some(contents) => Table::File(name, parse_mapping(&contents, None, only.span)),
            // A lone path-like word is most likely a mapping file that is not in the checkout
            // here (or is generated by an earlier step): nothing to check.
            None if name.contains('/') || name.contains('.') => Table::Unknown,
            None => Table::Inline(rules),
        };
    }
    Table::Inline(rules)
}

fn check_mapping(cx: &Context, out: &mut Vec<Diagnostic>) {
    for call in calls(cx.config) {
        if !matches!(call.member, Member::Filter | Member::SetParameters) {
            continue;
        }
        let Some(node) = call.args.and_then(|a| a.get("mapping")) else {
            out.push(
                PATH_FILTERING_MAPPING
                    .at(
                        call.name.span,
                        format!("`{}` has no `mapping`: the orb stops with \"Mapping cannot be empty!\"", call.name.text),
                    )
                    .severity(Severity::Warning)
                    .label("no mapping given")
                    .help("add `mapping:` with one rule per line: `path-regex parameter-name value`, e.g. `src/.* run-build true`"),
            );
            continue;
        };
        let (rules, file) = match table(cx, node) {
            Table::Inline(rules) => (rules, None),
            Table::File(name, rules) => (rules, Some(name)),
            Table::Unknown => continue,
        };
        let whence = |rule: &MappingRule| match &file {
            Some(name) => format!(" (line {} of `{name}`)", rule.line),
            None => String::new(),
        };
        let Some(first) = rules.first() else {
            out.push(
                PATH_FILTERING_MAPPING
                    .at(node.span, "the `mapping` has no rule: the orb stops with \"Mapping cannot be empty!\"")
                    .severity(Severity::Warning)
                    .label("no rule here")
                    .help("write one rule per line: `path-regex parameter-name value`, e.g. `src/.* run-build true`"),
            );
            continue;
        };
        let width = first.fields.len();
        if width != 3 && width != 4 {
            out.push(
                PATH_FILTERING_MAPPING
                    .at(
                        first.span,
                        format!(
                            "this mapping rule has {width} field{}{}; a rule is `path-regex parameter-name value` with an optional `config-path`",
                            if width == 1 { "" } else { "s" },
                            whence(first)
                        ),
                    )
                    .label(format!("{width} field{}", if width == 1 { "" } else { "s" }))
                    .help("separate the fields with spaces, one rule per line; a value with spaces cannot be written (the orb splits on whitespace)"),
            );
            continue;
        }
        for rule in &rules {
            if rule.fields.len() != width {
                out.push(
                    PATH_FILTERING_MAPPING
                        .at(
                            rule.span,
                            format!(
                                "this mapping rule has {} fields but the first has {width}{}: every rule must have the same number",
                                rule.fields.len(),
                                whence(rule)
                            ),
                        )
                        .label(format!("{} fields", rule.fields.len()))
                        .with_label(first.span, format!("the first rule has {width}"))
                        .help(if width == 4 {
                            "give every rule a config-path, or none of them"
                        } else {
                            "write every rule as `path-regex parameter-name value` (a config-path on every rule or on none)"
                        }),
                );
                continue;
            }
            check_rule(rule, &whence(rule), values_as_json(cx, &call), out);
        }
    }
}

/// Whether the orb version a call uses requires JSON values in `mapping`: versions before
/// 2.0.0 (a Python script) parse each value as JSON and fail on anything else; from 2.0.0 (a
/// shell script with `jq`) a value that is not JSON is taken as a string. `None` when the
/// version is not known (`@volatile`, a parameter).
fn values_as_json(cx: &Context, call: &crate::rules::continuation::ContinuationCall) -> Option<bool> {
    let alias = crate::config::model::orb_ref(call.name.text)?.orb;
    let reference = cx.config.orb(alias)?.reference()?;
    let version = reference.split_once('@')?.1;
    let major: u32 = version.split('.').next()?.parse().ok()?;
    Some(major < 2)
}

/// The regex and the value of one well-formed rule.
fn check_rule(rule: &MappingRule, whence: &str, json: Option<bool>, out: &mut Vec<Diagnostic>) {
    let regex = &rule.fields[0];
    let value = &rule.fields[2];
    if json != Some(false) && serde_json::from_str::<serde_json::Value>(&value.text).is_err() {
        let quoted = serde_json::to_string(&value.text).unwrap_or_default();
        let d = PATH_FILTERING_MAPPING.at(
            value.span,
            if json == Some(true) {
                format!(
                    "the value `{}` is not JSON{whence}: this version of the orb (before 2.0.0) fails reading it when a changed file matches `{}`",
                    value.text, regex.text
                )
            } else {
                format!(
                    "the value `{}` is not JSON{whence}: orb versions before 2.0.0 fail reading it when a changed file matches `{}` (later ones take it as a string)",
                    value.text, regex.text
                )
            },
        );
        out.push(
            d.severity(if json == Some(true) { Severity::Error } else { Severity::Warning })
                .label("not a JSON value")
                .help(format!(
                    "write the value as JSON: `{quoted}` for a string, or `true`, `false`, a number"
                )),
        );
    }
    if let Some(problem) = regex_problem(&regex.text) {
        // cilint reads the regex with another engine than the orb's Python: only a broken
        // structure (an unclosed group or class) is certain to fail there too.
        let certain = ["unclosed", "unopened"].iter().any(|w| problem.contains(w));
        out.push(
            PATH_FILTERING_MAPPING
                .at(regex.span, format!("the path regex `{}` is not a valid regular expression{whence}: {problem}", regex.text))
                .severity(if certain { Severity::Error } else { Severity::Warning })
                .label("invalid regex")
                .help("the path is a regular expression matched against the whole path of each changed file: `src/.*`, `docs/.*\\.md`"),
        );
    } else if let Some(glob) = glob_like(&regex.text) {
        out.push(
            PATH_FILTERING_MAPPING
                .at(
                    regex.span,
                    format!(
                        "the path regex `{}` looks like a glob{whence}: as a regex it matches {glob}",
                        regex.text
                    ),
                )
                .severity(Severity::Warning)
                .label("a glob, read as a regex")
                .help("the path is a regular expression over the whole path: write `dir/.*` for everything under `dir/`, `.*\\.md` for Markdown files"),
        );
    }
}

/// Why a path regex does not compile, ignoring what only Python's dialect has (look-around,
/// back-references), which the orb's Python accepts.
fn regex_problem(pattern: &str) -> Option<String> {
    let python_only = [
        "(?=", "(?!", "(?<=", "(?<!", "(?P=", "(?#", "(?>", "\\Z", "\\N{", "*+", "++", "?+",
    ];
    if python_only.iter().any(|p| pattern.contains(p))
        || pattern
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b'\\' && w[1].is_ascii_digit() && w[1] != b'0')
    {
        return None;
    }
    match regex::Regex::new(&format!("^(?:{pattern})$")) {
        Ok(_) => None,
        Err(regex::Error::CompiledTooBig(_)) => None,
        Err(e) => {
            let text = e.to_string();
            // The last line of the parser's message says what is wrong.
            let reason = text
                .lines()
                .rev()
                .find(|l| l.starts_with("error:"))
                .map(|l| l.trim_start_matches("error:").trim().to_string())
                .unwrap_or(text);
            Some(reason)
        }
    }
}

/// What a glob-looking regex really matches, when it is one.
fn glob_like(pattern: &str) -> Option<&'static str> {
    if pattern.contains("**") {
        return Some("nothing useful (`**` repeats the character before it)");
    }
    let b = pattern.as_bytes();
    let starred_slash = b
        .windows(2)
        .enumerate()
        .any(|(i, w)| w == b"/*" && (i == 0 || b[i - 1] != b'\\'));
    if starred_slash {
        return Some("only the folder name followed by slashes (`/*` is \"any number of `/`\")");
    }
    None
}

/// The pipeline parameters a config declares (name -> type and enum values), loaded once per
/// file.
type Declared = HashMap<String, (Option<ParamType>, Vec<String>)>;

fn load_declared(path: &Path) -> Option<Declared> {
    let bytes = std::fs::read(path).ok()?;
    let text = crate::yaml::decode(&bytes).ok()?;
    let doc = crate::yaml::parse(&text);
    doc.root.as_ref()?;
    let cfg = crate::analysis::context::model(&doc);
    let declared = cfg
        .parameters
        .iter()
        .map(|p| {
            let values = p
                .enum_values
                .iter()
                .filter_map(|v| v.scalar_text().map(str::to_string))
                .collect();
            (p.name.text.to_string(), (p.ty, values))
        })
        .collect();
    Some(declared)
}

/// A parameter value passed to a continued config.
struct Passed {
    name: String,
    name_span: Span,
    value: serde_json::Value,
    value_span: Span,
    /// The continued config, as written (relative to the repository root).
    config: String,
}

/// The continued config of a call, when it names a file (not a parameter reference).
fn continued_file(call: &ContinuationCall<'_>) -> Option<String> {
    let (path, _) = call.continued_config()?;
    (!path.contains("<<")).then(|| path.to_string())
}

fn check_parameters(cx: &Context, out: &mut Vec<Diagnostic>) {
    if !cx.config.setup {
        return;
    }
    let Some(root) = repository_root(cx.path) else {
        return;
    };
    let mut passed = Vec::new();
    let calls = calls(cx.config);
    for call in &calls {
        match call.member {
            Member::Filter => {
                let Some(default) = continued_file(call) else {
                    continue;
                };
                let Some(node) = call.args.and_then(|a| a.get("mapping")) else {
                    continue;
                };
                // Rules read from a mapping file have no span of their own to point at.
                let Table::Inline(rules) = table(cx, node) else {
                    continue;
                };
                let width = rules.first().map_or(0, |r| r.fields.len());
                if width != 3 && width != 4 {
                    continue;
                }
                for rule in rules.iter().filter(|r| r.fields.len() == width) {
                    let Ok(value) = serde_json::from_str(&rule.fields[2].text) else {
                        continue;
                    };
                    let config = rule
                        .fields
                        .get(3)
                        .map_or(default.clone(), |f| f.text.clone());
                    passed.push(Passed {
                        name: rule.fields[1].text.clone(),
                        name_span: rule.fields[1].span,
                        value,
                        value_span: rule.fields[2].span,
                        config,
                    });
                }
            }
            Member::Continue => {
                let Some(config) = continued_file(call) else {
                    continue;
                };
                let Some(node) = call.args.and_then(|a| a.get("parameters")) else {
                    continue;
                };
                let Some(text) = node.scalar_text() else {
                    continue;
                };
                // A JSON object written in the config (else it names a file written at run time).
                if !text.trim_start().starts_with('{') || text.contains("<<") {
                    continue;
                }
                let Ok(serde_json::Value::Object(object)) = serde_json::from_str(text) else {
                    continue;
                };
                let map = ScalarMap::new(cx.source, node);
                for (name, value) in object {
                    let (key, val) = json_member_ranges(text, &name).unwrap_or_default();
                    let span = |r: (usize, usize)| match &map {
                        Some(m) if r.1 > r.0 => m.span(r.0, r.1),
                        _ => node.span,
                    };
                    passed.push(Passed {
                        name,
                        name_span: span(key),
                        value,
                        value_span: span(val),
                        config: config.clone(),
                    });
                }
            }
            Member::SetParameters => {}
        }
    }
    let mut cache: HashMap<String, Option<Declared>> = HashMap::new();
    for p in &passed {
        if p.config.contains("<<") {
            continue;
        }
        let declared = cache
            .entry(p.config.clone())
            .or_insert_with(|| load_declared(&root.join(&p.config)));
        let Some(declared) = declared else { continue };
        match declared.get(&p.name) {
            None => {
                let names = declared.keys().map(String::as_str);
                let hint = did_you_mean(&p.name, names)
                    .map(|s| format!("{s} Otherwise "))
                    .unwrap_or_default();
                out.push(
                    CONTINUATION_PARAMETERS
                        .at(
                            p.name_span,
                            format!(
                                "pipeline parameter `{}` is not declared in `{}`: the continuation is refused with \"Unexpected argument(s)\"",
                                p.name, p.config
                            ),
                        )
                        .label("not declared in the continued config")
                        .help(format!(
                            "{hint}declare it under `parameters:` in `{}` (e.g. `{}: {{type: {}, default: {}}}`)",
                            p.config,
                            p.name,
                            declaration_for(&p.value).0,
                            declaration_for(&p.value).1
                        )),
                );
            }
            Some((ty, values)) => {
                if let Some(expected) = mismatch(*ty, values, &p.value) {
                    out.push(
                        CONTINUATION_PARAMETERS
                            .at(
                                p.value_span,
                                format!(
                                    "`{}` is given {} but `{}` declares it as {expected}",
                                    p.name,
                                    describe(&p.value),
                                    p.config
                                ),
                            )
                            .label(format!("expected {expected}"))
                            .help(format!(
                                "pass {expected}, or change the parameter's declaration in `{}`",
                                p.config
                            )),
                    );
                }
            }
        }
    }
}

/// The byte ranges of a top-level member's key (with its quotes) and value in a JSON object
/// text, found by a small scan that keeps track of strings and nesting.
fn json_member_ranges(text: &str, name: &str) -> Option<((usize, usize), (usize, usize))> {
    let b = text.as_bytes();
    let quoted = serde_json::to_string(name).ok()?;
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                let end = (i + 1).min(b.len());
                if depth == 1 && text.get(start..end) == Some(quoted.as_str()) {
                    let mut j = end;
                    while j < b.len() && b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    if b.get(j) != Some(&b':') {
                        i = end;
                        continue;
                    }
                    j += 1;
                    while j < b.len() && b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    let value_start = j;
                    let (mut k, mut nest, mut in_str) = (j, 0usize, false);
                    while k < b.len() {
                        let c = b[k];
                        if in_str {
                            if c == b'\\' {
                                k += 1;
                            } else if c == b'"' {
                                in_str = false;
                            }
                        } else if c == b'"' {
                            in_str = true;
                        } else if c == b'{' || c == b'[' {
                            nest += 1;
                        } else if c == b'}' || c == b']' {
                            if nest == 0 {
                                break;
                            }
                            nest -= 1;
                        } else if c == b',' && nest == 0 {
                            break;
                        }
                        k += 1;
                    }
                    let value_end =
                        value_start + text[value_start..k.min(b.len())].trim_end().len();
                    return Some(((start, end), (value_start, value_end)));
                }
                i = end;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// What is wrong with a value for a parameter of type `ty` (`None` when it fits).
fn mismatch(ty: Option<ParamType>, values: &[String], value: &serde_json::Value) -> Option<String> {
    use serde_json::Value as J;
    match (ty?, value) {
        (ParamType::Boolean, J::Bool(_)) => None,
        (ParamType::Boolean, _) => Some("a boolean (`true` or `false`)".into()),
        (ParamType::Integer, J::Number(n)) if n.is_i64() || n.is_u64() => None,
        (ParamType::Integer, _) => Some("an integer".into()),
        (ParamType::String | ParamType::EnvVarName, J::String(_)) => None,
        (ParamType::String | ParamType::EnvVarName, _) => Some("a string (`\"text\"`)".into()),
        (ParamType::Enum, J::String(s)) if values.iter().any(|v| v == s) => None,
        (ParamType::Enum, _) => Some(format!(
            "one of {}",
            values
                .iter()
                .map(|v| format!("`\"{v}\"`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ => None,
    }
}

/// A declaration (type and default) that accepts `value`.
fn declaration_for(value: &serde_json::Value) -> (&'static str, &'static str) {
    match value {
        serde_json::Value::Bool(_) => ("boolean", "false"),
        serde_json::Value::Number(_) => ("integer", "0"),
        _ => ("string", "\"\""),
    }
}

fn describe(value: &serde_json::Value) -> String {
    use serde_json::Value as J;
    match value {
        J::Bool(b) => format!("the boolean `{b}`"),
        J::Number(n) => format!("the number `{n}`"),
        J::String(s) => format!("the string `\"{s}\"`"),
        J::Null => "`null`".into(),
        J::Array(_) => "a list".into(),
        J::Object(_) => "an object".into(),
    }
}

fn check_missing(cx: &Context, out: &mut Vec<Diagnostic>) {
    if !cx.config.setup {
        return;
    }
    let Some(root) = repository_root(cx.path) else {
        return;
    };
    let siblings = || -> Vec<String> {
        let dir = root.join(".circleci");
        std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml"))
                    .map(|n| format!(".circleci/{n}"))
                    .collect()
            })
            .unwrap_or_default()
    };
    // The scripts of the setup config: a continued config that one of them names is written
    // by the setup job (`yq ... > continue.yml`, `cp`), not kept in the repository.
    let scripts: Vec<&str> = cx
        .config
        .all_steps()
        .into_iter()
        .filter_map(|(_, st)| st.run_command().and_then(|c| c.as_str()))
        .collect();
    let workflow_jobs: Vec<Span> = cx
        .config
        .workflows
        .iter()
        .flat_map(|w| w.jobs.iter().map(|inv| inv.job.span))
        .collect();
    let report = |path: &str, span: Span, written: bool, step: bool, out: &mut Vec<Diagnostic>| {
        if path.contains("<<") || path.is_empty() || Path::new(path).is_absolute() {
            return;
        }
        if root.join(path).exists() {
            return;
        }
        let base = Path::new(path)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(path);
        if scripts.iter().any(|s| s.contains(base)) {
            return;
        }
        // A continuation step after `run` steps (a generator script, a build tool) may
        // continue with what they wrote: cilint cannot tell.
        let maybe_generated = step && !scripts.is_empty();
        let names = siblings();
        let hint = did_you_mean(path, names.iter().map(String::as_str))
            .map(|s| format!("{s} Otherwise "))
            .unwrap_or_default();
        let message = if written {
            format!("the continued config `{path}` does not exist in this repository")
        } else {
            format!(
                "the continued config is `{path}` by default, and it does not exist in this repository"
            )
        };
        let d = CONTINUATION_CONFIG_MISSING
            .at(span, message)
            .label("no such file")
            .help(format!(
                "{hint}create the file; if an earlier step generates it, suppress this finding with `# cilint: ignore[continuation-config-missing]`"
            ));
        out.push(if maybe_generated {
            d.severity(Severity::Info)
                .help("if a `run` step of the setup job writes it, nothing to do; otherwise create the file")
        } else {
            d
        });
    };
    for call in calls(cx.config) {
        if let Some((path, node)) = call.continued_config() {
            let span = node.map_or(call.name.span, |n| n.span);
            let step = !workflow_jobs.contains(&call.name.span);
            report(path, span, node.is_some(), step, out);
        }
        if call.member == Member::Filter
            && let Some(mapping) = call.args.and_then(|a| a.get("mapping"))
            && let Table::Inline(rules) = table(cx, mapping)
        {
            let mut seen = Vec::new();
            for rule in rules.iter().filter(|r| r.fields.len() == 4) {
                let f = &rule.fields[3];
                if !seen.contains(&f.text) {
                    seen.push(f.text.clone());
                    report(&f.text, f.span, true, false, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_rules_skip_blank_and_comment_lines() {
        let rules = parse_mapping(
            "src/.* run-src true\n\n  # note\ndocs/.* run-docs \"yes\" .circleci/docs.yml\n",
            None,
            Span::new(0, 0),
        );
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].fields.len(), 3);
        assert_eq!(rules[1].line, 4);
        assert_eq!(rules[1].fields[3].text, ".circleci/docs.yml");
    }

    #[test]
    fn regexes_of_the_python_dialect_are_not_reported() {
        assert!(regex_problem("src/(?!vendor).*").is_none());
        assert!(regex_problem("(a)\\1").is_none());
        assert!(regex_problem("src/.*").is_none());
        assert!(regex_problem("src/(.*").is_some());
    }

    #[test]
    fn json_members_are_located() {
        let text = r#"{"a": {"x": 1}, "b" : "s,}", "c":[1, 2] }"#;
        let find = |n| json_member_ranges(text, n).map(|(k, v)| (&text[k.0..k.1], &text[v.0..v.1]));
        assert_eq!(find("a"), Some((r#""a""#, r#"{"x": 1}"#)));
        assert_eq!(find("b"), Some((r#""b""#, r#""s,}""#)));
        assert_eq!(find("c"), Some((r#""c""#, "[1, 2]")));
        assert_eq!(find("x"), None);
    }

    #[test]
    fn non_json_values_by_orb_version() {
        let found = |version: &str| {
            let src = format!(
                "version: 2.1\nsetup: true\norbs:\n  pf: circleci/path-filtering@{version}\nworkflows:\n  s:\n    jobs:\n      - pf/filter:\n          mapping: |\n            docs/.* area docs\n            src/.* build true\n"
            );
            crate::rules::env_vars::tests::run_rule(
                &PATH_FILTERING_MAPPING,
                &src,
                &crate::config::settings::Settings::default(),
            )
            .iter()
            .map(|d| d.severity)
            .collect::<Vec<_>>()
        };
        // Before 2.0.0 the orb parses each value as JSON: `docs` fails.
        assert_eq!(found("1.0.0"), [Severity::Error]);
        // From 2.0.0 it is a string.
        assert!(found("2.0.0").is_empty());
        assert!(found("3.0.0").is_empty());
        // Unknown version: a warning.
        assert_eq!(found("volatile"), [Severity::Warning]);
    }

    #[test]
    fn globs_are_recognised() {
        assert!(glob_like("src/*").is_some());
        assert!(glob_like("src/**/x").is_some());
        assert!(glob_like("src/.*").is_none());
        assert!(glob_like("src/[^/]*\\.rs").is_none());
        assert!(glob_like("a\\/*").is_none());
    }
}
