use super::workflows::clojure_hash;
use super::*;
use crate::output::yaml_out::{Dialect, to_yaml};

/// Expand `src` for a push to `main` with the given pipeline parameters (and the orb cache
/// `cache`): the processed YAML, or the kinds of what stopped it.
fn run(
    src: &str,
    params: &[(&str, PipelineValue)],
    cache: Option<&std::path::Path>,
) -> Result<String, Vec<ExpandProblem>> {
    let doc = crate::yaml::parse(src);
    let config = crate::analysis::context::model(&doc);
    let orbs = Orbs::load(&config, cache.map(std::path::Path::to_path_buf));
    let mut input = PlanInput::branch("main");
    input.params = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    match expand(src, &config, &orbs, &input) {
        Ok(d) => Ok(to_yaml(&d, Dialect::Process)),
        Err(Stop::Rejected(found)) => Err(found.into_iter().map(|f| f.kind).collect()),
        Err(Stop::Undecidable { reason, .. }) => panic!("undecidable: {reason}"),
    }
}

fn ok(src: &str) -> String {
    run(src, &[], None).expect("expands")
}

#[test]
fn commands_parameters_and_conditions() {
    let src = r#"version: 2.1
commands:
  greet:
    parameters:
      who: {type: string, default: world}
      loud: {type: boolean, default: false}
      extra: {type: steps, default: []}
    steps:
      - run: echo hello << parameters.who >>
      - when:
          condition: << parameters.loud >>
          steps:
            - run: echo LOUD
      - unless:
          condition: << parameters.loud >>
          steps:
            - run:
                name: quiet
                command: echo quiet
      - steps: << parameters.extra >>
jobs:
  build:
    parameters:
      n: {type: integer, default: 2}
    docker:
      - image: cimg/base:2024.02
    parallelism: << parameters.n >>
    steps:
      - checkout
      - greet
      - greet:
          who: you
          loud: yes
          extra:
            - run: echo extra << parameters.n >>
workflows:
  main:
    jobs:
      - build:
          n: "3"
          pre-steps:
            - run: echo pre
"#;
    assert_eq!(
        ok(src),
        r#"version: 2
jobs:
  build:
    docker:
    - image: cimg/base:2024.02
    parallelism: 3
    steps:
    - run:
        command: echo pre
    - checkout
    - run:
        command: echo hello world
    - run:
        name: quiet
        command: echo quiet
    - run:
        command: echo hello you
    - run:
        command: echo LOUD
    - run:
        command: echo extra 3
workflows:
  main:
    jobs:
    - build
  version: 2
"#
    );
}

#[test]
fn executors_merge_into_the_job() {
    let src = r#"version: 2.1
executors:
  win:
    parameters:
      size: {type: string, default: medium}
    machine:
      image: windows-server-2019-vs2019:stable
      resource_class: windows.<< parameters.size >>
      shell: bash.exe
    working_directory: c:\work
    environment:
      B: 1
      A: 2
jobs:
  plain:
    executor: win
    steps: [checkout]
  own-env:
    executor: {name: win, size: large}
    environment:
      C: "3"
      A: x
    steps: [checkout]
workflows:
  main:
    jobs: [plain, own-env]
"#;
    assert_eq!(
        ok(src),
        r#"version: 2
jobs:
  plain:
    machine:
      image: windows-server-2019-vs2019:stable
    working_directory: c:\work
    steps:
    - checkout
    environment:
    - B: 1
    - A: 2
    resource_class: windows.medium
    shell: bash.exe
  own-env:
    machine:
      image: windows-server-2019-vs2019:stable
    working_directory: c:\work
    environment:
    - B: 1
    - A: x
    - C: '3'
    steps:
    - checkout
    resource_class: windows.large
    shell: bash.exe
workflows:
  main:
    jobs:
    - plain
    - own-env
  version: 2
"#
    );
}

#[test]
fn matrices_and_their_requires() {
    let src = r#"version: 2.1
jobs:
  test:
    parameters:
      os: {type: string}
      v: {type: string}
    docker: [{image: "cimg/<< parameters.os >>:<< parameters.v >>"}]
    steps: [checkout]
  deploy:
    docker: [{image: x}]
    steps: [checkout]
workflows:
  main:
    jobs:
      - test:
          matrix:
            parameters:
              v: ["1.0", "2.0"]
              os: [linux, mac]
            exclude:
              - {v: "2.0", os: mac}
      - deploy:
          requires: [test]
          context: prod
          filters: {branches: {only: main}}
"#;
    let out = ok(src);
    assert!(
        out.contains("  test-linux-1.0:\n    docker:\n    - image: cimg/linux:1.0\n"),
        "{out}"
    );
    assert!(
        out.contains("    - test-linux-1.0\n    - test-mac-1.0\n    - test-linux-2.0\n    - deploy:\n        requires:\n        - test-linux-1.0\n        - test-mac-1.0\n        - test-linux-2.0\n        filters:\n          branches:\n            only: main\n        context: prod\n"),
        "{out}"
    );
    assert!(!out.contains("test-mac-2.0"));
}

#[test]
fn pipeline_parameters_and_workflow_conditions() {
    let src = r#"version: 2.1
parameters:
  deploy: {type: boolean, default: false}
  region: {type: enum, enum: [eu, us], default: eu}
jobs:
  ship:
    docker: [{image: x}]
    steps:
      - run: ./ship << pipeline.parameters.region >> on << pipeline.git.branch >>
workflows:
  always:
    jobs: [ship]
  deploy:
    when: << pipeline.parameters.deploy >>
    jobs:
      - ship:
          name: ship-again
"#;
    let default = ok(src);
    assert!(default.contains("command: ./ship eu on main"), "{default}");
    assert!(!default.contains("ship-again"));
    let given = run(
        src,
        &[
            ("deploy", PipelineValue::Bool(true)),
            ("region", PipelineValue::Str("us".into())),
        ],
        None,
    )
    .expect("expands");
    assert!(given.contains("command: ./ship us on main"));
    assert!(
        given.contains("  deploy:\n    jobs:\n    - ship-again\n"),
        "{given}"
    );
}

#[test]
fn registry_orbs_from_the_cache() {
    let cache = tempfile::tempdir().expect("temp dir");
    let dir = cache.path().join("acme");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("tools@1.2.3.yml"),
        r#"version: 2.1
executors:
  default:
    parameters:
      tag: {type: string, default: "1.0"}
    docker: [{image: "acme/tools:<< parameters.tag >>"}]
commands:
  install:
    parameters:
      version: {type: string}
    steps:
      - run: install-tools << parameters.version >>
jobs:
  check:
    executor: default
    parameters:
      what: {type: string, default: all}
    steps:
      - install: {version: "2"}
      - run: check << parameters.what >>
"#,
    )
    .expect("write");
    let src = r#"version: 2.1
orbs:
  tools: acme/tools@1.2.3
jobs:
  build:
    executor: {name: tools/default, tag: "2.0"}
    steps:
      - tools/install: {version: "3"}
workflows:
  main:
    jobs:
      - build
      - tools/check: {what: docs}
"#;
    let out = run(src, &[], Some(cache.path())).expect("expands");
    assert!(out.contains("  build:\n    docker:\n    - image: acme/tools:2.0\n    steps:\n    - run:\n        command: install-tools 3\n"), "{out}");
    assert!(out.contains("  tools/check:\n    docker:\n    - image: acme/tools:1.0\n    steps:\n    - run:\n        command: install-tools 2\n    - run:\n        command: check docs\n"), "{out}");
    // Without the cache the orb cannot be expanded.
    let empty = tempfile::tempdir().expect("temp dir");
    assert_eq!(
        run(src, &[], Some(empty.path())).unwrap_err(),
        vec![
            ExpandProblem::OrbUnresolved,
            ExpandProblem::OrbUnresolved,
            ExpandProblem::OrbUnresolved
        ]
    );
}

#[test]
fn what_circleci_rejects() {
    let base = "version: 2.1\ncommands:\n  c:\n    parameters:\n      n: {type: integer}\n    steps: [{run: echo << parameters.n >>}]\n";
    let cases: &[(&str, ExpandProblem)] = &[
        (
            "jobs:\n  j:\n    docker: [{image: x}]\n    steps: [nope]\nworkflows:\n  w:\n    jobs: [j]\n",
            ExpandProblem::UnknownCommand,
        ),
        (
            "jobs:\n  j:\n    docker: [{image: x}]\n    steps: [c]\nworkflows:\n  w:\n    jobs: [j]\n",
            ExpandProblem::MissingArgument,
        ),
        (
            "jobs:\n  j:\n    docker: [{image: x}]\n    steps: [{c: {n: many}}]\nworkflows:\n  w:\n    jobs: [j]\n",
            ExpandProblem::ArgumentType,
        ),
        (
            "jobs:\n  j:\n    docker: [{image: x}]\n    steps: [{c: {n: 1, m: 2}}]\nworkflows:\n  w:\n    jobs: [j]\n",
            ExpandProblem::UnknownArgument,
        ),
        (
            "jobs:\n  j:\n    docker: [{image: x}]\n    steps: [{run: echo << parameters.x >>}]\nworkflows:\n  w:\n    jobs: [j]\n",
            ExpandProblem::UndefinedParameter,
        ),
        (
            "jobs:\n  j:\n    executor: nowhere\n    steps: [checkout]\nworkflows:\n  w:\n    jobs: [j]\n",
            ExpandProblem::UnknownExecutor,
        ),
        (
            "jobs:\n  j:\n    steps: [checkout]\nworkflows:\n  w:\n    jobs: [j]\n",
            ExpandProblem::MissingExecutor,
        ),
        (
            "jobs:\n  j:\n    docker: [{image: x}]\n    steps: [checkout]\nworkflows:\n  w:\n    jobs: [k]\n",
            ExpandProblem::UnknownJob,
        ),
        (
            "jobs:\n  j:\n    docker: [{image: x}]\n    steps: [o/x]\nworkflows:\n  w:\n    jobs: [j]\n",
            ExpandProblem::UndeclaredOrb,
        ),
        (
            "jobs:\n  j:\n    docker: [{image: x}]\n    steps: [{run: echo << pipeline.nope >>}]\nworkflows:\n  w:\n    jobs: [j]\n",
            ExpandProblem::UnknownPipelineValue,
        ),
    ];
    for (rest, want) in cases {
        let src = format!("{base}{rest}");
        assert_eq!(run(&src, &[], None).unwrap_err(), vec![*want], "{rest}");
    }
}

#[test]
fn heredocs_and_escapes_stay_text() {
    let src = "version: 2.1\njobs:\n  j:\n    docker: [{image: x}]\n    steps:\n      - run: |\n          cat <<EOF >> out\n          a \\<< b\n          EOF\nworkflows:\n  w:\n    jobs: [j]\n";
    assert!(ok(src).contains("          cat <<EOF >> out\n          a << b\n"));
}

#[test]
fn names_run_twice_are_numbered() {
    let src = "version: 2.1\njobs:\n  j:\n    docker: [{image: x}]\n    steps: [checkout]\nworkflows:\n  w:\n    jobs: [j, j]\n";
    let out = ok(src);
    assert!(
        out.contains("  j-1:\n")
            && out.contains("  j-2:\n")
            && out.contains("    - j-1\n    - j-2\n"),
        "{out}"
    );
}

#[test]
fn the_jobs_map_is_in_clojure_hash_order_beyond_8() {
    for (name, h) in [
        ("build", 0xb1f9_c651),
        ("test", 0x88af_f33e),
        ("test-api", 0xec60_49a1),
        ("", 0),
    ] {
        assert_eq!(clojure_hash(name), h, "{name}");
    }
    let mut src = String::from("version: 2.1\njobs:\n");
    for i in 0..12 {
        src.push_str(&format!(
            "  n{i}:\n    docker: [{{image: x}}]\n    steps: [checkout]\n"
        ));
    }
    src.push_str("workflows:\n  w:\n    jobs:\n");
    for i in 0..12 {
        src.push_str(&format!("      - n{i}\n"));
    }
    let out = ok(&src);
    let order: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("  n"))
        .map(|l| l.trim().trim_end_matches(':'))
        .collect();
    assert_eq!(
        order,
        vec![
            "n2", "n5", "n8", "n6", "n1", "n4", "n0", "n9", "n10", "n3", "n11", "n7"
        ]
    );
}

#[test]
fn a_pipeline_parameter_keeps_the_type_of_its_default() {
    let src = "version: 2.1\nparameters:\n  v: {type: string, default: 1.5}\njobs:\n  j:\n    docker: [{image: x}]\n    environment:\n      V: << pipeline.parameters.v >>\n      W: v<< pipeline.parameters.v >>\n    steps: [checkout]\nworkflows:\n  w:\n    jobs: [j]\n";
    assert!(
        ok(src).contains("      V: 1.5\n      W: v1.5\n"),
        "{}",
        ok(src)
    );
    let given = run(src, &[("v", PipelineValue::Str("2.5".into()))], None).expect("expands");
    assert!(given.contains("      V: '2.5'\n"), "{given}");
}

#[test]
fn expressions_are_computed_from_known_values_only() {
    let src = "version: 2.1\njobs:\n  j:\n    docker: [{image: x}]\n    parallelism: << pipeline.git.branch == \"main\" and 4 or 1 >>\n    steps:\n      - run: echo << pipeline.git.branch == \"main\" and \"prod\" or \"dev\" >>\nworkflows:\n  w:\n    jobs: [j]\n";
    let out = ok(src);
    assert!(
        out.contains("    parallelism: 4\n") && out.contains("command: echo prod\n"),
        "{out}"
    );
    let unknown = src.replace(
        "pipeline.git.branch == \"main\" and \"prod\"",
        "pipeline.git.revision == \"x\" and \"prod\"",
    );
    let doc = crate::yaml::parse(&unknown);
    let config = crate::analysis::context::model(&doc);
    let stop = expand(
        &unknown,
        &config,
        &Orbs::default(),
        &PlanInput::branch("main"),
    )
    .unwrap_err();
    assert!(
        matches!(stop, Stop::Undecidable { ref reason, .. } if reason.contains("pipeline.git.revision")),
        "{stop:?}"
    );
}

#[test]
fn orbs_inline_and_orbs_of_orbs() {
    let cache = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(cache.path().join("acme")).expect("mkdir");
    std::fs::write(
        cache.path().join("acme/outer@1.0.0.yml"),
        "version: 2.1\norbs:\n  inner: acme/inner@2.0.0\njobs:\n  go:\n    docker: [{image: x}]\n    steps:\n      - inner/say: {what: hi}\n",
    )
    .expect("write");
    std::fs::write(
        cache.path().join("acme/inner@2.0.0.yml"),
        "version: 2.1\ncommands:\n  say:\n    parameters:\n      what: {type: string}\n    steps:\n      - run: echo << parameters.what >>\n",
    )
    .expect("write");
    let src = "version: 2.1\norbs:\n  outer: acme/outer@1.0.0\n  local:\n    commands:\n      hello:\n        steps: [{run: echo hello}]\n    jobs:\n      greet:\n        docker: [{image: y}]\n        steps: [hello]\nworkflows:\n  w:\n    jobs: [outer/go, local/greet]\n";
    let out = run(src, &[], Some(cache.path())).expect("expands");
    assert!(out.contains("  outer/go:\n    docker:\n    - image: x\n    steps:\n    - run:\n        command: echo hi\n"), "{out}");
    assert!(out.contains("  local/greet:\n    docker:\n    - image: y\n    steps:\n    - run:\n        command: echo hello\n"), "{out}");
}
