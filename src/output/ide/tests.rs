use super::*;
use crate::analysis::symbols::symbols;
use crate::config::settings::Settings;

const SRC: &str = "version: 2.1
parameters:
  deploy:
    type: boolean
    default: false
commands:
  greet:
    description: Say hello
    parameters:
      who: {type: string, default: you}
    steps:
      - run: echo << parameters.who >>
jobs:
  build:
    docker:
      - image: cimg/base:2024.01
    steps:
      - greet:
          who: me
workflows:
  main:
    jobs:
      - build
";

fn at(needle: &str, nth: usize) -> usize {
    SRC.match_indices(needle).nth(nth).unwrap().0 + 1
}

fn with<R>(f: impl FnOnce(&Context) -> R) -> R {
    crate::pipeline::inspect(SRC, "c.yml", &Settings::default(), f)
}

#[test]
fn hovers() {
    with(|cx| {
        let s = symbols(cx);
        let h = hover(cx, &s, at("greet", 1)).unwrap();
        assert!(h.markdown.contains("**command** `greet`"), "{}", h.markdown);
        assert!(
            h.markdown.contains("| `who` | string | `\"you\"` |"),
            "{}",
            h.markdown
        );
        let h = hover(cx, &s, at("who >>", 0)).unwrap();
        assert!(
            h.markdown
                .contains("**parameter** `who` of command `greet`"),
            "{}",
            h.markdown
        );
        let h = hover(cx, &s, at("docker", 0)).unwrap();
        assert!(h.markdown.contains("`docker`"), "{}", h.markdown);
    });
}

#[test]
fn outlines_and_folds() {
    with(|cx| {
        let s = symbols(cx);
        let names: Vec<(String, SymbolKind)> =
            outline(&s).into_iter().map(|o| (o.name, o.kind)).collect();
        assert_eq!(
            names,
            vec![
                ("deploy".to_string(), SymbolKind::PipelineParameter),
                ("greet".to_string(), SymbolKind::Command),
                ("build".to_string(), SymbolKind::Job),
                ("main".to_string(), SymbolKind::Workflow),
            ]
        );
        let f = folds(cx);
        assert!(f.contains(&(13, 19)), "{f:?}");
        assert!(f.contains(&(6, 12)), "{f:?}");
    });
}

fn labels(text: &str, offset: usize) -> Vec<String> {
    complete(text, "c.yml", &Settings::default(), offset)
        .into_iter()
        .map(|c| c.label)
        .collect()
}

#[test]
fn completes() {
    // A key of a job.
    let text = SRC.replace("    docker:\n", "    resou\n    docker:\n");
    let at = text.find("resou").unwrap() + 5;
    let got = labels(&text, at);
    assert!(got.contains(&"resource_class".to_string()), "{got:?}");
    assert!(!got.contains(&"docker".to_string()), "{got:?}");
    // A step.
    let text = SRC.replace("      - greet:\n", "      - gr\n      - greet:\n");
    let at = text.find("- gr\n").unwrap() + 4;
    let got = labels(&text, at);
    assert!(
        got.contains(&"greet".to_string()) && got.contains(&"checkout".to_string()),
        "{got:?}"
    );
    // A command's parameter.
    let text = SRC.replace("          who: me\n", "          who: me\n          w\n");
    let got = labels(&text, text.find("          w\n").unwrap() + 11);
    assert!(!got.contains(&"who".to_string()), "given already: {got:?}");
    let text = SRC.replace("          who: me\n", "          w\n");
    let got = labels(&text, text.find("          w\n").unwrap() + 11);
    assert!(got.contains(&"who".to_string()), "{got:?}");
    // requires.
    let text = format!("{SRC}      - test:\n          requires: [b]\n");
    let text = text.replace(
        "  build:\n    docker",
        "  test:\n    docker: [{image: x}]\n    steps: [checkout]\n  build:\n    docker",
    );
    let got = labels(&text, text.find("[b]").unwrap() + 2);
    assert!(got.contains(&"build".to_string()), "{got:?}");
    // << parameters. >> and << pipeline. >>
    let text = SRC.replace("echo << parameters.who >>", "echo << parameters.");
    let got = labels(&text, text.find("parameters.\n").unwrap() + 11);
    assert_eq!(got, vec!["parameters.who".to_string()]);
    let text = SRC.replace("echo << parameters.who >>", "echo << pipeline.");
    let got = labels(&text, text.find("pipeline.\n").unwrap() + 9);
    assert!(
        got.contains(&"pipeline.git.branch".to_string())
            && got.contains(&"pipeline.parameters.deploy".to_string()),
        "{got:?}"
    );
}
