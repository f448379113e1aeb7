//! The schema check and the step-shape rule: the schema accepts every key of CircleCI's
//! configuration reference, rejects what CircleCI rejects, and its findings read well.

mod common;

use cilint::{Diagnostic, LineIndex, Settings};
use std::path::Path;

/// The rules this file is about: the schema's and step-shape.
const RULES: &[&str] = &["unknown-key", "invalid-value", "missing-key", "step-shape"];

/// The schema and step-shape findings for one config, through the whole lint pipeline.
fn findings(src: &str) -> Vec<Diagnostic> {
    cilint::lint(src.as_bytes(), "config.yml", &Settings::default())
        .diagnostics
        .into_iter()
        .filter(|d| RULES.contains(&d.rule))
        .collect()
}

/// Findings as short lines, with their labels and help.
fn render(src: &str) -> String {
    let lines = LineIndex::new(src);
    let mut out = String::new();
    let mut diags = findings(src);
    diags.sort_by_key(|d| (d.primary.span, d.rule));
    for d in diags {
        let at = lines.line_col(src, d.primary.span.start as usize);
        out.push_str(&format!(
            "{}:{}: {}[{}] {}\n",
            at.line, at.column, d.severity, d.rule, d.message
        ));
        let text = d.primary.span.slice(src);
        let text = text.lines().next().unwrap_or("");
        out.push_str(&format!("  = at `{text}`: {}\n", d.primary.message));
        for l in &d.labels {
            let at = lines.line_col(src, l.span.start as usize);
            out.push_str(&format!("  = {}:{}: {}\n", at.line, at.column, l.message));
        }
        if let Some(help) = &d.help {
            out.push_str(&format!("  help: {}\n", help.replace('\n', "\n        ")));
        }
    }
    out
}

/// `../shared/corpus/real`, when the shared corpus is next to the project.
fn corpus_dir(kind: &str) -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(kind);
    dir.is_dir().then_some(dir)
}

fn read_config(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn real_configs_get_no_schema_error() {
    let Some(dir) = corpus_dir("real") else {
        common::skip("../shared/corpus");
        return;
    };
    let known = std::fs::read_to_string(dir.join("KNOWN-INVALID.tsv")).unwrap_or_default();
    let known: Vec<&str> = known
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .collect();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    assert!(files.len() >= 60, "the corpus has {} configs", files.len());
    let mut failures = String::new();
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap();
        let src = read_config(path);
        if known.contains(&name) {
            continue;
        }
        // Warnings are allowed (a key CircleCI ignores, for example): no error is.
        let errors = findings(&src)
            .iter()
            .any(|d| d.severity == cilint::Severity::Error);
        let found = render(&src);
        if errors {
            failures.push_str(&format!("{name}:\n{found}\n"));
        }
    }
    assert!(
        failures.is_empty(),
        "findings on accepted configs:\n{failures}"
    );
}

/// One small config per key of CircleCI's configuration reference: all must be accepted.
const VALID: &[(&str, &str)] = &[
    (
        "version 2",
        "version: 2\njobs:\n  build:\n    docker: [{image: cimg/base:2024.01}]\n    steps: [checkout]\nworkflows:\n  version: 2\n  main:\n    jobs: [build]\n",
    ),
    (
        "version 2.0",
        "version: 2.0\njobs:\n  build:\n    docker: [{image: cimg/base:2024.01}]\n    steps: [checkout]\n",
    ),
    (
        "version 2.1 as a string",
        "version: \"2.1\"\njobs:\n  build:\n    docker: [{image: cimg/base:2024.01}]\n    steps: [checkout]\n",
    ),
    (
        "setup",
        "version: 2.1\nsetup: true\njobs:\n  gen:\n    docker: [{image: cimg/base:2024.01}]\n    steps: [checkout]\n",
    ),
    (
        "orbs",
        r#"version: 2.1
orbs:
  node: circleci/node@5.2.0
  tools: circleci/orb-tools@volatile
  remote: https://example.com/orbs/my-orb.yml
  inline:
    orbs:
      slack: circleci/slack@4.1
    executors:
      small:
        docker: [{image: cimg/base:2024.01}]
    commands:
      hello:
        parameters:
          to: {type: string, default: world}
        steps:
          - run: echo hello << parameters.to >>
    jobs:
      greet:
        executor: small
        steps: [hello]
jobs:
  build:
    executor: inline/small
    steps:
      - inline/hello:
          to: you
"#,
    ),
    (
        "executors",
        r#"version: 2.1
executors:
  docker-exec:
    description: a docker executor
    parameters:
      tag: {type: string, default: "2024.01"}
    docker:
      - image: cimg/base:<< parameters.tag >>
    resource_class: large
    shell: /bin/bash -eo pipefail
    working_directory: ~/project
    environment:
      FOO: bar
  vm:
    machine:
      image: ubuntu-2204:current
      docker_layer_caching: true
  mac:
    macos:
      xcode: 15.0.1
  old-vm:
    machine: true
jobs:
  build:
    executor: docker-exec
    steps: [checkout]
"#,
    ),
    (
        "commands",
        r#"version: 2.1
commands:
  say:
    description: says something
    parameters:
      what: {type: string, default: hi, description: the words}
    steps:
      - run: echo << parameters.what >>
jobs:
  build:
    docker: [{image: cimg/base:2024.01}]
    steps:
      - say
      - say:
          what: bye
"#,
    ),
    (
        "pipeline parameters",
        r#"version: 2.1
parameters:
  deploy: {type: boolean, default: false, description: deploy or not}
  name: {type: string, default: ""}
  count: {type: integer, default: 3}
  env: {type: enum, enum: [dev, prod], default: dev}
jobs:
  build:
    docker: [{image: cimg/base:2024.01}]
    steps: [checkout]
"#,
    ),
    (
        "docker image keys",
        r#"version: 2.1
jobs:
  build:
    docker:
      - image: example/private:1
        name: primary
        entrypoint: [/bin/sh]
        command: ["-c", "sleep 1"]
        user: root
        environment:
          A: "1"
          B: 2
        auth:
          username: me
          password: $PASSWORD
      - image: 123.dkr.ecr.us-east-1.amazonaws.com/x:1
        aws_auth:
          aws_access_key_id: AKIA
          aws_secret_access_key: $SECRET
      - image: 123.dkr.ecr.us-east-1.amazonaws.com/y:1
        aws_auth:
          oidc_role_arn: arn:aws:iam::123:role/x
        entrypoint: /entry.sh
        command: serve
    steps: [checkout]
"#,
    ),
    (
        "machine, macos, executor references",
        r#"version: 2.1
executors:
  e:
    parameters:
      size: {type: string, default: medium}
    docker: [{image: cimg/base:2024.01}]
    resource_class: << parameters.size >>
jobs:
  vm:
    machine:
      image: ubuntu-2204:2024.01.1
      docker_layer_caching: true
    steps: [checkout]
  vm-true:
    machine: true
    steps: [checkout]
  mac:
    macos:
      xcode: "15.0.1"
    resource_class: macos.m1.medium.gen1
    steps: [checkout]
  by-name:
    executor: e
    steps: [checkout]
  by-map:
    executor:
      name: e
      size: large
    steps: [checkout]
"#,
    ),
    (
        "job keys",
        r#"version: 2.1
jobs:
  build:
    description: builds
    docker: [{image: cimg/base:2024.01}]
    resource_class: xlarge
    parallelism: 4
    working_directory: ~/app
    shell: /bin/bash
    environment:
      - A: "1"
      - B: two
    circleci_ip_ranges: true
    retention:
      caches: 7d
    parameters:
      s: {type: string, default: x}
      b: {type: boolean, default: true}
      i: {type: integer, default: 1}
      e: {type: enum, enum: [a, b], default: a}
      ex: {type: executor, default: other}
      st: {type: steps, default: []}
      ev: {type: env_var_name, default: TOKEN}
    steps:
      - steps: << parameters.st >>
      - run: echo << parameters.s >>
  other:
    docker: [{image: cimg/base:2024.01}]
    parallelism: << parameters.n >>
    circleci_ip_ranges: << parameters.ip >>
    parameters:
      n: {type: integer, default: 2}
      ip: {type: boolean, default: false}
    steps: [checkout]
"#,
    ),
    (
        "job types",
        r#"version: 2.1
jobs:
  hold:
    type: approval
  nothing:
    type: no-op
  release-it:
    type: release
    plan_name: my-service
  take:
    type: lock
    key: deploy-lock
  give:
    type: unlock
    key: deploy-lock
  build:
    type: build
    docker: [{image: cimg/base:2024.01}]
    steps: [checkout]
"#,
    ),
    (
        "built-in steps",
        r#"version: 2.1
jobs:
  build:
    docker: [{image: cimg/base:2024.01}]
    steps:
      - checkout
      - checkout:
          path: ~/src
      - setup_remote_docker
      - setup_remote_docker:
          version: default
          docker_layer_caching: true
      - run: make
      - run:
          name: Test
          command: make test
          shell: /bin/bash
          environment: {CI: "true"}
          background: false
          working_directory: ~/src
          no_output_timeout: 20m
          when: always
          max_auto_reruns: 3
          auto_rerun_delay: 30s
      - run:
          command: make lint
          background: << parameters.bg >>
          when: << parameters.when >>
      - save_cache:
          key: v1-{{ checksum "go.sum" }}
          paths: [~/go/pkg]
          name: Save
          when: on_success
      - restore_cache:
          key: v1-{{ checksum "go.sum" }}
      - restore_cache:
          keys: [v1-a, v1-]
      - store_artifacts:
          path: /tmp/out
          destination: out
      - store_test_results:
          path: /tmp/results
      - persist_to_workspace:
          root: .
          paths: [bin]
      - attach_workspace:
          at: /tmp/ws
      - add_ssh_keys
      - add_ssh_keys:
          fingerprints: ["SHA256:abc"]
      - deploy:
          command: ./deploy.sh
      - when:
          condition: << parameters.bg >>
          steps:
            - run: echo yes
      - unless:
          condition:
            equal: [main, << pipeline.git.branch >>]
          steps: [checkout]
      - node/install:
          node-version: "20"
      - node/install
      - << parameters.extra >>
    parameters:
      bg: {type: boolean, default: false}
      when: {type: string, default: always}
      extra: {type: steps, default: []}
"#,
    ),
    (
        "workflows",
        r#"version: 2.1
parameters:
  go: {type: boolean, default: true}
jobs:
  build:
    parameters:
      v: {type: string, default: "1"}
    docker: [{image: cimg/base:2024.01}]
    steps: [checkout]
workflows:
  nightly:
    triggers:
      - schedule:
          cron: "0 0 * * *"
          filters:
            branches:
              only: [main, /release\/.*/]
    jobs: [build]
  main:
    when:
      and:
        - << pipeline.parameters.go >>
        - not:
            matches:
              pattern: "^skip-.*$"
              value: << pipeline.git.branch >>
        - or:
            - equal: [main, << pipeline.git.branch >>]
            - true
    max_auto_reruns: 2
    jobs:
      - build
      - build:
          name: build-2
          v: "2"
          context: [org-global, deploy]
          requires:
            - build
          filters:
            branches:
              ignore: /wip-.*/
            tags:
              only: /^v.*/
      - hold:
          type: approval
          requires:
            - build-2: success
            - build: [failed, canceled]
      - build:
          name: build-<< matrix.v >>
          matrix:
            parameters:
              v: ["3", "4"]
            exclude:
              - v: "4"
            alias: matrix-builds
          context: org-global
          pre-steps:
            - run: echo before
          post-steps:
            - run: echo after
          serial-group: << pipeline.project.slug >>/deploy
          override-with: local/build
          filters: pipeline.git.branch == "main"
          requires: [hold]
  off:
    unless: << pipeline.parameters.go >>
    jobs: [build]
"#,
    ),
    (
        "top-level anchors",
        r#"version: 2.1
aliases:
  - &image cimg/base:2024.01
references:
  docker: &docker
    - image: *image
defaults: &defaults
  docker: *docker
x-data:
  anything: [1, 2]
_filters: &only-main
  branches:
    only: main
jobs:
  build:
    <<: *defaults
    steps: [checkout]
workflows:
  main:
    jobs:
      - build:
          filters: *only-main
"#,
    ),
];

/// The config is valid YAML without duplicate keys (what the table tests is the schema).
fn assert_loads(name: &str, src: &str) {
    let loader: Vec<Diagnostic> = cilint::lint(src.as_bytes(), "config.yml", &Settings::default())
        .diagnostics
        .into_iter()
        .filter(|d| d.rule.starts_with("yaml-") || d.rule == "duplicate-key")
        .collect();
    assert!(loader.is_empty(), "{name}: {loader:?}");
}

#[test]
fn the_schema_accepts_every_key_of_the_reference() {
    let mut failures = String::new();
    for (name, src) in VALID {
        assert_loads(name, src);
        let found = render(src);
        if !found.is_empty() {
            failures.push_str(&format!("{name}:\n{found}\n"));
        }
    }
    assert!(
        failures.is_empty(),
        "valid configs got findings:\n{failures}"
    );
}

const JOB_HEAD: &str = "version: 2.1\njobs:\n  build:\n    docker: [{image: cimg/base:2024.01}]\n";

/// Invalid configs, each with the rule and a piece of the message it must get (exactly one
/// finding each: one mistake, one finding).
const INVALID: &[(&str, &str, &str, &str)] = &[
    (
        "no version",
        "jobs:\n  b:\n    docker: [{image: x}]\n    steps: [checkout]\n",
        "missing-key",
        "missing the required key `version` at the top level",
    ),
    (
        "version 3",
        "version: 3\njobs:\n  b:\n    docker: [{image: x}]\n    steps: [checkout]\n",
        "invalid-value",
        "`version` must be one of `2`, `2.1`",
    ),
    (
        "misspelt version",
        "vesion: 2.1\njobs:\n  b:\n    docker: [{image: x}]\n    steps: [checkout]\n",
        "unknown-key",
        "unknown key `vesion` at the top level, and the required key `version` is missing",
    ),
    (
        "misspelt jobs",
        "version: 2.1\njob:\n  b:\n    docker: [{image: x}]\n    steps: [checkout]\n",
        "unknown-key",
        "unknown key `job` at the top level",
    ),
    (
        "unknown job key",
        "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    steps: [checkout]\n    resourse_class: large\n",
        "unknown-key",
        "unknown key `resourse_class` in job `build`",
    ),
    (
        "steps misspelt",
        "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    steeps: [checkout]\n",
        "unknown-key",
        "unknown key `steeps` in job `build`, and the required key `steps` is missing",
    ),
    (
        "parallelism string",
        "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    parallelism: four\n    steps: [checkout]\n",
        "invalid-value",
        "`parallelism` must be an integer, found a string",
    ),
    (
        "parallelism zero",
        "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    parallelism: 0\n    steps: [checkout]\n",
        "invalid-value",
        "`parallelism` must be at least 1, found 0",
    ),
    (
        "docker image as a string",
        "version: 2.1\njobs:\n  build:\n    docker:\n      - cimg/base:2024.01\n    steps: [checkout]\n",
        "invalid-value",
        "docker image 1 of job `build` must be a mapping, found a string",
    ),
    (
        "docker without image",
        "version: 2.1\njobs:\n  build:\n    docker:\n      - name: db\n    steps: [checkout]\n",
        "missing-key",
        "missing the required key `image` in docker image 1 of job `build`",
    ),
    (
        "docker unknown key",
        "version: 2.1\njobs:\n  build:\n    docker:\n      - image: x\n        environmnet: {A: b}\n    steps: [checkout]\n",
        "unknown-key",
        "unknown key `environmnet` in docker image 1 of job `build`",
    ),
    (
        "machine as a string",
        "version: 2.1\njobs:\n  build:\n    machine: ubuntu\n    steps: [checkout]\n",
        "invalid-value",
        "`machine` must be a boolean (`true` or `false`) or a mapping, found a string",
    ),
    (
        "macos without xcode",
        "version: 2.1\njobs:\n  build:\n    macos: {}\n    steps: [checkout]\n",
        "missing-key",
        "missing the required key `xcode` in `macos` of job `build`",
    ),
    (
        "steps as a string",
        "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    steps: checkout\n",
        "invalid-value",
        "`steps` must be a list, found a string",
    ),
    (
        "run without command",
        "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    steps:\n      - run:\n          name: Test\n",
        "missing-key",
        "missing the required key `command` in step 1 (`run`) of job `build`",
    ),
    (
        "run command misspelt",
        "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    steps:\n      - run:\n          comand: make\n",
        "unknown-key",
        "unknown key `comand` in step 1 (`run`) of job `build`, and the required key `command` is missing",
    ),
    (
        "run when option",
        "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    steps:\n      - run:\n          command: make\n          when: sometimes\n",
        "invalid-value",
        "`when` must be one of `always`, `on_success` or `on_fail`, found `sometimes`",
    ),
    (
        "run list",
        "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    steps:\n      - run: [make]\n",
        "invalid-value",
        "`run` must be a string or a mapping, found a list",
    ),
    (
        "save_cache without paths",
        "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    steps:\n      - save_cache:\n          key: v1\n",
        "missing-key",
        "missing the required key `paths` in step 1 (`save_cache`) of job `build`",
    ),
    (
        "restore_cache without key",
        "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    steps:\n      - restore_cache:\n          name: restore\n",
        "missing-key",
        "missing one of `key` or `keys` in step 1 (`restore_cache`) of job `build`",
    ),
    (
        "when step without condition",
        "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    steps:\n      - when:\n          steps: [checkout]\n",
        "missing-key",
        "missing the required key `condition` in step 1 (`when`) of job `build`",
    ),
    (
        "empty step map",
        "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    steps:\n      - {}\n",
        "invalid-value",
        "step 1 of job `build` is an empty mapping",
    ),
    (
        "job type",
        "version: 2.1\njobs:\n  build:\n    type: buld\n    docker: [{image: x}]\n    steps: [checkout]\n",
        "invalid-value",
        "`type` must be one of `build`, `approval`, `no-op`, `release`, `lock` or `unlock`, found `buld`",
    ),
    (
        "build job without steps",
        "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n",
        "missing-key",
        "missing the required key `steps` in job `build`",
    ),
    (
        "parameter without type",
        "version: 2.1\njobs:\n  build:\n    parameters:\n      p: {default: x}\n    docker: [{image: x}]\n    steps: [checkout]\n",
        "missing-key",
        "missing the required key `type` in `parameters.p` of job `build`",
    ),
    (
        "parameter type",
        "version: 2.1\njobs:\n  build:\n    parameters:\n      p: {type: str}\n    docker: [{image: x}]\n    steps: [checkout]\n",
        "invalid-value",
        "`type` must be one of `string`, `boolean`, `integer`, `enum`, `executor`, `steps` or `env_var_name`, found `str`",
    ),
    (
        "pipeline parameter without default",
        "version: 2.1\nparameters:\n  go: {type: boolean}\njobs:\n  b:\n    docker: [{image: x}]\n    steps: [checkout]\n",
        "missing-key",
        "missing the required key `default` in pipeline parameter `go`",
    ),
    (
        "executor unknown key",
        "version: 2.1\nexecutors:\n  e:\n    dokcer: [{image: x}]\njobs:\n  b:\n    executor: e\n    steps: [checkout]\n",
        "unknown-key",
        "unknown key `dokcer` in executor `e`",
    ),
    (
        "command without steps",
        "version: 2.1\ncommands:\n  c:\n    description: x\njobs:\n  b:\n    docker: [{image: x}]\n    steps: [c]\n",
        "missing-key",
        "missing the required key `steps` in command `c`",
    ),
    (
        "workflow without jobs",
        "version: 2.1\njobs:\n  b:\n    docker: [{image: x}]\n    steps: [checkout]\nworkflows:\n  main:\n    when: true\n",
        "missing-key",
        "missing the required key `jobs` in workflow `main`",
    ),
    (
        "workflow key misspelt",
        "version: 2.1\njobs:\n  b:\n    docker: [{image: x}]\n    steps: [checkout]\nworkflows:\n  main:\n    jobs: [b]\n    unles: false\n",
        "unknown-key",
        "unknown key `unles` in workflow `main`",
    ),
    (
        "when under workflows",
        "version: 2.1\njobs:\n  b:\n    docker: [{image: x}]\n    steps: [checkout]\nworkflows:\n  when: << pipeline.parameters.x >>\n  main:\n    jobs: [b]\n",
        "invalid-value",
        "`when` sits directly under `workflows`, so it is read as a workflow named `when`",
    ),
    (
        "requires status",
        "version: 2.1\njobs:\n  b:\n    docker: [{image: x}]\n    steps: [checkout]\nworkflows:\n  main:\n    jobs:\n      - b\n      - b:\n          name: c\n          requires:\n            - b: succeeded\n",
        "invalid-value",
        "the status required of `b` must be one of `success`, `failed`, `canceled`, `unauthorized`, `not_run`, `terminal`, or a list, found `succeeded`",
    ),
    (
        "filters only misspelt",
        "version: 2.1\njobs:\n  b:\n    docker: [{image: x}]\n    steps: [checkout]\nworkflows:\n  main:\n    jobs:\n      - b:\n          filters:\n            branches:\n              onyl: main\n",
        "unknown-key",
        "unknown key `onyl` in `filters.branches` of job `b` in workflow `main`",
    ),
    (
        "matrix without parameters",
        "version: 2.1\njobs:\n  b:\n    docker: [{image: x}]\n    steps: [checkout]\nworkflows:\n  main:\n    jobs:\n      - b:\n          matrix:\n            alias: all\n",
        "missing-key",
        "missing the required key `parameters` in `matrix` of job `b` in workflow `main`",
    ),
    (
        "approval type",
        "version: 2.1\njobs:\n  b:\n    docker: [{image: x}]\n    steps: [checkout]\nworkflows:\n  main:\n    jobs:\n      - hold:\n          type: aproval\n",
        "invalid-value",
        "`type` must be one of `approval`, found `aproval`",
    ),
    (
        "workflow entry not indented",
        "version: 2.1\njobs:\n  b:\n    docker: [{image: x}]\n    steps: [checkout]\nworkflows:\n  main:\n    jobs:\n      - b:\n        requires: [a]\n",
        "invalid-value",
        "the settings of `b` are not indented under it",
    ),
    (
        "matches without value",
        "version: 2.1\njobs:\n  b:\n    docker: [{image: x}]\n    steps: [checkout]\nworkflows:\n  main:\n    when:\n      matches: {pattern: \"^a$\"}\n    jobs: [b]\n",
        "missing-key",
        "missing the required key `value` in `when.matches` of workflow `main`",
    ),
    (
        "schedule without cron",
        "version: 2.1\njobs:\n  b:\n    docker: [{image: x}]\n    steps: [checkout]\nworkflows:\n  nightly:\n    triggers:\n      - schedule:\n          filters: {branches: {only: main}}\n    jobs: [b]\n",
        "missing-key",
        "missing the required key `cron` in `triggers[1].schedule` of workflow `nightly`",
    ),
    (
        "step-shape run",
        "version: 2.1\njobs:\n  b:\n    docker: [{image: x}]\n    steps:\n      - run:\n        name: Test\n        command: make\n",
        "step-shape",
        "the arguments of `run` are not indented under it",
    ),
    (
        "step-shape two steps in one",
        "version: 2.1\njobs:\n  b:\n    docker: [{image: x}]\n    steps:\n      - run: make\n        checkout: {}\n",
        "step-shape",
        "step 1 of job `b` has 2 keys (`run`, `checkout`); it must have exactly one",
    ),
];

/// A step with its arguments beside its name in a workflow entry's `pre-steps`/`post-steps`:
/// CircleCI compiles it (artsy/reaction ran such a post-step for years), so a warning that
/// still shows the corrected lines; in a job's own steps it stays an error (above).
#[test]
fn misshapen_pre_and_post_steps_are_warnings() {
    for key in ["pre-steps", "post-steps"] {
        let src = format!(
            "version: 2.1\njobs:\n  b:\n    docker: [{{image: x}}]\n    steps: [checkout]\nworkflows:\n  main:\n    jobs:\n      - b:\n          {key}:\n            - save_cache:\n              key: k\n              paths: [p]\n"
        );
        let found = findings(&src);
        assert_eq!(found.len(), 1, "{}", render(&src));
        let d = &found[0];
        assert_eq!(
            (d.rule, d.severity),
            ("step-shape", cilint::Severity::Warning)
        );
        assert!(
            d.message
                .contains("the arguments of `save_cache` are not indented under it")
        );
        assert!(
            d.help.as_deref().is_some_and(
                |h| h.contains("key: k") && h.starts_with("CircleCI accepts this shape")
            ),
            "{d:?}"
        );
    }
}

#[test]
fn the_schema_rejects_what_circleci_rejects() {
    assert!(JOB_HEAD.starts_with("version"));
    let mut failures = String::new();
    for (name, src, rule, message) in INVALID {
        assert_loads(name, src);
        let found = findings(src);
        let ok = found.len() == 1 && found[0].rule == *rule && found[0].message.contains(message);
        if !ok {
            failures.push_str(&format!(
                "{name}: expected one {rule} finding containing {message:?}, got:\n{}\n",
                render(src)
            ));
        }
        for d in &found {
            assert!(d.help.is_some(), "{name}: no help: {d:?}");
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

/// Every fixture in tests/fixtures/schema, its findings snapshotted.
#[test]
fn fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    assert!(files.len() >= 9);
    for path in files {
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let src = std::fs::read_to_string(&path).unwrap();
        let text = render(&src);
        assert!(!text.is_empty(), "{name}: no findings");
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("schema_{name}"), text);
        });
    }
}

/// The binary's human output for the rewrites whose help shows corrected lines.
#[test]
fn human_output() {
    for name in [
        "step-shape-orb-command",
        "workflow-entry-not-indented",
        "unknown-key-did-you-mean",
    ] {
        let path = format!("tests/fixtures/schema/{name}.yml");
        common::snapshot_run(
            &format!("schema_human_{name}"),
            common::cilint().args(["check", "--color", "never", &path]),
        );
    }
}
