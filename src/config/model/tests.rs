use super::*;
use crate::yaml::parse;

const CONFIG: &str = r#"version: 2.1
orbs:
  node: circleci/node@5.1.1
  tools:
    commands:
      hello:
        steps:
          - run: echo hello
  remote: https://example.com/orb.yml
parameters:
  deploy:
    type: boolean
    default: false
executors:
  base:
    parameters:
      tag:
        type: string
        default: "2024.01"
    docker:
      - image: cimg/base:<< parameters.tag >>
        environment:
          A: "1"
    environment:
      B: "2"
commands:
  greet:
    parameters:
      who:
        type: string
    steps:
      - run: echo << parameters.who >>
jobs:
  build:
    executor:
      name: base
      tag: "2023.12"
    environment:
      - C: "3"
      - D: "4"
    steps:
      - checkout
      - greet:
          who: world
      - when:
          condition: << pipeline.parameters.deploy >>
          steps:
            - run:
                name: Deploy
                command: ./deploy.sh
      - tools/hello
  test:
    parameters:
      os:
        type: string
      node:
        type: string
    docker:
      - image: cimg/node:<< parameters.node >>
    steps:
      - run: npm test
workflows:
  main:
    jobs:
      - build:
          context: [org-global, deploy]
          pre-steps:
            - run: echo pre
      - test:
          requires: [build]
          matrix:
            alias: all-tests
            parameters:
              version: ["0.1", "0.2"]
              platform: [macos, linux]
            exclude:
              - version: "0.2"
                platform: linux
      - hold:
          type: approval
          requires:
            - all-tests
            - build: [success, failed]
      - build:
          name: build-again
          requires:
            - hold: terminal
          context: deploy
"#;

#[test]
fn reads_every_part() {
    let doc = parse(CONFIG);
    assert!(doc.findings.is_empty(), "{:?}", doc.findings);
    let cfg = Config::from_root(doc.root.as_ref().unwrap());
    assert_eq!(cfg.version(), Some(Version::V21));
    assert_eq!(cfg.orbs.len(), 3);
    assert!(matches!(
        cfg.orb("node").unwrap().source,
        OrbSource::Registry {
            namespace: "circleci",
            name: "node",
            version: "5.1.1",
            ..
        }
    ));
    match &cfg.orb("tools").unwrap().source {
        OrbSource::Inline(inner) => assert!(inner.command("hello").is_some()),
        other => panic!("inline orb read as {other:?}"),
    }
    assert!(matches!(
        cfg.orb("remote").unwrap().source,
        OrbSource::Url(_)
    ));
    assert_eq!(cfg.parameters[0].ty, Some(ParamType::Boolean));
    let base = cfg.executor("base").unwrap();
    assert_eq!(
        base.parameters[0].default.unwrap().scalar_text(),
        Some("2024.01")
    );
    assert_eq!(base.env.docker[0].environment[0].name.text, "A");
    assert_eq!(base.env.env[0].name.text, "B");
    assert!(cfg.command("greet").unwrap().parameters[0].is_required());

    let build = cfg.job("build").unwrap();
    let exec = build.executor.as_ref().unwrap();
    assert_eq!(exec.name.unwrap().text, "base");
    assert_eq!(exec.args[0].name.text, "tag");
    assert_eq!(
        build
            .env
            .env
            .iter()
            .map(|e| e.name.text)
            .collect::<Vec<_>>(),
        ["C", "D"]
    );
    let names: Vec<&str> = build
        .steps
        .iter()
        .filter_map(|s| s.name.map(|n| n.text))
        .collect();
    assert_eq!(names, ["checkout", "greet", "when", "tools/hello"]);
    assert_eq!(build.steps[1].arguments()[0].name.text, "who");
    match &build.steps[2].kind {
        StepKind::Conditional {
            when,
            condition,
            steps,
        } => {
            assert!(*when);
            assert!(condition.is_some());
            assert_eq!(
                steps[0].run_command().unwrap().scalar_text(),
                Some("./deploy.sh")
            );
        }
        other => panic!("when step read as {other:?}"),
    }
    // Every step, nested and pre-steps included.
    let all: Vec<&str> = cfg
        .all_steps()
        .iter()
        .filter_map(|(_, s)| s.name.map(|n| n.text))
        .collect();
    assert!(all.contains(&"run") && all.contains(&"when"));
    assert_eq!(all.iter().filter(|n| **n == "run").count(), 4);

    let wf = cfg.workflow("main").unwrap();
    assert_eq!(wf.jobs.len(), 4);
    assert_eq!(
        wf.jobs[0]
            .context
            .iter()
            .map(|c| c.text)
            .collect::<Vec<_>>(),
        ["org-global", "deploy"]
    );
    assert_eq!(wf.jobs[0].pre_steps.len(), 1);
    assert_eq!(wf.jobs[1].group_name(), "all-tests");
    assert!(wf.jobs[2].is_approval());
    let req = &wf.jobs[2].requires;
    assert_eq!(req[0].status_texts(), ["success"]);
    assert_eq!(req[1].name.text, "build");
    assert_eq!(req[1].status_texts(), ["success", "failed"]);
    assert_eq!(wf.jobs[3].requires[0].status_texts(), ["terminal"]);
    assert_eq!(wf.jobs[3].display_name(), "build-again");
    assert_eq!(wf.jobs[3].context[0].text, "deploy");
}

#[test]
fn matrix_instances_are_named_like_circleci() {
    let doc = parse(CONFIG);
    let cfg = Config::from_root(doc.root.as_ref().unwrap());
    let names: Vec<String> = cfg
        .workflow("main")
        .unwrap()
        .instances()
        .into_iter()
        .map(|i| i.name)
        .collect();
    // Parameters in alphabetical order (platform before version), the excluded pair dropped.
    assert_eq!(
        names,
        [
            "build",
            "test-macos-0.1",
            "test-linux-0.1",
            "test-macos-0.2",
            "hold",
            "build-again"
        ]
    );
}

#[test]
fn matrix_name_template() {
    let src = "version: 2.1\njobs:\n  t:\n    parameters:\n      v:\n        type: string\n    docker: [{image: x}]\n    steps: [checkout]\nworkflows:\n  w:\n    jobs:\n      - t:\n          name: t-on-<< matrix.v >>\n          matrix:\n            parameters:\n              v: [a, b]\n";
    let doc = parse(src);
    let cfg = Config::from_root(doc.root.as_ref().unwrap());
    let names: Vec<String> = cfg.workflows[0]
        .instances()
        .into_iter()
        .map(|i| i.name)
        .collect();
    assert_eq!(names, ["t-on-a", "t-on-b"]);
}

#[test]
fn malformed_parts_do_not_hide_the_rest() {
    let src = "version: 2.1\njobs:\n  a: 12\n  b:\n    steps:\n      - [1, 2]\n      - run:\n        name: x\n      - checkout\nworkflows:\n  w:\n    jobs:\n      - b:\n        filters:\n          branches:\n            only: main\n      - 42\n";
    let doc = parse(src);
    let cfg = Config::from_root(doc.root.as_ref().unwrap());
    assert_eq!(cfg.jobs.len(), 2);
    let b = cfg.job("b").unwrap();
    assert!(matches!(b.steps[0].kind, StepKind::Malformed));
    assert!(matches!(b.steps[1].kind, StepKind::Malformed));
    assert_eq!(b.steps[2].name.unwrap().text, "checkout");
    let wf = &cfg.workflows[0];
    assert!(wf.jobs[0].malformed);
    assert_eq!(wf.jobs[0].job.text, "b");
    assert_eq!(wf.jobs[1].job.text, "42");
}

#[test]
fn builtin_step_spellings() {
    assert!(is_builtin_step("save_cache"));
    assert!(is_builtin_step("save-cache"));
    assert!(is_builtin_step("steps"));
    assert!(!is_builtin_step("save-caches"));
    assert!(!is_builtin_step("greet"));
}

#[test]
fn version_two_config() {
    let doc = parse(
        "version: 2\njobs:\n  build:\n    docker: [{image: x}]\n    steps: [checkout]\nworkflows:\n  version: 2\n  w:\n    jobs: [build]\n",
    );
    let cfg = Config::from_root(doc.root.as_ref().unwrap());
    assert_eq!(cfg.version(), Some(Version::V2));
    assert!(!cfg.is_v21());
    assert_eq!(cfg.workflows.len(), 1);
    assert_eq!(cfg.workflows_version.unwrap().1.scalar_text(), Some("2"));
}

/// The instances of a workflow's matrix jobs and what each `requires` entry resolves to.
#[test]
fn matrix_instances_and_requires() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/orbs/matrix-requires.yml"
    );
    let src = std::fs::read_to_string(path).expect("fixture");
    let doc = crate::yaml::parse(&src);
    let config = Config::from_root(doc.root.as_ref().expect("root"));
    let wf = &config.workflows[0];
    let inst = wf.instances();
    let mut text = String::new();
    for (i, req, targets) in wf.resolved_requires(&inst) {
        let names: Vec<&str> = targets.iter().map(|&t| inst[t].name.as_str()).collect();
        text.push_str(&format!(
            "{} requires `{}` -> {:?}\n",
            inst[i].name, req.name.text, names
        ));
    }
    let all: Vec<&str> = inst.iter().map(|i| i.name.as_str()).collect();
    insta::with_settings!({snapshot_path => "../../../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("orbs__matrix_requires", format!("instances: {all:?}\n{text}"));
    });
}
