//! The shape of the code, checked: the layers of `src/` import only the layers below them (so
//! no two top-level modules import each other, directly or not), no source file holds more
//! than 1,000 lines of non-test code, and `src/` has at most 14 top-level modules.
//!
//! The layers, lowest first (README, "Architecture"). A layer may name the ones before it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const LAYERS: &[&str] = &[
    "base", "yaml", "lang", "config", "analysis", "rules", "pipeline", "output", "cli",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file belongs to (`lib` and `main` for the crate roots).
fn module_of(path: &Path) -> String {
    let rel = path.strip_prefix(src()).expect("under src");
    let first = rel.components().next().expect("a component");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_string()
}

/// A file's lines that are not test code: everything before the first `#[cfg(test)]` at the
/// start of a line (test modules come last), none of a `tests.rs` file.
fn non_test_lines(path: &Path, text: &str) -> Vec<String> {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return Vec::new();
    }
    text.lines()
        .take_while(|l| !l.starts_with("#[cfg(test)]"))
        .map(str::to_string)
        .collect()
}

/// The top-level modules a line names as `crate::x` (outside comments).
fn named_modules(line: &str) -> Vec<String> {
    let code = line.split("//").next().unwrap_or("");
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.push(name);
        }
    }
    // `use crate::{a, b::c}`.
    if let Some(i) = code.find("crate::{") {
        let inner = &code[i + "crate::{".len()..];
        for part in inner.split([',', '}']) {
            let name: String = part
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

#[test]
fn layers_import_only_the_layers_below() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut wrong: Vec<String> = Vec::new();
    let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in &files {
        let module = module_of(path);
        let Some(own) = LAYERS.iter().position(|l| *l == module) else {
            assert!(
                module == "lib" || module == "main",
                "{}: `{module}` is not a layer of LAYERS",
                path.display()
            );
            continue;
        };
        let text = std::fs::read_to_string(path).expect("readable");
        for (n, line) in non_test_lines(path, &text).iter().enumerate() {
            for named in named_modules(line) {
                let Some(other) = LAYERS.iter().position(|l| *l == named) else {
                    continue; // an item of the crate root (`crate::Settings`)
                };
                if other != own {
                    edges.entry(module.clone()).or_default().push(named.clone());
                }
                if other > own {
                    wrong.push(format!(
                        "{}:{}: layer `{module}` names the higher layer `{named}`",
                        path.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Every layer but the lowest uses some layer below it: the list is not stale.
    for layer in &LAYERS[1..] {
        assert!(
            edges.contains_key(*layer),
            "`{layer}` imports nothing: is it still a layer?"
        );
    }
}

#[test]
fn no_file_holds_more_than_1000_lines_of_non_test_code() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut big = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable");
        let n = non_test_lines(path, &text).len();
        if n > 1000 {
            big.push(format!("{}: {n} lines", path.display()));
        }
    }
    assert!(big.is_empty(), "{}", big.join("\n"));
}

#[test]
fn src_has_at_most_14_top_level_modules() {
    let modules: Vec<String> = std::fs::read_dir(src())
        .expect("src is readable")
        .flatten()
        .map(|e| {
            e.file_name()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .filter(|m| m != "lib" && m != "main")
        .collect();
    assert!(modules.len() <= 14, "{modules:?}");
    for m in &modules {
        assert!(LAYERS.contains(&m.as_str()), "`{m}` is not in LAYERS");
    }
}
